"""The intrinsics of arrays: Array, ArrayPartition, ArrayContains, ArrayRange, ArrayGetItem, ArrayLength,
ArrayUnique.
"""

from __future__ import annotations

from typing import Final

from sfnkit.asl.intrinsics.values import _array, _fail, _integer, _json_key
from sfnkit.asl.scope import Json, Scope

_MAX_RANGE: Final = 1000


def _array_fn(name: str, args: list[Json], scope: Scope) -> Json:
    return list(args)


def _array_partition(name: str, args: list[Json], scope: Scope) -> Json:
    items = _array(name, args[0], "the first argument")
    size = _integer(name, args[1], "the chunk size")
    if size <= 0:
        raise _fail(name, f"the chunk size must be greater than 0, but was {size}")
    return [items[start : start + size] for start in range(0, len(items), size)]


def _array_contains(name: str, args: list[Json], scope: Scope) -> Json:
    items = _array(name, args[0], "the first argument")
    wanted = _json_key(args[1])
    return any(_json_key(item) == wanted for item in items)


def _array_range(name: str, args: list[Json], scope: Scope) -> Json:
    start = _integer(name, args[0], "the start")
    end = _integer(name, args[1], "the end")
    step = _integer(name, args[2], "the step")
    if step == 0:
        raise _fail(name, "the step must not be 0")
    # Counted before anything is allocated: (0, 99999999999, 1) must fail at once, not exhaust memory.
    count = max(0, (end - start) // step + 1)
    if count > _MAX_RANGE:
        raise _fail(name, f"the range has {count} elements; at most {_MAX_RANGE} are allowed")
    return list(range(start, end + (1 if step > 0 else -1), step))


def _array_get_item(name: str, args: list[Json], scope: Scope) -> Json:
    items = _array(name, args[0], "the first argument")
    index = _integer(name, args[1], "the index")
    if not 0 <= index < len(items):
        raise _fail(name, f"the index {index} is out of bounds for an array of length {len(items)}")
    return items[index]


def _array_length(name: str, args: list[Json], scope: Scope) -> Json:
    return len(_array(name, args[0], "the argument"))


def _array_unique(name: str, args: list[Json], scope: Scope) -> Json:
    seen: set[Json] = set()
    out: list[Json] = []
    for item in _array(name, args[0], "the argument"):
        key = _json_key(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
