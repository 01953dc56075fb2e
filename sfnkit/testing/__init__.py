"""Testing workflows: per-state Task mocks (also read from Step Functions Local's ``MockConfigFile``), assertions
on an execution's path, calls and output, and workflow coverage; ``sfnkit.testing.plugin`` is the pytest plugin."""

from sfnkit.engine.mocks import TaskCall
from sfnkit.testing.assertions import (
    Call,
    WorkflowRun,
    assert_calls,
    assert_failed,
    assert_output,
    assert_path,
    assert_succeeded,
    calls,
)
from sfnkit.testing.config import MockConfig, TestCase
from sfnkit.testing.coverage import Arc, Coverage, CoverageReport, WorkflowCoverage
from sfnkit.testing.mocks import MockedResponse, PerIteration, Return, Throw, per_iteration, sequence

__all__ = [
    "Arc",
    "Call",
    "Coverage",
    "CoverageReport",
    "MockConfig",
    "MockedResponse",
    "PerIteration",
    "Return",
    "TaskCall",
    "TestCase",
    "Throw",
    "WorkflowCoverage",
    "WorkflowRun",
    "assert_calls",
    "assert_failed",
    "assert_output",
    "assert_path",
    "assert_succeeded",
    "calls",
    "per_iteration",
    "sequence",
]
