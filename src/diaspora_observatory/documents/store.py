"""Imported documents and their coded passages, kept in one SQLite file per case in the user data folder.

``<data dir>/documents/<case>.sqlite`` holds two tables: ``documents`` (text and metadata) and
``passages`` (every coded passage with its coder: ``auto`` for automatic coding, a person's name for
manual coding); a third, ``spans``, keeps the sentence spans of each long text, found at import so that the
coding page never splits a law while other visitors wait (``documents/reading.py``). Automatic coding
replaces the earlier ``auto`` passages of a document; manual passages are only ever added or deleted one
by one, so re-running the automatic coding never loses a person's work.
The engine and the schema steps (recorded in ``documents_schema``) go through ``database.py``, as for every
database the observatory keeps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from diaspora_observatory import database
from diaspora_observatory.documents.coding import AUTO_CODER, CodedPassage, PassageRow
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.paths import store_path  # noqa: F401  (re-exported)
from diaspora_observatory.documents.reading import SPANS_METHOD
from diaspora_observatory.documents.store_schema import (  # noqa: F401  (re-exported)
    _SPAN_DTYPE,
    MIGRATIONS,
    PASSAGE_COUNTS_INDEX,
    DocumentExists,
    _bump,
    import_lock,
    now,
    stored_ids,
    write_coded,
)
from diaspora_observatory.errors import DiasporaError

MAX_CODER_LENGTH = 80

_metadata = sa.MetaData()
documents_table = sa.Table(
    "documents", _metadata,
    sa.Column("document_id", sa.String, primary_key=True),
    sa.Column("title", sa.String, nullable=False),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("date", sa.String, nullable=False, default=""),
    sa.Column("language", sa.String, nullable=False),
    sa.Column("script", sa.String, nullable=False, default=""),
    sa.Column("source", sa.String, nullable=False, default=""),
    sa.Column("source_id", sa.String, nullable=False, default=""),
    sa.Column("filename", sa.String, nullable=False, default=""),
    sa.Column("sha256", sa.String, nullable=False, default=""),
    sa.Column("text", sa.Text, nullable=False),
    # server_default: the column step 2 adds to older stores is the same column a new store declares
    sa.Column("alphabet", sa.String, nullable=False, default="", server_default=""),
)
passages_table = sa.Table(
    "passages", _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("document_id", sa.String, sa.ForeignKey("documents.document_id", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("code", sa.String, nullable=False),
    sa.Column("coder", sa.String, nullable=False),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("pattern", sa.String, nullable=False, default=""),
    sa.Column("language", sa.String, nullable=False, default=""),
    sa.Column("created", sa.String, nullable=False),
    sa.Index(PASSAGE_COUNTS_INDEX, "document_id", "code", "coder"),
)

spans_table = sa.Table(
    "spans", _metadata,
    sa.Column("document_id", sa.String, sa.ForeignKey("documents.document_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("method", sa.String, nullable=False),  # reading.SPANS_METHOD of the spans' finding
    sa.Column("text_bytes", sa.Integer, nullable=False),  # the text's length in UTF-8 bytes when they were found
    sa.Column("text_chars", sa.Integer, nullable=False),
    sa.Column("starts", sa.LargeBinary, nullable=False),  # little-endian int64, one a span
    sa.Column("ends", sa.LargeBinary, nullable=False),
)
# One row: the store's version, raised by every write transaction (step 4).
version_table = sa.Table(
    "store_version", _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.Integer, nullable=False),
)


schema_table = database.schema_table(_metadata, "documents_schema")


class DocumentNotFound(DiasporaError):
    """A document id that is not stored."""


class PassageInvalid(DiasporaError):
    """A manual coding that does not fit its document (offsets, code or coder)."""


class DocumentStore:
    """The documents and passages of one case. Create it with the case's name (and a data folder in tests)."""

    def __init__(self, case_name: str, data_dir: Path | None = None) -> None:
        self.path = store_path(case_name, data_dir)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = database.make_engine(f"sqlite:///{self.path}")
        database.migrate(self.engine, schema_table, MIGRATIONS)

    @contextmanager
    def importing(self, waiting: Callable[[], None] | None = None) -> Iterator[None]:
        """Hold the store's import lock: an import checks its ids against the store, then stores its documents
        in batches (one transaction each, ingest.py), and two imports of the same ids at the same moment could
        each pass the check, so that the second stopped on a clash after some of its batches were stored (a
        half import). Under the lock the second waits (``waiting()`` is told) and then checks against what the
        first stored: it is refused whole ("already stored"), or with ``--replace`` replaces.

        An advisory lock on ``<store>.import-lock`` beside the database (``flock``: released when the process
        ends, however it ends). Where the platform has no ``flock`` (Windows) there is no lock, and two
        imports of the same ids at the same moment can still leave the second one half stored."""
        with import_lock(self.path, waiting):
            yield

    # documents -------------------------------------------------------------------------------------------
    def add_document(self, document: Document, *, replace: bool = False) -> None:
        """Store a document; an existing id is an error unless ``replace`` (which keeps no old passages)."""
        self.add_coded([(document, [])], replace=replace)

    def add_coded(self, items: list[tuple[Document, list[CodedPassage]]], *, replace: bool = False) -> None:
        """Store documents together with their automatic passages, all in one transaction.

        A document is stored with its coding or not at all: a crash (even SIGKILL) during the call leaves
        the store as it was before it, or with every document and passage of ``items``. An id already
        stored is an error unless ``replace``, which removes that document and all its passages first.
        """
        self.add_coded_rows([(document, [(document.document_id, p.code, AUTO_CODER, p.start, p.end, p.text, p.pattern,
                                          p.language) for p in passages]) for document, passages in items],
                            replace=replace)

    def add_coded_rows(self, items: list[tuple[Document, list[PassageRow]]], *, replace: bool = False) -> None:
        """:meth:`add_coded` with each document's passages as rows (:meth:`.AutoCoder.code_rows`), each naming its
        document: an import's rows go to the database as the coder made them."""
        if not items:
            return
        with self.engine.begin() as connection:
            write_coded(connection, items, replace, now(), sa.exc.IntegrityError)

    def stored_ids(self, ids: list[str]) -> set[str]:
        """Which of ``ids`` are stored already (without reading any text)."""
        with self.engine.connect() as connection:
            return stored_ids(connection, ids)

    def documents(self) -> list[Document]:
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(documents_table).order_by(documents_table.c.date,
                                                                          documents_table.c.document_id))
            return [Document(**row._mapping) for row in rows]

    def get(self, document_id: str) -> Document:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(documents_table).where(
                documents_table.c.document_id == document_id)).first()
        if row is None:
            raise DocumentNotFound(f"no document {document_id!r} in {self.path.name}",
                                   "list them with `diaspora documents list`")
        return Document(**row._mapping)

    def delete(self, document_id: str) -> None:
        self.get(document_id)
        with self.engine.begin() as connection:
            connection.execute(passages_table.delete().where(passages_table.c.document_id == document_id))
            connection.execute(spans_table.delete().where(spans_table.c.document_id == document_id))
            connection.execute(documents_table.delete().where(documents_table.c.document_id == document_id))
            _bump(connection)

    def version(self) -> int:
        """The store's version: raised by every transaction that adds, replaces or deletes a document or
        a passage, in this process or another (caches compare it)."""
        with self.engine.connect() as connection:
            return int(connection.exec_driver_sql("SELECT version FROM store_version WHERE id = 1").scalar_one())

    def stored_spans(self, document_id: str, text_bytes: int) -> tuple[int, np.ndarray, np.ndarray] | None:
        """(text length in characters, starts, ends) of the spans stored with a document at import, or None
        when none are stored, or they were found by another :data:`~.reading.SPANS_METHOD` or from a text of
        another length than ``text_bytes`` (UTF-8 bytes): then the caller finds them from the text."""
        c = spans_table.c
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(c.method, c.text_bytes, c.text_chars, c.starts, c.ends)
                                     .where(c.document_id == document_id)).first()
        if row is None or row.method != SPANS_METHOD or row.text_bytes != text_bytes:
            return None
        return row.text_chars, np.frombuffer(row.starts, _SPAN_DTYPE), np.frombuffer(row.ends, _SPAN_DTYPE)

    # passages --------------------------------------------------------------------------------------------
    def replace_auto(self, document_id: str, passages: list[CodedPassage]) -> int:
        """Replace the automatic passages of a document in one transaction; returns how many were stored."""
        created = now()
        with self.engine.begin() as connection:
            connection.execute(passages_table.delete().where(sa.and_(passages_table.c.document_id == document_id,
                                                                     passages_table.c.coder == AUTO_CODER)))
            _bump(connection)
            if passages:
                connection.execute(passages_table.insert(), [
                    {"document_id": document_id, "code": p.code, "coder": AUTO_CODER, "start": p.start, "end": p.end,
                     "text": p.text, "pattern": p.pattern, "language": p.language, "created": created}
                    for p in passages])
        return len(passages)

    def add_manual(self, document_id: str, code: str, coder: str, start: int, end: int,
                   codes: list[str] | None = None) -> int:
        """Store one manual coding and return its id; the offsets must lie inside the document's text."""
        document = self.get(document_id)
        coder = (coder or "").strip()
        if not coder or len(coder) > MAX_CODER_LENGTH:
            raise PassageInvalid(f"coder name must have 1 to {MAX_CODER_LENGTH} characters",
                                 "give the name or initials of the person coding")
        if coder == AUTO_CODER:
            raise PassageInvalid(f"the coder name {AUTO_CODER!r} is reserved for automatic coding",
                                 "give the name or initials of the person coding")
        if codes is not None and code not in codes:
            raise PassageInvalid(f"code {code!r} is not in the codebook", f"choose one of {', '.join(codes)}")
        if not (0 <= start < end <= len(document.text)):
            raise PassageInvalid(f"passage {start}-{end} is outside document {document_id!r} "
                                 f"(0-{len(document.text)})", "select a passage of the document's text")
        with self.engine.begin() as connection:
            result = connection.execute(passages_table.insert().values(
                document_id=document_id, code=code, coder=coder, start=start, end=end,
                text=document.text[start:end], pattern="", language=document.language, created=now()))
            _bump(connection)
            key = result.inserted_primary_key  # typed optional; a one-row insert always has it
            if key is None:
                raise RuntimeError(f"the database gave no id to the new passage of {document_id!r}")
            return int(key[0])

    def delete_passage(self, passage_id: int, document_id: str | None = None) -> bool:
        """Delete one manual passage (of ``document_id``, when given); automatic ones are never deleted here."""
        condition = sa.and_(passages_table.c.id == passage_id, passages_table.c.coder != AUTO_CODER)
        if document_id is not None:
            condition = sa.and_(condition, passages_table.c.document_id == document_id)
        with self.engine.begin() as connection:
            deleted = connection.execute(passages_table.delete().where(condition)).rowcount > 0
            if deleted:
                _bump(connection)
            return deleted

    def passages(self, document_id: str | None = None, coder: str | None = None):
        """Stored passages as a DataFrame: id, document_id, code, coder, start, end, text, pattern, language."""
        import pandas as pd

        query = sa.select(passages_table).order_by(passages_table.c.document_id, passages_table.c.start,
                                                   passages_table.c.id)
        if document_id is not None:
            query = query.where(passages_table.c.document_id == document_id)
        if coder is not None:
            query = query.where(passages_table.c.coder == coder)
        with self.engine.connect() as connection:
            rows = [dict(row._mapping) for row in connection.execute(query)]
        columns = [c.name for c in passages_table.columns if c.name != "created"]
        return pd.DataFrame(rows, columns=[*columns, "created"])[columns]


def _chunks(values: list[str], size: int = 500):
    # SQLite limits the parameters of one statement; 500 stays well below every build's limit
    for index in range(0, len(values), size):
        yield values[index:index + size]
