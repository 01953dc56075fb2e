"""run(start=...): an execution that starts at a fixed instant, and with seed= a history that is the same byte
for byte on any day."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
import time_machine

import sfnkit
from sfnkit.clock import VirtualClock

START = datetime(2024, 2, 29, 23, 59, 30, tzinfo=UTC)
MACHINE = {
    "StartAt": "Nap",
    "States": {
        "Nap": {"Type": "Wait", "Seconds": 45, "Next": "Stamp"},
        "Stamp": {
            "Type": "Pass",
            "Parameters": {
                "now.$": "$$.State.EnteredTime",
                "name.$": "$$.Execution.Name",
                "id.$": "States.UUID()",
                "began.$": "$$.Execution.StartTime",
            },
            "End": True,
        },
    },
}


def test_the_execution_starts_at_the_given_instant() -> None:
    execution = sfnkit.run(MACHINE, {}, start=START, seed=7)
    assert execution.output["began"] == "2024-02-29T23:59:30.000Z"
    assert execution.output["now"] == "2024-03-01T00:00:15.000Z"  # 45 virtual seconds later, across the leap day


def test_start_and_seed_make_the_history_identical_on_any_day() -> None:
    texts = []
    for today in (datetime(2031, 5, 1, tzinfo=UTC), datetime(2088, 12, 24, tzinfo=UTC)):
        with time_machine.travel(today, tick=False):
            execution = sfnkit.run(MACHINE, {"a": 1}, start=START, seed=7)
        texts.append(json.dumps([execution.history, execution.output, execution.arn], default=str, sort_keys=True))
    assert texts[0] == texts[1]


def test_a_clock_object_with_a_start_does_the_same() -> None:
    by_start = sfnkit.run(MACHINE, {}, start=START, seed=1)
    by_clock = sfnkit.run(MACHINE, {}, clock=VirtualClock(START), seed=1)
    assert by_clock.history == by_start.history
    assert VirtualClock(START.timestamp()).start() == START.timestamp()


def test_another_time_zone_is_the_same_instant() -> None:
    there = START.astimezone(timezone(timedelta(hours=-8)))
    assert sfnkit.run(MACHINE, {}, start=there).output["began"] == "2024-02-29T23:59:30.000Z"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"start": datetime(2024, 1, 1)}, ValueError, "naive datetime 2024-01-01T00:00:00: give it a time zone"),
        ({"start": "2024-01-01"}, TypeError, r"run\(start=\.\.\.\) must be an aware datetime"),
        ({"start": START, "clock": "real"}, ValueError, "cannot be combined with clock='real'"),
    ],
)
def test_a_bad_start_says_what_to_pass(kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        sfnkit.run(MACHINE, {}, **kwargs)  # type: ignore[arg-type]
