"""The reference flow: validate a dragon record, add it if it is new, and say what happened over SNS.

``python examples/dragons.py`` (``make demo``) prints the state machine's ASL, then runs it locally twice — a new
dragon and a known one — with the decorated functions as the Lambdas and a stand-in for SNS that records what
would have been published, and prints each run's path and output.

``python examples/dragons.py --deploy`` deploys the flow (after asking; ``--yes`` does not ask) to the endpoint in
``AWS_ENDPOINT_URL`` (moto, LocalStack) or else to AWS with your credentials; ``--destroy`` removes it again.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

import sfnkit
from sfnkit import StateMachine, choice, data, lambda_fn, run, sns_publish, when, workflow

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
        name="IsNew",
    ),
    comment="Add a dragon to the hoard, unless it is already there",
)


def local_sns(published: list[str]) -> dict[str, Any]:
    """Services for a local run: SNS publish records the message and answers as SNS does."""

    def publish(parameters: dict[str, Any]) -> dict[str, Any]:
        published.append(parameters["Message"])
        return {"MessageId": f"local-{len(published)}"}

    return {"arn:aws:states:::sns:publish": publish}


def demo(machine: StateMachine) -> None:
    """Print *machine*'s ASL definition, then run it locally for a new and a known dragon."""
    print(machine.to_json())
    for record in ({"dragon": {"name": "Norbert"}}, {"dragon": {"name": "Smaug"}}):
        published: list[str] = []
        execution = run(machine, record, services=local_sns(published)).raise_for_status()
        print(f"\n# local run with input {json.dumps(record)}")
        print("path:     ", " -> ".join(execution.path))
        print("published:", published)
        print("output:   ", json.dumps(execution.output))


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
    parser = argparse.ArgumentParser(description="The dragons flow: ASL and two local runs, or a deployment.")
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
