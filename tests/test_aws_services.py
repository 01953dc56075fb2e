"""``sfnkit.aws()``: Task integrations through boto3 on moto (in-process, and one run against a moto server).

The recorded AWS behaviour is pinned by ``tests/conformance_services``; these tests cover what the corpus does not:
callbacks answered from outside the world, activities with a boto3-style worker, heartbeats, errors for Retry and
Catch, the world's lifetime, and the same code against an endpoint.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from typing import Any

import pytest

import sfnkit
from sfnkit.cloud.services import AwsServices


def _queue(services: AwsServices, name: str = "work") -> str:
    url: str = services.client("sqs").create_queue(QueueName=name)["QueueUrl"]
    return url


def _callback_machine(url: str, **task: Any) -> dict[str, Any]:
    return {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": url, "MessageBody": {"token.$": "$$.Task.Token", "n.$": "$.n"}},
                "End": True,
                **task,
            }
        },
    }


def _answer_from_thread(services: AwsServices, url: str, answer: Any) -> threading.Thread:
    """A worker outside the world: read the message, call back with boto3-shaped calls."""

    def work() -> None:
        sqs, sfn = services.client("sqs"), services.client("stepfunctions")
        for _ in range(4000):
            messages = sqs.receive_message(QueueUrl=url).get("Messages", [])
            if messages:
                body = json.loads(messages[0]["Body"])
                answer(sfn, body)
                return
            threading.Event().wait(0.005)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_import_sfnkit_imports_no_aws_library() -> None:
    """boto3, botocore and moto load only when sfnkit.aws() is called."""
    code = "import sys, sfnkit; print(sorted(m for m in ('boto3', 'botocore', 'moto') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_wait_for_task_token_resumes_with_the_workers_output() -> None:
    """The token reaches the queue; send_task_success from another thread ends the Task with its output."""
    with sfnkit.aws() as services:
        url = _queue(services)

        def succeed(sfn: Any, body: dict[str, Any]) -> None:
            sfn.send_task_success(taskToken=body["token"], output=json.dumps({"doubled": body["n"] * 2}))

        _answer_from_thread(services, url, succeed)
        execution = sfnkit.run(_callback_machine(url), {"n": 21}, services=services)
    assert (execution.status, execution.output) == ("SUCCEEDED", {"doubled": 42})


def test_send_task_failure_is_caught_with_its_error_and_cause() -> None:
    """A worker's failure is the Task's error: Catch sees Error and Cause as sent."""
    with sfnkit.aws() as services:
        url = _queue(services)
        machine = _callback_machine(
            url, Catch=[{"ErrorEquals": ["Dragon.Missing"], "ResultPath": "$.error", "Next": "Done"}]
        )
        machine["States"]["Done"] = {"Type": "Succeed"}

        def fail(sfn: Any, body: dict[str, Any]) -> None:
            sfn.send_task_failure(taskToken=body["token"], error="Dragon.Missing", cause="no such dragon")

        _answer_from_thread(services, url, fail)
        execution = sfnkit.run(machine, {"n": 1}, services=services)
    assert execution.output == {"n": 1, "error": {"Error": "Dragon.Missing", "Cause": "no such dragon"}}


def test_heartbeat_timeout_fails_the_task_on_the_virtual_clock() -> None:
    """No heartbeat within HeartbeatSeconds: States.Timeout, 5 virtual seconds after the Task started."""
    with sfnkit.aws() as services:
        execution = sfnkit.run(
            _callback_machine(_queue(services), HeartbeatSeconds=5, TimeoutSeconds=600), {"n": 1}, services=services
        )
    assert (execution.status, execution.error) == ("FAILED", "States.Timeout")
    assert execution.stop_time - execution.start_time == pytest.approx(5)


def test_a_callback_worker_machine_answers_on_the_shared_clock() -> None:
    """A worker execution started through the local Step Functions polls every (virtual) second and answers."""
    with sfnkit.aws() as services:
        url = _queue(services)
        sfn = services.client("stepfunctions")
        worker = {
            "StartAt": "Wait",
            "States": {
                "Wait": {"Type": "Wait", "Seconds": 1, "Next": "Receive"},
                "Receive": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::aws-sdk:sqs:receiveMessage",
                    "Parameters": {"QueueUrl": url},
                    "Next": "Got",
                },
                "Got": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.Messages", "IsPresent": True, "Next": "Parse"}],
                    "Default": "Wait",
                },
                "Parse": {
                    "Type": "Pass",
                    "Parameters": {"body.$": "States.StringToJson($.Messages[0].Body)"},
                    "Next": "Answer",
                },
                "Answer": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
                    "Parameters": {"TaskToken.$": "$.body.token", "Output": "{}"},
                    "End": True,
                },
            },
        }
        with services.clock.hold():
            arn = sfn.create_state_machine(name="worker", definition=json.dumps(worker), roleArn="r")["stateMachineArn"]
            sfn.start_execution(stateMachineArn=arn)
        execution = sfnkit.run(_callback_machine(url), {"n": 1}, services=services)
    assert (execution.status, execution.output) == ("SUCCEEDED", {})


def test_activity_worker_written_against_boto3_runs_unchanged() -> None:
    """An activity Task waits for a worker that polls get_activity_task and answers with send_task_success."""
    with sfnkit.aws() as services:
        sfn = services.client("stepfunctions")
        activity = sfn.create_activity(name="paint")["activityArn"]

        def worker() -> None:
            task = sfn.get_activity_task(activityArn=activity, workerName="painter")
            colour = json.loads(task["input"])["colour"]
            sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"painted": colour}))

        threading.Thread(target=worker, daemon=True).start()
        machine = {"StartAt": "Paint", "States": {"Paint": {"Type": "Task", "Resource": activity, "End": True}}}
        execution = sfnkit.run(machine, {"colour": "red"}, services=services)
    assert execution.output == {"painted": "red"}


def test_errors_are_named_as_step_functions_names_them() -> None:
    """Optimized and aws-sdk integrations name the same DynamoDB error differently; both can be caught."""

    def catch_all(resource: str) -> dict[str, Any]:
        return {
            "StartAt": "Put",
            "States": {
                "Put": {
                    "Type": "Task",
                    "Resource": resource,
                    "Parameters": {"TableName": "missing", "Item": {"id": {"S": "1"}}},
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                    "End": True,
                },
                "Caught": {"Type": "Pass", "End": True},
            },
        }

    with sfnkit.aws() as services:
        errors = [
            sfnkit.run(catch_all(resource), {}, services=services).output["Error"]
            for resource in ("arn:aws:states:::dynamodb:putItem", "arn:aws:states:::aws-sdk:dynamodb:putItem")
        ]
    assert errors == ["DynamoDB.ResourceNotFoundException", "DynamoDb.ResourceNotFoundException"]


def test_start_execution_sync_runs_the_nested_machine_in_the_world() -> None:
    """states:startExecution.sync:2 runs a machine created in the local Step Functions and returns its output."""
    with sfnkit.aws() as services:
        sfn = services.client("stepfunctions")
        child = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}
        arn = sfn.create_state_machine(name="child", definition=json.dumps(child), roleArn="r")["stateMachineArn"]
        parent = {
            "StartAt": "Run",
            "States": {
                "Run": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::states:startExecution.sync:2",
                    "Parameters": {"StateMachineArn": arn, "Input": {"x": 1}},
                    "OutputPath": "$.Output",
                    "End": True,
                }
            },
        }
        assert sfnkit.run(parent, {}, services=services).output == {"ok": True}


def test_unknown_integration_says_what_to_bind() -> None:
    """A resource sfnkit.aws() does not run fails the state with a message that names it."""
    with sfnkit.aws() as services:
        machine = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync",
                                                   "End": True}}}  # fmt: skip
        execution = sfnkit.run(machine, {}, services=services)
    assert execution.error == "States.Runtime" and "arn:aws:states:::ecs:runTask.sync" in str(execution.cause)


def test_against_a_moto_server_on_a_random_local_port() -> None:
    """The same integrations through real HTTP: a moto server on 127.0.0.1, started and stopped here."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        with sfnkit.aws(endpoint_url=f"http://{host}:{port}") as services:
            url = _queue(services, "over-http")
            machine = {
                "StartAt": "Send",
                "States": {
                    "Send": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::sqs:sendMessage",
                        "Parameters": {"QueueUrl": url, "MessageBody": {"hello": "world"}},
                        "End": True,
                    }
                },
            }
            execution = sfnkit.run(machine, {}, services=services)
            body = services.client("sqs").receive_message(QueueUrl=url)["Messages"][0]["Body"]
    finally:
        server.stop()
    assert (execution.status, sorted(execution.output), body) == (
        "SUCCEEDED",
        ["MD5OfMessageBody", "MessageId", "SdkHttpMetadata", "SdkResponseMetadata"],
        '{"hello":"world"}',
    )


