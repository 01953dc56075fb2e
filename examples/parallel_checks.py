"""Parallel branches: inspect a dragon's scales and fire at once, then merge both verdicts into one record.

``python examples/parallel_checks.py`` prints the state machine's ASL.
"""

from __future__ import annotations

from typing import Any

from sfnkit import StateMachine, data, lambda_fn, parallel, pass_, workflow


@lambda_fn
def check_scales(event: dict[str, Any]) -> dict[str, Any]:
    """Scales are fine when there are more than 100 of them."""
    return {"scales_ok": event["scales"] > 100}


@lambda_fn
def check_fire(event: dict[str, Any]) -> dict[str, Any]:
    """Fire is fine when it is hot enough."""
    return {"fire_ok": event["fire_temperature"] >= 1000}


inspection: StateMachine = workflow(
    "Inspection",
    parallel(check_scales, check_fire, name="Inspect", result_path="$.checks")
    >> pass_(
        name="Verdict",
        parameters={"dragon": data.name, "scales": data.checks[0].scales_ok, "fire": data.checks[1].fire_ok},
    ),
    comment="Two checks in parallel; the Parallel output is the list of the branches' outputs",
)


def main() -> None:
    """Print the ASL definition."""
    print(inspection.to_json())


if __name__ == "__main__":
    main()
