"""The documents store's schema steps and the statements an import writes with, without a database library.

:mod:`~diaspora_observatory.documents.store` (SQLAlchemy) and
:mod:`~diaspora_observatory.documents.import_store` (the standard library's ``sqlite3``, for
``documents import-list``, whose start-up SQLAlchemy's import was half of: issue 15) both run these
steps and statements, so a store made or written by either is the same database. A step takes anything
with ``begin()`` giving a connection with ``exec_driver_sql`` (an SQLAlchemy engine, or
:class:`~diaspora_observatory.sqlite_light.Engine`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from diaspora_observatory.documents.importer import DOCUMENT_COLUMNS
from diaspora_observatory.errors import DiasporaError

PASSAGE_COUNTS_INDEX = "ix_passages_document_code_coder"  # schema step 5


class Connection(Protocol):
    def exec_driver_sql(self, statement: str, parameters: Any = ...) -> Any: ...


class Engine(Protocol):
    def begin(self) -> Any: ...


class DocumentExists(DiasporaError):
    """A document id that is already stored."""


def _documents_and_passages(engine: Engine) -> None:
    """The two tables, as the tables above declare them (frozen: a later change is a new step). ``IF NOT
    EXISTS`` adopts a database made before the schema table existed, whose tables are these same ones."""
    with engine.begin() as connection:
        for statement in _STEP_1:
            connection.exec_driver_sql(statement)


_STEP_1 = (
    "CREATE TABLE IF NOT EXISTS documents (document_id VARCHAR NOT NULL, title VARCHAR NOT NULL, "
    "kind VARCHAR NOT NULL, date VARCHAR NOT NULL, language VARCHAR NOT NULL, script VARCHAR NOT NULL, "
    "source VARCHAR NOT NULL, source_id VARCHAR NOT NULL, filename VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, "
    "text TEXT NOT NULL, PRIMARY KEY (document_id))",
    'CREATE TABLE IF NOT EXISTS passages (id INTEGER NOT NULL, document_id VARCHAR NOT NULL, code VARCHAR NOT NULL, '
    'coder VARCHAR NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, '
    "pattern VARCHAR NOT NULL, language VARCHAR NOT NULL, created VARCHAR NOT NULL, PRIMARY KEY (id), "
    "FOREIGN KEY(document_id) REFERENCES documents (document_id) ON DELETE CASCADE)",
    "CREATE INDEX IF NOT EXISTS ix_passages_document_id ON passages (document_id)",
)


def _alphabet_column(engine: Engine) -> None:
    """Step 2: the Kazakh Latin alphabet a document is read with (2017, 2018, 2021; empty otherwise). A store
    made before it gets the column empty, and the alphabet is told again from the letters when it is coded."""
    with engine.begin() as connection:
        columns = {row[1] for row in connection.exec_driver_sql("PRAGMA table_info(documents)")}
        if "alphabet" not in columns:
            connection.exec_driver_sql("ALTER TABLE documents ADD COLUMN alphabet VARCHAR NOT NULL DEFAULT ''")


def _spans_table(engine: Engine) -> None:
    """Step 3: the stored spans of long texts. A store made before it has none, and its long texts are split
    when first shown, as they were before (reading.py)."""
    with engine.begin() as connection:
        connection.exec_driver_sql(
            'CREATE TABLE IF NOT EXISTS spans (document_id VARCHAR NOT NULL, method VARCHAR NOT NULL, '
            'text_bytes INTEGER NOT NULL, text_chars INTEGER NOT NULL, starts BLOB NOT NULL, ends BLOB NOT NULL, '
            'PRIMARY KEY (document_id), FOREIGN KEY(document_id) REFERENCES documents (document_id) '
            'ON DELETE CASCADE)')


def _version_counter(engine: Engine) -> None:
    """Step 4: a counter every write transaction raises, read by caches (``Workspace.version``). Counts and
    highest ids did not do: SQLite gives a new row the highest id plus one, so deleting the last passage and
    coding another left both as they were, and a cached coding index kept showing the deleted one."""
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS store_version (id INTEGER NOT NULL, "
                                   "version INTEGER NOT NULL, PRIMARY KEY (id))")
        connection.exec_driver_sql("INSERT INTO store_version (id, version) SELECT 1, 0 "
                                   "WHERE NOT EXISTS (SELECT 1 FROM store_version)")


def _passage_counts_index(engine: Engine) -> None:
    """Step 5: passages indexed by document, code and coder. The counts of the coding page, the exports and the
    report (passages of some documents by code, for some coders) are then read from the index alone, in its
    order, instead of from each passage's row with its text (benchmarks/bench_passages_index.py)."""
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {PASSAGE_COUNTS_INDEX} "
                                   "ON passages (document_id, code, coder)")


MIGRATIONS: list[Callable[[Any], None]] = [_documents_and_passages, _alphabet_column, _spans_table, _version_counter,
                                   _passage_counts_index]
_BUMP = "UPDATE store_version SET version = version + 1 WHERE id = 1"


def _bump(connection: Connection) -> None:
    """Raise the store's version inside the caller's write transaction, so it commits with the change."""
    connection.exec_driver_sql(_BUMP)

