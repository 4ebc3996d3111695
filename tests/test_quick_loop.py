"""The quick loop's list (tests/slow_tests.txt, written by tools/quick_loop.py): every test it names is still
a test of its file, the file reads as the conftest expects, and a listed test carries the slow mark so that
`make test-fast` leaves it out while `make test` keeps it."""

from __future__ import annotations

import ast
import functools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import slowlist

ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def _tests_of(path: Path) -> set[str]:
    """The test functions of a file, as ``name`` or ``Class::name``."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.add(node.name)
        elif isinstance(node, ast.ClassDef):
            found.update(f"{node.name}::{inner.name}" for inner in node.body
                         if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)))
    return found


def test_every_listed_test_is_still_a_test_of_its_file():
    listed = slowlist.slow_listed()
    assert listed, "tests/slow_tests.txt lists no test: write it with tools/quick_loop.py"
    missing = []
    for nodeid in listed:
        path, _, name = nodeid.partition("::")
        name = re.sub(r"\[.*\]$", "", name)
        if not (ROOT / path).is_file() or name not in _tests_of(ROOT / path):
            missing.append(nodeid)
    assert not missing, (f"{len(missing)} tests listed in tests/slow_tests.txt are gone (renamed or removed), "
                         f"for example {missing[:3]}: write the list again with tools/quick_loop.py")


def test_a_line_without_its_tab_is_refused_naming_the_line(tmp_path):
    broken = tmp_path / "slow_tests.txt"
    broken.write_text("# comment\n0.20\ttests/test_cli.py::test_a\n0.31 tests/test_cli.py::test_b\n",
                      encoding="utf-8")
    with pytest.raises(pytest.UsageError, match=r"slow_tests.txt, line 3: .*tools/quick_loop.py"):
        slowlist.slow_listed(broken)


@pytest.mark.slow  # two pytest collections in subprocesses
def test_a_listed_test_is_left_out_of_the_quick_loop_only():
    nodeid = next(iter(slowlist.slow_listed()))
    path = nodeid.partition("::")[0]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": ""}
    env.pop("DIASPORA_QUICK_LOOP", None)

    def collected(*options: str) -> set[str]:
        run = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                              *options, path], cwd=ROOT, env=env, capture_output=True, text=True)
        assert run.returncode in (0, 5), run.stdout + run.stderr
        return {line for line in run.stdout.splitlines() if line.startswith("tests/")}

    assert nodeid not in collected("-m", "not slow")
    assert nodeid in collected()
    env["DIASPORA_QUICK_LOOP"] = "all"
    assert nodeid in collected("-m", "not slow")
