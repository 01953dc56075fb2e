"""sfnkit: write AWS Step Functions in Python; run them locally exactly as AWS does; export, draw, deploy."""

from sfnkit.asl.codec import from_asl
from sfnkit.build import workflow
from sfnkit.cloud.deploy import Deployment, deploy, destroy
from sfnkit.cloud.poller import PollReport, poll
from sfnkit.cloud.templates import export
from sfnkit.codegen import to_python
from sfnkit.conditions import ctx, data, jsonata, result, var
from sfnkit.dsl import (
    catch,
    chain,
    choice,
    end,
    fail,
    goto,
    lambda_fn,
    map_,
    parallel,
    pass_,
    retry,
    succeed,
    task,
    wait,
    when,
)
from sfnkit.engine import run
from sfnkit.errors import (
    AslError,
    ConditionError,
    DefinitionError,
    DeployError,
    ExecutionFailed,
    MockConfigError,
    PollError,
    Problem,
    RenderError,
    SfnkitError,
    ValidationError,
)
from sfnkit.execution import Execution
from sfnkit.integrations import (
    aws_sdk,
    dynamodb_delete_item,
    dynamodb_get_item,
    dynamodb_put_item,
    dynamodb_update_item,
    lambda_invoke,
    sns_publish,
    sqs_send_message,
    start_execution,
)
from sfnkit.machine import StateMachine, Transition
from sfnkit.render import render
from sfnkit.testing.config import MockConfig
from sfnkit.triggers import sqs_trigger
from sfnkit.validate import validate

__all__ = [
    "AslError",
    "ConditionError",
    "DefinitionError",
    "DeployError",
    "Deployment",
    "Execution",
    "ExecutionFailed",
    "MockConfig",
    "MockConfigError",
    "PollError",
    "PollReport",
    "Problem",
    "RenderError",
    "SfnkitError",
    "StateMachine",
    "Transition",
    "ValidationError",
    "aws_sdk",
    "catch",
    "chain",
    "choice",
    "ctx",
    "data",
    "deploy",
    "destroy",
    "dynamodb_delete_item",
    "dynamodb_get_item",
    "dynamodb_put_item",
    "dynamodb_update_item",
    "end",
    "export",
    "fail",
    "from_asl",
    "goto",
    "jsonata",
    "lambda_fn",
    "lambda_invoke",
    "map_",
    "parallel",
    "pass_",
    "poll",
    "render",
    "result",
    "retry",
    "run",
    "sns_publish",
    "sqs_send_message",
    "sqs_trigger",
    "start_execution",
    "succeed",
    "task",
    "to_python",
    "validate",
    "var",
    "wait",
    "when",
    "workflow",
]
