"""AWS's quotas on one execution, enforced as AWS enforces them, and the local guard for Express.

Sources:
- history: "AWS Step Functions has a hard quota of 25,000 entries in the execution event history. When an execution
  reaches 24,999 events, it waits for the next event to happen. If the event number 25,000 is ExecutionSucceeded,
  the execution finishes successfully. [Otherwise] the ExecutionFailed event is logged" (AWS Step Functions
  Developer Guide, "Avoid reaching the history quota"); the error and cause, ``States.Runtime`` / "The execution
  reached the maximum number of history events (25000).", as AWS reports them in the executionFailedEventDetails of
  event 25,000 (recorded histories quoted in public bug reports: loads/ardere#86, floci-io/floci#2734).
- duration: "Maximum execution time: 1 year [Standard] / 5 minutes [Express]. If an execution runs for more than
  the maximum, it will fail with a States.Timeout error" (Developer Guide, "Quotas", "Quotas for Express").
- a distributed Map "runs each iteration as a child workflow execution ... Each child workflow execution has its own,
  separate execution history from that of the parent workflow" (the same history-quota page).
"""

from __future__ import annotations

from typing import Any

import pytest

import sfnkit
from sfnkit.asl.quotas import HISTORY_LIMIT_CAUSE
from sfnkit.engine import loop

LOOP: dict[str, Any] = {
    "StartAt": "Work",
    "States": {
        "Work": {"Type": "Pass", "Next": "Again"},
        "Again": {"Type": "Choice", "Choices": [{"Variable": "$.spin", "BooleanEquals": True, "Next": "Work"}],
                  "Default": "Done"},
        "Done": {"Type": "Succeed"},
    },
}  # fmt: skip


