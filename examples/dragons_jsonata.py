"""The dragons flow in JSONata, with workflow variables: the name and the verdict travel as ``$name``/``$is_new``.

``python examples/dragons_jsonata.py`` prints the state machine's ASL, then runs it locally for a new and a known
dragon (the Lambdas are the decorated functions; SNS is the stand-in of ``dragons.py``).
"""

from __future__ import annotations

from typing import Any

from dragons import demo

from sfnkit import StateMachine, choice, data, jsonata, lambda_fn, result, sns_publish, var, when, workflow

TOPIC = "arn:aws:sns:us-east-1:123456789012:dragons"
KNOWN_DRAGONS = {"Smaug", "Toothless"}


@lambda_fn(assign={"name": data.dragon.name, "is_new": result.is_new})
def validate_dragon(event: dict[str, Any]) -> dict[str, Any]:
    """Say whether the dragon is new; ``$name`` and ``$is_new`` are set from the input and from this result."""
    return {"is_new": event["dragon"]["name"] not in KNOWN_DRAGONS}


@lambda_fn(arguments={"name": var.name})
def add_dragon(event: dict[str, Any]) -> dict[str, Any]:
    """Store the dragon called ``event["name"]`` (here: pretend to)."""
    return {"added": event["name"]}


# output= keeps what the state received: the SNS response is not what the caller wants back.
notify_inserted = sns_publish(
    TOPIC, jsonata("'Record inserted: ' & $name"), name="NotifyInserted", output=jsonata("$states.input")
)
notify_exists = sns_publish(
    TOPIC, jsonata("'Already exists: ' & $name"), name="NotifyExists", output={"name": var.name, "added": False}
)

dragons_jsonata: StateMachine = workflow(
    "DragonsJsonata",
    validate_dragon
    >> choice(
        when(var.is_new == True, then=add_dragon >> notify_inserted),  # noqa: E712 - builds a Choice condition
        otherwise=notify_exists,
        name="IsNew",
    ),
    comment="Add a dragon to the hoard, unless it is already there (JSONata, variables)",
    query_language="JSONata",
)


def main() -> None:
    """Print the ASL definition, then run the flow locally for a new and a known dragon."""
    demo(dragons_jsonata)


if __name__ == "__main__":
    main()
