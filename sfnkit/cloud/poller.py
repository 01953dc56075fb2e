"""Lambda's pull model, run locally: an SQS event source mapping that feeds a queue's messages to a handler.

``poll(fn)`` does what Lambda's poller does for each ``sqs_trigger`` of a ``@lambda_fn``: it receives batches
through boto3, builds the SQS event, invokes the handler (``fn.invoke``'s implementation: the function's timeout,
the runtime's errors), deletes what succeeded, leaves the rest for another try once the queue's visibility
timeout has passed (all of a batch whose invocation failed; only the ``batchItemFailures`` when the trigger
reports them), and so lets the queue's redrive policy move a message to its dead-letter queue after
``maxReceiveCount`` receives. A ``StateMachine`` can be the target too: one execution per message, whose input is
the message body (parsed when it is JSON); a message succeeds when its execution does.

Time: on the virtual clock (the default) the visibility timeout passes at once: when nothing else is visible,
the poller moves to the moment the earliest failed message reappears and makes it visible
(``ChangeMessageVisibility`` to 0), so a run of many retries takes no wall-clock time. The queue's retention
period is kept on the same clock (a message older than it is dropped, as SQS drops it), so a handler that always
fails on a queue without a dead-letter queue still ends. ``clock="real"`` waits as Lambda would.

Where: with neither ``session`` nor ``endpoint_url``, boto3 talks to moto in this process, inside the caller's
``moto.mock_aws()`` when one is active (the queues it made are there) — never to AWS. ``endpoint_url`` names a
moto server or LocalStack; a ``session`` (``boto3.Session(profile_name=...)``) names an AWS account.
"""

from __future__ import annotations

import contextlib
import functools
import json
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from sfnkit.asl.context import REGION
from sfnkit.clock import Clock, ClockName, Timeline, make_clock
from sfnkit.cloud.progress import display
from sfnkit.errors import PollError
from sfnkit.triggers import SqsTrigger, queue_name, sqs_trigger

if TYPE_CHECKING:
    from sfnkit.machine import StateMachine

__all__ = ["PollReport", "poll"]

_RECEIVE_MAX: Final = 10  # ReceiveMessage returns at most 10 messages a call
_DEFAULT_RETENTION: Final = 345_600  # 4 days: SQS's default MessageRetentionPeriod


@attrs.frozen
class PollReport:
    """What a ``poll()`` run did: deliveries received, how they ended, and how many invocations it took.

    ``received`` counts deliveries (a message tried three times counts three), ``succeeded`` the messages deleted
    after success, ``failed`` the deliveries that failed (left on the queue), ``dead_lettered`` the messages the
    queue's redrive policy moved to its dead-letter queue, ``expired`` those dropped past the retention period,
    ``batches`` the invocations (or, for a state machine, the batches of executions), ``seconds`` the time the
    run took on its clock.
    """

    received: int = 0
    succeeded: int = 0
    failed: int = 0
    dead_lettered: int = 0
    expired: int = 0
    batches: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        text = (
            f"{self.received} received in {self.batches} batches: {self.succeeded} succeeded, {self.failed} failed, "
            f"{self.dead_lettered} dead-lettered"
        )
        return text + (f", {self.expired} expired" if self.expired else "")


Until = Literal["drained"] | Callable[[PollReport], bool]
# (records, timeline, clock, report_batch_item_failures) -> the ids of the messages that failed
Handle = Callable[[list[dict[str, Any]], Timeline, Clock, bool], set[str]]


