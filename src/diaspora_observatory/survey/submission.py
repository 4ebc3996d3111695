"""What becomes of one submission, decided in one place for every way of storing it.

A submission is stored by :meth:`SurveyStore.submit_one` (one SQLAlchemy transaction each), by the
group committer (many in one transaction, on the driver connection; ``groupcommit.py``) or by an import
of answers exported from another platform (a whole file in one transaction; ``imports.py``). All three
follow the rules below and run the statements below, so they cannot drift apart
(tests/survey/test_survey_storage.py runs one table of cases through the three):

1. a survey that is not stored refuses it (:class:`SurveyNotFound`);
2. a closed survey refuses it, unless the caller stores it without that check (an import of answers
   collected while the survey was open);
3. an id already stored is a replay when its answers are the same (nothing stored, ``created=False``) and a
   :class:`SubmissionConflict` otherwise; so is an id met twice in one arrival (a batch, a file), as if the
   first were stored;
4. anything else is inserted with the day of receipt, and the reply comes after the commit;
5. an import asked to (``replace``: a corrected export) replaces, instead of a conflict, the answers an
   earlier import stored under the id (their origin starts with ``import:``) while no published snapshot
   holds them; answers collected on the web are never replaced, and published answers never change
   (snapshots only grow: two publications that differ by one respondent's answers would show them).

The statements are SQLAlchemy Core; the group committer compiles them once for its driver
(:func:`driver_statement`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Engine, Insert, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

from diaspora_observatory.survey.errors import SubmissionConflict, SurveyClosed, SurveyNotFound
from diaspora_observatory.survey.schema import submissions, surveys

# The columns a submission is inserted with, in this order (the rest are NULL until a snapshot marks it).
INSERTED = ("survey_slug", "submission_id", "answers", "answers_hash", "received_on", "origin")
STATUS = select(surveys.c.status).where(surveys.c.slug == bindparam("slug"))
INSERT = insert(submissions)
STORED_DIGEST = select(submissions.c.answers_hash).where(submissions.c.survey_slug == bindparam("slug"),
                                                         submissions.c.submission_id == bindparam("submission_id"))
# What an import meets: the hash, origin and snapshot stored under each of its ids (``ids``: a few hundred).
STORED = (select(submissions.c.submission_id, submissions.c.answers_hash, submissions.c.origin,
                 submissions.c.snapshot)
          .where(submissions.c.survey_slug == bindparam("slug"),
                 submissions.c.submission_id.in_(bindparam("ids", expanding=True))))
# Rule 5: the new answers over an earlier import's (the day of receipt stays the first one's).
REPLACE = (update(submissions)
           .where(submissions.c.survey_slug == bindparam("slug"), submissions.c.submission_id == bindparam("stored_id"))
           .values(answers=bindparam("new_answers"), answers_hash=bindparam("new_hash"),
                   origin=bindparam("new_origin")))
# Rule 3 for a batch of an import: inserts its rows but those whose id is stored; the import then reads
# back what is stored under the batch's ids when fewer rows were inserted than sent (STORED) and settles
# the rows left out by :func:`replay`. An id that another writer stores while the import runs is left
# out the same way (the database waits for that writer's transaction), so a concurrent writer never
# makes the import fail on its unique key. One statement per dialect: ``ON CONFLICT DO NOTHING`` is
# written the same by both, but SQLAlchemy builds it per dialect.
_INSERT_NEW = {name: insert_for(submissions).on_conflict_do_nothing(index_elements=["survey_slug", "submission_id"])
               for name, insert_for in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))}


# The group committer's whole batch on PostgreSQL in one statement, run outside a transaction block, so that
# it is its own durable transaction: the database commits it (a flush to disk) before it says the statement
# is done, and psycopg returns only then. One round trip instead of four (BEGIN, STATUS, INSERT, COMMIT).
# Every CTE of one statement reads the same snapshot, so the status it returns is the one the insert was
# decided by (rules 1 and 2, as in one transaction). It inserts the rows of an open survey (or of a caller
# that stores without that check) and returns the statuses it read and the keys it inserted: the committer
# settles each submission from what the database says it stored, by :func:`refusal`. The batch's rows go in
# as arrays (one per column), so the statement's text is the same whatever the batch's size (psycopg
# prepares it once). An id already stored fails the whole statement on the unique key (rule 3: the
# committer then stores the batch one submission at a time, as before).
BATCH_POSTGRES = """
WITH batch AS (
    SELECT * FROM unnest(%(slugs)s::text[], %(ids)s::text[], %(answers)s::text[], %(hashes)s::text[],
                         %(origins)s::text[], %(check_open)s::boolean[])
           AS b(survey_slug, submission_id, answers, answers_hash, origin, check_open)
), status AS (
    SELECT slug, status FROM surveys WHERE slug IN (SELECT survey_slug FROM batch)
), inserted AS (
    INSERT INTO submissions (survey_slug, submission_id, answers, answers_hash, received_on, origin)
    SELECT b.survey_slug, b.submission_id, b.answers, b.answers_hash, %(received_on)s, b.origin
    FROM batch AS b JOIN status AS s ON s.slug = b.survey_slug
    WHERE s.status = 'open' OR NOT b.check_open
    RETURNING survey_slug, submission_id
)
SELECT (SELECT array_agg(slug) FROM status), (SELECT array_agg(status) FROM status),
       (SELECT array_agg(survey_slug) FROM inserted), (SELECT array_agg(submission_id) FROM inserted)
