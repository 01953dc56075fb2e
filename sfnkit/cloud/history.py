"""An ``Execution`` (the type a local ``run()`` returns) built from AWS's ``DescribeExecution`` and
``GetExecutionHistory``, so that ``execution.path``, ``.states`` and ``.render()`` work on a real run too."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from sfnkit.execution import GENERIC, Execution

__all__ = ["execution_from_aws"]

Json = Any
_TEXT: Final = ("input", "output", "parameters")
_STATUS: Final = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


def _value(text: Any) -> Json:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _details(event: Mapping[str, Any]) -> dict[str, Any] | None:
    """The event's details with JSON text read back into values (the history re-spells them)."""
    for key, details in event.items():
        if key.endswith("EventDetails") and isinstance(details, Mapping):
            out: dict[str, Any] = {}
            for name, item in details.items():
                if name in _TEXT:
                    out[name] = _value(item)
                elif name == "assignedVariables" and isinstance(item, Mapping):
                    out[name] = {variable: _value(text) for variable, text in item.items()}
                elif not name.endswith("Details"):  # inputDetails & co. are written again from the values
                    out[name] = item
            return out
    return None


def execution_from_aws(described: Mapping[str, Any], events: Sequence[Mapping[str, Any]], machine: Any) -> Execution:
    """The run AWS reports (*described* from DescribeExecution, *events* from GetExecutionHistory) on *machine*."""
    trace = []
    for event in events:
        kind = str(event["type"])
        if kind.startswith("Execution"):  # the history's first and last events are rebuilt from the description
            continue
        trace.append((GENERIC, kind, 0, event["timestamp"].timestamp(), _details(event), None))
    status = described["status"]
    stop = described.get("stopDate") or described["startDate"]
    return Execution(
        status=status if status in _STATUS else "ABORTED",
        output=_value(described.get("output")),
        error=described.get("error"),
        cause=described.get("cause"),
        input=_value(described.get("input")),
        name=described.get("name", ""),
        arn=described.get("executionArn", ""),
        start_time=described["startDate"].timestamp(),
        stop_time=stop.timestamp(),
        role_arn=next(
            (e["executionStartedEventDetails"].get("roleArn", "") for e in events if e["type"] == "ExecutionStarted"),
            "",
        ),
        trace=tuple(trace),
        source=machine,
    )
