"""Shared fixtures: the built-in case, and a writable copy of it for tests that break data on purpose; the
test profiles (``DIASPORA_TEST_PROFILE``: the full one CI runs, or ``fast`` for ``make test-fast``)."""

from __future__ import annotations

import json
import os
import resource
import shutil
from pathlib import Path

import pytest
from hypothesis import settings
from slowlist import SLOW_LIST, slow_listed

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


@pytest.hookimpl(tryfirst=True)  # before pytest's own -m selection reads the marks
def pytest_collection_modifyitems(config, items):
    # The quick loop's edge: tests listed in tests/slow_tests.txt (slowlist.py) carry the slow mark, so that
    # `make test-fast` leaves them out; DIASPORA_QUICK_LOOP=all (tools/quick_loop.py measuring) reads no list.
    if os.environ.get("DIASPORA_QUICK_LOOP") != "all" and SLOW_LIST.exists():
        listed = slow_listed(SLOW_LIST)
        for item in items:
            if item.nodeid in listed:
                item.add_marker(pytest.mark.slow)
    _cap_examples(items)


def _cap_examples(items):
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


# The seconds each test file took in the last run on several processes, kept in pytest's cache: with
# `--dist loadfile` a process that finishes a file is handed the slowest file still waiting, so the longest
# files start first and the last ones to run are short (longest processing time first, Graham 1969), so the
# two processes end close together. Without a record (a first run, -p no:cacheprovider) xdist's own order is kept.
FILE_SECONDS = "diaspora/file-seconds"


class _FileSeconds:
    """Adds up, in the controlling process, the seconds of every test phase by file, and by test when
    DIASPORA_TEST_SECONDS names a file to write them to (JSON, node id to [seconds of the clock, seconds of
    processor time]; tools/quick_loop.py)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.tests: dict[str, list[float]] = {}

    def pytest_runtest_logreport(self, report) -> None:
        path = report.nodeid.split("::", 1)[0]
        self.seconds[path] = self.seconds.get(path, 0.0) + report.duration
        clock, cpu = self.tests.setdefault(report.nodeid, [0.0, 0.0])
        self.tests[report.nodeid] = [clock + report.duration, cpu + dict(report.user_properties).get(_CPU, 0.0)]


_CPU = "diaspora-cpu-seconds"


class _TestCPU:
    """In the process running the tests (each pytest-xdist worker): the processor time of each test phase,
    this process's and that of the child processes it waited for (CLI commands, servers stopped), put in the
    phase's report for _FileSeconds. A machine's load stretches the clock but hardly the processor time, so
    tools/quick_loop.py can tell a slow test on a busy machine."""

    def __init__(self) -> None:
        self._mark = self._now()

    @staticmethod
    def _now() -> float:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    def pytest_runtest_logstart(self) -> None:
        self._mark = self._now()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self):
        report = yield
        now = self._now()
        report.user_properties.append((_CPU, now - self._mark))
        self._mark = now
        return report


def pytest_configure(config):
    controller = not hasattr(config, "workerinput")
    several = config.getoption("numprocesses", None) and getattr(config, "cache", None) is not None
    runs_tests = not controller or not config.getoption("numprocesses", None)
    if os.environ.get("DIASPORA_TEST_SECONDS") and runs_tests:
        config.pluginmanager.register(_TestCPU(), "diaspora-test-cpu")  # a worker, or a run in one process
    if controller and (several or os.environ.get("DIASPORA_TEST_SECONDS")):
        config.pluginmanager.register(_FileSeconds(), "diaspora-file-seconds")


def pytest_sessionfinish(session):
    recorder = session.config.pluginmanager.get_plugin("diaspora-file-seconds")
    target = os.environ.get("DIASPORA_TEST_SECONDS")
    if recorder is not None and target:
        Path(target).write_text(json.dumps(recorder.tests, indent=0, sort_keys=True), encoding="utf-8")
    if getattr(session.config, "cache", None) is None:
        return
    if recorder is not None and recorder.seconds:
        kept = session.config.cache.get(FILE_SECONDS, {})
        session.config.cache.set(FILE_SECONDS, {**kept, **{path: round(seconds, 2) for path, seconds
                                                           in recorder.seconds.items()}})


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    recorded = config.cache.get(FILE_SECONDS, {}) if getattr(config, "cache", None) is not None else {}
    if config.getvalue("dist") != "loadfile" or not recorded:
        return None
    from xdist.scheduler import LoadFileScheduling

    class SlowestFileFirst(LoadFileScheduling):
        def _assign_work_unit(self, node) -> None:
            # A file not yet recorded counts a tenth of a second a test.
            slowest = max(self.workqueue, key=lambda path: recorded.get(path, 0.1 * len(self.workqueue[path])))
            self.workqueue.move_to_end(slowest, last=False)
            super()._assign_work_unit(node)

    return SlowestFileFirst(config, log)


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


@pytest.fixture(scope="session")
def computed_app(tmp_path_factory):
    """The built-in case's app, built once per test session (once per process under pytest-xdist), on a data
    folder of its own and SQLite. The apps that tests build on the built-in case for a module or a test start
    from its computed analysis and pages (``create_app(computed_by=...)``) rather than computing them again
    (about a second each); what each app keeps of its own (data folder, stores, tokens, caches) stays its own.
    """
    from diaspora_observatory.web.app import create_app

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
        app = create_app(data_dir=tmp_path_factory.mktemp("computed-data"))
    yield app
    app.state.web.survey_store.close()


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