def poll(
    target: Any,
    *,
    trigger: SqsTrigger | str | None = None,
    session: Any = None,
    endpoint_url: str | None = None,
    until: Until = "drained",
    clock: ClockName | Clock = "virtual",
    progress: bool | Callable[[PollReport], None] | Any = False,
    run_options: Mapping[str, Any] | None = None,
) -> PollReport:
    """Feed the messages of *target*'s SQS triggers to it, as Lambda's event source mapping does, and report.

    Args:
        target: a ``@lambda_fn`` with ``triggers=[sqs_trigger(...)]``, a plain handler ``fn(event[, context])``, or
            a ``StateMachine`` (one execution per message); the last two need ``trigger=``.
        trigger: the trigger to run instead of the function's own (an ``sqs_trigger(...)`` or a queue name).
        session: a ``boto3.Session`` to talk to AWS (or whatever it is configured for).
        endpoint_url: an SQS endpoint (a moto server, LocalStack); without it and without a session, moto in
            this process.
        until: ``"drained"`` (stop once no message is visible or awaiting another try), or a function of the
            report so far that returns True to stop sooner (``lambda r: r.batches >= 5``).
        clock: ``"virtual"`` (visibility timeouts and the handler's sleeps take no real time) or ``"real"``.
        progress: True for a progress display on stderr (rich's, when rich is installed; else a line per batch),
            a ``rich.console.Console`` to draw it there, or a function called with the report after every batch.
        run_options: keyword arguments for ``sfnkit.run`` when the target is a state machine.

    Raises:
        PollError: the queue does not exist, AWS refused a call, or the function's timeout is longer than the
            queue's visibility timeout (Lambda refuses such a mapping).
    """
    handle, triggers, timeout = _consumer(target, trigger, run_options)
    if until != "drained" and not callable(until):
        raise PollError(f"poll(until={until!r}): pass 'drained' or a function of the PollReport that returns True")
    report = PollReport()
    run_clock = make_clock(clock)
    timeline = Timeline(run_clock.start())
    started = timeline.now
    shown = display(progress)
    try:
        with _in_process(session, endpoint_url):
            client = _client(session, endpoint_url)
            for source in triggers:
                queue = _Queue.look_up(client, source, endpoint_url is None and session is None)
                if timeout is not None and timeout > queue.visibility_timeout:
                    # Lambda's own check when the mapping is created (InvalidParameterValueException)
                    raise PollError(
                        f"Queue visibility timeout: {queue.visibility_timeout} seconds is less than Function timeout: "
                        f"{timeout} seconds. Raise the queue's VisibilityTimeout (AWS advises six times the function's "
                        "timeout) or lower @lambda_fn(timeout=)."
                    )
                shown.queue(queue_name(queue.url), queue.waiting, report)
                report = _drain(
                    client, queue, source, handle, run_clock, timeline, report, until, shown.update, started
                )
                shown.drained(attrs.evolve(report, seconds=timeline.now - started))
    finally:
        shown.close()
    return attrs.evolve(report, seconds=timeline.now - started)


# --- the target --------------------------------------------------------------------------------------------


def _consumer(
    target: Any, trigger: SqsTrigger | str | None, run_options: Mapping[str, Any] | None
) -> tuple[Handle, tuple[SqsTrigger, ...], int | None]:
    """How to hand a batch to *target*, the triggers to run, and the function timeout to check them against."""
    from sfnkit.dsl import LambdaStep
    from sfnkit.lambdas import DEFAULT_TIMEOUT_SECONDS
    from sfnkit.machine import StateMachine

    given = (trigger if isinstance(trigger, SqsTrigger) else sqs_trigger(trigger),) if trigger is not None else ()
    if isinstance(target, StateMachine):
        if not given:
            raise PollError("poll(machine) needs the queue it reads: poll(machine, trigger=sqs_trigger('orders'))")
        if run_options and "clock" in run_options:
            raise PollError(
                "poll(run_options={'clock': ...}): the executions run on the poller's clock; pass poll(clock=)"
            )
        return _machine_handler(target, dict(run_options or {})), given, None
    if run_options:
        raise PollError("poll(run_options=...) is for a state machine target; a function runs as Lambda runs it")
    if isinstance(target, LambdaStep):
        triggers = given or target.triggers
        if not triggers:
            raise PollError(
                f"{target!r} has no trigger to poll: declare one, @lambda_fn(triggers=[sfnkit.sqs_trigger('orders')]), "
                "or pass poll(fn, trigger=sfnkit.sqs_trigger('orders'))"
            )
        timeout = target.timeout if target.timeout is not None else DEFAULT_TIMEOUT_SECONDS
        return _function_handler(target.fn, target.function_name, timeout, target.memory), triggers, timeout
    if callable(target):
        if not given:
            raise PollError("poll(handler) needs the queue it reads: poll(handler, trigger=sqs_trigger('orders'))")
        name = getattr(target, "__name__", "handler")
        return _function_handler(target, name, DEFAULT_TIMEOUT_SECONDS, None), given, DEFAULT_TIMEOUT_SECONDS
    raise PollError(f"poll() runs a @lambda_fn, a handler function or a StateMachine; got {target!r}")


