"""Lambda's pull model, locally: a queue of dragon-food orders drained by a @lambda_fn, bad orders in the DLQ.

``python examples/orders_queue.py`` prints the ASL of the flow that fulfils an order, then runs the pull flow on
moto in this process (nothing reaches AWS): a producer puts orders on the ``orders`` queue, ``sfnkit.poll`` feeds
them to ``take_order`` in batches (its ``sqs_trigger``), the orders it reports as failed come back after the
visibility timeout and, after three receives, land in ``orders-dlq``; then the same queue feeds the state machine,
one execution per order. The script prints what happened.
"""

from __future__ import annotations

import json
from typing import Any

from sfnkit import PollReport, StateMachine, lambda_fn, poll, sqs_trigger, workflow

MAX_RECEIVES = 3  # the queue's redrive policy: after three failed receives a message goes to the DLQ
ORDERS = [
    {"order": 1, "food": "sheep", "qty": 3},
    {"order": 2, "food": "goat", "qty": 1},
    {"order": 3, "food": "sheep", "qty": 0},  # bad: nothing to deliver
    {"order": 4, "food": "cow", "qty": 2},
    {"order": 5, "food": "gold", "qty": 1},  # bad: dragons hoard gold, they do not eat it
    {"order": 6, "food": "goat", "qty": 4},
]


class BadOrder(Exception):
    """An order the kitchen cannot take."""


def check(order: dict[str, Any]) -> None:
    if order["qty"] < 1:
        raise BadOrder(f"order {order['order']}: quantity must be at least 1")
    if order["food"] == "gold":
        raise BadOrder(f"order {order['order']}: gold is not food")


@lambda_fn(timeout=10, triggers=[sqs_trigger("orders", batch_size=4)])
def take_order(event: dict[str, Any]) -> dict[str, Any]:
    """Take each order of the batch; report the bad ones so that only they are tried again (batchItemFailures)."""
    failures = []
    for record in event["Records"]:
        try:
            check(json.loads(record["body"]))
        except BadOrder:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


@lambda_fn
def weigh(event: dict[str, Any]) -> dict[str, Any]:
    """Check the order and weigh the food (a bad order fails the execution)."""
    check(event)
    return {**event, "kilos": {"sheep": 60, "goat": 40, "cow": 500}[event["food"]] * event["qty"]}


@lambda_fn
def deliver(event: dict[str, Any]) -> dict[str, Any]:
    """Deliver the weighed food."""
    return {"order": event["order"], "delivered_kg": event["kilos"]}


fulfil: StateMachine = workflow("FulfilOrder", weigh >> deliver, comment="Weigh an order's food and deliver it")


def make_queues(sqs: Any) -> tuple[str, str]:
    """Create ``orders`` with a redrive policy to ``orders-dlq``; return both URLs."""
    dlq = sqs.create_queue(QueueName="orders-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVES})
    orders = sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "60", "RedrivePolicy": policy})
    return orders["QueueUrl"], dlq


def produce(sqs: Any, queue: str) -> None:
    """The producer: one message per order."""
    for order in ORDERS:
        sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(order))


def dead_letters(sqs: Any, dlq: str) -> list[int]:
    """The order numbers that reached the dead-letter queue."""
    found = []
    while messages := sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            found.append(json.loads(message["Body"])["order"])
            sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
    return sorted(found)


def demo() -> tuple[PollReport, list[int], PollReport, list[int]]:
    """Drain the queue through take_order, then through the state machine; return each report and its DLQ."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        queue, dlq = make_queues(sqs)
        produce(sqs, queue)
        by_function = poll(take_order)
        function_dlq = dead_letters(sqs, dlq)
        produce(sqs, queue)
        by_machine = poll(fulfil, trigger=sqs_trigger("orders", batch_size=10))
        return by_function, function_dlq, by_machine, dead_letters(sqs, dlq)


def main() -> None:
    """Print the ASL definition, then run both pull flows and say what happened."""
    print(fulfil.to_json())
    by_function, function_dlq, by_machine, machine_dlq = demo()
    print(f"take_order: {by_function}; {by_function.seconds:.0f} s of virtual time")
    print(f"  dead-letter queue: orders {function_dlq}")
    print(f"FulfilOrder: {by_machine}")
    print(f"  dead-letter queue: orders {machine_dlq}")


if __name__ == "__main__":
    main()
