"""Execution overlays: what the history says each state did, and how the diagram shows it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from sfnkit import StateMachine
from sfnkit.asl.codec import from_definition
from sfnkit.overlay import RunOverlay, StateRun, summarize
from sfnkit.render import render

DRAGONS = from_definition(
    {
        "StartAt": "Validate",
        "States": {
            "Validate": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:validate",
                "Retry": [{"ErrorEquals": ["Throttled"], "MaxAttempts": 2}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Rejected"}],
                "Next": "IsNew",
            },
            "IsNew": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.is_new", "BooleanEquals": True, "Next": "Add"}],
                "Default": "Exists",
            },
            "Add": {"Type": "Pass", "Next": "Inserted"},
            "Inserted": {"Type": "Pass", "End": True},
            "Exists": {"Type": "Pass", "End": True},
            "Rejected": {"Type": "Fail", "Error": "DragonRejected"},
        },
    }
)

EACH = from_definition(
    {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "Check",
                    "States": {
                        "Check": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$.ok", "BooleanEquals": False, "Next": "Bad"}],
                            "Default": "Good",
                        },
                        "Bad": {"Type": "Fail", "Error": "BadItem"},
                        "Good": {"Type": "Pass", "End": True},
                    },
                },
                "Catch": [{"ErrorEquals": ["BadItem"], "Next": "Sorry"}],
                "End": True,
            },
            "Sorry": {"Type": "Pass", "End": True},
        },
    }
)

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def history(*specs: tuple[Any, ...]) -> list[dict[str, Any]]:
    """AWS-shaped events from ``(type, seconds, details)``; each event follows the one before it."""
    events = []
    for index, (kind, seconds, *details) in enumerate(specs, start=1):
        event: dict[str, Any] = {
            "id": index,
            "previousEventId": index - 1,
            "timestamp": T0 + dt.timedelta(seconds=seconds),
            "type": kind,
        }
        if details:
            if kind.endswith(("StateEntered", "StateExited")):
                key = "stateEnteredEventDetails" if kind.endswith("Entered") else "stateExitedEventDetails"
            else:
                key = kind[0].lower() + kind[1:] + "EventDetails"
            event[key] = details[0]
        events.append(event)
    return events


def state(kind: str, name: str, seconds: float = 0) -> tuple[Any, ...]:
    return (kind, seconds, {"name": name})


HAPPY = history(
    ("ExecutionStarted", 0, {"input": "{}"}),
    state("TaskStateEntered", "Validate"),
    ("LambdaFunctionScheduled", 0, {"resource": "validate"}),
    ("LambdaFunctionSucceeded", 2, {"output": "{}"}),
    state("TaskStateExited", "Validate", 2),
    state("ChoiceStateEntered", "IsNew", 2),
    state("ChoiceStateExited", "IsNew", 2),
    state("PassStateEntered", "Add", 2),
    state("PassStateExited", "Add", 2),
    state("PassStateEntered", "Inserted", 2),
    state("PassStateExited", "Inserted", 2),
    ("ExecutionSucceeded", 2, {"output": "{}"}),
)

REJECTED = history(
    ("ExecutionStarted", 0, {"input": "{}"}),
    state("TaskStateEntered", "Validate"),
    ("LambdaFunctionScheduled", 0, {"resource": "validate"}),
    ("LambdaFunctionFailed", 1, {"error": "Throttled", "cause": "slow down"}),
    ("LambdaFunctionScheduled", 2, {"resource": "validate"}),
    ("LambdaFunctionFailed", 3, {"error": "Throttled", "cause": "slow down"}),
    ("LambdaFunctionScheduled", 5, {"resource": "validate"}),
    ("LambdaFunctionFailed", 6, {"error": "Throttled", "cause": "slow down"}),
    state("TaskStateExited", "Validate", 6),
    state("FailStateEntered", "Rejected", 6),
    ("ExecutionFailed", 6, {"error": "DragonRejected"}),
)


def iteration(index: int, ok: bool) -> list[tuple[Any, ...]]:
    specs: list[tuple[Any, ...]] = [
        ("MapIterationStarted", index, {"name": "Each", "index": index}),
        state("ChoiceStateEntered", "Check", index),
        state("ChoiceStateExited", "Check", index),
    ]
    if ok:
        specs += [state("PassStateEntered", "Good", index), state("PassStateExited", "Good", index + 1)]
        specs.append(("MapIterationSucceeded", index + 1, {"name": "Each", "index": index}))
    else:
        specs += [state("FailStateEntered", "Bad", index)]
        specs.append(("MapIterationFailed", index, {"name": "Each", "index": index}))
    return specs


MAPPED = history(
    ("ExecutionStarted", 0, {"input": "[]"}),
    state("MapStateEntered", "Each"),
    ("MapStateStarted", 0, {"length": 3}),
    *iteration(0, True),
    *iteration(1, True),
    *iteration(2, False),
    ("MapStateFailed", 2),
    state("MapStateExited", "Each", 2),
    state("PassStateEntered", "Sorry", 2),
    state("PassStateExited", "Sorry", 2),
    ("ExecutionSucceeded", 2, {"output": "{}"}),
)


def statuses(overlay: RunOverlay) -> dict[str, str]:
    return {name: run.status for name, run in overlay.states.items()}


def test_happy_path_states_and_edges() -> None:
    """Every entered state succeeded; the taken edges run Start → … → End."""
    overlay = summarize(DRAGONS, HAPPY)
    assert statuses(overlay) == {
        "Validate": "succeeded",
        "IsNew": "succeeded",
        "Add": "succeeded",
        "Inserted": "succeeded",
    }
    assert overlay.taken == {
        ("Start", "Validate"),
        ("Validate", "Next"),
        ("IsNew", "Choices[0]"),
        ("Add", "Next"),
        ("Inserted", "End"),
    }
    assert (overlay.status, overlay.duration) == ("SUCCEEDED", 2.0)


def test_retries_then_catch() -> None:
    """Two retries, then the error goes to the Catch: the Task is caught, the Fail state failed."""
    overlay = summarize(DRAGONS, REJECTED)
    assert statuses(overlay) == {"Validate": "caught", "Rejected": "failed"}
    assert overlay.run("Validate") == StateRun(entered=1, caught=1, retries=2, duration=6.0, error="Throttled")
    assert ("Validate", "Catch[0]") in overlay.taken and ("Validate", "Next") not in overlay.taken
    assert (overlay.status, overlay.error) == ("FAILED", "DragonRejected")


def test_never_ran_states_are_zero() -> None:
    """A state the run never reached has an all-zero StateRun and status not_run."""
    overlay = summarize(DRAGONS, HAPPY)
    assert overlay.run("Exists") == StateRun()
    assert overlay.run("Exists").status == "not_run"


def test_map_iteration_counts_and_caught_map() -> None:
    """A Map counts iterations that succeeded and failed; its caught error is the iteration's."""
    overlay = summarize(EACH, MAPPED)
    each = overlay.run("Each")
    assert (each.iterations_succeeded, each.iterations_failed, each.status, each.error) == (2, 1, "caught", "BadItem")
    assert (overlay.run("Check").entered, overlay.run("Good").succeeded, overlay.run("Bad").status) == (3, 2, "failed")
    assert ("Each", "Catch[0]") in overlay.taken and ("Check", "Choices[0]") in overlay.taken


