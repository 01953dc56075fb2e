"""Rules for scalar fields: integers and percentages (or their JSONata forms), timestamps, strings, Task resources
and Credentials.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sfnkit.asl import schema
from sfnkit.asl.schema import JSONATA, JSONPATH
from sfnkit.asl.schema import is_expression as _is_expression
from sfnkit.errors import Problem
from sfnkit.validate.blocks import _State, _ValueCheck
from sfnkit.validate.common import (
    _ACTIVITY_ARN,
    _INTEGRATION_ARN,
    _LAMBDA_ARN,
    _TIMESTAMP,
    Json,
    _at,
    _field,
    _is_int,
    _is_number,
    _is_object,
    _show,
)
from sfnkit.validate.jsonata import _check_jsonata_value, _expression_problems
from sfnkit.validate.paths import _dynamic_value_problems


def _expression_or(check: _ValueCheck) -> _ValueCheck:
    """In a JSONata state the field may also be a whole ``{% %}`` expression."""

    def checked(value: Json, where: str, state: _State) -> Iterator[Problem]:
        looks_like_expression = isinstance(value, str) and (value.startswith("{%") or value.endswith("%}"))
        if looks_like_expression and state.language == JSONATA:
            yield from _expression_problems(value, where, frozenset())
        elif looks_like_expression:
            yield Problem(
                where,
                f"{_field(where)} is a JSONata expression, but this state uses JSONPath; set "
                '"QueryLanguage": "JSONata" on the state, or write a literal value (or use the ...Path field).',
            )
        else:
            yield from check(value, where, state)

    return checked


def _integer_check(low: int, high: int, example: str) -> _ValueCheck:
    def checked(value: Json, where: str, state: _State) -> Iterator[Problem]:
        if not _is_int(value) or not low <= value <= high:
            expression = " or a {% %} expression" if state.language == JSONATA else ""
            bound = f"from {low} to {high}" if high < schema.MAX_INTEGER else f">= {low}"
            yield Problem(
                where, f"{_field(where)} must be an integer {bound}{expression}, e.g. {example}; got {_show(value)}."
            )

    return checked


def _check_percentage(value: Json, where: str, state: _State) -> Iterator[Problem]:
    if not _is_number(value) or not 0 <= value <= 100:
        yield Problem(where, f"{_field(where)} must be a number from 0 to 100, e.g. 5; got {_show(value)}.")


def _check_timestamp(value: Json, where: str, state: _State) -> Iterator[Problem]:
    if not _is_timestamp(value):
        yield Problem(
            where,
            f'{_field(where)} must be an RFC 3339 timestamp such as "2026-01-31T12:00:00Z" (uppercase T, and Z or '
            f"an offset); got {_show(value)}.",
        )


def _is_timestamp(value: Json) -> bool:
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _check_string_value(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """Fail Error / Cause: a string (a whole ``{% %}`` expression in JSONata)."""
    if not isinstance(value, str):
        yield Problem(where, f"{_field(where)} must be a string; got {_show(value)}.")


def _check_resource(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.2, §10 item 17: INVALID_RESOURCE."""
    if isinstance(value, str) and any(p.fullmatch(value) for p in (_LAMBDA_ARN, _ACTIVITY_ARN, _INTEGRATION_ARN)):
        return
    yield Problem(
        where,
        f"Resource {_show(value)} is not a Task resource AWS accepts; use a Lambda function ARN "
        "(arn:aws:lambda:<region>:<account>:function:<name>), an activity ARN "
        "(arn:aws:states:<region>:<account>:activity:<name>) or a service integration such as "
        "arn:aws:states:::lambda:invoke.",
    )


def _check_credentials(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.2: ``{"RoleArn": ...}`` (``RoleArn.$`` in JSONPath, an expression in JSONata); not on activities."""
    resource = state.body.get("Resource")
    if isinstance(resource, str) and _ACTIVITY_ARN.fullmatch(resource):
        yield Problem(
            where,
            "Credentials are not supported for activities (the activity worker runs with its own role); remove them.",
        )
        return
    if state.language == JSONATA and _is_expression(value):
        yield from _expression_problems(value, where, frozenset())
        return
    if not _is_object(value):
        yield Problem(
            where,
            f'Credentials must be an object like {{"RoleArn": "arn:aws:iam::<account>:role/<name>"}}; '
            f"got {_show(value)}.",
        )
        return
    keys = ("RoleArn", "RoleArn.$") if state.language == JSONPATH else ("RoleArn",)
    for key, item in value.items():
        inner = _at(where, key)
        if key not in keys:
            yield Problem(inner, f"{key!r} is not a Credentials field; use {' or '.join(keys)}.")
        elif key == "RoleArn.$":
            yield from _dynamic_value_problems(item, inner, key)
        elif state.language == JSONATA:
            yield from _check_jsonata_value(item, inner, state)
        elif not isinstance(item, str):
            yield Problem(inner, f"RoleArn must be a role ARN string; got {_show(item)}.")
    if not any(key in value for key in keys):
        yield Problem(where, "The field 'RoleArn' is required but was missing; add the role ARN to assume.")
