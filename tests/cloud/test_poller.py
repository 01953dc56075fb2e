"""sfnkit.poll: Lambda's SQS event source mapping run locally through boto3, on moto in this process (and once
against a moto server on 127.0.0.1). Semantics pinned from AWS's Lambda guide, "Using Lambda with Amazon SQS"
(batch item failures, visibility timeout, redrive to the dead-letter queue after maxReceiveCount)."""

from __future__ import annotations

import io
import json
import sys
import time

import boto3
import pytest
from moto import mock_aws

import sfnkit
from sfnkit import PollError, PollReport, lambda_fn, poll, sqs_trigger, workflow
from sfnkit.clock import RealClock


@pytest.fixture
def sqs():
    with mock_aws():
        yield boto3.client("sqs", region_name="us-east-1")


def make_queue(sqs, name="orders", *, max_receives=None, visibility=30, fifo=False):
    """A queue (with a dead-letter queue when *max_receives* is given); returns (url, dlq url or None)."""
    attributes = {"VisibilityTimeout": str(visibility)}
    dlq = None
    if fifo:
        attributes["FifoQueue"] = "true"
        attributes["ContentBasedDeduplication"] = "true"
    if max_receives is not None:
        dlq = sqs.create_queue(QueueName=f"{name.removesuffix('.fifo')}-dlq" + (".fifo" if fifo else ""),
                               Attributes={"FifoQueue": "true"} if fifo else {})["QueueUrl"]  # fmt: skip
        arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": max_receives})
    return sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"], dlq


def send(sqs, url, *bodies, **extra):
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body), **extra)


def count(sqs, url):
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def bodies(sqs, url):
    found = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


seen: list[dict] = []


@lambda_fn(triggers=[sqs_trigger("orders", batch_size=3)])
def take(event):
    """Record every batch; report the orders with a negative quantity as failed."""
    seen.append(event)
    return {
        "batchItemFailures": [
            {"itemIdentifier": r["messageId"]} for r in event["Records"] if json.loads(r["body"])["qty"] < 0
        ]
    }


@pytest.fixture(autouse=True)
def _clear_seen():
    seen.clear()


def test_drains_the_queue_in_batches(sqs):
    """Seven good messages, batch size 3: three invocations, all deleted."""
    url, _ = make_queue(sqs)
    send(sqs, url, *({"n": i, "qty": 1} for i in range(7)))
    report = poll(take)
    assert (report, [len(e["Records"]) for e in seen], count(sqs, url)) == (
        PollReport(received=7, succeeded=7, batches=3, seconds=0.0),
        [3, 3, 1],
        0,
    )


def test_the_event_is_the_sqs_event_lambda_delivers(sqs):
    """The handler receives an SQS event: records with the message's id, body, attributes and the queue's ARN."""
    url, _ = make_queue(sqs)
    sqs.send_message(
        QueueUrl=url, MessageBody='{"qty": 1}', MessageAttributes={"kind": {"DataType": "String", "StringValue": "egg"}}
    )
    poll(take)
    (record,) = seen[0]["Records"]
    assert (record["eventSource"], record["eventSourceARN"], record["awsRegion"], record["body"]) == (
        "aws:sqs",
        "arn:aws:sqs:us-east-1:123456789012:orders",
        "us-east-1",
        '{"qty": 1}',
    )
    assert (record["attributes"]["ApproximateReceiveCount"], record["messageAttributes"]["kind"]) == (
        "1",
        {"stringValue": "egg", "stringListValues": [], "binaryListValues": [], "dataType": "String"},
    )


def test_batch_item_failures_retry_only_the_failed(sqs):
    """Reported failures come back after the visibility timeout and reach the DLQ after maxReceiveCount receives;
    the others are deleted at once."""
    url, dlq = make_queue(sqs, max_receives=3, visibility=45)
    send(sqs, url, {"n": 1, "qty": 1}, {"n": 2, "qty": -1}, {"n": 3, "qty": 2})
    report = poll(take)
    assert report == PollReport(received=5, succeeded=2, failed=3, dead_lettered=1, batches=3, seconds=135.0)
    assert ([len(e["Records"]) for e in seen], count(sqs, url), bodies(sqs, dlq)) == (
        [3, 1, 1],
        0,
        [{"n": 2, "qty": -1}],
    )


def test_the_receive_count_grows_with_each_try(sqs):
    """Each retry is a new receive: ApproximateReceiveCount 1, 2, 3."""
    url, _ = make_queue(sqs, max_receives=3)
    send(sqs, url, {"qty": -1})
    poll(take)
    assert [e["Records"][0]["attributes"]["ApproximateReceiveCount"] for e in seen] == ["1", "2", "3"]


