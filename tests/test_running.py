"""``sfnkit.start()``: a running execution whose task tokens the test answers, on moto in-process.

What AWS does is pinned by recordings: a callback Task whose heartbeat passes fails with ``States.Timeout`` (not
``States.HeartbeatTimeout``: tests/conformance_services ``test_heartbeats__test_heartbeat_timeout``, recorded on AWS),
and a token that expired or was already answered is ``TaskTimedOut`` ("the task token has either expired or the
task associated with the token has already been closed", the SendTaskSuccess API reference).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

import sfnkit
from sfnkit.cloud.services import AwsServices

SEND = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"


@pytest.fixture
def services() -> Iterator[AwsServices]:
    with sfnkit.aws() as world:
        yield world
    assert _alive(world) == []  # no thread left behind


def _alive(services: AwsServices) -> list[str]:
    """The world's execution threads still running."""
    records = services.stepfunctions.executions.values()
    return [r.name for r in records if r.thread is not None and r.thread.is_alive()]


def _queue(services: AwsServices) -> str:
    url: str = services.client("sqs").create_queue(QueueName="work")["QueueUrl"]
    return url


def _ask(url: str, **task: Any) -> dict[str, Any]:
    """A Task that sends its token to the queue and waits for it."""
    return {
        "Type": "Task",
        "Resource": SEND,
        "Parameters": {"QueueUrl": url, "MessageBody": {"token.$": "$$.Task.Token", "n.$": "$.n"}},
        **task,
    }


def _machine(url: str, **task: Any) -> dict[str, Any]:
    return {"StartAt": "Ask", "States": {"Ask": {**_ask(url, **task), "End": True}}}


def _messages(services: AwsServices, url: str) -> list[dict[str, Any]]:
    answer = services.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in answer.get("Messages", [])]


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


# --- answering ---------------------------------------------------------------------------------------------------


def test_the_token_reaches_the_queue_and_success_resumes_the_task(services: AwsServices) -> None:
    url = _queue(services)
    running = sfnkit.start(_machine(url), {"n": 21}, services=services)
    token = running.wait_for_task_token()
    assert _messages(services, url) == [{"token": token, "n": 21}]
    described = services.client("stepfunctions").describe_execution(executionArn=running.arn)
    assert (running.status, described["status"]) == ("RUNNING", "RUNNING")
    running.send_task_success(token, {"doubled": 42})
    execution = running.result()
    assert (execution.status, execution.output, execution.arn) == ("SUCCEEDED", {"doubled": 42}, running.arn)
    assert running.status == "SUCCEEDED" and running.result() is execution
    described = services.client("stepfunctions").describe_execution(executionArn=running.arn)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"doubled": 42})


@pytest.mark.parametrize("output", [[1, "two"], "text", 3.5, None, True])
def test_any_json_value_is_an_output(services: AwsServices, output: Any) -> None:
    running = sfnkit.start(_machine(_queue(services)), {"n": 1}, services=services)
    running.send_task_success(running.wait_for_task_token(), output)
    assert running.result().output == output


def test_failure_is_caught_by_a_catch_with_its_error_and_cause(services: AwsServices) -> None:
    url = _queue(services)
    machine = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                **_ask(url),
                "Catch": [{"ErrorEquals": ["Order.Refused"], "ResultPath": "$.why", "Next": "No"}],
                "End": True,
            },
            "No": {"Type": "Succeed"},
        },
    }
    running = sfnkit.start(machine, {"n": 1}, services=services)
    running.send_task_failure(running.wait_for_task_token(), error="Order.Refused", cause="out of stock")
    execution = running.result()
    assert execution.output == {"n": 1, "why": {"Error": "Order.Refused", "Cause": "out of stock"}}


def test_an_uncaught_failure_fails_the_execution(services: AwsServices) -> None:
    running = sfnkit.start(_machine(_queue(services)), {"n": 1}, services=services)
    running.send_task_failure(running.wait_for_task_token(), error="Boom", cause="it broke")
    execution = running.result()
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "Boom", "it broke")
    assert execution.history[-2]["type"] == "TaskFailed"


# --- time ----------------------------------------------------------------------------------------------------------


def test_heartbeats_keep_the_task_alive_across_advances(services: AwsServices) -> None:
    running = sfnkit.start(
        _machine(_queue(services), HeartbeatSeconds=5, TimeoutSeconds=60), {"n": 1}, services=services
    )
    token = running.wait_for_task_token()
    for _ in range(4):
        running.advance(4)
        running.send_task_heartbeat(token)
    running.send_task_success(token, "done")
    execution = running.result()
    assert (execution.status, execution.stop_time - execution.start_time) == ("SUCCEEDED", 16)


