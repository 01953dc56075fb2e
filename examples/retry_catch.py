"""Retry and catch: retry a flaky hatchery, and when a dragon is rejected, record why and fail cleanly.

``python examples/retry_catch.py`` prints the state machine's ASL.
"""

from __future__ import annotations

from typing import Any

from sfnkit import StateMachine, data, dynamodb_put_item, fail, lambda_fn, retry, sns_publish, workflow

TOPIC = "arn:aws:sns:us-east-1:123456789012:dragons"


class DragonRejected(Exception):
    """The hatchery refuses this egg."""


@lambda_fn(
    retry=retry(["Lambda.ServiceException", "Lambda.TooManyRequestsException"], max_attempts=3, backoff_rate=2.0),
    timeout=30,
)
def hatch(event: dict[str, Any]) -> dict[str, Any]:
    """Hatch the egg; a cracked egg is rejected (Lambda names the error after the exception: DragonRejected)."""
    if event["egg"].get("cracked"):
        raise DragonRejected(f"egg {event['egg']['id']} is cracked")
    return {"dragon": {"name": event["egg"]["name"], "age": 0}}


record = dynamodb_put_item("Dragons", {"name": {"S": data.dragon.name}}, name="RecordDragon", result_path=None).retry(
    "States.ALL", interval_seconds=2, max_attempts=2
)

on_rejection = sns_publish(TOPIC, {"error": data.failure.Error, "cause": data.failure.Cause}, name="ReportRejection")

hatchery: StateMachine = workflow(
    "Hatchery",
    hatch.with_options(comment="hatch the egg").catch(
        DragonRejected,
        result_path="$.failure",
        then=on_rejection >> fail(name="Rejected", error="DragonRejected", cause="the egg was rejected"),
    )
    >> record,
    comment="Retry transient Lambda errors; on DragonRejected report and fail",
    timeout_seconds=300,
)

# .catch()/.retry() also exist as options: @lambda_fn(retry=retry(...), catch=catch("States.Timeout", then=...)).


def main() -> None:
    """Print the ASL definition."""
    print(hatchery.to_json())


if __name__ == "__main__":
    main()
