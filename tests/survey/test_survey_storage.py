"""Storage on SQLite and PostgreSQL: migrations, once-only submissions, closing, deleting, durability."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from sqlalchemy import MetaData, create_engine, inspect, text
from survey_helpers import VALID_ANSWERS

from diaspora_observatory import database
from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.survey import schema
from diaspora_observatory.survey.default import default_form
from diaspora_observatory.survey.errors import ResponsesImportError, SubmissionConflict, SurveyClosed, SurveyNotFound
from diaspora_observatory.survey.imports import import_responses
from diaspora_observatory.survey.schema import MIGRATIONS
from diaspora_observatory.survey.storage import SurveyStore
from diaspora_observatory.survey.submission import Receipt


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



@pytest.mark.parametrize("writers", [1, 4])
def test_batches_in_flight_store_every_acknowledged_submission_once(database_url, writers):
    """One and several writer threads (batches in flight; the committer runs one by default) and every id sent twice at
    the same moment, as a client's retry: each id is acknowledged as new exactly once, its repeat as a
    replay (or a conflict, when its answers differ), and stored exactly once, with the answers of the one
    acknowledged as new. Fails if a batch loses an acknowledged submission, stores one twice, or settles
    a submission it did not store as stored."""
    from concurrent.futures import ThreadPoolExecutor

    from diaspora_observatory.survey.groupcommit import GroupCommitter

    grouped = SurveyStore(database_url, group_commit=True)
    grouped._committer.close()  # the store's own writers, replaced by ``writers`` of them
    grouped._committer = GroupCommitter(grouped.engine, grouped.writing, grouped.submit_one, writers=writers)
    assert len(grouped._committer.threads) == writers
    grouped.add_survey("kz", default_form())
    ids = [f"inflight-{number:05d}" for number in range(300)]
    sends = [(submission_id, "4" if copy == 0 or number % 10 else "1")  # every tenth repeat differs: a conflict
             for number, submission_id in enumerate(ids) for copy in range(2)]

    def send(sent: tuple[str, str]):
        submission_id, news = sent
        try:
            receipt = grouped.submit("kz", submission_id, {"identity_news": news})
        except SubmissionConflict:
            return submission_id, news, "conflict"
        return submission_id, news, "new" if receipt.created else "replay"

    try:
        with ThreadPoolExecutor(48) as pool:
            outcomes = list(pool.map(send, sends))
        stored = grouped.responses("kz")
    finally:
        grouped.close()
    new = {submission_id: news for submission_id, news, outcome in outcomes if outcome == "new"}
    assert sorted(submission_id for submission_id, _news, outcome in outcomes if outcome == "new") == ids
    assert sum(outcome == "replay" for *_sent, outcome in outcomes) == 270
    assert sum(outcome == "conflict" for *_sent, outcome in outcomes) == 30
    assert sorted(row["submission_id"] for row in stored) == ids  # each once: none lost, none twice
    assert {row["submission_id"]: row["answers"]["identity_news"] for row in stored} == new


def test_one_batch_is_settled_by_what_the_database_stored(database_url):
    """One batch holding every case at once (rules 1-4 of submission.py): new answers, an open and a closed
    survey, a caller storing without the open check, a survey that is not there, the same id twice in the
    batch with the same and with other answers. Each is settled as the one-transaction path would, and only
    the new ones are stored."""
    from diaspora_observatory.survey import submission
    from diaspora_observatory.survey.groupcommit import GroupCommitter, _Writer

    store = SurveyStore(database_url)
    store.add_survey("kz", default_form())
    store.add_survey("shut", default_form())
    store.set_status("shut", "closed")
    committer = GroupCommitter(store.engine, store.writing, store.submit_one, writers=0)
    batch = [submission.pending("kz", "batch-0001", {"gender": "male"}, "web", True),
             submission.pending("shut", "batch-0002", {"gender": "male"}, "web", True),
             submission.pending("shut", "batch-0003", {"gender": "female"}, "cli", False),
             submission.pending("gone", "batch-0004", {}, "web", True),
             submission.pending("kz", "batch-0001", {"gender": "male"}, "web", True),
             submission.pending("kz", "batch-0001", {"gender": "female"}, "web", True),
             submission.pending("kz", "batch-0005", {"gender": "female"}, "web", True)]
    writer = _Writer(store.engine, autocommit=not store.is_sqlite)
    try:
        committer._commit(writer, batch)
        outcomes = [pending.future.exception() or pending.future.result() for pending in batch]
        stored = {(slug, row["submission_id"]) for slug in ("kz", "shut") for row in store.responses(slug)}
    finally:
        writer.disconnect()
        store.close()
    assert outcomes[0] == Receipt("batch-0001", True) and outcomes[6] == Receipt("batch-0005", True)
    assert isinstance(outcomes[1], SurveyClosed) and outcomes[2] == Receipt("batch-0003", True)
    assert isinstance(outcomes[3], SurveyNotFound)
    assert outcomes[4] == Receipt("batch-0001", False) and isinstance(outcomes[5], SubmissionConflict)
    assert stored == {("kz", "batch-0001"), ("shut", "batch-0003"), ("kz", "batch-0005")}


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


def survey_tables(engine) -> dict:
    """What the survey tables are made of, as the database reports it: columns (name, type, nullable,
    default), primary key, unique constraints, foreign keys (with their ON DELETE) and indexes."""
    inspector = inspect(engine)
    shapes = {}
    for table in ("surveys", "submissions"):
        shapes[table] = (
            [(column["name"], str(column["type"]), column["nullable"], column.get("default"))
             for column in inspector.get_columns(table)],
            inspector.get_pk_constraint(table)["constrained_columns"],
            sorted((unique["name"], tuple(unique["column_names"])) for unique in inspector.get_unique_constraints(table)),
            sorted((tuple(key["constrained_columns"]), key["referred_table"], tuple(key["referred_columns"]),
                    key["options"].get("ondelete")) for key in inspector.get_foreign_keys(table)),
            sorted((index["name"], tuple(index["column_names"]), bool(index["unique"]))
                   for index in inspector.get_indexes(table) if not index.get("duplicates_constraint")),
        )
    return shapes


def emptied(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in ("submissions", "surveys", "survey_schema"):
            connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    engine.dispose()


def test_the_frozen_steps_make_the_declared_tables(database_url):
    """A new database (steps 1-5, each frozen in schema.py) has exactly the tables schema.py declares."""
    engine = create_engine(database_url)
    schema.metadata.create_all(engine, tables=[schema.surveys, schema.submissions])
    declared = survey_tables(engine)
    engine.dispose()
    emptied(database_url)
    store = SurveyStore(database_url)
    assert survey_tables(store.engine) == declared
    assert [index[0] for index in declared["submissions"][4]] == ["submissions_by_snapshot"]
    store.close()


def pre_freeze_step_1(engine) -> None:
    """Step 1 as it ran before it was frozen: the tables created from the live declarations (which held the
    columns of step 2 but not the index of step 3), recorded as step 1 only."""
    old = MetaData()
    for table in (schema.surveys, schema.submissions):
        copy = table.to_metadata(old)
        copy.indexes.clear()
    schema.schema_table.to_metadata(old)
    old.create_all(engine)
    with engine.begin() as connection:  # the declarations then had no column of steps 4 and 5
        connection.execute(text("ALTER TABLE surveys DROP COLUMN snapshot_size"))
        connection.execute(text("ALTER TABLE surveys DROP COLUMN creation"))
    with engine.begin() as connection:
        connection.execute(schema.schema_table.insert().values(version=1, applied_on=dt.date(2026, 5, 4)))


def first_release_step_1(engine) -> None:
    """Step 1 of the first release (c053886): the two tables without step 2's columns, recorded as step 1."""
    schema.schema_table.to_metadata(MetaData()).create(engine)
    schema.MIGRATIONS[0](engine)
    with engine.begin() as connection:
        connection.execute(schema.schema_table.insert().values(version=1, applied_on=dt.date(2025, 11, 3)))


