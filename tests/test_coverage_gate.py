"""The coverage floor CI runs: it fails the run, and it counts the code every process of the tests runs.

tools/run-tests measures the whole suite with ``--cov=diaspora_observatory``; the floor
(``[tool.coverage.report] fail_under``) and the processes counted (``[tool.coverage.run] patch``) are in
pyproject.toml. These tests run a small pytest session of their own, the same way, and read what it says.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from diaspora_observatory import countries, languages

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # a pytest session of its own, measured


def _body_lines(function) -> set[int]:
    """The lines of a function's body (its code's lines, not the ``def`` line, which runs at import)."""
    code = function.__code__
    return {line for _, _, line in code.co_lines() if line is not None and line != code.co_firstlineno}


def _session(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """A pytest session under the project's coverage configuration, on one small test file."""
    (tmp_path / "test_small.py").write_text(textwrap.dedent("""
        import os
        import subprocess
        import sys

        import diaspora_observatory.errors  # so that this process measures something too

        def test_a_child_process_and_a_forked_one():
            code = "from diaspora_observatory import languages; languages.listed()"
            subprocess.run([sys.executable, "-c", code], check=True)
            child = os.fork()
            if child == 0:
                from diaspora_observatory import countries
                countries.to_alpha3("KGZ")
                os._exit(0)
            assert os.waitpid(child, 0)[1] == 0
    """), encoding="utf-8")
    # Its data files are its own (COVERAGE_FILE): never the ones of a measured run this test is part of, whose
    # subprocess files the session would otherwise erase at its start and absorb at its end.
    env = {name: value for name, value in os.environ.items() if not name.startswith("COVERAGE_")}
    env["COVERAGE_FILE"] = str(tmp_path / ".coverage")
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(tmp_path / "test_small.py"), "-q", "-p", "no:cacheprovider",
         f"--rootdir={ROOT}", "--cov=diaspora_observatory", f"--cov-report=json:{tmp_path / 'coverage.json'}",
         *options],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_a_run_below_the_floor_fails(tmp_path):
    floor = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["coverage"]["report"]
    assert floor["fail_under"] >= 94  # the level CI holds; raise it, never lower it quietly
    done = _session(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"less than fail-under={floor['fail_under']:.{floor['precision']}f}" in done.stdout


def test_code_run_in_a_subprocess_or_a_forked_child_is_counted(tmp_path):
    done = _session(tmp_path, "--cov-fail-under=0")
    assert done.returncode == 0, done.stdout + done.stderr
    files = json.loads((tmp_path / "coverage.json").read_text(encoding="utf-8"))["files"]

    def executed(module) -> set[int]:
        path = Path(module.__file__).resolve()
        entry = next(data for name, data in files.items() if (ROOT / name).resolve() == path)
        return set(entry["executed_lines"])

    # Neither function runs in the test process: only the subprocess and the forked child call them.
    assert _body_lines(languages.listed) <= executed(languages)
    assert _body_lines(countries.to_alpha3) & executed(countries)
