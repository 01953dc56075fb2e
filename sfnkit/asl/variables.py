"""Workflow variables (``Assign``): names, size limits, scopes of Parallel branches and Map iterations.

Pure helpers; the interpreter and ``validate`` call them (ASL-NOTES §6):

- :func:`name_problem` — why a name cannot be a variable (Unicode identifier, at most 80 characters, not
  ``states``); :func:`assigned_names` — the names an ``Assign`` block assigns (JSONPath ``"x.$"`` assigns ``x``).
- :func:`check_sizes` — AWS's limits: one value ≤ 256 KiB, one ``Assign`` ≤ 256 KiB, all variables of an
  execution ≤ 10 MiB, measured as compact UTF-8 JSON; raises ``StatesError(States.DataLimitExceeded, ...)``.
- :func:`assigned_variables` — the ``assignedVariables`` map of a ``*StateExited`` history event.
- :class:`VariableScope` — the variables one ``States`` block sees: its own, over a read-only view of the
  enclosing block's (Parallel branches and inline Map iterations); ``assign`` returns a new scope, all names of
  one ``Assign`` at once; a distributed Map's child workflow starts with ``VariableScope.root()``.
- :func:`scope_problems` — definition errors: an inner block assigning a name an enclosing block assigns, and
  bad names.

A catcher's ``Assign`` on a Parallel or Map assigns in the scope of the Parallel/Map state itself (the outer one).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

import attrs

from sfnkit.asl.failures import DATA_LIMIT_EXCEEDED, StatesError

__all__ = [
    "MAX_ASSIGN_BYTES",
    "MAX_EXECUTION_BYTES",
    "MAX_NAME_LENGTH",
    "MAX_VARIABLE_BYTES",
    "RESERVED_NAMES",
    "VariableScope",
    "assigned_names",
    "assigned_variables",
    "check_sizes",
    "name_problem",
    "scope_problems",
    "serialized_size",
]

Json = Any

RESERVED_NAMES: Final = frozenset({"states"})
"""Names no ``Assign`` may use: ``$states`` is the reserved JSONata variable."""
MAX_NAME_LENGTH: Final = 80
MAX_VARIABLE_BYTES: Final = 256 * 1024
MAX_ASSIGN_BYTES: Final = 256 * 1024
MAX_EXECUTION_BYTES: Final = 10 * 1024 * 1024


def name_problem(name: str) -> str | None:
    """Why *name* cannot be a workflow variable, or ``None`` when it can.

    >>> name_problem("total"), name_problem("states")
    (None, "'states' is reserved for JSONata's $states; choose another variable name")
    """
    if name in RESERVED_NAMES:
        return f"{name!r} is reserved for JSONata's $states; choose another variable name"
    if len(name) > MAX_NAME_LENGTH:
        return f"variable name {name[:20]!r}... has {len(name)} characters; at most {MAX_NAME_LENGTH} are allowed"
    # ASL: a Unicode identifier. Python's identifier rule is UAX #31 too (it also allows a leading underscore).
    if not name.isidentifier():
        return (
            f"{name!r} is not a valid variable name: use letters, digits and underscores, not starting with a digit "
            "(to read part of a variable, assign the whole value and use $name.field when reading)"
        )
    return None


def assigned_names(assign: Mapping[str, Json]) -> tuple[str, ...]:
    """The variable names an ``Assign`` block assigns, in order (JSONPath ``"x.$"`` keys assign ``x``).

    >>> assigned_names({"a": 1, "b.$": "$.b"})
    ('a', 'b')
    """
    return tuple(key[:-2] if key.endswith(".$") else key for key in assign)


def serialized_size(value: Json) -> int:
    """Bytes of *value* as compact UTF-8 JSON, the measure of AWS's payload and variable limits."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def check_sizes(assigned: Mapping[str, Json], *, stored_bytes: int = 0) -> int:
    """Check one ``Assign``'s values against AWS's limits; returns their total size in bytes.

    Args:
        assigned: the evaluated values, by name.
        stored_bytes: the size of the execution's variables already stored, for the 10 MiB limit.

    Raises:
        StatesError: ``States.DataLimitExceeded`` naming the variable or limit.
    """
    total = 0
    for name, value in assigned.items():
        size = serialized_size(value)
        if size > MAX_VARIABLE_BYTES:
            raise StatesError(
                DATA_LIMIT_EXCEEDED,
                f"The value assigned to the variable '{name}' is {size} bytes; a variable can hold at most "
                f"{MAX_VARIABLE_BYTES} bytes.",
            )
        total += size
    if total > MAX_ASSIGN_BYTES:
        raise StatesError(
            DATA_LIMIT_EXCEEDED,
            f"The variables assigned together are {total} bytes; one Assign can hold at most {MAX_ASSIGN_BYTES} bytes.",
        )
    if stored_bytes + total > MAX_EXECUTION_BYTES:
        raise StatesError(
            DATA_LIMIT_EXCEEDED,
            f"The execution's variables would take {stored_bytes + total} bytes; at most {MAX_EXECUTION_BYTES} "
            "bytes can be stored per execution.",
        )
    return total


def assigned_variables(assigned: Mapping[str, Json]) -> dict[str, str]:
    """The ``assignedVariables`` of a ``*StateExited`` event: name → compact JSON text of the value.

    >>> assigned_variables({"x": "s", "n": 1})
    {'x': '"s"', 'n': '1'}
    """
    return {name: json.dumps(value, separators=(",", ":"), ensure_ascii=False) for name, value in assigned.items()}


