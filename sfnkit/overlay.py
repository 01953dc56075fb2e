"""Read an execution's history (GetExecutionHistory events) into what the diagram shows for each state.

``summarize(machine, history)`` replays the events once and says, per state: how often it ran, succeeded, failed
or had its error caught, how often it was retried, its Map iteration counts and its total (virtual) duration; and
which transitions were taken. It accepts AWS's event shape (``stateEnteredEventDetails: {"name": ...}``) and the
flattened one the conformance corpus records (``"name"`` at the top level).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

import attrs

from sfnkit.machine import StateMachine
from sfnkit.states import Fail

__all__ = ["END", "START", "RunOverlay", "StateRun", "Status", "summarize"]

Status = Literal["succeeded", "failed", "caught", "running", "not_run"]
START: Final = "Start"  # the key of the edge from the Start marker (``(START, start_at)`` in ``RunOverlay.taken``)
END: Final = "End"  # the key of the edge from an End state to the End marker

# Events that end one attempt of a state in failure (the state's Retry or Catch may still handle it).
_FAILURES: Final = frozenset(
    {
        "TaskFailed",
        "TaskTimedOut",
        "TaskStartFailed",
        "TaskSubmitFailed",
        "LambdaFunctionFailed",
        "LambdaFunctionTimedOut",
        "LambdaFunctionStartFailed",
        "LambdaFunctionScheduleFailed",
        "ActivityFailed",
        "ActivityTimedOut",
        "ActivityScheduleFailed",
        "MapStateFailed",
        "ParallelStateFailed",
        "EvaluationFailed",
    }
)
# Events that start one attempt: the second and later ones in a state's span are retries.
_ATTEMPTS: Final = frozenset(
    {"TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled", "MapStateStarted", "ParallelStateStarted"}
)
_EXECUTION_END: Final = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionTimedOut": "TIMED_OUT",
    "ExecutionAborted": "ABORTED",
}


@attrs.frozen(kw_only=True)
class StateRun:
    """What one state did during an execution, summed over every time it ran (a Map runs its states per item)."""

    entered: int = 0
    succeeded: int = 0
    failed: int = 0
    caught: int = 0
    retries: int = 0
    iterations_succeeded: int = 0
    iterations_failed: int = 0
    duration: float | None = None  # seconds, from the events' timestamps; None when they carry none
    error: str | None = None  # the last error the state raised

    @property
    def status(self) -> Status:
        """The state's colour: failed beats caught beats succeeded; entered but unfinished is running."""
        if self.failed:
            return "failed"
        if self.caught:
            return "caught"
        if self.succeeded:
            return "succeeded"
        return "running" if self.entered else "not_run"


@attrs.frozen(kw_only=True)
class RunOverlay:
    """An execution as the diagram draws it.

    ``states`` maps every state that was entered to its ``StateRun``; ``taken`` holds ``(state, edge key)`` for
    every transition followed (``Next``, ``Default``, ``Choices[0]``, ``Catch[1]``; ``(START, start_at)`` for the
    Start marker and ``(state, END)`` for the End marker). ``status`` is ``SUCCEEDED``, ``FAILED``... or ``None``
    while the history has no end event.
    """

    states: Mapping[str, StateRun]
    taken: frozenset[tuple[str, str]]
    status: str | None = None
    error: str | None = None
    cause: str | None = None
    duration: float | None = None

    def run(self, name: str) -> StateRun:
        """The ``StateRun`` of state *name* (all zeros if it never ran)."""
        return self.states.get(name, _NEVER)


_NEVER: Final = StateRun()


def _flatten(event: Any) -> dict[str, Any]:
    """An event as one flat dict: ``type``, ``id``, ``previousEventId``, ``timestamp`` and its details' fields."""
    if not isinstance(event, Mapping):
        event = attrs.asdict(event) if attrs.has(type(event)) else vars(event)
    flat = {key: value for key, value in event.items() if not key.endswith("EventDetails")}
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, Mapping):
            for inner, detail in value.items():
                flat.setdefault(inner, detail)
    return flat


