"""The shortcuts a cold report takes (issue 15 item 3) give what the longer ways gave: the cells' type
checks without the ABC, Babel's numbers with the locale and pattern parsed once, a table row's HTML in
one call instead of the template's loop, the case's memo handing out shallow copies under pandas' copy
on write, the CLI's report leaving the cycle collector as it found it; the package's digest from each
file's kept SHA-256 (and hashed again when the file changed), the sections computed in a forked process,
and the report command ending without the interpreter's finalization."""

from __future__ import annotations

import gc
import hashlib
import json
import math
import numbers
import os
import subprocess
import sys
import threading
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd
import pytest
from babel.numbers import format_decimal
from babel.numbers import format_percent as babel_percent
from click.testing import CliRunner

from diaspora_observatory.case.package import load_case
from diaspora_observatory.cli import main
from diaspora_observatory.presentation import numbers as presentation_numbers
from diaspora_observatory.presentation.cells import is_number
from diaspora_observatory.report import section_cache
from diaspora_observatory.report.cells import cell_html, row_html
from diaspora_observatory.report.section_cache import report_contents
from diaspora_observatory.report.sections import BUILDERS, READS_THE_STORE
from diaspora_observatory.report.writer import Writer

VALUES = [0.0, -0.0, 1.5, float("nan"), float("inf"), -float("inf"), 0, 7, -3, True, False, "", "7", "nan", None,
          np.float64("nan"), np.float64(2.5), np.int64(4), np.bool_(True), pd.NA, Decimal("1.5"), Decimal("NaN"),
          Fraction(1, 3), [1], {"a": 1}, object()]


def _missing_by_abc(value: object) -> bool:
    if value is None:
        return True
    try:
        return isinstance(value, numbers.Real) and math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def value_id(value) -> str:
    """A test id the same in every process (pytest-xdist compares them): a bare object's repr holds its address."""
    return "object()" if type(value) is object else repr(value)


@pytest.mark.parametrize("value", VALUES, ids=value_id)
def test_missing_and_number_checks_agree_with_the_abc(value):
    assert presentation_numbers._is_missing(value) is _missing_by_abc(value)
    assert is_number(value) is (isinstance(value, numbers.Real) and not isinstance(value, bool)
                                and not _missing_by_abc(value))


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_numbers_are_babels_own(language):
    for value in [0.0, 1234567.891, -978400.0, 0.000123, 12.5, 99.9997, 2.04, 1e-7, 123456789012.0]:
        for pattern in ["#,##0", "#,##0.0", "#,##0.000", "#,##0.###", "#,##0.##"]:
            presentation_numbers._written.cache_clear()
            assert presentation_numbers._written(value, pattern, language) == format_decimal(
                value, format=pattern, locale=language, decimal_quantization=True)
        for decimals in range(4):
            pattern = presentation_numbers._percent_pattern(language, decimals)
            number = round(value, decimals) / 100
            assert presentation_numbers.format_percent(value, language, decimals=decimals) == babel_percent(
                number, format=pattern, locale=language, decimal_quantization=True)


# The loop the report's table template ran over a row's cells before row_html.
CELL_LOOP = jinja2.Environment(autoescape=True).from_string(
    "{% for item in row %}<td{% if item.css %} class=\"{{ item.css }}\"{% endif %}"
    "{% if item.code and item.css != 'country' %} title=\"{{ item.code }}\"{% endif %}>{{ cell_html(item) }}</td>"
    "{% endfor %}")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_rows_html_is_the_template_loops(case, language, tmp_path, monkeypatch):
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(tmp_path))
    writer = Writer(case, language)
    _, _, views = report_contents(case, writer)
    rows = [row for view in views.values() for table in [view.compact, *(t for _, t in view.summaries),
                                                         *(a.view for a in view.appendix)]
            if table is not None for row in table.rows]
    assert len(rows) > 300
    assert any(item.code and item.css == "country" for row in rows for item in row)
    assert any(item.code and item.css != "country" for row in rows for item in row)
    for row in rows:
        assert row_html(row, writer.marked) == CELL_LOOP.render(
            row=row, cell_html=lambda item: cell_html(item, writer.marked))


def test_the_memo_hands_out_copies_whose_edits_stay_theirs():
    case = load_case()
    first = case.table("population")
    before = first.copy(deep=True)
    first.loc[first.index[0], "population"] = -1
    first["group"] = "edited"
    first.columns = [f"renamed_{column}" for column in first.columns]
    again = case.table("population")
    pd.testing.assert_frame_equal(again, before)
    series = case.memo(("a series",), lambda: pd.Series([1.0, 2.0]))
    series.iloc[0] = 9.0
    assert case.memo(("a series",), lambda: None).tolist() == [1.0, 2.0]


def test_the_report_command_leaves_the_collector_on(tmp_path, monkeypatch):
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(tmp_path / "cache"))
    assert gc.isenabled()
    result = CliRunner().invoke(main, ["report", "--out", str(tmp_path / "report")])
    assert result.exit_code == 0, result.output
    assert gc.isenabled()


