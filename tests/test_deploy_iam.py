"""Least-privilege policies generated from definitions, and SAM/CloudFormation templates that cfn-lint accepts.

Expected documents follow AWS Step Functions Developer Guide, "IAM policies for integrated services" (Lambda,
Amazon SNS, Amazon SQS, Amazon DynamoDB, Step Functions StartExecution .sync, EventBridge): one entry per static
resource, ``"Resource": "*"`` for a resource given by a path.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from deploy_flows import orders

import sfnkit
from sfnkit import StateMachine, aws_sdk, data, lambda_invoke, sns_publish, start_execution, task, workflow
from sfnkit.cloud import iam

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ARNS = iam.Arns(region="us-east-1", account="123456789012")
FN = "arn:aws:lambda:us-east-1:123456789012:function:"
TOPIC = "arn:aws:sns:us-east-1:123456789012:dragons"


def example_module(module: str) -> Any:
    sys.path.insert(0, str(EXAMPLES))
    try:
        return importlib.import_module(module)
    finally:
        sys.path.remove(str(EXAMPLES))


def example(module: str) -> StateMachine:
    return next(v for v in vars(example_module(module)).values() if isinstance(v, StateMachine))


def trigger_flow() -> StateMachine:
    """examples/orders_queue.py's take_order (fed by its sqs_trigger on the orders queue) as a one-step flow."""
    return workflow("TakeOrders", example_module("orders_queue").take_order)


def policy(machine: StateMachine) -> dict[str, Any]:
    grants, unknown = iam.state_machine_grants(machine.to_asl(), ARNS)
    assert unknown == []
    return iam.policy_document(grants)


def allow(actions: list[str], resources: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources}


def invoke(*names: str) -> dict[str, Any]:
    return allow(["lambda:InvokeFunction"], [arn for name in names for arn in (FN + name, f"{FN}{name}:*")])


EXPECTED = {
    "dragons": [invoke("ValidateDragon", "AddDragon"), allow(["sns:Publish"], [TOPIC])],
    "dragons_jsonata": [invoke("ValidateDragon", "AddDragon"), allow(["sns:Publish"], [TOPIC])],
    "map_feeding": [invoke("FeedDragon")],
    "orders_queue": [invoke("Weigh", "Deliver")],
    "parallel_checks": [invoke("CheckScales", "CheckFire")],
    "retry_catch": [
        invoke("Hatch"),
        allow(["sns:Publish"], [TOPIC]),
        allow(["dynamodb:PutItem"], ["arn:aws:dynamodb:us-east-1:123456789012:table/Dragons"]),
    ],
    "wait_loop": [invoke("WarmEgg")],
}


@pytest.mark.parametrize("module", sorted(EXPECTED))
def test_example_policy_is_least_privilege(module):
    """Each example's state machine role may invoke exactly its functions and call exactly its services."""
    assert policy(example(module)) == {"Version": "2012-10-17", "Statement": EXPECTED[module]}


def test_every_integration_of_the_orders_flow():
    """Lambda (nested too), SNS, SQS, DynamoDB and a .sync StartExecution each get their documented statement."""
    rule = "arn:aws:events:us-east-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"
    assert policy(orders)["Statement"] == [
        invoke("Price", "TagItem", "Approve"),
        allow(["sns:Publish"], ["arn:aws:sns:us-east-1:123456789012:orders"]),
        allow(["sqs:SendMessage"], ["arn:aws:sqs:us-east-1:123456789012:audit"]),
        allow(["dynamodb:PutItem"], ["arn:aws:dynamodb:us-east-1:123456789012:table/Orders"]),
        allow(["states:StartExecution"], ["arn:aws:states:us-east-1:123456789012:stateMachine:Audit"]),
        allow(
            ["states:DescribeExecution", "states:StopExecution"],
            ["arn:aws:states:us-east-1:123456789012:execution:Audit:*"],
        ),
        allow(["events:PutTargets", "events:PutRule", "events:DescribeRule"], [rule]),
    ]


def test_paths_sdk_calls_and_event_buses():
    """Run-time resources get * (listed as wildcards); aws-sdk names the IAM action; PutEvents names the bus."""
    machine = workflow(
        "Mixed",
        lambda_invoke("other-fn:prod")
        >> sns_publish(data.topic, "hi", result_path=None)
        >> start_execution(data.machine, result_path=None)
        >> aws_sdk("s3", "getObject", {"Bucket": "b", "Key": "k"}, result_path=None)
        >> task(
            "arn:aws:states:::events:putEvents", parameters={"Entries": [{"Detail": {}, "EventBusName": "orders"}]}
        ),
    )
    grants, unknown = iam.state_machine_grants(machine.to_asl(), ARNS)
    assert (iam.policy_document(grants)["Statement"], [str(w) for w in iam.wildcards(grants)], unknown) == (
        [
            invoke("other-fn"),
            allow(["sns:Publish"], "*"),
            allow(["states:StartExecution"], "*"),
            allow(["s3:GetObject"], "*"),
            allow(["events:PutEvents"], ["arn:aws:events:us-east-1:123456789012:event-bus/orders"]),
        ],
        [
            "SnsPublish: sns:Publish on * (TopicArn is given at run time)",
            "StartExecution: states:StartExecution on * (StateMachineArn is given at run time)",
            "S3GetObject: s3:GetObject on * (an SDK call names no resource ARN)",
        ],
        [],
    )


