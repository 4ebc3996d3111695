"""Shared fixtures: the built-in case, and a writable copy of it for tests that break data on purpose; the
test profiles (``DIASPORA_TEST_PROFILE``: the full one CI runs, or ``fast`` for ``make test-fast``)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from diaspora_observatory import load_case
from diaspora_observatory.case.package import EMBEDDED_CASES

BUILTIN = "kazakh-central-asia"

# The test profile. "full" (the default, what `make test` and CI run) keeps every property test's own example
# count. "fast" (`make test-fast` sets DIASPORA_TEST_PROFILE=fast) draws at most FAST_EXAMPLES examples in each:
# the quick loop still runs every property once over a few inputs, CI searches them as written.
PROFILE = os.environ.get("DIASPORA_TEST_PROFILE", "full")
FAST_EXAMPLES = 5
settings.register_profile("full", settings.get_profile("default"))
settings.register_profile("fast", max_examples=FAST_EXAMPLES)
if PROFILE not in ("full", "fast"):
    raise pytest.UsageError(f"DIASPORA_TEST_PROFILE={PROFILE!r}: use 'full' (what CI runs) or 'fast' (make test-fast)")
settings.load_profile(PROFILE)


def pytest_report_header(config):
    return f"test profile: {PROFILE} (DIASPORA_TEST_PROFILE; make test-fast sets fast, CI runs full)"


def pytest_collection_modifyitems(config, items):
    """Under the fast profile, cap the examples of property tests that set their own count with @settings (a
    profile only sets the default, which an explicit max_examples overrides). A property defined and run
    inside a test's body is not a collected item and keeps its own count."""
    if PROFILE != "fast":
        return
    for item in items:
        test = getattr(item, "obj", None)
        if not getattr(test, "is_hypothesis_test", False):
            continue
        # Hypothesis keeps a test's settings in this attribute and reads it on each call (hypothesis/core.py);
        # if a release renames it, say so rather than run the full counts unnoticed.
        own = getattr(test, "_hypothesis_internal_use_settings", None)
        if own is None:
            raise pytest.UsageError(f"{item.nodeid}: this hypothesis release keeps a test's settings elsewhere; "
                                    "update the fast profile in tests/conftest.py")
        if own.max_examples > FAST_EXAMPLES:
            test._hypothesis_internal_use_settings = settings(own, max_examples=FAST_EXAMPLES)


@pytest.fixture(scope="session", autouse=True)
def chart_cache(tmp_path_factory, pytestconfig):
    """Drawn charts and compiled report templates are cached in a folder of the test session, never in the
    user's own cache. Under the fast profile the folder is kept between runs in pytest's cache
    (.pytest_cache/d/diaspora-cache), as a user's own cache is kept: a chart whose spec is unchanged is read
    back, a changed one is drawn (user_cache.py, charts/render.py). The full profile (CI) starts empty, so
    every chart is drawn; tests of the cache itself give it a folder of their own."""
    kept = getattr(pytestconfig, "cache", None)  # None under -p no:cacheprovider
    folder = kept.mkdir("diaspora-cache") if PROFILE == "fast" and kept else tmp_path_factory.mktemp("cache")
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
