"""What every intrinsic shares: argument checks that fail with ``States.IntrinsicFailure``, Java's printing of
numbers (``Math.round``, ``Double.toString``) as States.Format and MathAdd use it, and JSON equality keys.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

from sfnkit.asl.failures import INTRINSIC_FAILURE, StatesError
from sfnkit.asl.scope import Json

__all__ = ["java_math_round", "render_format_value"]


def _type_name(value: Json) -> str:
    match value:
        case None:
            return "null"
        case bool():
            return "boolean"
        case int() | float():
            return "number"
        case str():
            return "string"
        case list():
            return "array"
        case dict():
            return "object"
        case _:
            return type(value).__name__


def _fail(name: str, message: str) -> StatesError:
    return StatesError(INTRINSIC_FAILURE, f"Invalid arguments in {name}: {message}")


def _string(name: str, value: Json, what: str) -> str:
    if not isinstance(value, str):
        raise _fail(name, f"{what} must be a string, but was {_type_name(value)}: {_compact(value)}")
    return value


def _array(name: str, value: Json, what: str) -> list[Json]:
    if not isinstance(value, list):
        raise _fail(name, f"{what} must be an array, but was {_type_name(value)}: {_compact(value)}")
    return value


def _integer(name: str, value: Json, what: str) -> int:
    if type(value) is int:
        return value  # even 401 digits: converting to float would overflow
    if type(value) is float and value.is_integer():
        return int(value)
    raise _fail(name, f"{what} must be an integer, but was {_type_name(value)}: {_compact(value)}")


def _compact(value: Json) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def java_math_round(value: float) -> int:
    """Java's ``Math.round``: to the nearest integer, ties toward +infinity (AWS rounds MathAdd's arguments so).

    >>> [java_math_round(x) for x in (1.5, -1.5, 2.5, -2.5, 1.49, 0.49999999999999994)]
    [2, -1, 3, -2, 1, 0]
    """
    if type(value) is int:
        return value
    whole = math.floor(value)
    # x - floor(x) is exact for doubles, unlike floor(x + 0.5), which rounds 0.49999999999999994 up.
    return whole + 1 if value - whole >= 0.5 else whole


def _java_double(value: float) -> str:
    """Java's ``Double.toString`` (shortest digits): how AWS prints a non-integer number in States.Format.

    >>> [_java_double(x) for x in (1.1, 1.0, 1e20, 0.0001, -2.5e-7)]
    ['1.1', '1.0', '1.0E20', '1.0E-4', '-2.5E-7']
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    magnitude = abs(value)
    if magnitude == 0 or 1e-3 <= magnitude < 1e7:
        text = repr(value)
        if "e" in text:  # Python switches to exponents earlier than Java for tiny decimals
            text = format(Decimal(text), "f")
        return text if "." in text else text + ".0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    shown = "".join(str(d) for d in digits)
    power = len(shown) - 1 + exponent
    mantissa = shown[0] + "." + (shown[1:] or "0")
    return f"{'-' if sign else ''}{mantissa}E{power}"


def render_format_value(value: Json) -> str:
    """How States.Format prints an argument: strings bare, ``null``, JSON numbers, Java-style maps and lists.

    >>> render_format_value({"Arg1": 1, "Arg2": [], "s": "x"})
    '{Arg1=1, Arg2=[], s=x}'
    """
    match value:
        case None:
            return "null"
        case bool():
            return "true" if value else "false"
        case int():
            return str(value)
        case float():
            return _java_double(value)
        case str():
            return value
        case list():
            return "[" + ", ".join(render_format_value(item) for item in value) + "]"
        case dict():
            return "{" + ", ".join(f"{key}={render_format_value(item)}" for key, item in value.items()) + "}"
        case _:
            return str(value)


def _json_key(value: Json) -> Json:
    """A hashable stand-in for *value* under JSON equality (1 == 1.0, true != 1, key order ignored)."""
    match value:
        case bool() | None | str():
            return (type(value).__name__, value)
        case int() | float():
            return ("number", float(value) if not float(value).is_integer() else int(value))
        case list():
            return ("array", tuple(_json_key(item) for item in value))
        case dict():
            return ("object", frozenset((key, _json_key(item)) for key, item in value.items()))
        case _:
            return ("other", repr(value))