def test_function_role_may_only_write_its_own_logs():
    """A function's role: create its log group, write its streams; nothing else."""
    group = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/Price"
    assert iam.function_policy("Price", ARNS)["Statement"] == [
        allow(["logs:CreateLogGroup"], [group]),
        allow(["logs:CreateLogStream", "logs:PutLogEvents"], [f"{group}:*"]),
    ]


def test_trigger_gives_the_function_role_exactly_the_sqs_poller_actions():
    """take_order's sqs_trigger: its role may receive, delete and read the attributes of the orders queue, no more
    (AWS Lambda Developer Guide, "Using Lambda with Amazon SQS": the execution role's permissions)."""
    group = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/TakeOrder"
    from sfnkit.cloud.packaging import Package
    from sfnkit.cloud.plan import desired

    empty = Package(zip=b"", sha256="")
    want = desired(
        trigger_flow(), arns=ARNS, prefix="", tags={}, role_arn=None, type="STANDARD", logging=None, tracing=False,
        packages={"TakeOrder": empty}, layer=empty,
    )  # fmt: skip
    assert {role.name: role.policy["Statement"] for role in want.roles if role.policy} == {
        "TakeOrder-role": [
            allow(["logs:CreateLogGroup"], [group]),
            allow(["logs:CreateLogStream", "logs:PutLogEvents"], [f"{group}:*"]),
            allow(
                ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                ["arn:aws:sqs:us-east-1:123456789012:orders"],
            ),
        ],
        "TakeOrders-states-role": [invoke("TakeOrder")],
    }


def test_trigger_in_sam_and_cloudformation_templates():
    """SAM: the function's SQS event; CloudFormation: an AWS::Lambda::EventSourceMapping, tagged; both name the
    queue's ARN in the stack's own region and account, with the trigger's batch options."""
    queue = {"Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders"}
    options = {"BatchSize": 4, "MaximumBatchingWindowInSeconds": 0}
    options["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
    sam = sfnkit.export(trigger_flow(), "sam")["Resources"]
    cfn = sfnkit.export(trigger_flow(), "cloudformation")["Resources"]
    assert (sam["TakeOrder"]["Properties"]["Events"], cfn["TakeOrderOrdersTrigger"]) == (
        {"TakeOrderOrdersTrigger": {"Type": "SQS", "Properties": {"Queue": queue, "Enabled": True, **options}}},
        {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {
                "EventSourceArn": queue,
                "FunctionName": {"Ref": "TakeOrder"},
                "Enabled": True,
                **options,
                "Tags": [{"Key": "sfnkit:workflow", "Value": "TakeOrders"}],
            },
        },
    )


def test_sam_template_shape():
    """The SAM template: serverless functions with CodeUri, the layer, roles, and DefinitionSubstitutions."""
    template = sfnkit.export(example("dragons"), "sam")
    resources = template["Resources"]
    machine = resources["StateMachine"]["Properties"]
    assert (
        template["Transform"],
        sorted(resources),
        resources["ValidateDragon"]["Properties"]["CodeUri"],
        machine["Definition"]["States"]["ValidateDragon"]["Parameters"]["FunctionName"],
        machine["DefinitionSubstitutions"]["ValidateDragonArn"],
    ) == (
        "AWS::Serverless-2016-10-31",
        ["AddDragon", "AddDragonRole", "DragonsStatesRole", "RuntimeLayer", "StateMachine", "ValidateDragon",
         "ValidateDragonRole"],
        "functions/ValidateDragon.zip",
        "${ValidateDragonArn}",
        {"Fn::GetAtt": ["ValidateDragon", "Arn"]},
    )  # fmt: skip


def test_cloudformation_template_writes_its_artifacts(tmp_path):
    """With out_dir, the CloudFormation template and the zips its S3 keys name are written there."""
    template = sfnkit.export(example("wait_loop"), "cloudformation", out_dir=tmp_path)
    key = template["Resources"]["WarmEgg"]["Properties"]["Code"]["S3Key"]
    assert ((tmp_path / key).is_file(), json.loads((tmp_path / "template.json").read_text()) == template) == (
        True,
        True,
    )


def test_export_rejects_an_unknown_format():
    """Only sam and cloudformation."""
    with pytest.raises(sfnkit.DeployError, match="the formats are 'sam' and 'cloudformation'"):
        sfnkit.export(example("wait_loop"), "terraform")  # type: ignore[arg-type]


def test_cfn_lint_accepts_the_templates_of_every_example(tmp_path):
    """cfn-lint reports no error and no warning on the SAM and CloudFormation templates of every example."""
    lint = shutil.which("cfn-lint", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("cfn-lint is not installed (a dev dependency: make setup)")
    paths = []
    machines = {module: example(module) for module in sorted(EXPECTED)} | {"take_order": trigger_flow()}
    for name, machine in machines.items():
        for fmt in ("sam", "cloudformation"):
            path = tmp_path / f"{name}-{fmt}.json"
            path.write_text(json.dumps(sfnkit.export(machine, fmt)))  # type: ignore[arg-type]
            paths.append(str(path))
    done = subprocess.run([lint, "--format", "parseable", *paths], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
