"""Durable storage of survey definitions and answers (SQLAlchemy Core; SQLite or PostgreSQL).

Nothing that could identify a respondent is stored: no address, user agent, cookie or time of day,
only the date of receipt. A submission is acknowledged only after its transaction has committed:
SQLite runs in WAL mode with ``synchronous=FULL`` (each commit is flushed to disk, so an acknowledged
answer survives the process or the machine stopping); PostgreSQL commits durably by default.

Public results are computed from *snapshots*, never from the live table: a snapshot is the set of
submissions marked with its number, taken only when at least the survey's threshold of new answers has
arrived since the previous one (or, for a survey published at close, when it is closed), so polling the
results page can never isolate one respondent's answers. See docs/survey.md, "Published results and
disclosure control".

The tables and their frozen, named migration steps are in ``schema.py`` (recorded in ``survey_schema``,
applied by the observatory's one migration runner, ``database.py``, which also sets up the engine, as for
every database the observatory keeps). The rules a submission is stored by are in ``submission.py``, which
this store and the group committer (``groupcommit.py``) both follow.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
import re
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, InterfaceError, OperationalError

from diaspora_observatory import database
from diaspora_observatory.survey import submission
from diaspora_observatory.survey.errors import StorageUnavailable
from diaspora_observatory.survey.groupcommit import GroupCommitter
from diaspora_observatory.survey.model import Form
from diaspora_observatory.survey.schema import MIGRATIONS, schema_table, submissions, surveys
from diaspora_observatory.survey.submission import Pending, Receipt, today

DATABASE_URL_ENV = "DIASPORA_DATABASE_URL"
# A survey's short name, as `diaspora survey add` accepts it: anything else names no survey, and is
# refused before a query (a NUL in a slug once reached PostgreSQL, which refuses NUL in text).
SLUG_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
MIGRATION_LOCK = 0x5D1A5  # the PostgreSQL advisory lock key the migrations run under (any fixed number)
PUBLISH_MODES = ("batch", "close")


def known_slug(slug: str) -> str:
    """``slug`` if it could name a survey (:data:`SLUG_PATTERN`); :class:`SurveyNotFound` otherwise, so
    a hostile path (NUL, surrogates, 10,000 characters) never reaches the database."""
    if not (isinstance(slug, str) and SLUG_PATTERN.fullmatch(slug)):
        raise submission.not_found(slug)
    return slug


@dataclass(frozen=True)
class SurveyRecord:
    slug: str
    title: str
    form: Form
    status: str
    created_on: dt.date
    threshold: int = 10
    publish: str = "batch"


@dataclass(frozen=True)
class Snapshot:
    """The answers the public results show: snapshot ``number`` (0: none yet), taken on ``taken_on``
    (a day, never a time), with ``pending`` answers received since that are not published yet."""

    record: SurveyRecord
    number: int
    taken_on: dt.date | None
    responses: list[dict[str, Any]]
    pending: int


@dataclass(frozen=True)
class SnapshotState:
    """A published snapshot without its answers: its number, day, how many answers it holds (``size``)
    and how many arrived since (``pending``). The results page reads the answers by streaming them."""

    record: SurveyRecord
    number: int
    taken_on: dt.date | None
    size: int
    pending: int
    definition: str = ""  # a hash of the stored definition: a replaced form changes it
    creation: str | None = None  # which creation of the slug (schema step 5): a survey added again has a new one


def database_url(data_dir: Path) -> str:
    """``$DIASPORA_DATABASE_URL`` or the SQLite file ``survey.sqlite3`` in the data folder."""
    return os.environ.get(DATABASE_URL_ENV) or f"sqlite:///{Path(data_dir) / 'survey.sqlite3'}"


URL_HINT = (f"set {DATABASE_URL_ENV} to sqlite:///PATH/survey.sqlite3 or postgresql+psycopg://USER:PASSWORD@HOST/DB "
            "(or unset it to use the SQLite file in the data folder)")


def shown_url(url: str) -> str:
    """``url`` with its password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url.partition("://")[0] + "://…" if "://" in url else "(unreadable URL)"


