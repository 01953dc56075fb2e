"""sfnkit: write AWS Step Functions in Python; run them locally exactly as AWS does; export, draw, deploy.

``import sfnkit`` loads nothing but this file: each public name is imported from its home module the first time
it is used (PEP 562), so a program that only builds workflows never loads the engine, JSONata or graphviz.
To add a public name: one entry in ``_HOMES`` (name -> module), the same import under ``TYPE_CHECKING`` (what
type checkers and editors read), and the name in ``__all__``. ``tests/test_package.py`` checks the three agree.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any, Final

__version__ = "0.1.0"  # the package's version (pyproject.toml reads it from here)

if TYPE_CHECKING:
    from sfnkit.asl.codec import from_asl
    from sfnkit.build import workflow
    from sfnkit.cloud.deploy import Deployment, deploy, destroy
    from sfnkit.cloud.poller import PollReport, poll
    from sfnkit.cloud.running import RunningExecution, start
    from sfnkit.cloud.services import aws
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

# Where each public name lives, grouped by module as the imports above are.
_MODULES: Final[dict[str, tuple[str, ...]]] = {
    "sfnkit.asl.codec": ("from_asl",),
    "sfnkit.build": ("workflow",),
    "sfnkit.cloud.deploy": ("Deployment", "deploy", "destroy"),
    "sfnkit.cloud.poller": ("PollReport", "poll"),
    "sfnkit.cloud.running": ("RunningExecution", "start"),
    "sfnkit.cloud.services": ("aws",),
    "sfnkit.cloud.templates": ("export",),
    "sfnkit.codegen": ("to_python",),
    "sfnkit.conditions": ("ctx", "data", "jsonata", "result", "var"),
    "sfnkit.dsl": (
        "catch",
        "chain",
        "choice",
        "end",
        "fail",
        "goto",
        "lambda_fn",
        "map_",
        "parallel",
        "pass_",
        "retry",
        "succeed",
        "task",
        "wait",
        "when",
    ),
    "sfnkit.engine": ("run",),
    "sfnkit.errors": (
        "AslError",
        "ConditionError",
        "DefinitionError",
        "DeployError",
        "ExecutionFailed",
        "MockConfigError",
        "PollError",
        "Problem",
        "RenderError",
        "SfnkitError",
        "ValidationError",
    ),
    "sfnkit.execution": ("Execution",),
    "sfnkit.integrations": (
        "aws_sdk",
        "dynamodb_delete_item",
        "dynamodb_get_item",
        "dynamodb_put_item",
        "dynamodb_update_item",
        "lambda_invoke",
        "sns_publish",
        "sqs_send_message",
        "start_execution",
    ),
    "sfnkit.machine": ("StateMachine", "Transition"),
    "sfnkit.render": ("render",),
    "sfnkit.testing.config": ("MockConfig",),
    "sfnkit.triggers": ("sqs_trigger",),
    "sfnkit.validate": ("validate",),
}
_HOMES: Final[dict[str, str]] = {name: module for module, names in _MODULES.items() for name in names}

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
    "RunningExecution",
    "SfnkitError",
    "StateMachine",
    "Transition",
    "ValidationError",
    "aws",
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
    "start",
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


def __getattr__(name: str) -> Any:
    """A public name, imported from its home on first use (then cached here); else a submodule of sfnkit."""
    home = _HOMES.get(name)
    if home is not None:
        value = getattr(importlib.import_module(home), name)
        globals()[name] = value
        return value
    if not name.startswith("_"):
        try:
            return importlib.import_module(f"{__name__}.{name}")  # sfnkit.machine without importing it first
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise  # the submodule exists; something it imports is missing
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """The sfnkit module: ``sfnkit.render`` and ``sfnkit.validate`` stay the functions.

    Importing a submodule sets it as an attribute of its package; two submodules share the name of the function
    they define (``sfnkit/render.py``, ``sfnkit/validate/``). Eager imports rebound the names after the submodules
    loaded; with lazy imports a submodule may load at any time, so the function is bound in its place then.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _HOMES.get(name) == value.__name__:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
