"""The reference flow: validate a dragon record, add it to the hoard if it is new, and say what happened over SNS.

``python examples/dragons.py`` (``make demo``) prints the state machine's ASL, then runs it twice — a new dragon and
a known one — against AWS APIs answered by moto in this process (``sfnkit.aws()``: no credentials, nothing leaves
the machine): the Lambda functions keep the hoard in a DynamoDB table, the notices go to an SNS topic, and an SQS
queue subscribed to the topic receives them. It prints each run's path and output, the messages that arrived and
the table's contents.

The functions are the code a Lambda would run: they find the table in the ``DRAGONS_TABLE`` environment variable
and call DynamoDB through boto3. Without it (unit tests that mock SNS, say) the hoard is a set in memory.

``python examples/dragons.py --deploy`` deploys the flow (after asking; ``--yes`` does not ask) to the endpoint in
``AWS_ENDPOINT_URL`` (moto, LocalStack) or else to AWS with your credentials; ``--destroy`` removes it again.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

import sfnkit
from sfnkit import StateMachine, aws, choice, data, lambda_fn, run, sns_publish, when, workflow

TABLE = "Dragons"
TOPIC = "arn:aws:sns:us-east-1:123456789012:dragons"  # moto's account; on AWS, your topic's ARN
KNOWN_DRAGONS = {"Smaug", "Toothless"}  # the hoard when no table is configured


def _table() -> tuple[Any, str] | None:
    """The DynamoDB client and table the hoard lives in, when ``DRAGONS_TABLE`` names one."""
    name = os.environ.get("DRAGONS_TABLE")
    if not name:
        return None
    import boto3

    return boto3.client("dynamodb", region_name="us-east-1"), name


@lambda_fn
def validate_dragon(event: dict[str, Any]) -> dict[str, Any]:
    """Mark the record new unless a dragon of that name is already in the hoard."""
    name = event["dragon"]["name"]
    table = _table()
    if table is None:
        return {**event, "is_new": name not in KNOWN_DRAGONS}
    client, table_name = table
    found = client.get_item(TableName=table_name, Key={"name": {"S": name}})
    return {**event, "is_new": "Item" not in found}


@lambda_fn
def add_dragon(event: dict[str, Any]) -> dict[str, Any]:
    """Put the dragon in the hoard and report it added."""
    table = _table()
    if table is not None:
        client, table_name = table
        client.put_item(TableName=table_name, Item={"name": {"S": event["dragon"]["name"]}})
    return {**event, "added": True}


# result_path=None keeps the record as the output: the SNS response is not what the caller wants back.
notify_inserted = sns_publish(TOPIC, "Record inserted", name="NotifyInserted", result_path=None)
notify_exists = sns_publish(TOPIC, "Already exists", name="NotifyExists", result_path=None)

dragons: StateMachine = workflow(
    "Dragons",
    validate_dragon
    >> choice(
        when(data.is_new == True, then=add_dragon >> notify_inserted),  # noqa: E712 - builds a Choice rule
        otherwise=notify_exists,
        name="IsNew",
    ),
    comment="Add a dragon to the hoard, unless it is already there",
)


def demo(machine: StateMachine) -> None:
    """Print *machine*'s ASL, then run it on moto for a new and a known dragon and show what reached the queue."""
    print(machine.to_json())
    with aws() as services:
        dynamodb, sns, sqs = (services.client(name) for name in ("dynamodb", "sns", "sqs"))
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        dynamodb.put_item(TableName=TABLE, Item={"name": {"S": "Smaug"}})  # already in the hoard
        topic = sns.create_topic(Name="dragons")["TopicArn"]
        queue = sqs.create_queue(QueueName="dragon-notices")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
        os.environ["DRAGONS_TABLE"] = TABLE  # as a deployment would configure the functions
        try:
            for record in ({"dragon": {"name": "Norbert"}}, {"dragon": {"name": "Smaug"}}):
                execution = run(machine, record, services=services).raise_for_status()
                print(f"\n# run with input {json.dumps(record)}")
                print("path:     ", " -> ".join(execution.path))
                print("output:   ", json.dumps(execution.output))
        finally:
            del os.environ["DRAGONS_TABLE"]
        print("\n# messages that arrived in the queue subscribed to the topic")
        for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
            print("message:  ", message["Body"])
        hoard = sorted(item["name"]["S"] for item in dynamodb.scan(TableName=TABLE)["Items"])
        print("hoard:    ", hoard)


def deploy(machine: StateMachine, *, destroy: bool = False, yes: bool = False) -> None:
    """Deploy *machine* (or destroy it) where ``AWS_ENDPOINT_URL`` points, else to AWS, after asking."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    where = endpoint or "AWS, with your credentials"
    verb = "Destroy" if destroy else "Deploy"
    if not yes and input(f"{verb} {machine.name} on {where}? [y/N] ").strip().lower() not in ("y", "yes"):
        print("Nothing done.")
        return
    if destroy:
        print("\n".join(f"deleted   {what}" for what in sfnkit.destroy(machine, endpoint_url=endpoint)))
        return
    deployment = sfnkit.deploy(machine, endpoint_url=endpoint)
    print(deployment.report)
    print("state machine:", deployment.state_machine_arn)


def main() -> None:
    """The dragons demo (``make demo``); ``--deploy`` / ``--destroy`` ship it to AWS (see the module docstring)."""
    parser = argparse.ArgumentParser(description="The dragons flow: ASL and two runs on moto, or a deployment.")
    parser.add_argument("--deploy", action="store_true", help="deploy to AWS_ENDPOINT_URL or AWS")
    parser.add_argument("--destroy", action="store_true", help="remove what --deploy created")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    options = parser.parse_args()
    if options.deploy or options.destroy:
        deploy(dragons, destroy=options.destroy, yes=options.yes)
    else:
        demo(dragons)


if __name__ == "__main__":
    main()
