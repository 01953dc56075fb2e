"""Start-up of the ``sfnkit`` command against ``import sfnkit``: the command's ``--help`` should take at most twice
as long as importing the library (it answers without click, ``sfnkit/cli/top.py``). A command's own ``--help``
imports click and the command's module, and is measured for the record.

``python benchmarks/bench_cli.py [--runs N]`` starts each command N times in a fresh process, in turns, and prints
the best and median wall and CPU (user + system) times and the ratios of the best ones to ``import sfnkit``'s, with
the load average. The machine is shared: CPU times and best times are the ones to read.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timings(commands: dict[str, list[str]], runs: int) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) seconds of *runs* fresh starts of each command (output discarded), taken in turns so that a
    change of the machine's load falls on all of them alike."""
    seconds: dict[str, list[tuple[float, float]]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, command in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            seconds[label].append((wall, cpu))
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
        "sfnkit --version": [str(script), "--version"],
        **{f"sfnkit {name} --help": [str(script), name, "--help"] for name in ("run", "validate", "deploy", "invoke")},
    }
    results = timings(commands, runs)
    base_wall = min(wall for wall, _ in results["python -c 'import sfnkit'"])
    base_cpu = min(cpu for _, cpu in results["python -c 'import sfnkit'"])
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {runs} runs each")
    for label, pairs in results.items():
        walls, cpus = [wall for wall, _ in pairs], [cpu for _, cpu in pairs]
        print(
            f"{label:26} wall best {min(walls) * 1000:6.1f} ms median {statistics.median(walls) * 1000:6.1f} ms"
            f" (x{min(walls) / base_wall:4.2f})   CPU best {min(cpus) * 1000:6.1f} ms (x{min(cpus) / base_cpu:4.2f})"
        )


if __name__ == "__main__":
    main()
