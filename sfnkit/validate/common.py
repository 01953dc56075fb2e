"""Locations, value tests and message helpers shared by every rule of ``sfnkit.validate``."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final, TypeGuard

from sfnkit.asl import schema
from sfnkit.asl.schema import JSONATA, JSONPATH
from sfnkit.errors import AslError, Problem, caret

Json = Any

_MAX_LISTED_NAMES: Final = 8

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
_LAMBDA_ARN = re.compile(r"arn:[\w-]+:lambda:[\w-]+:\d{12}:function:[\w.-]+(:[\w$.-]+)?")
_ACTIVITY_ARN = re.compile(r"arn:[\w-]+:states:[\w-]+:\d{12}:activity:[^:\s]+")
_INTEGRATION_ARN = re.compile(r"arn:[\w-]+:states:::[\w-]+:\S+")
_READER_ARN = re.compile(r"arn:[\w-]+:states:::s3:(getObject|listObjectsV2)")
_WRITER_ARN = re.compile(r"arn:[\w-]+:states:::s3:putObject")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# ASL-NOTES §10 item 19: characters a Map Run label (like a machine or execution name) may not contain.
_LABEL_FORBIDDEN = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
_STATES_MEMBER = re.compile(r"\$states\s*\.\s*(result|errorOutput)\b")


def _at(base: str, key: object) -> str:
    return f"{base}.{key}" if base else str(key)


def _index(base: str, position: int) -> str:
    return f"{base}[{position}]"


def _field(location: str) -> str:
    """The last field name of *location*: ``States.A.Retry[0].MaxAttempts`` -> ``MaxAttempts``."""
    return location.rsplit(".", 1)[-1]


def _show(value: Json) -> str:
    """*value* as a short text for a message, whatever it is (a 5,000-digit int, a 3,000-deep list, a cycle)."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        try:
            text = repr(value)
        except (ValueError, RecursionError):
            text = f"<a {type(value).__name__} too large or deep to show>"
    return text if len(text) <= 60 else text[:57] + "..."


def _key_problem(key: object, where: str) -> Problem:
    """A non-string field name at *where*: reported, because json.dumps would quietly turn the key 1 into "1"."""
    return Problem(where, f"Field names are strings in JSON; got {_show(key)} ({type(key).__name__}).")


def _bad_keys(node: Mapping[Any, Json], where: str) -> Iterator[Problem]:
    """The non-string field names of the object *node* at *where* (not those of objects inside it)."""
    return (_key_problem(key, _at(where, key)) for key in node if not isinstance(key, str))


def _walk(value: Json, where: str) -> Iterator[tuple[Json, str]]:
    """*value* and every value inside it, with its location, in document order. Iterative: any depth."""
    stack: list[tuple[Json, str]] = [(value, where)]
    while stack:
        node, here = stack.pop()
        yield node, here
        if _is_object(node):
            stack.extend((item, _at(here, key)) for key, item in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend((item, _index(here, i)) for i, item in reversed(list(enumerate(node))))


def _key_problems(value: Json, where: str) -> Iterator[Problem]:
    """Every non-string field name inside a literal JSON value (a Pass state's Result)."""
    for node, here in _walk(value, where):
        if _is_object(node):
            yield from _bad_keys(node, here)


def _is_object(value: Json) -> TypeGuard[Mapping[str, Json]]:
    # dict first: the abc check behind isinstance(value, Mapping) dominates the run time otherwise.
    return type(value) is dict or isinstance(value, Mapping)


def _is_int(value: Json) -> TypeGuard[int]:
    # bool before int: True is an int in Python but not a number in ASL.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Json) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _names_hint(target: str, names: Iterable[str]) -> str:
    """`` Did you mean 'X'?`` or ``Use one of: A, B, C.``"""
    candidates = [name for name in names if isinstance(name, str)]
    close = difflib.get_close_matches(target, candidates, n=1) if len(candidates) < 5000 else []
    if close:
        return f"Did you mean {close[0]!r}? (names are case-sensitive)"
    if not candidates:
        return "Name a state that exists."
    shown = ", ".join(repr(n) for n in candidates[:_MAX_LISTED_NAMES])
    more = ", ..." if len(candidates) > _MAX_LISTED_NAMES else ""
    return f"Use one of: {shown}{more}."


def _asl_message(error: AslError) -> str:
    """The error's message with its caret drawing, without its location (the Problem carries that)."""
    if error.text is not None and error.position is not None:
        return f"{error.message}\n{caret(error.text, min(error.position, len(error.text)))}"
    return error.message


_WRONG_TRANSITION: Final[Mapping[tuple[str, str], str]] = {
    ("Choice", "Next"): 'A Choice state has no Next: put "Next" in each Choices rule and use "Default" for the rest.',
    ("Choice", "End"): "A Choice state cannot end its block: point a rule or Default at a Succeed state instead.",
    ("Succeed", "Next"): "A Succeed state always ends its block: remove Next (use a Pass state to continue).",
    ("Succeed", "End"): "A Succeed state always ends its block: remove End.",
    ("Fail", "Next"): "A Fail state always ends its block: remove Next (use a Pass state to continue).",
    ("Fail", "End"): "A Fail state always ends its block: remove End.",
}


def _unknown_field_message(state_type: str, key: str) -> str:
    if (state_type, key) in _WRONG_TRANSITION:
        return _WRONG_TRANSITION[(state_type, key)]
    owners = [t for t, fields in schema.STATE_FIELDS.items() if key in fields]
    if owners:
        return f"{key!r} is not a field of a {state_type} state (only of {', '.join(owners)}); remove it."
    hint = _close_field(key, schema.STATE_FIELDS[state_type])
    return f"{key!r} is not a field of a {state_type} state; remove it.{hint}"


def _close_field(key: str, fields: Iterable[str]) -> str:
    close = difflib.get_close_matches(str(key), list(fields), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def _other_language_message(key: str, language: str) -> str:
    other = JSONPATH if language == JSONATA else JSONATA
    hint = schema.OTHER_LANGUAGE_HINT.get(key)
    instead = f" In {language}, {hint}." if hint else ""
    return (
        f"{key!r} is a {other} field, but this state uses {language}.{instead} Or set "
        f'"QueryLanguage": "{other}" on the state.'
    )