@pytest.mark.parametrize("old_step_1", [pre_freeze_step_1, first_release_step_1])
def test_a_database_made_by_an_old_step_1_migrates_to_the_current_schema_with_its_answers(database_url, old_step_1):
    emptied(database_url)
    fresh = SurveyStore(database_url)
    current = survey_tables(fresh.engine)
    fresh.close()
    emptied(database_url)
    engine = create_engine(database_url)
    old_step_1(engine)
    answers = '{"home_language":"mainly_kazakh"}'
    with engine.begin() as connection:  # only the columns step 1 made are named
        connection.execute(schema.surveys.insert().values(
            slug="kz", title="Survey", definition=json.dumps(default_form().as_dict()), status="open",
            created_on=dt.date(2025, 11, 3)))
        connection.execute(schema.submissions.insert().values(
            survey_slug="kz", submission_id="sub-00000001", answers=answers, origin="web",
            answers_hash=hashlib.sha256(answers.encode()).hexdigest(), received_on=dt.date(2025, 11, 4)))
    engine.dispose()
    migrated = SurveyStore(database_url)
    assert migrated.schema_version() == len(schema.MIGRATIONS) == 5
    assert survey_tables(migrated.engine) == current
    assert [row["answers"] for row in migrated.responses("kz")] == [{"home_language": "mainly_kazakh"}]
    # the answer stored before the migration is a replay, and the snapshot columns of step 2 work
    assert migrated.submit("kz", "sub-00000001", {"home_language": "mainly_kazakh"}).created is False
    assert migrated.snapshot_state("kz").pending == 1
    migrated.close()


