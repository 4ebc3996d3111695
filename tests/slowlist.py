"""The quick loop's list: tests measured above tools/quick_loop.py's limit in `make test-fast`'s own run,
written to tests/slow_tests.txt by that tool on a quiet machine, never by hand. tests/conftest.py gives each
listed test the slow mark, so `make test-fast` leaves it out; `make test` and CI run it as every other test."""

from __future__ import annotations

from pathlib import Path

import pytest

SLOW_LIST = Path(__file__).with_name("slow_tests.txt")


def slow_listed(path: Path = SLOW_LIST) -> dict[str, float]:
    """The tests of the list and the seconds each took when it was written: lines ``seconds<TAB>node id``,
    ``#`` comments. A malformed line stops the run, naming the line and how to fix it."""
    listed: dict[str, float] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        seconds, tab, nodeid = line.partition("\t")
        if not tab or not nodeid.startswith("tests/"):
            raise pytest.UsageError(f"{path.name}, line {number}: expected 'seconds<TAB>tests/…::test', "
                                    f"got {line!r}; write the file again with tools/quick_loop.py")
        listed[nodeid] = float(seconds)
    return listed
