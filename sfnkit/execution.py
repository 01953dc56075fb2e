"""The result of ``run()``: status, output or error, and the history AWS would show for the same execution.

The interpreter records a compact trace while it runs (tuples, no JSON text); ``Execution.history``,
``Execution.path`` and ``Execution.states`` are built from it on first use, so an execution nobody inspects
costs no more than its trace.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from sfnkit.asl.failures import RUNTIME
from sfnkit.asl.quotas import HISTORY_LIMIT_CAUSE, MAX_HISTORY_EVENTS
from sfnkit.asl.scope import Json
from sfnkit.errors import ExecutionFailed
from sfnkit.lambdas import json_copy

if TYPE_CHECKING:
    from sfnkit.machine import StateMachine

__all__ = [
    "FUSED",
    "GENERIC",
    "ITERATION",
    "Execution",
    "StateVisit",
    "Status",
    "build_history",
    "to_json_text",
]

Status = Literal["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]

# Trace record tags (the first item of each tuple the interpreter appends):
#   (FUSED, name, type_prefix, chain, t_in, input, t_out, output, assigned)  a state entered and exited in one go
#   (GENERIC, type, chain, t, details, spawn)  any other event; ``spawn`` names a chain (branch/iteration) it starts
#   (ITERATION, path, chain, iteration chain, t, index, previous iteration, values...)  a whole inline Map iteration
#       run by a fused Map loop (``sfnkit.engine.fused_map``), all at one instant: ``expand`` spells it out
FUSED: Final = 0
GENERIC: Final = 1
ITERATION: Final = 2


def expand(trace: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """The trace with each ITERATION record as the records the general path writes for that iteration: its
    MapIterationStarted, a FUSED record per state on its path, its MapIterationSucceeded."""
    for record in trace:
        if record[0] != ITERATION:
            yield record
            continue
        (map_name, states), chain, child, t, index, previous = record[1:7]
        values = record[7:]
        details = (map_name, index)
        yield (GENERIC, "MapIterationStarted", chain, t, details, ("iter", child, previous))
        for name, kind, given, made in states:
            yield (FUSED, name, kind, child, t, values[given], t, values[made], None)
        yield (GENERIC, "MapIterationSucceeded", child, t, details, ("end", chain))


_JSON_TEXT_FIELDS: Final = ("input", "output", "parameters")
_TERMINAL_TYPES: Final = {
    "SUCCEEDED": "ExecutionSucceeded",
    "FAILED": "ExecutionFailed",
    "TIMED_OUT": "ExecutionTimedOut",
    "ABORTED": "ExecutionAborted",
}


def to_json_text(value: Json) -> str:
    """Compact JSON text, as AWS writes payloads into the history.

    >>> to_json_text({"a": [1, "é"]})
    '{"a":[1,"é"]}'
    """
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _details_key(event_type: str) -> str:
    if event_type.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if event_type.endswith("StateExited"):
        return "stateExitedEventDetails"
    return event_type[0].lower() + event_type[1:] + "EventDetails"


def _render_details(details: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in details.items():
        if callable(value):  # a value the interpreter left to be spelt out on first use (a Lambda error's cause)
            value = value()
        if key in _JSON_TEXT_FIELDS:
            out[key] = to_json_text(value)
            if key != "parameters":
                out[key + "Details"] = {"truncated": False}
        elif key == "assignedVariables":
            out[key] = {name: to_json_text(v) for name, v in value.items()}
            out["assignedVariablesDetails"] = {"truncated": False}
        else:
            out[key] = value
    return out


_FlatEvent = tuple[float, int, str, int, dict[str, Any] | None, Any]
# A history cut at AWS's quota keeps the trace's first 24,998 events (after ExecutionStarted, before ExecutionFailed).
_KEPT_EVENTS: Final = MAX_HISTORY_EVENTS - 2


def _history_cut(error: str | None, cause: str | None) -> bool:
    """Whether the execution failed at AWS's history quota (its history is cut at event 24,999)."""
    return error == RUNTIME and cause == HISTORY_LIMIT_CAUSE