def test_without_a_heartbeat_the_task_times_out_when_time_passes(services: AwsServices) -> None:
    running = sfnkit.start(
        _machine(_queue(services), HeartbeatSeconds=5, TimeoutSeconds=60), {"n": 1}, services=services
    )
    token = running.wait_for_task_token()
    running.advance(4)
    assert running.status == "RUNNING"  # 4 s < HeartbeatSeconds
    running.advance(3)
    assert running.status == "FAILED"
    execution = running.result()
    assert (execution.error, execution.stop_time - execution.start_time) == ("States.Timeout", 5)
    assert [e["type"] for e in execution.history[-2:]] == ["TaskTimedOut", "ExecutionFailed"]
    with pytest.raises(ClientError) as late:
        running.send_task_success(token, {})
    assert _code(late) == "TaskTimedOut"


def test_result_without_an_answer_lets_the_heartbeat_pass(services: AwsServices) -> None:
    running = sfnkit.start(_machine(_queue(services), HeartbeatSeconds=30), {"n": 1}, services=services)
    running.wait_for_task_token()
    execution = running.result()
    assert (execution.error, execution.stop_time - execution.start_time) == ("States.Timeout", 30)


def test_timeout_seconds_ends_the_wait(services: AwsServices) -> None:
    running = sfnkit.start(_machine(_queue(services), TimeoutSeconds=10), {"n": 1}, services=services)
    token = running.wait_for_task_token()
    running.advance(9.5)
    running.send_task_heartbeat(token)  # no HeartbeatSeconds: a heartbeat does not push TimeoutSeconds
    running.advance(1)
    execution = running.result()
    assert (execution.status, execution.error, execution.stop_time - execution.start_time) == (
        "FAILED",
        "States.Timeout",
        10,
    )


def test_time_stands_still_while_the_caller_holds_a_token(services: AwsServices) -> None:
    """Another execution of the world keeps waiting 1 s at a time; while the caller's code runs, none of it passes."""
    ticker = {
        "StartAt": "Tick",
        "States": {
            "Tick": {"Type": "Wait", "Seconds": 1, "Next": "Again"},
            "Again": {"Type": "Pass", "Next": "Tick"},
        },
    }
    sfn = services.client("stepfunctions")
    with services.clock.hold():
        arn = sfn.create_state_machine(name="ticker", definition=json.dumps(ticker), roleArn="r")["stateMachineArn"]
        sfn.start_execution(stateMachineArn=arn)
    running = sfnkit.start(_machine(_queue(services), TimeoutSeconds=3), {"n": 1}, services=services)
    token = running.wait_for_task_token()
    before = services.clock.now
    threading.Event().wait(0.1)  # real time passes; the world's does not
    assert services.clock.now == before
    running.advance(2)
    assert services.clock.now == before + 2
    running.send_task_success(token, {"in": "time"})
    assert running.result().output == {"in": "time"}


# --- several tokens ------------------------------------------------------------------------------------------------


def test_parallel_branches_wait_one_after_the_other(services: AwsServices) -> None:
    url = _queue(services)
    machine = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Left", "States": {"Left": {**_ask(url), "End": True}}},
                    {"StartAt": "Right", "States": {"Right": {**_ask(url), "End": True}}},
                ],
                "End": True,
            }
        },
    }
    running = sfnkit.start(machine, {"n": 1}, services=services)
    left = running.wait_for_task_token(state="Left")
    running.advance(5)
    running.send_task_success(left, "L")
    right = running.wait_for_task_token()
    assert right != left
    running.send_task_success(right, "R")
    execution = running.result()
    assert execution.output == ["L", "R"]
    assert execution.stop_time - execution.start_time == 5  # both branches began at once, as on AWS


def test_map_iterations_each_wait_for_their_own_token(services: AwsServices) -> None:
    url = _queue(services)
    machine = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "Ask", "States": {"Ask": {**_ask(url), "End": True}}},
                "End": True,
            }
        },
    }
    running = sfnkit.start(machine, [{"n": 1}, {"n": 2}, {"n": 3}], services=services)
    tokens = []
    for _ in range(3):
        token = running.wait_for_task_token(state="Ask")
        tokens.append(token)
        n = next(m["n"] for m in _messages(services, url) if m["token"] == token)
        running.send_task_success(token, n * 10)
    assert running.result().output == [10, 20, 30]
    assert len(set(tokens)) == 3


# --- wrong answers and misuse --------------------------------------------------------------------------------------


