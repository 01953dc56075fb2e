"""The JSONata functions Step Functions adds or changes (``$partition``, ``$range``, ``$hash``, ``$random``, ...).

AWS's JSONata is 2.0.6 with every built-in except ``$eval``, plus six functions (dg, "Transforming data with
JSONata in Step Functions"): ``$partition(array, size)``, ``$range(start, end, step)``, ``$hash(value, algorithm)``,
``$random([seed])``, ``$uuid()`` and ``$parse(json)``. Side effects (random numbers, UUIDs, the clock for ``$now``
and ``$millis``) come from a :class:`Runtime` chosen per evaluation, so tests and replays can fix them.

:data:`FUNCTIONS` also replaces built-ins where jsonata-python departs from JavaScript JSONata 2.0.6: every
built-in gets a signature check that types ``null`` and names the failing argument as JavaScript does;
``$number``, ``$string``, ``$power``, ``$distinct``, ``$boolean`` and ``$not`` are reimplemented; ``$toMillis``,
``$sort`` and ``$pad`` turn Python errors into JSONata's; ``$formatNumber`` and ``$formatBase`` round as JSONata
does; ``$replace`` with a string pattern replaces literally.
"""

from __future__ import annotations

import copy
import decimal
import hashlib
import json
import math
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Final

import attrs

from sfnkit.asl.jsonata_python import Functions, JException, Jsonata, Signature, Utils
from sfnkit.asl.jsonata_values import NULL, check_string_length, js_boolean, js_string

__all__ = ["FUNCTIONS", "REMOVED", "FunctionError", "Runtime", "bind_runtime", "current_millis"]


class FunctionError(Exception):
    """A Step Functions JSONata function was called with values it cannot use (message says which)."""


def _default_random() -> float:
    return random.random()


def _default_uuid() -> str:
    return str(uuid.uuid4())


def _default_clock() -> float:
    return time.time()


@attrs.frozen
class Runtime:
    """The side effects JSONata functions need: unseeded ``$random()``, ``$uuid()`` and the clock.

    ``Runtime.seeded(7)`` makes ``$random()`` and ``$uuid()`` reproducible; pass ``clock=lambda: 0.0`` to fix
    ``$now()`` and ``$millis()``.
    """

    random: Callable[[], float] = _default_random
    uuid: Callable[[], str] = _default_uuid
    clock: Callable[[], float] = _default_clock

    @classmethod
    def seeded(cls, seed: int | str, *, clock: Callable[[], float] = _default_clock) -> Runtime:
        """A runtime whose ``$random()`` and ``$uuid()`` come from one PRNG seeded with *seed*."""
        source = random.Random(seed)

        def next_uuid() -> str:
            return str(uuid.UUID(int=source.getrandbits(128), version=4))

        return cls(random=source.random, uuid=next_uuid, clock=clock)


DEFAULT_RUNTIME: Final = Runtime()


class _Current(threading.local):
    """The runtime of the evaluation running on this thread, and its timestamp once read."""

    runtime: Runtime = DEFAULT_RUNTIME
    millis: int | None = None


_CURRENT: Final = _Current()


def bind_runtime(runtime: Runtime | None) -> None:
    """Make *runtime* the one the functions use for the evaluation that starts now on this thread."""
    _CURRENT.runtime = DEFAULT_RUNTIME if runtime is None else runtime
    _CURRENT.millis = None


def current_millis() -> int:
    """The evaluation's timestamp in ms: the clock is read once per evaluation (JSONata: ``$now()`` is stable)."""
    if _CURRENT.millis is None:
        _CURRENT.millis = int(_CURRENT.runtime.clock() * 1000)
    return _CURRENT.millis


# Utils.JList: the arrays JSONata builds ([1, 2], results of functions), a list subclass no lookup should miss.
_SYMBOLS: Final = {str: "s", bool: "b", int: "n", float: "n", dict: "o", list: "a", Utils.JList: "a"}


