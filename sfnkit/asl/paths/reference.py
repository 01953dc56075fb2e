"""Reference paths: a ResultPath compiled into ``insert(data, value)``, which copies only the containers on the way."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Final

import attrs

from sfnkit.asl.failures import StatesError
from sfnkit.asl.paths.compiled import compile_path
from sfnkit.asl.paths.evaluate import MISSING
from sfnkit.asl.paths.tokens import ROOT_INPUT, Index, Name, Token
from sfnkit.asl.scope import Json
from sfnkit.errors import AslError

# AWS reports a ResultPath that cannot be applied to the input (e.g. the input is a string) as
# States.ReferencePathConflict, cause 'Unable to apply ReferencePath $.x to input "abc"' [AWS-observed].
REFERENCE_PATH_CONFLICT: Final = "States.ReferencePathConflict"


@attrs.frozen(eq=False)
class ReferencePath:
    """A ResultPath: where a state's result goes in its raw input (``$`` replaces the input).

    ``insert(data, value)`` returns *data* with *value* placed at the path, copying only the containers along
    the path (the rest is shared). Missing objects on the way are created and an existing value is replaced;
    a step that meets a value of the wrong kind (a field of a string, an index of an object or past the end)
    raises ``StatesError("States.ReferencePathConflict", "Unable to apply ReferencePath $.x to input ...")``.
    """

    text: str
    steps: tuple[str | int, ...]
    insert: Callable[[Json, Json], Json] = attrs.field(repr=False)


def _inserter(text: str, steps: tuple[str | int, ...]) -> Callable[[Json, Json], Json]:
    def conflict(whole: Json) -> StatesError:
        shown = json.dumps(whole, separators=(",", ":"), ensure_ascii=False)
        return StatesError(REFERENCE_PATH_CONFLICT, f"Unable to apply ReferencePath {text} to input {shown}")

    def put(node: Json, i: int, value: Json, whole: Json) -> Json:
        step = steps[i]
        last = i + 1 == len(steps)
        if type(step) is str:
            if node is MISSING:
                node = {}
            if not isinstance(node, dict):
                raise conflict(whole)
            copy = node.copy()
            copy[step] = value if last else put(node.get(step, MISSING), i + 1, value, whole)
            return copy
        assert isinstance(step, int)
        if not isinstance(node, list):
            raise conflict(whole)
        at = step + len(node) if step < 0 else step
        if not 0 <= at < len(node):
            raise conflict(whole)
        items = node.copy()
        items[at] = value if last else put(node[at], i + 1, value, whole)
        return items

    if not steps:

        def replace(data: Json, value: Json) -> Json:
            return value

        return replace
    if len(steps) == 1 and type(steps[0]) is str:
        key = steps[0]

        # The common ResultPath "$.result": one shallow copy of the input.
        def insert_one(data: Json, value: Json) -> Json:
            if type(data) is not dict:
                return put(data, 0, value, data)
            copy = data.copy()
            copy[key] = value
            return copy

        return insert_one

    def insert(data: Json, value: Json) -> Json:
        return put(data, 0, value, data)

    return insert


def compile_reference_path(text: str, *, location: str = "") -> ReferencePath:
    """Parse a ResultPath: a reference path on ``$`` (no context object, no variables).

    >>> compile_reference_path("$.result.total").insert({"a": 1}, 5)
    {'a': 1, 'result': {'total': 5}}

    Raises:
        AslError: bad syntax, or not a reference path (a wildcard, filter, slice, ``$$`` or a variable).
    """
    if not isinstance(text, str):
        compile_path(text, location=location)  # raises its AslError
    try:
        return _compile_reference_path(text)
    except AslError as error:
        raise error.at(location) from None


@functools.lru_cache(maxsize=8192)
def _compile_reference_path(text: str) -> ReferencePath:
    """compile_reference_path without a location: a ReferencePath is immutable, so one text compiles once (10,000
    states writing "$.result" share one, which keeps big machines small in memory)."""
    location = ""
    path = compile_path(text, location=location)
    if path.root != ROOT_INPUT:
        raise AslError(
            "ResultPath must be a reference path on the state input ('$...'); the context object and variables "
            "cannot be written to.",
            text=text,
            position=0,
            location=location,
        )
    steps: list[str | int] = []
    for token in path.steps:
        match token:
            case Name(names) if len(names) == 1:
                steps.append(names[0])
            case Index(indexes) if len(indexes) == 1:
                steps.append(indexes[0])
            case _:
                raise AslError(
                    "ResultPath must be a reference path: only .name, ['name'] and [index] steps, which name a "
                    "single place.",
                    text=text,
                    position=_position_of(text, token),
                    location=location,
                )
    return ReferencePath(text, tuple(steps), _inserter(text, tuple(steps)))


def _position_of(text: str, token: Token) -> int:
    marks = {"Wildcard": "*", "Scan": "..", "Filter": "?", "Slice": ":", "Function": "("}
    mark = marks.get(type(token).__name__, ",")
    at = text.find(mark)
    return max(at, 0)
