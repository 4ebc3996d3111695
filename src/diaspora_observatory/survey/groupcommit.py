"""Group commit: submissions that arrive together are stored in one durable transaction.

A durable commit costs a flush to disk, whatever it holds. One writer thread takes every submission
waiting in the queue, checks them (survey open, replay or conflict), inserts the new ones and commits
once; only then does each caller get its answer. An acknowledgement still means "on disk", and a crash
before the commit loses only submissions that were never acknowledged.

The writer talks to the database driver directly (DB-API), not through SQLAlchemy's statement layer:
this runs once per commit on the hot path. What it runs and decides is not its own: the statements and
the rules of ``submission.py`` (compiled once for the driver), which :meth:`SurveyStore.submit_one`
follows too. On SQLite each batch starts with ``BEGIN IMMEDIATE``, so the
survey's status is read inside the transaction that inserts, even against another process.

On PostgreSQL there can be several writer threads (``writers``; :data:`WRITERS_POSTGRES` by default), each
with its own connection, so that a batch is gathered and sent while the one before is being flushed; and a
batch is one statement
(``submission.BATCH_POSTGRES``) that reads the status, inserts and commits in one round trip. Two batches
in flight never hold the same submission: each is taken off the queue by one writer. The same id sent
twice at once (a client's retry) may land in both: the second waits for the first on the unique key,
fails on it, and is then stored one submission at a time (a replay), as with a second server process.

Committing a lone submission at once on the web server's event loop instead (no hand-off to this
thread) was tried and measured: at one client it changed the round trip by 1-3 % (0.70 against 0.71 ms),
within noise, so the single path stayed.

The hand-off costs little on both sides: the queue is the C ``SimpleQueue``; a submission awaited on an event
loop (:meth:`GroupCommitter.enqueue_awaited`, the web server's) carries an ``asyncio.Future`` of that loop, and
the writer settles all of a batch's such futures in one call on the loop's thread, after the commit as before,
instead of one ``concurrent.futures.Future`` chained to an ``asyncio`` one and a wake-up of the loop for each
(benchmarks/results/survey.md, round 9).
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from contextlib import AbstractContextManager
from typing import Any, cast

from sqlalchemy import Engine

from diaspora_observatory.survey.submission import (
    BATCH_POSTGRES,
    INSERT,
    INSERTED,
    STATUS,
    Pending,
    Receipt,
    batch_postgres,
    driver_statement,
    refusal,
    replay,
    today,
)

MAX_BATCH = 256
# Writer threads (batches in flight) on PostgreSQL; SQLite has one writer at a time, so one thread there.
# One: a second writer was measured (benchmarks/results/survey.md, round 8) to cost more CPU per submission
# (two half-size batches: 0.16-0.17 ms of writer time per submission against 0.10-0.13 ms with one) for no
# throughput that a 2-core machine could show; ``writers`` sets more, and the tests run four.
WRITERS_POSTGRES = 1
# What else than a stored id sends a batch back to one submission at a time: two batches in flight (or two
# server processes) that each wait for the other's ids (PostgreSQL's deadlock_detected).
_RETRY_ONE_BY_ONE = {"40P01"}


class _Duplicate(Exception):
    """An id of the batch was already stored (by an earlier batch, another process or an import)."""


class GroupCommitter:
    """The single writer of a survey store in group-commit mode: it writes through ``engine`` under the
    store's ``writing`` lock, and hands a batch that met a stored id to ``store_one`` (the store's
    one-transaction path) a submission at a time. The store is given its parts, not named: the store
    imports this module, never the other way round."""

    def __init__(self, engine: Engine, writing: Callable[[], AbstractContextManager[Any]],
                 store_one: Callable[[Pending], Receipt], writers: int | None = None) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self.writing = writing
        self.store_one = store_one
        self.queue: queue.SimpleQueue[Pending | None] = queue.SimpleQueue()
        self._dbapi = engine.dialect.loaded_dbapi
        # The statements of the one-transaction path (submission.py), compiled once for the driver.
        self._status = driver_statement(engine, STATUS)
        self._insert = driver_statement(engine, INSERT, INSERTED)
        count = writers if writers is not None else 1 if self.is_sqlite else WRITERS_POSTGRES
        self.threads = [threading.Thread(target=self._run, name=f"survey-group-commit-{number}", daemon=True)
                        for number in range(count)]
        for thread in self.threads:
            thread.start()

    def submit(self, pending: Pending) -> Receipt:
        return self.enqueue(pending).result()

    def enqueue(self, pending: Pending) -> Future:
        """Queue ``pending`` (made without ``loop``) and return its future."""
        assert pending.loop is None and isinstance(pending.future, Future)
        self.queue.put(pending)
        return pending.future

    def enqueue_awaited(self, pending: Pending) -> asyncio.Future:
        """Queue ``pending``, made with the running event loop as its ``loop`` (``submission.pending_awaited``),
        and return its ``asyncio.Future``, which the writer settles on that loop once the batch is committed."""
        assert pending.loop is not None and isinstance(pending.future, asyncio.Future)
        self.queue.put(pending)
        return pending.future

    def close(self) -> None:
        for _thread in self.threads:
            self.queue.put(None)  # one stop for each writer
        for thread in self.threads:
            thread.join(timeout=10)

    def _run(self) -> None:
        writer = _Writer(self.engine, autocommit=not self.is_sqlite)  # this thread's own driver connection
        while True:
            first = self.queue.get()
            if first is None:
                writer.disconnect()
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    item = self.queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self.queue.put(None)  # stop after this batch
                    break
                batch.append(item)
            self._commit(writer, batch)

    def _commit(self, writer: _Writer, batch: list[Pending]) -> None:
        try:
            with self.writing():
                connection = writer.connect()
                if self.is_sqlite:
                    connection.execute("BEGIN IMMEDIATE")  # the status check and the inserts in one transaction
                    outcomes = self._store_batch(connection, batch)
                else:
                    outcomes = self._store_batch_postgres(connection, batch)
        except _Duplicate:
            # Another writer (a second server on PostgreSQL, an import) stored one of
            # these ids in the meantime: fall back to one transaction each, which sorts replays from conflicts.
            for pending in batch:
                self._settle_one(pending)
            return
        except Exception as error:  # noqa: BLE001 - every waiting caller must hear about the failure
            writer.disconnect()  # a broken connection is replaced on the next batch
            settle((pending, error) for pending in batch)
            return
        settle(zip(batch, outcomes, strict=True))

    def _settle_one(self, pending: Pending) -> None:
        outcome: Receipt | Exception
        try:
            outcome = self.store_one(pending)
        except Exception as error:  # noqa: BLE001 - handed to the caller, who turns it into a reply
            outcome = error
        settle([(pending, outcome)])

    def _store_batch(self, connection: Any, batch: list[Pending]) -> list[Receipt | Exception]:
        """Check and insert a batch in the transaction open on ``connection``, then commit, by the rules of
        submission.py. An id already stored rolls back and raises :class:`_Duplicate` (replays are rare, so
        they do not cost every batch a lookup)."""
        outcomes: list[Receipt | Exception] = []
        rows = []
        seen: dict[tuple[str, str], str] = {}
        # sqlite3's date adapter is deprecated (Python 3.12): SQLite gets the ISO text SQLAlchemy would send
        received_on = today().isoformat() if self.is_sqlite else today()
        cursor = connection.cursor()
        try:
            status = {}
            for slug in {pending.slug for pending in batch}:
                cursor.execute(self._status.sql, self._status.parameters({"slug": slug}))
                found = cursor.fetchone()
                if found is not None:
                    status[slug] = found[0]
            for pending in batch:
                key = (pending.slug, pending.submission_id)
                refused = refusal(pending, status.get(pending.slug))
                if refused is not None:
                    outcomes.append(refused)
                elif key in seen:  # the same id twice in one batch: a replay or a conflict, as if stored
                    outcomes.append(replay(pending, seen[key]))
                else:
                    seen[key] = pending.digest
                    rows.append(self._insert.parameters(pending.row(received_on)))
                    outcomes.append(Receipt(pending.submission_id, True))
            if len(rows) == 1:
                cursor.execute(self._insert.sql, rows[0])
            elif rows:
                cursor.executemany(self._insert.sql, rows)
            connection.commit()
        except self._dbapi.IntegrityError:
            connection.rollback()
            raise _Duplicate from None
        except BaseException:
            connection.rollback()
            raise
        finally:
            cursor.close()
        return outcomes

    def _store_batch_postgres(self, connection: Any, batch: list[Pending]) -> list[Receipt | Exception]:
        """The batch as one durable statement (``submission.BATCH_POSTGRES``) on ``connection``, which is in
        autocommit: when it returns, what it inserted is committed. Each submission is then settled from what
        the database says: stored when its key is among the inserted ones, else refused by :func:`refusal`
        on the status the statement read. An id already stored raises :class:`_Duplicate` (nothing of the
        batch is stored: the statement failed as a whole)."""
        rows: list[Pending] = []
        seen: dict[tuple[str, str], str] = {}
        for pending in batch:
            key = (pending.slug, pending.submission_id)
            if key not in seen:
                seen[key] = pending.digest
                rows.append(pending)
        # In the order of their keys: two batches in flight then take the unique key's locks in one order.
        rows.sort(key=lambda pending: (pending.slug, pending.submission_id))
        cursor = connection.cursor()
        try:
            cursor.execute(BATCH_POSTGRES, batch_postgres(rows, today()))
            status_slugs, statuses, inserted_slugs, inserted_ids = cursor.fetchone()
        except self._dbapi.IntegrityError:
            raise _Duplicate from None
        except self._dbapi.OperationalError as error:
            if getattr(error, "sqlstate", None) in _RETRY_ONE_BY_ONE:
                raise _Duplicate from None
            raise
        finally:
            cursor.close()
        status = dict(zip(status_slugs or (), statuses or (), strict=True))
        inserted = set(zip(inserted_slugs or (), inserted_ids or (), strict=True))
        outcomes: list[Receipt | Exception] = []
        settled: set[tuple[str, str]] = set()
        for pending in batch:
            key = (pending.slug, pending.submission_id)
            if key in inserted and key not in settled and seen[key] == pending.digest:
                settled.add(key)  # the first of the batch with this key is the one stored
                outcomes.append(Receipt(pending.submission_id, True))
            elif key in inserted:  # the same id again in this batch: a replay or a conflict, as if stored
                outcomes.append(replay(pending, seen[key]))
            else:
                refused = refusal(pending, status.get(pending.slug))
                # Never silently wrong: a submission neither stored nor refused is an error its caller hears.
                outcomes.append(refused if refused is not None else RuntimeError(
                    f"submission {pending.submission_id} was neither stored nor refused by the batch statement"))
        return outcomes


def settle(outcomes: Iterable[tuple[Pending, Receipt | Exception]]) -> None:
    """Hand each submission's outcome (its receipt, or the error its caller raises) to whoever waits for it: a
    thread's future at once; the futures awaited on an event loop in one call on that loop's own thread for all
    of them (asyncio futures are not thread-safe, and one wake-up of the loop a batch costs less than one a
    submission). A loop already closed has nobody left to tell."""
    awaited: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future, Receipt | Exception]]] = {}
    for pending, outcome in outcomes:
        future = pending.future
        if pending.loop is not None:
            awaited.setdefault(pending.loop, []).append((cast(asyncio.Future, future), outcome))
        elif not future.cancelled():
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
    for loop, settled in awaited.items():
        try:
            loop.call_soon_threadsafe(_settle_awaited, settled)
        except RuntimeError:  # the loop is closed (the server stopped): nobody awaits these any more
            pass


def _settle_awaited(settled: list[tuple[asyncio.Future, Receipt | Exception]]) -> None:
    """On the loop's thread: each future gets its outcome, unless its caller stopped waiting (cancelled)."""
    for future, outcome in settled:
        if future.done():
            continue
        if isinstance(outcome, Exception):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


class _Writer:
    """One writer thread's own driver connection (with the engine's pragmas), kept open between batches
    and taken out of the engine's pool (``autocommit``: PostgreSQL's, each statement its own transaction,
    which must not be handed to anyone else)."""

    def __init__(self, engine: Engine, autocommit: bool) -> None:
        self.engine = engine
        self.autocommit = autocommit
        self._connection: Any = None

    def connect(self) -> Any:
        if self._connection is None:
            connection = self.engine.raw_connection()
            if self.autocommit:
                driver = connection.driver_connection
                connection.detach()  # closed for good on disconnect, never back in the pool
                driver.autocommit = True  # type: ignore[union-attr]
            self._connection = connection
        return self._connection

    def disconnect(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # noqa: BLE001, S110 - a broken connection: nothing left to close
                pass
            finally:
                self._connection = None
