"""JSON values in and out of jsonata-python, the JavaScript way: null vs undefined, numbers, ``$string`` text."""

from __future__ import annotations

import json
import math
from typing import Any, Final, Literal

from sfnkit.asl.jsonata_python import Jsonata, Parser, Utils

__all__ = [
    "MAX_ITEMS",
    "MAX_STRING_LENGTH",
    "NULL",
    "JsonType",
    "NotJson",
    "TooLarge",
    "check_string",
    "check_string_length",
    "describe_value",
    "js_boolean",
    "js_number",
    "js_string",
    "js_stringify",
    "json_type",
    "null_items",
    "to_json",
]

Json = Any
JsonType = Literal["array", "object", "string", "number", "integer", "boolean", "null"]

NULL: Final = Utils.NULL_VALUE
"""jsonata-python's JSONata ``null``; Python ``None`` means *undefined* inside the engine."""

_MAX_SAFE_INTEGER: Final = 2**53  # JavaScript numbers are doubles: integers are exact up to here


class NotJson(Exception):
    """A JSONata result that has no JSON form (a function)."""


# Local guards (AWS documents none): one evaluation may step over at most MAX_ITEMS sequence items (ranges
# included) and build no string longer than MAX_STRING_LENGTH. A result must fit in 256 KiB anyway; these stop
# `[1..10000000].[1..10]` or a doubling `$reduce` long before they exhaust memory or time.
MAX_ITEMS: Final = 1_000_000
MAX_STRING_LENGTH: Final = 10_000_000


class TooLarge(Exception):
    """An intermediate value passed a local bound (:data:`MAX_ITEMS`, :data:`MAX_STRING_LENGTH`)."""


def check_string(value: Any) -> None:
    """Raise :class:`TooLarge` when *value* is a string longer than :data:`MAX_STRING_LENGTH`."""
    if type(value) is str:
        check_string_length(len(value))


def check_string_length(length: int) -> None:
    """Raise :class:`TooLarge` for a string of *length* characters past :data:`MAX_STRING_LENGTH`."""
    if length > MAX_STRING_LENGTH:
        raise TooLarge(
            f"The expression built a string of {length:,} characters, past sfnkit's local bound of "
            f"{MAX_STRING_LENGTH:,} (a state's data is at most 256 KiB on AWS)"
        )


def _number(value: float | int) -> int | float:
    """*value* as the JSON number JavaScript would write: a double, integral ones without ``.0``."""
    if -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER:
        return int(value) if isinstance(value, int) or value.is_integer() else value
    if isinstance(value, int):
        value = float(value)  # JavaScript has no integers beyond 2**53: they are doubles
    if value.is_integer() and abs(value) < 1e21:
        return int(js_number(value))  # the digits JavaScript prints (2**60 is 1152921504606847000)
    return value


_LEAVES: Final = frozenset({str, bool, type(None)})
_SMALL: Final = 8  # objects up to this size are checked item by item, larger ones by _all_plain's C-level passes


def _all_plain(items: Any) -> bool:
    """Whether *items* (a list or dict values) are strings, booleans, nulls and safe integers only.

    Decided with C-level passes (``map``, ``min``, ``max``) so that big arrays of plain data cost little.
    """
    kinds = set(map(type, items))
    if kinds <= _LEAVES:
        return True
    if kinds == {int}:
        return bool(-_MAX_SAFE_INTEGER <= min(items) and max(items) <= _MAX_SAFE_INTEGER)
    return False


def null_items(value: list[Any]) -> list[Any]:
    """*value* with its JSON ``null`` items as jsonata-python's ``NULL``.

    Inside the engine ``None`` means *undefined*: an array item that is ``None`` would vanish from ``$map``,
    predicates and path steps (``[1, null][$ = null]``). Only the array's own items are converted (a copy is
    made only when one is ``None``); nested arrays keep theirs.
    """
    if None not in value:
        return value
    converted = [NULL if item is None else item for item in value]
    if isinstance(value, Utils.JList):
        sequence: list[Any] = Utils.JList(converted)
        for flag in ("sequence", "outer_wrapper", "tuple_stream", "keep_singleton", "cons"):
            setattr(sequence, flag, getattr(value, flag))
        return sequence
    return converted


def to_json(value: Any) -> Json:
    """*value* from jsonata-python as plain JSON.

    JSONata ``null`` becomes ``None``, numbers become what JavaScript would print (``3``, not ``3.0``; integers
    beyond 2**53 rounded to a double's digits), sequences become plain lists. Containers that need no change are
    returned as they are, not copied.

    Raises:
        NotJson: *value* is or contains a function.
    """
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        return value if -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER else _number(value)
    if value is NULL:
        return None
    if kind is float:
        return _number(value)
    if kind is dict:
        if len(value) > _SMALL and _all_plain(value.values()):
            return value
        changed: dict[str, Any] | None = None
        for key, item in value.items():
            item_kind = type(item)
            if item_kind is str or item_kind is bool or item is None:
                continue  # the common leaves, without a call (a state's output is mostly small objects)
            if item_kind is int and -_MAX_SAFE_INTEGER <= item <= _MAX_SAFE_INTEGER:
                continue
            new = to_json(item)
            if new is not item or type(new) is not item_kind:
                if changed is None:
                    changed = dict(value)
                changed[key] = new
        return value if changed is None else changed
    if isinstance(value, list):
        if kind is list and _all_plain(value):
            return value
        items: list[Any] | None = None if kind is list else list(value)
        for index, item in enumerate(value):
            new = to_json(item)
            if new is not item or type(new) is not type(item):
                if items is None:
                    items = list(value)
                items[index] = new
        return value if items is None else items
    if isinstance(value, int):  # int subclasses other than bool
        return int(value)
    raise NotJson


