"""SQLite through the standard library's ``sqlite3`` alone, for a command whose start-up matters.

``documents import-list`` writes its store with this rather than SQLAlchemy, whose import alone was more
processor time than the store-only floor of issue 15's benchmark. Every connection runs with the same
settings as :func:`diaspora_observatory.database.sqlite_durability` (:data:`SQLITE_PRAGMAS`, one list for
both), and :func:`migrate` applies and records a store's schema steps through the one runner that
:func:`diaspora_observatory.database.migrate` calls too (:func:`apply_steps`), so a store made here is the
database the other one makes (a test compares them, schema and rows).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# WAL with every commit flushed to disk, foreign keys enforced, writers waiting for each other
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=30000",
                  "PRAGMA foreign_keys=ON")


class Connection:
    """A ``sqlite3`` connection with SQLAlchemy's ``exec_driver_sql``: a list of rows is an ``executemany``."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def exec_driver_sql(self, statement: str, parameters: Any = ()) -> sqlite3.Cursor:
        if isinstance(parameters, list):
            return self.connection.executemany(statement, parameters)
        return self.connection.execute(statement, parameters)


class Engine:
    """One connection to a SQLite file, with ``begin()`` as SQLAlchemy's engine has it (a transaction that
    commits when the block ends, and rolls back on an error)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # autocommit at the driver, so that begin() says where each transaction begins and ends
        self._connection = sqlite3.connect(path, timeout=30, isolation_level=None)
        for pragma in SQLITE_PRAGMAS:
            self._connection.execute(pragma)
        self.connection = Connection(self._connection)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        # IMMEDIATE: the write lock is taken (waiting busy_timeout for it) before the transaction reads
        self._connection.execute("BEGIN IMMEDIATE")
        try:
            yield self.connection
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise
        self._connection.execute("COMMIT")

    def close(self) -> None:
        self._connection.close()


def schema_table_ddl(name: str) -> str:
    """The statement SQLAlchemy writes for :func:`diaspora_observatory.database.schema_table` (SQLite keeps a
    table's statement as it was given, so a store made here must give the same one)."""
    return (f"CREATE TABLE {name} (\n\tversion INTEGER NOT NULL, \n\tapplied_on DATE NOT NULL, "
            "\n\tPRIMARY KEY (version)\n)")


def apply_steps(engine: Any, steps: Sequence[Callable[[Any], None]], current: int,
                record: Callable[[int, dt.date], None]) -> int:
    """The one migration runner of the observatory: the ``steps`` after step ``current`` applied in order to
    ``engine``, each recorded by ``record(number, day)`` as soon as it completes, so a step that fails leaves
    the steps before it recorded and the next start resumes at the failed one; returns the schema version.
    :func:`migrate` here and :func:`diaspora_observatory.database.migrate` differ only in how they read and
    write the schema table."""
    for number, step in enumerate(steps, start=1):
        if number > current:
            step(engine)
            record(number, dt.date.today())
    return len(steps)


def migrate(engine: Engine, table: str, steps: Sequence[Callable[[Any], None]]) -> int:
    """:func:`diaspora_observatory.database.migrate` for an :class:`Engine`: the steps not yet recorded in
    ``table`` applied in order by :func:`apply_steps`; returns the schema version."""
    connection = engine.connection
    if not connection.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                      (table,)).fetchone():
        connection.exec_driver_sql(schema_table_ddl(table))
    current = connection.exec_driver_sql(f"SELECT max(version) FROM {table}").fetchone()[0] or 0

    def record(number: int, day: dt.date) -> None:
        with engine.begin() as writing:
            writing.exec_driver_sql(f"INSERT INTO {table} (version, applied_on) VALUES (?, ?)",
                                    (number, day.isoformat()))

    return apply_steps(engine, steps, current, record)
