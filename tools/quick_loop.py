"""Write tests/slow_tests.txt: the tests `make test-fast` leaves to `make test` because each takes more than
QUICK_LIMIT seconds in the quick loop's own run.

The quick loop (`make test-fast`) is for the minutes between two edits; `make test` and CI run every test.
Marking tests slow by hand had left it at 70-80 s on two cores: some 180 tests of the 1,470, each between
0.15 and 4 s (real server processes and page workers, exports of whole tables, property sweeps over the
real files), took five sixths of its time, and no single file or fixture held it. This tool measures instead
of guessing: it runs `make test-fast`'s selection with the list unread (DIASPORA_QUICK_LOOP=all), records
each test's seconds (setup + call + teardown, tests/conftest.py), lists those above the limit, and runs the
selection again with that list, since a test left in the loop may now pay a module fixture that a listed
test paid before; it stops when a run adds nobody (at most ROUNDS runs). Run it on a quiet machine (it prints
the load) after adding or changing tests that may be slow, and commit the file it writes:

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
QUICK_LIMIT = 0.15
ROUNDS = 4
# `make test-fast`'s selection and options (Makefile), without -x: a failing test is measured, not a stop.
SELECTION = ["-m", "not browser and not slow and not postgres", "-n", "2", "--dist", "loadfile", "-q",
             "-p", "no:randomly"]
HEADER = """\
# The tests `make test-fast` leaves out (they carry the slow mark; `make test` and CI run them all): each took
# more than {limit} s in the quick loop's own run. Written by tools/quick_loop.py, not by hand: run it again
# (on a quiet machine) after adding tests that may be slow, and commit the file.
# Measured {when} UTC, load average {load} at the start; {rounds} run(s); seconds<TAB>node id.
"""


def measure(extra_env: dict[str, str]) -> tuple[dict[str, float], int]:
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


def write(listed: dict[str, float], limit: float, load: tuple[float, ...], rounds: int) -> None:
    when = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    lines = [HEADER.format(limit=limit, when=when, load=" ".join(f"{x:.1f}" for x in load), rounds=rounds)]
    lines += [f"{seconds:.2f}\t{nodeid}\n" for nodeid, seconds in sorted(listed.items())]
    SLOW_LIST.write_text("".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=float, default=QUICK_LIMIT,
                        help=f"seconds above which a test leaves the quick loop (default {QUICK_LIMIT})")
    options = parser.parse_args()
    load = os.getloadavg()
    print(f"quick_loop: load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
          + ("  (busy: the seconds will be inflated)" if load[0] > 1.5 else ""), file=sys.stderr)
    seconds, code = measure({"DIASPORA_QUICK_LOOP": "all"})
    listed = {nodeid: s for nodeid, s in seconds.items() if s > options.limit}
    rounds = 1
    while rounds < ROUNDS:
        write(listed, options.limit, load, rounds)
        seconds, code = measure({})
        more = {nodeid: s for nodeid, s in seconds.items() if s > options.limit and nodeid not in listed}
        rounds += 1
        if not more:
            break
        print(f"quick_loop: {len(more)} more above {options.limit} s once the others left", file=sys.stderr)
        listed.update(more)
    write(listed, options.limit, load, rounds)
    kept = sum(seconds.values())
    print(f"quick_loop: {len(listed)} tests listed in {SLOW_LIST.relative_to(ROOT)}; the quick loop's tests "
          f"took {kept:.1f} s in the last run ({len(seconds)} tests, exit {code})", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
