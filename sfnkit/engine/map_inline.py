"""An inline Map's iterations, one after the other on one reused strand (the hot path of a large Map), or on
worker threads through ``run_children``.
"""

from __future__ import annotations

from typing import Any

from sfnkit.asl.failures import (
    StatesError,
)
from sfnkit.asl.scope import DRAWS, Json
from sfnkit.clock import (
    NO_DEADLINE,
    Timeline,
)
from sfnkit.engine.children import Block, Outcome, abort_after, on_threads, run_children
from sfnkit.engine.fused_map import map_loop
from sfnkit.engine.loop import (
    NO_LIMIT,
    Aborted,
    ExecutionTimedOut,
    RunState,
    Strand,
    quota_reached,
)
from sfnkit.engine.node import Node, append_record
from sfnkit.execution import GENERIC


def run_inline(
    run: RunState, strand: Strand, processor: Block, name: str, inputs: list[Json], concurrency: int
) -> list[Outcome]:
    """A Map state *name*'s inline iterations of *processor*; each iteration's history follows the previous one's,
    as AWS numbers them."""
    rec = strand.rec
    chain = strand.chain
    threaded = on_threads(run, processor, len(inputs))
    previous_chain: list[int | None] = [None]

    def on_start(i: int, child: Strand) -> None:
        hint = ("iter", child.chain, previous_chain[0])
        append_record(rec, (GENERIC, "MapIterationStarted", chain, child.timeline.now, (name, i), hint))
        previous_chain[0] = child.chain

    def on_end(i: int, child: Strand, outcome: Outcome) -> None:
        kind = "MapIterationSucceeded" if outcome.error is None else "MapIterationFailed"
        append_record(rec, (GENERIC, kind, child.chain, child.timeline.now, (name, i), ("end", chain)))

    if threaded:
        return run_children(run, strand, processor, inputs, concurrency=concurrency, on_start=on_start, on_end=on_end)
    # The common case, one iteration after the other: the same as run_children, without the indirections
    # (one Strand and Timeline reused, no per-item objects besides the trace records).
    start = strand.timeline.now
    trace = rec.trace
    first = processor.start
    chains = run.chains
    outputs: list[Json] = []
    # with MaxConcurrency below the item count, item i starts when item i - MaxConcurrency ends
    paced = 0 < concurrency < len(inputs)
    ends: list[float] = []  # (paced only)
    latest = start
    previous: int | None = None
    total = 2
    timeline = Timeline(start)
    child = Strand(timeline, strand.variables, 0, rec, strand.bound, strand.var_bound)
    variables = strand.variables
    bound = strand.bound
    var_bound = strand.var_bound
    failure: Outcome | None = None
    abort_at = NO_DEADLINE
    ended_well: list[bool] = []
    spans: list[tuple[int, int]] = []  # where the records of each iteration the loop here ran begin and end
    end_hint = ("end", chain)
    randoms = strand.child_randoms(len(inputs))
    deadline = run.deadline
    seeded = strand.random is not None  # (unseeded: DRAWS.random is None already, and every child's)
    counted = rec.transition_limit != NO_LIMIT  # Express: sfnkit's transition guard; Standard: the event quota
    event_limit = rec.event_limit
    # a processor starting with a fused chain: items go through its generated Map loop while they stay on the chain
    # and no item has failed (then they all start, and end, at the Map's start)
    fast = map_loop(first, name, len(inputs)) if not paced and run.virtual and start < deadline else None
    resume: tuple[int, int, Node, Json, Any] | None = None
    n = len(inputs)
    i = 0
    while i < n:
        if fast is not None and failure is None:
            timeline.now = start  # (an item the loop here ran may have ended later)
            i, total, previous, resume = fast(run, strand, child, inputs, i, outputs, total, previous, randoms)
            if i >= n:
                break
        item = inputs[i]
        if not paced or i < concurrency:
            begin = start
        else:
            begin = max(start, ends[i - concurrency])
            if failure is not None and not (ended_well[i - concurrency] and begin < abort_at):
                # AWS would not have started this item: the Map had failed when its slot freed
                ends.append(NO_DEADLINE)
                ended_well.append(False)
                i += 1
                continue
        timeline.now = begin
        child.item = i
        if child.variables is not variables:  # (an Assign in the previous iteration)
            child.variables = variables
            child.var_bound = var_bound
        details = (name, i)
        error: StatesError | None = None
        node: Node | None = first
        out: Json = item
        if resume is None:
            child_chain = next(chains)
            child.chain = child_chain
            child.bound = bound
            lo = len(trace)
            trace.append((GENERIC, "MapIterationStarted", chain, begin, details, ("iter", child_chain, previous)))
            rec.count += 1
        else:  # begun in the fused loop: its records so far are written, its strand set
            child_chain, lo, node, out, error = resume
            child.chain = child_chain
            resume = None
        previous = child_chain
        well = False
        if seeded:
            child.random = DRAWS.random = randoms[i]
        try:
            if error is not None:
                assert node is not None
                raise node.failed(run, child, out, begin, error) from None
            if run.aborted:
                raise Aborted
            # run_block, inlined: one call less per item
            while node is not None:
                now = timeline.now
                if now >= deadline:
                    raise ExecutionTimedOut
                if now > abort_at or run.aborted:
                    raise Aborted
                if rec.count >= event_limit:
                    raise quota_reached(rec)
                if counted:
                    if rec.transitions >= rec.transition_limit:
                        raise quota_reached(rec)
                    rec.transitions += 1
                node, out = node.execute(run, child, out)
            if failure is None:
                outputs.append(out)
                total += child.bound + 1
            kind = "MapIterationSucceeded"
            well = True
        except StatesError as err:
            kind = "MapIterationFailed"
            if failure is None or timeline.now < failure.end:
                failure = Outcome(i)
                failure.error = err
                failure.end = timeline.now
                # iterations running then are aborted (AWS stops the Map)
                abort_at = child.abort_at = timeline.now
        except Aborted:
            if run.aborted:
                raise
            kind = "MapIterationAborted"
        finally:
            if seeded:
                DRAWS.random = strand.random
        end = timeline.now
        if end > latest:
            latest = end
        if paced:
            ends.append(end)
            ended_well.append(well)
        trace.append((GENERIC, kind, child_chain, end, details, end_hint))
        rec.count += 1
        spans.append((lo, len(trace)))
        i += 1
    if failure is not None:
        # iterations that ran before the failing one and went past its instant: cut them there, as AWS would
        # (the fused loop's iterations all end at the Map's start: never past a failure)
        tail: list[tuple[Any, ...]] = []
        for lo, hi in reversed(spans):
            # an iteration's records: its MapIterationStarted first (details, ("iter", chain, previous)), its
            # end record last (at its end time)
            details, child_chain, end = trace[lo][4], trace[lo][5][1], trace[hi - 1][3]
            if end > failure.end and details[1] != failure.index:
                aborted, delta = abort_after(trace, lo, hi, failure.end)
                aborted.append((GENERIC, "MapIterationAborted", child_chain, failure.end, details, end_hint))
                tail[:0] = aborted
                rec.count += delta + 1
        trace.extend(tail)
    if failure is not None:
        strand.timeline.now = failure.end  # the Map fails when its first iteration does
        return [failure]
    strand.timeline.now = latest
    done = Outcome(-1)
    done.output = outputs
    done.bound = total
    return [done]
