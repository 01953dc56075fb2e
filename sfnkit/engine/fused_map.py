"""Fused Map loops: an inline Map whose item processor starts with a fused chain (``sfnkit.engine.fused``) runs its
iterations in one generated function, the chain written out inside the loop over the items.

Why: once a chain is fused, what an iteration costs is mostly its protocol: the run loop's checks, a call into the
chain, a dozen strand and recorder fields set and read back, and five trace records (MapIterationStarted, one per
state, MapIterationSucceeded). Here an iteration that stays on the chain to an end costs the chain's own work and
one trace record, ``(ITERATION, path, chain, iteration chain, t, index, previous iteration, values...)``: the path
(the Map's name and, per state, its name, kind and which of the values are its input and output) is a constant of
the generated code; ``sfnkit.execution.expand`` turns the record back into the very records the general path
writes, when the history is first read.

Equal to the general path (``run_inline``'s loop): an item starts here only when the whole longest path fits
under the history quota and the Express transition guard, as the chain itself checks; anything the chain does not
finish (a state it hands over, a chain that goes on at a state it does not hold, an error to place) returns to
``run_inline`` with the item's records so far written out as the general path writes them, and that item goes on
there. ``tests/test_fused.py`` compares fused and unfused executions on the recorded corpus and random machines.

A distributed Map's child executions go the same way (``_ChildWriter``, ``sfnkit.engine.map_distributed``): a child
that stays on the chain costs its states' work, its output and its size bound (its history is not the parent's);
one that leaves the chain goes on in the general loop, its strand and counts set as the chain's function sets them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sfnkit.asl.scope import DRAWS, Json
from sfnkit.engine.fused import FusedNode, _Writer
from sfnkit.engine.loop import RunState, Strand
from sfnkit.engine.node import Node
from sfnkit.execution import GENERIC, ITERATION

# (run, parent, child, inputs, index, outputs, total, previous, randoms) -> (index, total, previous, resume): items
# from *index* on, until the end or one that leaves the fast lane; *resume* (None if the next item has not started)
# is (its chain, where its records begin, the node it goes on at, its data, an error the node must place or None).
MapLoop = Callable[
    [RunState, Strand, Strand, list[Json], int, list[Json], int, "int | None", list[Any]],
    tuple[int, int, "int | None", "tuple[int, int, Node, Json, Any] | None"],
]
# (run, child, inputs, index, outputs, extra, ends, start, concurrency, randoms, on_start, variables, bound) ->
# (index, extra, resume): a distributed Map's children from *index* on (see ``_ChildWriter``); *resume* (None if the
# next child has not started) is (the node it goes on at, its data, an error the node must place or None)
ExecutionsLoop = Callable[
    [
        RunState,
        Strand,
        Sequence[Json],
        int,
        list[Json],
        int,
        "list[float] | None",
        float,
        int,
        "list[Any] | None",
        "Callable[[int, Strand], None] | None",
        dict[str, Json],
        int,
    ],
    tuple[int, int, "tuple[Node, Json, Any] | None"],
]


class _MapWriter(_Writer):
    """The chain from the processor's entry written inside the loop over the items (``self.trail`` holds the states
    recorded on the path being written, for the iteration's one record)."""

    def __init__(self, entry: Node, peers: dict[Node, FusedNode], name: str) -> None:
        super().__init__(entry, peers, recorded=False)  # (records: written here per iteration, not per state)
        self.map_name = name
        self.scope.update(GENERIC=GENERIC, ITERATION=ITERATION, NAME=name)

    def leave(self, level: int, target: str, data: str, done: int) -> None:
        if target != "None":
            self.resume(level, target, data, done, done, "None")
            return
        values: list[str] = []
        for _name, _kind, given, made in self.trail:
            values.extend(value for value in (given, made) if value not in values)
        path = (self.map_name, tuple((name, kind, values.index(a), values.index(b)) for name, kind, a, b in self.trail))
        self.emit(level, f"append((ITERATION, {self.ref(path)}, chain, ichain, t, i, previous, {', '.join(values)}))")
        self.emit(level, f"count += {2 * done + 2}; T += {done}; previous = ichain; i += 1")
        self.emit(level, f"outputs.append({data}); total += bound + 1")
        self.emit(level, "continue")

    def hand_over(self, level: int, node: Node, data: str, done: int) -> None:
        self.resume(level, self.ref(node), data, done, done, "None")  # (run_inline's loop counts its transition)

    def fail(self, level: int, node: Node, data: str, done: int) -> None:
        self.resume(level, self.ref(node), data, done, done + 1, "err")

    def resume(self, level: int, node: str, data: str, done: int, transitions: int, error: str) -> None:
        """Leave the loop in the middle of item ``i``: its records so far as the general path writes them."""
        self.emit(level, "lo = len(trace)")
        self.emit(level, "append((GENERIC, 'MapIterationStarted', chain, t, (NAME, i), ('iter', ichain, previous)))")
        for name, kind, given, made in self.trail:
            self.emit(level, f"append((FUSED, {self.ref(name)}, {kind!r}, ichain, t, {given}, t, {made}, None))")
        self.emit(level, f"rec.count = count + {1 + 2 * done}; rec.transitions = T + {transitions}")
        self.emit(level, "strand.bound = bound")
        self.emit(level, f"return i, total, previous, (ichain, lo, {node}, {data}, {error})")

    def loop(self) -> str:
        """The source of the loop (written once the chain is: its checks need the longest path)."""
        body = self.lines
        self.lines = []
        self.emit(0, "def loop(run, parent, strand, inputs, i, outputs, total, previous, randoms):")
        self.emit(1, "rec = parent.rec")
        self.emit(1, "trace = rec.trace")
        self.emit(1, "append = trace.append")
        self.emit(1, "chain = parent.chain")
        self.emit(1, "t = strand.timeline.now")
        self.emit(1, "variables = parent.variables")
        self.emit(1, "vb = parent.var_bound")
        self.emit(1, "if strand.variables is not variables:")
        self.emit(2, "strand.variables = variables; strand.var_bound = vb")
        self.emit(1, "start_bound = parent.bound")
        self.emit(1, "chains = run.chains")
        self.emit(1, "count = rec.count")
        self.emit(1, "T = rec.transitions")
        # room for the iteration's MapIterationStarted and the chain's longest path, as the chain checks it
        self.emit(1, f"limit = rec.event_limit - {2 * self.depth - 1}")
        self.emit(1, f"transition_limit = rec.transition_limit - {self.depth - 1}")
        self.emit(1, "seeded = parent.random is not None")
        self.emit(1, "n = len(inputs)")
        self.emit(1, "while i < n:")
        self.emit(2, "if count >= limit or T >= transition_limit or run.aborted:")
        self.emit(3, "break")
        self.emit(2, "d0 = inputs[i]")
        self.emit(2, "ichain = next(chains)")
        self.emit(2, "if seeded:")
        self.emit(3, "DRAWS.random = randoms[i]")
        self.emit(2, "bound = start_bound")
        self.lines.extend(body)
        self.emit(1, "rec.count = count; rec.transitions = T")
        self.emit(1, "if seeded:")
        self.emit(2, "DRAWS.random = parent.random")
        self.emit(1, "return i, total, previous, None")
        return "\n".join(self.lines) + "\n"


