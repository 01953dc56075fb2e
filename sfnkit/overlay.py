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

Status = Literal["succeeded", "failed", "caught", "aborted", "running", "not_run"]
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
    aborted: int = 0  # stopped because a sibling branch or iteration failed (ASL: Parallel and Map stop the rest)
    retries: int = 0
    iterations_succeeded: int = 0
    iterations_failed: int = 0
    iterations_aborted: int = 0
    duration: float | None = None  # seconds, from the events' timestamps; None when they carry none
    error: str | None = None  # the last error the state raised

    @property
    def status(self) -> Status:
        """The state's colour: failed beats caught beats succeeded beats aborted; entered, unfinished is running."""
        if self.failed:
            return "failed"
        if self.caught:
            return "caught"
        if self.succeeded:
            return "succeeded"
        if self.aborted:
            return "aborted"
        return "running" if self.entered else "not_run"


@attrs.frozen(kw_only=True)
class RunOverlay:
    """An execution as the diagram draws it.

    ``states`` maps every state that was entered to its ``StateRun``; ``taken`` holds ``(state, edge key)`` for
    every transition followed (``Next``, ``Default``, ``Choices[0]``, ``Catch[1]``; ``(START, start_at)`` for the
    Start marker and ``(state, END)`` for the End marker). ``status`` is ``SUCCEEDED``, ``FAILED``... or ``None``
    while the history has no end event. ``coverage`` makes it a coverage picture of many executions
    (``sfnkit.testing``): it is the caption, and transitions not taken are drawn dashed.
    """

    states: Mapping[str, StateRun]
    taken: frozenset[tuple[str, str]]
    status: str | None = None
    error: str | None = None
    cause: str | None = None
    duration: float | None = None
    coverage: str | None = None

    def run(self, name: str) -> StateRun:
        """The ``StateRun`` of state *name* (all zeros if it never ran)."""
        return self.states.get(name, _NEVER)


_NEVER: Final = StateRun()


def _as_mapping(event: Any) -> Mapping[str, Any]:
    if isinstance(event, Mapping):
        return event
    return attrs.asdict(event) if attrs.has(type(event)) else vars(event)


