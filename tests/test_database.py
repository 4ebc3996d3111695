"""One set-up for every database the observatory keeps (database.py): the migration runner, the SQLite
durability settings both stores run with, and the documents store's frozen first step."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from diaspora_observatory import database
from diaspora_observatory.documents import store as documents_store
from diaspora_observatory.documents.store import DocumentStore
from diaspora_observatory.survey.storage import SurveyStore


def recorded(engine, table) -> list[int]:
    with engine.connect() as connection:
        return [row.version for row in connection.execute(sa.select(table.c.version).order_by(table.c.version))]


def test_steps_run_once_in_order_and_a_new_one_alone(tmp_path):
    engine = database.make_engine(f"sqlite:///{tmp_path / 'nested' / 'steps.sqlite3'}")
    table = database.schema_table(sa.MetaData(), "test_schema")
    ran: list[str] = []

    def first(_engine):
        ran.append("first")

    def second(_engine):
        ran.append("second")

    def third(_engine):
        ran.append("third")

    assert database.migrate(engine, table, [first, second]) == 2
    assert database.migrate(engine, table, [first, second]) == 2  # a second start applies nothing
    assert database.migrate(engine, table, [first, second, third]) == 3
    assert ran == ["first", "second", "third"] and recorded(engine, table) == [1, 2, 3]
    engine.dispose()


def test_a_failed_step_is_retried_at_the_next_start_and_the_ones_before_it_are_kept(tmp_path):
    engine = database.make_engine(f"sqlite:///{tmp_path / 'steps.sqlite3'}")
    table = database.schema_table(sa.MetaData(), "test_schema")
    ran: list[str] = []

    def first(_engine):
        ran.append("first")

    def broken(_engine):
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        database.migrate(engine, table, [first, broken])
    assert recorded(engine, table) == [1] and database.schema_version(engine, table) == 1
    assert database.migrate(engine, table, [first, lambda _engine: ran.append("fixed")]) == 2
    assert ran == ["first", "fixed"]
    engine.dispose()


def durability(engine) -> tuple:
    with engine.connect() as connection:
        return tuple(connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                     for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout"))


def test_both_stores_run_sqlite_with_the_same_durability(tmp_path):
    survey = SurveyStore(f"sqlite:///{tmp_path / 'survey.sqlite3'}")
    documents = DocumentStore("kazakh-central-asia", tmp_path)
    # WAL, synchronous=FULL (2), foreign keys on, writers wait 30 s for each other
    assert durability(survey.engine) == durability(documents.engine) == ("wal", 2, 1, 30000)
    survey.close()
    documents.engine.dispose()


def table_shapes(path) -> dict:
    with sqlite3.connect(path) as connection:
        names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type IN "
                                                      "('table', 'index') AND name NOT LIKE '%schema' ORDER BY name")]
        return {name: (connection.execute(f"PRAGMA table_info({name})").fetchall(),
                       connection.execute(f"PRAGMA foreign_key_list({name})").fetchall(),
                       # by name, without the number SQLite gives each index in the order it was made (the
                       # declared tables make theirs in the order of a set)
                       sorted(row[1:] for row in connection.execute(f"PRAGMA index_list({name})")),
                       connection.execute(f"PRAGMA index_info({name})").fetchall()) for name in names}


def test_the_frozen_documents_step_makes_the_declared_tables(tmp_path):
    declared = tmp_path / "declared.sqlite"
    engine = sa.create_engine(f"sqlite:///{declared}")
    documents_store._metadata.create_all(engine, tables=[documents_store.documents_table,
                                                          documents_store.passages_table,
                                                          documents_store.spans_table,
                                                          documents_store.version_table])
    engine.dispose()
    made = DocumentStore("kazakh-central-asia", tmp_path)
    made.engine.dispose()
    assert table_shapes(made.path) == table_shapes(declared)
    assert set(table_shapes(made.path)) == {"documents", "passages", "spans", "store_version",
                                            "ix_passages_document_id",
                                            "ix_passages_document_code_coder",  # step 5
                                            "sqlite_autoindex_documents_1",  # the text primary keys
                                            "sqlite_autoindex_spans_1"}


def test_a_documents_database_made_before_the_schema_table_is_adopted_with_its_rows(tmp_path):
    path = documents_store.store_path("kazakh-central-asia", tmp_path)
    path.parent.mkdir(parents=True)
    engine = sa.create_engine(f"sqlite:///{path}")
    documents_store._metadata.create_all(engine, tables=[documents_store.documents_table,
                                                          documents_store.passages_table])
    with engine.begin() as connection:
        connection.execute(documents_store.documents_table.insert().values(
            document_id="press-1", title="Item", kind="press", date="2024", language="en", script="",
            source="", source_id="", filename="", sha256="", text="Repatriates get quotas."))
    engine.dispose()
    adopted = DocumentStore("kazakh-central-asia", tmp_path)
    # every step recorded: the frozen tables adopted, the alphabet column (step 2) added empty, the spans
    # table (step 3) made empty: the old document's spans are found from its text when it is shown; the
    # version counter (step 4) starts at 0; the passages' counts index (step 5) made
    assert database.schema_version(adopted.engine, documents_store.schema_table) == 5
    assert adopted.version() == 0
    with adopted.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT alphabet FROM documents").scalar_one() == ""
    assert adopted.stored_ids(["press-1", "press-2"]) == {"press-1"}
    adopted.engine.dispose()


def test_a_documents_store_of_step_4_gets_the_passage_counts_index_with_its_passages_kept(tmp_path):
    """Step 5 on a store made by the steps before it: the index made, the passages as they were."""
    made = DocumentStore("kazakh-central-asia", tmp_path)
    from diaspora_observatory.documents.importer import Document

    made.add_document(Document(document_id="press-1", title="Item", kind="press", date="2024", language="en",
                               text="Repatriates get quotas."))
    made.add_manual("press-1", "repatriation", "aigerim", 0, 11)
    with made.engine.begin() as connection:  # the store as step 4 left it
        connection.exec_driver_sql(f"DROP INDEX {documents_store.PASSAGE_COUNTS_INDEX}")
        connection.exec_driver_sql("DELETE FROM documents_schema WHERE version = 5")
    made.engine.dispose()
    again = DocumentStore("kazakh-central-asia", tmp_path)
    assert database.schema_version(again.engine, documents_store.schema_table) == 5
    with again.engine.connect() as connection:
        indexes = {row[1] for row in connection.exec_driver_sql("PRAGMA index_list(passages)")}
        plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN SELECT document_id, code, count(*) FROM passages "
                                          "WHERE document_id IN ('press-1') GROUP BY document_id, code").all()
    assert documents_store.PASSAGE_COUNTS_INDEX in indexes
    assert any(f"COVERING INDEX {documents_store.PASSAGE_COUNTS_INDEX}" in row[3] for row in plan), plan
    assert [(row.code, row.coder, row.text) for row in again.passages().itertuples()] == [
        ("repatriation", "aigerim", "Repatriates")]
    again.engine.dispose()
