"""The intrinsics of strings and JSON text: Format, StringToJson, JsonToString, Base64Encode, Base64Decode, Hash,
JsonMerge, StringSplit.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from collections.abc import Sequence
from typing import Final

import attrs

from sfnkit.asl.intrinsics.values import _compact, _fail, _string, _type_name, render_format_value
from sfnkit.asl.quotas import MAX_DEPTH, too_deep
from sfnkit.asl.scope import Json, Scope

_MAX_CHARS: Final = 10_000


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


def _string_split(name: str, args: list[Json], scope: Scope) -> Json:
    text = _string(name, args[0], "the first argument")
    delimiters = _string(name, args[1], "the second argument (the delimiters)")
    if not delimiters:
        return [text] if text else []
    # AWS: every character of the delimiter string separates; empty tokens are dropped [AWS-observed].
    pattern = "[" + "".join(re.escape(char) for char in delimiters) + "]"
    return [token for token in re.split(pattern, text) if token]
