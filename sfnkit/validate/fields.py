"""Which check each field gets: the value check per schema ``Kind``, the per-state-type dispatch table, and Catch
(whose catchers' fields go through the same table).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from sfnkit.asl import schema
from sfnkit.asl.schema import Kind, Lang
from sfnkit.errors import Problem
from sfnkit.validate.blocks import _State, _ValueCheck
from sfnkit.validate.choice import _check_choices
from sfnkit.validate.common import Json, _at, _close_field, _index, _is_object, _other_language_message, _show
from sfnkit.validate.jsonata import _check_arguments, _check_assign, _check_jsonata_value
from sfnkit.validate.map import (
    _check_branches,
    _check_item_batcher,
    _check_item_reader,
    _check_item_selector,
    _check_items,
    _check_label,
    _check_processor,
    _check_result_writer,
)
from sfnkit.validate.paths import (
    _check_end,
    _check_error_path,
    _check_literal,
    _check_path,
    _check_reference_path,
    _check_result_path,
    _check_template,
    _check_text,
    _no_check,
)
from sfnkit.validate.retry import _check_retry, _error_equals_problems
from sfnkit.validate.values import (
    _check_credentials,
    _check_percentage,
    _check_resource,
    _check_string_value,
    _check_timestamp,
    _expression_or,
    _integer_check,
)


def _check_catch(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §9.4: an array of catchers."""
    if not isinstance(value, list):
        yield Problem(
            where,
            f'Catch must be an array of catchers like [{{"ErrorEquals": ["States.ALL"], "Next": "Handle"}}]; '
            f"got {_show(value)}.",
        )
        return
    for position, catcher in enumerate(value):
        inner = _index(where, position)
        if not _is_object(catcher):
            yield Problem(inner, f"A catcher must be an object with ErrorEquals and Next; got {_show(catcher)}.")
            continue
        yield from _error_equals_problems(catcher, inner, last=position == len(value) - 1)
        if "Next" not in catcher:
            yield Problem(inner, 'A catcher needs "Next": the state to go to when it catches an error.')
        for key, item in catcher.items():
            spec = schema.CATCHER_FIELDS.get(key)
            if spec is None:
                hint = _close_field(key, schema.CATCHER_FIELDS)
                yield Problem(_at(inner, key), f"{key!r} is not a catcher field; remove it.{hint}")
            elif spec.lang is not Lang.ANY and spec.lang.value != state.language:
                yield Problem(_at(inner, key), _other_language_message(key, state.language))
            elif key != "ErrorEquals":
                yield from _VALUE_CHECKS.get(spec.kind, _no_check)(item, _at(inner, key), state)


_VALUE_CHECKS: Final[Mapping[Kind, _ValueCheck]] = {
    Kind.ANY_JSON: _check_literal,
    Kind.TEXT: _check_text,
    Kind.STATE_NAME: _check_text,
    Kind.END: _check_end,
    Kind.PATH: _check_path,
    Kind.RESULT_PATH: _check_result_path,
    Kind.REFERENCE_PATH: _check_reference_path,
    Kind.ERROR_PATH: _check_error_path,
    Kind.TEMPLATE: _check_template,
    Kind.JSONATA_VALUE: _check_jsonata_value,
    Kind.ARGUMENTS: _check_arguments,
    Kind.ASSIGN: _check_assign,
    Kind.RETRY: _check_retry,
    Kind.CATCH: _check_catch,
    Kind.RESOURCE: _check_resource,
    Kind.POSITIVE_INT: _expression_or(_integer_check(1, schema.MAX_INTEGER, "60")),
    Kind.NON_NEGATIVE_INT: _expression_or(_integer_check(0, schema.MAX_INTEGER, "10")),
    Kind.PERCENTAGE: _expression_or(_check_percentage),
    Kind.TIMESTAMP: _expression_or(_check_timestamp),
    Kind.STRING_VALUE: _expression_or(_check_string_value),
    Kind.CREDENTIALS: _check_credentials,
    Kind.CHOICES: _check_choices,
    Kind.BRANCHES: _check_branches,
    Kind.PROCESSOR: _check_processor,
    Kind.ITEMS: _check_items,
    Kind.ITEM_SELECTOR: _check_item_selector,
    Kind.ITEM_READER: _check_item_reader,
    Kind.ITEM_BATCHER: _check_item_batcher,
    Kind.RESULT_WRITER: _check_result_writer,
    Kind.LABEL: _check_label,
}


def _field_checks() -> dict[str, dict[str, tuple[str | None, _ValueCheck]]]:
    """State type -> field -> (query language or None for both, value check): the schema, ready to dispatch."""
    return {
        state_type: {
            key: (None if spec.lang is Lang.ANY else spec.lang.value, _VALUE_CHECKS.get(spec.kind, _no_check))
            for key, spec in fields.items()
        }
        for state_type, fields in schema.STATE_FIELDS.items()
    }


_FIELD_CHECKS: Final = _field_checks()
