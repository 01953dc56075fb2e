"""A function's sqs_trigger deployed as a Lambda event source mapping (moto in-process), counted call by call.

AWS's rules pinned here: Lambda keeps one SQS event source mapping per function and queue; an SQS mapping's options
are BatchSize, MaximumBatchingWindowInSeconds and FunctionResponseTypes (AWS Lambda API Reference,
CreateEventSourceMapping); the function's timeout may not pass the queue's visibility timeout (AWS Lambda Developer
Guide, "Creating and configuring an Amazon SQS event source mapping"); the execution role reads the queue with
sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes (AWSLambdaSQSQueueExecutionRole).
"""

from __future__ import annotations

from typing import Any

import pytest

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

import test_deploy  # noqa: E402
from deploy_flows import intake, intake_flow  # noqa: E402
from test_deploy import Calls, no_sleep  # noqa: E402

import sfnkit  # noqa: E402
from sfnkit import DeployError, sqs_trigger  # noqa: E402
from sfnkit.cloud.plan import TAG  # noqa: E402
from sfnkit.deploy_options import DeployOptions  # noqa: E402

session = test_deploy.session  # the fixture: a boto3 session inside moto
QUEUE = "arn:aws:sqs:us-east-1:123456789012:intake"
MAPPING = f"event source mapping {QUEUE} -> Intake"


