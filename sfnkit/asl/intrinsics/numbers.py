"""The intrinsics of numbers and random draws: MathRandom (``java.util.Random``'s sequence when seeded), MathAdd,
UUID.
"""

from __future__ import annotations

import uuid
from random import Random, SystemRandom
from typing import Final

from sfnkit.asl.intrinsics.values import _compact, _fail, _type_name, java_math_round
from sfnkit.asl.scope import DRAWS, Json, Scope, is_number

_SYSTEM_RANDOM: Final = SystemRandom()


class _JavaRandom:
    """``java.util.Random``'s generator, so a seeded MathRandom gives a value that depends only on the seed."""

    def __init__(self, seed: int):
        self.state = (seed ^ 0x5DEECE66D) & ((1 << 48) - 1)

    def next_bits(self, bits: int) -> int:
        self.state = (self.state * 0x5DEECE66D + 0xB) & ((1 << 48) - 1)
        value = self.state >> (48 - bits)
        return value - (1 << bits) if value >= 1 << (bits - 1) and bits == 32 else value

    def next_int(self, bound: int) -> int:
        if bound & -bound == bound:
            return (bound * self.next_bits(31)) >> 31
        while True:
            bits = self.next_bits(31)
            value = bits % bound
            if bits - value + (bound - 1) < (1 << 31):
                return value


def _math_random(name: str, args: list[Json], scope: Scope) -> Json:
    for position, value in enumerate(args):
        if not is_number(value):
            what = ("the start", "the end", "the seed")[position]
            raise _fail(name, f"{what} must be a number, but was {_type_name(value)}: {_compact(value)}")
    start, end = java_math_round(args[0]), java_math_round(args[1])
    if end <= start:
        raise _fail(name, f"the end ({end}) must be greater than the start ({start})")
    span = end - start
    if len(args) == 3:
        if span < 1 << 31:
            return start + _JavaRandom(java_math_round(args[2])).next_int(span)
        return start + Random(java_math_round(args[2])).randrange(span)
    source: Random = scope.random or DRAWS.random or _SYSTEM_RANDOM
    return start + source.randrange(span)


def _math_add(name: str, args: list[Json], scope: Scope) -> Json:
    left, right = args
    if type(left) is int and type(right) is int:
        return left + right
    for what, value in (("the first argument", left), ("the second argument", right)):
        if not is_number(value):
            raise _fail(name, f"{what} must be a number, but was {_type_name(value)}: {_compact(value)}")
    return java_math_round(left) + java_math_round(right)  # AWS rounds each argument first [AWS-observed]


def _uuid(name: str, args: list[Json], scope: Scope) -> Json:
    source = scope.random or DRAWS.random
    if source is None:
        return str(uuid.uuid4())
    return str(uuid.UUID(int=source.getrandbits(128), version=4))
