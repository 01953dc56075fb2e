"""What a JSONPath, intrinsic function or Choice rule can see: the input, the context object, the variables."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from random import Random
from typing import Any, Final, NamedTuple

__all__ = ["DRAWS", "EMPTY_VARIABLES", "Json", "Scope", "is_number"]

Json = Any
"""A JSON value as :func:`json.loads` returns it: ``None | bool | int | float | str | list | dict``."""

EMPTY_VARIABLES: Mapping[str, Json] = {}


class _Draws(threading.local):
    random: Random | None = None


DRAWS: Final = _Draws()
"""``DRAWS.random``: the random source of the thread of control running on this thread, when the run is seeded
(the engine sets it per Parallel branch and Map iteration, so a seeded run draws the same values for the same
item whatever the threads); ``None`` otherwise. A ``Scope``'s own ``random`` comes first."""


def is_number(value: Json) -> bool:
    """Whether *value* is a JSON number; ``True`` and ``False`` are not (in Python they are ints).

    >>> [is_number(v) for v in (1, 1.5, True, "1", None)]
    [True, True, False, False, False]
    """
    kind = type(value)
    return kind is int or kind is float


class Scope(NamedTuple):
    """The three roots of an ASL path: ``$`` (input), ``$$`` (the context object) and ``$name`` (variables).

    The values are shared, never copied: evaluating against a scope must not mutate them. ``random`` is the
    source of ``States.MathRandom`` (unseeded) and ``States.UUID``: pass a seeded ``random.Random`` for
    repeatable runs; ``None`` uses the operating system's randomness.

    An immutable value like the house's frozen attrs classes, but a NamedTuple: the executor builds one per
    state, and a NamedTuple is built in about half the time (measured: ~0.65 µs against ~1.2 µs).
    """

    input: Json
    context: Json = None
    variables: Mapping[str, Json] = EMPTY_VARIABLES
    random: Random | None = None
