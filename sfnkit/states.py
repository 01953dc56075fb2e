"""The attrs IR of ASL states and their parts (Retrier, Catcher, ChoiceRule); where to go next is on the graph.

Every field records its ASL spelling in ``metadata["asl"]``; ``sfnkit.asl.codec`` reads that and nothing else,
so a field added here is exported and imported without further code. An optional field that is not in the
definition holds ``None``; fields whose ASL value may itself be ``null`` (``ResultPath``, ``Result``,
``Parameters``...) hold ``ABSENT`` instead, because ``"ResultPath": null`` means something (discard the result).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from sfnkit.conditions import Condition
from sfnkit.frozen import sparse

if TYPE_CHECKING:
    from sfnkit.machine import StateMachine

__all__ = [
    "ABSENT",
    "Absent",
    "Catcher",
    "Choice",
    "ChoiceRule",
    "Fail",
    "Map",
    "Parallel",
    "Pass",
    "Retrier",
    "State",
    "Succeed",
    "Task",
    "Wait",
    "asl_field",
    "is_terminal",
]


class Absent(enum.Enum):
    """The type of ``ABSENT``: a field that is not in the definition (distinct from JSON ``null``)."""

    ABSENT = "ABSENT"

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = Absent.ABSENT

Json = Any


def asl_field(key: str, **kwargs: Any) -> Any:
    """An attrs field that records its ASL spelling, e.g. ``"MaxAttempts"``."""
    if "factory" not in kwargs:
        kwargs.setdefault("default", None)
    return attrs.field(metadata={"asl": key}, **kwargs)


def json_field(key: str) -> Any:
    """An optional field whose ASL value is any JSON, ``null`` included."""
    return attrs.field(default=ABSENT, metadata={"asl": key, "json": True})


def _tuple_or_none(value: Any) -> Any:
    return None if value is None else tuple(value)


# --- parts ----------------------------------------------------------------------------------------------------


@sparse
@attrs.frozen(kw_only=True, slots=False)
class Retrier:
    """One entry of a state's ``Retry`` list."""

    error_equals: tuple[str, ...] = asl_field("ErrorEquals", converter=tuple)
    interval_seconds: int | None = asl_field("IntervalSeconds")
    max_attempts: int | None = asl_field("MaxAttempts")
    backoff_rate: float | None = asl_field("BackoffRate")
    max_delay_seconds: int | None = asl_field("MaxDelaySeconds")
    jitter_strategy: str | None = asl_field("JitterStrategy")
    comment: str | None = asl_field("Comment")


@sparse
@attrs.frozen(kw_only=True, slots=False)
class Catcher:
    """One entry of a state's ``Catch`` list, without its ``Next`` (that is the ``Catch[i]`` edge)."""

    error_equals: tuple[str, ...] = asl_field("ErrorEquals", converter=tuple)
    result_path: Json = json_field("ResultPath")
    output: Json = json_field("Output")
    assign: Json = json_field("Assign")
    comment: str | None = asl_field("Comment")


@sparse
@attrs.frozen(kw_only=True, slots=False)
class ChoiceRule:
    """One entry of a Choice state's ``Choices``, without its ``Next`` (that is the ``Choices[i]`` edge)."""

    condition: Condition
    assign: Json = json_field("Assign")
    output: Json = json_field("Output")
    comment: str | None = asl_field("Comment")


# --- states ---------------------------------------------------------------------------------------------------
# Field order is the order ``to_asl`` writes keys in: Type, Comment, QueryLanguage, then the state's own
# fields in the order the ASL specification lists them; Next/End are written last by the codec.


@sparse
@attrs.frozen(kw_only=True, slots=False)
class Pass:
    """Pass its input on, or a fixed ``Result``, optionally reshaped."""

    type: Literal["Pass"] = attrs.field(default="Pass", init=False, metadata={"asl": "Type"})
    comment: str | None = asl_field("Comment")
    query_language: str | None = asl_field("QueryLanguage")
    input_path: Json = json_field("InputPath")
    parameters: Json = json_field("Parameters")
    result: Json = json_field("Result")
    result_path: Json = json_field("ResultPath")
    output_path: Json = json_field("OutputPath")
    output: Json = json_field("Output")
    assign: Json = json_field("Assign")


