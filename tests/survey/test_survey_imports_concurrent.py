"""``survey import-responses`` while another writer stores one of the file's ids (issue 13, left over): the
batch that meets the id is read back and settled by the rules of submission.py, instead of the whole file
being refused. The same answers are already there (counted), other answers are refused naming file, row
and id; what the other writer stored is never lost or overwritten.

The other writer is real: a thread with its own store (its own engine and connections, as another
process has), on real SQLite and PostgreSQL databases. It is made deterministic by a hook at the moment
that matters: just before the import inserts the batch holding the id, after it looked up the survey, so
the database itself meets the stored id. On SQLite the import holds the database's one write lock from
its first batch on, so there the other writer stores the id before the first batch; a writer arriving
later waits for the import (the last test). On PostgreSQL another *import* holds no row of the file meanwhile
any more: it waits for this one (the survey's import lock, imports._hold_survey; two imports of the same ids in
other orders deadlocked, test_survey_imports_deadlock.py), then settles the ids by the same rules; the web
form's writer still stores an id meanwhile. The export is the KoboToolbox layout of test_survey_imports.KOBO
(documented there)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, text
from survey_helpers import POSTGRES_URL, reset_postgres
from test_survey_imports import KOBO
from test_survey_imports_batches import HEADER, export, uuid

from diaspora_observatory.survey import imports
from diaspora_observatory.survey.default import DEFAULT_SLUG, default_form
from diaspora_observatory.survey.errors import ResponsesImportError
from diaspora_observatory.survey.imports import import_responses
from diaspora_observatory.survey.storage import SurveyStore

FIRST_ROW = KOBO.splitlines()[1]


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(imports, "BATCH_ROWS", 4)


def in_thread(work):
    """Run ``work`` in a thread of its own and wait for it: what it stores is committed when this returns."""
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(work()))
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive() and len(outcome) == 1
    return outcome[0]


def waiting_on_import_lock(url: str) -> bool:
    """Whether a session of the PostgreSQL database ``url`` waits on an advisory lock (an import's)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return bool(connection.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                                "current_database() AND wait_event = 'advisory'")).scalar())
    finally:
        engine.dispose()


def writer_before_batch(monkeypatch, submission_id: str, work, later: list | None = None, url: str = ""):
    """Make ``work`` (the other writer) run just before the import inserts the batch holding ``submission_id``;
    return the list of rows each insert was given (to show which batch met it).

    With ``later`` (another import on PostgreSQL, which waits for this one), ``work`` is started then and
    left waiting on the import lock; its outcome is put in ``later`` once it ends (:func:`joined`)."""
    real = imports._store_new
    batches: list[list[str]] = []
    importing = threading.current_thread()

    def store_new(connection, rows):
        if threading.current_thread() is not importing:  # the other writer's own import
            return real(connection, rows)
        batches.append([row["submission_id"] for row in rows])
        if submission_id in batches[-1] and sum(submission_id in ids for ids in batches) == 1:
            if later is None:
                in_thread(work)
            else:
                thread = threading.Thread(target=lambda: later.append(outcome_of(work)))
                thread.start()
                later.append(thread)
                deadline = time.monotonic() + 60
                while not waiting_on_import_lock(url) and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert thread.is_alive() and waiting_on_import_lock(url), "the other import did not wait"
        return real(connection, rows)

    monkeypatch.setattr(imports, "_store_new", store_new)
    return batches


def outcome_of(work):
    try:
        return work()
    except Exception as error:  # noqa: BLE001 - the caller's assertions show it
        return error


def joined(later: list):
    """The outcome of the other import started by :func:`writer_before_batch`, once it ended."""
    thread = later[0]
    thread.join(timeout=60)
    assert not thread.is_alive() and len(later) == 2
    return later[1]


def other_import(url, tmp_path, number: int, comment: str = "Рахмет"):
    """Another import (its own store) of a file holding one row: answers ``comment``, id ``uuid(number)``."""
    def work():
        path = tmp_path / f"other-{number}.csv"
        path.write_text("\n".join([HEADER, FIRST_ROW.replace("5d0c2a7f0001", f"{number:012d}")
                                  .replace("Рахмет", comment)]) + "\n", encoding="utf-8")
        other = SurveyStore(url)
        try:
            return import_responses(other, DEFAULT_SLUG, path, "kobo")
        finally:
            other.close()
    return work


@pytest.fixture(params=[("sqlite", 2), pytest.param(("postgres", 2), marks=pytest.mark.postgres),
                        pytest.param(("postgres", 9), marks=pytest.mark.postgres)],
                ids=["sqlite-first-batch", "postgres-first-batch", "postgres-third-batch"])
def race(request, tmp_path, small_batches):
    """(store, its URL, n): a store holding the built-in survey and the id ``uuid(n)`` the other writer
    stores, on file row n + 2: in the first batch, or on PostgreSQL in the third (SQLite has one writer:
    from the import's first batch on, another waits for it)."""
    kind, number = request.param
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'survey.sqlite3'}"
    else:
        if not POSTGRES_URL:
            pytest.skip("DIASPORA_TEST_POSTGRES_URL is not set (CI's .ci/run starts a PostgreSQL server)")
        reset_postgres(POSTGRES_URL)
        url = POSTGRES_URL
    opened = SurveyStore(url)
    opened.add_survey(DEFAULT_SLUG, default_form())
    yield opened, url, number
    opened.close()