_INSERT_PASSAGE = ('INSERT INTO passages (document_id, code, coder, start, "end", text, pattern, language, created) '
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_DOCUMENT = (f"INSERT INTO documents ({', '.join(DOCUMENT_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(DOCUMENT_COLUMNS))})")


def _insert_passages_at(created: str) -> str:
    """The insert of passage rows without their time, which is ``created`` (an ISO time of _now: digits, -, :,
    + and T only, so it is written into the statement as it is)."""
    if not set(created) <= set("0123456789-:+T"):
        raise ValueError(f"not a time of _now: {created!r}")
    return _INSERT_PASSAGE.replace("?)", f"'{created}')")


def _chunks(values: list[str], size: int = 500):
    # SQLite limits the parameters of one statement; 500 stays well below every build's limit
    for index in range(0, len(values), size):
        yield values[index:index + size]


SHOWN_IDS = 10  # ids named in a refusal; the rest are counted


def already_stored(ids: set[str]) -> str:
    """The refusal's message for ``ids`` already stored: the first :data:`SHOWN_IDS` in order, then how many more
    (a whole list repeated would make one line of many kilobytes)."""
    if len(ids) == 1:
        return f"a document with id {next(iter(ids))!r} is already stored"
    ordered = sorted(ids)
    more = len(ordered) - SHOWN_IDS
    return f"already stored: {', '.join(ordered[:SHOWN_IDS])}" + (f" and {more:,} more" if more > 0 else "")


def _in(values: list[str]) -> str:
    return f"({', '.join('?' * len(values))})"


def stored_ids(connection: Connection, ids: list[str]) -> set[str]:
    """Which of ``ids`` are stored already (without reading any text)."""
    found: set[str] = set()
    for chunk in _chunks(ids):
        found.update(row[0] for row in connection.exec_driver_sql(
            f"SELECT document_id FROM documents WHERE document_id IN {_in(chunk)}", tuple(chunk)))
    return found


def write_coded(connection: Connection, items: list, replace: bool, now: str,
                integrity_error: type[Exception] | tuple[type[Exception], ...]) -> None:
    """Store ``items`` (documents, each with its passages as the store's rows) inside the caller's transaction.

    An id already stored is refused (:class:`DocumentExists`) unless ``replace``, which deletes that document
    with its passages and spans first; ``integrity_error`` is the driver's error for a clash with another
    writer (the check runs first). The spans of long texts are found and stored here (reading.py).
    """
    ids = [document.document_id for document, _ in items]
    stored = stored_ids(connection, ids)
    if stored and not replace:
        raise DocumentExists(already_stored(stored),
                             "give another id with --id, or --replace to overwrite it and its codings")
    for chunk in _chunks(sorted(stored)):
        for table in ("passages", "spans", "documents"):
            connection.exec_driver_sql(f"DELETE FROM {table} WHERE document_id IN {_in(chunk)}", tuple(chunk))
    try:
        # straight to the driver: a dictionary per document through the ORM layer is not needed
        connection.exec_driver_sql(_INSERT_DOCUMENT, [document.as_row() for document, _ in items])
    except integrity_error:
        # Stored by another writer after the check above (SQLite's driver runs that check before the
        # transaction takes the write lock): refused as the check would have, nothing of ``items`` kept.
        raise DocumentExists("a document with one of these ids was stored by another writer meanwhile; "
                             "nothing of this batch was stored",
                             "list them with `diaspora documents list`, then import again with other "
                             "ids, or --replace to overwrite them") from None
    from diaspora_observatory.documents.reading import STORED_SPANS_CHARS

    long = [document for document, _ in items if len(document.text) >= STORED_SPANS_CHARS]
    if long:
        connection.exec_driver_sql(_INSERT_SPANS, [spans_row(document) for document in long])
    _bump(connection)
    rows = [row for _, passages in items for row in passages]
    if rows:
        # straight to the driver's executemany, the rows as the coder made them and the time of this batch
        # written into the statement: a press batch has thousands of passages, and a parameter dictionary
        # (or a new tuple) per row cost more than SQLite's own insert
        connection.exec_driver_sql(_insert_passages_at(now), rows)


_SPAN_DTYPE = "<i8"
_INSERT_SPANS = ("INSERT INTO spans (document_id, method, text_bytes, text_chars, starts, ends) "
                 "VALUES (?, ?, ?, ?, ?, ?)")


def spans_row(document) -> tuple:
    """The ``spans`` row of a long document: its spans found now, once, rather than on a page view."""
    from diaspora_observatory.documents.reading import SPANS_METHOD, text_spans

    starts, ends = text_spans(document.text)
    return (document.document_id, SPANS_METHOD, len(document.text.encode("utf-8")), len(document.text),
            starts.astype(_SPAN_DTYPE).tobytes(), ends.astype(_SPAN_DTYPE).tobytes())


def now() -> str:
    """The time a write is stored with (UTC, to the second)."""
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")


@contextmanager
def import_lock(path: Path, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """The store's import lock (see :meth:`.store.DocumentStore.importing`): an advisory lock on
    ``<store>.import-lock`` beside the database (``flock``: released when the process ends, however it ends).
    Where the platform has no ``flock`` (Windows) there is no lock, and two imports of the same ids at the
    same moment can still leave the second one half stored."""
    try:
        import fcntl
    except ImportError:  # no POSIX advisory locks on this platform: see the docstring
        yield
        return
    with open(path.with_name(path.name + ".import-lock"), "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
