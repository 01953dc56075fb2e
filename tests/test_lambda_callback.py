"""``lambda:invoke.waitForTaskToken``: the function receives the token, and the Task waits for it.

AWS's callback pattern (Step Functions developer guide, "Wait for a Callback with Task Token"): the Task "pauses
until it receives that task token back with a SendTaskSuccess or SendTaskFailure call"; the invoke's answer is what
the TaskSubmitted event records, and the Task's result is the output sent with the token, not what the function
returned. A callback Task whose heartbeat or timeout passes fails with ``States.Timeout`` (recorded on AWS:
tests/conformance_services ``test_heartbeats__test_heartbeat_timeout``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import sfnkit
from sfnkit.cloud.services import AwsServices

RESOURCE = "arn:aws:states:::lambda:invoke.waitForTaskToken"
TOKENS: list[str] = []


def approve(event: dict[str, Any]) -> dict[str, Any]:
    TOKENS.append(event["token"])
    return {"asked": event["n"]}


def broken(event: dict[str, Any]) -> None:
    raise ValueError("no approver on duty")


def _machine(function: str = "approve", **task: Any) -> dict[str, Any]:
    state = {
        "Type": "Task",
        "Resource": RESOURCE,
        "Parameters": {"FunctionName": function, "Payload": {"token.$": "$$.Task.Token", "n.$": "$.n"}},
        "End": True,
        **task,
    }
    return {"StartAt": "Ask", "States": {"Ask": state}}


@pytest.fixture
def services() -> Iterator[AwsServices]:
    TOKENS.clear()
    with sfnkit.aws() as world:
        world.lambdas.update({"approve": approve, "broken": broken})
        yield world


def _types(execution: sfnkit.Execution) -> list[str]:
    return [event["type"] for event in execution.history]


def test_the_task_result_is_the_token_answer_not_the_function_return(services: AwsServices) -> None:
    running = sfnkit.start(_machine(), {"n": 7}, lambdas=services.lambdas, services=services)
    token = running.wait_for_task_token()
    assert TOKENS == [token]  # the function ran, with the token in its payload
    running.send_task_success(token, {"approved": True})
    execution = running.result()
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"approved": True}
    assert _types(execution)[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    submitted = next(e for e in execution.history if e["type"] == "TaskSubmitted")["taskSubmittedEventDetails"]
    assert submitted["resourceType"] == "lambda"
    assert '"Payload":{"asked":7}' in submitted["output"]  # the invoke's answer, as lambda:invoke returns it
    assert '"StatusCode":200' in submitted["output"]


def test_a_handler_may_answer_its_own_token_before_returning(services: AwsServices) -> None:
    sfn = services.client("stepfunctions")

    def self_service(event: dict[str, Any]) -> str:
        sfn.send_task_success(taskToken=event["token"], output='{"done": "inline"}')
        return "sent"

    services.lambdas["self_service"] = self_service
    execution = sfnkit.run(_machine("self_service"), {"n": 1}, lambdas=services.lambdas, services=services)
    assert execution.output == {"done": "inline"}


def test_a_failing_function_fails_the_task_without_waiting(services: AwsServices) -> None:
    machine = _machine("broken", TimeoutSeconds=60)
    execution = sfnkit.run(machine, {"n": 1}, lambdas=services.lambdas, services=services)
    assert execution.status == "FAILED"
    assert execution.error == "ValueError"
    assert "no approver on duty" in (execution.cause or "")
    assert "TaskSubmitted" not in _types(execution)
    assert execution.stop_time == execution.start_time  # no time passed waiting


def test_send_task_failure_is_caught_like_any_task_error(services: AwsServices) -> None:
    machine = _machine(Catch=[{"ErrorEquals": ["Rejected"], "Next": "Sorry"}])
    del machine["States"]["Ask"]["End"]
    machine["States"]["Ask"]["Next"] = "Done"
    machine["States"]["Done"] = {"Type": "Succeed"}
    machine["States"]["Sorry"] = {"Type": "Pass", "End": True}
    running = sfnkit.start(machine, {"n": 2}, lambdas=services.lambdas, services=services)
    running.send_task_failure(running.wait_for_task_token(), error="Rejected", cause="too many dragons")
    execution = running.result()
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"Error": "Rejected", "Cause": "too many dragons"}


def test_nobody_answering_times_the_task_out_in_a_plain_run() -> None:
    TOKENS.clear()
    execution = sfnkit.run(_machine(TimeoutSeconds=30), {"n": 3}, lambdas={"approve": approve})
    assert len(TOKENS) == 1
    assert execution.status == "FAILED"
    assert execution.error == "States.Timeout"
    assert execution.stop_time - execution.start_time == 30
    assert _types(execution)[-3:-1] == ["TaskSubmitted", "TaskTimedOut"]


def test_a_heartbeat_bounds_the_wait_too() -> None:
    execution = sfnkit.run(_machine(HeartbeatSeconds=5), {"n": 3}, lambdas={"approve": approve})
    assert execution.error == "States.Timeout"
    assert execution.stop_time - execution.start_time == 5


def test_a_token_nobody_can_answer_and_no_timeout_is_a_clear_error() -> None:
    execution = sfnkit.run(_machine(), {"n": 3}, lambdas={"approve": approve})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert "Nothing can answer the task token of the state 'Ask'" in (execution.cause or "")
    assert "sfnkit.start()" in (execution.cause or "")


def test_a_plain_callable_bound_to_the_resource_answers_for_the_token() -> None:
    sent: list[Any] = []

    def answer(params: dict[str, Any]) -> dict[str, Any]:
        sent.append(params)
        return {"approved": "by stand-in"}

    execution = sfnkit.run(_machine(), {"n": 4}, lambdas={"approve": approve}, services={RESOURCE: answer})
    assert execution.output == {"approved": "by stand-in"}
    assert sent[0]["FunctionName"] == "approve"
    assert sent[0]["Payload"]["n"] == 4
