"""ASL error names, ``ErrorEquals`` matching, and ``StatesError``: a failure on its way to Retry/Catch."""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = [
    "ALL",
    "BRANCH_FAILED",
    "DATA_LIMIT_EXCEEDED",
    "EXCEED_TOLERATED_FAILURE_THRESHOLD",
    "HEARTBEAT_TIMEOUT",
    "INTRINSIC_FAILURE",
    "ITEM_READER_FAILED",
    "NO_CHOICE_MATCHED",
    "PARAMETER_PATH_FAILURE",
    "QUERY_EVALUATION_ERROR",
    "RESULT_PATH_MATCH_FAILURE",
    "RESULT_WRITER_FAILED",
    "RUNTIME",
    "TASK_FAILED",
    "TIMEOUT",
    "UNCATCHABLE",
    "StatesError",
    "error_matches",
    "retry_delay",
]

ALL = "States.ALL"
BRANCH_FAILED = "States.BranchFailed"
DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
INTRINSIC_FAILURE = "States.IntrinsicFailure"
ITEM_READER_FAILED = "States.ItemReaderFailed"
NO_CHOICE_MATCHED = "States.NoChoiceMatched"
PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"
RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
RUNTIME = "States.Runtime"
TASK_FAILED = "States.TaskFailed"
TIMEOUT = "States.Timeout"


class StatesError(Exception):
    """A state failed with an ASL error name and cause; Retry and Catch decide what happens next.

    The cause may be given as a function (a Lambda error document is only spelt out when someone reads it:
    most retried failures never are); ``cause`` calls it once.
    """

    def __init__(self, error: str, cause: str | Callable[[], str | None] | None = None):
        self.error = error
        self._cause = cause
        super().__init__(error)

    @property
    def cause(self) -> str | None:
        """The cause text (None: AWS shows no cause)."""
        cause = self._cause
        if callable(cause):
            cause = self._cause = cause()
        return cause

    @cause.setter
    def cause(self, value: str | None) -> None:
        self._cause = value

    @property
    def cause_source(self) -> str | Callable[[], str | None] | None:
        """The cause as given: the text, or the function that spells it (for a record that outlives this error
        without keeping it, and its traceback's frames, alive)."""
        return self._cause

    def __str__(self) -> str:
        cause = self.cause
        return f"{self.error}: {cause}" if cause is not None else self.error


# --- Retry / Catch matching and retry delays (ASL: Error names, Retrying after an error) -----------------------

EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
RESULT_WRITER_FAILED = "States.ResultWriterFailed"

# ASL: these end the execution whatever the Retry/Catch fields say ("not catchable, not retriable").
UNCATCHABLE = frozenset({RUNTIME})


def error_matches(error_equals: Sequence[str], error: str) -> bool:
    """Does a retrier's or catcher's ``ErrorEquals`` list cover *error*?

    ``States.ALL`` matches every catchable error; ``States.TaskFailed`` matches every catchable error except
    ``States.Timeout`` (ASL: States.TaskFailed "acts as a wildcard that matches any known error name except for
    States.Timeout"); any other name must be equal, case-sensitive. ``States.Runtime`` is never matched, even
    when listed.

    >>> error_matches(["States.ALL"], "Lambda.Unknown"), error_matches(["States.TaskFailed"], "States.Timeout")
    (True, False)
    """
    if error in UNCATCHABLE:
        return False
    for name in error_equals:
        if name == error or name == ALL or (name == TASK_FAILED and error != TIMEOUT):
            return True
    return False


def retry_delay(
    attempt: int,
    *,
    interval_seconds: float = 1,
    backoff_rate: float = 2.0,
    max_delay_seconds: float | None = None,
    jitter: str = "NONE",
    random: Callable[[], float] | None = None,
) -> float:
    """Seconds to wait before retry *attempt* (1-based) of one retrier.

    ``IntervalSeconds × BackoffRate^(attempt-1)``, capped at ``MaxDelaySeconds``; with ``JitterStrategy: FULL`` a
    uniform value in ``[0, that]`` drawn from *random* (pass a seeded ``random.Random().random`` for repeatable
    runs).

    >>> retry_delay(3, interval_seconds=1, backoff_rate=2.0)
    4.0
    >>> retry_delay(3, interval_seconds=1, backoff_rate=2.0, max_delay_seconds=3)
    3.0
    """
    delay = float(interval_seconds) * float(backoff_rate) ** (attempt - 1)
    if max_delay_seconds is not None:
        delay = min(delay, float(max_delay_seconds))
    if jitter == "FULL":
        draw = random() if random is not None else 0.5
        delay *= draw
    return delay