def _function_handler(fn: Callable[..., Any], name: str, timeout: int, memory: int | None) -> Handle:
    from sfnkit.lambdas import invoke_function  # fn.invoke's implementation

    def handle(records: list[dict[str, Any]], timeline: Timeline, clock: Clock, partial: bool) -> set[str]:
        ids = [record["messageId"] for record in records]
        result = invoke_function(
            fn, {"Records": records}, name=name, timeout=timeout, memory=memory, clock=clock, timeline=timeline
        )
        if not result.ok:
            return set(ids)  # a function error (an exception, a timeout) fails the whole batch
        # without ReportBatchItemFailures Lambda does not read the response: the batch succeeded
        return _batch_item_failures(result.payload, ids) if partial else set()

    return handle


def _batch_item_failures(response: Any, ids: list[str]) -> set[str]:
    """The messages a ``ReportBatchItemFailures`` response names as failed (Lambda's rules: nothing, an empty or
    null list means all succeeded; a malformed response or an id not in the batch fails the whole batch)."""
    if response is None or response == {}:
        return set()
    if not isinstance(response, dict):
        return set(ids)
    failures = response.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return set(ids)
    failed = set()
    for failure in failures:
        item = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(item, str) or item not in ids:
            return set(ids)
        failed.add(item)
    return failed


def _machine_handler(machine: StateMachine, run_options: dict[str, Any]) -> Handle:
    from sfnkit import run  # the executor: loaded when a machine is polled
    from sfnkit.clock import VirtualClock

    def handle(records: list[dict[str, Any]], timeline: Timeline, clock: Clock, partial: bool) -> set[str]:
        failed = set()  # each message has its own execution, so each succeeds or fails alone
        longest = 0.0
        for record in records:
            try:
                execution_input = json.loads(record["body"])
            except ValueError:
                execution_input = record["body"]
            execution = run(
                machine,
                execution_input,
                clock=VirtualClock(timeline.now) if clock.virtual else clock,
                **run_options,
            )
            longest = max(longest, execution.duration)  # the batch's executions run side by side
            if not execution.succeeded:
                failed.add(record["messageId"])
        if clock.virtual:
            timeline.now += longest
        else:
            clock.tick(timeline)
        return failed

    return handle


# --- the queue ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _in_process(session: Any, endpoint_url: str | None) -> Iterator[None]:
    """moto in this process when no session or endpoint is named (nested in the caller's ``mock_aws``, if any)."""
    if session is not None or endpoint_url is not None:
        yield
        return
    try:
        from moto import mock_aws
    except ImportError:
        raise ImportError(
            "sfnkit.poll() without session= or endpoint_url= runs on moto in this process: pip install 'moto[sqs]' "
            "(or pass endpoint_url= for a moto server or LocalStack, session= for AWS)"
        ) from None
    with mock_aws():
        yield


def _client(session: Any, endpoint_url: str | None) -> Any:
    try:
        import boto3
    except ImportError:
        raise ImportError("sfnkit.poll() talks to SQS through boto3: pip install 'sfnkit[aws]'") from None
    if session is not None:
        return session.client("sqs", endpoint_url=endpoint_url, region_name=session.region_name or REGION)
    default = boto3._get_default_session()  # what boto3.client() uses: its service models are loaded once
    keys: dict[str, str] = {}
    if endpoint_url is not None and default.get_credentials() is None:
        keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}  # a local endpoint takes any
    return default.client("sqs", endpoint_url=endpoint_url, region_name=default.region_name or REGION, **keys)