def test_unknown_and_answered_tokens_are_refused_as_aws_refuses_them(services: AwsServices) -> None:
    running = sfnkit.start(_machine(_queue(services)), {"n": 1}, services=services)
    token = running.wait_for_task_token()
    with pytest.raises(ClientError) as unknown:
        running.send_task_success("AAAA-not-a-token", {})
    assert _code(unknown) == "InvalidToken"
    running.send_task_success(token, 1)
    for again in (
        lambda: running.send_task_success(token, 2),
        lambda: running.send_task_failure(token, error="Late"),
        lambda: running.send_task_heartbeat(token),
    ):
        with pytest.raises(ClientError) as twice:
            again()
        assert _code(twice) == "TaskTimedOut"
    assert running.result().output == 1


def test_output_that_is_not_json_is_a_type_error(services: AwsServices) -> None:
    running = sfnkit.start(_machine(_queue(services)), {"n": 1}, services=services)
    token = running.wait_for_task_token()
    for bad in ({1, 2}, float("nan"), object()):
        with pytest.raises(TypeError, match="output must be a JSON value"):
            running.send_task_success(token, bad)
    running.send_task_success(token, {})
    running.result()


def test_waiting_for_a_token_after_the_end_says_so(services: AwsServices) -> None:
    machine = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    running = sfnkit.start(machine, {"n": 1}, services=services)
    with pytest.raises(RuntimeError, match=r"ended \(SUCCEEDED\) before a Task waited"):
        running.wait_for_task_token()
    assert running.result().status == "SUCCEEDED"


def test_a_state_that_waits_for_no_token_is_named_at_once(services: AwsServices) -> None:
    running = sfnkit.start(_machine(_queue(services)), {"n": 1}, services=services)
    with pytest.raises(ValueError, match=r"state='Aks'.*the ones that do: 'Ask'"):
        running.wait_for_task_token(state="Aks")
    running.send_task_success(running.wait_for_task_token(state="Ask"), 1)
    assert running.result().output == 1


def test_time_passes_only_from_the_thread_that_started(services: AwsServices) -> None:
    running = sfnkit.start(_machine(_queue(services)), {"n": 1}, services=services)
    token = running.wait_for_task_token()
    errors: list[BaseException] = []

    def elsewhere() -> None:
        try:
            running.result()
        except RuntimeError as exc:
            errors.append(exc)
        running.send_task_success(token, "from another thread")  # answering is fine from anywhere

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert "from another thread" in str(errors[0]) and "call it from that thread" in str(errors[0])
    assert running.result().output == "from another thread"


def test_start_needs_a_world_and_refuses_what_run_refuses() -> None:
    machine = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    with pytest.raises(TypeError, match=r"sfnkit.aws\(\) world"):
        sfnkit.start(machine, {}, services={"arn:aws:states:::sns:publish": lambda p: {}})  # type: ignore[arg-type]
    with sfnkit.aws() as services:
        with pytest.raises(sfnkit.ValidationError):
            sfnkit.start({"StartAt": "Nowhere", "States": {}}, {}, services=services)
        with pytest.raises(TypeError, match="JSON value"):
            sfnkit.start(machine, {"x": object()}, services=services)
        assert services.stepfunctions.executions == {}
        running = sfnkit.start(machine, {}, services=services)  # the failed starts left time free
        assert running.result().status == "SUCCEEDED"
        sfnkit.start(machine, {}, services=services, context={"Execution": {"Name": "once"}}).result()
        with pytest.raises(ClientError, match="ExecutionAlreadyExists"):
            sfnkit.start(machine, {}, services=services, context={"Execution": {"Name": "once"}})
    with pytest.raises(RuntimeError, match="closed"):
        sfnkit.start(machine, {}, services=services)


def test_a_forgotten_result_does_not_hang_the_world_at_close() -> None:
    with sfnkit.aws() as services:
        running = sfnkit.start(_machine(_queue(services)), {"n": 1}, services=services)
        running.wait_for_task_token()
    assert _alive(services) == []  # closing the world ended it
    with pytest.raises(RuntimeError, match="world closed first"):
        running.result()


# --- the same history as a boto3 worker's, every time ----------------------------------------------------------------