def map_loop(first: Node, name: str, items: int) -> MapLoop | None:
    """The generated loop of an inline Map *name* whose processor starts at *first*, when that is a fused chain's
    stand-in hot enough for *items* more entries (compiled once, kept on the stand-in); else None."""
    loop: MapLoop | None = _generated(
        first,
        items,
        lambda stand_in: _MapWriter(stand_in.entry, stand_in.peers, name),
        f"<sfnkit fused Map loop of {name!r}>",
    )
    return loop


def _generated(first: Node, items: int, writer: Callable[[FusedNode], _MapWriter | _ChildWriter], label: str) -> Any:
    """The generated loop of a Map whose processor starts at *first*, or None (see ``map_loop``)."""
    if not isinstance(first, FusedNode) or first.taken + items < first.hot:
        return None
    if first.loop_of is not None:  # (a processor belongs to one Map)
        return first.loop_of[0]
    written = writer(first)
    written.chain(first.entry, "d0", 0, 2, frozenset())
    if written.loops:  # (a loop inside the processor: its turns stay with the chain's own function)
        first.loop_of = (None,)
        return None
    source = written.loop()
    namespace = dict(written.scope, DRAWS=DRAWS)
    exec(compile(source, label, "exec"), namespace)
    function = namespace["loop"]
    first.loop_of = (function,)
    first.loop_source = source
    return function