def _call(what: str, call: Callable[[], Any]) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return call()
    except (ClientError, BotoCoreError) as exc:
        raise PollError(f"SQS refused {what}: {exc}") from exc


@attrs.define
class _Queue:
    url: str
    arn: str
    visibility_timeout: int
    retention: int
    max_receive_count: int | None  # None: no redrive policy
    wait: int  # seconds a receive that finds nothing waits (long polling), to be sure the queue is empty
    waiting: int  # messages on the queue when the run starts (visible, in flight or delayed), for the progress bar

    @classmethod
    def look_up(cls, client: Any, trigger: SqsTrigger, in_process: bool) -> _Queue:
        from botocore.exceptions import ClientError

        name = queue_name(trigger.queue)
        if trigger.queue.startswith(("https://", "http://")):
            url = trigger.queue
        else:
            try:
                url = client.get_queue_url(QueueName=name)["QueueUrl"]
            except ClientError as exc:
                where = (
                    "moto in this process: create it inside `with moto.mock_aws():` and call poll() there, or pass "
                    "endpoint_url=/session="
                    if in_process
                    else "this endpoint or account"
                )
                raise PollError(f"sfnkit.poll: there is no SQS queue {name!r} in {where}") from exc
        attributes = _call(
            f"GetQueueAttributes on {name!r}",
            lambda: client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"],
        )
        redrive = json.loads(attributes.get("RedrivePolicy") or "{}")
        return cls(
            url=url,
            arn=attributes["QueueArn"],
            visibility_timeout=int(attributes.get("VisibilityTimeout", 30)),
            retention=int(attributes.get("MessageRetentionPeriod", _DEFAULT_RETENTION)),
            max_receive_count=int(redrive["maxReceiveCount"]) if "maxReceiveCount" in redrive else None,
            wait=0 if in_process else 1,
            waiting=sum(
                int(attributes.get(f"ApproximateNumberOfMessages{kind}", 0)) for kind in ("", "NotVisible", "Delayed")
            ),
        )

    def receive(self, client: Any, count: int, wait: int = 0) -> list[dict[str, Any]]:
        response = _call(
            "ReceiveMessage",
            lambda: client.receive_message(
                QueueUrl=self.url,
                MaxNumberOfMessages=count,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=wait,
            ),
        )
        messages: list[dict[str, Any]] = response.get("Messages", [])
        return messages

    def delete(self, client: Any, receipts: list[str]) -> None:
        for start in range(0, len(receipts), _RECEIVE_MAX):
            entries = [{"Id": str(i), "ReceiptHandle": r} for i, r in enumerate(receipts[start : start + 10])]
            _call(
                "DeleteMessageBatch", functools.partial(client.delete_message_batch, QueueUrl=self.url, Entries=entries)
            )

    def reveal(self, client: Any, receipt: str) -> None:
        from botocore.exceptions import ClientError

        with contextlib.suppress(ClientError):  # already gone (deleted by another consumer, expired)
            client.change_message_visibility(QueueUrl=self.url, ReceiptHandle=receipt, VisibilityTimeout=0)


# --- the loop ----------------------------------------------------------------------------------------------


@attrs.define
class _Retry:
    """A delivery that failed: it reappears when its visibility timeout has passed."""

    receipt: str
    visible_at: float
    last: bool  # its receive count reached maxReceiveCount: the next receive moves it to the dead-letter queue


