"""Write tests/slow_tests.txt: the tests `make test-fast` leaves to `make test` because each takes more than
QUICK_LIMIT seconds of processor time in the quick loop's own run, or waits more than WAIT_LIMIT seconds
for other processes.

The quick loop (`make test-fast`) is for the minutes between two edits; `make test` and CI run every test.
Marking tests slow by hand had left it at 70-80 s on two cores: some 180 tests of the 1,470, each between
0.15 and 4 s (real server processes and page workers, exports of whole tables, property sweeps over the
real files), took five sixths of its time, and no single file or fixture held it. This tool measures instead
of guessing: it runs `make test-fast`'s selection with the list unread (DIASPORA_QUICK_LOOP=all), records
each test's seconds (setup + call + teardown, tests/conftest.py: the clock, and the processor time of the
test's process with the child processes it waited for), lists those above a limit, and runs the selection
again with that list, since a test left in the loop may now pay a module fixture that a listed test paid
before; it stops when a run adds nobody (at most ROUNDS runs).

Processor time, not the clock, is the test of a slow test: on a shared machine the clock of every test
stretches with the load (a first version listed 583 tests at a load of 2-8 against 170 quiet), the processor
time hardly. The clock still counts where a test waits for processes whose time is not its own (a server
started by a fixture, page workers forked by a forkserver): more than WAIT_LIMIT seconds of the clock beyond
its processor time lists it too. Run it after adding or changing tests that may be slow, and commit the file:

    PYTHONPATH=src .venv/bin/python tools/quick_loop.py [--limit 0.15]

A listed test that no longer exists is harmless (nothing carries its name); tests/test_quick_loop.py checks
that every listed test is still in its file, so the list does not rot silently.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SLOW_LIST = ROOT / "tests" / "slow_tests.txt"
QUICK_LIMIT = 0.15  # s of processor time
WAIT_LIMIT = 0.5  # s of the clock beyond the processor time
ROUNDS = 8  # a module's shared fixture moves to its next test when the first is listed: a few rounds
# `make test-fast`'s selection and options (Makefile), without -x: a failing test is measured, not a stop.
SELECTION = ["-m", "not browser and not slow and not postgres", "-n", "2", "--dist", "loadfile", "-q",
             "-p", "no:randomly"]
HEADER = """\
# The tests `make test-fast` leaves out (they carry the slow mark; `make test` and CI run them all): each took
# more than {limit} s of processor time in the quick loop's own run, or waited more than {wait} s for other
# processes. Written by tools/quick_loop.py, not by hand: run it again after adding tests that may be slow,
# and commit the file. Measured {when} UTC, load average {load} at the start; {rounds} run(s);
# processor seconds<TAB>node id.
"""


def measure(extra_env: dict[str, str]) -> tuple[dict[str, list[float]], int]:
    """Each test's [clock seconds, processor seconds] in one run of the selection, and pytest's exit code."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder, "seconds.json")
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "", "DIASPORA_TEST_PROFILE": "fast",
               "DIASPORA_TEST_SECONDS": str(target), **extra_env}
        started = time.monotonic()
        code = subprocess.run([sys.executable, "-m", "pytest", *SELECTION], cwd=ROOT, env=env).returncode
        print(f"quick_loop: run took {time.monotonic() - started:.1f} s, exit {code}", file=sys.stderr)
        if not target.exists():
            raise SystemExit(f"quick_loop: pytest wrote no seconds (exit {code}); run the selection by hand to "
                             "see why: make test-fast")
        return json.loads(target.read_text(encoding="utf-8")), code


def slow(seconds: dict[str, list[float]], limit: float, wait: float) -> dict[str, float]:
    """The tests above the limits, with their processor seconds."""
    return {nodeid: cpu for nodeid, (clock, cpu) in seconds.items() if cpu > limit or clock - cpu > wait}


def write(listed: dict[str, float], limit: float, wait: float, load: tuple[float, ...], rounds: int) -> None:
    when = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    lines = [HEADER.format(limit=limit, wait=wait, when=when, load=" ".join(f"{x:.1f}" for x in load),
                           rounds=rounds)]
    lines += [f"{seconds:.2f}\t{nodeid}\n" for nodeid, seconds in sorted(listed.items())]
    SLOW_LIST.write_text("".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=float, default=QUICK_LIMIT,
                        help=f"processor seconds above which a test leaves the quick loop (default {QUICK_LIMIT})")
    parser.add_argument("--wait", type=float, default=WAIT_LIMIT,
                        help=f"seconds of waiting for other processes above which it leaves (default {WAIT_LIMIT})")
    parser.add_argument("--again", action="store_true",
                        help="keep the tests listed now and add those above the limits (skips the first run)")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"runs at most (default {ROUNDS})")
    options = parser.parse_args()
    load = os.getloadavg()
    print(f"quick_loop: load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}", file=sys.stderr)
    if options.again:
        sys.path.insert(0, str(ROOT / "tests"))
        from slowlist import slow_listed

        listed, code = slow_listed(SLOW_LIST), 0
    else:
        seconds, code = measure({"DIASPORA_QUICK_LOOP": "all"})
        listed = slow(seconds, options.limit, options.wait)
    rounds = 1
    while rounds < options.rounds:
        write(listed, options.limit, options.wait, load, rounds)
        seconds, code = measure({})
        more = {nodeid: cpu for nodeid, cpu in slow(seconds, options.limit, options.wait).items()
                if nodeid not in listed}
        rounds += 1
        if not more:
            break
        print(f"quick_loop: {len(more)} more above the limits once the others left", file=sys.stderr)
        listed.update(more)
    write(listed, options.limit, options.wait, load, rounds)
    kept = sum(cpu for _, cpu in seconds.values())
    print(f"quick_loop: {len(listed)} tests listed in {SLOW_LIST.relative_to(ROOT)}; the quick loop's tests "
          f"took {kept:.1f} s of processor time in the last run ({len(seconds)} tests, exit {code})", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