_WORKER = {
    "StartAt": "Poll",
    "States": {
        "Poll": {"Type": "Wait", "Seconds": 1, "Next": "Receive"},
        "Receive": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:sqs:receiveMessage",
            "Parameters": {"QueueUrl.$": "$.url"},
            "ResultPath": "$.got",
            "Next": "Got",
        },
        "Got": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.got.Messages", "IsPresent": True, "Next": "Parse"}],
            "Default": "Poll",
        },
        "Parse": {
            "Type": "Pass",
            "Parameters": {"body.$": "States.StringToJson($.got.Messages[0].Body)"},
            "Next": "Think",
        },
        "Think": {"Type": "Wait", "Seconds": 3, "Next": "Beat"},
        "Beat": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskHeartbeat",
            "Parameters": {"TaskToken.$": "$.body.token"},
            "ResultPath": None,
            "Next": "Finish",
        },
        "Finish": {"Type": "Wait", "Seconds": 3, "Next": "Answer"},
        "Answer": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
            "Parameters": {"TaskToken.$": "$.body.token", "Output": '{"approved":true}'},
            "End": True,
        },
    },
}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX = re.compile(r"[0-9a-f]{32}")  # a task token, and the MD5 of a body holding one
_DATE = re.compile(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT")


def _comparable(execution: sfnkit.Execution, *, tokens: bool = True) -> list[tuple[float, str]]:
    """Each event's offset from the start and its JSON, moto's random ids and the wall-clock start left out (and
    the task tokens with the digests of what holds them, unless *tokens*)."""
    start = execution.history[0]["timestamp"]
    out = []
    for event in execution.history:
        text = json.dumps({k: v for k, v in event.items() if k != "timestamp"})
        text = _DATE.sub("<date>", _UUID.sub("<uuid>", text))
        out.append(((event["timestamp"] - start).total_seconds(), text if tokens else _HEX.sub("<hex>", text)))
    return out


def _answered_by_the_handle() -> sfnkit.Execution:
    with sfnkit.aws() as services:
        running = sfnkit.start(
            _machine(_queue(services), HeartbeatSeconds=5, TimeoutSeconds=60), {"n": 1}, services=services, seed=7
        )
        token = running.wait_for_task_token()
        running.advance(4)
        running.send_task_heartbeat(token)
        running.advance(3)
        running.send_task_success(token, {"approved": True})
        return running.result()


def _answered_by_a_worker_execution() -> sfnkit.Execution:
    """Both executions started through boto3 while time is held: they begin at the same instant."""
    with sfnkit.aws() as services:
        url = _queue(services)
        sfn = services.client("stepfunctions")
        main = _machine(url, HeartbeatSeconds=5, TimeoutSeconds=60)
        with services.clock.hold():
            for name, machine, task_input in (("worker", _WORKER, {"url": url}), ("StateMachine", main, {"n": 1})):
                arn = sfn.create_state_machine(name=name, definition=json.dumps(machine), roleArn="r")
                started = sfn.start_execution(stateMachineArn=arn["stateMachineArn"], input=json.dumps(task_input))
        record = services.stepfunctions.executions[started["executionArn"]]
        assert record.done.wait(60)
        execution: sfnkit.Execution = record.execution
        return execution


def _answered_by_a_boto3_thread() -> sfnkit.Execution:
    with sfnkit.aws() as services:
        url = _queue(services)

        def work() -> None:
            sqs, sfn = services.client("sqs"), services.client("stepfunctions")
            while not (messages := sqs.receive_message(QueueUrl=url).get("Messages")):
                threading.Event().wait(0.005)
            token = json.loads(messages[0]["Body"])["token"]
            sfn.send_task_success(taskToken=token, output=json.dumps({"approved": True}))

        threading.Thread(target=work, daemon=True).start()
        return sfnkit.run(_machine(url), {"n": 1}, services=services, seed=7)


def test_a_worker_execution_answers_a_started_execution() -> None:
    """aws-sdk:sfn:sendTaskHeartbeat/Success from another execution of the world resume it while result() waits."""
    with sfnkit.aws() as services:
        url = _queue(services)
        sfn = services.client("stepfunctions")
        with services.clock.hold():
            arn = sfn.create_state_machine(name="worker", definition=json.dumps(_WORKER), roleArn="r")
            sfn.start_execution(stateMachineArn=arn["stateMachineArn"], input=json.dumps({"url": url}))
            running = sfnkit.start(_machine(url, HeartbeatSeconds=5, TimeoutSeconds=60), {"n": 1}, services=services)
        execution = running.result()
    assert (execution.output, execution.stop_time - execution.start_time) == ({"approved": True}, 7)


def test_the_history_is_the_one_a_worker_execution_makes() -> None:
    """Heartbeat at +4 s, success at +7 s: the same events at the same instants as sendTaskHeartbeat/Success from
    another execution of the world; and a second run is the same, task tokens included (seeded)."""
    handle = _answered_by_the_handle()
    assert _comparable(handle, tokens=False) == _comparable(_answered_by_a_worker_execution(), tokens=False)
    assert _comparable(handle) == _comparable(_answered_by_the_handle())
    assert _comparable(handle)[-1][0] == 7


def test_the_history_is_the_one_a_boto3_worker_thread_makes() -> None:
    with sfnkit.aws() as services:
        running = sfnkit.start(_machine(_queue(services)), {"n": 1}, services=services, seed=7)
        running.send_task_success(running.wait_for_task_token(), {"approved": True})
        handle = _comparable(running.result())
    assert handle == _comparable(_answered_by_a_boto3_thread())
