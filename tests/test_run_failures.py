"""ErrorEquals matching and retry delays (sfnkit.asl.failures), as Retry and Catch use them."""

from __future__ import annotations

import random

import pytest

from sfnkit.asl.failures import error_matches, retry_delay


@pytest.mark.parametrize(
    ("error_equals", "error", "expected"),
    [
        (["States.ALL"], "Lambda.Unknown", True),
        (["States.ALL"], "States.Timeout", True),
        (["States.TaskFailed"], "CustomError", True),
        (["States.TaskFailed"], "States.Timeout", False),
        (["States.ALL"], "States.Runtime", False),
        (["States.Runtime"], "States.Runtime", False),
        (["ErrorA", "ErrorB"], "ErrorB", True),
        (["errorb"], "ErrorB", False),
    ],
    ids=["all", "all-timeout", "task-failed", "task-failed-not-timeout", "runtime-never", "runtime-listed",
         "listed", "case-sensitive"],
)  # fmt: skip
def test_error_equals_matching(error_equals: list[str], error: str, expected: bool) -> None:
    """AWS's rules: States.ALL and States.TaskFailed are wildcards, States.Runtime is never caught."""
    assert error_matches(error_equals, error) is expected


def test_retry_delay_backs_off_and_caps() -> None:
    """IntervalSeconds × BackoffRate^(n-1), capped by MaxDelaySeconds."""
    delays = [retry_delay(n, interval_seconds=3, backoff_rate=1.5, max_delay_seconds=6) for n in (1, 2, 3)]
    assert delays == [3.0, 4.5, 6.0]


def test_full_jitter_draws_below_the_delay() -> None:
    """JitterStrategy FULL scales the delay by a draw from the given source."""
    source = random.Random(1)
    expected = 4.0 * random.Random(1).random()
    assert retry_delay(3, interval_seconds=1, jitter="FULL", random=source.random) == expected
