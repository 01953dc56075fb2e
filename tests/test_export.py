"""A generated set of DSL machines (every combinator, option and condition operator) round-trips and validates.

Each machine: ``to_asl()`` (which runs ``sfnkit.validate``) -> ``from_asl`` -> ``to_asl()`` gives the same
definition; and Node's asl-validator accepts them all (one batch, ``@pytest.mark.node``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from asl_validator import asl_validator_errors_many, available

from sfnkit import (
    StateMachine,
    aws_sdk,
    catch,
    choice,
    ctx,
    data,
    dynamodb_delete_item,
    dynamodb_get_item,
    dynamodb_put_item,
    dynamodb_update_item,
    fail,
    from_asl,
    goto,
    jsonata,
    lambda_fn,
    lambda_invoke,
    map_,
    parallel,
    pass_,
    result,
    retry,
    sns_publish,
    sqs_send_message,
    start_execution,
    succeed,
    task,
    var,
    wait,
    when,
    workflow,
)
from sfnkit.conditions import Predicate
from sfnkit.dsl import Step

TOPIC = "arn:aws:sns:us-east-1:123456789012:export"
QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/export"
MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:Child"
MOMENT = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
DONE = data.done == True  # noqa: E712 - builds a Choice rule


@lambda_fn
def work(event):
    return event


@lambda_fn(name="Tuned", function_name="tuned-fn", timeout=30, heartbeat=10, retry=retry("States.Timeout"))
def tuned(event):
    return event


# --- the generated set --------------------------------------------------------------------------------------

JSONPATH_CONDITIONS: dict[str, Predicate] = {
    "bool-eq": data.flag == True,  # noqa: E712
    "num-eq": data.n == 1,
    "num-lt": data.n < 1,
    "num-le": data.n <= 1.5,
    "num-gt": data.n > 1,
    "num-ge": data.n >= 1,
    "str-eq": data.s == "a",
    "str-lt": data.s < "a",
    "str-le": data.s <= "a",
    "str-gt": data.s > "a",
    "str-ge": data.s >= "a",
    "ne": data.n != 1,
    "ts-eq": data.t == MOMENT,
    "ts-lt": data.t < MOMENT,
    "ts-le": data.t.timestamp <= "2030-01-01T00:00:00Z",
    "ts-gt": data.t.timestamp > "2030-01-01T00:00:00Z",
    "ts-ge": data.t >= MOMENT,
    "matches": data.s.matches("dr*"),
    "present": data.x.is_present(),
    "absent": data.x.is_present(False),
    "null": data.x.is_null(),
    "string": data.x.is_string(),
    "numeric": data.x.is_numeric(),
    "boolean": data.x.is_boolean(),
    "timestamp": data.x.is_timestamp(),
    "num-path": data.n.number > data.m,
    "str-path": data.s.string == data.r,
    "bool-path": data.flag.boolean == data.other,
    "ts-path": data.t.timestamp < data.u,
    "ctx": ctx.Execution.Name == "run",
    "var": var.total > 100,
    "and-or-not": (data.n > 1) & ~(data.s == "x") | data.x.is_present(),
}
JSONATA_CONDITIONS: dict[str, Predicate] = {
    **{k: v for k, v in JSONPATH_CONDITIONS.items() if k not in ("timestamp",)},
    "raw": jsonata("$states.input.n > 1"),
    "raw-and": jsonata("$exists($states.input.n)") & (data.n > 1),
}


def _choice(condition: Predicate) -> Step:
    return choice(when(condition, then=succeed(name="Yes")), otherwise=fail(name="No", error="No"))


STEPS: dict[str, Callable[[], Step]] = {
    "lambda": lambda: work,
    "lambda-options": lambda: tuned,
    "lambda-output-path": lambda: work.with_options(output_path="$.x", comment="c"),
    "lambda-result-path": lambda: work.with_options(result_path="$.r") >> pass_(),
    "lambda-result-null": lambda: work.with_options(result_path=None, input_path="$.in"),
    "lambda-selector": lambda: work.with_options(result_selector={"v.$": "$.v"}, result_path="$.out"),
    "lambda-parameters": lambda: work.with_options(parameters={"name": data.name, "fixed": 1}),
    "lambda-assign": lambda: work.with_options(assign={"seen": result.n}),
    "lambda-reused": lambda: work >> work >> work,
    "chain": lambda: pass_(name="A") >> pass_(name="B") >> pass_(name="C"),
    "pass-result": lambda: pass_(result={"a": [1, 2]}, result_path="$.r", output_path="$.r"),
    "pass-parameters": lambda: pass_(parameters={"a": data.x, "b": ctx.Execution.Id}, input_path="$.in"),
    "pass-null-paths": lambda: pass_(input_path=None, result_path=None, output_path=None),
    "pass-assign": lambda: pass_(assign={"total": data.total, "k": 1}, comment="remember"),
    "wait-seconds": lambda: wait(seconds=5),
    "wait-timestamp": lambda: wait(timestamp=MOMENT),
    "wait-seconds-path": lambda: wait(seconds=data.delay),
    "wait-timestamp-path": lambda: wait(timestamp_path="$.at", input_path="$", output_path="$"),
    "succeed": lambda: pass_() >> succeed(output_path="$.x", comment="done"),
    "fail": lambda: fail(error="Bad", cause="bad input"),
    "fail-paths": lambda: fail(error=data.error, cause_path="$.cause"),
    "choice-default": lambda: (
        choice(when(data.n > 1, then=pass_(name="Big")), otherwise=pass_(name="Small")) >> pass_(name="After")
    ),
    "choice-fall-through": lambda: choice(when(data.n > 1, then=pass_(name="Big"))) >> pass_(name="After"),
    "choice-paths": lambda: choice(when(data.n > 1, then=succeed()), input_path="$.in", output_path="$.out") >> pass_(),
    "parallel": lambda: parallel(work, pass_() >> pass_(), name="Both", result_path="$.both"),
    "parallel-options": lambda: parallel(
        work,
        parameters={"a": data.a},
        result_selector={"first.$": "$[0]"},
        output_path="$.first",
        retry=retry("States.ALL", max_attempts=2),
        catch=catch("States.ALL", then=fail(error="ParallelFailed")),
    ),
    "map-inline": lambda: map_(work, items_path="$.xs", item_selector={"v": ctx.Map.Item.Value}, max_concurrency=3),
    "map-items-path": lambda: map_(work, items=data.xs, max_concurrency=data.n, result_path="$.out"),
    "map-inline-explicit": lambda: map_(pass_(), mode="INLINE", result_selector={"n.$": "$[0]"}),
    "map-distributed": lambda: map_(
        work,
        item_reader={
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON"},
            "Parameters": {"Bucket": "b", "Key": "k"},
        },
        item_batcher={"MaxItemsPerBatch": 10},
        result_writer={"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "b", "Prefix": "p"}},
        label="Batch",
        tolerated_failure_percentage=5,
        tolerated_failure_count_path="$.tolerance",
        execution_type="EXPRESS",
    ),
    "map-retry-catch": lambda: (
        map_(pass_(), retry=retry("States.ALL"), catch=catch("States.ALL", result_path="$.e")) >> pass_()
    ),
    "task": lambda: task(
        "arn:aws:states:::sns:publish",
        parameters={"TopicArn": TOPIC, "Message": data.m},
        result_selector={"id.$": "$.MessageId"},
        result_path="$.sent",
        output_path="$.sent",
        input_path="$.in",
        timeout_seconds=30,
        heartbeat_seconds=10,
        credentials={"RoleArn": "arn:aws:iam::123456789012:role/x"},
    ),
    "task-path-timeouts": lambda: task(
        "arn:aws:states:::sns:publish", timeout_seconds=data.t, heartbeat_seconds=data.h
    ),
    "task-token": lambda: sqs_send_message(QUEUE, {"token": ctx.Task.Token}, wait_for_task_token=True),
    "retry-full": lambda: work.retry(
        ["States.Timeout", ValueError],
        interval_seconds=2,
        max_attempts=5,
        backoff_rate=1.5,
        max_delay_seconds=60,
        jitter_strategy="FULL",
        comment="transient",
    ).retry("States.ALL"),
    "catch-then": lambda: (
        work.catch(ValueError, then=pass_(name="Handle"), result_path="$.error", comment="c").catch(
            "States.ALL", then=fail(error="Other")
        )
        >> pass_(name="Then")  # not "Next": asl-validator takes a state named Next for a transition
    ),
    "sns": lambda: sns_publish(TOPIC, data.message, subject="s", message_attributes={"k": {"DataType": "String"}}),
    "sqs": lambda: sqs_send_message(QUEUE, {"a": 1}, delay_seconds=1),
    "dynamo-put": lambda: dynamodb_put_item("T", {"id": {"S": data.id}}),
    "dynamo-get": lambda: dynamodb_get_item("T", {"id": {"S": "1"}}, projection_expression="id"),
    "dynamo-update": lambda: dynamodb_update_item(
        "T", {"id": {"S": "1"}}, update_expression="SET n = :n", expression_attribute_values={":n": {"N": "1"}}
    ),
    "dynamo-delete": lambda: dynamodb_delete_item("T", {"id": {"S": "1"}}),
    "lambda-invoke": lambda: lambda_invoke("other-function"),
    "start": lambda: start_execution(MACHINE_ARN, input={"a": 1}),
    "start-sync": lambda: start_execution(MACHINE_ARN, sync=True),
    "start-sync2": lambda: start_execution(MACHINE_ARN, sync_json=True, execution_name=data.name),
    "sdk": lambda: aws_sdk("s3", "listBuckets"),
    "goto-loop": lambda: work >> choice(when(DONE, then=succeed()), otherwise=wait(seconds=1) >> goto(work)),
}

JSONATA_STEPS: dict[str, Callable[[], Step]] = {
    "lambda": lambda: work,
    "lambda-output": lambda: work.with_options(
        output={"r": result.value}, assign={"v": result.value}, arguments=data.x
    ),
    "pass-output": lambda: pass_(output={"a": data.x, "b": var.y, "c": jsonata("$now()")}, assign={"y": 1}),
    "wait": lambda: wait(seconds=data.delay) >> wait(timestamp=MOMENT) >> wait(seconds=jsonata("1 + 1")),
    "fail": lambda: fail(error=data.e, cause=jsonata("'c'")),
    "task": lambda: task(
        "arn:aws:states:::sns:publish",
        arguments={"TopicArn": TOPIC, "Message": data.m},
        output={"id": result.MessageId},
        timeout_seconds=data.t,
    ),
    "helpers": lambda: sns_publish(TOPIC, jsonata("'hi ' & $name")) >> dynamodb_get_item("T", {"id": {"S": data.id}}),
    "choice-rule-fields": lambda: choice(
        when(data.n > 1, then=succeed(), assign={"big": True}, output={"n": data.n}),
        otherwise=pass_(),
        output={"x": 1},
        assign={"small": True},
    ),
    "parallel": lambda: parallel(work, pass_(), arguments={"a": data.a}, output=jsonata("$states.result[0]")),
    "map": lambda: map_(work, items=data.xs, item_selector={"v": jsonata("$states.context.Map.Item.Value")}),
    "catch-output": lambda: work.catch(
        "States.ALL", output=jsonata("$states.errorOutput"), assign={"failed": True}, then=pass_(name="Handle")
    ),
}


def _machines() -> dict[str, StateMachine]:
    machines: dict[str, StateMachine] = {}
    for key, condition in JSONPATH_CONDITIONS.items():
        machines[f"jsonpath-condition-{key}"] = workflow("Conditions", _choice(condition))
    for key, condition in JSONATA_CONDITIONS.items():
        machines[f"jsonata-condition-{key}"] = workflow("Conditions", _choice(condition), query_language="JSONata")
    for key, make in STEPS.items():
        machines[f"jsonpath-{key}"] = workflow("Steps", make(), comment=key, timeout_seconds=3600)
    for key, make in JSONATA_STEPS.items():
        machines[f"jsonata-{key}"] = workflow("Steps", make(), query_language="JSONata", version="1.0")
    machines["explicit-jsonpath"] = workflow("Steps", work, query_language="JSONPath")
    return machines


MACHINES = _machines()


@pytest.mark.parametrize("key", sorted(MACHINES))
def test_round_trip(key):
    """to_asl (validated) -> from_asl -> to_asl is the same definition."""
    definition = MACHINES[key].to_asl()
    assert from_asl(definition).to_asl() == definition


def test_generated_set_is_large():
    """The set covers every condition operator and step option listed above."""
    assert len(MACHINES) == len(JSONPATH_CONDITIONS) + len(JSONATA_CONDITIONS) + len(STEPS) + len(JSONATA_STEPS) + 1


@pytest.mark.node
def test_asl_validator_accepts_all():
    """Node's asl-validator accepts every generated definition."""
    if not available():
        pytest.skip("asl-validator is not installed (scripts/setup.sh installs it)")
    keys = sorted(MACHINES)
    errors = asl_validator_errors_many([MACHINES[key].to_asl() for key in keys])
    assert {key: found for key, found in zip(keys, errors, strict=True) if found} == {}
