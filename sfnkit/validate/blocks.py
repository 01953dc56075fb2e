"""The walk of ``sfnkit.validate``: every ``{StartAt, States}`` block (the machine, each Parallel branch, each Map
processor), its states and the variables visible in it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping

import attrs

from sfnkit.asl.schema import BlockKind
from sfnkit.asl.variables import assigned_names
from sfnkit.errors import Problem
from sfnkit.validate.common import Json, _at, _index, _is_object


@attrs.frozen
class _Block:
    """One ``{StartAt, States}`` object and where it sits."""

    body: Mapping[str, Json]
    where: str  # location of the block itself: "" for the machine, "States.Fan.Branches[1]" for a branch
    kind: BlockKind
    outer_variables: frozenset[str]  # variables assigned by the enclosing blocks (ASL-NOTES §6.4)
    states: tuple[tuple[str, Mapping[str, Json]], ...]  # (name, state) of the States entries that are objects
    prefix: str  # location of the States object: "States" or "States.Fan.Branches[1].States"

    @classmethod
    def of(cls, body: Mapping[str, Json], where: str, kind: BlockKind, outer_variables: frozenset[str]) -> _Block:
        states = body.get("States")
        entries = states.items() if _is_object(states) else ()
        pairs = tuple((name, state) for name, state in entries if _is_object(state))
        return cls(body, where, kind, outer_variables, pairs, _at(where, "States"))

    def state_location(self, name: str) -> str:
        return f"{self.prefix}.{name}"


@attrs.frozen
class _State:
    """One state, with what the checks need to know about its surroundings."""

    name: str
    body: Mapping[str, Json]
    where: str
    type: str | None  # None when Type is missing or not a state type
    language: str  # the effective query language
    machine_language: str
    outer_variables: frozenset[str]


def _blocks(definition: Mapping[str, Json]) -> list[_Block]:
    """The machine and every nested block, outer before inner (iterative: no recursion per state)."""
    top = _Block.of(definition, "", BlockKind.MACHINE, frozenset())
    found = [top]
    queue = deque([top])
    while queue:
        block = queue.popleft()
        visible = block.outer_variables | _assigned_in(block)
        for name, state in block.states:
            state_type = state.get("Type")
            if state_type != "Parallel" and state_type != "Map":
                continue  # no nested blocks
            for kind, where, body in _children(state, block.state_location(name)):
                # A Distributed Map's items run as child executions that cannot see (so may reuse) outer variables.
                outer = frozenset() if _is_distributed(body) else visible
                child = _Block.of(body, where, kind, outer)
                found.append(child)
                queue.append(child)
    return found


def _children(state: Mapping[str, Json], where: str) -> Iterator[tuple[BlockKind, str, Mapping[str, Json]]]:
    if state.get("Type") == "Parallel" and isinstance(state.get("Branches"), list):
        for position, branch in enumerate(state["Branches"]):
            if _is_object(branch):
                yield BlockKind.BRANCH, _index(_at(where, "Branches"), position), branch
    if state.get("Type") == "Map":
        for key in ("ItemProcessor", "Iterator"):
            if _is_object(state.get(key)):
                yield BlockKind.PROCESSOR, _at(where, key), state[key]


def _is_distributed(block: Mapping[str, Json]) -> bool:
    config = block.get("ProcessorConfig")
    return _is_object(config) and config.get("Mode") == "DISTRIBUTED"


def _assigned_in(block: _Block) -> frozenset[str]:
    """Variables that states of *block* assign (state, Choice rule and catcher Assign)."""
    names: set[str] = set()
    for _, state in block.states:
        if "Assign" in state:
            _add_assigned(names, state["Assign"])
        for key in ("Choices", "Catch"):
            parts = state.get(key)
            if isinstance(parts, list):
                for part in parts:
                    if _is_object(part) and "Assign" in part:
                        _add_assigned(names, part["Assign"])
    return frozenset(names)


def _add_assigned(names: set[str], assign: Json) -> None:
    if _is_object(assign):
        names.update(assigned_names({key: None for key in assign if isinstance(key, str)}))


def _state_homes(blocks: list[_Block]) -> dict[str, str]:
    """State name -> location of the block that first defines it (for cross-block Next messages)."""
    homes: dict[str, str] = {}
    for block in blocks:
        for name, _ in block.states:
            homes.setdefault(name, block.where)
    return homes


def _block_label(where: str) -> str:
    return f"the States block at {where}" if where else "the top-level States"


_ValueCheck = Callable[[Json, str, _State], Iterator[Problem]]
