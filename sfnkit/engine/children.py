"""Blocks and the strands that run them: a compiled ``{StartAt, States}`` and running it once per input
(Parallel branches, Map iterations), each on its own timeline.

Concurrency in virtual time: siblings each have a timeline starting at the parent's time. On the virtual clock
they run one after the other; when one fails at instant *t*, siblings started by then still run (as on AWS, where
they were already running) and stop past *t*; a sibling that ran earlier and went past *t* is cut there in the
history (its handlers have run, though). The failure with the earliest instant is the Map's or Parallel's error.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, Protocol

from sfnkit.asl.failures import (
    StatesError,
)
from sfnkit.asl.scope import Json
from sfnkit.clock import (
    Timeline,
)
from sfnkit.engine.loop import (
    Aborted,
    QuotaReached,
    Recorder,
    RunState,
    Strand,
    run_block,
)
from sfnkit.engine.node import Node
from sfnkit.execution import FUSED, GENERIC, expand

INLINE_CONCURRENCY: Final = 40  # AWS: an inline Map runs about 40 iterations at a time


class Block:
    """A compiled ``{StartAt, States}``: the machine, a Parallel branch or a Map item processor."""

    __slots__ = ("has_tasks", "nodes", "start")

    def __init__(self, start: Node, nodes: dict[str, Node], has_tasks: bool) -> None:
        self.start = start
        self.nodes = nodes
        self.has_tasks = has_tasks


class CompileBlock(Protocol):
    """How Parallel and Map compile their blocks (the plan compiler passes its own: it sits above the node kinds);
    *repeated*: the block runs once per item (a Map's item processor); not *recorded*: as child executions whose
    history is not the parent's (a distributed Map's)."""

    def __call__(
        self,
        definition: Mapping[str, Json],
        top_language: str,
        location: str,
        *,
        repeated: bool = False,
        recorded: bool = True,
    ) -> Block: ...


def on_threads(run: RunState, block: Block, count: int) -> bool:
    """Whether *count* runs of *block* go to worker threads: only blocks with Tasks (the rest never wait), on the
    real clock or with ``max_workers`` > 1."""
    workers = run.max_workers
    return (
        count > 1
        and block.has_tasks
        and ((workers is None and not run.clock.virtual) or (workers is not None and workers > 1))
    )


class Outcome:
    __slots__ = ("aborted", "bound", "end", "error", "index", "output")

    def __init__(self, index: int) -> None:
        self.aborted = False
        self.index = index
        self.output: Json = None
        self.error: StatesError | None = None
        self.end = 0.0
        self.bound = 0


def run_children(
    run: RunState,
    strand: Strand,
    block: Block,
    inputs: Sequence[Json],
    *,
    concurrency: int,
    on_start: Callable[[int, Strand], None] | None = None,
    on_end: Callable[[int, Strand, Outcome], None] | None = None,
    child_executions: str | None = None,
    share_variables: bool = True,
    stop_on_failure: bool = True,
) -> list[Outcome]:
    """Run *block* once per input, each on its own strand starting at the parent's time; the parent resumes at the
    latest end. ``concurrency`` (0 = unlimited) shapes virtual start times and the worker pool.

    With ``child_executions`` (``"STANDARD"`` or ``"EXPRESS"``: a distributed Map) each input runs as a child
    execution with its own recorder and quotas, so a child that reaches one fails alone, as on AWS."""
    start = strand.timeline.now
    count = len(inputs)
    outcomes = [Outcome(i) for i in range(count)]
    workers = run.max_workers
    threaded = on_threads(run, block, count)
    variables = strand.variables if share_variables else {}
    var_bound = strand.var_bound if share_variables else 0
    randoms = strand.child_randoms(count)

    def one(i: int, begin: float) -> Outcome:
        outcome = outcomes[i]
        rec = strand.rec if child_executions is None else Recorder(child_executions, strand.rec.lock)
        child = Strand(Timeline(begin), variables, next(run.chains), rec, strand.bound, var_bound, i)
        child.random = randoms[i]
        if on_start is not None:
            on_start(i, child)
        try:
            if run.aborted:
                raise Aborted
            outcome.output = run_block(run, block.start, child, inputs[i])
            outcome.bound = child.bound
        except StatesError as err:
            outcome.error = err
        except QuotaReached as reached:
            if child_executions is None:
                raise
            outcome.error = StatesError(reached.error, reached.cause)
        outcome.end = child.timeline.now
        if on_end is not None:
            on_end(i, child, outcome)
        return outcome

    if not threaded:
        for i in range(count):
            begin = start if concurrency <= 0 or i < concurrency else max(start, outcomes[i - concurrency].end)
            if one(i, begin).error is not None and stop_on_failure:
                outcomes = outcomes[: i + 1]
                break
    else:
        limit = workers or INLINE_CONCURRENCY
        if concurrency > 0:
            limit = min(limit, concurrency)
        failed = threading.Event()

        def guarded(i: int) -> Outcome | None:
            if failed.is_set() and stop_on_failure:
                return None
            done = one(i, start)
            if done.error is not None:
                failed.set()
            return done

        with ThreadPoolExecutor(max_workers=max(1, limit), thread_name_prefix="sfnkit") as pool:
            results = list(pool.map(guarded, range(count)))
        outcomes = [o for o in results if o is not None]
    ends = [o.end for o in outcomes]
    strand.timeline.now = max([start, *ends])
    return outcomes


def first_failure(outcomes: Sequence[Outcome]) -> Outcome | None:
    failed = [o for o in outcomes if o.error is not None]
    if not failed:
        return None
    return min(failed, key=lambda o: (o.end, o.index))


def abort_after(trace: list[tuple[Any, ...]], lo: int, hi: int, at: float) -> tuple[list[tuple[Any, ...]], int]:
    """Rewrite ``trace[lo:hi]`` (one sibling's run) as AWS would show it had that sibling been stopped at *at*
    because another failed: later events dropped, states still in progress aborted.

    Siblings run one after the other on the virtual clock, so one that ran before the failing one may have gone
    past the failure instant; its handlers ran, but its history ends where AWS would have stopped it. Returns the
    abort records (for the caller to append after the failure's own) and the change in the number of events.
    """
    kept: list[tuple[Any, ...]] = []
    aborted: list[tuple[Any, ...]] = []
    in_progress: dict[int, str] = {}
    before = 0
    for record in expand(trace[lo:hi]):
        if record[0] == FUSED:
            before += 2
            _, name, prefix, chain, t_in, inp, t_out, _out, _assigned = record
            if t_out <= at:
                kept.append(record)
            elif t_in <= at:  # a Wait that spans the failure
                kept.append((GENERIC, f"{prefix}StateEntered", chain, t_in, {"name": name, "input": inp}, None))
                aborted.append((GENERIC, f"{prefix}StateAborted", chain, at, None, None))
            continue
        before += 1
        _, event_type, chain, t, _details, _spawn = record
        if t > at:
            continue
        kept.append(record)
        if event_type.endswith("StateEntered"):
            in_progress[chain] = event_type[: -len("StateEntered")]
        elif event_type.endswith(("StateExited", "StateAborted")):
            in_progress.pop(chain, None)
    for chain, prefix in in_progress.items():
        if prefix != "Fail":
            aborted.append((GENERIC, f"{prefix}StateAborted", chain, at, None, None))
    trace[lo:hi] = kept
    after = sum(2 if r[0] == FUSED else 1 for r in kept) + len(aborted)
    return aborted, after - before