def js_number(value: float | int) -> str:
    """*value* as JavaScript's ``Number.prototype.toString`` writes it.

    >>> js_number(3.0), js_number(1e21), js_number(1e-7), js_number(0.000001), js_number(1e16)
    ('3', '1e+21', '1e-7', '0.000001', '10000000000000000')
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    try:
        # Python's repr gives the shortest round-trip digits, as JavaScript does; only the layout differs.
        text = repr(abs(float(value)))
    except OverflowError:
        return str(value)
    significand, _, exponent = text.partition("e")
    whole, _, fraction = significand.partition(".")
    digits = whole + ("" if fraction == "0" else fraction)
    point = len(whole) + int(exponent or 0)  # the decimal point sits after `point` digits
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    count = len(digits)
    # ECMA-262 Number::toString layout.
    if count <= point <= 21:
        return sign + digits + "0" * (point - count)
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * -point + digits
    head = digits[0] + ("." + digits[1:] if count > 1 else "")
    return f"{sign}{head}e{'+' if point > 0 else '-'}{abs(point - 1)}"


def _precision15(value: float | int) -> float:
    """JavaScript's ``Number(value.toPrecision(15))``, which ``$string`` applies to every number."""
    return float(f"{float(value):.15g}")


def _is_function(value: Any) -> bool:
    return isinstance(value, (Jsonata.JFunction, Jsonata.JLambda)) or (
        isinstance(value, Parser.Symbol) and getattr(value, "_jsonata_lambda", False)
    )


def _stringify(value: Any, indent: str, level: int, precision: bool) -> str | None:
    """``JSON.stringify`` with JSONata's replacer: numbers to 15 significant digits, functions dropped."""
    if value is None:
        return None  # undefined: dropped from objects, null in arrays
    if value is NULL:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return "null"
        return js_number(_precision15(value) if precision else value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if _is_function(value):
        return None
    inner = "\n" + indent * (level + 1) if indent else ""
    outer = "\n" + indent * level if indent else ""
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            # None inside data is JSON null (undefined never survives into a container); functions are dropped.
            text = "null" if item is None else _stringify(item, indent, level + 1, precision)
            if text is not None:
                parts.append(json.dumps(str(key), ensure_ascii=False) + (": " if indent else ":") + text)
        return "{" + inner + ("," + inner).join(parts) + outer + "}" if parts else "{}"
    if isinstance(value, list):
        parts = [_stringify(item, indent, level + 1, precision) or "null" for item in value]
        return "[" + inner + ("," + inner).join(parts) + outer + "]" if parts else "[]"
    return json.dumps(str(value), ensure_ascii=False)


def js_boolean(value: Any, *, argument: bool = False) -> bool | None:
    """JSONata's effective boolean value, as JavaScript JSONata 2.0.6 computes it (``None`` for undefined).

    Empty strings, arrays and objects, ``0``, ``null`` and ``false`` are false; an array is true when any item is.
    A function is true as a value (``function(){1} ? 'yes' : 'no'`` is ``'yes'``: JavaScript sees an object with
    properties) but false as the direct argument of ``$boolean``/``$not`` (*argument*), where JavaScript has
    already turned it into a plain function. jsonata-python makes functions false everywhere.
    """
    if value is None:
        return None
    if value is NULL:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return len(value) > 0
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, list):
        if len(value) == 1:
            return bool(js_boolean(value[0]))
        return any(js_boolean(item) for item in value)
    if isinstance(value, dict):
        return len(value) > 0
    if _is_function(value) or isinstance(value, Jsonata.JFunctionCallable):
        return not argument
    return False


def js_string(value: Any, prettify: bool = False) -> str | None:
    """JSONata 2.0.6's ``$string``: strings as they are, numbers to 15 significant digits, other values as JSON.

    >>> js_string(0.1 + 0.2), js_string(123456789012345678), js_string({"a": 1e-7, "b": [True, None]})
    ('0.3', '123456789012346000', '{"a":1e-7,"b":[true,null]}')
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if _is_function(value):
        return ""
    if isinstance(value, Utils.JList) and value.outer_wrapper:
        value = value[0]
    return _stringify(value, "  " if prettify else "", 0, precision=True) or ""


def js_stringify(value: Any) -> str:
    """``JSON.stringify`` as JavaScript JSONata inserts values into error messages (``undefined`` for none)."""
    text = _stringify(value, "", 0, precision=False)
    return "undefined" if text is None else text


def json_type(value: Json) -> JsonType:
    """The JSON type name AWS uses in messages: ``array``, ``object``, ``string``, ``number``, ``boolean``, ``null``.

    >>> json_type([1]), json_type(True), json_type(1.5)
    ('array', 'boolean', 'number')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def describe_value(value: Json) -> str:
    """*value* as AWS prints it in a cause: compact JSON (``{"foo":"bar"}``, ``"string"``, ``true``).

    >>> describe_value({"foo": "bar"})
    '{"foo":"bar"}'
    """
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
