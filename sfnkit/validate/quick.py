"""The quick yes: whether every state check would pass a state, answered without building messages."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Final

import attrs

from sfnkit.asl import schema
from sfnkit.asl.schema import JSONATA, JSONPATH, Kind, Lang, Operand
from sfnkit.validate.choice import _bad_escape
from sfnkit.validate.common import (
    _ACTIVITY_ARN,
    _INTEGRATION_ARN,
    _LAMBDA_ARN,
    Json,
    _is_int,
    _is_number,
    _is_object,
    _key_problems,
)
from sfnkit.validate.fields import _VALUE_CHECKS
from sfnkit.validate.syntax import _intrinsic_verdict, _path_verdict, _reference_path_verdict
from sfnkit.validate.values import _is_timestamp

# Most states of a machine are plainly valid, and for them the state checks (``states``) cost far more than their
# verdict: each builds locations and runs a generator per rule. ``_quick_state`` answers "would every state check
# report nothing?" without either. It mirrors those checks field kind by field kind, says yes only when they would
# find no problem, and says no to anything it does not cover (Map states, Assign, Credentials, JSONata values, Retry
# and Catch, nested Choice rules...): such a state goes through the full checks, which alone write messages.
# tests/test_validate.py holds it to that on the corpus and on mutated states.

_QuickCheck = Callable[[Json], bool]


def _quick_text(value: Json) -> bool:
    return isinstance(value, str)


def _quick_literal_json(value: Json) -> bool:
    return not isinstance(value, Mapping | list) or next(_key_problems(value, ""), None) is None


def _quick_end(value: Json) -> bool:
    return isinstance(value, bool)


def _quick_path(value: Json) -> bool:
    return value is None or (isinstance(value, str) and _path_verdict(value)[0] is None)


def _quick_result_path(value: Json) -> bool:
    if value is None:
        return True
    if not isinstance(value, str) or value.startswith("$$"):
        return False
    if len(value) > 1 and value.startswith("$") and value[1] not in ".[":
        return False
    return _reference_path_verdict(value) is None


def _quick_reference_path(value: Json) -> bool:
    if not isinstance(value, str):
        return False
    message, is_definite = _path_verdict(value)
    return message is None and is_definite


def _quick_error_path(value: Json) -> bool:
    if not isinstance(value, str):
        return False
    return _quick_reference_path(value) if value.startswith("$") else _intrinsic_verdict(value) is None


def _quick_dynamic_value(value: Json) -> bool:
    if not isinstance(value, str):
        return False
    return _path_verdict(value)[0] is None if value.startswith("$") else _intrinsic_verdict(value) is None


def _quick_template(value: Json) -> bool:
    if not _is_object(value):
        return False
    stack: list[Json] = [value]
    while stack:
        node = stack.pop()
        if _is_object(node):
            for key, item in node.items():
                if type(key) is not str:
                    return False  # the full check says where
                if key.endswith(".$"):
                    if key[:-2] in node or not _quick_dynamic_value(item):
                        return False
                else:
                    stack.append(item)
        elif isinstance(node, list):
            stack.extend(node)
    return True


@functools.lru_cache(maxsize=8192)
def _resource_verdict(text: str) -> bool:
    return any(pattern.fullmatch(text) for pattern in (_LAMBDA_ARN, _ACTIVITY_ARN, _INTEGRATION_ARN))


def _quick_resource(value: Json) -> bool:
    return isinstance(value, str) and _resource_verdict(value)


def _quick_literal(check: _QuickCheck) -> _QuickCheck:
    """As ``_expression_or``: a value that looks like an expression is left to the full check."""

    def quick(value: Json) -> bool:
        if isinstance(value, str) and (value.startswith("{%") or value.endswith("%}")):
            return False
        return check(value)

    return quick


def _quick_operand(operand: Operand, value: Json) -> bool:
    match operand:
        case Operand.PATH:
            return _quick_reference_path(value)
        case Operand.STRING:
            return isinstance(value, str)
        case Operand.PATTERN:
            return isinstance(value, str) and not _bad_escape(value)
        case Operand.NUMBER:
            return _is_number(value)
        case Operand.BOOLEAN:
            return isinstance(value, bool)
        case Operand.TIMESTAMP:
            return _is_timestamp(value)


def _quick_choices(value: Json) -> bool:
    """JSONPath ``Choices`` whose rules are each one ``Variable`` test with ``Next`` (and maybe a ``Comment``)."""
    if not isinstance(value, list) or not value:
        return False
    for rule in value:
        if not _is_object(rule) or "Next" not in rule or "Variable" not in rule:
            return False
        operators = 0
        for key, item in rule.items():
            if key == "Next" or key == "Comment":
                if not isinstance(item, str):
                    return False
            elif key == "Variable":
                if not _quick_reference_path(item):
                    return False
            else:
                operand = schema.CHOICE_OPERATORS.get(key)
                if operand is None or not _quick_operand(operand, item):
                    return False
                operators += 1
        if operators != 1:
            return False
    return True


def _quick_branches(value: Json) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_object(branch) for branch in value)


def _quick_value_checks(language: str) -> dict[Kind, _QuickCheck | None]:
    """Kind -> quick check in a state of *language* (``None``: the value is not checked at all)."""
    checks: dict[Kind, _QuickCheck | None] = {
        kind: None for kind in Kind if kind not in _VALUE_CHECKS
    }  # the kinds checked elsewhere (Type, QueryLanguage)
    checks.update(
        {
            Kind.ANY_JSON: _quick_literal_json,
            Kind.TEXT: _quick_text,
            Kind.STATE_NAME: _quick_text,
            Kind.END: _quick_end,
            Kind.PATH: _quick_path,
            Kind.RESULT_PATH: _quick_result_path,
            Kind.REFERENCE_PATH: _quick_reference_path,
            Kind.ERROR_PATH: _quick_error_path,
            Kind.TEMPLATE: _quick_template,
            Kind.RESOURCE: _quick_resource,
            Kind.POSITIVE_INT: _quick_literal(lambda v: _is_int(v) and 1 <= v <= schema.MAX_INTEGER),
            Kind.NON_NEGATIVE_INT: _quick_literal(lambda v: _is_int(v) and 0 <= v <= schema.MAX_INTEGER),
            Kind.PERCENTAGE: _quick_literal(lambda v: _is_number(v) and 0 <= v <= 100),
            Kind.TIMESTAMP: _quick_literal(_is_timestamp),
            Kind.STRING_VALUE: _quick_literal(_quick_text),
            Kind.BRANCHES: _quick_branches,
        }
    )
    if language == JSONPATH:
        checks[Kind.CHOICES] = _quick_choices
    return checks


@attrs.frozen
class _QuickType:
    """What the quick yes needs to know about one state type in one query language."""

    fields: Mapping[
        str, _QuickCheck | None
    ]  # the fields it covers; a field not here sends the state to the full checks
    required: tuple[str, ...]
    one_of: tuple[str, ...]
    transition: bool  # exactly one of Next / "End": true
    exclusive: tuple[tuple[str, ...], ...]


def _quick_types(language: str) -> dict[str, _QuickType]:
    checks = _quick_value_checks(language)
    types: dict[str, _QuickType] = {}
    for state_type, fields in schema.STATE_FIELDS.items():
        if state_type == "Map":
            continue  # ProcessorConfig and the Distributed-only fields: the full checks
        covered: dict[str, _QuickCheck | None] = {}
        for key, spec in fields.items():
            if (spec.lang is Lang.ANY or spec.lang.value == language) and spec.kind in checks:
                covered[key] = checks[spec.kind]
        types[state_type] = _QuickType(
            fields=covered,
            required=schema.REQUIRED_FIELDS.get(state_type, ()),
            one_of=schema.REQUIRED_ONE_OF.get(state_type, ()),
            transition=state_type in schema.TRANSITION_TYPES,
            exclusive=schema.EXCLUSIVE_FIELDS.get(state_type, ()),
        )
    return types


# Query language of the state -> state type -> what the quick yes knows of it.
_QUICK_STATES: Final[Mapping[str, Mapping[str, _QuickType]]] = {
    language: _quick_types(language) for language in schema.QUERY_LANGUAGES
}


def _quick_state(body: Mapping[str, Json], machine_language: str, quick: Mapping[str, _QuickType]) -> bool:
    """Whether every state check would pass *body* (``quick`` is ``_QUICK_STATES[machine_language]``)."""
    if "QueryLanguage" in body:
        language = body["QueryLanguage"]
        if language not in schema.QUERY_LANGUAGES or (language == JSONPATH and machine_language == JSONATA):
            return False
        quick = _QUICK_STATES[language]
    state_type = body.get("Type")
    if type(state_type) is not str:
        return False
    known = quick.get(state_type)
    if known is None:
        return False
    fields = known.fields
    for key, value in body.items():
        if key not in fields:
            return False
        check = fields[key]
        if check is not None and not check(value):
            return False
    for key in known.required:
        if key not in body:
            return False
    if known.one_of and not any(key in body for key in known.one_of):
        return False
    if known.transition and ("Next" in body) == (body.get("End") is True):
        return False
    for group in known.exclusive:
        if sum(key in body for key in group) > 1:
            return False
    heartbeat, timeout = body.get("HeartbeatSeconds"), body.get("TimeoutSeconds")
    return not (state_type == "Task" and _is_int(heartbeat) and _is_int(timeout) and heartbeat >= timeout)
