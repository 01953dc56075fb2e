"""Retry and Catch: ``RetryingNode``, the entered/exited events around a Task's, Parallel's or Map's attempts,
its retriers (backoff, jitter, MaxAttempts) and catchers (where an error goes, shaped by ResultPath/Output).
"""

from __future__ import annotations

from collections.abc import Mapping

from sfnkit.asl import dataflow as df
from sfnkit.asl.failures import (
    DATA_LIMIT_EXCEEDED,
    RUNTIME,
    StatesError,
    error_matches,
    retry_delay,
)
from sfnkit.asl.scope import Json
from sfnkit.engine.loop import (
    Aborted,
    ExecutionTimedOut,
    RunState,
    Strand,
    Uncatchable,
    json_size,
)
from sfnkit.engine.node import Node, append_record, assign_variables
from sfnkit.execution import GENERIC
from sfnkit.lambdas import (
    MAX_PAYLOAD_BYTES,
    data_limit_cause,
)
from sfnkit.taskcall import CallbackFailed


class Retrier:
    """One Retry entry, with ASL's defaults."""

    __slots__ = ("backoff_rate", "error_equals", "interval_seconds", "jitter", "max_attempts", "max_delay_seconds")

    def __init__(self, raw: Mapping[str, Json]) -> None:
        self.error_equals = tuple(raw.get("ErrorEquals") or ())
        self.interval_seconds = raw.get("IntervalSeconds", 1)
        self.max_attempts = raw.get("MaxAttempts", 3)
        self.backoff_rate = raw.get("BackoffRate", 2.0)
        self.max_delay_seconds = raw.get("MaxDelaySeconds")
        self.jitter = raw.get("JitterStrategy", "NONE")


class Catcher:
    """One Catch entry: the errors it handles, where it goes, how it shapes the error output."""

    __slots__ = ("error_equals", "io", "next", "next_name")

    def __init__(self, raw: Mapping[str, Json], language: str, location: str) -> None:
        self.error_equals = tuple(raw.get("ErrorEquals") or ())
        self.next_name = raw.get("Next")
        self.next: Node | None = None
        self.io = df.compile_catch_io(raw, language, location)


class Attempt:
    """What one try of a retrying state produced."""

    __slots__ = ("assigned", "extra", "out")

    def __init__(self, out: Json, assigned: dict[str, Json] | None, extra: int = 0) -> None:
        self.out = out
        self.assigned = assigned
        self.extra = extra


class RetryingNode(Node):
    """Task, Parallel and Map: entered/exited events around attempts, Retry and Catch."""

    __slots__ = ("catchers", "entered_event", "exited_event", "io", "retriers")
    failed_event = ""

    def __init__(self, name: str, state: Mapping[str, Json], language: str, location: str) -> None:
        super().__init__(name, state, language, location)
        self.entered_event = f"{self.event_prefix}StateEntered"
        self.exited_event = f"{self.event_prefix}StateExited"
        self.io = df.compile_state_io(state, language, location)
        self.retriers = tuple(Retrier(r) for r in state.get("Retry") or ())
        self.catchers = tuple(
            Catcher(c, language, f"{location}.Catch[{n}]") for n, c in enumerate(state.get("Catch") or ())
        )

    def attempt(self, run: RunState, strand: Strand, raw: Json, t: float, retry_count: int, eid: int) -> Attempt:
        raise NotImplementedError

    def execute(self, run: RunState, strand: Strand, raw: Json) -> tuple[Node | None, Json]:
        rec = strand.rec
        timeline = strand.timeline
        t_in = timeline.now if run.virtual else run.clock.tick(timeline)
        eid = rec.count + 1
        prefix = self.event_prefix
        rec.trace.append((GENERIC, self.entered_event, strand.chain, t_in, {"name": self.name, "input": raw}, None))
        rec.count = eid
        attempts: list[int] | None = None
        retry_count = 0
        while True:
            try:
                done = self.attempt(run, strand, raw, t_in, retry_count, eid)
                self.check_size(run, strand, done.out, done.extra)
                break
            except Aborted:
                append_record(rec, (GENERIC, f"{prefix}StateAborted", strand.chain, timeline.now, None, None))
                raise
            except StatesError as failure:
                if timeline.now >= strand.abort_at:  # a sibling failed meanwhile: this state is aborted
                    append_record(rec, (GENERIC, f"{prefix}StateAborted", strand.chain, timeline.now, None, None))
                    raise Aborted from None
                # the located error keeps the name 'failure', which Python unbinds when this block ends: no
                # reference cycle (frame -> error -> traceback -> frame) left for the garbage collector
                failure = self.located(failure, rec, strand, eid, timeline.now)
                if isinstance(failure, Uncatchable) or failure.error == RUNTIME:
                    raise failure from None
                index = -1
                for n, candidate in enumerate(self.retriers):
                    if error_matches(candidate.error_equals, failure.error):
                        index = n
                        break
                if index >= 0:
                    retrier = self.retriers[index]
                    if attempts is None:
                        attempts = [0] * len(self.retriers)
                    if attempts[index] < retrier.max_attempts:
                        attempts[index] += 1
                        retry_count += 1
                        delay = retry_delay(
                            attempts[index],
                            interval_seconds=retrier.interval_seconds,
                            backoff_rate=retrier.backoff_rate,
                            max_delay_seconds=retrier.max_delay_seconds,
                            jitter=retrier.jitter,
                            random=(strand.random or run.random).random,
                        )
                        if timeline.now + delay >= run.deadline:
                            run.clock.sleep(timeline, run.deadline - timeline.now)
                            timeline.now = run.deadline
                            raise ExecutionTimedOut from None
                        if timeline.now + delay > strand.abort_at:
                            timeline.now = strand.abort_at
                            append_record(
                                rec, (GENERIC, f"{prefix}StateAborted", strand.chain, timeline.now, None, None)
                            )
                            raise Aborted from None
                        run.clock.sleep(timeline, delay)
                        continue
                if self.failed_event:  # AWS: only when no retry follows
                    append_record(rec, (GENERIC, self.failed_event, strand.chain, timeline.now, None, None))
                for catcher in self.catchers:
                    if error_matches(catcher.error_equals, failure.error):
                        break
                else:
                    raise failure from None
                error_output: dict[str, Json] = {"Error": failure.error}
                if failure.cause is not None or isinstance(failure, CallbackFailed):
                    error_output["Cause"] = failure.cause
                context = self.context(run, timeline.now, retry_count) if self.needs_context else None
                try:
                    out, assigned = catcher.io.apply(raw, error_output, context, strand.variables, run.jsonata_runtime)
                    strand.bound = json_size(out)
                    if strand.bound > MAX_PAYLOAD_BYTES:
                        raise Uncatchable(DATA_LIMIT_EXCEEDED, data_limit_cause(self.name))
                except StatesError as inner:
                    raise self.located(inner, rec, strand, eid, timeline.now) from None
                if assigned:
                    assign_variables(strand, assigned, self, run)
                exited: dict[str, Json] = {"name": self.name, "output": out}
                if assigned:
                    exited["assignedVariables"] = assigned
                append_record(rec, (GENERIC, f"{prefix}StateExited", strand.chain, timeline.now, exited, None))
                return catcher.next, out
        if done.assigned:
            assign_variables(strand, done.assigned, self, run)
        exited = {"name": self.name, "output": done.out}
        if done.assigned:
            exited["assignedVariables"] = done.assigned
        rec.trace.append((GENERIC, self.exited_event, strand.chain, timeline.now, exited, None))
        rec.count += 1
        return self.next, done.out