def _hashable(value: Any) -> Any:
    """An event id usable as a dict key (recorded histories may hold odd ids, such as a list)."""
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _seconds(timestamp: Any) -> float | None:
    match timestamp:
        case dt.datetime():
            return timestamp.timestamp()
        case bool():
            return None
        case int() | float():
            return float(timestamp)
        case str():
            try:
                return dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()
            except ValueError:
                return None
        case _:
            return None


@attrs.define
class _Span:
    """One stay in a state, from its Entered event to its Exited event."""

    name: str
    start: float | None
    attempts: int = 0
    failing: bool = False
    error: str | None = None
    failed_at: float | None = None


@attrs.define
class _Tally:
    entered: int = 0
    succeeded: int = 0
    failed: int = 0
    caught: int = 0
    retries: int = 0
    iterations_succeeded: int = 0
    iterations_failed: int = 0
    duration: float | None = None
    error: str | None = None

    def add_time(self, start: float | None, end: float | None) -> None:
        if start is not None and end is not None:
            # Rounded to the microsecond: datetime.timestamp() adds float noise (0.29999995 for 0.3).
            self.duration = round((self.duration or 0.0) + max(0.0, end - start), 6)


def _owners(machine: StateMachine) -> dict[str, StateMachine]:
    return {name: owner for name, _state, owner in machine.walk()}


def _edge_key(owner: StateMachine, source: str, target: str, *, caught: bool) -> str | None:
    """The key of the transition from *source* to *target*: a Catch edge after a caught error, else the first other."""
    for transition, to in owner.transitions(source):
        if to == target and (transition.kind == "Catch") == caught:
            return transition.key
    return None


def summarize(machine: StateMachine, history: Iterable[Any], status: str | None = None) -> RunOverlay:
    """Replay *history* (GetExecutionHistory events, oldest first) over *machine*.

    *status* (the execution's final status) fills in when the history has no ``Execution*`` end event.
    """
    owners = _owners(machine)
    tallies: dict[str, _Tally] = {}
    open_spans: dict[str, list[_Span]] = {}
    owner_of_event: dict[Any, str] = {}
    exited_spans: dict[Any, _Span] = {}
    taken: set[tuple[str, str]] = set()
    entered_order: list[str] = []
    last_exit: tuple[Any, _Span] | None = None
    first_time: float | None = None
    last_time: float | None = None
    error: str | None = None
    cause: str | None = None
    final = status
    last_error: str | None = None

    def tally(name: str) -> _Tally:
        return tallies.setdefault(name, _Tally())

    def innermost_open(state_type: str | None = None) -> _Span | None:
        for name in reversed(entered_order):
            if open_spans.get(name) and (state_type is None or _type_of(owners, name) == state_type):
                return open_spans[name][-1]
        return None

    def span_of(event: dict[str, Any], kind: str) -> _Span | None:
        # MapStateFailed follows the failed iteration's last event, not the Map's own: find Map/Parallel
        # events' state by type.
        for state_type in ("Map", "Parallel"):
            if kind.startswith(f"{state_type}State"):
                return innermost_open(state_type)
        name = owner_of_event.get(_hashable(event.get("previousEventId")))
        if name is not None and open_spans.get(name):
            return open_spans[name][-1]
        return innermost_open()

    for raw in history:
        event = _flatten(raw)
        kind = str(event.get("type", ""))
        event_id = _hashable(event.get("id"))
        time = _seconds(event.get("timestamp"))
        if time is not None:
            first_time = time if first_time is None else first_time
            last_time = time
        name = event.get("name") if isinstance(event.get("name"), str) else None

        if kind.endswith("StateEntered") and name is not None:
            span = _Span(name=name, start=time)
            open_spans.setdefault(name, []).append(span)
            entered_order.append(name)
            tally(name).entered += 1
            owner_of_event[event_id] = name
            # Which transition led here: from the Exited event this one follows (by previousEventId when the
            # history links events, else the latest exit), if the machine has such an edge.
            previous = _hashable(event.get("previousEventId"))
            source = exited_spans.get(previous) if previous in exited_spans else None
            if source is None and previous is None and last_exit is not None:
                source = last_exit[1]
            owner = owners.get(name)
            if source is not None and owner is not None and source.name in owner.states:
                key = _edge_key(owner, source.name, name, caught=source.failing)
                if key is not None:
                    taken.add((source.name, key))
            if name == machine.start_at:
                taken.add((START, name))
            if kind == "FailStateEntered":  # ASL: a Fail state has no Exited event; reaching it is failing
                span.failing = True
                span.failed_at = time
                span.error = _fail_error(owners, name)
                last_error = span.error or last_error
        elif kind.endswith("StateExited") and name is not None:
            spans = open_spans.get(name)
            span = spans.pop() if spans else _Span(name=name, start=None)
            entry = tally(name)
            if span.failing:
                entry.caught += 1
            else:
                entry.succeeded += 1
            entry.add_time(span.start, time)
            owner_of_event[event_id] = name
            exited_spans[event_id] = span
            last_exit = (event_id, span)
            owner = owners.get(name)
            if (
                owner is not None
                and not span.failing
                and not any(t.kind != "Catch" for t, _ in owner.transitions(name))
            ):
                taken.add((name, END))
        elif kind in _ATTEMPTS or kind in _FAILURES:
            current = span_of(event, kind)
            if current is not None:
                owner_of_event[event_id] = current.name
                if kind in _ATTEMPTS:
                    current.attempts += 1
                    if current.attempts > 1:
                        tally(current.name).retries += 1
                    current.failing = False
                else:
                    current.failing = True
                    current.failed_at = time
                    # MapStateFailed/ParallelStateFailed carry no error: it is the one that failed the iteration.
                    raised = event.get("error")
                    current.error = raised if isinstance(raised, str) else last_error or current.error
                    last_error = current.error
                    tally(current.name).error = current.error
        elif kind in ("MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted") and name is not None:
            entry = tally(name)
            if kind == "MapIterationSucceeded":
                entry.iterations_succeeded += 1
            else:
                entry.iterations_failed += 1
            owner_of_event[event_id] = name
        elif kind in _EXECUTION_END:
            final = _EXECUTION_END[kind]
            error = event.get("error") if isinstance(event.get("error"), str) else None
            cause = event.get("cause") if isinstance(event.get("cause"), str) else None
        else:
            current = span_of(event, kind)
            if current is not None and event_id is not None:
                owner_of_event[event_id] = current.name

    _close_open_spans(owners, open_spans, entered_order, tallies, final, error, last_time)
    duration = None if first_time is None or last_time is None else round(last_time - first_time, 6)
    runs = {name: StateRun(**attrs.asdict(entry)) for name, entry in tallies.items()}
    return RunOverlay(states=runs, taken=frozenset(taken), status=final, error=error, cause=cause, duration=duration)


