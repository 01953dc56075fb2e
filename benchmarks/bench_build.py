"""Build + export time of DSL workflows against building the same ASL as plain dicts (issue 2's ≤ 5× goal).

Shapes mirror the shared benchmark's build workloads: B1 is a chain of N Pass states
(``{"Parameters": {"v.$": "$.v", "k": i + 1}, "ResultPath": "$.last"}``), B2 a chain of N Choice states that
each test ``$.x == i``, go to ``Hit`` on a match and on to the next Choice otherwise (the last to ``Miss``).
Run: ``python benchmarks/bench_build.py [--quick]``; prints a table; exits non-zero if a ratio is above 5.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from sfnkit import ValidationError, chain, choice, data, fail, goto, pass_, succeed, when, workflow
from sfnkit.dsl import Step
from sfnkit.validate import validate

GOAL = 5.0


def dict_linear_pass(n: int) -> str:
    """B1 as plain dicts, then JSON text (the floor)."""
    states: dict[str, Any] = {}
    for i in range(n):
        state: dict[str, Any] = {"Type": "Pass", "Parameters": {"v.$": "$.v", "k": i + 1}, "ResultPath": "$.last"}
        if i == n - 1:
            state["End"] = True
        else:
            state["Next"] = f"P{i + 1}"
        states[f"P{i}"] = state
    return json.dumps({"StartAt": "P0", "States": states})


def dict_choice_chain(n: int) -> str:
    """B2 as plain dicts, then JSON text (the floor)."""
    states: dict[str, Any] = {}
    for i in range(n):
        states[f"C{i}"] = {
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "NumericEquals": i, "Next": "Hit"}],
            "Default": f"C{i + 1}" if i < n - 1 else "Miss",
        }
    states["Hit"] = {"Type": "Succeed"}
    states["Miss"] = {"Type": "Fail", "Error": "NoMatch", "Cause": "no choice matched"}
    return json.dumps({"StartAt": "C0", "States": states})


def dsl_linear_pass(n: int, validate: bool = False) -> str:
    """B1 with the DSL: n pass_ steps in one chain(), built and exported (as the SDK adapter builds its Chain)."""
    steps = [pass_(name=f"P{i}", parameters={"v": data.v, "k": i + 1}, result_path="$.last") for i in range(n)]
    return workflow("B1", chain(*steps)).to_json(indent=None, validate=validate)


def dsl_linear_pass_rshift(n: int, validate: bool = False) -> str:
    """B1 with ``>>``: each ``>>`` is O(1), so this is linear too."""
    flow: Step = pass_(name="P0", parameters={"v": data.v, "k": 1}, result_path="$.last")
    for i in range(1, n):
        flow = flow >> pass_(name=f"P{i}", parameters={"v": data.v, "k": i + 1}, result_path="$.last")
    return workflow("B1", flow).to_json(indent=None, validate=validate)


def dsl_choice_chain(n: int, validate: bool = False) -> str:
    """B2 with the DSL: nested choice(..., otherwise=choice(...)), built and exported."""
    step: Step = fail(name="Miss", error="NoMatch", cause="no choice matched")
    for i in range(n - 1, -1, -1):
        then = succeed(name="Hit") if i == 0 else goto("Hit")
        step = choice(when(data.x == i, then=then), otherwise=step, name=f"C{i}")
    return workflow("B2", step).to_json(indent=None, validate=validate)


def measure(floor: Callable[[int], str], dsl: Callable[[int], str], n: int, repeats: int) -> tuple[float, float, float]:
    """CPU times (``time.process_time``) of ``floor(n)`` and ``dsl(n)``, run in turns *repeats* times.

    Returns the best floor time, the best DSL time, and the median of the per-round ratios. CPU time of this
    process, and interleaved runs, because the machine is shared: other processes slow both sides alike, and
    the best run is the one least disturbed.
    """
    floor(n), dsl(n)  # warm-up
    best = [float("inf"), float("inf")]
    ratios = []
    for _ in range(repeats):
        spent = []
        for side, function in enumerate((floor, dsl)):
            gc.collect()
            start = time.process_time()
            function(n)
            spent.append(time.process_time() - start)
            best[side] = min(best[side], spent[-1])
        ratios.append(spent[1] / spent[0])
    return best[0], best[1], statistics.median(ratios)


def breakdown(n: int, repeats: int) -> dict[str, float]:
    """Best CPU time per phase of B1 at *n* states, in microseconds per state."""
    best: dict[str, float] = {}
    for _ in range(repeats):
        gc.collect()
        marks = [time.process_time()]
        steps = [pass_(name=f"P{i}", parameters={"v": data.v, "k": i + 1}, result_path="$.last") for i in range(n)]
        marks.append(time.process_time())
        machine = workflow("B1", chain(*steps))
        marks.append(time.process_time())
        definition = machine.to_asl(validate=False)
        marks.append(time.process_time())
        json.dumps(definition)
        marks.append(time.process_time())
        validate(definition)
        marks.append(time.process_time())
        for phase, start, end in zip(PHASES, marks, marks[1:], strict=False):
            best[phase] = min(best.get(phase, float("inf")), (end - start) * 1e6 / n)
    return best


PHASES = ("steps", "workflow()", "to_asl()", "json.dumps", "validate")


def main(argv: list[str] | None = None) -> int:
    """Print the table; return 1 if a build + export ratio misses the goal."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no 10,000-state B2")
    parser.add_argument("--breakdown", action="store_true", help="also time each phase of B1 (µs per state)")
    args = parser.parse_args(argv)
    # Python's default: importing sfnkit imports jsonata-python, which raises the limit to 10,000 for itself.
    sys.setrecursionlimit(1000)
    repeats = 3 if args.quick else 15
    cases = [
        ("B1 linear-pass", 1_000, dict_linear_pass, dsl_linear_pass),
        ("B1 linear-pass", 10_000, dict_linear_pass, dsl_linear_pass),
        ("B1 with >>", 10_000, dict_linear_pass, dsl_linear_pass_rshift),
        ("B2 choice-chain", 1_000, dict_choice_chain, dsl_choice_chain),
    ]
    if not args.quick:
        cases.append(("B2 choice-chain", 10_000, dict_choice_chain, dsl_choice_chain))
    print(f"recursion limit {sys.getrecursionlimit()}; best CPU time of {repeats} interleaved runs")
    print("sfnkit = steps + workflow() + to_json(validate=False); '+validate' = the same with to_json()'s validation")
    print("ratio = best sfnkit / best dicts; median = median of the per-round ratios")
    print(
        f"{'shape':<16} {'states':>7} {'dicts ms':>9} {'sfnkit ms':>10} {'ratio':>6} {'median':>6} "
        f"{'+validate ms':>13} {'ratio':>6} {'median':>6}"
    )
    worst = 0.0
    for shape, n, floor, dsl in cases:
        assert json.loads(dsl(n))["States"] == json.loads(floor(n))["States"]
        base, ours, typical = measure(floor, dsl, n, repeats)
        try:
            _, checked, checked_typical = measure(floor, functools.partial(dsl, validate=True), n, repeats)
            with_validation = f"{checked * 1000:>13.1f} {checked / base:>5.1f}x {checked_typical:>5.1f}x"
        except ValidationError as error:  # B2 at 10,000 states is over AWS's 1 MB definition limit
            with_validation = f"{'invalid':>13} ({error.problems[0].message.split(';')[0]})"
        worst = max(worst, ours / base)
        print(
            f"{shape:<16} {n:>7} {base * 1000:>9.1f} {ours * 1000:>10.1f} {ours / base:>5.1f}x {typical:>5.1f}x "
            f"{with_validation}"
        )
    print(f"goal <= {GOAL:.0f}x (build + export): {'met' if worst <= GOAL else 'MISSED'} (worst {worst:.1f}x)")
    if args.breakdown:
        for n in (1_000, 10_000):
            phases = breakdown(n, repeats)
            print(f"B1 at {n} states, µs per state: " + ", ".join(f"{k} {v:.1f}" for k, v in phases.items()))
    return 0 if worst <= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