@pytest.mark.parametrize("value", VALUES, ids=value_id)
def test_format_value_writes_each_type_as_before(value):
    # the text for a value that is no real number, or the number's: as the ABC's check decided
    if not _missing_by_abc(value) and (isinstance(value, bool) or not isinstance(value, numbers.Real)):
        assert presentation_numbers.format_value(value) == str(value)
    else:
        assert presentation_numbers.format_value(value) == presentation_numbers.format_value(
            float(value) if not _missing_by_abc(value) else None)


# The package digest (section_cache._package_digest) with each file's SHA-256 kept by its stat signature.

def _digest_the_long_way(folder: Path) -> str:
    """Every file's SHA-256 read from its bytes, nothing kept."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).parts):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo"):
            data = path.read_bytes()
            digest.update(f"{path.relative_to(folder).as_posix()}\n{len(data)}\n"
                          f"{hashlib.sha256(data).hexdigest()}\n".encode())
    return digest.hexdigest()


@pytest.fixture
def package(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "package"
    (folder / "analysis" / "__pycache__").mkdir(parents=True)
    (folder / "report" / "locale" / "ru").mkdir(parents=True)
    (folder / "__init__.py").write_text("", encoding="utf-8")
    (folder / "analysis" / "flows.py").write_text("SLOPE = 1\n", encoding="utf-8")
    (folder / "analysis" / "__pycache__" / "flows.cpython-311.pyc").write_bytes(b"compiled")
    (folder / "report" / "locale" / "ru" / "messages.po").write_text('msgid "a"\nmsgstr "б"\n', encoding="utf-8")
    return folder


def digest(folder: Path) -> str:
    return section_cache._package_digest.__wrapped__(folder)


def kept_files(folder: Path) -> dict:
    return json.loads(section_cache._digests_path(folder).read_text(encoding="utf-8"))["files"]


def test_a_kept_file_digest_is_used_and_gives_the_long_ways_digest(package, monkeypatch):
    monkeypatch.setattr(section_cache, "RECENT_NS", -1)  # the files just written count as old enough
    assert digest(package) == _digest_the_long_way(package)
    assert sorted(kept_files(package)) == ["__init__.py", "analysis/flows.py", "report/locale/ru/messages.po"]
    read: list[str] = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda path, *a, **k: read.append(str(path)) or real_open(path, *a, **k))
    assert digest(package) == _digest_the_long_way(package)
    assert not [path for path in read if str(package) in path]  # no file of the package read again


def test_a_file_changed_in_place_with_its_size_and_times_put_back_is_hashed_again(package, monkeypatch):
    monkeypatch.setattr(section_cache, "RECENT_NS", -1)
    flows = package / "analysis" / "flows.py"
    first = digest(package)
    before = flows.stat()
    flows.write_text("SLOPE = 2\n", encoding="utf-8")  # the same size
    os.utime(flows, ns=(before.st_atime_ns, before.st_mtime_ns))  # the modification time set back
    assert flows.stat().st_size == before.st_size and flows.stat().st_mtime_ns == before.st_mtime_ns
    assert digest(package) == _digest_the_long_way(package) != first


def test_a_file_replaced_by_another_of_its_size_and_time_is_hashed_again(package, monkeypatch):
    monkeypatch.setattr(section_cache, "RECENT_NS", -1)
    po = package / "report" / "locale" / "ru" / "messages.po"
    first = digest(package)
    before = po.stat()
    other = package / "other.tmp"
    other.write_text('msgid "a"\nmsgstr "в"\n', encoding="utf-8")
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(other, po)
    assert digest(package) == _digest_the_long_way(package) != first


def test_a_file_changed_just_before_it_is_hashed_is_not_kept(package):
    # RECENT_NS as it is: every file of the fixture was written a moment ago
    assert digest(package) == _digest_the_long_way(package)
    assert not section_cache._digests_path(package).exists() or kept_files(package) == {}


@pytest.mark.parametrize("kept", ["not json", '{"folder": "elsewhere", "files": {}}', '[1, 2]',
                                  '{"folder": "%s", "files": {"__init__.py": [0, 0, 0, 0, 5]}}'])
def test_an_unusable_kept_digest_file_is_hashed_again(package, monkeypatch, kept):
    monkeypatch.setattr(section_cache, "RECENT_NS", -1)
    path = section_cache._digests_path(package)
    path.parent.mkdir(parents=True)
    path.write_text(kept.replace("%s", str(package)), encoding="utf-8")
    assert digest(package) == _digest_the_long_way(package)


# Sections computed in a forked process (section_cache._computed with parallel=True).

def _children_recorded(monkeypatch) -> list[int]:
    """Two cores seen (forked on a machine of one core as well), and the pid of each child started, in a list."""
    monkeypatch.setattr(section_cache, "_cores", lambda: {0, 1})
    pids: list[int] = []
    start = section_cache._Child.start
    monkeypatch.setattr(section_cache._Child, "start",
                        lambda *args: (child := start(*args)) is not None and pids.append(child.pid) or child)
    return pids


def _alone(request) -> bool:
    """True where this test's process has one thread, so that a child can be forked (section_cache forks
    none beside another thread). A process of the suite may not (a thread an earlier test left, waiting): then
    the test is run again in a pytest process of its own, its outcome asserted here, and False returned, on
    which the caller returns."""
    if threading.active_count() == 1:
        return True
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", request.node.nodeid],
                         cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return False

def test_sections_computed_in_a_child_process_are_those_computed_here(tmp_path, monkeypatch, request):
    if not _alone(request):
        return
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(tmp_path / "data"))
    forked = _children_recorded(monkeypatch)
    case = load_case()
    in_parallel = section_cache._computed(case, Writer(case, "en"), parallel=True)
    assert forked  # the child ran (no other thread in this test process)
    case = load_case()
    here = section_cache._computed(case, Writer(case, "en"), parallel=False)
    assert list(in_parallel[0]) == list(here[0]) == [name for name in BUILDERS if name not in READS_THE_STORE]
    assert _same(in_parallel, here)


def _same(left, right) -> bool:
    """The same sections (tables, texts, specs), key figures and views."""
    for name in left[0]:
        first, second = left[0][name], right[0][name]
        assert (first is None) == (second is None)
        if first is None:
            continue
        assert list(first.tables) == list(second.tables)
        for table in first.tables:
            pd.testing.assert_frame_equal(first.tables[table], second.tables[table])
        assert (first.paragraphs, first.figures, first.source_ids) == (second.paragraphs, second.figures,
                                                                     second.source_ids)
    assert left[1:] == right[1:]
    return True


def test_a_failed_child_leaves_its_sections_to_this_process(tmp_path, monkeypatch, request):
    if not _alone(request):
        return
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(tmp_path / "cache"))
    parent = os.getpid()
    projections = BUILDERS["projections"]
    assert "projections" in section_cache.FORKED

    def fails_in_the_child(case, writer):
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return projections(case, writer)

    monkeypatch.setitem(BUILDERS, "projections", fails_in_the_child)
    forked = _children_recorded(monkeypatch)
    case = load_case()
    in_parallel = section_cache._computed(case, Writer(case, "en"), parallel=True)
    assert forked
    case = load_case()
    assert _same(in_parallel, section_cache._computed(case, Writer(case, "en"), parallel=False))


def test_no_child_is_forked_while_another_thread_runs():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        case = load_case()
        assert section_cache._Child.start(case, Writer(case, "en"), ["projections"]) is None
    finally:
        stop.set()
        thread.join()


def test_no_child_is_forked_on_one_core(monkeypatch):
    monkeypatch.setattr(section_cache, "_cores", lambda: {0})
    case = load_case()
    assert section_cache._Child.start(case, Writer(case, "en"), ["projections"]) is None


def test_a_failure_here_ends_the_child(tmp_path, monkeypatch, request):
    if not _alone(request):
        return
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(tmp_path / "cache"))
    children = _children_recorded(monkeypatch)

    def fails(case, writer):
        raise RuntimeError("this process fails")

    assert "flows" not in section_cache.FORKED
    monkeypatch.setitem(BUILDERS, "flows", fails)
    case = load_case()
    with pytest.raises(RuntimeError, match="this process fails"):
        section_cache._computed(case, Writer(case, "en"), parallel=True)
    assert children
    with pytest.raises(ChildProcessError):  # already waited for: no child left behind
        os.waitpid(children[0], os.WNOHANG)


# The report command run as the program ends without the interpreter's finalization, its output flushed.

PROGRAM = ("import atexit, sys\n"
           "atexit.register(lambda: print('finalized', file=sys.stderr, flush=True))\n"
           "from diaspora_observatory.cli import main\n"
           "main()\n")


def _run(arguments: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DIASPORA_CACHE_DIR": str(tmp_path / "cache"),
                   "DIASPORA_DATA_DIR": str(tmp_path / "data"),
                   "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    return subprocess.run([sys.executable, "-c", PROGRAM, *arguments], capture_output=True, text=True,
                          env=environment, timeout=300)


def test_the_report_command_ends_at_once_with_its_output_written(tmp_path):
    done = _run(["report", "--out", str(tmp_path / "report")], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Report of kazakh-central-asia written to")  # flushed to the pipe
    assert "writing report.html and report.md" in done.stderr
    assert "finalized" not in done.stderr  # the exit handlers and finalization skipped
    assert (tmp_path / "report" / "report.html").stat().st_size > 100_000
    assert done.stdout.count("Report of") == 1  # the forked child printed nothing


def test_other_commands_and_failures_end_as_before(tmp_path):
    failed = _run(["report", "--case", str(tmp_path / "no-such-case"), "--out", str(tmp_path / "r")], tmp_path)
    assert failed.returncode != 0 and "finalized" in failed.stderr
    listed = _run(["--help"], tmp_path)
    assert listed.returncode == 0 and "finalized" in listed.stderr