def _drain(
    client: Any,
    queue: _Queue,
    trigger: SqsTrigger,
    handle: Handle,
    clock: Clock,
    timeline: Timeline,
    report: PollReport,
    until: Until,
    notify: Callable[[PollReport], None],
    started: float,
) -> PollReport:
    """Run one trigger until its queue is drained (or *until* says stop); return *report* brought up to date."""
    offset = time.time() - timeline.now  # the wall clock minus the run's clock, to age messages by their SentTimestamp
    retries: dict[str, _Retry] = {}
    held: list[dict[str, Any]] = []  # received, but past what one invocation's payload may carry: the next batch
    # on the real clock SQS itself makes a failed message visible again: look a moment after it should have
    grace = 0.0 if clock.virtual else 1.0
    while not (callable(until) and until(report)):
        clock.tick(timeline)
        # a receive that may be the last waits a little on a remote queue, whose short polls can miss messages
        batch, expired = _gather(client, queue, trigger, clock, timeline, offset, 0 if retries else queue.wait, held)
        if expired:
            report = attrs.evolve(report, expired=report.expired + expired)
        if batch:
            received_at = timeline.now  # the visibility timeout runs from the receive
            batch, records, held = _fit(batch, queue.arn)
            failed = handle(records, timeline, clock, trigger.report_batch_item_failures)
            queue.delete(client, [m["ReceiptHandle"] for m in batch if m["MessageId"] not in failed])
            report = attrs.evolve(
                report,
                received=report.received + len(batch),
                succeeded=report.succeeded + len(batch) - len(failed),
                failed=report.failed + len(failed),
                batches=report.batches + 1,
                seconds=timeline.now - started,
            )
            for message in batch:
                if message["MessageId"] in failed:
                    count = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
                    last = queue.max_receive_count is not None and count >= queue.max_receive_count
                    retries[message["MessageId"]] = _Retry(
                        message["ReceiptHandle"], received_at + queue.visibility_timeout + grace, last
                    )
            notify(report)
            continue
        if not retries:
            return report  # drained: nothing visible, nothing of ours awaiting another try
        due = min(retry.visible_at for retry in retries.values())
        if due > timeline.now:
            clock.sleep(timeline, due - timeline.now)
        for message_id, retry in list(retries.items()):
            if retry.visible_at <= timeline.now:
                if clock.virtual:
                    queue.reveal(client, retry.receipt)  # its visibility timeout has passed on the virtual clock
                if retry.last:  # SQS moves it to the dead-letter queue when it is next received
                    report = attrs.evolve(report, dead_lettered=report.dead_lettered + 1)
                del retries[message_id]
    return report


def _gather(
    client: Any,
    queue: _Queue,
    trigger: SqsTrigger,
    clock: Clock,
    timeline: Timeline,
    offset: float,
    wait: int,
    held: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], int]:
    """Receive up to ``batch_size`` messages (several receives of at most 10), waiting up to the batching window
    for a batch to fill, after the messages *held* from the last one; messages past the retention period are
    dropped, as SQS drops them (and counted)."""
    batch = list(held)
    expired = 0
    waited = False
    while len(batch) < trigger.batch_size:
        asked = min(_RECEIVE_MAX, trigger.batch_size - len(batch))
        messages = queue.receive(client, asked, 0 if batch else wait)
        for message in messages:
            sent = int(message.get("Attributes", {}).get("SentTimestamp", "0")) / 1000
            age = timeline.now + offset - sent  # the run's now, on the wall clock's scale
            if age > queue.retention:
                queue.delete(client, [message["ReceiptHandle"]])
                expired += 1
            else:
                batch.append(message)
        if len(messages) < asked:  # the queue had no more to give just now
            if not batch or not trigger.batching_window or waited:
                break
            clock.sleep(timeline, trigger.batching_window)  # Lambda waits up to the window for a full batch
            waited = True
    return batch, expired


def _fit(
    batch: list[dict[str, Any]], queue_arn: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The messages (and their records) whose event fits Lambda's 6 MB invocation payload, and those left over
    for the next batch (Lambda's poller, too, sends a batch once its payload would pass 6 MB)."""
    from sfnkit.events import sqs_record_of
    from sfnkit.lambdas import MAX_INVOKE_BYTES

    records = [sqs_record_of(message, queue_arn=queue_arn) for message in batch]
    size = len('{"Records": []}')
    for count, record in enumerate(records):
        size += len(json.dumps(record)) + 2 * (count > 0)  # ", " between records
        if size > MAX_INVOKE_BYTES and count:
            return batch[:count], records[:count], batch[count:]
    return batch, records, []