def test_runtime_error_blames_the_last_state_entered() -> None:
    """A run that fails straight from XStateEntered (States.Runtime) marks that state failed."""
    events = history(
        ("ExecutionStarted", 0, {"input": "{}"}),
        state("TaskStateEntered", "Validate"),
        ("ExecutionFailed", 0, {"error": "States.Runtime", "cause": "bad path"}),
    )
    overlay = summarize(DRAGONS, events)
    assert overlay.run("Validate") == StateRun(entered=1, failed=1, duration=0.0, error="States.Runtime")


def test_flat_corpus_events_read_like_aws_events() -> None:
    """The corpus's flattened events (name at the top, no timestamps) give the same statuses and edges."""
    flat = []
    for event in REJECTED:
        details = next((value for key, value in event.items() if key.endswith("EventDetails")), {})
        flat.append({"id": event["id"], "previousEventId": event["previousEventId"], "type": event["type"], **details})
    aws, corpus = summarize(DRAGONS, REJECTED), summarize(DRAGONS, flat)
    assert (statuses(corpus), corpus.taken) == (statuses(aws), aws.taken)
    assert corpus.run("Validate").duration is None


def test_timestamps_may_be_numbers_or_iso_text() -> None:
    """Durations come from datetime, epoch-second or ISO 8601 timestamps alike."""
    for stamp in (lambda s: 1000.0 + s, lambda s: (T0 + dt.timedelta(seconds=s)).isoformat()):
        events = [
            dict(event, timestamp=stamp(seconds))
            for event, seconds in zip(HAPPY, [0, 0, 0, 2, 2] + [2] * 7, strict=True)
        ]
        assert summarize(DRAGONS, events).run("Validate").duration == 2.0


