"""The store ``documents import-list`` writes through sqlite3 alone (import_store.py) is the store SQLAlchemy makes.

Same schema (SQLite keeps each statement as given, so the comparison is of the text), same schema record,
same rows in the same order, the same refusals; made new, or from an older store, or opened again.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from diaspora_observatory import database
from diaspora_observatory.documents import store as documents_store
from diaspora_observatory.documents.codebook import LanguageNotCoded
from diaspora_observatory.documents.coding import compile_codebook
from diaspora_observatory.documents.import_store import ImportStore
from diaspora_observatory.documents.importer import DOCUMENT_COLUMNS, Document
from diaspora_observatory.documents.language import detect_language
from diaspora_observatory.documents.reading import STORED_SPANS_CHARS
from diaspora_observatory.documents.store import DocumentExists, DocumentStore
from tests.documents.test_documents_import_same import generated_articles, real_texts


def _database(store) -> list:
    """Every schema entry and every row of every table (the passages without their time of storing)."""
    with sqlite3.connect(store.path) as connection:
        schema = connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()
        tables = {}
        for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            columns = [row[1] for row in connection.execute(f"PRAGMA table_info({name})") if row[1] != "created"]
            tables[name] = connection.execute(f"SELECT {', '.join(map(repr, columns))} FROM {name} "
                                              "ORDER BY rowid").fetchall()
    connection.close()
    return [schema, tables]


def _items(codebook, texts: list[str]) -> list:
    coder = compile_codebook(codebook)
    items = []
    for number, text in enumerate(texts):
        detected = detect_language(text)
        document = Document(f"doc-{number}", f"Title {number}", "press", "2024", detected.language, text,
                            detected.script, filename=f"t{number}.txt", sha256=f"{number:064x}",
                            alphabet=detected.alphabet)
        try:
            passages = coder.code_rows(text, document.language, document.document_id, document.alphabet)
        except LanguageNotCoded:
            passages = []
        items.append((document, passages))
    return items


def test_a_new_store_is_the_same_database(tmp_path: Path, codebook):
    made = DocumentStore("case", tmp_path / "a")
    light = ImportStore("case", tmp_path / "b")
    # a long text, whose spans are stored with it, and the texts of the benchmark and the real ones
    long_text = " ".join(generated_articles(60))
    assert len(long_text) >= STORED_SPANS_CHARS
    items = _items(codebook, [long_text, *generated_articles(40), *real_texts()])
    assert sum(len(passages) for _, passages in items) > 500
    for first in range(0, len(items), 25):
        made.add_coded_rows(items[first:first + 25])
        light.add_coded_rows(items[first:first + 25])
    # replacing: the document and its passages and spans go, and come again at the end
    made.add_coded_rows(items[:3], replace=True)
    light.add_coded_rows(items[:3], replace=True)
    light.close()
    made.engine.dispose()
    assert _database(light) == _database(made)
    assert len(_database(made)[1]["spans"]) == 1


def test_a_store_made_before_is_migrated_alike_and_opened_again(tmp_path: Path, codebook):
    stores = []
    for name in ("a", "b"):
        older = DocumentStore("case", tmp_path / name)
        older.engine.dispose()
        # back to step 3 of the schema: no version counter, no counts index
        with sqlite3.connect(older.path) as connection:
            connection.execute("DROP TABLE store_version")
            connection.execute(f"DROP INDEX {documents_store.PASSAGE_COUNTS_INDEX}")
            connection.execute("DELETE FROM documents_schema WHERE version > 3")
        connection.close()
        stores.append(older)
    made = DocumentStore("case", tmp_path / "a")
    light = ImportStore("case", tmp_path / "b")
    assert database.schema_version(made.engine, documents_store.schema_table) == len(documents_store.MIGRATIONS)
    items = _items(codebook, generated_articles(8))
    made.add_coded_rows(items)
    light.add_coded_rows(items)
    light.close()
    light = ImportStore("case", tmp_path / "b")  # opened again: nothing to migrate
    light.close()
    made.engine.dispose()
    assert _database(light) == _database(made)


def test_the_same_refusals(tmp_path: Path, codebook):
    made = DocumentStore("case", tmp_path / "a")
    light = ImportStore("case", tmp_path / "b")
    items = _items(codebook, generated_articles(3))
    for store in (made, light):
        store.add_coded_rows(items[:1])
    messages = []
    for store in (made, light):
        with pytest.raises(DocumentExists) as refused:
            store.add_coded_rows(items)
        messages.append((refused.value.message, refused.value.hint))
        assert store.stored_ids([d.document_id for d, _ in items]) == {"doc-0"}
    assert messages[0] == messages[1]
    light.close()
    made.engine.dispose()
    assert _database(light) == _database(made)  # the refused batch left nothing


def test_a_documents_row_is_its_fields_in_the_tables_order(tmp_path: Path):
    assert sorted(DOCUMENT_COLUMNS) == sorted(field.name for field in dataclasses.fields(Document))
    assert DOCUMENT_COLUMNS == tuple(column.name for column in documents_store.documents_table.columns)
    document = Document(*[f"value {number}" for number in range(len(DOCUMENT_COLUMNS))])
    assert document.as_row() == tuple(getattr(document, name) for name in DOCUMENT_COLUMNS)