def test_a_function_error_fails_the_whole_batch(sqs):
    """An exception fails every message of the batch, whatever the response would have said."""
    url, dlq = make_queue(sqs, max_receives=2)
    send(sqs, url, {"qty": 1}, {"qty": 2})

    @lambda_fn(triggers=[sqs_trigger("orders")])
    def explode(event):
        raise RuntimeError("boom")

    assert poll(explode) == PollReport(received=4, failed=4, dead_lettered=2, batches=2, seconds=60.0)
    assert len(bodies(sqs, dlq)) == 2


def test_a_timeout_fails_the_whole_batch(sqs):
    """A handler past its timeout (Sandbox.Timedout) fails its batch; the visibility timeout runs from the receive."""
    url, _ = make_queue(sqs, max_receives=1)
    send(sqs, url, {"qty": 1})

    @lambda_fn(timeout=5, triggers=[sqs_trigger("orders")])
    def slow(event):
        time.sleep(60)

    report = poll(slow)
    assert (report.failed, report.dead_lettered, report.seconds) == (1, 1, 30.0)


def test_without_report_batch_item_failures_the_response_is_not_read(sqs):
    """With report_batch_item_failures=False a successful invocation deletes the whole batch."""
    url, _ = make_queue(sqs, max_receives=1)
    send(sqs, url, {"qty": -1}, {"qty": 1})
    report = poll(take, trigger=sqs_trigger("orders", report_batch_item_failures=False))
    assert (report.succeeded, report.failed, count(sqs, url)) == (2, 0, 0)


def answering(response):
    """A handler that answers *response*."""
    return lambda_fn(name="Answer")(lambda event: response)


def test_a_malformed_response_fails_the_whole_batch(sqs):
    """Lambda treats an invalid batchItemFailures response (an empty or null id, a wrong key, an id not in the
    batch, not an object) as a failure of the whole batch."""
    responses = [
        {"batchItemFailures": [{"itemIdentifier": ""}]},
        {"batchItemFailures": [{"itemIdentifier": None}]},
        {"batchItemFailures": [{"id": "x"}]},
        {"batchItemFailures": [{"itemIdentifier": "not-in-this-batch"}]},
        {"batchItemFailures": "all"},
        "not a response",
    ]
    outcomes = []
    for position, response in enumerate(responses):
        url, _ = make_queue(sqs, f"odd{position}", max_receives=1)
        send(sqs, url, {"qty": 1}, {"qty": 2})
        report = poll(answering(response), trigger=f"odd{position}")
        outcomes.append((report.succeeded, report.failed))
    assert outcomes == [(0, 2)] * len(responses)


def test_empty_responses_mean_success(sqs):
    """Nothing, an empty object, or an empty or null list: the whole batch succeeded."""
    outcomes = []
    for position, response in enumerate([None, {}, {"batchItemFailures": []}, {"batchItemFailures": None}]):
        url, _ = make_queue(sqs, f"fine{position}")
        send(sqs, url, {"qty": 1})
        outcomes.append(poll(answering(response), trigger=f"fine{position}").succeeded)
    assert outcomes == [1, 1, 1, 1]


def test_a_flaky_handler_succeeds_on_a_retry(sqs):
    """A message that fails once is retried after the visibility timeout and then deleted."""
    url, dlq = make_queue(sqs, max_receives=3)
    send(sqs, url, {"qty": 1})
    tries = []

    def flaky(event):
        tries.append(1)
        if len(tries) == 1:
            raise ConnectionError("try again")

    report = poll(flaky, trigger="orders")
    assert (report.received, report.succeeded, report.failed, report.dead_lettered, count(sqs, dlq)) == (2, 1, 1, 0, 0)


def test_without_a_dlq_a_failing_message_expires(sqs):
    """With no redrive policy a message that always fails is retried until the retention period drops it."""
    url = sqs.create_queue(QueueName="orders", Attributes={"VisibilityTimeout": "50", "MessageRetentionPeriod": "120"})[
        "QueueUrl"
    ]
    send(sqs, url, {"qty": -1})
    report = poll(take)
    # received at 0, 50 and 100 virtual seconds; at 150 it is older than the 120-second retention period
    assert (report.received, report.expired, report.dead_lettered, count(sqs, url)) == (3, 1, 0, 0)


