"""Start-up of the ``sfnkit`` command against ``import sfnkit``: the command's ``--help`` should take at most twice
as long as importing the library.

``python benchmarks/bench_cli.py [--runs N]`` starts each command N times in a fresh process and prints the best
and median wall times, their ratio and the load average (the machine is shared: read best times).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timings(commands: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    """Wall-clock seconds of *runs* fresh starts of each command (output discarded), taken in turns so that a
    change of the machine's load falls on all of them alike."""
    seconds: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            seconds[label].append(time.perf_counter() - start)
    return seconds


def main() -> None:
    """Measure and print the start-up times."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    script = Path(sys.executable).with_name("sfnkit")
    commands = {
        "python -c 'import sfnkit'": [sys.executable, "-c", "import sfnkit"],
        "sfnkit --help": [str(script), "--help"],
        "python -m sfnkit --help": [sys.executable, "-m", "sfnkit", "--help"],
    }
    results = timings(commands, runs)
    base = min(results["python -c 'import sfnkit'"])
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {runs} runs each")
    for label, seconds in results.items():
        print(
            f"{label:28} best {min(seconds) * 1000:7.1f} ms  median {statistics.median(seconds) * 1000:7.1f} ms"
            f"  best/import {min(seconds) / base:4.2f}"
        )


if __name__ == "__main__":
    main()