def queue(session: Any, name: str = "intake", **attributes: str) -> str:
    """Create queue *name* (visibility timeout 60 s unless given); return its URL."""
    attributes.setdefault("VisibilityTimeout", "60")
    return str(session.client("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])


def flow(*triggers: Any, **changes: Any) -> sfnkit.StateMachine:
    """The Intake flow with its function's triggers (and other fields) changed."""
    import attrs

    return sfnkit.workflow("Intake", attrs.evolve(intake, triggers=tuple(triggers), **changes))


def mappings(session: Any) -> list[dict[str, Any]]:
    return list(session.client("lambda").list_event_source_mappings(FunctionName="Intake")["EventSourceMappings"])


def changes(deployment: Any) -> list[str]:
    return [str(change) for change in deployment.report if change.action != "unchanged"]


def test_trigger_becomes_an_event_source_mapping(session):
    """The trigger's queue, batch size, batching window and ReportBatchItemFailures, tagged with the workflow."""
    queue(session)
    deployment = sfnkit.deploy(intake_flow, session=session, tags={"team": "shop"}, sleep=no_sleep)
    [found] = mappings(session)
    tags = session.client("lambda").list_tags(Resource=found["EventSourceMappingArn"])["Tags"]
    assert (
        f"create    {MAPPING}" in str(deployment.report),
        found["EventSourceArn"], found["FunctionArn"], found["BatchSize"], found["MaximumBatchingWindowInSeconds"],
        found["FunctionResponseTypes"], found["State"], tags,
    ) == (
        True,
        QUEUE, "arn:aws:lambda:us-east-1:123456789012:function:Intake", 5, 2,
        ["ReportBatchItemFailures"], "Enabled", {"team": "shop", TAG: "Intake"},
    )  # fmt: skip


def test_second_deploy_leaves_the_mapping_unchanged(session):
    """Nothing changed: no mutating call at all, the mapping reported unchanged."""
    queue(session)
    sfnkit.deploy(intake_flow, session=session, sleep=no_sleep)
    calls = Calls(session)
    again = sfnkit.deploy(intake_flow, session=session, sleep=no_sleep)
    assert (calls.mutating(), again.changed, f"unchanged {MAPPING}" in str(again.report)) == ([], False, True)


def test_queue_by_url_or_arn_is_the_same_mapping(session):
    """A trigger naming the queue by URL or by ARN resolves to the ARN its name gives: nothing to change."""
    url = queue(session)
    sfnkit.deploy(intake_flow, session=session, sleep=no_sleep)
    calls = Calls(session)
    by_url = sfnkit.deploy(flow(sqs_trigger(url, batch_size=5, batching_window=2)), session=session, sleep=no_sleep)
    by_arn = sfnkit.deploy(flow(sqs_trigger(QUEUE, batch_size=5, batching_window=2)), session=session, sleep=no_sleep)
    assert (calls.mutating(), by_url.changed, by_arn.changed) == ([], False, False)


def test_changed_batch_size_updates_only_the_mapping(session):
    """A new batch size: one UpdateEventSourceMapping; the function, its role and the machine stay as they are."""
    queue(session)
    sfnkit.deploy(intake_flow, session=session, sleep=no_sleep)
    calls = Calls(session)
    again = sfnkit.deploy(flow(sqs_trigger("intake", batch_size=8, batching_window=2)), session=session, sleep=no_sleep)
    assert (calls.mutating(), changes(again), mappings(session)[0]["BatchSize"]) == (
        ["UpdateEventSourceMapping"],
        [f"update    {MAPPING} (BatchSize)"],
        8,
    )


def test_report_batch_item_failures_turned_off(session):
    """Without report_batch_item_failures the mapping's FunctionResponseTypes is emptied."""
    queue(session)
    sfnkit.deploy(intake_flow, session=session, sleep=no_sleep)
    trigger = sqs_trigger("intake", batch_size=5, batching_window=2, report_batch_item_failures=False)
    again = sfnkit.deploy(flow(trigger), session=session, sleep=no_sleep)
    assert (changes(again), mappings(session)[0].get("FunctionResponseTypes", [])) == (
        [f"update    {MAPPING} (FunctionResponseTypes)"],
        [],
    )


def test_removed_trigger_deletes_the_mapping_and_its_permission(session):
    """A trigger taken off the function: its mapping is deleted and the role loses the queue; another's stays."""
    queue(session)
    queue(session, "theirs")
    sfnkit.deploy(intake_flow, session=session, sleep=no_sleep)
    lam = session.client("lambda")
    theirs = lam.create_event_source_mapping(FunctionName="Intake", EventSourceArn=QUEUE[: -len("intake")] + "theirs")
    calls = Calls(session)
    again = sfnkit.deploy(flow(), session=session, sleep=no_sleep)
    policy = again.report.policies["Intake-role"]
    assert (
        sorted(calls.mutating()),
        changes(again),
        [m["UUID"] for m in mappings(session)],
        any("sqs:ReceiveMessage" in s["Action"] for s in policy["Statement"]),
    ) == (
        ["DeleteEventSourceMapping", "PutRolePolicy"],
        ["update    role Intake-role (policy)", f"delete    {MAPPING}"],
        [theirs["UUID"]],
        False,
    )


def test_function_role_may_read_exactly_its_queues(session):
    """The execution role gets the three SQS actions Lambda's poller needs, on the trigger's queue only."""
    queue(session)
    sfnkit.deploy(intake_flow, session=session, sleep=no_sleep)
    document = session.client("iam").get_role_policy(RoleName="Intake-role", PolicyName="sfnkit")["PolicyDocument"]
    assert document["Statement"][2:] == [
        {
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            "Resource": [QUEUE],
        }
    ]


def test_dry_run_plans_the_mapping_without_mutating(session):
    """dry_run reads the queue and says the mapping would be created; nothing is."""
    queue(session)
    calls = Calls(session)
    planned = sfnkit.deploy(intake_flow, session=session, dry_run=True, sleep=no_sleep)
    assert (calls.mutating(), f"would create    {MAPPING}" in str(planned.report), mappings(session)) == ([], True, [])


def test_destroy_removes_the_mapping_it_created(session):
    """destroy deletes deploy's mapping before its function; a mapping of a function deploy does not own stays."""
    queue(session)
    lam = session.client("lambda")
    role = session.client("iam").create_role(RoleName="foreign", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam.create_function(FunctionName="Foreign", Runtime="python3.12", Role=role, Handler="x.handler",
                        Code={"ZipFile": b"PK\x05\x06" + b"\0" * 18})  # fmt: skip
    theirs = lam.create_event_source_mapping(FunctionName="Foreign", EventSourceArn=QUEUE)["UUID"]
    removed = sfnkit.deploy(intake_flow, session=session, sleep=no_sleep).destroy()
    left = [m["UUID"] for m in lam.list_event_source_mappings()["EventSourceMappings"]]
    assert (removed[:3], left) == (
        ["state machine Intake", MAPPING, "Lambda function Intake"],
        [theirs],
    )


def test_a_mapping_deploy_did_not_create_is_not_taken_over(session):
    """An untagged mapping already joins the function to the queue: a DeployError, nothing changed."""
    queue(session)
    sfnkit.deploy(flow(), session=session, sleep=no_sleep)
    session.client("lambda").create_event_source_mapping(FunctionName="Intake", EventSourceArn=QUEUE)
    calls = Calls(session)
    with pytest.raises(DeployError, match=f"mapping '{QUEUE} -> Intake' already exists and belongs to something other"):
        sfnkit.deploy(intake_flow, session=session, sleep=no_sleep)
    assert calls.mutating() == []


def test_missing_queue_is_a_clear_error_before_any_change(session):
    """Deploy does not create queues: a missing one is named, and nothing is created (dry run or not)."""
    calls = Calls(session)
    with pytest.raises(DeployError, match="there is no SQS queue arn:aws:sqs:us-east-1:123456789012:intake") as error:
        sfnkit.deploy(intake_flow, session=session, sleep=no_sleep)
    assert (calls.mutating(), error.value.code) == ([], "QueueDoesNotExist")


def test_visibility_timeout_shorter_than_the_function_timeout(session):
    """Lambda refuses such a mapping; deploy says so first, with Lambda's own words and the fix."""
    queue(session, VisibilityTimeout="5")
    with pytest.raises(DeployError, match="Queue visibility timeout: 5 seconds is less than Function timeout: 10"):
        sfnkit.deploy(intake_flow, session=session, sleep=no_sleep)


def test_customer_managed_key_is_noted_not_granted(session):
    """A queue encrypted with a customer managed key: the report says the role needs kms:Decrypt (not granted);
    with the permission declared on the function, or the AWS managed key, there is nothing to say."""
    key = session.client("kms").create_key()["KeyMetadata"]["Arn"]
    queue(session, KmsMasterKeyId=key)
    queue(session, "managed", KmsMasterKeyId="alias/aws/sqs")
    planned = sfnkit.deploy(intake_flow, session=session, dry_run=True, sleep=no_sleep)
    import attrs

    declared = attrs.evolve(
        intake.deploy_options or DeployOptions(),
        permissions=({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key},),
    )
    trigger = sqs_trigger("intake", batch_size=5, batching_window=2)
    granted = sfnkit.deploy(flow(trigger, deploy_options=declared), session=session, dry_run=True, sleep=no_sleep)
    managed = sfnkit.deploy(flow(sqs_trigger("managed")), session=session, dry_run=True, sleep=no_sleep)
    assert (planned.report.notes, granted.report.notes, managed.report.notes) == (
        (
            f"queue {QUEUE} is encrypted with KMS key {key}: unless the key's policy lets role Intake-role use it, "
            "grant kms:Decrypt with @lambda_fn(permissions=[{'Action': 'kms:Decrypt', 'Resource': '<the key ARN>'}]) "
            "on Intake",
        ),
        (),
        (),
    )
    assert f"note: queue {QUEUE}" in str(planned.report)


@pytest.mark.parametrize(
    ("triggers", "message"),
    [
        ((sqs_trigger("intake"), sqs_trigger(QUEUE, batch_size=2)), "two sqs_trigger"),
        (
            (sqs_trigger("https://sqs.eu-west-1.amazonaws.com/123456789012/intake"),),
            "the queue is in eu-west-1, the function in us-east-1; Lambda reads only queues of the function's own",
        ),
    ],
)
def test_triggers_lambda_cannot_map_are_refused(triggers, message):
    """Lambda keeps one mapping per function and queue, and reads only queues of the function's region."""
    from sfnkit.cloud.iam import Arns
    from sfnkit.cloud.packaging import Package
    from sfnkit.cloud.plan import desired

    empty = Package(zip=b"", sha256="")
    with pytest.raises(DeployError, match=message):
        desired(
            flow(*triggers), arns=Arns("us-east-1", "123456789012"), prefix="", tags={}, role_arn=None,
            type="STANDARD", logging=None, tracing=False, packages={"Intake": empty}, layer=empty,
        )  # fmt: skip
