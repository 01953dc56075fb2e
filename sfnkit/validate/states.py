"""Per-state rules: Type, QueryLanguage, known and required fields, Next/End, mutually exclusive fields,
HeartbeatSeconds; ``_STATE_CHECKS`` runs them in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Final

from sfnkit.asl import schema
from sfnkit.asl.schema import JSONATA, JSONPATH
from sfnkit.errors import Problem
from sfnkit.validate.blocks import _State
from sfnkit.validate.common import _at, _is_int, _other_language_message, _show, _unknown_field_message
from sfnkit.validate.fields import _FIELD_CHECKS
from sfnkit.validate.map import _check_map_mode


def _check_type(state: _State) -> Iterator[Problem]:
    """ASL-NOTES §10 item 4: Type is one of the eight state types, exact case."""
    where = _at(state.where, "Type")
    types = ", ".join(schema.STATE_TYPES)
    if "Type" not in state.body:
        yield Problem(state.where, f"Every state needs a Type: one of {types}.")
    elif state.type is None:
        value = state.body["Type"]
        close = [t for t in schema.STATE_TYPES if isinstance(value, str) and t.lower() == value.lower()]
        hint = f" Did you mean {close[0]!r}? (types are case-sensitive)" if close else ""
        yield Problem(where, f"Type {_show(value)} is not a state type; use one of {types}.{hint}")


def _check_query_language(state: _State) -> Iterator[Problem]:
    """ASL-NOTES §1: state QueryLanguage values, and no JSONPath state in a JSONata machine."""
    if "QueryLanguage" not in state.body:
        return
    where = _at(state.where, "QueryLanguage")
    value = state.body["QueryLanguage"]
    if value not in schema.QUERY_LANGUAGES:
        yield Problem(where, f'QueryLanguage must be "JSONPath" or "JSONata"; got {_show(value)}.')
    elif value == JSONPATH and state.machine_language == JSONATA:
        yield Problem(
            where,
            "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine. Remove the state's "
            'QueryLanguage and write it in JSONata, or drop "QueryLanguage": "JSONata" from the machine and set it '
            "on each JSONata state instead.",
        )


def _check_fields(state: _State) -> Iterator[Problem]:
    """ASL-NOTES §10 item 8: field membership per state type and query language, then each value's shape."""
    if state.type is None:
        return
    fields = _FIELD_CHECKS[state.type]
    for key, value in state.body.items():
        spec = fields.get(key)
        if spec is None:
            yield Problem(_at(state.where, key), _unknown_field_message(state.type, key))
        elif spec[0] is not None and spec[0] != state.language:
            yield Problem(_at(state.where, key), _other_language_message(key, state.language))
        else:
            yield from spec[1](value, _at(state.where, key), state)


def _check_transition(state: _State) -> Iterator[Problem]:
    """ASL-NOTES §10 item 6: exactly one of Next / "End": true on Task, Pass, Wait, Parallel and Map."""
    if state.type not in schema.TRANSITION_TYPES:
        return
    has_next = "Next" in state.body
    ends = state.body.get("End") is True
    if has_next and ends:
        yield Problem(
            _at(state.where, "End"), 'The state has both Next and "End": true; keep Next to go on, or End to stop.'
        )
    elif not has_next and not ends:
        yield Problem(
            state.where, f'A {state.type} state needs a transition: add "Next": "<state name>" or "End": true.'
        )


def _check_required(state: _State) -> Iterator[Problem]:
    """Required fields (Task Resource, Choice Choices, Parallel Branches) and exactly-one-of groups."""
    if state.type is None:
        return
    for key in schema.REQUIRED_FIELDS.get(state.type, ()):
        if key not in state.body:
            yield Problem(state.where, f"A {state.type} state needs {key}: {_REQUIRED_HINT[key]}")
    group = schema.REQUIRED_ONE_OF.get(state.type)
    if group and not any(key in state.body for key in group):
        usable = [k for k in group if schema.STATE_FIELDS[state.type][k].lang.value in (state.language, "any")]
        yield Problem(state.where, f"A {state.type} state needs one of {', '.join(usable)}.")


_REQUIRED_HINT: Final[Mapping[str, str]] = {
    "Resource": 'the ARN to call, e.g. "Resource": "arn:aws:states:::lambda:invoke".',
    "Choices": 'a non-empty array of rules, e.g. [{"Variable": "$.x", "NumericGreaterThan": 1, "Next": "Big"}].',
    "Branches": 'a non-empty array of {"StartAt": ..., "States": {...}} objects.',
}


def _check_exclusive(state: _State) -> Iterator[Problem]:
    """ASL-NOTES §10 item 9: mutually exclusive fields."""
    for group in schema.EXCLUSIVE_FIELDS.get(state.type or "", ()):
        present = [key for key in group if key in state.body]
        if len(present) > 1:
            yield Problem(
                _at(state.where, present[1]),
                f"{' and '.join(present)} cannot be used together; keep one of {', '.join(group)}.",
            )


def _check_heartbeat(state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.2: HeartbeatSeconds must be smaller than TimeoutSeconds."""
    heartbeat, timeout = state.body.get("HeartbeatSeconds"), state.body.get("TimeoutSeconds")
    if state.type == "Task" and _is_int(heartbeat) and _is_int(timeout) and heartbeat >= timeout:
        yield Problem(
            _at(state.where, "HeartbeatSeconds"),
            f"HeartbeatSeconds ({heartbeat}) must be smaller than TimeoutSeconds ({timeout}); lower it or raise "
            "TimeoutSeconds.",
        )


_STATE_CHECKS: Final[tuple[Callable[[_State], Iterator[Problem]], ...]] = (
    _check_type,
    _check_query_language,
    _check_fields,
    _check_required,
    _check_transition,
    _check_exclusive,
    _check_heartbeat,
    _check_map_mode,
)
