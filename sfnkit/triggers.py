"""Lambda triggers declared on a function: ``@lambda_fn(triggers=[sqs_trigger("orders")])``.

A trigger is a plain value: ``sfnkit.poll(fn)`` runs it locally (the pull model, through boto3) and deployment
turns it into an event source mapping. The checks are those of Lambda's ``CreateEventSourceMapping`` for an SQS
source, so a trigger that is accepted here is accepted by AWS.
"""

from __future__ import annotations

import re
from typing import Final

import attrs

from sfnkit.errors import DefinitionError

__all__ = ["SqsTrigger", "Trigger", "queue_name", "sqs_trigger"]

_QUEUE_NAME: Final = re.compile(r"[A-Za-z0-9_-]{1,80}(\.fifo)?")
_MAX_BATCH: Final = 10_000  # standard queues; FIFO queues take at most 10
_MAX_WINDOW: Final = 300  # MaximumBatchingWindowInSeconds


def queue_name(queue: str) -> str:
    """The queue's name in a queue name, URL or ARN.

    >>> queue_name("https://sqs.us-east-1.amazonaws.com/123456789012/orders"), queue_name("arn:aws:sqs:eu-west-1:1:j")
    ('orders', 'j')
    """
    if queue.startswith("arn:"):
        return queue.rsplit(":", 1)[-1]
    return queue.rstrip("/").rsplit("/", 1)[-1]


@attrs.frozen(kw_only=True)
class SqsTrigger:
    """An SQS queue that invokes the function with batches of its messages (Lambda's event source mapping).

    ``queue`` is a queue name, URL or ARN; ``batch_size`` is ``BatchSize``, ``batching_window`` is
    ``MaximumBatchingWindowInSeconds``, and ``report_batch_item_failures`` is ``FunctionResponseTypes:
    ["ReportBatchItemFailures"]`` (the handler may answer ``{"batchItemFailures": [{"itemIdentifier": id}]}``).
    """

    queue: str
    batch_size: int = 10
    batching_window: int = 0
    report_batch_item_failures: bool = True

    @property
    def fifo(self) -> bool:
        """Whether the queue is a FIFO queue (its name ends in ``.fifo``)."""
        return queue_name(self.queue).endswith(".fifo")


Trigger = SqsTrigger  # the trigger kinds sfnkit knows (more sources would join this union)


def _whole(value: object, what: str, low: int, high: int, hint: str) -> int:
    if type(value) is not int or not low <= value <= high:
        raise DefinitionError(f"sqs_trigger({what}={value!r}): {hint}")
    return value


def sqs_trigger(
    queue: str, *, batch_size: int = 10, batching_window: int = 0, report_batch_item_failures: bool = True
) -> SqsTrigger:
    """Declare that messages of *queue* invoke the function, in batches of up to *batch_size*.

    Lambda's rules (``CreateEventSourceMapping``): ``batch_size`` 1-10,000 (at most 10 for a FIFO queue, and over
    10 only with a ``batching_window`` of at least 1 second); ``batching_window`` 0-300 seconds.
    """
    if not isinstance(queue, str) or not queue:
        raise DefinitionError(
            f"sqs_trigger(queue={queue!r}): name the queue by name, URL or ARN, e.g. sqs_trigger('orders')"
        )
    name = queue_name(queue)
    if not _QUEUE_NAME.fullmatch(name):
        raise DefinitionError(
            f"sqs_trigger({queue!r}): {name!r} is not an SQS queue name (1-80 letters, digits, - and _, "
            "ending in .fifo for a FIFO queue)"
        )
    fifo = name.endswith(".fifo")
    high = 10 if fifo else _MAX_BATCH
    _whole(
        batch_size, "batch_size", 1, high, f"a whole number from 1 to {high}" + (" for a FIFO queue" if fifo else "")
    )
    _whole(batching_window, "batching_window", 0, _MAX_WINDOW, f"whole seconds from 0 to {_MAX_WINDOW}")
    if batch_size > 10 and batching_window < 1:
        raise DefinitionError(
            f"sqs_trigger({queue!r}, batch_size={batch_size}): Lambda takes a batch size over 10 only with a batching "
            "window; pass batching_window=1 (seconds) or more, or batch_size=10"
        )
    if not isinstance(report_batch_item_failures, bool):
        raise DefinitionError(
            f"sqs_trigger(report_batch_item_failures={report_batch_item_failures!r}): pass True or False"
        )
    return SqsTrigger(
        queue=queue,
        batch_size=batch_size,
        batching_window=batching_window,
        report_batch_item_failures=report_batch_item_failures,
    )
