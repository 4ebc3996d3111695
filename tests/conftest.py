"""Shared fixtures: the built-in case, and a writable copy of it for tests that break data on purpose."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from diaspora_observatory import load_case
from diaspora_observatory.case.package import EMBEDDED_CASES

BUILTIN = "kazakh-central-asia"


@pytest.fixture(scope="session", autouse=True)
def chart_cache(tmp_path_factory):
    """Drawn charts are cached in a folder of the test session, never in the user's own cache."""
    folder = tmp_path_factory.mktemp("cache")
    previous = os.environ.get("DIASPORA_CACHE_DIR")
    os.environ["DIASPORA_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("DIASPORA_CACHE_DIR", None)
    else:
        os.environ["DIASPORA_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def case():
    return load_case()


@pytest.fixture
def case_copy(tmp_path: Path) -> Path:
    """A copy of the built-in case's folder that a test may edit."""
    target = tmp_path / BUILTIN
    shutil.copytree(EMBEDDED_CASES / BUILTIN, target)
    return target



# Under CI=true the whole suite must run (tools/run-tests starts every service it needs), so a test that
# skips (a missing browser, server or package) fails instead of passing unseen.
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where the whole suite must run: {reason}"
    return report