def test_a_closed_world_refuses_calls_instead_of_reaching_aws() -> None:
    """After close() moto is gone: the world's clients refuse, so no call can fall through to AWS."""
    with sfnkit.aws() as services:
        sqs = services.client("sqs")
    with pytest.raises(RuntimeError, match="world is closed"):
        sqs.list_queues()


def test_start_cannot_move_a_worlds_shared_clock() -> None:
    """run(start=...) with a services world is refused with what to do instead."""
    from datetime import UTC, datetime

    machine = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    with sfnkit.aws() as services, pytest.raises(ValueError, match="drop start="):
        sfnkit.run(machine, {}, services=services, start=datetime(2024, 1, 1, tzinfo=UTC))


def test_the_stepfunctions_client_is_boto3_answered_by_the_local_service() -> None:
    """services.client("stepfunctions") is a real boto3 client: its own validation, its own exceptions."""
    with sfnkit.aws() as services:
        sfn = services.client("stepfunctions")
        with pytest.raises(sfn.exceptions.InvalidToken):
            sfn.send_task_success(taskToken="no-such-token", output="{}")
        with pytest.raises(Exception, match="Parameter validation failed"):
            sfn.send_task_success(taskToken="t")
        arn = sfn.create_activity(name="a")["activityArn"]
    assert arn.endswith(":activity:a")
