"""Group commit: submissions that arrive together are stored in one durable transaction.

A durable commit costs a flush to disk (about a millisecond here), whatever it holds. One writer thread
takes every submission waiting in the queue, checks them (survey open, replay or conflict), inserts the
new ones and commits once; only then does each caller get its answer. An acknowledgement still means
"on disk", and a crash before the commit loses only submissions that were never acknowledged.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from diaspora_observatory.survey.errors import SurveyClosed, SurveyNotFound

if TYPE_CHECKING:
    from diaspora_observatory.survey.storage import Receipt, SurveyStore

MAX_BATCH = 256


@dataclass
class Pending:
    slug: str
    submission_id: str
    text: str
    digest: str
    origin: str
    check_open: bool
    future: Future = field(default_factory=Future)


class GroupCommitter:
    """The single writer of a :class:`SurveyStore` in group-commit mode."""

    def __init__(self, store: SurveyStore) -> None:
        self.store = store
        self.queue: queue.Queue[Pending | None] = queue.Queue()
        self._connection = None
        mark = "?" if store.is_sqlite else "%s"
        self._status_sql = f"SELECT status FROM surveys WHERE slug = {mark}"
        self._insert_sql = ("INSERT INTO submissions (survey_slug, submission_id, answers, answers_hash, received_on, "
                            f"origin) VALUES ({', '.join([mark] * 6)})")
        self.thread = threading.Thread(target=self._run, name="survey-group-commit", daemon=True)
        self.thread.start()

    def submit(self, pending: Pending) -> Receipt:
        return self.enqueue(pending).result()

    def enqueue(self, pending: Pending) -> Future:
        """Queue ``pending`` and return its future (an async caller awaits it without a thread)."""
        self.queue.put(pending)
        return pending.future

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self.queue.get()
            if first is None:
                self._disconnect()
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
            self._commit(batch)

    def _commit(self, batch: list[Pending]) -> None:
        try:
            outcomes = self._store_batch(batch)
        except IntegrityError:
            # Another writer (a second server on PostgreSQL, an import) stored one of these ids in the
            # meantime: fall back to one transaction each, which sorts replays from conflicts.
            for pending in batch:
                self._settle_one(pending)
            return
        except Exception as error:  # noqa: BLE001 - every waiting caller must hear about the failure
            for pending in batch:
                pending.future.set_exception(error)
            return
        for pending, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Exception):
                pending.future.set_exception(outcome)
            else:
                pending.future.set_result(outcome)

    def _settle_one(self, pending: Pending) -> None:
        try:
            pending.future.set_result(self.store.submit_one(pending))
        except Exception as error:  # noqa: BLE001 - handed to the caller, who turns it into a reply
            pending.future.set_exception(error)

    def _store_batch(self, batch: list[Pending]) -> list[Receipt | Exception]:
        """Check and insert a batch in one transaction; an id already stored raises IntegrityError and the
        caller settles the batch one by one (replays are rare, so they do not cost every batch a lookup)."""
        from diaspora_observatory.survey.storage import Receipt, conflict, today

        outcomes: list[Receipt | Exception] = []
        rows = []
        seen: dict[tuple[str, str], str] = {}
        connection = self._connect()
        try:
            with self.store.writing(), connection.begin():
                # Plain driver SQL: this runs once per commit on the hot path, where building statements
                # through the expression layer costs as much as the rest of the request.
                status = {slug: connection.exec_driver_sql(self._status_sql, (slug,)).scalar()
                          for slug in {pending.slug for pending in batch}}
                status = {slug: value for slug, value in status.items() if value is not None}
                for pending in batch:
                    key = (pending.slug, pending.submission_id)
                    if pending.slug not in status:
                        outcomes.append(SurveyNotFound(f"no survey '{pending.slug}'", "run `diaspora survey list`"))
                    elif key in seen:  # the same id twice in one batch
                        outcomes.append(Receipt(pending.submission_id, False) if seen[key] == pending.digest
                                        else conflict(pending.submission_id))
                    elif pending.check_open and status[pending.slug] != "open":
                        outcomes.append(SurveyClosed(f"the survey '{pending.slug}' is closed",
                                                     "it no longer accepts answers"))
                    else:
                        seen[key] = pending.digest
                        rows.append((pending.slug, pending.submission_id, pending.text, pending.digest, today(),
                                     pending.origin))
                        outcomes.append(Receipt(pending.submission_id, True))
                if rows:
                    connection.exec_driver_sql(self._insert_sql, rows)
        except IntegrityError:
            raise
        except Exception:
            self._disconnect()  # a broken connection is replaced on the next batch
            raise
        return outcomes

    def _connect(self):
        """The writer's own connection, kept open between batches (no pool round trip per commit)."""
        if self._connection is None:
            self._connection = self.store.engine.connect()
        return self._connection

    def _disconnect(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None