"""


def batch_postgres(rows: list[Pending], received_on: dt.date) -> dict[str, Any]:
    """The parameters of :data:`BATCH_POSTGRES` for ``rows`` (distinct keys), received on ``received_on``."""
    return {"slugs": [row.slug for row in rows], "ids": [row.submission_id for row in rows],
            "answers": [row.text for row in rows], "hashes": [row.digest for row in rows],
            "origins": [row.origin for row in rows], "check_open": [row.check_open for row in rows],
            "received_on": received_on}


def insert_new(dialect_name: str) -> Insert:
    """The INSERT of an import's batch for a database of ``dialect_name`` (``postgresql``, ``sqlite``)."""
    return _INSERT_NEW[dialect_name]


IMPORTED = "import:"  # the origin of answers an import stored: "import:kobo", "import:limesurvey"


@dataclass(frozen=True)
class Receipt:
    """The outcome of a stored submission: ``created`` is False for an identical replay and for answers
    that replaced an earlier import's (``replaced``, rule 5)."""

    submission_id: str
    created: bool
    replaced: bool = False


@dataclass
class Pending:
    """A submission on its way to the database, with the future its caller waits on (group commit): a
    thread's ``concurrent.futures.Future``, or, when ``loop`` is given, an ``asyncio.Future`` of that event loop,
    which the writer settles from the loop's own thread (one wake-up of the loop for a whole batch)."""

    slug: str
    submission_id: str
    text: str  # the answers as canonical JSON
    digest: str  # SHA-256 of ``text``
    origin: str
    check_open: bool
    future: Future | asyncio.Future = field(default_factory=Future)
    loop: asyncio.AbstractEventLoop | None = None

    def row(self, received_on: Any) -> dict[str, Any]:
        """The values it is inserted with (:data:`INSERTED`); ``received_on`` as the driver takes a date."""
        return {"survey_slug": self.slug, "submission_id": self.submission_id, "answers": self.text,
                "answers_hash": self.digest, "received_on": received_on, "origin": self.origin}

    def replacement(self) -> dict[str, Any]:
        """The values :data:`REPLACE` puts its answers in with (rule 5)."""
        return {"slug": self.slug, "stored_id": self.submission_id, "new_answers": self.text,
                "new_hash": self.digest, "new_origin": self.origin}


# What json.dumps(answers, sort_keys=True, ensure_ascii=False, separators=(",", ":")) builds for every call
# (an encoder with these options), built once: the same text, without a third of the time of each call.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical(answers: dict[str, Any]) -> str:
    """The answers as canonical JSON: equal answers give equal text (and hash)."""
    return _CANONICAL.encode(answers)


def pending(slug: str, submission_id: str, answers: dict[str, Any], origin: str, check_open: bool,
            future: Future | None = None) -> Pending:
    """``future``: one that the caller shares (an import, which waits on no reply: a new future per
    answer cost it 2 us of 17 us a row); a new one otherwise."""
    return pending_text(slug, submission_id, canonical(answers), origin, check_open, future)