def test_a_database_made_before_step_4_gets_each_snapshot_size_from_its_rows(database_url):
    """Steps 1-3 as released, two surveys with published snapshots and answers waiting; step 4 fills in
    each survey's size from its rows, and a snapshot taken afterwards adds what it marks."""
    emptied(database_url)
    engine = create_engine(database_url)
    database.migrate(engine, schema.schema_table, schema.MIGRATIONS[:3])
    rows = [("kz", "kz-1", 1), ("kz", "kz-2", 1), ("kz", "kz-3", 2), ("kz", "kz-4", None),
            ("other", "other-1", None)]
    with engine.begin() as connection:  # only the columns of steps 1-3 are named
        for slug, snapshot in (("kz", 2), ("other", None)):
            connection.execute(text("INSERT INTO surveys (slug, title, definition, status, created_on, snapshot, "
                                    "threshold) VALUES (:slug, 'Survey', :definition, 'open', :day, :snapshot, 10)"),
                               {"slug": slug, "definition": json.dumps(default_form().as_dict()),
                                "day": dt.date(2026, 11, 3), "snapshot": snapshot})
        for slug, submission_id, snapshot in rows:
            connection.execute(text("INSERT INTO submissions (survey_slug, submission_id, answers, answers_hash, "
                                    "received_on, origin, snapshot) VALUES (:slug, :id, '{}', 'h', :day, 'web', "
                                    ":snapshot)"),
                               {"slug": slug, "id": submission_id, "day": dt.date(2026, 11, 4), "snapshot": snapshot})
    engine.dispose()
    migrated = SurveyStore(database_url)
    assert migrated.schema_version() == 5
    kz, other = migrated.snapshot_state("kz"), migrated.snapshot_state("other")
    # snapshot 2 of kz holds the three answers of snapshots 1 and 2; the one waiting is not counted
    assert (kz.number, kz.size, kz.pending) == (2, 3, 1)
    assert (other.number, other.size, other.pending) == (0, 0, 1)
    assert kz.size == len(migrated.snapshot("kz").responses)
    for number in range(10):
        migrated.submit("kz", f"kz-new-{number}", {"home_language": "mainly_kazakh"})
    taken = migrated.snapshot_state("kz")  # 11 waiting, threshold 10: snapshot 3 takes them all
    assert (taken.number, taken.size, taken.pending) == (3, 14, 0)
    assert taken.size == len(migrated.snapshot("kz").responses)
    migrated.close()