class _Signature(Signature):  # type: ignore[misc]  # jsonata-python is untyped
    """A JSONata signature checked as JavaScript JSONata checks it.

    jsonata-python tries each partial pattern against the *whole* argument string, so every mismatch is reported
    as argument 1; JavaScript matches a prefix and reports the first argument past it. And jsonata-python types
    ``null`` as "missing" (``m``), which every parameter accepts; JavaScript types it ``l``, so
    ``$uppercase(null)`` is a T0410 there.
    """

    def get_symbol(self, value: Any) -> str:
        if value is NULL:
            return "l"
        # The common JSON types directly: jsonata-python's version imports a module on every call.
        kind = type(value)
        symbol = _SYMBOLS.get(kind)
        if symbol is None:
            symbol = "m" if value is None else super().get_symbol(value)
        return symbol

    _plans: dict[str, tuple[tuple[int, str], ...] | None] | None = None

    def validate(self, args: Any, context: Any) -> Any:
        # The arguments' type letters decide all of jsonata-python's validation but the item types of typed
        # arrays, so the outcome for each string of letters is worked out once (a few per function). When the
        # arguments pass unchanged (nothing missing, nothing wrapped into an array), only the items of typed
        # arrays are checked here; anything else, and every failure, is jsonata-python's own validation.
        get_symbol = self.get_symbol
        symbols = "".join([get_symbol(arg) for arg in args])
        plans = self._plans
        if plans is None:
            plans = self._plans = {}
        try:
            plan = plans[symbols]
        except KeyError:
            plan = plans[symbols] = self._plan(symbols)
        if plan is None:
            return super().validate(args, context)
        for index, item_symbol in plan:
            for item in args[index]:
                if _SYMBOLS.get(type(item)) != item_symbol:
                    return super().validate(args, context)  # raises T0412, or handles a rare type
        return list(args)

    def _plan(self, symbols: str) -> tuple[tuple[int, str], ...] | None:
        """For arguments typed *symbols* that validate unchanged: (argument index, item type letter) of each typed
        array; ``None`` when validation may change the arguments or fail."""
        matched = self._regex.fullmatch(symbols)
        if matched is None:
            return None
        typed: list[tuple[int, str]] = []
        position = 0
        for index, param in enumerate(self._params):
            group = matched.group(index + 1)
            if not group:
                return None  # a missing argument: the context value may stand in
            for single in group:
                if param.type == "a":
                    if single != "a":
                        return None  # a value wrapped into an array
                    if param.subtype is not None:
                        typed.append((position, str(param.subtype[0])))
                position += 1
        return tuple(typed)

    def throw_validation_error(self, bad_args: Any, bad_sig: str, function_name: str) -> None:
        pattern = "^"
        good_to = 0
        for param in self._params:
            pattern += param.regex
            found = re.match(pattern, bad_sig)
            if found is None:
                break
            good_to = found.end()
        raise JException("T0410", -1, good_to + 1, function_name)


def _with_fixed_signature(function: Any) -> Any:
    """A shallow copy of a jsonata-python built-in whose signature reports mismatches as JavaScript does."""
    fixed = copy.copy(function)
    if function.signature is not None:
        signature = _Signature.__new__(_Signature)
        signature.__dict__.update(function.signature.__dict__)
        fixed.signature = signature
    return fixed


class _Native(Jsonata.JFunction):  # type: ignore[misc]  # jsonata-python is untyped
    """A Python function exposed to JSONata with a JSONata signature (argument checks give ``T0410``)."""

    def __init__(self, name: str, signature: str, implementation: Callable[..., Any], arity: int):
        super().__init__(None, None)
        self.function_name = name
        self.signature = _Signature(signature, name)
        self._implementation = implementation
        self._arity = arity

    def call(self, input: Any, args: Sequence[Any] | None) -> Any:
        values = list(args or ())
        values += [None] * (self._arity - len(values))
        return self._implementation(*values)

    def get_number_of_args(self) -> int:
        return self._arity


class _Guarded(Jsonata.JFunction):  # type: ignore[misc]  # jsonata-python is untyped
    """A jsonata-python built-in whose Python errors become the JSONata error JavaScript raises."""

    def __init__(self, name: str, code: str):
        super().__init__(None, None)
        self._builtin = Jsonata.static_frame.lookup(name)
        self.function_name = name
        self.signature = _with_fixed_signature(self._builtin).signature
        self._code = code

    def call(self, input: Any, args: Sequence[Any] | None) -> Any:
        try:
            return self._builtin.call(input, args)
        except TimeoutError:  # a regex past its time bound (an OSError, but not the function's own error)
            raise
        except (ValueError, TypeError, OverflowError, OSError):
            raise JException(self._code, -1, args[0] if args else None) from None

    def get_number_of_args(self) -> int:
        count: int = self._builtin.get_number_of_args()
        return count


def _integer(value: Any) -> int:
    # AWS: "integer parameters are floored" (ASL-NOTES §4.6).
    floored: int = math.floor(value)
    return floored


def _partition(array: Any, size: Any) -> Any:
    if array is None or size is None:
        return None
    items = array if isinstance(array, list) else [array]
    chunk = _integer(size)
    if chunk < 1:
        raise FunctionError(f"The chunk size of $partition must be a positive integer, but was {size}")
    # A plain list, not a sequence: AWS returns [[0]] for $partition([0], 1).
    return [list(items[start : start + chunk]) for start in range(0, len(items), chunk)]


_MAX_RANGE: Final = 10_000_000  # JSONata's own limit for the range operator (D2014)


