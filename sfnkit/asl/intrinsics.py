"""ASL intrinsic functions (``States.Format(...)`` and friends): parse once, evaluate against a Scope.

Arguments are ``'strings'`` (escapes ``\\'`` ``\\{`` ``\\}`` ``\\\\``), numbers, ``true``/``false``/``null``,
paths (``$.x``, ``$$.x``, ``$name``) and nested calls. Wrong syntax, an unknown function or a wrong number of
arguments is an :class:`~sfnkit.errors.AslError` when the definition is compiled; a bad argument *value* fails
the state at run time with ``States.IntrinsicFailure``. A path argument that matches nothing raises
:class:`~sfnkit.asl.paths.PathNotFound` for the caller (the payload template) to report.

AWS behaviour pinned by the recorded corpus (``intrinsic_functions``): StringToJson of ``""``/``" "`` is null;
MathAdd rounds each argument as Java's ``Math.round``; StringSplit splits on every character of the delimiter
string and drops empty pieces; Format prints objects Java-style (``{Arg1=1, Arg2=[]}``) and null as ``null``.
Not recorded anywhere, so chosen here: the text of ``States.IntrinsicFailure`` causes; MathRandom's range
``[start, end)`` and, with a seed, ``java.util.Random``'s sequence; JsonMerge ``true`` merges deeply (spec);
ArrayRange accepts a negative step.

Spec: https://states-language.net/spec.html#appendix-b ; AWS: "Intrinsic functions for JSONPath states".
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import math
import re
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from random import Random, SystemRandom
from typing import Final

import attrs

from sfnkit.asl.failures import INTRINSIC_FAILURE, StatesError
from sfnkit.asl.paths import compile_path, input_keys
from sfnkit.asl.quotas import MAX_DEPTH, too_deep
from sfnkit.asl.scope import DRAWS, Json, Scope, is_number
from sfnkit.errors import AslError

__all__ = [
    "FUNCTIONS",
    "MAX_NESTING",
    "compile_direct_intrinsic",
    "compile_intrinsic",
    "is_intrinsic",
    "java_math_round",
    "render_format_value",
]

_Eval = Callable[[Scope], Json]
_Impl = Callable[[str, list[Json], Scope], Json]

MAX_NESTING: Final = 10
"""AWS accepts at most this many nested intrinsic calls in one field."""
_MAX_CHARS: Final = 10_000
_MAX_RANGE: Final = 1000
_SYSTEM_RANDOM: Final = SystemRandom()


# --- values -------------------------------------------------------------------------------------------------


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


# --- the functions ------------------------------------------------------------------------------------------


@attrs.frozen
class _Template:
    """A States.Format template split at its ``{}`` placeholders (escaped braces already resolved)."""

    pieces: tuple[str, ...]

    @property
    def holes(self) -> int:
        return len(self.pieces) - 1

    def fill(self, values: Sequence[Json]) -> str:
        out = [self.pieces[0]]
        for value, piece in zip(values, self.pieces[1:], strict=True):
            out.append(render_format_value(value))
            out.append(piece)
        return "".join(out)


def _split_template(text: str, *, escapes: bool) -> _Template:
    pieces: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if escapes and char == "\\" and i + 1 < len(text):
            current.append(text[i + 1])
            i += 2
            continue
        if char == "{" and text.startswith("{}", i):
            pieces.append("".join(current))
            current = []
            i += 2
            continue
        current.append(char)
        i += 1
    pieces.append("".join(current))
    return _Template(tuple(pieces))


def _format(name: str, args: list[Json], scope: Scope, template: _Template | None = None) -> Json:
    if template is None:
        template = _split_template(_string(name, args[0], "the first argument (the template)"), escapes=False)
    values = args[1:]
    if template.holes != len(values):
        raise _fail(
            name,
            f"the template has {template.holes} placeholder{'s' * (template.holes != 1)} '{{}}' but "
            f"{len(values)} value{'s' * (len(values) != 1)} followed it",
        )
    return template.fill(values)


def _string_to_json(name: str, args: list[Json], scope: Scope) -> Json:
    text = _string(name, args[0], "the argument")
    if not text.strip():
        return None  # AWS: "" and " " give null [AWS-observed]
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
        deep = too_deep(value)
    except ValueError:
        raise _fail(name, f"the string is not valid JSON: {text}") from None
    except RecursionError:  # 100,000 nested brackets
        deep = True
    if deep:
        raise _fail(name, f"the JSON is nested more than {MAX_DEPTH} levels deep (sfnkit's local bound)")
    return value


def _reject_constant(constant: str) -> Json:
    raise ValueError(constant)  # NaN and Infinity are not JSON


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(text)  # 1e400: not representable as a double
    return value


def _json_to_string(name: str, args: list[Json], scope: Scope) -> Json:
    return _compact(args[0])


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


def _limited(name: str, text: str, what: str) -> str:
    if len(text) > _MAX_CHARS:
        raise _fail(name, f"{what} has {len(text)} characters; at most {_MAX_CHARS} are allowed")
    return text


def _base64_encode(name: str, args: list[Json], scope: Scope) -> Json:
    text = _limited(name, _string(name, args[0], "the argument"), "the string")
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _base64_decode(name: str, args: list[Json], scope: Scope) -> Json:
    text = _limited(name, _string(name, args[0], "the argument"), "the string")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise _fail(name, f"the string is not valid base64-encoded UTF-8 text: {text}") from None


_HASHES: Final = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def _hash(name: str, args: list[Json], scope: Scope) -> Json:
    data = args[0] if isinstance(args[0], str) else _compact(args[0])
    algorithm = _string(name, args[1], "the algorithm")
    if algorithm not in _HASHES:
        raise _fail(name, f"the algorithm must be one of {', '.join(_HASHES)}, but was {algorithm}")
    _limited(name, data, "the data")
    return hashlib.new(_HASHES[algorithm], data.encode("utf-8")).hexdigest()


def _deep_merge(left: dict[str, Json], right: dict[str, Json]) -> dict[str, Json]:
    out = dict(left)
    for key, value in right.items():
        mine = out.get(key)
        out[key] = _deep_merge(mine, value) if isinstance(mine, dict) and isinstance(value, dict) else value
    return out


def _json_merge(name: str, args: list[Json], scope: Scope) -> Json:
    left, right, deep = args
    if not isinstance(left, dict):
        raise _fail(name, f"the first argument must be an object, but was {_type_name(left)}: {_compact(left)}")
    if not isinstance(right, dict):
        raise _fail(name, f"the second argument must be an object, but was {_type_name(right)}: {_compact(right)}")
    if not isinstance(deep, bool):
        raise _fail(name, f"the third argument must be a boolean, but was {_type_name(deep)}: {_compact(deep)}")
    if deep:
        return _deep_merge(left, right)
    return {**left, **right}  # shallow: the right object's value wins on a clash


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


def _string_split(name: str, args: list[Json], scope: Scope) -> Json:
    text = _string(name, args[0], "the first argument")
    delimiters = _string(name, args[1], "the second argument (the delimiters)")
    if not delimiters:
        return [text] if text else []
    # AWS: every character of the delimiter string separates; empty tokens are dropped [AWS-observed].
    pattern = "[" + "".join(re.escape(char) for char in delimiters) + "]"
    return [token for token in re.split(pattern, text) if token]


def _uuid(name: str, args: list[Json], scope: Scope) -> Json:
    source = scope.random or DRAWS.random
    if source is None:
        return str(uuid.uuid4())
    return str(uuid.UUID(int=source.getrandbits(128), version=4))


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


# --- the parser ---------------------------------------------------------------------------------------------

_NAME: Final = re.compile(r"[A-Za-z0-9_.]+")
_NUMBER: Final = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")
_KEYWORDS: Final = {"true": True, "false": False, "null": None}


def is_intrinsic(text: str) -> bool:
    """Whether *text* is spelled as an intrinsic function call (``States.Name(...)``), not a path or literal."""
    return isinstance(text, str) and text.startswith("States.") and "(" in text


@attrs.frozen
class _Literal:
    value: Json
    raw: str | None = None  # a string literal as written between its quotes (for States.Format's braces)


class _Parser:
    def __init__(self, text: str, location: str):
        self.text = text
        self.location = location
        self.pos = 0

    def fail(self, message: str, position: int | None = None) -> AslError:
        return AslError(
            message, text=self.text, position=self.pos if position is None else position, location=self.location
        )

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def spaces(self) -> None:
        while self.peek() and self.peek() in " \t\r\n":
            self.pos += 1

    def whole(self) -> _Eval:
        self.spaces()
        evaluate = self.call(depth=1)
        self.spaces()
        if self.pos != len(self.text):
            raise self.fail("Unexpected text after the intrinsic function call: remove it.")
        return evaluate

    def call(self, depth: int) -> _Eval:
        start = self.pos
        match = _NAME.match(self.text, self.pos)
        if match is None:
            raise self.fail("Expected an intrinsic function name such as States.Format.")
        name = match.group(0)
        self.pos = match.end()
        if name not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise self.fail(f"Unknown intrinsic function {name!r}; AWS offers {known}.", start)
        if depth > MAX_NESTING:
            raise self.fail(f"More than {MAX_NESTING} nested intrinsic functions in one field.", start)
        if self.peek() != "(":
            raise self.fail(f"Expected '(' after {name}.")
        self.pos += 1
        args: list[_Eval | _Literal] = []
        self.spaces()
        if self.peek() == ")":
            self.pos += 1
        else:
            while True:
                self.spaces()
                args.append(self.argument(depth))
                self.spaces()
                char = self.peek()
                if char == ",":
                    self.pos += 1
                    continue
                if char == ")":
                    self.pos += 1
                    break
                if not char:
                    raise self.fail(f"Unclosed call to {name}: add ')'.", start)
                raise self.fail(f"Expected ',' or ')' in the arguments of {name}, found {char!r}.")
        return _bind(name, args, self, start)

    def argument(self, depth: int) -> _Eval | _Literal:
        char = self.peek()
        if char == "'":
            return self.string()
        if char == "$":
            return self.path()
        if char == "-" or char.isdigit():
            match = _NUMBER.match(self.text, self.pos)
            if match is None:
                raise self.fail("Bad number.")
            self.pos = match.end()
            number = match.group(0)
            value: Json = float(number) if any(c in number for c in ".eE") else int(number)
            return _Literal(value)
        for word, value in _KEYWORDS.items():
            end = self.pos + len(word)
            if self.text.startswith(word, self.pos) and not (end < len(self.text) and self.text[end].isalnum()):
                self.pos = end
                return _Literal(value)
        if self.text.startswith("States.", self.pos):
            return self.call(depth + 1)
        if not char:
            raise self.fail("Expected an argument, but the text ended.")
        raise self.fail(
            f"Unexpected {char!r}: an argument is a 'string', a number, true, false, null, a path ($...) or "
            "another intrinsic function."
        )

    def string(self) -> _Literal:
        start = self.pos
        self.pos += 1
        chars: list[str] = []
        raw_start = self.pos
        while True:
            char = self.peek()
            if not char:
                raise self.fail("Unclosed string: add a closing quote (write \\' for a quote inside it).", start)
            if char == "\\":
                escaped = self.text[self.pos + 1 : self.pos + 2]
                if not escaped:
                    raise self.fail("A backslash must escape a character (\\' \\{ \\} \\\\).")
                chars.append(escaped)
                self.pos += 2
                continue
            if char == "'":
                raw = self.text[raw_start : self.pos]
                self.pos += 1
                return _Literal("".join(chars), raw)
            chars.append(char)
            self.pos += 1

    def path(self) -> _Eval:
        start = self.pos
        depth = 0
        quote = ""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if quote:
                if char == "\\":
                    self.pos += 1
                elif char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char in "[(":
                depth += 1
            elif char in "])":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                break
            self.pos += 1
        text = self.text[start : self.pos].rstrip()
        try:
            return compile_path(text, location=self.location).find
        except AslError as error:
            position = start + (error.position or 0)
            raise AslError(error.message, text=self.text, position=position, location=self.location) from None


def _constant(value: Json) -> _Eval:
    def constant(_scope: Scope) -> Json:
        return value

    return constant


def _bind(name: str, args: list[_Eval | _Literal], parser: _Parser, start: int) -> _Eval:
    function = FUNCTIONS[name]
    count = len(args)
    if count < function.min_args or (function.max_args is not None and count > function.max_args):
        if function.max_args is None:
            expected = f"at least {function.min_args}"
        elif function.min_args == function.max_args:
            expected = str(function.min_args)
        else:
            expected = f"{function.min_args} to {function.max_args}"
        plural = "" if expected.endswith(" 1") or expected == "1" else "s"
        raise parser.fail(f"{name} takes {expected} argument{plural}, but got {count}.", start)
    impl = function.impl
    first = args[0] if args else None
    if name == "States.Format" and isinstance(first, _Literal):
        if not isinstance(first.value, str):
            raise parser.fail("States.Format's first argument (the template) must be a string.", start)
        assert first.raw is not None
        # A literal template's escapes (\{ \}) are resolved here, once.
        template = _split_template(first.raw, escapes=True)
        values = [_constant(a.value) if isinstance(a, _Literal) else a for a in args[1:]]
        if template.holes != len(values):
            # Known now, but AWS reports it when the state runs: fail then, like any bad argument.
            def format_mismatch(scope: Scope) -> Json:
                return _format(name, ["", *[v(scope) for v in values]], scope, template)

            return format_mismatch
        head, tail = template.pieces[0], template.pieces[1:]
        pairs = list(zip(values, tail, strict=True))
        render = render_format_value

        def format_call(scope: Scope) -> Json:
            out = [head]
            for evaluate, piece in pairs:
                value = evaluate(scope)
                out.append(value if type(value) is str else render(value))
                out.append(piece)
            return "".join(out)

        return format_call
    if len(args) == 2 and not isinstance(args[0], _Literal) and isinstance(args[1], _Literal):
        # The common shape f($.x, literal), e.g. States.MathAdd($.i, 1): no call for the literal.
        dynamic, literal = args[0], args[1].value

        def call_path_literal(scope: Scope) -> Json:
            return impl(name, [dynamic(scope), literal], scope)

        return call_path_literal
    evaluators = [_constant(a.value) if isinstance(a, _Literal) else a for a in args]
    if len(evaluators) == 1:
        (only,) = evaluators

        def call_1(scope: Scope) -> Json:
            return impl(name, [only(scope)], scope)

        return call_1
    if len(evaluators) == 2:
        first_arg, second_arg = evaluators

        def call_2(scope: Scope) -> Json:
            return impl(name, [first_arg(scope), second_arg(scope)], scope)

        return call_2

    def call(scope: Scope) -> Json:
        return impl(name, [evaluate(scope) for evaluate in evaluators], scope)

    return call


def compile_intrinsic(text: str, *, location: str = "") -> Callable[[Scope], Json]:
    """Parse an intrinsic function call once; the result evaluates it against a :class:`Scope`.

    >>> from sfnkit.asl.scope import Scope
    >>> compile_intrinsic("States.Format('Hello, {}!', $.name)")(Scope({"name": "Ann"}))
    'Hello, Ann!'

    Raises:
        AslError: bad syntax, an unknown function, or a wrong number of arguments (caret at the fault).
    """
    if not isinstance(text, str):
        raise AslError(f"An intrinsic function call must be a string, not {text!r}.", location=location)
    try:
        return _compile_intrinsic(text)
    except AslError as error:
        raise error.at(location) from None


@functools.lru_cache(maxsize=4096)
def _compile_intrinsic(text: str) -> Callable[[Scope], Json]:
    """compile_intrinsic without a location: the evaluator is pure, so one text compiles once per process."""
    return _Parser(text, "").whole()


_MATH_ADD_PATH_INT: Final = re.compile(r"States\.MathAdd\(\s*(\$[^,()]*?)\s*,\s*(-?(?:0|[1-9][0-9]*))\s*\)")


def compile_direct_intrinsic(text: Json) -> Callable[[Json], Json] | None:
    """The common counter ``States.MathAdd($.a.b, <integer>)`` as one function of the input (no Scope); None for
    any other call.

    ``add(data)`` gives what ``compile_intrinsic(text)(Scope(data))`` gives when the path finds an integer; for
    anything else (a missing path, a float, a string) it raises ``KeyError`` or ``TypeError`` and the caller runs
    the full call, which rounds or raises AWS's error. Call it only for a text the full compiler accepted.

    >>> compile_direct_intrinsic("States.MathAdd($.i, 1)")({"i": 41})
    42
    """
    if not isinstance(text, str):
        return None
    match = _MATH_ADD_PATH_INT.fullmatch(text)
    keys = input_keys(match.group(1)) if match else None
    if match is None or keys is None or not keys:
        return None
    step = int(match.group(2))
    *outer, last = keys

    def add(data: Json) -> Json:
        for key in outer:
            data = data[key]
        value = data[last]
        if type(value) is not int:
            raise TypeError("not an integer: the full call decides")
        return value + step

    return add
