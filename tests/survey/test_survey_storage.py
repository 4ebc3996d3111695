"""Storage on SQLite and PostgreSQL: migrations, once-only submissions, closing, deleting, durability."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from diaspora_observatory.survey.default import default_form
from diaspora_observatory.survey.errors import SubmissionConflict, SurveyClosed, SurveyNotFound
from diaspora_observatory.survey.storage import MIGRATIONS, SurveyStore


def test_migrations_are_recorded_and_idempotent(store, database_url):
    assert store.schema_version() == len(MIGRATIONS)
    again = SurveyStore(database_url)
    assert again.migrate() == len(MIGRATIONS)
    with again.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM survey_schema")).scalar() == len(MIGRATIONS)
    again.close()


def test_no_column_can_hold_client_data(store):
    columns = {column["name"] for column in inspect(store.engine).get_columns("submissions")}
    # snapshot: the number of the published snapshot holding the answer (see test_survey_disclosure.py)
    assert columns == {"id", "survey_slug", "submission_id", "answers", "answers_hash", "received_on", "origin",
                       "snapshot"}
    received = {column["name"]: column for column in inspect(store.engine).get_columns("submissions")}["received_on"]
    assert str(received["type"]) == "DATE"  # the date at most, never a time


def test_submit_once_replay_and_conflict(store):
    answers = {"home_language": "mainly_kazakh", "identity_news": "4"}
    assert store.submit("kz", "sub-00000001", answers).created is True
    assert store.submit("kz", "sub-00000001", dict(reversed(list(answers.items())))).created is False
    with pytest.raises(SubmissionConflict, match="already received with other answers"):
        store.submit("kz", "sub-00000001", {**answers, "identity_news": "5"})
    assert store.count("kz") == 1
    assert store.responses("kz")[0]["answers"] == answers


def test_closed_survey_refuses_and_keeps_answers(store):
    store.submit("kz", "sub-00000002", {"gender": "male"})
    store.set_status("kz", "closed")
    with pytest.raises(SurveyClosed):
        store.submit("kz", "sub-00000003", {"gender": "male"})
    assert store.count("kz") == 1
    assert store.list_surveys()[0]["status"] == "closed"


def test_delete_removes_survey_and_answers(store):
    store.add_survey("other", default_form())
    store.submit("other", "sub-00000004", {"gender": "male"})
    store.submit("kz", "sub-00000005", {"gender": "male"})
    assert store.delete_survey("other") == 1
    with pytest.raises(SurveyNotFound):
        store.get_survey("other")
    assert store.count("kz") == 1


def test_unknown_survey(store):
    with pytest.raises(SurveyNotFound, match="no survey 'nope'"):
        store.submit("nope", "sub-00000006", {})


def test_sqlite_is_durable_on_every_commit(tmp_path):
    opened = SurveyStore(f"sqlite:///{tmp_path / 's.sqlite3'}")
    with opened.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    opened.close()


def test_group_commit_sorts_replays_conflicts_and_closed_surveys(database_url):
    from concurrent.futures import ThreadPoolExecutor

    grouped = SurveyStore(database_url, group_commit=True)
    grouped.add_survey("kz", default_form())
    grouped.add_survey("shut", default_form())
    grouped.set_status("shut", "closed")

    def send(number: int):
        submission_id = f"group-{number % 40:04d}"  # every id sent about five times, once with other answers
        answers = {"identity_news": "1" if number == 7 else "4"}
        try:
            return grouped.submit("kz", submission_id, answers).created
        except SubmissionConflict:
            return "conflict"

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(send, range(200)))
    assert outcomes.count(True) == 40 and outcomes.count("conflict") + outcomes.count(False) == 160
    assert grouped.count("kz") == 40
    stored = {row["submission_id"]: row["answers"] for row in grouped.responses("kz")}
    assert outcomes.count("conflict") == (1 if stored["group-0007"] == {"identity_news": "4"} else 4)
    with pytest.raises(SurveyClosed):
        grouped.submit("shut", "group-closed-1", {})
    with pytest.raises(SurveyNotFound):
        grouped.submit("gone", "group-gone-01", {})
    grouped.close()



def test_group_commit_waits_for_another_writer_then_stores(tmp_path):
    """While another connection (another process, an import) holds SQLite's write lock, the writer thread
    waits for it (BEGIN IMMEDIATE under the busy timeout) and then stores; nothing is refused or lost."""
    import sqlite3
    import time

    path = tmp_path / "s.sqlite3"
    grouped = SurveyStore(f"sqlite:///{path}", group_commit=True)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        grouped.add_survey("kz", default_form())
        other.execute("BEGIN IMMEDIATE")
        future = grouped.submit_later("kz", "blocked-0001", {"gender": "male"})
        time.sleep(0.3)
        assert not future.done()  # waiting for the lock, not failed
        other.execute("COMMIT")
        receipt = future.result(timeout=20)
        assert receipt.submission_id == "blocked-0001" and receipt.created
        assert grouped.count("kz") == 1
    finally:
        other.close()
        grouped.close()


@pytest.mark.postgres
def test_plain_postgresql_url_means_the_psycopg_driver():
    from survey_helpers import POSTGRES_URL, reset_postgres

    if not POSTGRES_URL:
        pytest.skip("DIASPORA_TEST_POSTGRES_URL is not set (CI's .ci/run starts a PostgreSQL server)")
    reset_postgres(POSTGRES_URL)
    plain = SurveyStore(POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://"))
    try:
        assert plain.url.startswith("postgresql+psycopg://") and plain.schema_version() == len(MIGRATIONS)
    finally:
        plain.close()