def pending_text(slug: str, submission_id: str, text: str, origin: str, check_open: bool,
                 future: Future | None = None) -> Pending:
    """:func:`pending` of answers already written as their canonical JSON ``text``."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    if future is None:
        return Pending(slug, submission_id, text, digest, origin, check_open)
    return Pending(slug, submission_id, text, digest, origin, check_open, future)


def pending_awaited(slug: str, submission_id: str, answers: dict[str, Any], origin: str, check_open: bool,
                    loop: asyncio.AbstractEventLoop) -> Pending:
    """:func:`pending` whose caller awaits it on ``loop`` (the web server's event loop): its future is an
    ``asyncio.Future`` of ``loop`` (see :class:`Pending`)."""
    text = canonical(answers)
    return Pending(slug, submission_id, text, hashlib.sha256(text.encode()).hexdigest(), origin, check_open,
                   loop.create_future(), loop)


def today() -> dt.date:
    """The date of receipt: the only time the observatory keeps about a submission."""
    return dt.date.today()


def not_found(slug: str) -> SurveyNotFound:
    return SurveyNotFound(f"no survey '{slug}'", "run `diaspora survey list` to see the surveys")


def conflict(submission_id: str) -> SubmissionConflict:
    return SubmissionConflict(f"submission {submission_id} was already received with other answers",
                              "send new answers with a new submission_id")


def refusal(submission: Pending, status: str | None) -> SurveyNotFound | SurveyClosed | None:
    """Rules 1 and 2, given the survey's stored status (None: no such survey): why the survey refuses
    ``submission``, or None when it takes it."""
    if status is None:
        return not_found(submission.slug)
    if submission.check_open and status != "open":
        return SurveyClosed(f"the survey '{submission.slug}' is closed", "it no longer accepts answers")
    return None


def replay(submission: Pending, stored_digest: str | None, *,
           replaceable: bool = False) -> Receipt | SurveyNotFound | SubmissionConflict:
    """Rules 3 and 5, once the insert met a stored id: ``stored_digest`` is the hash stored under it (None: the
    refused insert was not a stored id but the survey deleted meanwhile); ``replaceable``, what
    :func:`replaceable` says of the answers stored."""
    if stored_digest is None:
        return not_found(submission.slug)
    if stored_digest == submission.digest:
        return Receipt(submission.submission_id, False)
    if replaceable:
        return Receipt(submission.submission_id, False, replaced=True)
    return conflict(submission.submission_id)


def imported(origin: str) -> bool:
    """Whether answers stored with ``origin`` came from an import (not from the web)."""
    return origin.startswith(IMPORTED)


def replaceable(stored_origin: str, snapshot: int | None, replace: bool) -> bool:
    """Rule 5: whether other answers may replace those stored with ``stored_origin`` in ``snapshot`` (None:
    not published yet); ``replace``: an import asked to."""
    return replace and imported(stored_origin) and snapshot is None


@dataclass(frozen=True)
class DriverStatement:
    """A statement compiled for one database driver, and the order its parameters go in."""

    sql: str
    names: tuple[str, ...] | None  # positional drivers (SQLite's ``?``); None: named (psycopg's ``%(name)s``)

    @cached_property
    def _positional(self) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
        """The values in the statement's order, picked in C (an import's 100,000 rows spent a tenth of their
        time in a generator per row doing this); one name gives a tuple of one, as the generator did."""
        names = self.names or ()
        if len(names) == 1:
            return lambda values: (values[names[0]],)
        return itemgetter(*names)

    def parameters(self, values: dict[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        return values if self.names is None else self._positional(values)


def driver_statement(engine: Engine, statement: ClauseElement, columns: tuple[str, ...] = ()) -> DriverStatement:
    """``statement`` as ``engine``'s driver runs it (``columns``: those an INSERT sets; compiled for
    executemany, so PostgreSQL's is not given a RETURNING of the new ids, which nobody reads)."""
    # a statement (not DDL) compiles to an SQLCompiler, which knows its parameters' order
    compiled = cast(SQLCompiler, statement.compile(dialect=engine.dialect, column_keys=list(columns) or None,
                                                   for_executemany=True))
    names = tuple(compiled.positiontup or ()) if compiled.positional else None
    return DriverStatement(str(compiled), names)
