"""How ASL spells a definition: the fields of each state type and part, their query language and value kind.

These tables are what ``sfnkit.validate`` checks a definition against (ASL-NOTES §1, §2, §8.0, §9). They hold
spelling and value shapes only; the checks that read them live in ``sfnkit/validate/``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from typing import Final

import attrs

__all__ = [
    "BLOCK_FIELDS",
    "CATCHER_FIELDS",
    "CHOICE_OPERATORS",
    "DISTRIBUTED_ONLY",
    "EXCLUSIVE_FIELDS",
    "EXECUTION_TYPES",
    "ITEM_BATCHER_FIELDS",
    "ITEM_READER_FIELDS",
    "JITTER_STRATEGIES",
    "JSONATA",
    "JSONPATH",
    "MAX_DELAY_SECONDS",
    "MAX_INTEGER",
    "MAX_LABEL_LENGTH",
    "MAX_NAME_LENGTH",
    "OTHER_LANGUAGE_HINT",
    "PROCESSOR_MODES",
    "QUERY_LANGUAGES",
    "READER_CONFIG_FIELDS",
    "REQUIRED_FIELDS",
    "REQUIRED_ONE_OF",
    "RESULT_WRITER_FIELDS",
    "RETRIER_FIELDS",
    "STATE_FIELDS",
    "STATE_TYPES",
    "TRANSITION_TYPES",
    "WRITER_CONFIG_FIELDS",
    "BlockKind",
    "Field",
    "Kind",
    "Lang",
    "Operand",
    "is_expression",
    "state_name_problem",
]

JSONPATH: Final = "JSONPath"
JSONATA: Final = "JSONata"
QUERY_LANGUAGES: Final = (JSONPATH, JSONATA)

MAX_NAME_LENGTH: Final = 80  # state names and variable names (ASL-NOTES §1, §6.2)
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def is_expression(value: object) -> bool:
    """Whether *value* is a JSONata expression string: exactly ``{%`` ... ``%}``, nothing around it.

    >>> is_expression("{% $states.input %}"), is_expression(" {% 1 %}"), is_expression("$.a")
    (True, False, False)
    """
    return isinstance(value, str) and len(value) >= 4 and value.startswith("{%") and value.endswith("%}")


def state_name_problem(name: object) -> str | None:
    """What is wrong with *name* as a state name, or ``None``: AWS's rule is 1 to 80 characters, no control
    characters (ASL-NOTES §1, §10 item 3). Spaces and punctuation are allowed: Workflow Studio's default
    names are ``Lambda Invoke`` and ``Pass (1)``. (The stricter character list in AWS's API reference is for
    state machine and execution names.)"""
    if not isinstance(name, str):
        return f"State names are strings; got {name!r} ({type(name).__name__})."
    if not name:
        return "State names cannot be empty; give the state a name of 1 to 80 characters."
    if len(name) > MAX_NAME_LENGTH:
        return f"State name is {len(name)} characters long; AWS allows at most 80. Use a shorter name."
    if _CONTROL.search(name):
        return f"State name {name!r} contains a control character; remove it."
    return None


MAX_LABEL_LENGTH: Final = 40  # Distributed Map Label (§8.8)
MAX_INTEGER: Final = 99_999_999  # upper bound of Retry IntervalSeconds/MaxAttempts and of timeouts (§9.2)
MAX_DELAY_SECONDS: Final = 31_622_400  # Retry MaxDelaySeconds upper bound (§9.2)


class Lang(enum.Enum):
    """Which query language a field belongs to."""

    ANY = "any"
    JSONPATH = JSONPATH
    JSONATA = JSONATA


class Kind(enum.Enum):
    """The shape a field's value must have."""

    TEXT = "a string"
    QUERY_LANGUAGE = "JSONPath or JSONata"
    STATE_TYPE = "a state type"
    STATE_NAME = "a state name"
    END = "true"
    PATH = "a JSONPath or null"
    RESULT_PATH = "a reference path or null"
    REFERENCE_PATH = "a reference path"
    ERROR_PATH = "a reference path or an intrinsic function"
    TEMPLATE = "a payload template object"
    ANY_JSON = "any JSON value"
    JSONATA_VALUE = "any JSON value (strings may be {% %} expressions)"
    ARGUMENTS = "an object or a {% %} expression"
    ASSIGN = "an object of variable names"
    RETRY = "an array of retriers"
    CATCH = "an array of catchers"
    RESOURCE = "an ARN"
    POSITIVE_INT = "a positive integer"
    NON_NEGATIVE_INT = "an integer >= 0"
    PERCENTAGE = "a number from 0 to 100"
    TIMESTAMP = "an RFC 3339 timestamp"
    STRING_VALUE = "a string"
    CREDENTIALS = "an object with RoleArn"
    CHOICES = "a non-empty array of Choice rules"
    BRANCHES = "a non-empty array of {StartAt, States}"
    PROCESSOR = "an object {StartAt, States}"
    ITEMS = "an array or a {% %} expression"
    ITEM_SELECTOR = "an object"
    ITEM_READER = "an ItemReader object"
    ITEM_BATCHER = "an ItemBatcher object"
    RESULT_WRITER = "a ResultWriter object"
    LABEL = "a label of up to 40 characters"
    VERSION = '"1.0"'
    PROCESSOR_CONFIG = "a ProcessorConfig object"
    STATES = "an object of states"


