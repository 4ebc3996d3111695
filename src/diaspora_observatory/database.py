"""Every database the observatory keeps, set up one way: the engine with its durability settings, and
schema changes as numbered, named steps recorded in the database itself.

Two stores use it: the survey's answers (``survey/storage.py``, SQLite or PostgreSQL) and the documents
with their codings (``documents/store.py``, SQLite). Both promise that a write which got a success reply
survives a crash of the process or the machine, so both need the same SQLite settings: WAL with
``synchronous=FULL`` (every commit flushed to disk), foreign keys enforced, and writers that wait for
each other (``busy_timeout``) instead of failing at once. PostgreSQL commits durably by default.

Migrations: a store lists its steps in order, each a function of the engine named for what it does (its
docstring says why). :func:`migrate` applies the steps not yet recorded in the store's schema table and
records each one as it completes, so a database made by any earlier version reaches today's schema by
the same path. A released step is frozen: a change of schema is a new step at the end, never an edit of
an old one (sqlite-utils' ``migrations.py`` keeps named migrations the same way). Alembic was considered
and left out: a script folder and an ini file to ship for a handful of small tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Date, Engine, Integer, MetaData, Table, create_engine, event, func, insert, select

from diaspora_observatory.sqlite_light import SQLITE_PRAGMAS, apply_steps

Step = Callable[[Engine], None]


def sqlite_durability(connection: Any, _record: Any) -> None:
    """The settings every SQLite connection of the observatory runs with (see the module docstring)."""
    cursor = connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def make_engine(url: str, pool_size: int = 20) -> Engine:
    """An engine for ``url`` (a URL the store has checked): SQLite with :func:`sqlite_durability` on every
    connection and its folder made, or PostgreSQL with connections tested before use."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Connections are shared by the web server's threads; SQLite's own timeout backs up busy_timeout.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=pool_size, max_overflow=10)
        event.listen(engine, "connect", sqlite_durability)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=40, pool_pre_ping=True)


def schema_table(metadata: MetaData, name: str) -> Table:
    """A store's record of the migration steps applied: one row per step number, with the day it ran."""
    return Table(name, metadata, Column("version", Integer, primary_key=True),
                 Column("applied_on", Date, nullable=False))


def schema_version(engine: Engine, table: Table) -> int:
    """The number of the last step recorded in ``table`` (0 for a new database)."""
    with engine.connect() as connection:
        return connection.execute(select(func.max(table.c.version))).scalar() or 0


def migrate(engine: Engine, table: Table, steps: Sequence[Step]) -> int:
    """Apply the ``steps`` not yet recorded in ``table``, in order, recording each; return the schema version.

    A step that fails leaves the steps before it recorded, so the next start resumes at the failed one.
    """
    table.metadata.create_all(engine, tables=[table])

    def record(number: int, day: dt.date) -> None:
        with engine.begin() as connection:
            connection.execute(insert(table).values(version=number, applied_on=day))

    return apply_steps(engine, steps, schema_version(engine, table), record)