def test_execution_object_status_fills_in(monkeypatch: Any) -> None:
    """An execution object's status is used when its history has no end event."""

    @attrs.frozen
    class Run:
        history: list[dict[str, Any]]
        status: str = "RUNNING"

    source = render(DRAGONS, execution=Run(HAPPY[:5])).source
    assert "Execution RUNNING" in source


# --- overlay styles in DOT -----------------------------------------------------------------------------------


def node_line(source: str, name: str) -> str:
    [line] = [line.strip() for line in source.splitlines() if f' {name}"]' in line or f' {name}"' in line]
    return line


def test_overlay_colours_states_by_outcome() -> None:
    """Caught states are orange, failed ones red and thicker, never-run ones dashed grey."""
    source = render(DRAGONS, execution=REJECTED).source
    assert 'color="#FF9900" fillcolor="#FFF4E0" penwidth=2' in node_line(source, "Validate")
    assert 'color="#D13212" fillcolor="#FDEDEA" penwidth=2.5' in node_line(source, "Rejected")
    assert 'color="#AAB7B8" fillcolor="#FFFFFF" fontcolor="#879596" penwidth=1' in node_line(source, "Exists")
    assert 'style="filled,dashed"' in node_line(source, "Exists")


def test_overlay_labels_retries_errors_and_durations() -> None:
    """The caught Task shows its time, its retry count and the error it caught."""
    line = node_line(render(DRAGONS, execution=REJECTED).source, "Validate")
    assert '<FONT POINT-SIZE="9" COLOR="#232F3E">6 s</FONT>' in line
    assert '<FONT POINT-SIZE="9" COLOR="#B0500A">retried 2×</FONT>' in line
    assert '<FONT POINT-SIZE="9" COLOR="#B0500A">caught: Throttled</FONT>' in line


def test_overlay_highlights_taken_edges() -> None:
    """Taken edges are thick blue (a taken Catch thick orange); the others fade to grey."""
    source = render(DRAGONS, execution=REJECTED).source
    edges = {line.strip().split(" [")[0]: line.strip() for line in source.splitlines() if " -> " in line}
    assert 'color="#0972D3" fontcolor="#232F3E" penwidth=2.5' in edges["start -> s1"]
    assert 'color="#FF9900" fontcolor="#232F3E" penwidth=2.5 style=dashed' in edges["s1 -> s6"]
    assert 'color="#D5DBDB" fontcolor="#AAB7B8"' in edges["s1 -> s2"]
    assert 'color="#0972D3"' in edges["s6 -> end"]  # the run ended at the Fail state


def test_overlay_map_box_shows_item_counts() -> None:
    """The Map's header counts items that succeeded and failed."""
    line = node_line(render(EACH, execution=MAPPED).source, "Each")
    assert '<FONT POINT-SIZE="9" COLOR="#232F3E">items: 2 ok, 1 failed · 2 s</FONT>' in line


def test_overlay_title_states_the_outcome_with_a_legend() -> None:
    """The title gives the execution's status, error and duration, and a colour legend."""
    source = render(DRAGONS, execution=REJECTED).source
    assert '<FONT POINT-SIZE="11" COLOR="#D13212">Execution FAILED: DragonRejected · 6 s</FONT>' in source
    assert '<FONT COLOR="#FF9900">■</FONT> caught' in source


def test_overlay_accepts_a_summary() -> None:
    """A precomputed RunOverlay draws the same as the history it came from."""
    assert render(DRAGONS, execution=summarize(DRAGONS, HAPPY)).source == render(DRAGONS, execution=HAPPY).source


def linked(*specs: tuple[Any, ...]) -> list[dict[str, Any]]:
    """AWS-shaped events from ``(id, previousEventId, type, details)``: threads linked as AWS links them."""
    events = []
    for event_id, previous, kind, *details in specs:
        event: dict[str, Any] = {"id": event_id, "previousEventId": previous, "timestamp": T0, "type": kind}
        if details:
            if kind.endswith("StateEntered"):
                key = "stateEnteredEventDetails"
            elif kind.endswith("StateExited"):
                key = "stateExitedEventDetails"
            else:
                key = kind[0].lower() + kind[1:] + "EventDetails"
            event[key] = details[0]
        events.append(event)
    return events


