"""The time-sensitive recorded cases give AWS's answer whatever day the suite runs on.

Each case whose definition waits (or whose input holds timestamps) runs with the clock moved to two different
"todays"; status, output, error, cause and the history's event types must match the recording both times. A case
that carries ``start_time`` starts there (its input is relative to that instant); the others start "now".
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from tests.conformance.test_conformance import CASES, XFAIL, case_params, differences, run_case

TODAYS = (datetime(2030, 1, 1, 12, tzinfo=UTC), datetime(2090, 6, 15, 3, 30, tzinfo=UTC))


def _time_sensitive(path: Path) -> bool:
    case = json.loads(path.read_text(encoding="utf-8"))
    return "wait" in case.get("features", ()) or "timestamp" in path.stem or "start_time" in case


TIME_SENSITIVE = [path for path in CASES if _time_sensitive(path)]


def test_the_time_sensitive_group_is_there() -> None:
    """The selection is not empty (the boundary case of the 24,856-day Wait is in it)."""
    assert len(TIME_SENSITIVE) >= 30
    assert any("too_far_in_future_boundary_24856" in p.stem for p in TIME_SENSITIVE)


@pytest.mark.parametrize("today", TODAYS, ids=lambda d: d.date().isoformat())
@pytest.mark.parametrize("path", case_params(TIME_SENSITIVE, XFAIL))
def test_time_sensitive_case_on_another_day(path: Path, today: datetime) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    with time_machine.travel(today, tick=False):
        execution = run_case(case)
    assert differences(case, execution) == []
    if case.get("history"):
        assert [e["type"] for e in execution.history] == [e["type"] for e in case["history"]]