def _range(start: Any, end: Any, step: Any) -> Any:
    if start is None or end is None or step is None:
        return None
    first, last, increment = _integer(start), _integer(end), _integer(step)
    if increment == 0:
        raise FunctionError("The step of $range must not be 0")
    count = (last - first) // increment + 1
    if count > _MAX_RANGE:
        raise FunctionError(f"$range would create {count} numbers; at most {_MAX_RANGE} are allowed")
    # A sequence: a single number comes out bare (AWS: $range(1, 9, 9) is 1), none is undefined.
    return Utils.create_sequence_from_iter(range(first, last + (1 if increment > 0 else -1), increment))


_HASHES: Final[dict[str, str]] = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


def _hash(value: Any, algorithm: Any) -> Any:
    if value is None or algorithm is None:
        return None
    name = _HASHES.get(algorithm)
    if name is None:
        choices = ", ".join(_HASHES)
        raise FunctionError(f"The hash algorithm {algorithm!r} is not supported; use one of {choices}")
    return hashlib.new(name, (js_string(value) or "").encode()).hexdigest()


def _random(seed: Any) -> float:
    if seed is None:
        return _CURRENT.runtime.random()
    # The same seed gives the same number (AWS); the numbers themselves differ from AWS's generator.
    return random.Random(js_string(seed)).random()


def _uuid() -> str:
    return _CURRENT.runtime.uuid()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse(text: Any) -> Any:
    if text is None:
        return None
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except ValueError as error:
        raise FunctionError(f"$parse could not parse {json.dumps(text)} as JSON: {error}") from None
    return NULL if value is None else value


_DECIMAL: Final = re.compile(r"-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?")
_RADIX: Final = re.compile(r"0([xX][0-9A-Fa-f]+|[oO][0-7]+|[bB][01]+)")


def _number(value: Any) -> Any:
    # JSONata 2.0.6 (JavaScript): decimal text as JSON writes it, or 0x/0o/0b integers; Python's float() would
    # also take " 1", "1_000", ".5", "NaN" and "Infinity".
    if value is None:
        return None
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        if _DECIMAL.fullmatch(value):
            number = float(value)
            if math.isfinite(number):
                return number
        elif _RADIX.fullmatch(value):
            return int(value, 0)
    raise JException("D3030", -1, value)


def _power(base: Any, exponent: Any) -> Any:
    # JavaScript's Math.pow gives NaN or Infinity where Python raises or returns a complex number; JSONata turns
    # both into D3061.
    if base is None or exponent is None:
        return None
    try:
        result = math.pow(float(base), float(exponent))
    except (ValueError, OverflowError, ZeroDivisionError):
        result = math.nan
    if not math.isfinite(result):
        raise JException("D3061", -1, base, exponent)
    return Utils.convert_number(result)


_MAX_STRING: Final = 2**29 - 24  # V8's longest string; JavaScript raises "Invalid string length" beyond it


class _Pad(_Guarded):
    """``$pad`` refusing widths no JavaScript string can have (instead of filling memory)."""

    def call(self, input: Any, args: Sequence[Any] | None) -> Any:
        if args and len(args) > 1 and isinstance(args[1], (int, float)):
            if abs(args[1]) > _MAX_STRING:
                raise FunctionError("RangeError: Invalid string length")
            check_string_length(int(abs(args[1])))  # checked before the string is built
        return super().call(input, args)


def _boolean(value: Any) -> Any:
    return js_boolean(value, argument=True)


def _not(value: Any) -> Any:
    truth = js_boolean(value, argument=True)
    return None if truth is None else not truth


def _distinct(values: Any) -> Any:
    # JavaScript compares with deep equality where true is not 1 (Python's == would merge them).
    if not isinstance(values, list) or len(values) <= 1:
        return values
    results: list[Any] = Utils.create_sequence() if Utils.is_sequence(values) else []
    for value in values:
        if not any(Utils.is_deep_equal(value, kept) for kept in results):
            results.append(value)
    return results


def _fraction_places(value: float, picture: str, options: Any) -> tuple[int, int] | None:
    """How many fraction digits *picture* shows for *value*, and the percent/per-mille scale (``None`` when the
    picture has an exponent, whose mantissa JSONata computes differently)."""
    option = options if isinstance(options, dict) else {}
    sub_pictures = picture.split(option.get("pattern-separator", ";"))
    sub_picture = sub_pictures[1] if value < 0 and len(sub_pictures) > 1 else sub_pictures[0]
    exponent = option.get("exponent-separator", "e")
    zero = option.get("zero-digit", "0")
    digits = {chr(ord(zero) + offset) for offset in range(10)} | {option.get("digit", "#")}
    _, point, fraction = sub_picture.partition(option.get("decimal-separator", "."))
    if exponent in sub_picture.replace(point, "", 1) and any(
        char in digits for char in sub_picture.split(exponent)[-1]
    ):
        return None
    scale = (
        100 if option.get("percent", "%") in sub_picture else 1000 if option.get("per-mille", "‰") in sub_picture else 1
    )
    return sum(char in digits for char in fraction), scale


