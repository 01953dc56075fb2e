"""Rules for Parallel and Map fields: Branches and ItemProcessor, Items and ItemSelector, ProcessorConfig, and the
Distributed Map's ItemReader, ItemBatcher, ResultWriter and Label.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from sfnkit.asl import schema
from sfnkit.asl.schema import JSONATA, JSONPATH, Lang
from sfnkit.asl.schema import is_expression as _is_expression
from sfnkit.errors import Problem
from sfnkit.validate.blocks import _State
from sfnkit.validate.common import (
    _LABEL_FORBIDDEN,
    _READER_ARN,
    _WRITER_ARN,
    Json,
    _at,
    _field,
    _index,
    _is_object,
    _other_language_message,
    _show,
)
from sfnkit.validate.jsonata import _check_arguments, _check_jsonata_value
from sfnkit.validate.paths import _check_reference_path, _check_template
from sfnkit.validate.values import _expression_or, _integer_check


def _check_map_mode(state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.8, §10 item 16: ProcessorConfig values and fields only a Distributed Map may set."""
    if state.type != "Map":
        return
    processor_key = "ItemProcessor" if "ItemProcessor" in state.body else "Iterator"
    processor = state.body.get(processor_key)
    config = processor.get("ProcessorConfig") if _is_object(processor) else None
    where = _at(_at(state.where, processor_key), "ProcessorConfig")
    mode = "INLINE"
    if _is_object(config):
        yield from _check_processor_config(config, where)
        mode = config.get("Mode", "INLINE")
    elif config is not None:
        yield Problem(where, f'ProcessorConfig must be an object like {{"Mode": "INLINE"}}; got {_show(config)}.')
    if mode != "DISTRIBUTED":
        for key in schema.DISTRIBUTED_ONLY:
            if key in state.body:
                yield Problem(
                    _at(state.where, key),
                    f"{key} is only for a Distributed Map; set {processor_key}.ProcessorConfig to "
                    '{"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"} or remove it.',
                )


def _check_processor_config(config: Mapping[str, Json], where: str) -> Iterator[Problem]:
    for key in config:
        if key not in ("Mode", "ExecutionType"):
            yield Problem(_at(where, key), f"{key!r} is not a ProcessorConfig field; use Mode and ExecutionType.")
    mode = config.get("Mode", "INLINE")
    execution_type = config.get("ExecutionType")
    if mode not in schema.PROCESSOR_MODES:
        yield Problem(_at(where, "Mode"), f'Mode must be "INLINE" or "DISTRIBUTED"; got {_show(mode)}.')
    if "ExecutionType" in config and execution_type not in schema.EXECUTION_TYPES:
        yield Problem(
            _at(where, "ExecutionType"), f'ExecutionType must be "STANDARD" or "EXPRESS"; got {_show(execution_type)}.'
        )
    if mode == "DISTRIBUTED" and "ExecutionType" not in config:
        yield Problem(where, 'A DISTRIBUTED processor needs ExecutionType: "STANDARD" or "EXPRESS".')
    if mode == "INLINE" and "ExecutionType" in config:
        yield Problem(
            _at(where, "ExecutionType"),
            'ExecutionType is only for Mode "DISTRIBUTED"; remove it (inline iterations run inside this execution).',
        )