@sparse
@attrs.frozen(kw_only=True, slots=False)
class Task:
    """Call ``resource`` (a Lambda function, a service integration, an activity)."""

    type: Literal["Task"] = attrs.field(default="Task", init=False, metadata={"asl": "Type"})
    comment: str | None = asl_field("Comment")
    query_language: str | None = asl_field("QueryLanguage")
    resource: str = asl_field("Resource")
    input_path: Json = json_field("InputPath")
    parameters: Json = json_field("Parameters")
    arguments: Json = json_field("Arguments")
    result_selector: Json = json_field("ResultSelector")
    result_path: Json = json_field("ResultPath")
    output_path: Json = json_field("OutputPath")
    output: Json = json_field("Output")
    assign: Json = json_field("Assign")
    timeout_seconds: Json = json_field("TimeoutSeconds")
    timeout_seconds_path: Json = json_field("TimeoutSecondsPath")
    heartbeat_seconds: Json = json_field("HeartbeatSeconds")
    heartbeat_seconds_path: Json = json_field("HeartbeatSecondsPath")
    credentials: Json = json_field("Credentials")
    retry: tuple[Retrier, ...] | None = asl_field("Retry", converter=_tuple_or_none)
    catch: tuple[Catcher, ...] | None = asl_field("Catch", converter=_tuple_or_none)


@sparse
@attrs.frozen(kw_only=True, slots=False)
class Choice:
    """Go where the first matching rule says, else to ``Default`` (both are edges of the graph)."""

    type: Literal["Choice"] = attrs.field(default="Choice", init=False, metadata={"asl": "Type"})
    comment: str | None = asl_field("Comment")
    query_language: str | None = asl_field("QueryLanguage")
    input_path: Json = json_field("InputPath")
    choices: tuple[ChoiceRule, ...] = asl_field("Choices", converter=tuple, factory=tuple)
    output_path: Json = json_field("OutputPath")
    output: Json = json_field("Output")
    assign: Json = json_field("Assign")


@sparse
@attrs.frozen(kw_only=True, slots=False)
class Wait:
    """Pause for some seconds or until a timestamp."""

    type: Literal["Wait"] = attrs.field(default="Wait", init=False, metadata={"asl": "Type"})
    comment: str | None = asl_field("Comment")
    query_language: str | None = asl_field("QueryLanguage")
    input_path: Json = json_field("InputPath")
    seconds: Json = json_field("Seconds")
    timestamp: Json = json_field("Timestamp")
    seconds_path: Json = json_field("SecondsPath")
    timestamp_path: Json = json_field("TimestampPath")
    output_path: Json = json_field("OutputPath")
    output: Json = json_field("Output")
    assign: Json = json_field("Assign")


@sparse
@attrs.frozen(kw_only=True, slots=False)
class Succeed:
    """End the execution (or branch, or iteration) successfully."""

    type: Literal["Succeed"] = attrs.field(default="Succeed", init=False, metadata={"asl": "Type"})
    comment: str | None = asl_field("Comment")
    query_language: str | None = asl_field("QueryLanguage")
    input_path: Json = json_field("InputPath")
    output_path: Json = json_field("OutputPath")
    output: Json = json_field("Output")
    assign: Json = json_field("Assign")


@sparse
@attrs.frozen(kw_only=True, slots=False)
class Fail:
    """End the execution with an error and a cause."""

    type: Literal["Fail"] = attrs.field(default="Fail", init=False, metadata={"asl": "Type"})
    comment: str | None = asl_field("Comment")
    query_language: str | None = asl_field("QueryLanguage")
    error: Json = json_field("Error")
    error_path: Json = json_field("ErrorPath")
    cause: Json = json_field("Cause")
    cause_path: Json = json_field("CausePath")