@attrs.frozen
class Field:
    """One ASL field: its value kind and the query language it belongs to."""

    kind: Kind
    lang: Lang = Lang.ANY


STATE_TYPES: Final = ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")

_P, _A = Lang.JSONPATH, Lang.JSONATA

_COMMON: Final[Mapping[str, Field]] = {
    "Type": Field(Kind.STATE_TYPE),
    "Comment": Field(Kind.TEXT),
    "QueryLanguage": Field(Kind.QUERY_LANGUAGE),
}
_TRANSITION: Final[Mapping[str, Field]] = {"Next": Field(Kind.STATE_NAME), "End": Field(Kind.END)}
_IO_PATHS: Final[Mapping[str, Field]] = {"InputPath": Field(Kind.PATH, _P), "OutputPath": Field(Kind.PATH, _P)}
_RESULT: Final[Mapping[str, Field]] = {
    "ResultSelector": Field(Kind.TEMPLATE, _P),
    "ResultPath": Field(Kind.RESULT_PATH, _P),
}
_OUTPUT: Final[Mapping[str, Field]] = {"Output": Field(Kind.JSONATA_VALUE, _A)}
_ASSIGN: Final[Mapping[str, Field]] = {"Assign": Field(Kind.ASSIGN)}
_ERRORS: Final[Mapping[str, Field]] = {"Retry": Field(Kind.RETRY), "Catch": Field(Kind.CATCH)}

# ASL-NOTES §8.0: the fields each state type takes.
STATE_FIELDS: Final[Mapping[str, Mapping[str, Field]]] = {
    "Pass": {
        **_COMMON,
        **_TRANSITION,
        **_IO_PATHS,
        "Parameters": Field(Kind.TEMPLATE, _P),
        "Result": Field(Kind.ANY_JSON, _P),
        "ResultPath": Field(Kind.RESULT_PATH, _P),
        **_OUTPUT,
        **_ASSIGN,
    },
    "Task": {
        **_COMMON,
        **_TRANSITION,
        **_IO_PATHS,
        "Parameters": Field(Kind.TEMPLATE, _P),
        **_RESULT,
        "Arguments": Field(Kind.ARGUMENTS, _A),
        **_OUTPUT,
        **_ASSIGN,
        **_ERRORS,
        "Resource": Field(Kind.RESOURCE),
        "TimeoutSeconds": Field(Kind.POSITIVE_INT),
        "TimeoutSecondsPath": Field(Kind.REFERENCE_PATH, _P),
        "HeartbeatSeconds": Field(Kind.POSITIVE_INT),
        "HeartbeatSecondsPath": Field(Kind.REFERENCE_PATH, _P),
        "Credentials": Field(Kind.CREDENTIALS),
    },
    "Choice": {
        **_COMMON,
        **_IO_PATHS,
        **_OUTPUT,
        **_ASSIGN,
        "Choices": Field(Kind.CHOICES),
        "Default": Field(Kind.STATE_NAME),
    },
    "Wait": {
        **_COMMON,
        **_TRANSITION,
        **_IO_PATHS,
        **_OUTPUT,
        **_ASSIGN,
        "Seconds": Field(Kind.NON_NEGATIVE_INT),
        "Timestamp": Field(Kind.TIMESTAMP),
        "SecondsPath": Field(Kind.REFERENCE_PATH, _P),
        "TimestampPath": Field(Kind.REFERENCE_PATH, _P),
    },
    "Succeed": {**_COMMON, **_IO_PATHS, **_OUTPUT},
    "Fail": {
        **_COMMON,
        "Error": Field(Kind.STRING_VALUE),
        "Cause": Field(Kind.STRING_VALUE),
        "ErrorPath": Field(Kind.ERROR_PATH, _P),
        "CausePath": Field(Kind.ERROR_PATH, _P),
    },
    "Parallel": {
        **_COMMON,
        **_TRANSITION,
        **_IO_PATHS,
        "Parameters": Field(Kind.TEMPLATE, _P),
        **_RESULT,
        "Arguments": Field(Kind.ARGUMENTS, _A),
        **_OUTPUT,
        **_ASSIGN,
        **_ERRORS,
        "Branches": Field(Kind.BRANCHES),
    },
    "Map": {
        **_COMMON,
        **_TRANSITION,
        **_IO_PATHS,
        "Parameters": Field(Kind.TEMPLATE, _P),  # deprecated spelling of ItemSelector
        **_RESULT,
        **_OUTPUT,
        **_ASSIGN,
        **_ERRORS,
        "ItemProcessor": Field(Kind.PROCESSOR),
        "Iterator": Field(Kind.PROCESSOR),  # legacy spelling of ItemProcessor
        "ItemsPath": Field(Kind.REFERENCE_PATH, _P),
        "Items": Field(Kind.ITEMS, _A),
        "ItemSelector": Field(Kind.ITEM_SELECTOR),
        "ItemReader": Field(Kind.ITEM_READER),
        "ItemBatcher": Field(Kind.ITEM_BATCHER),
        "ResultWriter": Field(Kind.RESULT_WRITER),
        "MaxConcurrency": Field(Kind.NON_NEGATIVE_INT),
        "MaxConcurrencyPath": Field(Kind.REFERENCE_PATH, _P),
        "ToleratedFailurePercentage": Field(Kind.PERCENTAGE),
        "ToleratedFailurePercentagePath": Field(Kind.REFERENCE_PATH, _P),
        "ToleratedFailureCount": Field(Kind.NON_NEGATIVE_INT),
        "ToleratedFailureCountPath": Field(Kind.REFERENCE_PATH, _P),
        "Label": Field(Kind.LABEL),
    },
}

