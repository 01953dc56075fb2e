"""sqs_trigger: Lambda's CreateEventSourceMapping rules for an SQS source, checked where the trigger is declared."""

from __future__ import annotations

import pytest

from sfnkit import DefinitionError, lambda_fn, sqs_trigger
from sfnkit.triggers import SqsTrigger, queue_name


def test_defaults_are_the_issues():
    """batch_size 10, no batching window, batch item failures reported."""
    assert sqs_trigger("orders") == SqsTrigger(
        queue="orders", batch_size=10, batching_window=0, report_batch_item_failures=True
    )


@pytest.mark.parametrize(
    "queue",
    ["orders", "https://sqs.us-east-1.amazonaws.com/123456789012/orders", "arn:aws:sqs:us-east-1:123456789012:orders"],
    ids=["name", "url", "arn"],
)
def test_a_queue_by_name_url_or_arn(queue):
    """A queue is named by name, URL or ARN."""
    assert queue_name(sqs_trigger(queue).queue) == "orders"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"batch_size": 0}, r"batch_size=0\): a whole number from 1 to 10000"),
        ({"batch_size": 11}, r"over 10 only with a batching window; pass batching_window=1"),
        ({"batch_size": 10_001, "batching_window": 1}, "from 1 to 10000"),
        ({"batching_window": 301}, r"whole seconds from 0 to 300"),
        ({"batch_size": 2.5}, "a whole number"),
        ({"report_batch_item_failures": "yes"}, "pass True or False"),
    ],
    ids=["zero", "over-10-without-window", "over-10000", "window-over-300", "float", "not-bool"],
)
def test_lambdas_limits(options, message):
    """Out-of-range options fail at the declaration, saying what Lambda accepts."""
    with pytest.raises(DefinitionError, match=message):
        sqs_trigger("orders", **options)


def test_fifo_batches_are_at_most_ten():
    """A FIFO queue takes batches of at most 10, window or not."""
    assert sqs_trigger("jobs.fifo").fifo is True
    with pytest.raises(DefinitionError, match="from 1 to 10 for a FIFO queue"):
        sqs_trigger("jobs.fifo", batch_size=20, batching_window=5)


def test_over_ten_with_a_window():
    """A batch size over 10 is accepted with a batching window."""
    assert sqs_trigger("orders", batch_size=500, batching_window=2).batch_size == 500


@pytest.mark.parametrize("queue", ["", "no spaces", "x" * 81, None])
def test_bad_queue_names(queue):
    """A queue that is not an SQS name, URL or ARN is refused."""
    with pytest.raises(DefinitionError, match="sqs_trigger"):
        sqs_trigger(queue)  # type: ignore[arg-type]


def test_lambda_fn_keeps_its_triggers():
    """@lambda_fn(triggers=[...]) stores them on the step; a single trigger is taken as a list of one."""

    @lambda_fn(triggers=sqs_trigger("a"))
    def one(event):
        return event

    @lambda_fn(triggers=[sqs_trigger("a"), sqs_trigger("b", batch_size=1)])
    def two(event):
        return event

    assert ([t.queue for t in one.triggers], [t.queue for t in two.triggers]) == (["a"], ["a", "b"])


def test_lambda_fn_refuses_other_triggers():
    """A trigger that is not an sqs_trigger says how to declare one."""
    with pytest.raises(DefinitionError, match=r"item 0 is 'orders'; declare triggers with sfnkit.sqs_trigger"):
        lambda_fn(triggers=["orders"])