def _close_open_spans(
    owners: Mapping[str, StateMachine],
    open_spans: Mapping[str, list[_Span]],
    entered_order: list[str],
    tallies: dict[str, _Tally],
    final: str | None,
    error: str | None,
    end: float | None,
) -> None:
    """States still open when the history ends failed if they raised (or are Fail states); else they were running."""
    blamed = False
    for name in reversed(entered_order):
        for span in open_spans.get(name, ()):
            entry = tallies[name]
            entry.add_time(span.start, span.failed_at if span.failing and span.failed_at is not None else end)
            if span.failing:
                entry.failed += 1
                entry.error = entry.error or span.error or _fail_error(owners, name)
                blamed = True
        if name in open_spans:
            open_spans[name].clear()
    if final == "FAILED" and not blamed:
        # ASL: a runtime error (States.Runtime, a bad path) fails the execution straight from XStateEntered,
        # with no failure event of the state's own: blame the state that was entered last.
        for name in reversed(entered_order):
            entry = tallies[name]
            if entry.entered > entry.succeeded + entry.caught + entry.failed:
                entry.failed += 1
                entry.error = entry.error or error
                break


def _type_of(owners: Mapping[str, StateMachine], name: str) -> str | None:
    owner = owners.get(name)
    state = None if owner is None else owner.states.get(name)
    return None if state is None else state.type


def _fail_error(owners: Mapping[str, StateMachine], name: str) -> str | None:
    owner = owners.get(name)
    state = None if owner is None else owner.states.get(name)
    return state.error if isinstance(state, Fail) and isinstance(state.error, str) else None
