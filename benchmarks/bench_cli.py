"""Wall time and peak memory of `diaspora --help` and `diaspora report` on the built-in case.

Each command runs in a fresh process (so imports count, as for a user); peak memory is the child's
maximum resident set size from os.wait4. The first run of each command is reported apart (it pays for
cold file caches and compiled-bytecode writes); then the median and worst of the repeats.

Usage: python benchmarks/bench_cli.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"--help": 0.3, "report": 2.0}


def diaspora_command() -> list[str]:
    found = shutil.which("diaspora", path=str(Path(sys.executable).parent)) or shutil.which("diaspora")
    if not found:
        sys.exit("diaspora is not installed in this environment (run `make install`)")
    return [found]


def run_once(command: list[str]) -> tuple[float, float]:
    """(seconds, peak MiB) of one run in a fresh process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed with status {status}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    base = diaspora_command()
    out = Path(tempfile.mkdtemp(prefix="diaspora-bench-"))
    commands = {"--help": [*base, "--help"], "report": [*base, "report", "--out", str(out)]}
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'command':<10} {'first s':>8} {'median s':>9} {'worst s':>8} {'peak MiB':>9} {'target s':>9}")
    for name, command in commands.items():
        first = run_once(command)
        repeats = [run_once(command) for _ in range(args.repeats)]
        times = [t for t, _ in repeats]
        peak = max(m for _, m in [first, *repeats])
        print(f"{name:<10} {first[0]:>8.3f} {statistics.median(times):>9.3f} {max(times):>8.3f} {peak:>9.1f} "
              f"{TARGETS[name]:>9.1f}")
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