def _flat_events(trace: Sequence[tuple[Any, ...]]) -> list[_FlatEvent]:
    """The trace as one tuple per history event, ``(time, seq, type, chain, details, spawn)``, in history order:
    by time, ties in the order they happened (``seq`` counts events, a fused record being two)."""
    flat: list[_FlatEvent] = []
    seq = 0
    for record in expand(trace):
        if record[0] == FUSED:
            _, name, prefix, chain, t_in, inp, t_out, out, assigned = record
            flat.append((t_in, seq, f"{prefix}StateEntered", chain, {"name": name, "input": inp}, None))
            exited: dict[str, Any] = {"name": name, "output": out}
            if assigned:
                exited["assignedVariables"] = assigned
            flat.append((t_out, seq + 1, f"{prefix}StateExited", chain, exited, None))
            seq += 2
        else:
            _, event_type, chain, t, details, spawn = record
            flat.append((t, seq, event_type, chain, details, spawn))
            seq += 1
    flat.sort(key=lambda item: (item[0], item[1]))
    return flat


def build_history(
    trace: Sequence[tuple[Any, ...]],
    *,
    start_time: float,
    input: Json,
    role_arn: str,
    status: Status,
    output: Json,
    error: str | None,
    cause: str | None,
    stop_time: float,
) -> list[dict[str, Any]]:
    """GetExecutionHistory-shaped events (oldest first) from an interpreter trace.

    Events are ordered by time (ties keep the order they happened in); ``previousEventId`` points at the previous
    event of the same thread of control (the execution, a Parallel branch, a Map iteration).
    """
    flat = _flat_events(trace)
    cut = _history_cut(error, cause)
    if cut:  # AWS keeps events 1 to 24,999 as they happened; event 25,000 is the ExecutionFailed
        del flat[_KEPT_EVENTS:]

    def stamp(t: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(t, tz=dt.UTC)

    events: list[dict[str, Any]] = [
        {
            "id": 1,
            "previousEventId": 0,
            "timestamp": stamp(start_time),
            "type": "ExecutionStarted",
            "executionStartedEventDetails": _render_details({"input": input}) | {"roleArn": role_arn},
        }
    ]
    last: dict[int, int] = {0: 0}
    for t, _, event_type, chain, details, spawn in flat:
        event_id = len(events) + 1
        hint = spawn[0] if isinstance(spawn, tuple) and spawn and isinstance(spawn[0], str) else None
        previous = last.get(chain, 0)
        advance = True
        if hint == "iter" and spawn[2] is not None:  # the next sequential iteration follows the last one's work
            previous = last.get(spawn[2], previous)
        elif hint == "evaluation" and previous:  # AWS-observed: EvaluationFailed follows what preceded the state
            previous = events[previous - 1]["previousEventId"]
        elif hint == "end":  # the iteration's last work stays its last event
            advance = False
        elif hint == "closing":  # AWS-observed: Map/ParallelStateSucceeded stays beside the flow
            advance = False
        event: dict[str, Any] = {
            "id": event_id,
            "previousEventId": previous,
            "timestamp": stamp(t),
            "type": event_type,
        }
        if details:
            if isinstance(details, tuple):  # a Map iteration's (state name, index)
                event[_details_key(event_type)] = {"name": details[0], "index": details[1]}
            else:
                event[_details_key(event_type)] = _render_details(details)
        events.append(event)
        if advance:
            last[chain] = event_id
        if hint == "iter":
            last[spawn[1]] = event_id
        elif hint == "end":  # an iteration ended: its parent continues from the iteration's last work
            last[spawn[1]] = event_id if event_type == "MapIterationSucceeded" else previous
        elif spawn is not None and hint is None:
            for child in spawn if isinstance(spawn, tuple) else (spawn,):
                last[child] = event_id
    final_type = _TERMINAL_TYPES[status]
    final: dict[str, Any] = {
        "id": len(events) + 1,
        "previousEventId": len(events) if cut else last.get(0, 0),
        "timestamp": stamp(stop_time),
        "type": final_type,
    }
    if status == "SUCCEEDED":
        final["executionSucceededEventDetails"] = _render_details({"output": output})
    else:
        ending = {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}
        final[_details_key(final_type)] = ending
    events.append(final)
    return events


@attrs.frozen(kw_only=True)
class StateVisit:
    """One state entered during an execution: its name, raw input and final output (``None`` if it never exited)."""

    name: str
    input: Json
    output: Json = None
    exited: bool = False
    entered_at: dt.datetime | None = None
    exited_at: dt.datetime | None = None


@attrs.frozen(kw_only=True, slots=False, repr=False)
class Execution:
    """What ``run()`` returns: how the execution ended and everything AWS would show about it.

    ``status`` is ``SUCCEEDED``, ``FAILED``, ``TIMED_OUT`` or ``ABORTED``; ``output`` is the JSON value of a
    succeeded execution; ``error``/``cause`` say why one failed. ``history`` has the events GetExecutionHistory
    would return, ``path`` the state names in the order they were entered (branches and iterations included),
    ``states`` each state's input and output.

    ``input``, ``output`` and ``states`` are snapshots: changing them changes neither the history nor the caller's
    data (each is copied from the run's record on first use).
    """

    status: Status
    # The run's own input and output (its trace shares them), read through the ``input``/``output`` copies.
    recorded_output: Json = attrs.field(default=None, alias="output")
    error: str | None = None
    cause: str | None = None
    recorded_input: Json = attrs.field(default=None, alias="input")
    name: str = ""
    arn: str = ""
    start_time: float = 0.0
    stop_time: float = 0.0
    role_arn: str = ""
    trace: Sequence[tuple[Any, ...]] = attrs.field(default=(), repr=False, eq=False)
    # What run() was given: a StateMachine, an ASL dict or ASL JSON text (see ``machine``).
    source: Any = attrs.field(default=None, repr=False, eq=False)
    advice: tuple[str, ...] = attrs.field(default=(), eq=False)
    """sfnkit's hints beside AWS's error and cause, e.g. how to bind a Lambda function that was not found."""

    @functools.cached_property
    def output(self) -> Json:
        """The JSON value of a succeeded execution (``None`` otherwise): a copy, yours to change."""
        return json_copy(self.recorded_output)

    @functools.cached_property
    def input(self) -> Json:
        """The execution's input as the run saw it: a copy, yours to change."""
        return json_copy(self.recorded_input)

    def __repr__(self) -> str:
        shown = [
            ("status", self.status),
            ("output", self.recorded_output),
            ("error", self.error),
            ("cause", self.cause),
            ("input", self.recorded_input),
            ("name", self.name),
            ("arn", self.arn),
            ("start_time", self.start_time),
            ("stop_time", self.stop_time),
            ("role_arn", self.role_arn),
        ]
        if self.advice:
            shown.append(("advice", self.advice))
        return "Execution(" + ", ".join(f"{key}={value!r}" for key, value in shown) + ")"

    @functools.cached_property
    def machine(self) -> StateMachine | None:
        """The state machine that ran (read from its definition when run() was given ASL rather than a machine)."""
        from sfnkit.machine import StateMachine

        if self.source is None or isinstance(self.source, StateMachine):
            return self.source
        from sfnkit.asl.codec import from_asl

        return from_asl(self.source, validate=False)

    def render(self, **options: Any) -> Any:
        """The run drawn on its machine (``sfnkit.render(machine, execution=self, **options)``)."""
        from sfnkit.render import render

        if self.machine is None:
            raise TypeError("this execution does not know its machine: draw it with render(machine, execution=...)")
        return render(self.machine, execution=self, **options)

    @property
    def succeeded(self) -> bool:
        """True when the status is ``SUCCEEDED``."""
        return self.status == "SUCCEEDED"

    @property
    def started_at(self) -> dt.datetime:
        """When the execution started (UTC; virtual time on the virtual clock)."""
        return dt.datetime.fromtimestamp(self.start_time, tz=dt.UTC)

    @property
    def stopped_at(self) -> dt.datetime:
        """When the execution ended (UTC; virtual time on the virtual clock)."""
        return dt.datetime.fromtimestamp(self.stop_time, tz=dt.UTC)

    @property
    def duration(self) -> float:
        """Seconds from start to end (virtual seconds on the virtual clock)."""
        return self.stop_time - self.start_time

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Jupyter's display: the run drawn on its machine, with the repr as text (``sfnkit.render.mimebundle``)."""
        from sfnkit.render import mimebundle

        return mimebundle(self, include, exclude)

    def raise_for_status(self) -> Execution:
        """Return this execution if it succeeded, else raise ``ExecutionFailed`` carrying error and cause."""
        if self.status != "SUCCEEDED":
            raise ExecutionFailed(self)
        return self

    @functools.cached_property
    def history(self) -> list[dict[str, Any]]:
        """The execution's events, shaped like ``GetExecutionHistory``'s (``id``, ``previousEventId``,
        ``timestamp``, ``type``, and ``<type>EventDetails`` with JSON text for inputs and outputs)."""
        return build_history(
            self.trace,
            start_time=self.start_time,
            input=self.recorded_input,
            role_arn=self.role_arn,
            status=self.status,
            output=self.recorded_output,
            error=self.error,
            cause=self.cause,
            stop_time=self.stop_time,
        )

    @functools.cached_property
    def states(self) -> tuple[StateVisit, ...]:
        """Every state entered, in the order entered, with its input and output (copies: changing them changes
        nothing else)."""

        def stamp(t: float | None) -> dt.datetime | None:
            return None if t is None else dt.datetime.fromtimestamp(t, tz=dt.UTC)

        return tuple(
            StateVisit(
                name=v["name"],
                input=json_copy(v["input"]),
                output=json_copy(v.get("output")),
                exited=v.get("exited", False),
                entered_at=stamp(v["t_in"]),
                exited_at=stamp(v.get("t_out")),
            )
            for v in self._visits
        )

    @functools.cached_property
    def _visits(self) -> list[dict[str, Any]]:
        """The states entered, in order, as the trace recorded them (shared with it: never handed out). A history
        cut at AWS's quota cuts them too: only what its events 2 to 24,999 show."""
        last: tuple[float, int] | None = None  # the (time, seq) of the last event kept, when the history is cut
        if _history_cut(self.error, self.cause):
            flat = _flat_events(self.trace)
            if len(flat) > _KEPT_EVENTS:
                last = flat[_KEPT_EVENTS - 1][:2]
        opened: list[tuple[float, int, dict[str, Any]]] = []
        pending: dict[tuple[int, str], dict[str, Any]] = {}
        seq = -1  # counted as _flat_events counts, so that (time, seq) compares with ``last``
        for record in expand(self.trace):
            seq += 1
            if record[0] == FUSED:
                _, name, _prefix, _chain, t_in, inp, t_out, out, _assigned = record
                entered, seq = seq, seq + 1  # two events: entered, then exited
                if last is not None and (t_in, entered) > last:
                    continue
                visit = {"name": name, "input": inp, "t_in": t_in}
                if last is None or (t_out, seq) <= last:
                    visit.update(output=out, exited=True, t_out=t_out)
                opened.append((t_in, entered, visit))
                continue
            _, event_type, chain, t, details, _spawn = record
            if last is not None and (t, seq) > last:
                continue
            if event_type.endswith("StateEntered"):
                visit = {"name": details["name"], "input": details["input"], "t_in": t}
                pending[(chain, details["name"])] = visit
                opened.append((t, seq, visit))
            elif event_type.endswith("StateExited"):
                visit = pending.pop((chain, details["name"]), {})
                visit.update(output=details["output"], exited=True, t_out=t)
        opened.sort(key=lambda item: (item[0], item[1]))
        return [v for _, _, v in opened]

    @property
    def path(self) -> tuple[str, ...]:
        """The names of the states entered, in order (a state entered twice appears twice)."""
        return tuple(visit["name"] for visit in self._visits)

    def state(self, name: str) -> StateVisit:
        """The last visit of state *name* (raises ``KeyError`` naming the states entered if it never ran)."""
        for visit in reversed(self.states):
            if visit.name == name:
                return visit
        raise KeyError(f"state {name!r} was not entered; the path was {list(self.path)}")