class _ChildWriter(_Writer):
    """The chain from a distributed Map's processor entry written inside the loop over its child executions: a
    child that stays on the chain to an end costs the chain's work, its output and its size bound (its records are
    not kept: see ``fuse_block``); one that leaves it returns to the general loop (``map_distributed``) with its
    strand and counts set as the chain's function leaves them.

    Each child starts fresh (its ExecutionStarted event, no transitions, no variables): the room for the longest
    path under its own quotas is checked once for all; time stands still in the chain, so a child ends when it
    begins (with MaxConcurrency, when the child MaxConcurrency places before it ended). A child's chain number
    only links its own records: one that stays on the chain writes none and takes none."""

    def __init__(self, entry: Node, peers: dict[Node, FusedNode]) -> None:
        super().__init__(entry, peers, recorded=False)
        self.entry_growth: tuple[str, str] | None = None  # (mult, add) of the entry's size bound, if it has one

    def bounded(self, level: int, node: Node, data: str, done: int, add: str, mult: str) -> None:
        if done:
            super().bounded(level, node, data, done, add, mult)
            return
        # the entry's: every child starts at the Map's bound with no variables, so it is the same for all
        self.entry_growth = (mult, add)
        self.emit(level, "if entry_over:")
        self.hand_over(level + 1, node, data, done)
        self.emit(level, "bound = entry_bound")

    def leave(self, level: int, target: str, data: str, done: int) -> None:
        if target != "None":
            self.resume(level, target, data, done, done, "None")
            return
        self.emit(level, f"append({data}); extra += bound + 1")
        self.emit(level, "if timed:")
        self.emit(level + 1, "ends.append(begin)")
        self.emit(level, "continue")

    def hand_over(self, level: int, node: Node, data: str, done: int) -> None:
        self.resume(level, self.ref(node), data, done, done, "None")  # (the general loop counts its transition)

    def fail(self, level: int, node: Node, data: str, done: int) -> None:
        self.resume(level, self.ref(node), data, done, done + 1, "err")

    def resume(self, level: int, node: str, data: str, done: int, transitions: int, error: str) -> None:
        """Leave the loop in the middle of child ``i`` (the general loop goes on with it)."""
        self.emit(level, "strand.item = i; strand.bound = bound")
        self.emit(level, f"rec.count = {1 + 2 * done}; rec.transitions = {transitions}")
        self.emit(level, "if randoms is not None:")
        self.emit(level + 1, "strand.random = randoms[i]")
        self.emit(level, f"return i, extra, ({node}, {data}, {error})")

    def loop(self) -> str:
        """The source of the loop (written once the chain is: its check needs the longest path)."""
        body = self.lines
        self.lines = []
        self.emit(
            0,
            "def loop(run, strand, inputs, i, outputs, extra, ends, start, concurrency, randoms, "
            "on_start, variables, start_bound):",
        )
        self.emit(1, "rec = strand.rec")
        # a fresh child has one event (ExecutionStarted) and no transition: with no room for the longest path, the
        # children run state by state
        self.emit(
            1, f"if 1 >= rec.event_limit - {2 * (self.depth - 1)} or 0 >= rec.transition_limit - {self.depth - 1}:"
        )
        self.emit(2, "return i, extra, None")
        self.emit(1, "strand.variables = variables; strand.var_bound = vb = 0")
        self.emit(1, "timeline = strand.timeline")
        self.emit(1, "deadline = run.deadline")
        self.emit(1, "append = outputs.append")
        self.emit(1, "timed = ends is not None")
        if self.entry_growth is not None:
            mult, add = self.entry_growth
            self.emit(
                1, f"entry_bound = {'' if mult == '1' else f'{mult} * '}(start_bound if start_bound > 0 else 0) + {add}"
            )
            self.emit(1, "entry_over = entry_bound > MAX")
        self.emit(1, "special = concurrency or randoms is not None or on_start is not None")
        self.emit(1, "begin = start")
        self.emit(1, "n = len(inputs)")
        self.emit(1, "for i in range(i, n):")
        self.emit(2, "if run.aborted:")
        self.emit(3, "break")
        self.emit(2, "if special:")
        self.emit(3, "if concurrency and i >= concurrency:")
        self.emit(4, "begin = ends[i - concurrency]")
        self.emit(4, "if begin < start:")
        self.emit(5, "begin = start")
        self.emit(4, "if begin >= deadline:")
        self.emit(5, "break")
        self.emit(3, "if randoms is not None:")
        self.emit(4, "DRAWS.random = randoms[i]")
        self.emit(3, "if on_start is not None:")
        self.emit(4, "timeline.now = begin; strand.item = i")
        self.emit(4, "on_start(i, strand)")
        self.emit(2, "d0 = inputs[i]")
        self.emit(2, "bound = start_bound")
        self.lines.extend(body)
        self.emit(1, "else:")
        self.emit(2, "i = n")
        self.emit(1, "return i, extra, None")
        return "\n".join(self.lines) + "\n"


def executions_loop(first: Node, items: int) -> ExecutionsLoop | None:
    """The generated loop over a distributed Map's children whose processor starts at *first*, when that is a
    fused chain's stand-in hot enough for *items* more entries (compiled once, kept on the stand-in); else None."""
    label = f"<sfnkit fused loop of a distributed Map from {first.name!r}>"
    loop: ExecutionsLoop | None = _generated(
        first, items, lambda stand_in: _ChildWriter(stand_in.entry, stand_in.peers), label
    )
    return loop
