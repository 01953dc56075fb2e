"""Lay a ``States`` block out as the DSL builds one: chains of steps, choice branches, catch handlers, gotos.

``sfnkit.build`` turns a tree of steps into a graph: each step is followed by the next one of its chain, and the
last one of a chain by what follows the construct the chain hangs from (the choice, the failing step), or by
nothing (``End``). This module runs that backwards: it claims every state once, along its main line first (so
that the main path reads as one chain and branches rejoin it implicitly), and writes a ``goto`` wherever the
graph goes somewhere the tree would not.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

import attrs

from sfnkit.machine import StateMachine
from sfnkit.states import Choice, is_terminal

__all__ = ["Layout", "Seq", "lay_out"]

_EXIT = "\x00exit"  # the virtual end of the block, for post-dominators (no state name holds a NUL)


@attrs.define
class Seq:
    """Steps in a row (state names); then, optionally, a ``goto(target)`` or an ``end()``."""

    items: list[str]
    goto: str | None = None
    end: bool = False


@attrs.define
class Layout:
    """A block laid out: its main chain, and for each state the sequences hanging from it."""

    root: Seq
    after: dict[str, str | None]  # the state each placed state's chain continues with (its Next)
    rules: dict[str, list[Seq]]  # choice -> a sequence per rule
    defaults: dict[str, Seq | None]  # choice -> its otherwise (None: falls through to what follows the choice)
    handlers: dict[str, list[Seq | None]]  # state -> a sequence per catcher (None: goes on after the state)
    problems: list[tuple[str, str]]  # (state, why the DSL cannot build it so)


def lay_out(machine: StateMachine, absorbed: Mapping[str, str]) -> Layout:
    """Lay *machine* (one block) out; *absorbed* maps a Task to the Pass the DSL adds after it (and lays out)."""
    return _Layouter(machine, absorbed).run()


class _Layouter:
    def __init__(self, machine: StateMachine, absorbed: Mapping[str, str]) -> None:
        self.machine = machine
        self.absorbed = absorbed
        self.claimed: set[str] = set(absorbed.values())
        self.queue: deque[str] = deque()
        self.layout = Layout(root=Seq([]), after={}, rules={}, defaults={}, handlers={}, problems=[])
        self._ipdom: dict[str, str] | None = None
        self._sources: dict[str, int] | None = None

    def next_of(self, name: str) -> str | None:
        """Where *name* goes on (through the Pass the DSL adds after a Lambda task)."""
        return self.machine.follow(self.absorbed.get(name, name), "Next")

    def run(self) -> Layout:
        self.layout.root = self.chain(self.machine.start_at, None)
        while self.queue:
            self.kids(self.queue.popleft())
        unplaced = [name for name in self.machine.states if name not in self.claimed]
        for name in unplaced:
            self.layout.problems.append((name, "no transition leads to it from its block's StartAt"))
        return self.layout

    def chain(self, start: str, after: str | None) -> Seq:
        """The chain that starts at *start* and is followed by *after* (a state name, or None: End)."""
        seq = Seq([])
        current = start
        while True:
            self.claimed.add(current)
            seq.items.append(current)
            state = self.machine.states[current]
            if isinstance(state, Choice):
                self.queue.append(current)
                join = self.join(current, after)
                if join is not None:
                    self.layout.after[current] = join
                    current = join
                    continue
                self.layout.after[current] = after
                break
            if any(transition.kind == "Catch" for transition, _ in self.machine.transitions(current)):
                self.queue.append(current)  # its handlers are laid out after this chain
            if is_terminal(state):
                self.layout.after[current] = None
                break
            target = self.next_of(current)
            if target is None:
                self.layout.after[current] = None
                seq.end = after is not None  # the chain would go on to `after`: end() stops it
                break
            self.layout.after[current] = target
            if target == after:
                break
            if target in self.claimed:
                seq.goto = target
                break
            current = target
        return seq

    def branch(self, target: str, after: str | None) -> Seq:
        """A choice branch or catch handler that starts at *target*."""
        if target in self.claimed or target == after:
            return Seq([], goto=target)
        return self.chain(target, after)

    def kids(self, name: str) -> None:
        after = self.layout.after[name]
        transitions = self.machine.transitions(name)
        if isinstance(self.machine.states[name], Choice):
            rules = sorted((t.order, target) for t, target in transitions if t.kind == "Choice")
            self.layout.rules[name] = [self.branch(target, after) for _, target in rules]
            default = self.machine.follow(name, "Default")
            if default is None:  # without otherwise= the choice would fall through to `after`
                self.layout.defaults[name] = None if after is None else Seq([], end=True)
            else:
                self.layout.defaults[name] = None if default == after else self.branch(default, after)
            return
        handlers: list[Seq | None] = []
        for _, target in sorted((t.order, target) for t, target in transitions if t.kind == "Catch"):
            handlers.append(None if target == after else self.branch(target, after))
        self.layout.handlers[name] = handlers

    def join(self, name: str, after: str | None) -> str | None:
        """Where every path from the choice *name* meets again, if the DSL can write it as ``choice(...) >> join``."""
        if self.machine.follow(name, "Default") is None:
            return None  # the choice would get the join as its Default
        join = self.post_dominators().get(name)
        if join is None or join == _EXIT or join in self.claimed or join == after:
            return None
        # Only a state reached from several places is a join; one reached from a single branch reads better there.
        return join if self.sources().get(join, 0) >= 2 else None

    def sources(self) -> dict[str, int]:
        """How many states have a transition to each state."""
        if self._sources is None:
            counts: dict[str, int] = {}
            for name in self.machine.states:
                for target in {target for _, target in self.machine.transitions(name)}:
                    counts[target] = counts.get(target, 0) + 1
            self._sources = counts
        return self._sources

    def post_dominators(self) -> dict[str, str]:
        if self._ipdom is None:
            import networkx as nx

            graph: nx.DiGraph[str] = nx.DiGraph()
            graph.add_node(_EXIT)
            for name, state in self.machine.states.items():
                graph.add_node(name)
                targets = [target for _, target in self.machine.transitions(name)]
                for target in targets:
                    graph.add_edge(target, name)  # reversed: dominators of the reverse graph from the exit
                ends = is_terminal(state) or self.machine.follow(name, "Next") is None
                if isinstance(state, Choice):
                    ends = self.machine.follow(name, "Default") is None  # no match: States.NoChoiceMatched
                if ends:
                    graph.add_edge(_EXIT, name)
            self._ipdom = dict(nx.immediate_dominators(graph, _EXIT))
        return self._ipdom