class _FormatNumber(_Guarded):
    """``$formatNumber`` rounding as JSONata does: half to even on the decimal digits (``0.125`` → ``"0.12"``).

    jsonata-python rounds half up on the binary value (``0.125`` → ``"0.13"``, ``2.675`` → ``"2.67"``); the value
    is first rounded JSONata's way, then formatted by jsonata-python.
    """

    def call(self, input: Any, args: Sequence[Any] | None) -> Any:
        values = list(args or ())
        if len(values) >= 2 and isinstance(values[1], str) and type(values[0]) in (int, float):
            found = _fraction_places(float(values[0]), values[1], values[2] if len(values) > 2 else None)
            if found is not None and math.isfinite(values[0]):
                places, scale = found
                shifted = decimal.Decimal(repr(float(values[0]) * scale))
                rounded = shifted.quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_EVEN)
                values[0] = float(rounded) / scale
        return super().call(input, values)


class _Replace(_Guarded):
    """``$replace`` with a string pattern replaces literally, as JavaScript does (jsonata-python expands ``$0``)."""

    def call(self, input: Any, args: Sequence[Any] | None) -> Any:
        values = list(args or ()) + [None] * 4
        text, pattern, replacement, limit = values[:4]
        if not (isinstance(text, str) and isinstance(pattern, str) and isinstance(replacement, str)):
            return super().call(input, args)
        if pattern == "":
            raise JException("D3010", -1)
        if limit is not None and limit < 0:
            raise JException("D3011", -1)
        # JavaScript replaces while its count is below the limit: a fractional limit rounds up.
        return text.replace(pattern, replacement, -1 if limit is None else math.ceil(limit))


class _FormatBase(_Guarded):
    """``$formatBase`` rounding its radix half to even, as JSONata's ``$round`` (jsonata-python truncates)."""

    def call(self, input: Any, args: Sequence[Any] | None) -> Any:
        values = list(args or ())
        if len(values) > 1 and type(values[1]) in (int, float):
            values[1] = round(values[1])
        return super().call(input, values)


def _now(picture: Any, timezone: Any) -> Any:
    return Functions.datetime_from_millis(current_millis(), picture, timezone)


def _millis() -> int:
    return current_millis()


def _string(value: Any, prettify: Any) -> Any:
    return js_string(value, bool(prettify))


FUNCTIONS: Final[dict[str, Jsonata.JFunction]] = {
    # Every built-in, with JavaScript's argument index in signature errors; then AWS's changes over them.
    **{
        name: _with_fixed_signature(function)
        for name, function in Jsonata.static_frame.bindings.items()
        if isinstance(function, Jsonata.JFunction)
    },
    "partition": _Native("partition", "<an:a>", _partition, 2),
    "range": _Native("range", "<nnn:a<n>>", _range, 3),
    "hash": _Native("hash", "<xs:s>", _hash, 2),
    "random": _Native("random", "<x?:n>", _random, 1),
    "uuid": _Native("uuid", "<:s>", _uuid, 0),
    "parse": _Native("parse", "<s:x>", _parse, 1),
    "number": _Native("number", "<(nsb)-:n>", _number, 1),
    "string": _Native("string", "<x-b?:s>", _string, 2),
    "power": _Native("power", "<n-n:n>", _power, 2),
    "distinct": _Native("distinct", "<x:x>", _distinct, 1),
    "boolean": _Native("boolean", "<x-:b>", _boolean, 1),
    "not": _Native("not", "<x-:b>", _not, 1),
    "now": _Native("now", "<s?s?:s>", _now, 2),
    "millis": _Native("millis", "<:n>", _millis, 0),
    # jsonata-python lets Python errors out of these; JavaScript raises D3110 / D3070 / a RangeError.
    "toMillis": _Guarded("toMillis", "D3110"),
    "sort": _Guarded("sort", "D3070"),
    "pad": _Pad("pad", "D3137"),
    "formatNumber": _FormatNumber("formatNumber", "D3137"),
    "replace": _Replace("replace", "D3137"),
    "formatBase": _FormatBase("formatBase", "D3137"),
}
"""The functions bound over JSONata's built-ins, by name (without ``$``)."""

REMOVED: Final = frozenset({"eval"})
"""Built-ins AWS does not provide (dg: "$eval is not available - use $parse instead")."""
