"""sfnkit: write AWS Step Functions in Python; run them locally exactly as AWS does; export, draw, deploy."""

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

__all__ = [
    "AslError",
    "ConditionError",
    "DefinitionError",
    "DeployError",
    "ExecutionFailed",
    "Problem",
    "RenderError",
    "SfnkitError",
    "ValidationError",
]
