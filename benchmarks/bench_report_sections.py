"""CPU time of each of the report's sections (report/sections.py BUILDERS) on the built-in case, in one
process: the computing a cold report does after its imports (issue 15 item 3), measured without the
imports and the machine's start-up noise that a whole run (bench_cli.py) carries.

Each repeat loads the case afresh (so no analysis is memoised from the one before) and times every builder
in reading order, as a report calls them; the best of the repeats is printed, per section and summed. Each
``--src`` folder is run in its own process, in turn, so that a change of the machine's load falls on both.

Usage: python benchmarks/bench_report_sections.py [--repeats 8] [--lang en] [--src SRC ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

CHILD = """
import sys, time
from diaspora_observatory.case.package import load_case
from diaspora_observatory.report import sections
from diaspora_observatory.report.writer import Writer
best = {}
for _ in range(int(sys.argv[1])):
    case = load_case(None).require_valid()
    writer = Writer(case, sys.argv[2])
    for name, builder in sections.BUILDERS.items():
        started = time.process_time()
        builder(case, writer)
        best[name] = min(best.get(name, float("inf")), time.process_time() - started)
print(" ".join(f"{name}={seconds * 1000:.1f}" for name, seconds in best.items()),
      f"all={sum(best.values()) * 1000:.1f}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=8)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--src", type=Path, action="append", default=None,
                        help="source folder of the code to run (repeatable) [default: this checkout's src]")
    args = parser.parse_args()
    sources = [src.resolve() for src in (args.src or [Path(__file__).resolve().parents[1] / "src"])]
    print(f"load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}; best of {args.repeats}, ms of CPU")
    for src in sources:
        env = {**os.environ, "PYTHONPATH": str(src)}
        result = subprocess.run([sys.executable, "-c", CHILD, str(args.repeats), args.lang], env=env,
                                capture_output=True, text=True, check=True)
        print(f"{str(src)[-32:]:<32} {result.stdout.strip()}")
    print(f"load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
