"""Rules for Retry: retriers, their fields (BackoffRate, JitterStrategy, ...) and ErrorEquals lists."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from sfnkit.asl import schema
from sfnkit.errors import Problem
from sfnkit.validate.blocks import _State, _ValueCheck
from sfnkit.validate.common import Json, _at, _close_field, _index, _is_number, _is_object, _show
from sfnkit.validate.paths import _check_text
from sfnkit.validate.values import _integer_check


def _check_retry(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §9.2: an array of retriers."""
    if not isinstance(value, list):
        yield Problem(
            where, f'Retry must be an array of retriers like [{{"ErrorEquals": ["States.ALL"]}}]; got {_show(value)}.'
        )
        return
    for position, retrier in enumerate(value):
        inner = _index(where, position)
        if not _is_object(retrier):
            yield Problem(
                inner, f'A retrier must be an object like {{"ErrorEquals": ["States.ALL"]}}; got {_show(retrier)}.'
            )
            continue
        for key in retrier:
            if key not in schema.RETRIER_FIELDS:
                hint = _close_field(key, schema.RETRIER_FIELDS)
                yield Problem(_at(inner, key), f"{key!r} is not a retrier field; remove it.{hint}")
        yield from _error_equals_problems(retrier, inner, last=position == len(value) - 1)
        for key, check in _RETRIER_CHECKS.items():
            if key in retrier:
                yield from check(retrier[key], _at(inner, key), state)


def _check_backoff_rate(value: Json, where: str, state: _State) -> Iterator[Problem]:
    if not _is_number(value) or value < 1:
        yield Problem(where, f"BackoffRate must be a number >= 1.0, e.g. 2.0; got {_show(value)}.")


def _check_jitter(value: Json, where: str, state: _State) -> Iterator[Problem]:
    if value not in schema.JITTER_STRATEGIES:
        yield Problem(where, f'JitterStrategy must be "FULL" or "NONE"; got {_show(value)}.')


_RETRIER_CHECKS: Final[Mapping[str, _ValueCheck]] = {
    "IntervalSeconds": _integer_check(1, schema.MAX_INTEGER, "1"),
    "MaxAttempts": _integer_check(0, schema.MAX_INTEGER, "3"),
    "BackoffRate": _check_backoff_rate,
    "MaxDelaySeconds": _integer_check(1, schema.MAX_DELAY_SECONDS, "60"),
    "JitterStrategy": _check_jitter,
    "Comment": _check_text,
}


def _error_equals_problems(part: Mapping[str, Json], where: str, *, last: bool) -> Iterator[Problem]:
    """ASL-NOTES §10 items 10-11: non-empty string array; States.ALL alone and in the last retrier/catcher."""
    inner = _at(where, "ErrorEquals")
    errors = part.get("ErrorEquals")
    if "ErrorEquals" not in part:
        yield Problem(where, 'ErrorEquals is required: the error names to match, e.g. ["States.ALL"].')
    elif not isinstance(errors, list) or not errors:
        yield Problem(
            inner, f'ErrorEquals must be a non-empty array of error names, e.g. ["States.ALL"]; got {_show(errors)}.'
        )
    elif not all(isinstance(error, str) and error for error in errors):
        yield Problem(inner, f"ErrorEquals must contain only non-empty error names (strings); got {_show(errors)}.")
    elif "States.ALL" in errors:
        if len(errors) > 1:
            yield Problem(
                inner, 'States.ALL must be alone in its ErrorEquals; write ["States.ALL"] (it matches every error).'
            )
        if not last:
            yield Problem(
                inner,
                "States.ALL must be in the last entry; move this one to the end (later entries could never match).",
            )
