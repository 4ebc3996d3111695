"""The documents store as ``documents import-list`` writes it: the standard library's ``sqlite3``, no SQLAlchemy.

Issue 15 measures the command with its start-up, and importing SQLAlchemy was a third of the start-up and
more processor time than the whole store-only floor. This store runs the same schema steps and writes the
same rows with the same statements as :class:`~diaspora_observatory.documents.store.DocumentStore`
(:mod:`~diaspora_observatory.documents.store_schema` holds both's), under the same import lock, each batch
in one transaction; a test compares the two stores, schema and rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from diaspora_observatory.documents.coding import PassageRow
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.paths import store_path
from diaspora_observatory.documents.store_schema import MIGRATIONS, import_lock, now, stored_ids, write_coded
from diaspora_observatory.sqlite_light import Engine, migrate


class ImportStore:
    """A case's documents store opened to import into (the methods :func:`.ingest.import_rows` uses)."""

    def __init__(self, case_name: str, data_dir: Path | None = None) -> None:
        self.path = store_path(case_name, data_dir)
        self.engine = Engine(self.path)
        migrate(self.engine, "documents_schema", MIGRATIONS)

    @contextmanager
    def importing(self, waiting: Callable[[], None] | None = None) -> Iterator[None]:
        """The store's import lock, as :meth:`.store.DocumentStore.importing` holds it."""
        with import_lock(self.path, waiting):
            yield

    def stored_ids(self, ids: list[str]) -> set[str]:
        return stored_ids(self.engine.connection, ids)

    def add_coded_rows(self, items: list[tuple[Document, list[PassageRow]]], *, replace: bool = False) -> None:
        """Store documents with their passages' rows in one transaction, as
        :meth:`.store.DocumentStore.add_coded_rows` does."""
        if not items:
            return
        with self.engine.begin() as connection:
            write_coded(connection, items, replace, now(), sqlite3.IntegrityError)

    def close(self) -> None:
        self.engine.close()