def _check_branches(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.7: a non-empty array of ``{StartAt, States}`` objects (their content is checked as blocks)."""
    if not isinstance(value, list) or not value:
        yield Problem(
            where, f'Branches must be a non-empty array of {{"StartAt": ..., "States": {{...}}}}; got {_show(value)}.'
        )
        return
    for position, branch in enumerate(value):
        if not _is_object(branch):
            yield Problem(
                _index(where, position),
                f'A branch must be an object {{"StartAt": ..., "States": {{...}}}}; got {_show(branch)}.',
            )


def _check_processor(value: Json, where: str, state: _State) -> Iterator[Problem]:
    if not _is_object(value):
        yield Problem(
            where, f'{_field(where)} must be an object {{"StartAt": ..., "States": {{...}}}}; got {_show(value)}.'
        )


def _check_items(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.8: Items is an array (may contain expressions) or a whole expression."""
    if isinstance(value, list) or (isinstance(value, str) and (value.startswith("{%") or value.endswith("%}"))):
        yield from _check_jsonata_value(value, where, state)
    else:
        yield Problem(where, f"Items must be an array or a {{% %}} expression that yields one; got {_show(value)}.")


def _check_item_selector(value: Json, where: str, state: _State) -> Iterator[Problem]:
    if state.language == JSONPATH:
        yield from _check_template(value, where, state)
    elif _is_object(value) or _is_expression(value):
        yield from _check_jsonata_value(value, where, state)
    else:
        yield Problem(where, f"ItemSelector must be an object or a {{% %}} expression; got {_show(value)}.")


def _part_fields(
    value: Mapping[str, Json], where: str, state: _State, fields: Mapping[str, Lang], part: str
) -> Iterator[Problem]:
    for key in value:
        lang = fields.get(key)
        if lang is None:
            yield Problem(_at(where, key), f"{key!r} is not a field of {part}; use {', '.join(fields)}.")
        elif lang is not Lang.ANY and lang.value != state.language:
            yield Problem(_at(where, key), _other_language_message(key, state.language))


def _check_part_payload(value: Mapping[str, Json], where: str, state: _State) -> Iterator[Problem]:
    """``Parameters`` (JSONPath template) or ``Arguments`` (JSONata) of an ItemReader / ResultWriter."""
    if "Parameters" in value and state.language == JSONPATH:
        yield from _check_template(value["Parameters"], _at(where, "Parameters"), state)
    if "Arguments" in value and state.language == JSONATA:
        yield from _check_arguments(value["Arguments"], _at(where, "Arguments"), state)


def _check_item_reader(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.8: ``{Resource, ReaderConfig?, Parameters|Arguments}``."""
    if not _is_object(value):
        yield Problem(
            where,
            'ItemReader must be an object like {"Resource": "arn:aws:states:::s3:getObject", ...}; '
            f"got {_show(value)}.",
        )
        return
    yield from _part_fields(value, where, state, schema.ITEM_READER_FIELDS, "an ItemReader")
    resource = value.get("Resource")
    if "Resource" not in value:
        yield Problem(where, 'ItemReader needs "Resource", e.g. "arn:aws:states:::s3:getObject".')
    elif not (isinstance(resource, str) and _READER_ARN.fullmatch(resource)):
        yield Problem(
            _at(where, "Resource"),
            f"ItemReader reads from S3: Resource must be arn:aws:states:::s3:getObject (one object) or "
            f"arn:aws:states:::s3:listObjectsV2 (the objects under a prefix); got {_show(resource)}.",
        )
    yield from _check_part_payload(value, where, state)
    config = value.get("ReaderConfig")
    if config is not None:
        yield from _check_reader_config(config, _at(where, "ReaderConfig"), state)


def _check_reader_config(config: Json, where: str, state: _State) -> Iterator[Problem]:
    if not _is_object(config):
        yield Problem(where, f'ReaderConfig must be an object like {{"InputType": "JSON"}}; got {_show(config)}.')
        return
    for key, item in config.items():
        inner = _at(where, key)
        if key not in schema.READER_CONFIG_FIELDS:
            yield Problem(inner, f"{key!r} is not a ReaderConfig field; use {', '.join(schema.READER_CONFIG_FIELDS)}.")
            continue
        choices = schema.READER_CONFIG_FIELDS[key]
        if choices is not None and item not in choices:
            yield Problem(inner, f"{key} must be one of {', '.join(choices)}; got {_show(item)}.")
        elif key == "MaxItems":
            yield from _expression_or(_integer_check(0, 100_000_000, "1000"))(item, inner, state)
        elif key == "MaxItemsPath":
            if state.language == JSONATA:
                yield Problem(inner, _other_language_message(key, JSONATA))
            else:
                yield from _check_reference_path(item, inner, state)
    if "MaxItems" in config and "MaxItemsPath" in config:
        yield Problem(_at(where, "MaxItemsPath"), "MaxItems and MaxItemsPath cannot be used together; keep one.")
    yield from _csv_header_problems(config, where)


def _csv_header_problems(config: Mapping[str, Json], where: str) -> Iterator[Problem]:
    """CSV readers say where the header is; GIVEN headers are listed; JSON readers have no CSV header."""
    input_type, location = config.get("InputType"), config.get("CSVHeaderLocation")
    if input_type == "CSV" and "CSVHeaderLocation" not in config:
        yield Problem(where, 'A CSV reader needs "CSVHeaderLocation": "FIRST_ROW" (or "GIVEN" with CSVHeaders).')
    if location == "GIVEN" and "CSVHeaders" not in config:
        yield Problem(where, 'CSVHeaderLocation "GIVEN" needs "CSVHeaders": the column names, e.g. ["id", "name"].')
    if input_type in ("JSON", "JSONL") and "CSVHeaderLocation" in config:
        yield Problem(
            _at(where, "CSVHeaderLocation"),
            f"CSVHeaderLocation is for CSV input; remove it (InputType is {input_type}).",
        )


def _check_item_batcher(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.8: at least one batch limit; limits are positive integers (bytes ≤ 256 KiB)."""
    if not _is_object(value):
        yield Problem(where, f'ItemBatcher must be an object like {{"MaxItemsPerBatch": 10}}; got {_show(value)}.')
        return
    yield from _part_fields(value, where, state, schema.ITEM_BATCHER_FIELDS, "an ItemBatcher")
    limits = {
        "MaxItemsPerBatch": _integer_check(1, schema.MAX_INTEGER, "10"),
        "MaxInputBytesPerBatch": _integer_check(1, 262_144, "65536"),
    }
    for key, check in limits.items():
        if key in value:
            yield from _expression_or(check)(value[key], _at(where, key), state)
        if key + "Path" in value and state.language == JSONPATH:
            yield from _check_reference_path(value[key + "Path"], _at(where, key + "Path"), state)
        if key in value and key + "Path" in value:
            yield Problem(_at(where, key + "Path"), f"{key} and {key}Path cannot be used together; keep one.")
    if not any(
        key in value
        for key in ("MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath")
    ):
        yield Problem(where, "ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch (or their Path forms).")
    if "BatchInput" in value:
        batch_input = value["BatchInput"]
        if state.language == JSONPATH:
            yield from _check_template(batch_input, _at(where, "BatchInput"), state)
        else:
            yield from _check_jsonata_value(batch_input, _at(where, "BatchInput"), state)


def _check_result_writer(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.8: ``{Resource, Parameters|Arguments, WriterConfig?}``."""
    if not _is_object(value):
        yield Problem(
            where,
            'ResultWriter must be an object like {"Resource": "arn:aws:states:::s3:putObject", ...}; '
            f"got {_show(value)}.",
        )
        return
    yield from _part_fields(value, where, state, schema.RESULT_WRITER_FIELDS, "a ResultWriter")
    resource = value.get("Resource")
    if "Resource" in value and not (isinstance(resource, str) and _WRITER_ARN.fullmatch(resource)):
        yield Problem(
            _at(where, "Resource"),
            f"ResultWriter writes to S3: Resource must be arn:aws:states:::s3:putObject; got {_show(resource)}.",
        )
    if "Resource" not in value and "WriterConfig" not in value:
        yield Problem(where, 'ResultWriter needs "Resource": "arn:aws:states:::s3:putObject" (or a WriterConfig).')
    yield from _check_part_payload(value, where, state)
    config = value.get("WriterConfig")
    if config is None:
        return
    if not _is_object(config):
        yield Problem(_at(where, "WriterConfig"), f"WriterConfig must be an object; got {_show(config)}.")
        return
    for key, item in config.items():
        choices = schema.WRITER_CONFIG_FIELDS.get(key)
        inner = _at(_at(where, "WriterConfig"), key)
        if choices is None:
            yield Problem(inner, f"{key!r} is not a WriterConfig field; use {', '.join(schema.WRITER_CONFIG_FIELDS)}.")
        elif item not in choices:
            yield Problem(inner, f"{key} must be one of {', '.join(choices)}; got {_show(item)}.")


def _check_label(value: Json, where: str, state: _State) -> Iterator[Problem]:
    """ASL-NOTES §8.8: INVALID_LABEL_NAME."""
    if not isinstance(value, str) or not value:
        yield Problem(where, f"Label must be a non-empty string of up to 40 characters; got {_show(value)}.")
    elif len(value) > schema.MAX_LABEL_LENGTH:
        yield Problem(where, f"Label is {len(value)} characters long; AWS allows at most 40. Use a shorter label.")
    elif _LABEL_FORBIDDEN.search(value):
        yield Problem(
            where,
            f'Label {value!r} contains whitespace or one of < > {{ }} [ ] ? * " # % \\ ^ | ~ ` $ & , ; : /; '
            "use letters, digits, - and _.",
        )
