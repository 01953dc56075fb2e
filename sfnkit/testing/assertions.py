"""Assertions on an execution — the path it took, the calls it made, its output — whose failure messages show
the path taken and a diff of expected against actual."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from sfnkit.asl.scope import Json
from sfnkit.execution import Execution
from sfnkit.states import Task

__all__ = [
    "Call",
    "WorkflowRun",
    "assert_calls",
    "assert_failed",
    "assert_output",
    "assert_path",
    "assert_succeeded",
    "calls",
]

_UNSET: Any = object()


@attrs.frozen
class Call:
    """A Task's call: its resource and evaluated parameters (what the service received), and the state making it.

    ``state=None`` in an expected call means "any state".
    """

    resource: str
    parameters: Json = None
    state: str | None = None

    def describe(self) -> str:
        where = f"{self.state}: " if self.state is not None else ""
        return f"{where}{self.resource} {json.dumps(self.parameters, sort_keys=True)}"


def _scheduled(event: Mapping[str, Any]) -> tuple[str, Json] | None:
    """(resource, parameters) of a TaskScheduled or LambdaFunctionScheduled event."""
    match event.get("type"):
        case "TaskScheduled":
            details = event["taskScheduledEventDetails"]
            resource = f"arn:aws:states:::{details['resourceType']}:{details['resource']}"
            return resource, json.loads(details.get("parameters") or "null")
        case "LambdaFunctionScheduled":
            details = event["lambdaFunctionScheduledEventDetails"]
            return details["resource"], json.loads(details.get("input") or "null")
        case _:
            return None


def calls(execution: Execution) -> tuple[Call, ...]:
    """Every Task call of *execution* in the order made (retries each count), mocked or not, from its history."""
    events = {event["id"]: event for event in execution.history}
    machine = execution.machine
    resources = {} if machine is None else {n: s.resource for n, s, _ in machine.walk() if isinstance(s, Task)}
    found: list[Call] = []
    for event in execution.history:
        scheduled = _scheduled(event)
        if scheduled is None:
            continue
        resource, parameters = scheduled
        state = None
        previous = events.get(event["previousEventId"])
        while previous is not None:  # back along this thread of control to the state that was entered
            if previous["type"].endswith("StateEntered"):
                state = previous["stateEnteredEventDetails"]["name"]
                break
            previous = events.get(previous["previousEventId"])
        found.append(Call(resources.get(state or "", resource), parameters, state))
    return tuple(found)


def _pretty(value: Json) -> list[str]:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).splitlines()


def _diff(expected: list[str], actual: list[str]) -> str:
    return "\n".join(difflib.unified_diff(expected, actual, "expected", "actual", lineterm=""))


def describe(execution: Execution) -> str:
    """The path taken and how the execution ended, for failure messages."""
    ending: str = execution.status
    if execution.error is not None or execution.cause is not None:
        ending += f" ({execution.error}: {execution.cause})"
    path = " -> ".join(execution.path) or "(no state entered)"
    return f"path taken: {path}\nstatus:     {ending}"


def assert_path(execution: Execution, expected: Iterable[str]) -> None:
    """The states entered, in order, are exactly *expected* (branches and Map iterations included)."""
    __tracebackhide__ = True
    wanted = tuple(expected)
    if execution.path != wanted:
        raise AssertionError(
            f"the execution took another path\n{describe(execution)}\n{_diff(list(wanted), list(execution.path))}"
        )


def assert_output(execution: Execution, expected: Json) -> None:
    """The execution succeeded with output *expected*."""
    __tracebackhide__ = True
    if execution.status != "SUCCEEDED":
        raise AssertionError(f"the execution did not succeed, so it has no output\n{describe(execution)}")
    if execution.output != expected:
        raise AssertionError(
            f"the output differs\n{describe(execution)}\n{_diff(_pretty(expected), _pretty(execution.output))}"
        )


def _matches(expected: Call, actual: Call) -> bool:
    return (
        expected.resource == actual.resource
        and expected.parameters == actual.parameters
        and expected.state in (None, actual.state)
    )


def assert_calls(execution: Execution, expected: Sequence[Call]) -> None:
    """The Task calls made are exactly *expected*, in order (resource and evaluated parameters; state if given)."""
    __tracebackhide__ = True
    made = calls(execution)
    if len(made) == len(expected) and all(_matches(e, a) for e, a in zip(expected, made, strict=True)):
        return
    shown = [a if e.state is not None else attrs.evolve(a, state=None) for e, a in zip(expected, made, strict=False)]
    shown += made[len(expected) :]
    raise AssertionError(
        f"the calls differ\n{describe(execution)}\n"
        + _diff([c.describe() for c in expected], [c.describe() for c in shown])
    )


def assert_succeeded(execution: Execution) -> None:
    """The execution succeeded."""
    __tracebackhide__ = True
    if execution.status != "SUCCEEDED":
        raise AssertionError(f"the execution did not succeed\n{describe(execution)}")


def assert_failed(execution: Execution, error: str | None = None, cause: str | None = _UNSET) -> None:
    """The execution failed, with *error* (and *cause*) if given."""
    __tracebackhide__ = True
    if execution.status != "FAILED":
        raise AssertionError(f"the execution did not fail\n{describe(execution)}")
    if error is not None and execution.error != error:
        raise AssertionError(f"the execution failed with {execution.error!r}, not {error!r}\n{describe(execution)}")
    if cause is not _UNSET and execution.cause != cause:
        raise AssertionError(f"the cause differs\n{describe(execution)}\n{_diff([str(cause)], [str(execution.cause)])}")


@attrs.frozen
class WorkflowRun:
    """An execution with assertions that explain themselves; every assertion returns the run, to chain them."""

    execution: Execution

    @property
    def path(self) -> tuple[str, ...]:
        return self.execution.path

    @property
    def output(self) -> Json:
        return self.execution.output

    @property
    def status(self) -> str:
        return self.execution.status

    @property
    def calls(self) -> tuple[Call, ...]:
        """The Task calls made, in order: resource, evaluated parameters, state."""
        return calls(self.execution)

    def assert_path(self, *states: str) -> WorkflowRun:
        """The states entered were exactly *states*, in order."""
        __tracebackhide__ = True
        assert_path(self.execution, states)
        return self

    def assert_output(self, expected: Json) -> WorkflowRun:
        """The execution succeeded with output *expected*."""
        __tracebackhide__ = True
        assert_output(self.execution, expected)
        return self

    def assert_calls(self, *expected: Call | tuple[str, Json] | tuple[str, Json, str]) -> WorkflowRun:
        """The Task calls were exactly *expected*: ``Call``s or ``(resource, parameters[, state])`` tuples."""
        __tracebackhide__ = True
        assert_calls(self.execution, [c if isinstance(c, Call) else Call(*c) for c in expected])
        return self

    def assert_succeeded(self) -> WorkflowRun:
        __tracebackhide__ = True
        assert_succeeded(self.execution)
        return self

    def assert_failed(self, error: str | None = None, cause: str | None = _UNSET) -> WorkflowRun:
        """The execution failed (with *error*, and *cause* if given)."""
        __tracebackhide__ = True
        assert_failed(self.execution, error, cause)
        return self
