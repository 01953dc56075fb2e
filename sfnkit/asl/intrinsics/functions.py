"""Every intrinsic function by name (``FUNCTIONS``): its implementation and how many arguments it takes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import attrs

from sfnkit.asl.intrinsics.arrays import (
    _array_contains,
    _array_fn,
    _array_get_item,
    _array_length,
    _array_partition,
    _array_range,
    _array_unique,
)
from sfnkit.asl.intrinsics.numbers import _math_add, _math_random, _uuid
from sfnkit.asl.intrinsics.text import (
    _base64_decode,
    _base64_encode,
    _format,
    _hash,
    _json_merge,
    _json_to_string,
    _string_split,
    _string_to_json,
)
from sfnkit.asl.scope import Json, Scope

__all__ = ["FUNCTIONS"]


_Impl = Callable[[str, list[Json], Scope], Json]


@attrs.frozen
class _Function:
    """One intrinsic: its implementation and how many arguments it takes."""

    impl: _Impl = attrs.field(eq=False)
    min_args: int
    max_args: int | None  # None: any number


FUNCTIONS: Final[dict[str, _Function]] = {
    "States.Format": _Function(_format, 1, None),
    "States.StringToJson": _Function(_string_to_json, 1, 1),
    "States.JsonToString": _Function(_json_to_string, 1, 1),
    "States.Array": _Function(_array_fn, 0, None),
    "States.ArrayPartition": _Function(_array_partition, 2, 2),
    "States.ArrayContains": _Function(_array_contains, 2, 2),
    "States.ArrayRange": _Function(_array_range, 3, 3),
    "States.ArrayGetItem": _Function(_array_get_item, 2, 2),
    "States.ArrayLength": _Function(_array_length, 1, 1),
    "States.ArrayUnique": _Function(_array_unique, 1, 1),
    "States.Base64Encode": _Function(_base64_encode, 1, 1),
    "States.Base64Decode": _Function(_base64_decode, 1, 1),
    "States.Hash": _Function(_hash, 2, 2),
    "States.JsonMerge": _Function(_json_merge, 3, 3),
    "States.MathRandom": _Function(_math_random, 2, 3),
    "States.MathAdd": _Function(_math_add, 2, 2),
    "States.StringSplit": _Function(_string_split, 2, 2),
    "States.UUID": _Function(_uuid, 0, 0),
}
"""Every intrinsic function AWS offers in JSONPath states, by name."""
