"""StateMachine: the states (attrs IR) and the transitions between them, viewable as a networkx graph."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from sfnkit.conditions import Condition
from sfnkit.frozen import sparse
from sfnkit.states import Catcher, ChoiceRule, Map, Parallel, State

if TYPE_CHECKING:
    import graphviz
    import networkx as nx

__all__ = ["CATCH", "CHOICE", "DEFAULT", "NEXT", "StateMachine", "Transition"]

TransitionKind = Literal["Next", "Default", "Choice", "Catch"]
NEXT: Final = "Next"
DEFAULT: Final = "Default"
CHOICE: Final = "Choice"
CATCH: Final = "Catch"


@sparse
@attrs.frozen(kw_only=True, slots=False)
class Transition:
    """An edge of the graph with its ASL meaning: ``Next``, ``Default``, ``Choices[i]`` or ``Catch[i]``.

    ``order`` is the index in ``Choices``/``Catch`` (0 for ``Next``/``Default``): networkx keeps out-edges grouped
    by target, so ASL order must travel on the edge. ``rule``/``catcher`` are the very objects the state holds.
    """

    kind: TransitionKind
    order: int = 0
    rule: ChoiceRule | None = None
    catcher: Catcher | None = None

    @property
    def key(self) -> str:
        """The edge key, as the ASL field that holds the target: ``Next``, ``Choices[0]``, ``Catch[1]``."""
        match self.kind:
            case "Choice":
                return f"Choices[{self.order}]"
            case "Catch":
                return f"Catch[{self.order}]"
            case _:
                return self.kind

    @property
    def condition(self) -> Condition | None:
        """The Choice rule's condition, for a ``Choices[i]`` edge."""
        return None if self.rule is None else self.rule.condition

    @property
    def errors(self) -> tuple[str, ...]:
        """The errors a ``Catch[i]`` edge handles."""
        return () if self.catcher is None else self.catcher.error_equals


Edges = tuple[tuple[Transition, str], ...]
_NO_EDGES: Edges = ()


def _readonly(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return value if isinstance(value, MappingProxyType) else MappingProxyType(dict(value))


@attrs.frozen(kw_only=True, eq=False)
class StateMachine:
    """A state machine (or a Parallel branch, or a Map item processor): states plus ordered transitions.

    ``states`` keeps definition order; ``edges[name]`` lists a state's out-transitions in ASL order (a state with
    no entry and no terminal type is an ``End`` state). ``graph`` is the same machine as a frozen networkx
    ``MultiDiGraph`` (nodes carry ``state=``, edges carry ``transition=`` and are keyed by ``Transition.key``).
    Equality is identity, so a machine can key a cache of its compiled execution plan.
    """

    start_at: str
    states: Mapping[str, State] = attrs.field(converter=_readonly)
    edges: Mapping[str, Edges] = attrs.field(converter=_readonly, factory=dict)
    comment: str | None = None
    version: str | None = None
    timeout_seconds: int | None = None
    query_language: str | None = None
    name: str | None = None
    lambdas: Mapping[str, Callable[..., Any]] = attrs.field(converter=_readonly, factory=dict)

    @functools.cached_property
    def graph(self) -> nx.MultiDiGraph[str]:
        """The machine as a frozen networkx ``MultiDiGraph`` (built on first use)."""
        import networkx as nx  # imported here: networkx takes longer to import than the rest of sfnkit

        graph: nx.MultiDiGraph[str] = nx.MultiDiGraph(name=self.name or "", start_at=self.start_at)
        for name, state in self.states.items():
            graph.add_node(name, state=state)
        for name, edges in self.edges.items():
            for transition, target in edges:
                graph.add_edge(name, target, key=transition.key, transition=transition)
        frozen: nx.MultiDiGraph[str] = nx.freeze(graph)
        return frozen

    def transitions(self, name: str) -> Edges:
        """Out-transitions of state *name*, in ASL order, as ``(transition, target)`` pairs."""
        return self.edges.get(name, _NO_EDGES)

    def follow(self, name: str, key: str) -> str | None:
        """The target of *name*'s transition *key* (``"Next"``, ``"Default"``, ``"Choices[0]"``...), if any."""
        for transition, target in self.edges.get(name, _NO_EDGES):
            if transition.key == key:
                return target
        return None

    def nested(self, name: str) -> tuple[StateMachine, ...]:
        """The machines inside state *name*: a Parallel's branches or a Map's item processor."""
        match self.states[name]:
            case Parallel(branches=branches):
                return branches
            case Map(item_processor=processor) if processor is not None:
                return (processor,)
            case _:
                return ()

    def walk(self) -> Iterator[tuple[str, State, StateMachine]]:
        """Every state of the machine and of its branches and processors, as ``(name, state, owner)``."""
        pending: list[StateMachine] = [self]
        while pending:
            machine = pending.pop()
            for name, state in machine.states.items():
                yield name, state, machine
                pending.extend(reversed(machine.nested(name)))

    def to_asl(self, *, validate: bool = True) -> dict[str, Any]:
        """The ASL definition as a dict, keys in a deterministic order (validated; see ``sfnkit.asl.codec``)."""
        from sfnkit.asl.codec import to_asl

        return to_asl(self, validate=validate)

    def to_json(self, indent: int | None = 2, *, validate: bool = True) -> str:
        """The ASL definition as JSON text."""
        from sfnkit.asl.codec import to_json

        return to_json(self, indent=indent, validate=validate)

    def to_mermaid(self, **options: Any) -> str:
        """The machine as Mermaid flowchart text (see ``sfnkit.mermaid``)."""
        from sfnkit.mermaid import to_mermaid

        return to_mermaid(self, **options)

    def to_digraph(self, **options: Any) -> graphviz.Digraph:
        """The machine drawn as a ``graphviz.Digraph`` (see ``sfnkit.render``)."""
        from sfnkit.render import render

        return render(self, **options)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Jupyter's display: the diagram as SVG, with the repr as text (``sfnkit.render.mimebundle``)."""
        from sfnkit.render import mimebundle

        return mimebundle(self, include, exclude)

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        return f"<StateMachine{label}: {len(self.states)} states, StartAt {self.start_at!r}>"