# Groups of fields of which a state may set at most one (ASL-NOTES §10 item 9).
EXCLUSIVE_FIELDS: Final[Mapping[str, tuple[tuple[str, ...], ...]]] = {
    "Task": (("TimeoutSeconds", "TimeoutSecondsPath"), ("HeartbeatSeconds", "HeartbeatSecondsPath")),
    "Wait": (("Seconds", "SecondsPath", "Timestamp", "TimestampPath"),),
    "Fail": (("Error", "ErrorPath"), ("Cause", "CausePath")),
    "Map": (
        ("ItemProcessor", "Iterator"),
        ("Parameters", "ItemSelector"),
        ("MaxConcurrency", "MaxConcurrencyPath"),
        ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
        ("ToleratedFailureCount", "ToleratedFailureCountPath"),
    ),
}


# Fields a state type cannot do without, and groups of which it needs exactly one (ASL-NOTES §8.0).
REQUIRED_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "Task": ("Resource",),
    "Choice": ("Choices",),
    "Parallel": ("Branches",),
}
REQUIRED_ONE_OF: Final[Mapping[str, tuple[str, ...]]] = {
    "Wait": ("Seconds", "Timestamp", "SecondsPath", "TimestampPath"),
    "Map": ("ItemProcessor", "Iterator"),
}
# State types that must say where to go next: exactly one of Next / "End": true.
TRANSITION_TYPES: Final = frozenset({"Task", "Pass", "Wait", "Parallel", "Map"})
# Fields that only a Distributed Map (ProcessorConfig.Mode DISTRIBUTED) may set (ASL-NOTES §10 item 16).
# ToleratedFailure* are not here: AWS accepted ToleratedFailureCount on an inline Map (conformance corpus,
# test_base_evaluate_expressions TOLERATED_FAILURE_*), where it has no effect.
DISTRIBUTED_ONLY: Final = ("ItemReader", "ItemBatcher", "ResultWriter", "Label")
PROCESSOR_MODES: Final = ("INLINE", "DISTRIBUTED")
EXECUTION_TYPES: Final = ("STANDARD", "EXPRESS")
JITTER_STRATEGIES: Final = ("FULL", "NONE")


class BlockKind(enum.Enum):
    """Where a ``{StartAt, States}`` block sits."""

    MACHINE = "the state machine"
    BRANCH = "a Parallel branch"
    PROCESSOR = "a Map item processor"


# The fields of a States block, by where it sits (ASL-NOTES §1, §8.7, §8.8).
BLOCK_FIELDS: Final[Mapping[BlockKind, Mapping[str, Kind]]] = {
    BlockKind.MACHINE: {
        "StartAt": Kind.STATE_NAME,
        "States": Kind.STATES,
        "Comment": Kind.TEXT,
        "Version": Kind.VERSION,
        "TimeoutSeconds": Kind.POSITIVE_INT,
        "QueryLanguage": Kind.QUERY_LANGUAGE,
    },
    BlockKind.BRANCH: {"StartAt": Kind.STATE_NAME, "States": Kind.STATES, "Comment": Kind.TEXT},
    BlockKind.PROCESSOR: {
        "StartAt": Kind.STATE_NAME,
        "States": Kind.STATES,
        "Comment": Kind.TEXT,
        "ProcessorConfig": Kind.PROCESSOR_CONFIG,
    },
}

