"""The reference flow: validate a dragon record, add it if it is new, and say what happened over SNS.

``python examples/dragons.py`` prints the state machine's ASL (``make demo``).
"""

from __future__ import annotations

from typing import Any

from sfnkit import StateMachine, choice, data, lambda_fn, sns_publish, when, workflow

TOPIC = "arn:aws:sns:us-east-1:123456789012:dragons"
KNOWN_DRAGONS = {"Smaug", "Toothless"}


@lambda_fn
def validate_dragon(event: dict[str, Any]) -> dict[str, Any]:
    """Mark the record new unless a dragon of that name is already known."""
    name = event["dragon"]["name"]
    return {**event, "is_new": name not in KNOWN_DRAGONS}


@lambda_fn
def add_dragon(event: dict[str, Any]) -> dict[str, Any]:
    """Store the dragon (here: pretend to) and report it added."""
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
    ),
    comment="Add a dragon to the hoard, unless it is already there",
)


def main() -> None:
    """Print the ASL definition."""
    print(dragons.to_json())


if __name__ == "__main__":
    main()
