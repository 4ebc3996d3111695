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

from sqlalchemy import insert, select
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
        from diaspora_observatory.survey.storage import Receipt, conflict, submissions, surveys, today

        outcomes: list[Receipt | Exception] = []
        rows = []
        with self.store.writing(), self.store.engine.begin() as connection:
            slugs = sorted({pending.slug for pending in batch})
            status = dict(connection.execute(select(surveys.c.slug, surveys.c.status)
                                             .where(surveys.c.slug.in_(slugs))).all())
            known: dict[tuple[str, str], str] = {}
            for slug in slugs:
                ids = [pending.submission_id for pending in batch if pending.slug == slug]
                for submission_id, digest in connection.execute(
                        select(submissions.c.submission_id, submissions.c.answers_hash)
                        .where(submissions.c.survey_slug == slug, submissions.c.submission_id.in_(ids))):
                    known[(slug, submission_id)] = digest
            for pending in batch:
                key = (pending.slug, pending.submission_id)
                if pending.slug not in status:
                    outcomes.append(SurveyNotFound(f"no survey '{pending.slug}'", "run `diaspora survey list`"))
                elif key in known:
                    outcomes.append(Receipt(pending.submission_id, False) if known[key] == pending.digest
                                    else conflict(pending.submission_id))
                elif pending.check_open and status[pending.slug] != "open":
                    outcomes.append(SurveyClosed(f"the survey '{pending.slug}' is closed",
                                                 "it no longer accepts answers"))
                else:
                    known[key] = pending.digest
                    rows.append({"survey_slug": pending.slug, "submission_id": pending.submission_id,
                                 "answers": pending.text, "answers_hash": pending.digest, "received_on": today(),
                                 "origin": pending.origin})
                    outcomes.append(Receipt(pending.submission_id, True))
            if rows:
                connection.execute(insert(submissions), rows)
        return outcomes