# ASL-NOTES §9.2 and §9.4.
RETRIER_FIELDS: Final = frozenset(
    {"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment"}
)
CATCHER_FIELDS: Final[Mapping[str, Field]] = {
    "ErrorEquals": Field(Kind.ANY_JSON),
    "Next": Field(Kind.STATE_NAME),
    "ResultPath": Field(Kind.RESULT_PATH, _P),
    "Output": Field(Kind.JSONATA_VALUE, _A),
    "Assign": Field(Kind.ASSIGN),
    "Comment": Field(Kind.TEXT),
}

# ASL-NOTES §8.8: the parts of a Distributed Map.
ITEM_READER_FIELDS: Final[Mapping[str, Lang]] = {
    "Resource": Lang.ANY,
    "ReaderConfig": Lang.ANY,
    "Parameters": _P,
    "Arguments": _A,
}
READER_CONFIG_FIELDS: Final[Mapping[str, tuple[str, ...] | None]] = {
    "InputType": ("CSV", "JSON", "JSONL", "MANIFEST", "PARQUET"),
    "CSVHeaderLocation": ("FIRST_ROW", "GIVEN"),
    "CSVHeaders": None,
    "CSVDelimiter": ("COMMA", "PIPE", "SEMICOLON", "SPACE", "TAB"),
    "ManifestType": ("ATHENA_DATA", "S3_INVENTORY"),
    "ItemsPointer": None,
    "MaxItems": None,
    "MaxItemsPath": None,
}
ITEM_BATCHER_FIELDS: Final[Mapping[str, Lang]] = {
    "MaxItemsPerBatch": Lang.ANY,
    "MaxItemsPerBatchPath": _P,
    "MaxInputBytesPerBatch": Lang.ANY,
    "MaxInputBytesPerBatchPath": _P,
    "BatchInput": Lang.ANY,
}
RESULT_WRITER_FIELDS: Final[Mapping[str, Lang]] = {
    "Resource": Lang.ANY,
    "Parameters": _P,
    "Arguments": _A,
    "WriterConfig": Lang.ANY,
}
WRITER_CONFIG_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "OutputType": ("JSON", "JSONL"),
    "Transformation": ("NONE", "COMPACT", "FLATTEN"),
}


class Operand(enum.Enum):
    """What the value of a JSONPath Choice comparison operator must be (ASL-NOTES §8.3)."""

    STRING = "a string"
    NUMBER = "a number"
    BOOLEAN = "true or false"
    TIMESTAMP = "an RFC 3339 timestamp string"
    PATH = "a reference path"
    PATTERN = "a string pattern"


def _operators() -> dict[str, Operand]:
    table: dict[str, Operand] = {}
    comparisons = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
    for family, operand in (("String", Operand.STRING), ("Numeric", Operand.NUMBER), ("Timestamp", Operand.TIMESTAMP)):
        for comparison in comparisons:
            table[family + comparison] = operand
            table[family + comparison + "Path"] = Operand.PATH
    table["BooleanEquals"] = Operand.BOOLEAN
    table["BooleanEqualsPath"] = Operand.PATH
    table["StringMatches"] = Operand.PATTERN
    for test in ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"):
        table[test] = Operand.BOOLEAN
    return table


CHOICE_OPERATORS: Final[Mapping[str, Operand]] = _operators()

# What to write instead of a field of the other query language (for messages).
OTHER_LANGUAGE_HINT: Final[Mapping[str, str]] = {
    "InputPath": "select the input inside Arguments with {% $states.input... %}",
    "Parameters": "use Arguments (Items/ItemSelector on a Map)",
    "ResultSelector": "shape the result in Output with {% $states.result... %}",
    "ResultPath": "use Output (and Assign) with {% $states.result %}",
    "OutputPath": "use Output",
    "Result": "use Output",
    "ItemsPath": "use Items",
    "TimeoutSecondsPath": "use TimeoutSeconds with a {% %} expression",
    "HeartbeatSecondsPath": "use HeartbeatSeconds with a {% %} expression",
    "SecondsPath": "use Seconds with a {% %} expression",
    "TimestampPath": "use Timestamp with a {% %} expression",
    "ErrorPath": "use Error with a {% %} expression",
    "CausePath": "use Cause with a {% %} expression",
    "MaxConcurrencyPath": "use MaxConcurrency with a {% %} expression",
    "ToleratedFailurePercentagePath": "use ToleratedFailurePercentage with a {% %} expression",
    "ToleratedFailureCountPath": "use ToleratedFailureCount with a {% %} expression",
    "Arguments": "use Parameters",
    "Output": "use ResultSelector, ResultPath and OutputPath",
    "Items": "use ItemsPath",
    "Condition": "use Variable with a comparison operator",
    "Variable": 'write the test as "Condition": "{% ... %}"',
}