@attrs.frozen
class VariableScope:
    """The variables visible in one ``States`` block: the block's own, over a read-only view of the enclosing ones.

    ``variables`` is what ``$name`` reads (a mapping, never copied); ``assign`` gives the scope after a state's
    ``Assign``; ``child`` gives the scope a Parallel branch or inline Map iteration starts with.
    """

    own: Mapping[str, Json] = attrs.field(factory=dict)
    outer: Mapping[str, Json] = attrs.field(factory=dict)

    @classmethod
    def root(cls) -> VariableScope:
        """The empty scope of an execution's top level (and of a distributed Map's child workflow)."""
        return cls()

    @property
    def variables(self) -> Mapping[str, Json]:
        """Every variable this block can read: its own first, then the enclosing blocks'."""
        if not self.outer:
            return self.own
        if not self.own:
            return self.outer
        return _Layered(self.own, self.outer)

    def assign(self, values: Mapping[str, Json]) -> VariableScope:
        """The scope after assigning *values* together (all were evaluated with the values at state entry)."""
        if not values:
            return self
        return VariableScope(own={**self.own, **values}, outer=self.outer)

    def child(self) -> VariableScope:
        """The scope a Parallel branch or inline Map iteration starts with: reads ours, assigns its own."""
        return VariableScope(own={}, outer=self.variables)


class _Layered(Mapping[str, Json]):
    """A read-only view of two mappings, the first winning (no copy of either)."""

    __slots__ = ("_first", "_second")

    def __init__(self, first: Mapping[str, Json], second: Mapping[str, Json]):
        self._first = first
        self._second = second

    def __getitem__(self, name: str) -> Json:
        try:
            return self._first[name]
        except KeyError:
            return self._second[name]

    def get(self, name: str, default: Any = None) -> Any:
        value = self._first.get(name, _ABSENT)
        return self._second.get(name, default) if value is _ABSENT else value

    def __contains__(self, name: object) -> bool:
        return name in self._first or name in self._second

    def __iter__(self) -> Iterator[str]:
        yield from self._first
        for name in self._second:
            if name not in self._first:
                yield name

    def __len__(self) -> int:
        return sum(1 for _ in self)


_ABSENT: Final = object()


def scope_problems(definition: Mapping[str, Json], *, location: str = "") -> list[tuple[str, str]]:
    """Definition errors about variables in an ASL state machine (or branch): ``(location, message)`` pairs.

    Reports bad names, and names assigned inside a Parallel branch or Map iteration that an enclosing block
    also assigns (AWS: inner blocks can read outer variables but not assign them).
    """
    problems: list[tuple[str, str]] = []
    _check_block(definition, frozenset(), location or "", problems)
    return problems


def _assign_blocks(state: Mapping[str, Json], where: str) -> Iterator[tuple[str, Mapping[str, Json]]]:
    """Every ``Assign`` of a state that assigns in the state's own block, with its location."""
    if isinstance(state.get("Assign"), Mapping):
        yield f"{where}.Assign", state["Assign"]
    for index, rule in enumerate(state.get("Choices") or ()):
        if isinstance(rule, Mapping) and isinstance(rule.get("Assign"), Mapping):
            yield f"{where}.Choices[{index}].Assign", rule["Assign"]
    for index, catcher in enumerate(state.get("Catch") or ()):
        if isinstance(catcher, Mapping) and isinstance(catcher.get("Assign"), Mapping):
            yield f"{where}.Catch[{index}].Assign", catcher["Assign"]


def _inner_blocks(state: Mapping[str, Json], where: str) -> Iterable[tuple[str, Mapping[str, Json], bool]]:
    """The nested ``States`` blocks of a state: (location, block, reads the enclosing variables)."""
    for index, branch in enumerate(state.get("Branches") or ()):
        if isinstance(branch, Mapping):
            yield f"{where}.Branches[{index}]", branch, True
    for key in ("ItemProcessor", "Iterator"):
        processor = state.get(key)
        if isinstance(processor, Mapping):
            mode = (processor.get("ProcessorConfig") or {}).get("Mode")
            yield f"{where}.{key}", processor, mode != "DISTRIBUTED"


def _check_block(block: Mapping[str, Json], outer: frozenset[str], where: str, problems: list[tuple[str, str]]) -> None:
    states = block.get("States")
    if not isinstance(states, Mapping):
        return
    prefix = f"{where}.States" if where else "States"
    own: set[str] = set()
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        for place, assign in _assign_blocks(state, f"{prefix}.{name}"):
            for variable in assigned_names(assign):
                problem = name_problem(variable)
                if problem is not None:
                    problems.append((f"{place}.{variable}", problem))
                elif variable in outer:
                    problems.append(
                        (
                            f"{place}.{variable}",
                            f"the variable {variable!r} is assigned by an enclosing block; a Parallel branch or Map "
                            "iteration can read it but not assign it. Use another name, and return values to the "
                            "enclosing block through the state output.",
                        )
                    )
                own.add(variable)
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        for place, inner, reads_outer in _inner_blocks(state, f"{prefix}.{name}"):
            # A distributed Map's child workflow cannot read outer variables, so it may reuse their names.
            _check_block(inner, (outer | own) if reads_outer else frozenset(), place, problems)
