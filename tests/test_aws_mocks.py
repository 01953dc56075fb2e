"""``run(mocks=...)`` with a world from ``sfnkit.aws()``: a mocked Task state answers from its mock and calls nothing;
every other Task state calls the world's services (moto in this process). And an activity Task's events when a plain
callable answers it."""

from __future__ import annotations

import json

import sfnkit
from sfnkit.testing import Return, Throw


def test_mocked_states_answer_from_their_mocks_and_the_others_reach_the_world() -> None:
    with sfnkit.aws() as services:
        url = services.client("sqs").create_queue(QueueName="out")["QueueUrl"]
        machine = {
            "StartAt": "Get",
            "States": {
                # no such table in the world: only the mock can answer
                "Get": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::dynamodb:getItem",
                    "Parameters": {"TableName": "absent", "Key": {"id": {"S": "1"}}},
                    "Next": "Ask",
                },
                # a callback Task that nobody would answer: mocked, it does not wait
                "Ask": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"QueueUrl": url, "MessageBody": {"token.$": "$$.Task.Token"}},
                    "ResultPath": "$.answer",
                    "Next": "Send",
                },
                "Send": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage",
                    "Parameters": {"QueueUrl": url, "MessageBody.$": "$.Item.name.S"},
                    "ResultSelector": {"sent.$": "$.MessageId"},
                    "End": True,
                },
            },
        }
        mocks = {"Get": Return({"Item": {"name": {"S": "Smaug"}}}), "Ask": Return({"ok": True})}
        execution = sfnkit.run(machine, {}, services=services, mocks=mocks)
        messages = services.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        failing = sfnkit.run(machine, {}, services=services, mocks={"Get": Throw("DynamoDB.AmazonDynamoDBException")})
    assert execution.status == "SUCCEEDED", execution.cause
    assert [m["Body"] for m in messages] == ["Smaug"]  # only Send reached the queue
    assert execution.output["sent"] == messages[0]["MessageId"]
    assert failing.error == "DynamoDB.AmazonDynamoDBException"
    scheduled = [e for e in execution.history if e["type"] == "TaskScheduled"]
    assert [json.loads(e["taskScheduledEventDetails"]["parameters"]).get("TableName") for e in scheduled][:1] == [
        "absent"
    ]


def test_an_activity_bound_to_a_plain_callable_records_activity_events() -> None:
    activity = "arn:aws:states:us-east-1:123456789012:activity:paint"
    machine = {"StartAt": "Paint", "States": {"Paint": {"Type": "Task", "Resource": activity, "End": True}}}
    execution = sfnkit.run(machine, {"c": 1}, services={activity: lambda params: {"painted": params["c"]}})
    assert execution.output == {"painted": 1}
    assert [e["type"] for e in execution.history][2:5] == ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded"]