# (survey status, check_open, submission id, answers sent after "kobo-sub-1" was stored with FIRST, what the
# store answers). The ids are what an import of a KoboToolbox row with the id "sub-1" stores, so that the
# import runs the same cases.
FIRST = VALID_ANSWERS
OTHER = {**VALID_ANSWERS, "home_language": "mainly_russian"}
CONFLICT = (SubmissionConflict, "submission kobo-sub-1 was already received with other answers",
            "send new answers with a new submission_id")
CLOSED = (SurveyClosed, "the survey 'kz' is closed", "it no longer accepts answers")
NOT_FOUND = (SurveyNotFound, "no survey 'gone'", "run `diaspora survey list` to see the surveys")
RULES = [
    ("open", True, "kobo-sub-2", FIRST, "created"),
    ("open", True, "kobo-sub-1", FIRST, "replay"),
    ("open", True, "kobo-sub-1", OTHER, CONFLICT),
    ("closed", True, "kobo-sub-2", FIRST, CLOSED),
    ("closed", True, "kobo-sub-1", FIRST, CLOSED),  # a closed survey refuses before it looks at the id
    ("closed", False, "kobo-sub-2", FIRST, "created"),  # an import of answers collected while it was open
    ("gone", True, "kobo-sub-2", FIRST, NOT_FOUND),
    ("gone", False, "kobo-sub-2", FIRST, NOT_FOUND),
    # without the check of rule 2 (how an import stores), rule 3 is the same on an open or a closed survey
    ("open", False, "kobo-sub-2", FIRST, "created"),
    ("open", False, "kobo-sub-1", FIRST, "replay"),
    ("open", False, "kobo-sub-1", OTHER, CONFLICT),
    ("closed", False, "kobo-sub-1", FIRST, "replay"),
    ("closed", False, "kobo-sub-1", OTHER, CONFLICT),
]
PATHS = ["one-transaction", "group-commit", "import"]


def through_import(store, slug, submission_id, answers, tmp_path):
    """Store ``answers`` as `diaspora survey import-responses` does: a KoboToolbox "XML values and headers"
    export (question names as headers, the id in ``_uuid``) of one row. Its outcome as the store's: a
    refusal is a ResponsesImportError naming the file and row, caused by the rule's own error."""
    header = [*answers, "_uuid"]
    export = tmp_path / "export.csv"
    export.write_text(",".join(header) + "\n" + ",".join([*answers.values(), submission_id.removeprefix("kobo-")])
                      + "\n", encoding="utf-8")
    try:
        summary = import_responses(store, slug, export, "kobo")
    except ResponsesImportError as error:
        assert error.message.startswith("export.csv row 2: ") and error.message.endswith("; nothing was stored")
        assert isinstance(error.__cause__, DiasporaError), error.message
        raise error.__cause__ from None
    assert (summary.read, summary.stored + summary.already_stored) == (1, 1)
    return Receipt(submission_id, summary.stored == 1)


@pytest.mark.parametrize("path", PATHS)
def test_the_three_ways_of_storing_follow_the_same_rules(database_url, tmp_path, path):
    """The rules of submission.py, the same table of cases through SurveyStore.submit_one (SQLAlchemy),
    through the group committer (the driver connection) and through the import of answers (which never
    checks that the survey is open: it runs the cases without that check)."""
    cases = [case for case in RULES if path != "import" or not case[1]]
    outcomes = []
    for status, check_open, submission_id, answers, _ in cases:
        emptied(database_url)
        store = SurveyStore(database_url, group_commit=path == "group-commit")
        store.add_survey("kz", default_form())
        store.submit("kz", "kobo-sub-1", FIRST)
        slug = "kz"
        if status == "closed":
            store.set_status("kz", "closed")
        elif status == "gone":
            slug = "gone"
        try:
            if path == "import":
                receipt = through_import(store, slug, submission_id, answers, tmp_path)
            else:
                receipt = store.submit(slug, submission_id, answers, check_open=check_open)
            outcomes.append("created" if receipt.created else "replay")
        except (SubmissionConflict, SurveyClosed, SurveyNotFound) as error:
            outcomes.append((type(error), error.message, error.hint))
        finally:
            store.close()
    assert outcomes == [expected for *_, expected in cases]
    assert len(cases) == (7 if path == "import" else 13)
