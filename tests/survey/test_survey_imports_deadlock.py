"""Two writers into one PostgreSQL survey store at the same moment never deadlock (issue of round 8).

Two ``diaspora survey import-responses`` processes given the same ids in opposite orders deadlocked: each
inserted its first rows, then waited for a row the other had inserted, and PostgreSQL ended one of them
("deadlock detected", told as "the database refused the import"). Now the second import waits for the
first (the survey's import lock, imports._hold_survey), says so, then counts the first one's rows as already
stored: both succeed, and every row is stored once.

The interleaving is forced, not hoped for: the test's own connection holds an uncommitted answer under the id
in the middle of both files, so each import stops on it; once both processes' sessions wait on a lock, the
test rolls it back. On the old code both had inserted their half by then, and met head on.

The second case is the results snapshot (storage.snapshot_state) against an import with ``--replace``
whose first batch was all stored already (so it rewrote answers without inserting any): the snapshot locked
the survey's row, waited for the rewritten answers, and the import's next insert waited for the survey's row.
The snapshot runs there while the import is held between its batches (a hook, as in
test_survey_imports_concurrent.py), on real PostgreSQL with two stores of their own."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from survey_helpers import POSTGRES_URL, reset_postgres
from test_survey_imports_batches import FIRST_ROW, HEADER, UUID, uuid

from diaspora_observatory.survey import imports
from diaspora_observatory.survey.default import DEFAULT_SLUG, default_form
from diaspora_observatory.survey.imports import import_responses
from diaspora_observatory.survey.storage import SurveyStore

pytestmark = pytest.mark.postgres
REPO = Path(__file__).resolve().parents[2]
ROWS = 40


@pytest.fixture
def postgres(tmp_path):
    if not POSTGRES_URL:
        pytest.skip("DIASPORA_TEST_POSTGRES_URL is not set (CI's .ci/run starts a PostgreSQL server)")
    reset_postgres(POSTGRES_URL)
    store = SurveyStore(POSTGRES_URL)
    store.add_survey(DEFAULT_SLUG, default_form())
    engine = create_engine(POSTGRES_URL)
    yield store, engine
    engine.dispose()
    store.close()


def rows(numbers, comment: str = "Рахмет") -> str:
    lines = [FIRST_ROW.replace(UUID, uuid(number)).replace("Рахмет", comment) for number in numbers]
    return "\n".join([HEADER, *lines]) + "\n"


def start_import(path: Path, data_dir: Path) -> subprocess.Popen:
    environment = {**os.environ, "PYTHONPATH": str(REPO / "src"), "DIASPORA_DATABASE_URL": POSTGRES_URL or ""}
    return subprocess.Popen([sys.executable, "-c", "from diaspora_observatory.cli import main; main()", "survey",
                             "import-responses", DEFAULT_SLUG, str(path), "--format", "kobo", "--data-dir",
                             str(data_dir)], env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def sessions_waiting(engine, own_pid: int) -> list[tuple[int, str]]:
    """(pid, wait event) of the sessions of this database, but ``own_pid``, that wait on a lock."""
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(
            "SELECT pid, wait_event FROM pg_stat_activity WHERE datname = current_database() AND pid <> :own "
            "AND wait_event_type = 'Lock'"), {"own": own_pid})]


def wait_for(condition, what: str, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_two_imports_of_the_same_ids_in_opposite_orders_both_succeed(postgres, tmp_path):
    store, engine = postgres
    forward, backward = tmp_path / "forward.csv", tmp_path / "backward.csv"
    forward.write_text(rows(range(ROWS)), encoding="utf-8")
    backward.write_text(rows(reversed(range(ROWS))), encoding="utf-8")
    middle = f"kobo-{uuid(ROWS // 2)}"
    holder = engine.connect()
    processes: list[subprocess.Popen] = []
    try:
        transaction = holder.begin()
        holder.execute(text("INSERT INTO submissions (survey_slug, submission_id, answers, answers_hash, received_on, "
                            "origin) VALUES ('kz', :id, '{}', 'held', CURRENT_DATE, 'test')"), {"id": middle})
        own = holder.execute(text("SELECT pg_backend_pid()")).scalar_one()
        processes = [start_import(forward, tmp_path), start_import(backward, tmp_path)]
        # Both imports stopped on a lock: on the old code both on the held row, each with its half inserted;
        # now the first on the held row, the second on the survey's import lock before writing anything.
        waiting = wait_for(lambda: len(found := sessions_waiting(engine, own)) == 2 and found,
                           "both imports to wait on a lock")
        transaction.rollback()
        outputs = [process.communicate(timeout=120) for process in processes]
    finally:
        holder.close()
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    codes = [process.returncode for process in processes]
    assert codes == [0, 0], (codes, outputs)
    summaries = sorted(out.splitlines()[0].split(": ", 1)[1] for out, _err in outputs)
    assert summaries == [f"{ROWS} rows read: 0 new, {ROWS} already stored", f"{ROWS} rows read: {ROWS} new, 0 already "
                                                                               "stored"], outputs
    told = [err for _out, err in outputs if "another import into survey 'kz' is running: waiting" in err]
    assert len(told) == 1, outputs
    assert sorted(event for _pid, event in waiting) == ["advisory", "transactionid"]
    stored = store.responses("kz")
    assert sorted(row["submission_id"] for row in stored) == sorted(f"kobo-{uuid(n)}" for n in range(ROWS))
    assert {row["origin"] for row in stored} == {"import:kobo"}


def test_a_snapshot_taken_while_a_replacing_import_runs_waits_for_it(postgres, tmp_path, monkeypatch):
    store, engine = postgres
    monkeypatch.setattr(imports, "BATCH_ROWS", 20)
    earlier = tmp_path / "earlier.csv"
    earlier.write_text(rows(range(20)), encoding="utf-8")
    assert import_responses(store, "kz", earlier, "kobo").stored == 20  # pending: not in a snapshot yet
    corrected = tmp_path / "corrected.csv"  # the same 20 ids corrected (its first batch), then 20 new ids
    corrected.write_text(rows(range(40), comment="Рахмет!"), encoding="utf-8")
    importing = threading.current_thread()
    real = imports._store_new
    outcome: list = []
    with engine.connect() as own:
        own_pid = own.execute(text("SELECT pg_backend_pid()")).scalar_one()

    def take_snapshot():
        other = SurveyStore(POSTGRES_URL or "")
        try:
            outcome.append(other.snapshot_state("kz"))
        except Exception as error:  # noqa: BLE001 - shown by the assertion below
            outcome.append(error)
        finally:
            other.close()

    snapshot = threading.Thread(target=take_snapshot)

    def store_new(connection, batch):
        if threading.current_thread() is importing and batch[0]["submission_id"] == f"kobo-{uuid(20)}":
            # The first batch's answers are replaced (uncommitted); the results page asks for a snapshot now,
            # and waits on a lock (the old code: on those answers, holding the survey's row; now: on the row).
            snapshot.start()
            wait_for(lambda: sessions_waiting(engine, own_pid), "the snapshot to wait on a lock")
        return real(connection, batch)

    monkeypatch.setattr(imports, "_store_new", store_new)
    summary = import_responses(store, "kz", corrected, "kobo", replace=True)
    snapshot.join(timeout=60)
    assert not snapshot.is_alive()
    assert (summary.stored, summary.replaced, summary.already_stored) == (20, 20, 0)
    assert len(outcome) == 1 and not isinstance(outcome[0], Exception), outcome
    assert (outcome[0].number, outcome[0].size, outcome[0].pending) == (1, 40, 0)  # taken after the import
    assert {row["answers"]["comments"] for row in store.snapshot("kz").responses} == {"Рахмет!"}


def test_an_import_that_another_writer_meets_head_on_says_to_import_again(postgres, tmp_path):
    """What the lock cannot rule out (a writer that is not an import, as the web's group commit storing several
    answers in one transaction, with ids of the file in another order) still ends one of them: when it is the
    import, it says so and what to do, and nothing of it is stored. The other writer here is the test's own
    connection, which waits longer before looking for a deadlock, so that PostgreSQL ends the import."""
    store, engine = postgres
    forward = tmp_path / "forward.csv"
    forward.write_text(rows(range(ROWS)), encoding="utf-8")
    holder = engine.connect()
    process = None
    try:
        transaction = holder.begin()
        holder.execute(text("SET LOCAL deadlock_timeout = '60s'"))
        insert = text("INSERT INTO submissions (survey_slug, submission_id, answers, answers_hash, received_on, "
                      "origin) VALUES ('kz', :id, '{}', 'held', CURRENT_DATE, 'test')")
        holder.execute(insert, {"id": f"kobo-{uuid(ROWS // 2)}"})
        own = holder.execute(text("SELECT pg_backend_pid()")).scalar_one()
        process = start_import(forward, tmp_path)
        wait_for(lambda: sessions_waiting(engine, own), "the import to wait on the held row")
        holder.execute(insert, {"id": f"kobo-{uuid(0)}"})  # waits for the import, which is ended
        _out, err = process.communicate(timeout=120)
        transaction.rollback()
    finally:
        holder.close()
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 2, err
    assert err.splitlines()[-2:] == [
        "Error: forward.csv: another writer was storing some of the same submissions at the same moment, and the "
        "database stopped this import so that the other could finish; nothing was stored",
        "Hint: import the file again: what the other writer stored is kept, and counted as already stored"]
    assert store.count("kz") == 0
