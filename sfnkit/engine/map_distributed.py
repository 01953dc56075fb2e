"""A distributed Map's child executions: one after the other on one reused strand (the virtual clock's common
case), or as ``run_children`` runs them on worker threads. Each child has its own quotas; its history is not the
parent's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sfnkit.asl.failures import StatesError
from sfnkit.asl.scope import DRAWS, Json
from sfnkit.clock import Timeline
from sfnkit.engine.children import Block, Outcome, on_threads, run_children
from sfnkit.engine.fused_map import executions_loop
from sfnkit.engine.loop import (
    Aborted,
    ExecutionTimedOut,
    QuotaReached,
    Recorder,
    RunState,
    Strand,
    quota_reached,
)
from sfnkit.engine.node import Node


class Executions:
    """A distributed Map's child executions, in columns (no object per child): each one's output (None when it
    failed), its end (when asked for), the errors by index, and ``extra``: the bound of the outputs' total JSON
    size."""

    __slots__ = ("ends", "errors", "extra", "outputs")

    def __init__(
        self, outputs: list[Json], ends: list[float] | None, errors: dict[int, StatesError], extra: int
    ) -> None:
        self.outputs = outputs
        self.ends = ends
        self.errors = errors
        self.extra = extra

    @classmethod
    def of(cls, outcomes: Sequence[Outcome]) -> Executions:
        errors = {o.index: o.error for o in outcomes if o.error is not None}
        extra = sum(o.bound + 1 for o in outcomes)
        return cls([o.output for o in outcomes], [o.end for o in outcomes], errors, extra)

    def outcomes(self) -> list[Outcome]:
        """One ``Outcome`` per child (for the result files: run with ``with_ends``)."""
        assert self.ends is not None
        made = []
        for i, output in enumerate(self.outputs):
            outcome = Outcome(i)
            outcome.output, outcome.end, outcome.error = output, self.ends[i], self.errors.get(i)
            made.append(outcome)
        return made


def run_executions(
    run: RunState,
    strand: Strand,
    block: Block,
    inputs: Sequence[Json],
    *,
    concurrency: int,
    execution_type: str,
    on_start: Callable[[int, Strand], None] | None = None,
    with_ends: bool = False,
) -> Executions:
    """A distributed Map's child executions of *block*, one per input: each with its own recorder and quotas, so
    a child that reaches one fails alone, as on AWS; the parent resumes at the latest end. *with_ends*: keep each
    child's end (the result files show it)."""
    if on_threads(run, block, len(inputs)):
        outcomes = run_children(
            run,
            strand,
            block,
            inputs,
            concurrency=concurrency,
            on_start=on_start,
            child_executions=execution_type,
            share_variables=False,
            stop_on_failure=False,
        )
        return Executions.of(outcomes)
    return _executions_in_turn(run, strand, block, inputs, concurrency, execution_type, on_start, with_ends)


def _executions_in_turn(
    run: RunState,
    strand: Strand,
    block: Block,
    inputs: Sequence[Json],
    concurrency: int,
    execution_type: str,
    on_start: Callable[[int, Strand], None] | None,
    with_ends: bool,
) -> Executions:
    """The child executions one after the other (the virtual clock's common case): what ``run_children`` does
    for them, on one reused strand, timeline and recorder (each child starts with a fresh event count and
    transition count: its quotas are its own; its history is not part of the parent's)."""
    start = strand.timeline.now
    timeline = Timeline(start)
    rec = Recorder(execution_type, strand.rec.lock)
    trace = rec.trace
    child = Strand(timeline, {}, 0, rec, strand.bound, 0)
    bound = strand.bound
    first = block.start
    chains = run.chains
    deadline = run.deadline
    event_limit, transition_limit = rec.event_limit, rec.transition_limit
    n = len(inputs)
    randoms = strand.child_randoms(n)
    seeded = strand.random is not None  # (unseeded: every child's source is None, as DRAWS.random already is)
    outputs: list[Json] = []
    # with MaxConcurrency below the item count, child i starts when child i - MaxConcurrency ends
    paced = 0 < concurrency < n
    ends: list[float] = []  # (paced, or asked for)
    timed = paced or with_ends
    latest = start
    errors: dict[int, StatesError] = {}
    extra = 0
    draws = DRAWS
    outer = draws.random
    unassigned: dict[str, Json] = {}  # (an Assign makes a new dict: this one stays empty for every child)
    # a processor starting with a fused chain: children go through its generated loop while they stay on it
    fast = executions_loop(first, n) if run.virtual and start < deadline else None
    resume: tuple[Node, Json, Any] | None = None
    i = 0
    try:
        while i < n:
            if fast is not None:
                i, extra, resume = fast(
                    run,
                    child,
                    inputs,
                    i,
                    outputs,
                    extra,
                    ends if timed else None,
                    start,
                    concurrency if paced else 0,
                    randoms if seeded else None,
                    on_start,
                    unassigned,
                    bound,
                )
                if i >= n:
                    break
            begin = start if not paced or i < concurrency else max(start, ends[i - concurrency])
            timeline.now = begin
            if child.variables is not unassigned:  # (an Assign in the previous child)
                child.variables = unassigned
                child.var_bound = 0
            if trace:
                trace.clear()
            data = inputs[i]
            try:
                if resume is None:
                    child.chain = next(chains)
                    child.item = i
                    child.bound = bound
                    if seeded:
                        child.random = draws.random = randoms[i]
                    rec.count = 1
                    if on_start is not None:
                        on_start(i, child)
                    if run.aborted:
                        raise Aborted
                    if begin >= deadline:
                        raise ExecutionTimedOut
                    # run_block, inlined (the child's abort_at never moves: nothing aborts a sibling execution); a
                    # fresh child has room for its first state under both quotas
                    rec.transitions = 1
                    node: Node | None
                    node, data = first.execute(run, child, data)
                else:  # begun in the fused loop (its strand and counts set): the state it goes on at, or an error
                    child.chain = next(chains)
                    node, data, error = resume
                    resume = None
                    if error is not None:
                        raise node.failed(run, child, data, begin, error) from None
                while node is not None:
                    if timeline.now >= deadline:
                        raise ExecutionTimedOut
                    if run.aborted:
                        raise Aborted
                    if rec.count >= event_limit or rec.transitions >= transition_limit:
                        raise quota_reached(rec)
                    rec.transitions += 1
                    node, data = node.execute(run, child, data)
                outputs.append(data)
                extra += child.bound + 1
            except StatesError as err:
                errors[i] = err
                outputs.append(None)
                extra += 1
            except QuotaReached as reached:
                errors[i] = StatesError(reached.error, reached.cause)
                outputs.append(None)
                extra += 1
            end = timeline.now
            if end > latest:
                latest = end
            if timed:
                ends.append(end)
            i += 1
    finally:
        draws.random = outer
    strand.timeline.now = latest
    return Executions(outputs, ends if timed else None, errors, extra)
