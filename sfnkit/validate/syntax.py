"""Syntax verdicts for paths, intrinsic functions and JSONata expressions, delegated to the compilers in
``sfnkit.asl`` and cached by text (machines repeat the same few paths in every state).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from sfnkit.asl.intrinsics import compile_intrinsic
from sfnkit.asl.paths import compile_path, compile_reference_path
from sfnkit.errors import AslError, Problem
from sfnkit.validate.common import _asl_message, _field

# Each verdict depends on the text alone, and machines repeat the same few paths ("$", "$.Payload") in every
# state: caching keeps a 10,000-state machine fast. A verdict is the syntax error's message, or None.


@functools.lru_cache(maxsize=8192)
def _path_verdict(text: str) -> tuple[str | None, bool]:
    """(error message, is_definite) of a JSONPath."""
    try:
        return None, compile_path(text).is_definite
    except AslError as error:
        return _asl_message(error), True


@functools.lru_cache(maxsize=8192)
def _reference_path_verdict(text: str) -> str | None:
    try:
        compile_reference_path(text)
    except AslError as error:
        return _asl_message(error)
    return None


@functools.lru_cache(maxsize=8192)
def _intrinsic_verdict(text: str) -> str | None:
    try:
        compile_intrinsic(text)
    except AslError as error:
        return _asl_message(error)
    return None


@functools.lru_cache(maxsize=8192)
def _expression_verdict(text: str) -> str | None:
    from sfnkit.asl.jsonata import compile_expression  # JSONata loads only for a machine that has expressions

    try:
        compile_expression(text)
    except AslError as error:
        return _asl_message(error)
    return None


def _path_problems(text: str, where: str, *, definite: bool) -> Iterator[Problem]:
    message, is_definite = _path_verdict(text)
    if message is not None:
        yield Problem(where, message)
    elif definite and not is_definite:
        yield Problem(
            where,
            f"{_field(where)} needs a reference path (one node: only .name and [index] steps); {text!r} has a "
            "wildcard, filter, slice or union. Select a single value.",
        )


def _reference_path_problems(text: str, where: str) -> Iterator[Problem]:
    message = _reference_path_verdict(text)
    if message is not None:
        yield Problem(where, message)


def _intrinsic_problems(text: str, where: str) -> Iterator[Problem]:
    message = _intrinsic_verdict(text)
    if message is not None:
        yield Problem(where, message)


def _expression_problem(text: str, where: str) -> Problem | None:
    message = _expression_verdict(text)
    return None if message is None else Problem(where, message)