def test_interleaved_iterations_follow_previous_event_links() -> None:
    """Iterations whose events interleave are told apart by previousEventId: one fails while another ends well."""
    events = linked(
        (1, 0, "ExecutionStarted"),
        (2, 1, "MapStateEntered", {"name": "Each"}),
        (3, 2, "MapStateStarted", {"length": 2}),
        (4, 3, "MapIterationStarted", {"name": "Each", "index": 0}),
        (5, 4, "ChoiceStateEntered", {"name": "Check"}),
        (6, 3, "MapIterationStarted", {"name": "Each", "index": 1}),
        (7, 6, "ChoiceStateEntered", {"name": "Check"}),
        (8, 7, "ChoiceStateExited", {"name": "Check"}),
        (9, 8, "FailStateEntered", {"name": "Bad"}),
        (10, 9, "MapIterationFailed", {"name": "Each", "index": 1}),
        (11, 5, "ChoiceStateExited", {"name": "Check"}),  # iteration 0 goes on after iteration 1 failed
        (12, 11, "PassStateEntered", {"name": "Good"}),
        (13, 12, "PassStateExited", {"name": "Good"}),
        (14, 13, "MapIterationSucceeded", {"name": "Each", "index": 0}),
        (15, 6, "MapStateFailed"),
        (16, 1, "ExecutionFailed", {"error": "BadItem"}),
    )
    overlay = summarize(EACH, events)
    assert statuses(overlay) == {"Each": "failed", "Check": "succeeded", "Bad": "failed", "Good": "succeeded"}
    assert overlay.run("Each").error == "BadItem" and overlay.run("Check").succeeded == 2


class GatewayTimeout(Exception):
    """A flaky dependency: retried."""


class CardDeclined(Exception):
    """A real failure: caught."""


def orders_flow(concurrency: int | None) -> StateMachine:
    """A Map of orders; each reserves and charges in parallel; b times out twice, c's card is declined."""
    from sfnkit import catch, fail, lambda_fn, map_, parallel, retry, workflow

    calls: dict[str, int] = {}

    @lambda_fn
    def reserve(order: dict[str, Any]) -> dict[str, Any]:
        return {}

    @lambda_fn(retry=retry(GatewayTimeout, interval_seconds=2, max_attempts=3))
    def charge(order: dict[str, Any]) -> dict[str, Any]:
        calls[order["id"]] = calls.get(order["id"], 0) + 1
        if order["id"] == "b" and calls["b"] <= 2:
            raise GatewayTimeout("no answer")
        if order["id"] == "c":
            raise CardDeclined("expired")
        return {}

    options: dict[str, Any] = {} if concurrency is None else {"max_concurrency": concurrency}
    flow = map_(
        parallel(reserve, charge, name="Both"),
        name="Each",
        catch=catch(CardDeclined, then=fail(error="OrderFailed", name="Failed")),
        **options,
    )
    return workflow("Orders", flow)


ORDERS_INPUT = [{"id": "a"}, {"id": "b"}, {"id": "c"}]


def test_overlay_of_a_local_run() -> None:
    """A run of sfnkit's executor (retries, a Parallel in a Map, a caught error) draws as it happened."""
    from sfnkit import run

    orders = orders_flow(concurrency=1)
    execution = run(orders, ORDERS_INPUT)
    overlay = summarize(orders, execution.history)
    assert statuses(overlay) == {
        "Each": "caught",
        "Both": "failed",
        "Reserve": "succeeded",
        "Charge": "failed",
        "Failed": "failed",
    }
    assert overlay.run("Charge") == StateRun(
        entered=3, succeeded=2, failed=1, retries=2, duration=6.0, error="CardDeclined"
    )
    each = overlay.run("Each")
    assert (each.iterations_succeeded, each.iterations_failed, each.error) == (2, 1, "CardDeclined")
    assert "ran 3×: 2 ok, 1 failed · 6 s" in render(orders, execution=execution).source


def test_failed_iteration_aborts_the_others() -> None:
    """When one iteration fails, AWS stops the others: those states show as aborted, in grey."""
    from sfnkit import run

    orders = orders_flow(concurrency=None)
    execution = run(orders, ORDERS_INPUT)
    overlay = summarize(orders, execution.history)
    charge, each = overlay.run("Charge"), overlay.run("Each")
    assert (charge.succeeded, charge.failed, charge.aborted, charge.status) == (1, 1, 1, "failed")
    assert (each.iterations_succeeded, each.iterations_failed, each.iterations_aborted) == (1, 1, 1)
    source = render(orders, execution=execution).source
    assert "items: 1 ok, 1 failed, 1 aborted" in source and '<FONT COLOR="#687078">■</FONT> aborted' in source
