"""Flows the deploy tests ship to moto: module-level @lambda_fn functions (Lambda imports handlers by name)."""

from __future__ import annotations

from typing import Any

from sfnkit import (
    choice,
    data,
    dynamodb_put_item,
    lambda_fn,
    map_,
    parallel,
    pass_,
    sns_publish,
    sqs_send_message,
    sqs_trigger,
    start_execution,
    when,
    workflow,
)

TOPIC = "arn:aws:sns:us-east-1:123456789012:orders"
QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/audit"


@lambda_fn(memory=256, timeout=30, description="Price an order", environment={"CURRENCY": "EUR"})
def price(event: dict[str, Any]) -> dict[str, Any]:
    """Total the items (environment read at call time, as on Lambda)."""
    import os

    return {**event, "total": sum(item["price"] for item in event["items"]), "currency": os.environ.get("CURRENCY")}


@lambda_fn
def tag_item(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A handler that takes the context too."""
    return {**event, "tagged": True, "by": type(context).__name__ != "NoneType"}


@lambda_fn(runtime="python3.13", architecture="arm64")
def approve(event: dict[str, Any]) -> dict[str, Any]:
    return {**event, "approved": event["total"] < 100}


orders = workflow(
    "Orders",
    price
    >> map_(tag_item, items_path="$.items", result_path="$.items")
    >> parallel(approve, pass_(name="Keep"), result_path="$.checks")
    >> choice(
        when(data.total > 50, then=sns_publish(TOPIC, data.currency, result_path=None)),
        otherwise=sqs_send_message(QUEUE, "small", result_path=None),
        name="Big",
    )
    >> dynamodb_put_item("Orders", {"id": {"S": "x"}}, result_path=None)
    >> start_execution("arn:aws:states:us-east-1:123456789012:stateMachine:Audit", sync=True, result_path=None),
)

passes = workflow("Passes", pass_(result={"a": 1}, name="First") >> pass_(name="Second"))


@lambda_fn(timeout=10, triggers=[sqs_trigger("intake", batch_size=5, batching_window=2)])
def intake(event: dict[str, Any]) -> dict[str, Any]:
    """Fed by the intake queue (its event source mapping); also a step of the Intake flow."""
    return {"batchItemFailures": [], "seen": len(event.get("Records", []))}


intake_flow = workflow("Intake", intake)
