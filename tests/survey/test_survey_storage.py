"""Storage on SQLite and PostgreSQL: migrations, once-only submissions, closing, deleting, durability."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import inspect, text

from diaspora_observatory.survey.default import default_form
from diaspora_observatory.survey.errors import SubmissionConflict, SurveyClosed, SurveyNotFound
from diaspora_observatory.survey.storage import MIGRATIONS, Receipt, SurveyStore


def test_migrations_are_recorded_and_idempotent(store, database_url):
    assert store.schema_version() == len(MIGRATIONS)
    again = SurveyStore(database_url)
    assert again.migrate() == len(MIGRATIONS)
    with again.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM survey_schema")).scalar() == len(MIGRATIONS)
    again.close()


def test_no_column_can_hold_client_data(store):
    columns = {column["name"] for column in inspect(store.engine).get_columns("submissions")}
    assert columns == {"id", "survey_slug", "submission_id", "answers", "answers_hash", "received_on", "origin"}
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


def test_store_now_stores_at_once_with_the_same_rules(tmp_path):
    """The inline path of a lone submission (SQLite): same outcomes as the writer thread's."""
    grouped = SurveyStore(f"sqlite:///{tmp_path / 's.sqlite3'}", group_commit=True)
    try:
        grouped.add_survey("kz", default_form())
        grouped.add_survey("shut", default_form())
        grouped.set_status("shut", "closed")
        assert grouped.submit_now("kz", "inline-0001", {"gender": "male"}) == Receipt("inline-0001", True)
        assert grouped.submit_now("kz", "inline-0001", {"gender": "male"}) == Receipt("inline-0001", False)
        with pytest.raises(SubmissionConflict):
            grouped.submit_now("kz", "inline-0001", {"gender": "female"})
        with pytest.raises(SurveyClosed):
            grouped.submit_now("shut", "inline-0002", {})
        with pytest.raises(SurveyNotFound):
            grouped.submit_now("gone", "inline-0003", {})
        # The writer thread and the inline path share the rules and the unique key.
        assert grouped.submit("kz", "inline-0001", {"gender": "male"}).created is False
        assert grouped.count("kz") == 1 and grouped.count("shut") == 0
    finally:
        grouped.close()


def test_store_now_never_waits_for_another_writer(tmp_path):
    """While another connection (another process, an import) holds SQLite's write lock, the inline path
    declines at once instead of blocking the event loop; the queued path then waits and stores."""
    import sqlite3
    import threading

    path = tmp_path / "s.sqlite3"
    grouped = SurveyStore(f"sqlite:///{path}", group_commit=True)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        grouped.add_survey("kz", default_form())
        other.execute("BEGIN IMMEDIATE")
        begin = time.perf_counter()
        assert grouped.submit_now("kz", "blocked-0001", {"gender": "male"}) is None
        assert time.perf_counter() - begin < 1.0
        future = grouped.submit_later("kz", "blocked-0001", {"gender": "male"})
        threading.Timer(0.3, lambda: other.execute("COMMIT")).start()
        assert future.result(timeout=20) == Receipt("blocked-0001", True)
        assert grouped.count("kz") == 1
    finally:
        other.close()
        grouped.close()


def test_store_now_is_sqlite_only(database_url, store):
    """PostgreSQL always goes through the writer thread (a commit there is a network round trip, and a
    lock wait could stall the event loop); a store without group commit has no inline path."""
    grouped = SurveyStore(database_url, group_commit=True)
    try:
        receipt = grouped.submit_now("kz", "maybe-0001", {"gender": "male"})
        assert (receipt is not None) == database_url.startswith("sqlite")
    finally:
        grouped.close()
    with pytest.raises(RuntimeError, match="group_commit=True"):
        store.submit_now("kz", "plain-0001", {})