def _details(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``<type>EventDetails`` of an AWS event; the event itself when its details sit at the top (the corpus)."""
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, Mapping):
            return value
    return event


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


@attrs.define(eq=False)
class _Span:
    """One stay in a state, from its Entered event to its Exited event (or to the end of the history)."""

    name: str
    state_type: str | None
    start: float | None
    attempts: int = 0
    failing: bool = False
    error: str | None = None
    failed_at: float | None = None
    closed: bool = False


@attrs.define
class _Tally:
    entered: int = 0
    succeeded: int = 0
    failed: int = 0
    caught: int = 0
    aborted: int = 0
    retries: int = 0
    iterations_succeeded: int = 0
    iterations_failed: int = 0
    iterations_aborted: int = 0
    duration: float | None = None
    error: str | None = None

    def add_time(self, start: float | None, end: float | None) -> None:
        if start is not None and end is not None:
            # Rounded to the microsecond: datetime.timestamp() adds float noise (0.29999995 for 0.3).
            self.duration = round((self.duration or 0.0) + max(0.0, end - start), 6)


def _edge_key(owner: StateMachine, source: str, target: str, *, caught: bool) -> str | None:
    """The key of the transition from *source* to *target*: a Catch edge after a caught error, else the first other."""
    for transition, to in owner.transitions(source):
        if to == target and (transition.kind == "Catch") == caught:
            return transition.key
    return None


def _text(event: Mapping[str, Any], key: str) -> str | None:
    value = event.get(key)
    return value if isinstance(value, str) else None


@attrs.define
class _Replay:
    """The walk over one history.

    Events of concurrent Parallel branches and Map iterations interleave, so each event is tied to its state's
    span through ``previousEventId`` (which AWS points at the previous event of the same branch or iteration);
    histories without those links fall back to the latest open span of the right name or type.
    """

    machine: StateMachine
    owners: dict[str, StateMachine]
    tallies: dict[str, _Tally] = attrs.field(factory=dict)
    open: list[_Span] = attrs.field(factory=list)  # spans not yet exited, in the order entered
    span_of_event: dict[Any, _Span] = attrs.field(factory=dict)
    exits: dict[Any, _Span] = attrs.field(factory=dict)  # Exited event id -> the span it closed
    last_exit: _Span | None = None
    iteration_errors: dict[str, str] = attrs.field(factory=dict)  # Map name -> error of its failed iteration
    taken: set[tuple[str, str]] = attrs.field(factory=set)
    last_error: str | None = None
    first_time: float | None = None
    last_time: float | None = None
    status: str | None = None
    error: str | None = None
    cause: str | None = None

    def tally(self, name: str) -> _Tally:
        return self.tallies.setdefault(name, _Tally())

    def state_type(self, name: str) -> str | None:
        owner = self.owners.get(name)
        state = None if owner is None else owner.states.get(name)
        return None if state is None else state.type

    def latest_open(self, *, name: str | None = None, state_type: str | None = None) -> _Span | None:
        for span in reversed(self.open):
            if name in (None, span.name) and state_type in (None, span.state_type):
                return span
        return None

    def event(self, event: Mapping[str, Any]) -> None:
        kind = str(event.get("type", ""))
        event_id = _hashable(event.get("id"))
        previous = _hashable(event.get("previousEventId"))
        before = self.span_of_event.get(previous)
        time = _seconds(event.get("timestamp"))
        if time is not None:
            self.first_time = time if self.first_time is None else self.first_time
            self.last_time = time
        details = _details(event)
        name = _text(details, "name")
        span: _Span | None
        if kind.endswith("StateEntered") and name is not None:
            span = self.enter(kind, name, time, previous)
        elif kind.endswith("StateExited") and name is not None:
            span = before if before is not None and before.name == name and not before.closed else None
            span = self.exit(span or self.latest_open(name=name) or _Span(name, self.state_type(name), None), time)
            self.exits[event_id] = span
        elif kind.endswith("StateAborted"):
            fits = before is not None and not before.closed and kind.startswith(before.state_type or "?")
            span = before if fits else self.latest_open(state_type=kind.removesuffix("StateAborted"))
            if span is not None:
                self.abort(span, time)
        elif kind.startswith(("MapState", "ParallelState")):
            # MapStateFailed follows the failed iteration's events: find the Map (or Parallel) by its type.
            state_type = kind[: kind.index("State")]
            fits = before is not None and before.state_type == state_type and not before.closed
            span = before if fits else self.latest_open(state_type=state_type)
            if span is not None:
                self.attempt_or_failure(kind, span, event, time)
        elif kind in _ATTEMPTS or kind in _FAILURES:
            span = before if before is not None and not before.closed else self.latest_open()
            if span is not None:
                self.attempt_or_failure(kind, span, event, time)
        elif kind.startswith("MapIteration") and name is not None:
            span = before if before is not None and before.name == name else self.latest_open(name=name)
            self.iteration(kind, name, before)
        elif kind in _EXECUTION_END:
            self.status = _EXECUTION_END[kind]
            self.error, self.cause = _text(details, "error"), _text(details, "cause")
            span = None
        else:
            span = before
        if span is not None:
            self.span_of_event[event_id] = span

    def enter(self, kind: str, name: str, time: float | None, previous: Any) -> _Span:
        span = _Span(name, self.state_type(name), time)
        self.open.append(span)
        self.tally(name).entered += 1
        # The transition that led here: from the span whose Exited event this one follows (the latest exit
        # when the history has no links), if the machine has such an edge.
        source = self.exits.get(previous)
        if source is None and previous is None:
            source = self.last_exit
        owner = self.owners.get(name)
        if source is not None and owner is not None and source.name in owner.states:
            key = _edge_key(owner, source.name, name, caught=source.failing)
            if key is not None:
                self.taken.add((source.name, key))
        if name == self.machine.start_at:
            self.taken.add((START, name))
        if kind == "FailStateEntered":  # ASL: a Fail state has no Exited event; reaching it is failing
            span.failing, span.failed_at = True, time
            span.error = _fail_error(self.owners, name)
            self.last_error = span.error or self.last_error
        return span

    def exit(self, span: _Span, time: float | None) -> _Span:
        span.closed = True
        for index in range(len(self.open) - 1, -1, -1):  # few spans are open at once: the search is short
            if self.open[index] is span:
                del self.open[index]
                break
        entry = self.tally(span.name)
        if span.failing:
            entry.caught += 1
            entry.error = span.error or entry.error
        else:
            entry.succeeded += 1
        entry.add_time(span.start, time)
        self.last_exit = span
        owner = self.owners.get(span.name)
        if (
            owner is not None
            and not span.failing
            and not any(t.kind != "Catch" for t, _ in owner.transitions(span.name))
        ):
            self.taken.add((span.name, END))
        return span

    def abort(self, span: _Span, time: float | None) -> None:
        """A state stopped from outside: a sibling branch or iteration failed, so AWS stopped this one."""
        span.closed = True
        self.open.remove(span)
        entry = self.tally(span.name)
        entry.aborted += 1
        entry.add_time(span.start, time)

    def attempt_or_failure(self, kind: str, span: _Span, event: Mapping[str, Any], time: float | None) -> None:
        if kind in _ATTEMPTS:
            span.attempts += 1
            if span.attempts > 1:
                self.tally(span.name).retries += 1
            span.failing = False
        elif kind in _FAILURES:
            span.failing, span.failed_at = True, time
            # MapStateFailed/ParallelStateFailed carry no error: it is the one that failed the iteration or branch.
            raised = _text(_details(event), "error") or self.iteration_errors.pop(span.name, None) or self.last_error
            span.error = raised or span.error
            self.last_error = span.error

    def iteration(self, kind: str, name: str, before: _Span | None) -> None:
        entry = self.tally(name)
        if kind == "MapIterationSucceeded":
            entry.iterations_succeeded += 1
        elif kind == "MapIterationAborted":
            entry.iterations_aborted += 1
        elif kind == "MapIterationFailed":
            entry.iterations_failed += 1
            failed = (before.error if before is not None else None) or self.last_error
            if failed is not None:
                self.iteration_errors.setdefault(name, failed)

    def close(self) -> None:
        """Spans still open at the end failed if they raised (or are Fail states); else they were running."""
        blamed = False
        for span in self.open:
            entry = self.tallies[span.name]
            entry.add_time(
                span.start, span.failed_at if span.failing and span.failed_at is not None else self.last_time
            )
            if span.failing:
                entry.failed += 1
                entry.error = span.error or entry.error  # the failure is what the box shows, over a caught one
                blamed = True
        if self.status == "FAILED" and not blamed:
            # ASL: a runtime error (States.Runtime, a bad path) fails the execution straight from XStateEntered,
            # with no failure event of the state's own: blame the state that was entered last.
            last = self.latest_open()
            if last is not None:
                entry = self.tallies[last.name]
                entry.failed += 1
                entry.error = entry.error or self.error


def summarize(machine: StateMachine, history: Iterable[Any], status: str | None = None) -> RunOverlay:
    """Replay *history* (GetExecutionHistory events, oldest first) over *machine*.

    *status* (the execution's final status) fills in when the history has no ``Execution*`` end event.
    """
    replay = _Replay(machine=machine, owners={name: owner for name, _state, owner in machine.walk()}, status=status)
    for event in history:
        replay.event(_as_mapping(event))
    replay.close()
    first, last = replay.first_time, replay.last_time
    return RunOverlay(
        states={name: StateRun(**attrs.asdict(entry)) for name, entry in replay.tallies.items()},
        taken=frozenset(replay.taken),
        status=replay.status,
        error=replay.error,
        cause=replay.cause,
        duration=None if first is None or last is None else round(last - first, 6),
    )


def _fail_error(owners: Mapping[str, StateMachine], name: str) -> str | None:
    owner = owners.get(name)
    state = None if owner is None else owner.states.get(name)
    return state.error if isinstance(state, Fail) and isinstance(state.error, str) else None
