"""The tokens of a parsed ASL path (one per step) and its roots; which steps are *definite* (select one value)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import attrs

from sfnkit.asl.scope import Json

ROOT_INPUT: Final = "$"
ROOT_CONTEXT: Final = "$$"


@attrs.frozen
class Name:
    """``.a`` / ``['a']`` (one name) or ``['a','b']`` (several: merged into one object when last)."""

    names: tuple[str, ...]

    def fragment(self) -> str:
        return "[" + ", ".join(f"'{n}'" for n in self.names) + "]"


@attrs.frozen
class Index:
    """``[0]``, ``[-1]`` or the union ``[0,2]``."""

    indexes: tuple[int, ...]

    def fragment(self) -> str:
        return "[" + ",".join(str(i) for i in self.indexes) + "]"


@attrs.frozen
class Slice:
    """``[start:stop]`` (Jayway has no step)."""

    start: int | None
    stop: int | None

    def fragment(self) -> str:
        start = "" if self.start is None else str(self.start)
        stop = "" if self.stop is None else str(self.stop)
        return f"[{start}:{stop}]"


@attrs.frozen
class Wildcard:
    """``.*`` / ``[*]``: every member of an object or element of an array."""

    def fragment(self) -> str:
        return "[*]"


@attrs.frozen
class Scan:
    """``..``: the next token applied at every depth."""

    def fragment(self) -> str:
        return ".."


@attrs.frozen
class Filter:
    """``[?(expr)]``: the objects for which *expr* holds."""

    test: Callable[[Json, Json], bool] = attrs.field(eq=False)
    text: str

    def fragment(self) -> str:
        return "[?]"


@attrs.frozen
class Function:
    """``.length()`` and friends: Jayway parses them, AWS finds nothing [AWS-observed: '$.Jobs.sum()']."""

    name: str

    def fragment(self) -> str:
        return f".{self.name}()"


Token = Name | Index | Slice | Wildcard | Scan | Filter | Function


def all_definite(steps: tuple[Token, ...]) -> bool:
    """Jayway's ``isDefinite``: no step can select several values (a multi-name step merges when last)."""
    return all(is_definite(token, last=n + 1 == len(steps)) for n, token in enumerate(steps))


def is_definite(token: Token, *, last: bool) -> bool:
    match token:
        case Name(names):
            return len(names) == 1 or last
        case Index(indexes):
            return len(indexes) == 1
        case Slice() | Wildcard() | Scan() | Filter():
            return False
        case Function():
            return True


def arity(token: Token) -> tuple[object, ...]:
    match token:
        case Name(names):
            return names
        case Index(indexes):
            return indexes
        case _:
            return ()
