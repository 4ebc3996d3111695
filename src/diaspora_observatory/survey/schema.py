"""The survey database's tables and the frozen, named steps that build them (recorded in ``survey_schema``).

The tables below are what today's code reads and writes; the steps are how a database of any earlier
version reaches them, applied by the observatory's one migration runner (``database.py``). A released step
is frozen: it holds its own SQL, written as it ran when released, and never follows the declared tables, so
a database made by step 1 in 2025 and one made today go through the same statements. A change of schema is
a new step at the end. tests/test_database.py checks that the steps build exactly the declared tables, and
that a database made by each older version's step 1 reaches them, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    text,
)

from diaspora_observatory import database

metadata = MetaData()
schema_table = database.schema_table(metadata, "survey_schema")
surveys = Table(
    "surveys", metadata,
    Column("slug", String(64), primary_key=True),
    Column("title", Text, nullable=False),
    Column("definition", Text, nullable=False),  # the Form as JSON
    Column("status", String(16), nullable=False, default="open"),
    Column("created_on", Date, nullable=False),
    # Added by step 2: the survey's disclosure threshold (NULL: the default), when its results are
    # published ("batch" or "close"), and its current snapshot (number and day taken).
    Column("threshold", Integer, nullable=True),
    Column("publish", String(8), nullable=True),
    Column("snapshot", Integer, nullable=True),
    Column("snapshot_on", Date, nullable=True),
    # Step 4: how many answers the current snapshot holds, set in the transaction that takes it, so that the
    # results page reads it instead of counting the snapshot's answers on every view.
    Column("snapshot_size", Integer, nullable=False, server_default=text("0")),
    # Step 5: which creation of the slug this is (a random id given when the survey is added, kept when its
    # form is replaced; NULL for a survey added before the step).
    Column("creation", String(32), nullable=True),
)
submissions = Table(
    "submissions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("survey_slug", String(64), ForeignKey("surveys.slug", ondelete="CASCADE"), nullable=False),
    Column("submission_id", String(64), nullable=False),
    Column("answers", Text, nullable=False),  # canonical JSON
    Column("answers_hash", String(64), nullable=False),
    Column("received_on", Date, nullable=False),
    Column("origin", String(32), nullable=False),  # web, api, or import:<format>
    Column("snapshot", Integer, nullable=True),  # step 2: the published snapshot holding it (NULL: not yet)
    UniqueConstraint("survey_slug", "submission_id", name="submissions_once"),
    Index("submissions_by_snapshot", "survey_slug", "snapshot"),  # step 3
)


def _surveys_and_submissions(engine: Engine) -> None:
    """Step 1: the surveys and their answers, as the first release created them (SQLAlchemy's DDL for its
    tables then, on each database; the id is a SERIAL on PostgreSQL, SQLite's rowid otherwise). ``IF NOT
    EXISTS``: a start interrupted after the tables were made, before the step was recorded, resumes here."""
    serial = "INTEGER" if engine.dialect.name == "sqlite" else "SERIAL"
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS surveys (slug VARCHAR(64) NOT NULL, title TEXT NOT NULL, "
            "definition TEXT NOT NULL, status VARCHAR(16) NOT NULL, created_on DATE NOT NULL, PRIMARY KEY (slug))")
        connection.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS submissions (id {serial} NOT NULL, survey_slug VARCHAR(64) NOT NULL, "
            "submission_id VARCHAR(64) NOT NULL, answers TEXT NOT NULL, answers_hash VARCHAR(64) NOT NULL, "
            "received_on DATE NOT NULL, origin VARCHAR(32) NOT NULL, PRIMARY KEY (id), "
            "CONSTRAINT submissions_once UNIQUE (survey_slug, submission_id), "
            "FOREIGN KEY(survey_slug) REFERENCES surveys (slug) ON DELETE CASCADE)")


STEP_2_COLUMNS = {"surveys": [("threshold", "INTEGER"), ("publish", "VARCHAR(8)"), ("snapshot", "INTEGER"),
                              ("snapshot_on", "DATE")],
                  "submissions": [("snapshot", "INTEGER")]}


def _thresholds_and_snapshots(engine: Engine) -> None:
    """Step 2: per-survey threshold and publication, and result snapshots. Only missing columns are added:
    until step 1 was frozen it created the tables from the declared ones, so a database it made between
    the release of step 2 and the freeze already has them."""
    existing = {table: {column["name"] for column in inspect(engine).get_columns(table)} for table in STEP_2_COLUMNS}
    with engine.begin() as connection:
        for table, columns in STEP_2_COLUMNS.items():
            for name, sql_type in columns:
                if name not in existing[table]:
                    connection.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {sql_type}"))


def _snapshot_index(engine: Engine) -> None:
    """Step 3: an index on (survey, snapshot): the results page counts a snapshot's answers and the pending
    ones on every view, which without it reads every row of the survey (444 ms per view at 100k answers)."""
    with engine.begin() as connection:
        connection.execute(text("CREATE INDEX IF NOT EXISTS submissions_by_snapshot "
                                "ON submissions (survey_slug, snapshot)"))


def _snapshot_sizes(engine: Engine) -> None:
    """Step 4: each survey's snapshot size (the answers of its current snapshot), filled from the rows of a
    database made before it. The column is added only when missing and the sizes are always recounted: a
    start interrupted after the step's transaction, before the step was recorded, runs it again unharmed."""
    existing = {column["name"] for column in inspect(engine).get_columns("surveys")}
    with engine.begin() as connection:
        if "snapshot_size" not in existing:
            connection.execute(text("ALTER TABLE surveys ADD COLUMN snapshot_size INTEGER DEFAULT 0 NOT NULL"))
        connection.execute(text(
            "UPDATE surveys SET snapshot_size = (SELECT count(*) FROM submissions "
            "WHERE submissions.survey_slug = surveys.slug AND submissions.snapshot IS NOT NULL "
            "AND submissions.snapshot <= COALESCE(surveys.snapshot, 0))"))


def _survey_creations(engine: Engine) -> None:
    """Step 5: each survey's creation id. A survey deleted and added again under its slug with the same form
    and settings starts its snapshots again at 1, so that its first snapshot has the number, definition and
    settings of the deleted survey's first one: only the creation tells their results pages apart (the key of
    survey/results_view.py's cache), else the deleted survey's figures would be shown for the new one. A
    survey stored before this step keeps NULL, itself a creation of its own (every later one gets an id).
    Added only when missing: a start interrupted before the step was recorded runs it again unharmed."""
    if "creation" not in {column["name"] for column in inspect(engine).get_columns("surveys")}:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE surveys ADD COLUMN creation VARCHAR(32)"))


MIGRATIONS: list[database.Step] = [_surveys_and_submissions, _thresholds_and_snapshots, _snapshot_index,
                                   _snapshot_sizes, _survey_creations]
