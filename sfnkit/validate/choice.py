"""Rules for a Choice state's rules: top-level and nested rules, comparison operators and their operands, JSONata
Conditions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from sfnkit.asl import schema
from sfnkit.asl.schema import JSONATA, JSONPATH, Operand
from sfnkit.errors import Problem
from sfnkit.validate.blocks import _State
from sfnkit.validate.common import (
    Json,
    _at,
    _close_field,
    _index,
    _is_number,
    _is_object,
    _other_language_message,
    _show,
)
from sfnkit.validate.jsonata import _check_assign, _check_jsonata_value, _expression_problems
from sfnkit.validate.paths import _check_reference_path, _check_text
from sfnkit.validate.values import _is_timestamp


def _check_choices(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.3, §10 items 10, 14: a non-empty array of top-level rules."""
    if not isinstance(value, list) or not value:
        yield Problem(
            where,
            "Choices must be a non-empty array of rules, e.g. "
            f'[{{"Variable": "$.x", "NumericGreaterThan": 1, "Next": "Big"}}]; got {_show(value)}.',
        )
        return
    rule_check = _check_jsonata_rule if state.language == JSONATA else _check_top_rule
    for position, rule in enumerate(value):
        yield from rule_check(rule, _index(where, position), state)


def _check_jsonata_rule(rule: Json, where: str, state: _State) -> Iterator[Problem]:
    """A JSONata Choice rule: ``{Condition, Next, Assign?, Output?, Comment?}``."""
    if not _is_object(rule):
        yield Problem(
            where,
            f'A Choice rule must be an object like {{"Condition": "{{% ... %}}", "Next": "X"}}; got {_show(rule)}.',
        )
        return
    for key, item in rule.items():
        inner = _at(where, key)
        if key in ("Variable", "And", "Or", "Not") or key in schema.CHOICE_OPERATORS:
            yield Problem(
                inner,
                _other_language_message(key, JSONATA)
                if key == "Variable"
                else (
                    f"{key!r} is a JSONPath Choice operator, but this state uses JSONata; write the test as "
                    '"Condition": "{% ... %}", or set "QueryLanguage": "JSONPath" on the state.'
                ),
            )
        elif key == "Condition":
            yield from _check_condition(item, inner, state)
        elif key == "Assign":
            yield from _check_assign(item, inner, state)
        elif key == "Output":
            yield from _check_jsonata_value(item, inner, state)
        elif key in ("Comment", "Next"):
            yield from _check_text(item, inner, state)
        else:
            yield Problem(
                inner, f"{key!r} is not a field of a JSONata Choice rule; use Condition, Next, Assign, Output."
            )
    if "Condition" not in rule:
        yield Problem(where, 'A JSONata Choice rule needs "Condition": a {% %} expression that yields true or false.')
    if "Next" not in rule:
        yield Problem(where, 'A Choice rule needs "Next": the state to go to when it matches.')


def _check_condition(value: Json, where: str, state: _State) -> Iterator[Problem]:
    if isinstance(value, bool):
        return
    if not isinstance(value, str) or not (value.startswith("{%") or value.endswith("%}")):
        yield Problem(where, f"Condition must be true, false or a {{% %}} expression; got {_show(value)}.")
        return
    yield from _expression_problems(value, where, frozenset())


def _check_top_rule(rule: Json, where: str, state: _State) -> Iterator[Problem]:
    """A top-level JSONPath Choice rule: a test plus ``Next`` (and ``Assign``)."""
    if not _is_object(rule):
        yield Problem(
            where,
            'A Choice rule must be an object like {"Variable": "$.x", "IsPresent": true, "Next": "X"}; '
            f"got {_show(rule)}.",
        )
        return
    if "Next" not in rule:
        yield Problem(where, 'A Choice rule needs "Next": the state to go to when it matches.')
    if "Assign" in rule:
        yield from _check_assign(rule["Assign"], _at(where, "Assign"), state)
    yield from _check_rule(rule, where, state, top=True)


def _check_rule(rule: Json, where: str, state: _State, *, top: bool) -> Iterator[Problem]:
    """A JSONPath rule and the rules nested in its And / Or / Not, with a stack rather than recursion.

    Builders may nest ``And`` as deep as the conditions are long; Python's recursion limit must not cap that.
    """
    stack: list[tuple[Json, str, bool]] = [(rule, where, top)]
    while stack:
        current, here, is_top = stack.pop()
        nested: list[tuple[Json, str]] = []
        yield from _rule_problems(current, here, state, is_top, nested)
        stack.extend((inner, inner_where, False) for inner, inner_where in reversed(nested))