def test_until_stops_early(sqs):
    """until= a condition on the report stops the poller sooner."""
    url, _ = make_queue(sqs)
    send(sqs, url, *({"qty": 1} for _ in range(9)))
    report = poll(take, until=lambda r: r.batches >= 2)
    assert (report.batches, count(sqs, url)) == (2, 3)


def test_progress_is_reported_after_each_batch(sqs):
    """progress= a function receives the report after every batch."""
    url, _ = make_queue(sqs)
    send(sqs, url, *({"qty": 1} for _ in range(4)))
    reports = []
    poll(take, progress=reports.append)
    assert [r.received for r in reports] == [3, 4]


def test_batching_window_waits_for_a_full_batch(sqs):
    """A batch short of batch_size waits up to the batching window (virtual seconds) for more messages."""
    url, _ = make_queue(sqs)
    send(sqs, url, {"qty": 1})
    report = poll(take, trigger=sqs_trigger("orders", batch_size=20, batching_window=5))
    assert (report.batches, report.seconds) == (1, 5.0)


def test_a_batch_stops_short_of_six_megabytes(sqs):
    """Lambda's invocation payload is at most 6 MB: big messages split into smaller batches, none lost."""
    url, _ = make_queue(sqs)
    send(sqs, url, *({"n": n, "qty": 1, "pad": "x" * 900_000} for n in range(8)))
    report = poll(take, trigger=sqs_trigger("orders", batch_size=10))
    assert ([len(e["Records"]) for e in seen], report.succeeded, count(sqs, url)) == ([6, 2], 8, 0)


def test_fifo_queue(sqs):
    """A FIFO queue's records carry the message group; the order within a group is kept."""
    url, _ = make_queue(sqs, "jobs.fifo", fifo=True)
    for n in range(4):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"n": n, "qty": 1}), MessageGroupId="g")
    poll(take, trigger=sqs_trigger("jobs.fifo", batch_size=10))
    records = [r for e in seen for r in e["Records"]]
    assert ([json.loads(r["body"])["n"] for r in records], records[0]["attributes"]["MessageGroupId"]) == (
        [0, 1, 2, 3],
        "g",
    )


def test_a_state_machine_runs_once_per_message(sqs):
    """A state machine target: one execution per message, its input the parsed body; failed executions retry."""
    url, dlq = make_queue(sqs, max_receives=2)
    send(sqs, url, {"qty": 2}, {"qty": -1})

    @lambda_fn
    def check(event):
        if event["qty"] < 0:
            raise ValueError("negative")
        return {"ok": event["qty"]}

    machine = workflow("Orders", check)
    report = poll(machine, trigger=sqs_trigger("orders"))
    assert (report.succeeded, report.failed, report.dead_lettered, bodies(sqs, dlq)) == (1, 2, 1, [{"qty": -1}])


def test_function_timeout_longer_than_visibility_timeout_is_refused(sqs):
    """Lambda refuses a mapping whose queue hides a message for less than the function may run."""
    make_queue(sqs, visibility=10)

    @lambda_fn(timeout=60, triggers=[sqs_trigger("orders")])
    def long(event):
        return None

    with pytest.raises(PollError, match="Queue visibility timeout: 10 seconds is less than Function timeout: 60"):
        poll(long)


def test_missing_queue_says_where_to_create_it(sqs):
    """A queue that does not exist names the world it looked in and what to do."""
    with pytest.raises(PollError, match=r"no SQS queue 'orders' in moto in this process: create it inside"):
        poll(take)


@pytest.mark.parametrize(
    ("target", "options", "message"),
    [
        (lambda_fn(name="Bare")(lambda e: e), {}, r"has no trigger to poll: declare one"),
        (print, {}, r"poll\(handler\) needs the queue"),
        (42, {"trigger": "q"}, "poll\\(\\) runs a @lambda_fn"),
        (take, {"until": "empty"}, "pass 'drained' or a function"),
        (take, {"run_options": {"seed": 1}}, "for a state machine target"),
        (workflow("W", take), {"trigger": "q", "run_options": {"clock": "real"}}, r"pass poll\(clock=\)"),
    ],
    ids=["no-trigger", "handler-without-queue", "not-a-target", "bad-until", "run-options-on-function", "run-clock"],
)
def test_bad_calls_say_what_to_write(target, options, message):
    """poll() refuses what it cannot run, saying what to write instead."""
    with pytest.raises(PollError, match=message):
        poll(target, **options)


def test_trigger_declared_on_the_function_is_kept():
    """@lambda_fn(triggers=[...]) keeps the trigger values (deployment reads them too)."""
    assert take.triggers == (sqs_trigger("orders", batch_size=3),)