def checked_url(url: str) -> str:
    """``url`` if it names a database the survey can use; ``postgresql://`` means the psycopg driver.
    Raises :class:`StorageUnavailable` for anything else."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # the URL is not repeated whole: it may hold a password
        raise StorageUnavailable(f"the survey database URL {shown_url(url)!r} cannot be read", URL_HINT) from None
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise StorageUnavailable(f"the survey database URL {shown_url(url)!r} uses '{parsed.drivername}', which "
                                 "the observatory does not support", URL_HINT)
    return url


def make_engine(url: str, pool_size: int = 20) -> Engine:
    """An engine for ``url`` (checked first): the observatory's durable set-up (``database.py``)."""
    return database.make_engine(checked_url(url), pool_size)


class SurveyStore:
    """Surveys and their answers in one database.

    With ``group_commit`` (what the web app uses) concurrent :meth:`submit` calls share one durable
    transaction (:mod:`.groupcommit`); without it each submission commits on its own.

    Example::

        store = SurveyStore("sqlite:///survey.sqlite3")
        store.add_survey("kz", default_form())
        store.submit("kz", "3f1c9a52-…", {"home_language": "mainly_kazakh"})
    """

    def __init__(self, url: str, *, group_commit: bool = False) -> None:
        self.url = url = checked_url(url)
        self.is_sqlite = url.startswith("sqlite")
        self.engine = make_engine(url)
        # SQLite has one writer at a time; queueing writers here avoids busy-waiting inside SQLite.
        self._write_lock = threading.Lock() if self.is_sqlite else None
        try:
            self.migrate()
        except (OperationalError, InterfaceError) as error:
            self.engine.dispose()
            reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
            raise StorageUnavailable(f"cannot open the survey database {shown_url(url)}: {reason}",
                                     f"check that the database server is running and the URL is right; {URL_HINT}"
                                     ) from None
        self._committer: GroupCommitter | None = None
        if group_commit:
            self._committer = GroupCommitter(self.engine, self.writing, self.submit_one)

    @classmethod
    def for_data_dir(cls, data_dir: Path, *, group_commit: bool = False) -> SurveyStore:
        return cls(database_url(data_dir), group_commit=group_commit)

    def close(self) -> None:
        if self._committer is not None:
            self._committer.close()
            self._committer = None
        self.engine.dispose()

    def schema_version(self) -> int:
        return database.schema_version(self.engine, schema_table)

    def migrate(self) -> int:
        """Apply the migration steps not yet recorded; return the schema version.

        On PostgreSQL under an advisory lock: the workers of one server (uvicorn started
        directly) open their stores at the same moment, and two creating one table would collide."""
        if self.is_sqlite:  # one writer at a time already, and one server process (survey/web.py)
            return database.migrate(self.engine, schema_table, MIGRATIONS)
        with self.engine.connect() as holder:
            holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                return database.migrate(self.engine, schema_table, MIGRATIONS)
            finally:
                holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})

    def writing(self):
        """The lock SQLite writers queue on (PostgreSQL needs none)."""
        return self._write_lock if self._write_lock is not None else _NoLock()

    # surveys
    def add_survey(self, slug: str, form: Form, *, replace: bool = False) -> SurveyRecord:
        """Store a survey definition; ``replace`` swaps the definition of an existing slug (answers kept)."""
        definition = json.dumps(form.as_dict(), ensure_ascii=False)
        try:
            with self.writing(), self.engine.begin() as connection:
                exists = connection.execute(select(surveys.c.slug).where(surveys.c.slug == slug)).first()
                if exists and replace:
                    connection.execute(update(surveys).where(surveys.c.slug == slug)
                                       .values(title=form.title, definition=definition))
                elif not exists:
                    connection.execute(insert(surveys).values(slug=slug, title=form.title, definition=definition,
                                                              status="open", created_on=dt.date.today(),
                                                              creation=uuid.uuid4().hex))
        except IntegrityError:
            # Another process added the slug in between (the workers of one server adding the default survey
            # together): the one stored is kept, as when it existed before. A replacement is tried again.
            if replace:
                return self.add_survey(slug, form, replace=True)
        return self.get_survey(slug)

    def get_survey(self, slug: str) -> SurveyRecord:
        known_slug(slug)
        with self.engine.connect() as connection:
            row = connection.execute(select(surveys).where(surveys.c.slug == slug)).mappings().first()
        if row is None:
            raise submission.not_found(slug)
        from diaspora_observatory.analysis.disclosure import THRESHOLD

        return SurveyRecord(row["slug"], row["title"], Form.from_dict(json.loads(row["definition"])), row["status"],
                            row["created_on"], row["threshold"] or THRESHOLD, row["publish"] or "batch")

    def set_publication(self, slug: str, *, threshold: int | None = None, publish: str | None = None) -> SurveyRecord:
        """Set the survey's disclosure threshold (never below the floor) and when its results are published."""
        from diaspora_observatory.analysis.disclosure import THRESHOLD_FLOOR
        from diaspora_observatory.survey.errors import PublicationInvalid

        if threshold is not None and threshold < THRESHOLD_FLOOR:
            raise PublicationInvalid(f"a threshold of {threshold} is below the floor of {THRESHOLD_FLOOR} respondents",
                                     f"choose {THRESHOLD_FLOOR} or more (docs/survey.md says why)")
        if publish is not None and publish not in PUBLISH_MODES:
            raise PublicationInvalid(f"unknown publication '{publish}'", "use 'batch' or 'close'")
        self.get_survey(slug)
        values = {key: value for key, value in (("threshold", threshold), ("publish", publish)) if value is not None}
        if values:
            with self.writing(), self.engine.begin() as connection:
                connection.execute(update(surveys).where(surveys.c.slug == slug).values(**values))
        return self.get_survey(slug)

    def snapshot(self, slug: str) -> Snapshot:
        """The published snapshot of ``slug`` with all its answers in memory (the CLI and tests; the web
        page reads :meth:`snapshot_state` and streams :meth:`snapshot_answers` instead)."""
        state = self.snapshot_state(slug)
        query = (select(submissions.c.submission_id, submissions.c.received_on, submissions.c.origin,
                        submissions.c.answers)
                 .where(submissions.c.survey_slug == slug, submissions.c.snapshot.is_not(None),
                        submissions.c.snapshot <= state.number)
                 .order_by(submissions.c.id))
        with self.engine.connect() as connection:
            rows = [{"submission_id": row.submission_id, "received_on": row.received_on, "origin": row.origin,
                     "answers": json.loads(row.answers)} for row in connection.execute(query)]
        return Snapshot(state.record, state.number, state.taken_on, rows, state.pending)

    def snapshot_state(self, slug: str) -> SnapshotState:
        """The published snapshot of ``slug`` without its answers, first taking a new one when it is due:
        at least the survey's threshold of answers arrived since the last one (publication "batch"), or
        the survey is closed (publication "close", or the last batch of a closed survey). Fewer new
        answers than the threshold are never published on their own: they wait for the next batch, and
        after closing they stay out (a snapshot that differs from the last by a few answers would show
        those answers). Costs one row and an indexed count of the pending answers, whatever the snapshot holds."""
        record = self.get_survey(slug)
        pending_rows = (select(func.count()).select_from(submissions)
                        .where(submissions.c.survey_slug == slug, submissions.c.snapshot.is_(None)))
        with self.engine.connect() as connection:
            pending = connection.execute(pending_rows).scalar() or 0
        if pending >= record.threshold and (record.publish == "batch" or record.status == "closed"):
            with self.writing(), self.engine.begin() as connection:
                # Locked so that two requests never take the same snapshot twice (PostgreSQL; SQLite has
                # one writer). The update marks exactly the committed answers it sees; one committed later
                # waits for the next snapshot.
                current = connection.execute(select(surveys.c.snapshot).where(surveys.c.slug == slug)
                                             .with_for_update()).scalar() or 0
                pending = connection.execute(pending_rows).scalar() or 0
                if pending >= record.threshold:
                    marked = connection.execute(update(submissions).where(submissions.c.survey_slug == slug,
                                                                          submissions.c.snapshot.is_(None))
                                                .values(snapshot=current + 1)).rowcount
                    # The new snapshot's size is the last one's plus the answers just marked, written with
                    # its number in this transaction, so that the two never disagree.
                    connection.execute(update(surveys).where(surveys.c.slug == slug)
                                       .values(snapshot=current + 1, snapshot_on=today(),
                                               snapshot_size=surveys.c.snapshot_size + marked))
        with self.engine.connect() as connection:
            # The size is stored with the snapshot (schema step 4), not counted: one row, whatever it holds.
            state = connection.execute(select(surveys.c.snapshot, surveys.c.snapshot_on, surveys.c.definition,
                                              surveys.c.snapshot_size, surveys.c.creation)
                                       .where(surveys.c.slug == slug)).one()  # get_survey found it
            number = state.snapshot or 0
            version = hashlib.sha256(state.definition.encode()).hexdigest()
            pending = connection.execute(pending_rows).scalar() or 0
        return SnapshotState(record, number, state.snapshot_on, state.snapshot_size, pending, version,
                             state.creation)

    def snapshot_answers(self, slug: str, number: int, batch: int = 2000) -> Iterator[dict[str, Any]]:
        """The answers of snapshot ``number`` of ``slug``, one dict at a time, read in batches of
        ``batch`` rows so that a large snapshot is never held in memory as a whole. Snapshots only grow
        (a later one adds answers, never changes one), so ``snapshot <= number`` is exactly snapshot
        ``number`` even while a newer one is taken."""
        known_slug(slug)
        query = (select(submissions.c.answers)
                 .where(submissions.c.survey_slug == slug, submissions.c.snapshot.is_not(None),
                        submissions.c.snapshot <= number)
                 .order_by(submissions.c.id))
        with self.engine.connect() as connection:
            result = connection.execution_options(yield_per=batch).execute(query)
            for row in result:
                yield json.loads(row.answers)

    def list_surveys(self) -> list[dict[str, Any]]:
        counts = (select(submissions.c.survey_slug, func.count().label("responses"))
                  .group_by(submissions.c.survey_slug).subquery())
        query = (select(surveys.c.slug, surveys.c.title, surveys.c.status, surveys.c.created_on,
                        func.coalesce(counts.c.responses, 0).label("responses"))
                 .select_from(surveys.outerjoin(counts, counts.c.survey_slug == surveys.c.slug))
                 .order_by(surveys.c.slug))
        with self.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def set_status(self, slug: str, status: str) -> None:
        """Open or close a survey (a closed survey keeps its answers and refuses new ones)."""
        self.get_survey(slug)
        with self.writing(), self.engine.begin() as connection:
            connection.execute(update(surveys).where(surveys.c.slug == slug).values(status=status))

    def delete_survey(self, slug: str) -> int:
        """Delete a survey and all its answers; return how many answers were deleted."""
        self.get_survey(slug)
        with self.writing(), self.engine.begin() as connection:
            deleted = connection.execute(delete(submissions).where(submissions.c.survey_slug == slug)).rowcount
            connection.execute(delete(surveys).where(surveys.c.slug == slug))
        return deleted

    # answers
    def submit(self, slug: str, submission_id: str, answers: dict[str, Any], origin: str = "web",
               *, check_open: bool = True) -> Receipt:
        """Store one submission once; the return means it is committed.

        An identical replay of ``submission_id`` stores nothing and returns ``created=False``; the same id
        with different answers raises :class:`SubmissionConflict`.
        """
        pending = self._pending(slug, submission_id, answers, origin, check_open)
        if self._committer is not None:
            return self._committer.submit(pending)
        return self.submit_one(pending)

    def submit_later(self, slug: str, submission_id: str, answers: dict[str, Any], origin: str = "web") -> Future:
        """Like :meth:`submit` but return a future at once (group-commit stores only): the web app awaits
        it on its event loop instead of parking a worker thread for each submission."""
        if self._committer is None:
            raise RuntimeError("submit_later needs a store opened with group_commit=True")
        return self._committer.enqueue(self._pending(slug, submission_id, answers, origin, True))

    def submit_awaited(self, slug: str, submission_id: str, answers: dict[str, Any],
                       origin: str = "web") -> asyncio.Future:
        """Like :meth:`submit_later`, called on a running event loop (the web server's), which awaits what it
        returns: an ``asyncio.Future`` of that loop, settled there by the writer thread once committed."""
        if self._committer is None:
            raise RuntimeError("submit_awaited needs a store opened with group_commit=True")
        return self._committer.enqueue_awaited(submission.pending_awaited(
            known_slug(slug), submission_id, answers, origin, True, asyncio.get_running_loop()))

    @staticmethod
    def _pending(slug: str, submission_id: str, answers: dict[str, Any], origin: str, check_open: bool) -> Pending:
        return submission.pending(known_slug(slug), submission_id, answers, origin, check_open)

    def submit_one(self, pending: Pending) -> Receipt:
        """Store one submission in its own transaction, by the rules of submission.py (see :meth:`submit`)."""
        with self.writing():
            try:
                with self.engine.begin() as connection:
                    status = connection.execute(submission.STATUS, {"slug": pending.slug}).scalar()
                    refused = submission.refusal(pending, status)
                    if refused is not None:
                        raise refused
                    connection.execute(submission.INSERT, pending.row(today()))
                return Receipt(pending.submission_id, True)
            except IntegrityError:
                with self.engine.connect() as connection:
                    stored = connection.execute(submission.STORED_DIGEST, {
                        "slug": pending.slug, "submission_id": pending.submission_id}).scalar()
                outcome = submission.replay(pending, stored)
                if isinstance(outcome, Exception):
                    raise outcome from None
                return outcome

    def responses(self, slug: str) -> list[dict[str, Any]]:
        """The stored answers of a survey, oldest first: submission_id, received_on, origin, answers."""
        known_slug(slug)
        query = (select(submissions.c.submission_id, submissions.c.received_on, submissions.c.origin,
                        submissions.c.answers).where(submissions.c.survey_slug == slug).order_by(submissions.c.id))
        with self.engine.connect() as connection:
            return [{"submission_id": row.submission_id, "received_on": row.received_on, "origin": row.origin,
                     "answers": json.loads(row.answers)} for row in connection.execute(query)]

    def _blind_order(self, connection: Connection):
        """The SQL expression the answers are sorted by in arrival-blind order (``exports.arrival_blind``): the
        SHA-256 digest of the submission id, whose bytes sort as its hex digits do. PostgreSQL has the
        function; SQLite is given it on this connection (a Python function, deterministic)."""
        if self.engine.dialect.name == "postgresql":
            return func.sha256(func.convert_to(submissions.c.submission_id, "UTF8"))
        connection.connection.driver_connection.create_function(  # type: ignore[union-attr]
            "diaspora_sha256", 1, _sha256_digest, deterministic=True)
        return func.diaspora_sha256(submissions.c.submission_id)

    def blind_responses(self, slug: str, batch: int = 1000) -> Iterator[dict[str, Any]]:
        """The stored answers of a survey as :meth:`responses` gives them, in arrival-blind order, sorted by
        the database and read ``batch`` rows at a time from one query (one snapshot of the store), so that
        an export of 100,000 answers holds a batch, never the whole table."""
        known_slug(slug)
        with self.engine.connect() as connection:
            order = self._blind_order(connection)
            query = select(*_RESPONSE_COLUMNS).where(submissions.c.survey_slug == slug).order_by(order)
            for row in connection.execution_options(yield_per=batch).execute(query):
                yield _response(row)

    def blind_page(self, slug: str, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
        """How many answers the survey has, and the ``limit`` answers from ``offset`` on in the order of
        :meth:`blind_responses`, from one statement (so the count and the rows are of the same moment): the
        database sorts only the digests and ids, counting them as it goes, then reads that page's rows."""
        known_slug(slug)
        with self.engine.connect() as connection:
            order = self._blind_order(connection)
            page = (select(submissions.c.id.label("id"), order.label("blind"), func.count().over().label("total"))
                    .where(submissions.c.survey_slug == slug).order_by(order).offset(offset).limit(limit)
                    .subquery())
            query = (select(*_RESPONSE_COLUMNS, page.c.total)
                     .select_from(submissions.join(page, submissions.c.id == page.c.id)).order_by(page.c.blind))
            rows = connection.execute(query).all()
        if not rows:  # past the last answer (or none): the count on its own
            return self.count(slug), []
        return int(rows[0].total), [_response(row) for row in rows]

    def count(self, slug: str) -> int:
        known_slug(slug)
        with self.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(submissions)
                                      .where(submissions.c.survey_slug == slug)).scalar() or 0


_RESPONSE_COLUMNS = (submissions.c.submission_id, submissions.c.received_on, submissions.c.origin,
                     submissions.c.answers)


def _response(row: Any) -> dict[str, Any]:
    return {"submission_id": row.submission_id, "received_on": row.received_on, "origin": row.origin,
            "answers": json.loads(row.answers)}


def _sha256_digest(submission_id: str) -> bytes:
    return hashlib.sha256(str(submission_id).encode()).digest()


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_exc: object) -> None:
        return None
