"""Cold start (issue 10): the cost of ``import sfnkit``, and ``from_asl`` + the first run of a JSONata definition
never seen before, side by side with sfnx 3.1 (the other Python executor of JSONata definitions).

sfnx (``pip install -e '.[bench]'``) runs a definition with ``sfnx.testing.run(definition, input, tasks)``; it
parses each expression when the state evaluates it, so its every run is a cold one. For sfnkit a cold start is
``from_asl`` (validation and compilation) plus the first ``run`` (the plan); each trial's definition gets a
comment in every expression, so neither engine can reuse anything from an earlier trial. Trials alternate between
the engines, each after a full garbage collection; the best of each is compared (the steadier figure on a shared
machine).

Run on its own: ``python benchmarks/bench_cold.py [--reps 3]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import jsonata_workloads as jw

import sfnkit

GOAL = 3.0  # cold, sfnkit at least this many times faster than sfnx
INC_ARN = "arn:aws:lambda:us-east-1:123456789012:function:inc"


def inc(event: Any) -> Any:
    return {"n": event["n"] + 1}


WORKLOADS: dict[str, Callable[[], jw.Workload]] = {
    "J-W1": lambda: jw.w1(1000),
    "J-W2": lambda: jw.w2(300),
    "J-W3": lambda: jw.w3(100, 10),
    "J-W4": lambda: jw.w4(1000),
    "J-W5": lambda: jw.w5(200, INC_ARN),
}


def fresh_interpreter(code: str) -> str:
    """The output of *code* in a new interpreter that reads and writes bytecode (as an installed package does)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env).stdout


def import_time(reps: int) -> float:
    """Best seconds of ``import sfnkit`` in a fresh interpreter (printed with a bare interpreter's start-up)."""
    fresh_interpreter("import sfnkit")  # writes the bytecode
    timer = "import time; t = time.perf_counter(); {}; print(time.perf_counter() - t)"
    ours = min(float(fresh_interpreter(timer.format("import sfnkit"))) for _ in range(reps))
    lean = min(float(fresh_interpreter(timer.format("import json"))) for _ in range(reps))
    print(f"import sfnkit: {ours * 1e3:.1f} ms, best of {reps} fresh interpreters (goal ≤ 100 ms; import json: ")
    print(f"  {lean * 1e3:.1f} ms); no engine, JSONata, graphviz or networkx is loaded (tests/test_package.py)")
    return ours


def sfnkit_cold(definition: dict[str, Any], data: Any) -> Any:
    execution = sfnkit.run(sfnkit.from_asl(definition), data, lambdas={"inc": inc})
    execution.raise_for_status()
    return execution.output


def cold_vs_sfnx(reps: int) -> bool:
    """Print one line per JSONata workload; whether every one meets the goal."""
    try:
        from sfnx import testing as sfnx_testing
    except ImportError:
        print("cold start vs sfnx: skipped, sfnx is not installed (pip install -e '.[bench]')")
        return True

    def sfnx_cold(definition: dict[str, Any], data: Any) -> Any:
        return sfnx_testing.run(definition, data, tasks=lambda call: inc(call.arguments)).output

    print(f"\nCold start: from_asl + first run of an unseen JSONata definition vs sfnx (best of {reps})")
    print(f"{'workload':<9} {'sfnx ms':>10} {'sfnkit ms':>10} {'faster':>8} {'goal':>6}  output")
    met = True
    for name, build in WORKLOADS.items():
        definition, data, expected = build()
        timings: dict[str, list[float]] = {"sfnx": [], "sfnkit": []}
        engines = {"sfnx": sfnx_cold, "sfnkit": sfnkit_cold}
        ok = all(run(jw.salted(definition, f"warm {key}"), data) == expected for key, run in engines.items())
        for trial in range(reps):
            order = ["sfnx", "sfnkit"] if trial % 2 == 0 else ["sfnkit", "sfnx"]
            for key in order:
                fresh = jw.salted(definition, f"trial {trial} {key}")
                gc.collect()  # neither engine pays for collecting the other's garbage (the GC stays on in the trial)
                began = time.perf_counter()
                engines[key](fresh, data)
                timings[key].append(time.perf_counter() - began)
        theirs, ours = min(timings["sfnx"]), min(timings["sfnkit"])
        met = met and theirs / ours >= GOAL
        print(
            f"{name:<9} {theirs * 1e3:>10.1f} {ours * 1e3:>10.1f} {theirs / ours:>7.1f}× {'≥' + str(GOAL):>6}  "
            f"{'OK' if ok else 'WRONG'}"
        )
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    import_time(max(args.reps, 5))
    return 0 if cold_vs_sfnx(args.reps) else 1


if __name__ == "__main__":
    raise SystemExit(main())