@sparse
@attrs.frozen(kw_only=True, slots=False)
class Parallel:
    """Run every branch (a nested state machine) on the same input; the output is the list of their outputs."""

    type: Literal["Parallel"] = attrs.field(default="Parallel", init=False, metadata={"asl": "Type"})
    comment: str | None = asl_field("Comment")
    query_language: str | None = asl_field("QueryLanguage")
    input_path: Json = json_field("InputPath")
    parameters: Json = json_field("Parameters")
    arguments: Json = json_field("Arguments")
    branches: tuple[StateMachine, ...] = asl_field("Branches", converter=tuple, factory=tuple)
    result_selector: Json = json_field("ResultSelector")
    result_path: Json = json_field("ResultPath")
    output_path: Json = json_field("OutputPath")
    output: Json = json_field("Output")
    assign: Json = json_field("Assign")
    retry: tuple[Retrier, ...] | None = asl_field("Retry", converter=_tuple_or_none)
    catch: tuple[Catcher, ...] | None = asl_field("Catch", converter=_tuple_or_none)


@sparse
@attrs.frozen(kw_only=True, slots=False)
class Map:
    """Run ``item_processor`` (a nested state machine) once per item.

    ``iterator_field`` keeps the legacy spelling (``Iterator``) of a definition that used it, and
    ``processor_config`` is the ``ProcessorConfig`` object inside ``ItemProcessor`` (inline or distributed mode).
    """

    type: Literal["Map"] = attrs.field(default="Map", init=False, metadata={"asl": "Type"})
    comment: str | None = asl_field("Comment")
    query_language: str | None = asl_field("QueryLanguage")
    input_path: Json = json_field("InputPath")
    items_path: Json = json_field("ItemsPath")
    items: Json = json_field("Items")
    item_reader: Json = json_field("ItemReader")
    item_selector: Json = json_field("ItemSelector")
    parameters: Json = json_field("Parameters")
    item_batcher: Json = json_field("ItemBatcher")
    item_processor: StateMachine | None = asl_field("ItemProcessor")
    processor_config: Json = attrs.field(default=ABSENT, metadata={"asl": "ProcessorConfig", "nested": True})
    iterator_field: Literal["ItemProcessor", "Iterator"] = attrs.field(default="ItemProcessor")
    arguments: Json = json_field("Arguments")
    max_concurrency: Json = json_field("MaxConcurrency")
    max_concurrency_path: Json = json_field("MaxConcurrencyPath")
    tolerated_failure_percentage: Json = json_field("ToleratedFailurePercentage")
    tolerated_failure_percentage_path: Json = json_field("ToleratedFailurePercentagePath")
    tolerated_failure_count: Json = json_field("ToleratedFailureCount")
    tolerated_failure_count_path: Json = json_field("ToleratedFailureCountPath")
    label: Json = json_field("Label")
    result_writer: Json = json_field("ResultWriter")
    result_selector: Json = json_field("ResultSelector")
    result_path: Json = json_field("ResultPath")
    output_path: Json = json_field("OutputPath")
    output: Json = json_field("Output")
    assign: Json = json_field("Assign")
    retry: tuple[Retrier, ...] | None = asl_field("Retry", converter=_tuple_or_none)
    catch: tuple[Catcher, ...] | None = asl_field("Catch", converter=_tuple_or_none)


State = Task | Pass | Choice | Wait | Succeed | Fail | Parallel | Map  # a closed set: `match` on it

STATE_CLASSES: Final[dict[str, type[State]]] = {
    cls.__name__: cls for cls in (Task, Pass, Choice, Wait, Succeed, Fail, Parallel, Map)
}


def is_terminal(state: State) -> bool:
    """Whether *state* ends its machine by its type (Succeed, Fail), needing neither ``Next`` nor ``End``."""
    return isinstance(state, Succeed | Fail)
