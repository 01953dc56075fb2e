"""Every script in examples/ runs, prints valid ASL, and that ASL round-trips and passes asl-validator.

(``examples/test_*.py`` are test suites written with the pytest plugin: pytest collects them, see ``testpaths``.)"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from asl_validator import asl_validator_errors_many, available

from sfnkit import StateMachine, from_asl

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = sorted(
    path.name for path in EXAMPLES.glob("*.py") if not path.name.startswith("test_")
)  # tests run by pytest


@cache
def output(script: str) -> str:
    """What a script prints when run as ``python examples/<script>``."""
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def printed(script: str) -> dict[str, Any]:
    """The ASL a script prints first (a local run may follow it)."""
    definition: dict[str, Any] = json.JSONDecoder().raw_decode(output(script))[0]
    return definition


def test_there_are_examples():
    """The examples the core issue asks for are there."""
    assert {"dragons.py", "dragons_jsonata.py", "parallel_checks.py", "map_feeding.py", "retry_catch.py",
            "wait_loop.py", "orders_queue.py"} <= set(SCRIPTS)  # fmt: skip


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_prints_valid_asl(script):
    """The printed ASL passes sfnkit.validate (from_asl validates) and round-trips exactly."""
    definition = printed(script)
    assert from_asl(definition).to_asl() == definition


def test_dragons_module_level_machine():
    """examples/dragons.py defines ``dragons``, the flow of the issue, with its Lambda functions bound."""
    machine = _load("dragons").dragons
    assert isinstance(machine, StateMachine)
    assert (list(machine.states), sorted(machine.lambdas), machine.to_asl() == printed("dragons.py")) == (
        ["ValidateDragon", "IsNew", "AddDragon", "NotifyInserted", "NotifyExists"],
        ["AddDragon", "ValidateDragon"],
        True,
    )


def test_dragons_jsonata_is_jsonata():
    """The JSONata dragons flow is a JSONata machine using variables."""
    definition = printed("dragons_jsonata.py")
    assert (definition["QueryLanguage"], definition["States"]["IsNew"]["Choices"][0]["Condition"]) == (
        "JSONata",
        "{% $is_new = true %}",
    )


@pytest.mark.node
def test_asl_validator_accepts_every_example():
    """Node's asl-validator accepts the ASL of every example."""
    if not available():
        pytest.skip("asl-validator is not installed (scripts/setup.sh installs it)")
    errors = asl_validator_errors_many([printed(script) for script in SCRIPTS])
    assert {script: found for script, found in zip(SCRIPTS, errors, strict=True) if found} == {}


def _load(module: str) -> Any:
    sys.path.insert(0, str(EXAMPLES))
    try:
        return __import__(module)
    finally:
        sys.path.remove(str(EXAMPLES))


SNS = {"arn:aws:states:::sns:publish": lambda request: {"MessageId": "m-1"}}


def test_dragons_keeps_the_hoard_in_dynamodb_and_notifies_through_sns_to_sqs(monkeypatch):
    """The dragons flow on moto: the Lambdas keep the hoard in DynamoDB; both notices reach the queue."""
    from sfnkit import aws, run

    module = _load("dragons")
    with aws() as services:
        dynamodb, sns, sqs = (services.client(name) for name in ("dynamodb", "sns", "sqs"))
        dynamodb.create_table(
            TableName=module.TABLE,
            KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        topic = sns.create_topic(Name="dragons")["TopicArn"]
        queue = sqs.create_queue(QueueName="notices")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
        monkeypatch.setenv("DRAGONS_TABLE", module.TABLE)
        paths = [run(module.dragons, {"dragon": {"name": "Puff"}}, services=services).path for _ in range(2)]
        bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]]
        stored = dynamodb.scan(TableName=module.TABLE)["Items"]
    assert (topic, paths[0][-1], paths[1][-1], bodies, stored) == (
        module.TOPIC,
        "NotifyInserted",
        "NotifyExists",
        ["Record inserted", "Already exists"],
        [{"name": {"S": "Puff"}}],
    )


@pytest.mark.parametrize(
    ("module", "machine", "dragon", "output"),
    [
        ("dragons", "dragons", "Puff", {"dragon": {"name": "Puff"}, "is_new": True, "added": True}),
        ("dragons", "dragons", "Smaug", {"dragon": {"name": "Smaug"}, "is_new": False}),
        ("dragons_jsonata", "dragons_jsonata", "Puff", {"added": "Puff"}),
        ("dragons_jsonata", "dragons_jsonata", "Smaug", {"name": "Smaug", "added": False}),
    ],
    ids=["new", "known", "jsonata-new", "jsonata-known"],
)
def test_dragons_run_locally(module, machine, dragon, output):
    """Both dragons flows run locally with their @lambda_fn functions bound and SNS answered."""
    from sfnkit import run

    execution = run(getattr(_load(module), machine), {"dragon": {"name": dragon}}, services=SNS)
    assert (execution.status, execution.output) == ("SUCCEEDED", output)


@pytest.mark.parametrize("script", ["dragons.py", "dragons_jsonata.py"])
def test_dragons_demo_runs_the_flow_locally(script: str) -> None:
    """``make demo`` runs the dragons flow locally: a new dragon is added, a known one is not."""
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / script)], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert "path:      ValidateDragon -> IsNew -> AddDragon -> NotifyInserted" in out
    assert "path:      ValidateDragon -> IsNew -> NotifyExists" in out
    assert "message:   Record inserted" in out


def test_orders_queue_pull_flow():
    """The pull flow: a producer fills the queue, sfnkit.poll drains it through a @lambda_fn and then through the
    state machine; the two bad orders land in the dead-letter queue after three receives each."""
    lines = output("orders_queue.py").splitlines()[-4:]
    assert lines == [
        "take_order: 10 received in 4 batches: 4 succeeded, 6 failed, 2 dead-lettered; 180 s of virtual time",
        "  dead-letter queue: orders [3, 5]",
        "FulfilOrder: 10 received in 3 batches: 4 succeeded, 6 failed, 2 dead-lettered",
        "  dead-letter queue: orders [3, 5]",
    ]
