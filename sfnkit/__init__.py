"""sfnkit: write AWS Step Functions in Python; run them locally exactly as AWS does; export, draw, deploy."""

from sfnkit.asl.codec import from_asl
from sfnkit.errors import (
    AslError,
    ConditionError,
    DefinitionError,
    DeployError,
    ExecutionFailed,
    Problem,
    RenderError,
    SfnkitError,
    ValidationError,
)
from sfnkit.machine import StateMachine, Transition

__all__ = [
    "AslError",
    "ConditionError",
    "DefinitionError",
    "DeployError",
    "ExecutionFailed",
    "Problem",
    "RenderError",
    "SfnkitError",
    "StateMachine",
    "Transition",
    "ValidationError",
    "from_asl",
]