def inline_map(mode: str = "INLINE") -> dict[str, Any]:
    config = {"Mode": mode, "ExecutionType": "STANDARD"} if mode == "DISTRIBUTED" else {"Mode": mode}
    processor = {"ProcessorConfig": config, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    return {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemProcessor": processor, "End": True}}}


def test_a_loop_without_exit_fails_at_the_history_quota_with_awss_error() -> None:
    execution = sfnkit.run(LOOP, {"spin": True})
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "States.Runtime", HISTORY_LIMIT_CAUSE)
    assert HISTORY_LIMIT_CAUSE == "The execution reached the maximum number of history events (25000)."
    history = execution.history
    last = history[-1]
    assert (len(history), last["id"], last["previousEventId"], last["type"]) == (
        25_000,
        25_000,
        24_999,
        "ExecutionFailed",
    )
    assert last["executionFailedEventDetails"] == {"error": "States.Runtime", "cause": HISTORY_LIMIT_CAUSE}
    assert history[-2]["type"].endswith("StateExited")  # event 24,999 is the last real one


def test_a_catch_cannot_handle_the_history_quota() -> None:
    """The quota ends the execution: a Catch around the loop (here a Parallel's) does not see it."""
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
    parallel = {"Type": "Parallel", "Branches": [LOOP], "Catch": catch, "Next": "Caught"}
    machine = {"StartAt": "P", "States": {"P": parallel, "Caught": {"Type": "Succeed"}}}
    execution = sfnkit.run(machine, {"spin": True})
    assert (execution.status, execution.cause) == ("FAILED", HISTORY_LIMIT_CAUSE)


@pytest.mark.parametrize(("items", "status"), [(3_571, "SUCCEEDED"), (10_000, "FAILED")])
def test_inline_map_iterations_count_towards_the_parents_history(items: int, status: str) -> None:
    """An inline Map of n Pass items writes 4n + 6 events: 10,000 items (40,006) fail on AWS; 3,571 fit."""
    execution = sfnkit.run(inline_map(), list(range(items)))
    assert execution.status == status
    assert len(execution.history) == (4 * items + 6 if status == "SUCCEEDED" else 25_000)


def test_distributed_map_children_are_their_own_executions() -> None:
    execution = sfnkit.run(inline_map("DISTRIBUTED"), list(range(10_000)))
    assert execution.status == "SUCCEEDED"
    assert len(execution.output) == 10_000


def test_a_distributed_child_that_loops_fails_alone() -> None:
    machine = inline_map("DISTRIBUTED")
    map_state = machine["States"]["M"]
    map_state["ItemProcessor"] = {**LOOP, "ProcessorConfig": map_state["ItemProcessor"]["ProcessorConfig"]}
    map_state["ToleratedFailurePercentage"] = 100
    execution = sfnkit.run(machine, [{"spin": True}, {"spin": False}])
    assert execution.status == "SUCCEEDED"
    assert execution.output == [{"Error": "States.Runtime", "Cause": HISTORY_LIMIT_CAUSE}, {"spin": False}]


WAITS = {
    "StartAt": "W1",
    "States": {
        "W1": {"Type": "Wait", "Seconds": 99_999_999, "Next": "W2"},
        "W2": {"Type": "Wait", "Seconds": 99_999_999, "End": True},
    },
}


@pytest.mark.parametrize(("kind", "seconds"), [("STANDARD", 365 * 24 * 3600), ("EXPRESS", 300)])
def test_executions_time_out_at_awss_maximum_duration(kind: str, seconds: int) -> None:
    """Two 99,999,999-second Waits (six years) time out at one year (Standard) or five minutes (Express)."""
    execution = sfnkit.run(WAITS, {}, type=kind)
    assert (execution.status, execution.error) == ("TIMED_OUT", "States.Timeout")
    assert execution.stop_time - execution.start_time == seconds
    assert execution.history[-1]["type"] == "ExecutionTimedOut"


def test_a_shorter_timeout_seconds_still_wins() -> None:
    execution = sfnkit.run({**WAITS, "TimeoutSeconds": 60}, {})
    assert (execution.status, execution.stop_time - execution.start_time) == ("TIMED_OUT", 60)


def test_express_loops_stop_at_the_local_transition_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Express executions have no history quota and the virtual clock never reaches their five minutes in a loop
    without a Wait: sfnkit stops them after a bounded number of transitions (100,000; 1,000 here for speed)."""
    monkeypatch.setattr(loop, "MAX_EXPRESS_TRANSITIONS", 1_000)
    execution = sfnkit.run(LOOP, {"spin": True}, type="EXPRESS")
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert "sfnkit stopped this Express execution after" in execution.cause
    assert len(execution.history) > 25_000 // 25  # no history quota: everything is kept


def test_express_runs_below_the_guard_are_not_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loop, "MAX_EXPRESS_TRANSITIONS", 1_000)
    execution = sfnkit.run(inline_map(), list(range(300)), type="EXPRESS")  # 301 transitions
    assert execution.status == "SUCCEEDED"


@pytest.mark.parametrize("kind", [None, 5, "standard-ish"])
def test_run_type_must_be_standard_or_express(kind: Any) -> None:
    with pytest.raises(ValueError, match=r"'STANDARD' .* or 'EXPRESS'"):
        sfnkit.run(WAITS, {}, type=kind)


TASK = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f"}
TASK_LOOP: dict[str, Any] = {**LOOP, "States": {**LOOP["States"], "Work": {**TASK, "Next": "Again"}}}
TASK_MAP: dict[str, Any] = {
    "StartAt": "M",
    "States": {
        "M": {"Type": "Map", "End": True, "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "A",
            "States": {"A": {**TASK, "Next": "B"}, "B": {**TASK, "End": True}}}},
    },
}  # fmt: skip


@pytest.mark.parametrize(
    ("definition", "data", "workers"),
    [(TASK_LOOP, {"spin": True}, None), (TASK_MAP, list(range(3_000)), None), (TASK_MAP, list(range(3_000)), 2)],
    ids=["task loop", "inline map", "inline map, 2 workers"],
)
def test_path_and_states_show_what_the_cut_history_shows(definition: Any, data: Any, workers: int | None) -> None:
    """A Task writes five events in one go, and concurrent iterations race past the quota: the run records events
    beyond number 24,999, which the history drops. ``path`` and ``states`` drop them too: a state whose
    StateExited event was cut has not exited."""
    execution = sfnkit.run(definition, data, lambdas={"f": lambda event: event}, max_workers=workers)
    assert execution.cause == HISTORY_LIMIT_CAUSE
    entered, exited = [], []
    for event in execution.history:
        if event["type"].endswith("StateEntered"):
            entered.append(event["stateEnteredEventDetails"]["name"])
        elif event["type"].endswith("StateExited"):
            exited.append(event["stateExitedEventDetails"]["name"])
    assert list(execution.path) == [visit.name for visit in execution.states] == entered
    assert sorted(visit.name for visit in execution.states if visit.exited) == sorted(exited)
    assert all(visit.output is None and visit.exited_at is None for visit in execution.states if not visit.exited)
