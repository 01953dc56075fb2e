"""The Parallel state: every branch on the same input; the result is their outputs in Branches order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sfnkit.asl import dataflow as df
from sfnkit.asl.failures import (
    StatesError,
)
from sfnkit.asl.scope import Json
from sfnkit.clock import (
    NO_DEADLINE,
    Timeline,
)
from sfnkit.engine.children import (
    Block,
    CompileBlock,
    Outcome,
    abort_after,
    first_failure,
)
from sfnkit.engine.loop import (
    Aborted,
    RunState,
    Strand,
    run_block,
)
from sfnkit.engine.node import append_record, io_growth
from sfnkit.engine.retry import Attempt, RetryingNode
from sfnkit.execution import GENERIC


class ParallelNode(RetryingNode):
    """Parallel: every branch on the same input; the result is their outputs in Branches order."""

    __slots__ = ("branches",)
    failed_event = "ParallelStateFailed"

    def __init__(
        self, name: str, state: Mapping[str, Json], language: str, location: str, top: str, compile_block: CompileBlock
    ) -> None:
        super().__init__(name, state, language, location)
        self.branches = tuple(
            compile_block(b, top, f"{location}.Branches[{n}]") for n, b in enumerate(state.get("Branches") or ())
        )
        self.growth = io_growth(state, language, (0, 0, False))

    def attempt(self, run: RunState, strand: Strand, raw: Json, t: float, retry_count: int, eid: int) -> Attempt:
        rec = strand.rec
        context = self.context(run, strand.timeline.now, retry_count) if self.needs_context else None
        variables = strand.variables
        io = self.io
        effective = io.effective_input(raw, context, variables)
        if isinstance(io, df.JsonataIO):
            branch_input = io.task_input(raw, effective, context, variables, run.jsonata_runtime)
        else:
            branch_input = io.task_input(raw, effective, context, variables)
        chains = tuple(next(run.chains) for _ in self.branches)
        append_record(rec, (GENERIC, "ParallelStateStarted", strand.chain, strand.timeline.now, None, chains))
        outcomes = _run_parallel(run, strand, self.branches, branch_input, chains)
        failure = first_failure(outcomes)
        if failure is not None:
            assert failure.error is not None
            raise failure.error
        append_record(rec, (GENERIC, "ParallelStateSucceeded", strand.chain, strand.timeline.now, None, ("closing",)))
        result = [o.output for o in outcomes]
        extra = sum(o.bound + 1 for o in outcomes) + 2
        if isinstance(io, df.JsonataIO):
            out, assigned = io.finish(raw, result, context, variables, run.jsonata_runtime)
        else:
            out, assigned = io.finish(raw, result, context, variables)
        return Attempt(out, assigned, extra)


def _run_parallel(
    run: RunState, strand: Strand, branches: Sequence[Block], branch_input: Json, chains: Sequence[int]
) -> list[Outcome]:
    """Run every branch on the same input; each branch is its own block."""
    start = strand.timeline.now
    outcomes: list[Outcome] = []
    threaded = (
        len(branches) > 1
        and any(b.has_tasks for b in branches)
        and (
            (run.max_workers is None and not run.clock.virtual) or (run.max_workers is not None and run.max_workers > 1)
        )
    )

    randoms = strand.child_randoms(len(branches))

    def one(i: int, abort_at: float = NO_DEADLINE) -> Outcome:
        outcome = Outcome(i)
        child = Strand(
            Timeline(start), strand.variables, chains[i], strand.rec, strand.bound, strand.var_bound, strand.item
        )
        child.abort_at = abort_at
        child.random = randoms[i]
        try:
            if run.aborted:
                raise Aborted
            outcome.output = run_block(run, branches[i].start, child, branch_input)
            outcome.bound = child.bound
        except StatesError as err:
            outcome.error = err
        except Aborted:
            if run.aborted:
                raise
            outcome.aborted = True
        outcome.end = child.timeline.now
        return outcome

    if threaded:
        with ThreadPoolExecutor(max_workers=min(len(branches), run.max_workers or 40)) as pool:
            outcomes = list(pool.map(one, range(len(branches))))
    else:
        # All branches start together (as on AWS); once one has failed, the others stop past that instant.
        abort_at = NO_DEADLINE
        trace = strand.rec.trace
        spans: list[tuple[int, int]] = []
        for i in range(len(branches)):
            lo = len(trace)
            outcome = one(i, abort_at)
            spans.append((lo, len(trace)))
            outcomes.append(outcome)
            if outcome.error is not None and outcome.end < abort_at:
                abort_at = outcome.end
        failed = first_failure(outcomes)
        if failed is not None:  # branches that ran before the failing one went past its instant: cut them there
            tail: list[tuple[Any, ...]] = []
            for outcome, (lo, hi) in reversed(list(zip(outcomes, spans, strict=True))):
                if outcome is not failed and outcome.end > failed.end:
                    aborted, delta = abort_after(trace, lo, hi, failed.end)
                    tail[:0] = aborted
                    strand.rec.count += delta
                    outcome.end = failed.end
            trace.extend(tail)
    failure = first_failure(outcomes)
    strand.timeline.now = failure.end if failure is not None else max([start, *(o.end for o in outcomes)])
    return outcomes