def test_the_same_answers_stored_meanwhile_are_counted_as_already_stored(race, tmp_path, monkeypatch):
    store, url, number = race
    path = tmp_path / "kobo.csv"
    path.write_text(export(25), encoding="utf-8")
    later = [] if url.startswith("postgresql") else None
    batches = writer_before_batch(monkeypatch, f"kobo-{uuid(number)}", other_import(url, tmp_path, number), later,
                                  url)
    told: list[tuple[int, int]] = []
    summary = import_responses(store, "kz", path, "kobo", progress=lambda done, total: told.append((done, total)))
    if later is None:  # SQLite: the other import stored the id first
        assert (summary.read, summary.stored, summary.already_stored, summary.replaced) == (25, 24, 1, 0)
    else:  # PostgreSQL: the other import waited for this one, then met the id stored
        assert (summary.read, summary.stored, summary.already_stored, summary.replaced) == (25, 25, 0, 0)
        other = joined(later)
        assert (other.read, other.stored, other.already_stored) == (1, 0, 1), other
    assert [f"kobo-{uuid(number)}" in ids for ids in batches] == [index == number // 4 for index in range(7)]
    assert told == [(4, 25), (8, 25), (12, 25), (16, 25), (20, 25), (24, 25), (25, 25)]
    stored = store.responses("kz")
    assert sorted(row["submission_id"] for row in stored) == sorted(f"kobo-{uuid(n)}" for n in range(25))
    assert len(stored) == 25 and {row["origin"] for row in stored} == {"import:kobo"}


def test_other_answers_stored_meanwhile_refuse_the_file_naming_row_and_id(race, tmp_path, monkeypatch):
    store, url, number = race
    path = tmp_path / "kobo.csv"
    path.write_text(export(25), encoding="utf-8")
    later = [] if url.startswith("postgresql") else None
    writer_before_batch(monkeypatch, f"kobo-{uuid(number)}", other_import(url, tmp_path, number, "Сау бол"), later,
                        url)
    if later is not None:  # PostgreSQL: this import stores its rows; the other, which waited, is refused
        assert import_responses(store, "kz", path, "kobo").stored == 25
        refused = joined(later)
        assert isinstance(refused, ResponsesImportError), refused
        assert refused.message == (f"other-{number}.csv row 2: submission {uuid(number)} was imported before "
                                   "with other answers; nothing was stored")
        assert {row["answers"]["comments"] for row in store.responses("kz")} == {"Рахмет"}
        assert store.count("kz") == 25
        return
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(store, "kz", path, "kobo")
    assert raised.value.message == (f"kobo.csv row {number + 2}: submission {uuid(number)} was imported before "
                                    "with other answers; nothing was stored")
    assert raised.value.hint == "if this file corrects the earlier one, import it again with --replace"
    stored = store.responses("kz")  # the other import's answer, kept as it stored it; none of this file's
    assert [(row["submission_id"], row["answers"]["comments"]) for row in stored] == [(f"kobo-{uuid(number)}",
                                                                                      "Сау бол")]


def test_an_answer_sent_on_the_web_meanwhile_is_never_replaced(race, tmp_path, monkeypatch):
    store, url, number = race
    path = tmp_path / "kobo.csv"
    path.write_text(export(25), encoding="utf-8")

    def web():
        other = SurveyStore(url)
        try:
            return other.submit("kz", f"kobo-{uuid(number)}", {"home_language": "mainly_russian"})
        finally:
            other.close()

    writer_before_batch(monkeypatch, f"kobo-{uuid(number)}", web)
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(store, "kz", path, "kobo", replace=True)
    assert raised.value.message == (f"kobo.csv row {number + 2}: submission {uuid(number)} was collected on the web "
                                    "with other answers; nothing was stored")
    assert [(row["origin"], row["answers"]) for row in store.responses("kz")] == [
        ("web", {"home_language": "mainly_russian"})]


def test_an_id_on_two_rows_of_different_batches_is_a_replay_or_a_conflict(store, tmp_path, small_batches):
    """Rule 3 across batches: the earlier row was stored by an earlier batch; its row is named."""
    rows = export(25).splitlines()
    twice = tmp_path / "twice.csv"
    twice.write_text("\n".join([*rows, rows[4].replace("Рахмет", "Рахмет!")]) + "\n", encoding="utf-8")
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(store, "kz", twice, "kobo", replace=True)
    assert raised.value.message == (f"twice.csv row 27: submission {uuid(3)} is also on row 5 with other answers; "
                                    "nothing was stored")
    assert raised.value.hint == "keep one row per submission"
    assert store.count("kz") == 0
    again = tmp_path / "again.csv"
    again.write_text("\n".join([*rows, rows[4]]) + "\n", encoding="utf-8")
    summary = import_responses(store, "kz", again, "kobo")
    assert (summary.read, summary.stored, summary.already_stored) == (26, 25, 1)
    assert store.count("kz") == 25


def test_a_submission_arriving_while_an_import_writes_is_stored_once(store, database_url, tmp_path, small_batches):
    """A web submission of one of the file's ids sent after the first batch is stored: on SQLite it waits for
    the import's commit, on PostgreSQL it waits for the row if the import inserted it first or is stored
    first. Either way the id is stored once and each side counts what happened to it."""
    path = tmp_path / "kobo.csv"
    path.write_text(export(25), encoding="utf-8")
    rows = imports.read_responses(store.get_survey("kz").form, path, "kobo")
    _row, _id, same_answers = next(rows)  # every row of export() holds the same answers
    rows.close()
    receipts: list = []
    started: list[threading.Thread] = []
    other = SurveyStore(database_url)

    def submit():
        try:
            receipts.append(other.submit("kz", f"kobo-{uuid(20)}", same_answers))
        except Exception as error:  # noqa: BLE001 - shown by the assertion below
            receipts.append(error)

    def between_batches(done, total):
        if done == 4:  # after the first batch: the import's transaction holds rows
            thread = threading.Thread(target=submit)
            thread.start()
            started.append(thread)

    try:
        summary = import_responses(store, "kz", path, "kobo", progress=between_batches)
        started[0].join(timeout=60)
        assert not started[0].is_alive()
    finally:
        other.close()
    assert len(receipts) == 1 and not isinstance(receipts[0], Exception), receipts
    assert (summary.stored, summary.already_stored) in ((25, 0), (24, 1))
    assert receipts[0].created == (summary.already_stored == 1)
    assert store.count("kz") == 25
