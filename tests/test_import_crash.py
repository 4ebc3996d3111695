"""A killed import leaves the case valid, and either unchanged or fully updated (issue 12 item 7).

A real ``diaspora import`` process stores the shared UN DESA extract (8,413 rows, every origin) as a new
resource of a copy of the built-in case, changing four files at once: the resource's CSV, its provenance
sidecar, ``datapackage.json`` and ``sources.csv``. The test waits until the process starts writing (its
first temporary file appears), SIGKILLs it after a random delay, then runs ``diaspora check`` and compares
the checksum of every file of the case with the states before and after an uninterrupted import.

So that random moments fall on every step (staging each file, the journal's rename, each rename), the child
sleeps 2 ms before each ``os.fsync`` and ``os.replace`` (fault injection in the test's wrapper only; the
import code runs unchanged). A few runs are killed with no delay at all.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import diaspora_observatory
from diaspora_observatory.case.package import EMBEDDED_CASES
from diaspora_observatory.case.transaction import JOURNAL, TEMP_SUFFIX
from diaspora_observatory.cli import main

ROOT = Path(__file__).resolve().parents[1]
UNDESA = ROOT.parent / "shared" / "data" / "undesa-ims-2024-bilateral-iso2.csv"
RESOURCE = "birthplace_stock_all"
RUNS = 30
TIME_LIMIT_S = 90  # on a busy machine fewer runs are made, never fewer than MIN_RUNS
MIN_RUNS = 12
POLL_S = 0.0002  # how often the parent looks for the child's first temporary file (a shared machine: no busy loop)
SLOWED_CHILD = """
import os, sys, time
real_fsync, real_replace = os.fsync, os.replace
def fsync(fd):
    time.sleep(0.002)
    return real_fsync(fd)
def replace(src, dst, **kw):
    time.sleep(0.002)
    return real_replace(src, dst, **kw)
if os.environ.get("SLOW_WRITES") == "1":
    os.fsync, os.replace = fsync, replace
from diaspora_observatory.cli import main
sys.argv = ["diaspora", *sys.argv[1:]]
main()
"""


def checksums(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def writing_started(folder: Path) -> bool:
    """A temporary file or the journal (an atomic write), or the new resource itself (a write in place)."""
    return (folder / JOURNAL).exists() or (folder / "data" / f"{RESOURCE}.csv").exists() or any(
        name.endswith(TEMP_SUFFIX) for sub in (folder, folder / "data") for name in os.listdir(sub))


def start_import(folder: Path, *, slow: bool, errors) -> subprocess.Popen:
    # the child runs the same source tree as this test (the worktree's src, first on PYTHONPATH)
    source = Path(diaspora_observatory.__file__).resolve().parents[1]
    env = {**os.environ, "SLOW_WRITES": "1" if slow else "0", "PYTHONPATH": os.pathsep.join(
        [str(source), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-c", SLOWED_CHILD, "import", "undesa", str(UNDESA), "--case",
                             str(folder), "--resource", RESOURCE, "--source-id", "undesa-ims-2024-all"],
                            env=env, stdout=subprocess.DEVNULL, stderr=errors)


@pytest.mark.slow  # 30 real import processes killed in turn: a minute on a quiet machine
@pytest.mark.skipif(not UNDESA.is_file(), reason="the shared UN DESA extract is not beside the checkout")
def test_an_import_killed_while_writing_leaves_the_case_before_or_after(tmp_path):
    pristine = tmp_path / "pristine"
    shutil.copytree(EMBEDDED_CASES / "kazakh-central-asia", pristine)
    before = checksums(pristine)
    folder = tmp_path / "case"
    shutil.copytree(pristine, folder)
    errors_path = tmp_path / "stderr.txt"
    with errors_path.open("wb") as errors:
        kill_imports(tmp_path, pristine, before, folder, errors, errors_path)


def kill_imports(tmp_path: Path, pristine: Path, before: dict, folder: Path, errors, errors_path: Path) -> None:
    finished = start_import(folder, slow=True, errors=errors)
    seen = None
    while finished.poll() is None:
        if seen is None and writing_started(folder):
            seen = time.monotonic()
        time.sleep(POLL_S)
    write_phase_s = time.monotonic() - seen if seen else 0.05
    errors.flush()
    assert finished.returncode == 0, errors_path.read_text(encoding="utf-8")
    after = checksums(folder)
    changed = {name for name in after if before.get(name) != after[name]}
    assert changed == {"datapackage.json", "data/sources.csv", f"data/{RESOURCE}.csv",
                       f"data/{RESOURCE}.csv.provenance.json"}

    rng = random.Random(20261201)
    outcomes = {"before": 0, "after": 0}
    interrupted = 0  # kills that left a journal or temporary files: the case was caught mid-write
    started = time.monotonic()
    runs = 0
    while runs < RUNS and (time.monotonic() - started < TIME_LIMIT_S or runs < MIN_RUNS):
        shutil.rmtree(folder)
        shutil.copytree(pristine, folder)
        process = start_import(folder, slow=runs % 5 != 4, errors=errors)
        while process.poll() is None and not writing_started(folder):
            time.sleep(POLL_S)
        delay = 0.0 if runs % 5 == 4 else rng.uniform(0, write_phase_s)
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and process.poll() is None:
            pass
        process.send_signal(signal.SIGKILL)
        process.wait()
        interrupted += writing_started(folder)
        check = CliRunner().invoke(main, ["check", "--case", str(folder)])
        assert check.exit_code == 0, (runs, delay, check.output)
        assert "Data: no errors" in check.output
        state = checksums(folder)
        assert state in (before, after), (runs, delay, {n for n in set(state) | set(before)
                                                        if state.get(n) not in (before.get(n), after.get(n))})
        outcomes["before" if state == before else "after"] += 1
        runs += 1
    assert runs >= MIN_RUNS
    assert interrupted > 0, "no kill came during the write phase: the test did not test anything"
    print(f"{runs} killed imports: {outcomes['before']} left the case as before, {outcomes['after']} as after; "
          f"{interrupted} were caught mid-write (write phase {write_phase_s * 1000:.0f} ms)")