def _rule_problems(
    rule: Json, where: str, state: _State, top: bool, nested: list[tuple[Json, str]]
) -> Iterator[Problem]:
    """One JSONPath rule: And / Or / Not, or Variable with exactly one comparison operator (ASL-NOTES §8.3).

    The operands of And / Or / Not are appended to *nested* for the caller to check.
    """
    if not _is_object(rule):
        yield Problem(
            where, f'A Choice rule must be an object like {{"Variable": "$.x", "IsPresent": true}}; got {_show(rule)}.'
        )
        return
    booleans = [key for key in ("And", "Or", "Not") if key in rule]
    operators = [key for key in rule if key in schema.CHOICE_OPERATORS]
    for key in rule:
        yield from _rule_field_problems(key, rule[key], _at(where, key), state, top=top)
    if booleans:
        if len(booleans) > 1 or operators or "Variable" in rule:
            extra = [*booleans, *operators, *(["Variable"] if "Variable" in rule else [])]
            yield Problem(
                where,
                f"A rule is either And, Or, Not or one Variable test; this one has {', '.join(extra)}. "
                "Nest the parts inside And instead.",
            )
        for key in booleans:
            yield from _boolean_operands(rule[key], _at(where, key), key, nested)
        return
    if "Variable" not in rule:
        yield Problem(where, 'The rule needs "Variable": the path to test, e.g. "Variable": "$.total".')
    if not operators:
        yield Problem(
            where,
            "The rule needs one comparison operator, e.g. StringEquals, NumericGreaterThan, BooleanEquals, "
            "TimestampLessThan or IsPresent.",
        )
    elif len(operators) > 1:
        yield Problem(
            where,
            f"A rule takes exactly one comparison operator; this one has {', '.join(operators)}. "
            "Combine several tests with And.",
        )


def _rule_field_problems(key: str, value: Json, where: str, state: _State, *, top: bool) -> Iterator[Problem]:
    if key in ("Next", "Assign"):
        if not top:
            yield Problem(where, f"Only top-level Choice rules take {key}; remove it from this nested rule.")
        elif key == "Next":
            yield from _check_text(value, where, state)
    elif key == "Comment":
        yield from _check_text(value, where, state)
    elif key == "Variable":
        yield from _check_reference_path(value, where, state)
    elif key in schema.CHOICE_OPERATORS:
        yield from _operand_problems(key, value, where, state)
    elif key in ("Condition", "Output"):
        yield Problem(where, _other_language_message(key, JSONPATH))
    elif key not in ("And", "Or", "Not"):
        hint = _close_field(key, [*schema.CHOICE_OPERATORS, "Variable", "And", "Or", "Not", "Next"])
        yield Problem(where, f"{key!r} is not a Choice rule field; remove it.{hint}")


def _boolean_operands(value: Json, where: str, operator: str, nested: list[tuple[Json, str]]) -> Iterator[Problem]:
    if operator == "Not":
        nested.append((value, where))
    elif not isinstance(value, list) or not value:
        yield Problem(where, f"{operator} must be a non-empty array of rules; got {_show(value)}.")
    else:
        nested.extend((rule, _index(where, position)) for position, rule in enumerate(value))


def _operand_problems(operator: str, value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §10 item 14: the value of an operator has the operator's type."""
    operand = schema.CHOICE_OPERATORS[operator]
    match operand:
        case Operand.PATH:
            yield from _check_reference_path(value, where, state)
            return
        case Operand.STRING | Operand.PATTERN:
            ok = isinstance(value, str)
        case Operand.NUMBER:
            ok = _is_number(value)
        case Operand.BOOLEAN:
            ok = isinstance(value, bool)
        case Operand.TIMESTAMP:
            ok = _is_timestamp(value)
    if not ok:
        yield Problem(where, f"{operator} compares with {operand.value}; got {_show(value)}.{_OPERAND_HINT[operand]}")
    elif operand is Operand.PATTERN and _bad_escape(value):
        yield Problem(
            where,
            f"StringMatches pattern {value!r} has a backslash that escapes neither * nor \\; write \\\\ for "
            "a literal backslash and \\* for a literal star.",
        )


_OPERAND_HINT: Final[Mapping[Operand, str]] = {
    Operand.STRING: " Use a Numeric*/Boolean* operator for other types.",
    Operand.PATTERN: "",
    Operand.NUMBER: " Write the number without quotes, or use a String* operator.",
    Operand.BOOLEAN: " Write true or false without quotes.",
    Operand.TIMESTAMP: ' e.g. "2026-01-31T12:00:00Z".',
    Operand.PATH: "",
}


def _bad_escape(pattern: str) -> bool:
    position = 0
    while position < len(pattern):
        if pattern[position] == "\\":
            if position + 1 >= len(pattern) or pattern[position + 1] not in "*\\":
                return True
            position += 1
        position += 1
    return False