def test_a_session_is_used_as_given(sqs):
    """session= talks through that boto3 session (here, inside the active mock_aws)."""
    url, _ = make_queue(sqs)
    send(sqs, url, {"qty": 1})
    assert poll(take, session=boto3.Session(region_name="us-east-1")).succeeded == 1


def test_progress_true_without_rich_prints_a_line_per_batch(sqs, capsys, monkeypatch):
    """progress=True where rich is not installed writes the report to stderr after each batch."""
    monkeypatch.setitem(sys.modules, "rich", None)  # import rich fails, as where it is not installed
    monkeypatch.setitem(sys.modules, "rich.console", None)
    url, _ = make_queue(sqs)
    send(sqs, url, {"qty": 1})
    poll(take, progress=True)
    assert capsys.readouterr().err == "sfnkit.poll: 1 received in 1 batches: 1 succeeded, 0 failed, 0 dead-lettered\n"


def test_progress_on_a_rich_console_draws_a_bar_per_queue(sqs):
    """progress=<rich Console>: a bar of the messages done (succeeded, dead-lettered) of those waiting at the start,
    with the counts and the run's virtual time; on a file (no terminal) rich writes the final state once."""
    from rich.console import Console

    url, _ = make_queue(sqs, max_receives=2)
    send(sqs, url, {"qty": 1}, {"qty": -1}, {"qty": 2}, {"qty": 3}, {"qty": -1}, {"qty": 1})
    out = io.StringIO()
    report = poll(take, progress=Console(file=out, width=100))
    bar = "━" * 40  # rich's BarColumn is 40 wide, all done
    assert (out.getvalue(), report.dead_lettered) == (
        f"poll orders {bar} 6/6 4 ok, 4 failed, 2 to DLQ, 3 batches, 60 s\n",
        2,
    )


def test_progress_true_uses_rich_on_stderr(sqs, capsys):
    """progress=True with rich installed: rich's display on stderr, nothing on stdout."""
    url, _ = make_queue(sqs)
    send(sqs, url, {"qty": 1}, {"qty": 1})
    poll(take, progress=True)
    captured = capsys.readouterr()
    assert (captured.out, "poll orders" in captured.err, "2/2 2 ok, 0 failed, 0 to DLQ, 1 batches" in captured.err) == (
        "",
        True,
        True,
    )


def test_progress_must_be_a_flag_a_console_or_a_function(sqs):
    """Anything else is refused before the queue is touched."""
    with pytest.raises(PollError, match="pass True, False, a rich Console, or a function"):
        poll(take, progress="yes")


class InstantRealClock(RealClock):
    """The real clock's logic (SQS itself reveals failed messages) with sleeps that only move the timeline."""

    def sleep(self, timeline, seconds):
        timeline.now += max(seconds, 0)

    def tick(self, timeline):
        return timeline.now


def test_on_the_real_clock_sqs_reveals_failed_messages(sqs):
    """clock='real': the poller does not touch visibility, SQS itself makes a failed message visible again (at once,
    with this queue's 0-second visibility timeout); the poller waits for its own record of the retry to lapse."""
    url, dlq = make_queue(sqs, max_receives=2, visibility=0)
    send(sqs, url, {"qty": -1})

    @lambda_fn
    def check(event):
        if event["qty"] < 0:
            raise ValueError("negative")

    report = poll(workflow("Check", check), trigger=sqs_trigger("orders", batch_size=1), clock=InstantRealClock())
    assert (report.received, report.failed, report.dead_lettered, report.seconds, len(bodies(sqs, dlq))) == (
        2,
        2,
        1,
        1.0,
        1,
    )


def test_against_a_moto_server():
    """End to end over HTTP: a moto server on 127.0.0.1 (random port), the poller given its endpoint_url."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        sqs = boto3.client(
            "sqs", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
        )
        url, dlq = make_queue(sqs, max_receives=2)
        send(sqs, url, {"n": 1, "qty": 1}, {"n": 2, "qty": -1})
        report = poll(take, endpoint_url=endpoint)
        assert (report.succeeded, report.failed, report.dead_lettered, bodies(sqs, dlq)) == (
            1,
            2,
            1,
            [{"n": 2, "qty": -1}],
        )
    finally:
        server.stop()


def test_poll_is_public():
    """sfnkit.poll and sfnkit.sqs_trigger are the top-level names."""
    assert (sfnkit.poll, sfnkit.sqs_trigger) == (poll, sqs_trigger)
