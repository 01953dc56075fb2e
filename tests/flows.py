"""Shared sample flows built with the DSL, for any test that needs a machine (``from flows import ...``).

Each ``*_flow()`` returns a fresh ``StateMachine``; the Lambda functions are plain module-level functions so
that ``machine.lambdas`` binds them for local runs. ``SERVICES`` answers the service integrations they use.
"""

from __future__ import annotations

from typing import Any

from sfnkit import (
    StateMachine,
    choice,
    ctx,
    data,
    fail,
    goto,
    jsonata,
    lambda_fn,
    map_,
    parallel,
    pass_,
    result,
    sns_publish,
    succeed,
    var,
    wait,
    when,
    workflow,
)

__all__ = [
    "SERVICES",
    "TOPIC",
    "add_one",
    "all_flows",
    "branching_flow",
    "double",
    "jsonata_flow",
    "linear_flow",
    "loop_flow",
    "map_flow",
    "parallel_flow",
    "reject",
    "retry_catch_flow",
]

TOPIC = "arn:aws:sns:us-east-1:123456789012:samples"
SERVICES: dict[str, Any] = {"arn:aws:states:::sns:publish": lambda request: {"MessageId": "m-1"}}


@lambda_fn
def add_one(event: dict[str, Any]) -> dict[str, Any]:
    """``{"n": 1}`` -> ``{"n": 2}``."""
    return {**event, "n": event["n"] + 1}


@lambda_fn
def double(event: dict[str, Any]) -> dict[str, Any]:
    """``{"n": 2}`` -> ``{"n": 4}``."""
    return {**event, "n": event["n"] * 2}


@lambda_fn
def reject(event: dict[str, Any]) -> dict[str, Any]:
    """Always fails with ``ValueError`` (Lambda error name ``ValueError``)."""
    raise ValueError(f"rejected {event!r}")


def linear_flow() -> StateMachine:
    """AddOne -> Double -> AddOne_2: ``{"n": 1}`` gives ``{"n": 5}``."""
    return workflow("Linear", add_one >> double >> add_one)


def branching_flow() -> StateMachine:
    """Double when n > 10, AddOne when n is 1..10, else Fail; then a final Pass: ``{"n": 11}`` gives ``{"n": 22}``."""
    return workflow(
        "Branching",
        choice(
            when(data.n > 10, then=double),
            when((data.n >= 1) & (data.n <= 10), then=add_one),
            otherwise=fail(name="TooSmall", error="TooSmall", cause="n < 1"),
        )
        >> pass_(name="Done"),
    )


def parallel_flow() -> StateMachine:
    """Both functions on the same input: ``{"n": 3}`` gives ``[{"n": 4}, {"n": 6}]``."""
    return workflow("Parallel", parallel(add_one, double, name="Both"))


def map_flow() -> StateMachine:
    """AddOne per item of ``$.items``, results at ``$.out``: ``{"items": [{"n": 1}]}`` adds ``"out": [{"n": 2}]``."""
    return workflow("Mapping", map_(add_one, items=data["items"], max_concurrency=1, result_path="$.out", name="Each"))


def retry_catch_flow() -> StateMachine:
    """Reject, retried twice, caught: the error lands at ``$.error`` and the flow goes on to Recovered."""
    return workflow(
        "RetryCatch",
        reject.retry(ValueError, max_attempts=2, interval_seconds=1).catch(ValueError, result_path="$.error")
        >> pass_(name="Recovered"),
    )


def loop_flow() -> StateMachine:
    """AddOne until n >= 3, waiting 5 s between rounds: ``{"n": 0}`` gives ``{"n": 3}``."""
    return workflow(
        "Loop",
        add_one >> choice(when(data.n >= 3, then=succeed(name="Enough")), otherwise=wait(seconds=5) >> goto(add_one)),
    )


def jsonata_flow() -> StateMachine:
    """JSONata with variables: Double, remember n as $total, publish when $total > 10, else Small."""
    return workflow(
        "Variables",
        double.with_options(assign={"total": result.n})
        >> choice(
            when(var.total > 10, then=sns_publish(TOPIC, jsonata("'big: ' & $string($total)"), name="Big")),
            otherwise=pass_(name="Small", output={"total": var.total, "execution": ctx.Execution.Name}),
        ),
        query_language="JSONata",
    )


def all_flows() -> dict[str, StateMachine]:
    """Every sample flow by name."""
    return {
        "linear": linear_flow(),
        "branching": branching_flow(),
        "parallel": parallel_flow(),
        "map": map_flow(),
        "retry_catch": retry_catch_flow(),
        "loop": loop_flow(),
        "jsonata": jsonata_flow(),
    }
