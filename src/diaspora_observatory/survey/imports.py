"""Read answers exported from KoboToolbox, ODK Central or LimeSurvey (CSV) into a survey of the observatory.

Every column is mapped through the form (:mod:`.import_columns`): by name or by label, with group
paths, split ``select_multiple`` columns and LimeSurvey array items. What the import did is told in an
:class:`ImportSummary`: rows read and stored, rows skipped and why, the metadata columns left out and
the columns that match no question, by name. The platforms' metadata (start and end times, submission
time, device, user, IP address, referrer …) is never stored: the observatory keeps no precise times.

The import is all or nothing, in one transaction. The file is read as a stream (``export_stream.py``:
checked and counted first, then read again a batch of rows at a time), every row checked against the form
like a web submission and stored with its batch, so memory does not grow with the file. An invalid row,
a conflict with what is stored, or a file in which nothing matches the form stops the whole import with
the row and column named and rolls back every batch, so nothing is stored and a corrected file can simply
be imported again. A row's platform id becomes its submission id, stored by the rules every submission
follows (``submission.py``, without the check that the survey is open): importing the same file twice
stores nothing new, and ``replace`` lets a corrected export replace the answers an earlier import stored
under the same ids (never answers collected on the web). An id that another writer (an import, the web
form) stores while the import runs is settled by the same rules when its batch meets it (:class:`_Batches`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import text as sql_text
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from diaspora_observatory.survey.errors import ResponsesImportError, SubmissionInvalid
from diaspora_observatory.survey.export_stream import ExportFile, open_export
from diaspora_observatory.survey.import_columns import (
    ANSWER,
    CHOICE,
    OTHER_TEXT,
    ColumnMatch,
    kobo_headers,
    mapped,
    match_kobo,
    match_limesurvey,
    squash,
    squeeze,
)
from diaspora_observatory.survey.model import OTHER, Form, Question
from diaspora_observatory.survey.storage import SurveyStore
from diaspora_observatory.survey.submission import (
    IMPORTED,
    INSERTED,
    REPLACE,
    STATUS,
    STORED,
    DriverStatement,
    Pending,
    Receipt,
    canonical,
    driver_statement,
    imported,
    insert_new,
    pending,
    pending_text,
    refusal,
    replaceable,
    replay,
    today,
)
from diaspora_observatory.survey.validation import MAX_TEXT, AnswerChecker
from diaspora_observatory.untrusted import is_plain_text

FORMATS = ("kobo", "odk", "limesurvey")
# KoboToolbox runs on ODK's tools: a submission has the same instance id on both, so both formats share
# one id prefix and a submission exported from either is stored once ("kobo-" as earlier imports wrote).
ID_PREFIX = {"kobo": "kobo", "odk": "kobo", "limesurvey": "limesurvey"}
MAX_SUBMISSION_ID = 64
# Submission id columns, best first: KoboToolbox's _uuid, then the instance id both platforms write.
KOBO_ID_COLUMNS = ("_uuid", "meta/instanceID", "meta-instanceID", "instanceID", "KEY")
# Metadata of KoboToolbox and ODK Central exports (what the platform records about a submission) and the
# metadata questions KoboToolbox adds to a form: never stored. Any column starting with '_' is Kobo's own.
KOBO_META = {"start", "end", "today", "deviceid", "username", "simserial", "subscriberid", "phonenumber", "audit",
             "email", "__version__", "meta/instanceID", "meta/instanceName", "meta/rootUuid", "meta/deprecatedID",
             "meta/audit", "formhub/uuid", "SubmissionDate", "meta-instanceID", "meta-instanceName",
             "meta-audit", "instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
             "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion", "PARENT_KEY"}
LIMESURVEY_META = {"id", "submitdate", "lastpage", "startlanguage", "seed", "token", "startdate", "datestamp",
                   "ipaddr", "refurl", "interviewtime"}
LIMESURVEY_OTHER = "-oth-"
CHOSEN = {"1", "y", "yes", "true"}
NOT_CHOSEN = {"", "0", "n", "no", "false"}
FLAGS = CHOSEN | NOT_CHOSEN
MAX_SPELLINGS = 10_000  # cells of choice questions remembered with the choice they were read as
EMPTY = {"n/a", "na"}  # what some exports write for "no answer" in a number or choice column
Table = dict[str, set[ColumnMatch]]
Rows = Generator[tuple[int, str, dict[str, Any]], None, None]  # (row, submission id, clean answers)


@dataclass
class ImportSummary:
    """What an import read, stored and left out (the same fields as the observatory's other imports).

    ``skipped`` holds (row, reason); ``unmatched_columns`` the columns that match no question, named;
    ``metadata_columns`` the platform's columns that are never stored; ``notices`` anything else the user
    should know (answers to questions that did not apply, the HXL row, the header kind)."""

    file: str
    read: int = 0
    stored: int = 0
    already_stored: int = 0
    replaced: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    matched_columns: dict[str, str] = field(default_factory=dict)
    unmatched_columns: list[str] = field(default_factory=list)
    metadata_columns: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The summary as the CLI prints it."""
        shown = [f"{self.file}: {self.read} {'row' if self.read == 1 else 'rows'} read: {self.stored} new, "
                 f"{self.already_stored} already stored"
                 + (f", {self.replaced} replaced" if self.replaced else "")
                 + (f", {len(self.skipped)} skipped" if self.skipped else "")]
        shown.append(f"Columns matched to questions: {len(self.matched_columns)}")
        if self.metadata_columns:
            shown.append("Not stored (platform metadata; the observatory keeps no precise times, devices or "
                         f"user names): {', '.join(self.metadata_columns)}")
        if self.unmatched_columns:
            shown.append(f"Columns that match no question of the form (not imported): "
                         f"{', '.join(self.unmatched_columns)}")
        shown += [f"Skipped row {row}: {reason}" for row, reason in self.skipped]
        shown += self.notices
        return shown


@dataclass
class _Layout:
    """How the columns of one file map to the form."""

    matches: dict[str, ColumnMatch]
    id_column: str
    by_label: bool


def _match(form: Form, column: str, export_format: str, table: Table) -> set[ColumnMatch]:
    if export_format == "limesurvey":
        return match_limesurvey(form, column)
    return match_kobo(column, table)


def _is_metadata(column: str, export_format: str) -> bool:
    if export_format == "limesurvey":
        return column in LIMESURVEY_META
    return column in KOBO_META or column.startswith("_")


def _layout(form: Form, header: list[str], export_format: str, path: Path, summary: ImportSummary,
            column_map: Sequence[str], table: Table) -> _Layout:
    seen: dict[str, int] = {}
    for index, column in enumerate(header, start=1):
        if column in seen:
            raise ResponsesImportError(f"{path.name} row 1: the column '{column}' appears twice (columns "
                                       f"{seen[column]} and {index}); which one holds the answers is unclear",
                                       "export with XML names as headers (KoboToolbox: 'XML values and headers') "
                                       "or rename one of the columns")
        seen[column] = index
    given: dict[str, ColumnMatch] = {}
    for spec in column_map:
        try:
            column, match = mapped(form, spec)
        except ValueError as error:
            raise ResponsesImportError(f"--map: {error}", "write --map COLUMN=QUESTION, with a question name of "
                                       "the form (or QUESTION/CHOICE for one choice of a select_multiple)") from None
        if column not in {squeeze(name) for name in header}:
            raise ResponsesImportError(f"--map {spec}: {path.name} has no column '{column}'",
                                       "copy the column's header exactly as it is in the file")
        given[column] = match
    kobo_id = next((column for column in KOBO_ID_COLUMNS if column in header), "")
    limesurvey_like = "id" in header and "submitdate" in header
    if export_format == "limesurvey":
        if "id" not in header:
            looks = f"; it looks like a KoboToolbox or ODK export (it has {kobo_id})" if kobo_id else ""
            raise ResponsesImportError(f"{path.name}: no 'id' column, which a LimeSurvey export starts with{looks}",
                                       "pass --format kobo (or odk) for KoboToolbox and ODK Central exports"
                                       if kobo_id else "export LimeSurvey responses with the response id (the first "
                                       "column of a default export) and headings 'Question code'")
        id_column = "id"
    else:
        id_column = kobo_id
        if not id_column:
            looks = "; it looks like a LimeSurvey export (id, submitdate)" if limesurvey_like else ""
            raise ResponsesImportError(f"{path.name}: no submission id column ({', '.join(KOBO_ID_COLUMNS)}){looks}",
                                       "pass --format limesurvey for LimeSurvey exports" if limesurvey_like else
                                       "export with the _uuid or meta/instanceID column included")
    matches: dict[str, ColumnMatch] = {}
    for column in header:
        found = {given[squeeze(column)]} if squeeze(column) in given else _match(form, column, export_format, table)
        targets = {(match.question, match.role, match.choice) for match in found}
        if len(targets) > 1:
            names = sorted({match.question + (f"/{match.choice}" if match.choice else "") for match in found})
            raise ResponsesImportError(f"{path.name} row 1, column '{column}': this header fits {' and '.join(names)} "
                                       "(questions with the same label or code)",
                                       "export with XML names as headers, or settle it with --map COLUMN=QUESTION")
        if targets:
            by = min((match.by for match in found), key=("map", "name", "label").index)
            question, role, choice = next(iter(targets))
            twin = next((other for other, match in matches.items()
                         if (match.question, match.role, match.choice) == (question, role, choice)), None)
            if twin is not None:
                # Two columns for one answer (a name and a label header, or a --map onto a matched question).
                raise ResponsesImportError(f"{path.name} row 1: the columns '{twin}' and '{column}' both hold "
                                           f"{question}{f'/{choice}' if choice else ''}; which one is the answer is "
                                           "unclear", "remove one of the columns, or map one elsewhere with --map")
            matches[column] = ColumnMatch(question, role, choice, by)
        elif _is_metadata(column, export_format):
            summary.metadata_columns.append(column)
        else:
            summary.unmatched_columns.append(column)
    if not matches:
        labels = ", ".join(sorted({language or "the plain label" for language in form.languages})) or "none"
        raise ResponsesImportError(
            f"{path.name}: no column matches a question of the form '{form.form_id}' (by name, by label in "
            f"{labels}, with or without group paths); nothing was stored; its columns are: "
            f"{', '.join(header[:12])}{' …' if len(header) > 12 else ''}",
            "check that the file is an export of this survey's form (`diaspora survey list`); if its headers "
            "differ, map them with --map COLUMN=QUESTION"
            + ("; LimeSurvey exports are read with headings 'Question code'" if export_format == "limesurvey" else ""))
    # KoboToolbox writes names or labels for the whole file (one export setting); a question without a
    # label has its name in both, so the larger count tells which the file has.
    by_label = sum(match.by == "label" for match in matches.values()) > \
        sum(match.by == "name" for match in matches.values())
    summary.matched_columns = {column: match.question + (f"/{match.choice}" if match.choice else "")
                               for column, match in matches.items()}
    if by_label:
        summary.notices.append("Headers are the questions' labels (KoboToolbox 'Labels' export): answers are read as "
                               "choice labels")
    return _Layout(matches, id_column, by_label)


def _choice_lookup(form: Form, question: Question, labels_first: bool) -> list[dict[str, set[str]]]:
    """Spelling -> choice names, tried in order: exact names, exact labels, then case and spacing
    ignored, then LimeSurvey's squashed codes. A spelling that fits two choices is refused, not picked."""
    names: dict[str, set[str]] = {}
    labels: dict[str, set[str]] = {}
    loose: dict[str, set[str]] = {}
    squashed: dict[str, set[str]] = {}
    for choice in form.options(question):
        names.setdefault(choice.name, set()).add(choice.name)
        for text in choice.labels.values():
            if text:
                labels.setdefault(squeeze(text), set()).add(choice.name)
        for spelling in (choice.name, *choice.labels.values()):
            if spelling:
                loose.setdefault(squeeze(spelling).casefold(), set()).add(choice.name)
        squashed.setdefault(squash(choice.name), set()).add(choice.name)
    return [labels, names, loose, squashed] if labels_first else [names, labels, loose, squashed]


class _Reader:
    """Turns the cells of one row into raw answers for :func:`validate_answers`."""

    def __init__(self, form: Form, layout: _Layout, export_format: str, path: Path, header: list[str]) -> None:
        self.form, self.layout, self.export_format, self.path = form, layout, export_format, path
        self.lookups: dict[str, list[dict[str, set[str]]]] = {}
        self.not_applicable = 0  # cells 'n/a' read as no answer (said in the summary)
        # Worked out once per file, not per cell (a profile at 10,000 rows found the form's questions
        # searched and each cell's choice looked up anew a third of the import's time): each matched
        # column's place in the row and its question, and the choices already read from a spelling.
        self.columns = [(header.index(column), column, match, form.question(match.question))
                        for column, match in layout.matches.items()]
        self.columns_by_index = {index: question for index, _, _, question in self.columns}
        self.answerable = {question.name for question in form.answer_questions()}
        self.read: dict[tuple[str, str], str] = {}  # (question, cell) -> choice, at most MAX_SPELLINGS

    def where(self, number: int, column: str) -> str:
        return f"{self.path.name} row {number}, column '{column}'"

    def choice(self, question: Question, value: str, number: int, column: str) -> str:
        known = self.read.get((question.name, value))
        if known is not None:
            return known
        found = self._choice(question, value, number, column)
        if len(self.read) < MAX_SPELLINGS:  # a file of a million different spellings keeps its memory bounded
            self.read[(question.name, value)] = found
        return found

    def _choice(self, question: Question, value: str, number: int, column: str) -> str:
        if self.export_format == "limesurvey" and value == LIMESURVEY_OTHER:
            value = OTHER
        lookups = self.lookups.get(question.name)
        if lookups is None:  # built once per question (setdefault built it for every cell: 77 % of an import)
            lookups = self.lookups[question.name] = _choice_lookup(self.form, question, self.layout.by_label)
        for index, lookup in enumerate(lookups):
            if index == 3 and self.export_format != "limesurvey":
                break
            key = squeeze(value) if index < 2 else squeeze(value).casefold() if index == 2 else squash(value)
            found = lookup.get(key)
            if found and len(found) == 1:
                return next(iter(found))
            if found:
                raise ResponsesImportError(f"{self.where(number, column)}: '{value[:40]}' fits the choices "
                                           f"{' and '.join(sorted(found))} of {question.name}",
                                           "export answer codes (XML values) instead of labels")
        names = ", ".join(choice.name for choice in self.form.options(question))
        raise ResponsesImportError(f"{self.where(number, column)}: '{value[:40]}' is not a choice of {question.name}",
                                   f"the form's choices are: {names}; export answer codes (XML values)")

    def joined(self, question: Question, value: str, number: int, column: str) -> list[str]:
        """A select_multiple written in one cell: names split on spaces, or (a labels export) labels joined
        with spaces, read only if there is exactly one way to read them."""
        if not self.layout.by_label:
            return [self.choice(question, part, number, column) for part in value.split()]
        # A choice without a label is written with its name, as KoboToolbox does.
        spellings: dict[str, set[str]] = {}
        for option in self.form.options(question):
            for text in [text for text in option.labels.values() if text.strip()] or [option.name]:
                spellings.setdefault(squeeze(text), set()).add(option.name)
        found = _segment(squeeze(value), spellings)
        if found is None:
            raise ResponsesImportError(f"{self.where(number, column)}: '{value[:60]}' cannot be split into choices of "
                                       f"{question.name} in exactly one way",
                                       "export with 'separate columns' for select_multiple questions, or with XML "
                                       "values")
        return found

    def row(self, cells: list[str], number: int) -> dict[str, Any]:
        """The raw answers of one row (its cells in the header's order)."""
        answers: dict[str, Any] = {}
        chosen: dict[str, list[str]] = {}
        joined_column: dict[str, str] = {}
        others: dict[str, str] = {}
        for index, column, match, question in self.columns:
            value = cells[index].strip()
            if match.role == CHOICE:
                flag = value.lower()
                if flag not in FLAGS:
                    raise ResponsesImportError(f"{self.where(number, column)}: '{value[:40]}' is not 1/0 (or Y/empty) "
                                               f"for the choice {match.choice} of {match.question}",
                                               "export the file again without editing it by hand")
                chosen.setdefault(match.question, [])
                if flag in CHOSEN:
                    chosen[match.question].append(match.choice)
                continue
            if match.role == OTHER_TEXT:
                if value:
                    others[match.question] = value
                    answers.setdefault(f"{match.question}_other", value)
                continue
            if value and value.lower() in EMPTY and question.kind != "text":
                self.not_applicable += 1
                continue
            if not value:
                continue
            if question.kind == "select_one":
                answers[question.name] = self.choice(question, value, number, column)
            elif question.kind == "select_multiple":
                answers[question.name] = self.joined(question, value, number, column)
                joined_column[question.name] = column
            else:
                answers[question.name] = value
        for name, names in chosen.items():
            if name in answers and sorted(answers[name]) != sorted(names):
                columns = [column for column, match in self.layout.matches.items() if match.question == name]
                raise ResponsesImportError(f"{self.path.name} row {number}: column '{joined_column[name]}' says "
                                           f"{' '.join(answers[name]) or 'nothing'} but the columns "
                                           f"{', '.join(c for c in columns if c != joined_column[name])} say "
                                           f"{' '.join(names) or 'nothing'}",
                                           "export the file again without editing it by hand")
            if names:
                answers[name] = names
        for name, text in others.items():
            question = self.form.question(name)
            if question.kind == "select_multiple" and OTHER not in answers.get(name, []):
                answers[name] = [*answers.get(name, []), OTHER]
            if f"{name}_other" not in self.answerable:
                raise ResponsesImportError(f"{self.path.name} row {number}: an 'other' text for {name} "
                                           f"('{text[:40]}') but the form has no question {name}_other to hold it",
                                           f"add 'or_other' to {name} in the form (survey add --replace), or "
                                           "clear the column")
        return answers


def _segment(text: str, labels: dict[str, set[str]]) -> list[str] | None:
    """``text`` as labels joined by single spaces, if there is exactly one way to read it (a label that
    two choices share is two ways)."""
    ways: dict[int, list[list[str]]] = {0: [[]]}
    for start in range(len(text) + 1):
        if start not in ways:
            continue
        for label, names in labels.items():
            end = start + len(label)
            if label and text.startswith(label, start) and (end == len(text) or text[end] == " "):
                following = end + 1 if end < len(text) else end
                # At most two ways are kept: two already mean the cell is ambiguous.
                ways[following] = [*ways.get(following, []),
                                   *([*way, name] for way in ways[start] for name in sorted(names))][:2]
    found = ways.get(len(text), [])
    return found[0] if len(found) == 1 else None


def _submission_id(raw: str, export_format: str, path: Path, number: int, column: str) -> str:
    text = raw.strip().removeprefix("uuid:").strip()
    if not text:
        raise ResponsesImportError(f"{path.name} row {number}, column '{column}': empty submission id",
                                   "every row needs its id; export the file again without editing it by hand")
    prefix = ID_PREFIX[export_format]
    submission_id = f"{prefix}-{text}"
    if len(submission_id) > MAX_SUBMISSION_ID or not text.isprintable():
        raise ResponsesImportError(f"{path.name} row {number}, column '{column}': the submission id '{text[:40]}' is "
                                   f"not an id the platform writes (printable, at most "
                                   f"{MAX_SUBMISSION_ID - len(prefix) - 1} characters)",
                                   "export the file again without editing it by hand")
    return submission_id


def _fits(form: Form, export_format: str, table: Table) -> Callable[[str], bool]:
    """Whether a header cell is a column of the form or of the platform (which delimiter is the file's)."""
    return lambda column: _is_metadata(column, export_format) or bool(_match(form, column, export_format, table))


class _RowChecks:
    """The checks of one file's rows, one row at a time (:meth:`row`), and what they found (:meth:`finish`):
    cells read into raw answers (:class:`_Reader`), checked against the form like a web submission."""

    def __init__(self, form: Form, export: ExportFile, layout: _Layout, export_format: str,
                 summary: ImportSummary) -> None:
        self.form, self.export, self.layout, self.export_format, self.summary = (form, export, layout, export_format,
                                                                                 summary)
        header = export.header
        self.reader = _Reader(form, layout, export_format, export.path, header)
        self.checker = AnswerChecker(form)
        self.matched = {name: [column for column, match in layout.matches.items() if match.question == name]
                        for name in {match.question for match in layout.matches.values()}}
        self.id_index = header.index(layout.id_column)
        self.completed = header.index("submitdate") if export_format == "limesurvey" and "submitdate" in header \
            else None
        self.dropped: dict[str, int] = {}
        self.yielded = 0

    def row(self, number: int, cells: list[str]) -> tuple[int, str, dict[str, Any]] | None:
        """(row, submission id, clean answers) of one row to store, None for a row left out (told in the
        summary); :class:`ResponsesImportError` naming row and column for a row that cannot be read or
        breaks the form."""
        path, header, summary = self.export.path, self.export.header, self.summary
        if len(cells) != len(header):
            raise ResponsesImportError(f"{path.name} row {number}: {len(cells)} cells where the header has "
                                       f"{len(header)}", "export the file again without editing it by hand")
        if number == 2 and all(cell.strip().startswith("#") for cell in cells if cell.strip()):
            summary.skipped.append((number, "HXL hashtags (#…) under the header, not an answer"))
            return None
        summary.read += 1
        if self.completed is not None and not cells[self.completed].strip():
            summary.skipped.append((number, "not completed in LimeSurvey (no submitdate)"))
            return None
        submission_id = _submission_id(cells[self.id_index], self.export_format, path, number,
                                       self.layout.id_column)
        answers = self.reader.row(cells, number)
        if not answers:
            summary.skipped.append((number, "no answer in any column matched to a question"))
            return None
        try:
            clean = self.checker.validate(answers)
        except SubmissionInvalid as error:
            problem = error.problems[0]
            columns = self.matched.get(problem.field, [])
            where = f", column '{columns[0]}'" if columns else ""
            raise ResponsesImportError(f"{path.name} row {number}{where}, question {problem.field}: {problem.text()}",
                                       "correct the row in the export or the form, then import again; nothing was "
                                       "stored") from error
        if len(clean) != len(answers):
            for name in set(answers) - set(clean):
                self.dropped[name] = self.dropped.get(name, 0) + 1
        self.yielded += 1
        return number, submission_id, clean

    def finish(self) -> None:
        """Once every row is read: refused when no row had an answer to store; notices in the summary."""
        summary = self.summary
        if not self.yielded:
            reasons = "; ".join(sorted({reason for _, reason in summary.skipped})) or "no rows"
            raise ResponsesImportError(f"{self.export.path.name}: no row has an answer to store ({reasons}); nothing "
                                       "was stored", "check that the export holds answers to this survey's questions")
        if self.reader.not_applicable:
            summary.notices.append(f"{self.reader.not_applicable} cells holding 'n/a' in number or choice columns were "
                                   "read as no answer")
        if self.dropped:
            summary.notices.append("Answers to questions that did not apply (their relevant condition was false) "
                                   "were not stored: " + ", ".join(f"{name} ({count} rows)" for name, count in
                                                                   sorted(self.dropped.items())))


def _checked_rows(form: Form, export: ExportFile, layout: _Layout, export_format: str,
                  summary: ImportSummary) -> Rows:
    """(row, submission id, clean answers) of each row of ``export`` to store, read as the rows are asked
    for; ``summary`` counts what was read and left out. Raises :class:`ResponsesImportError` naming row
    and column for a row that cannot be read or breaks the form, and, once every row is read, when none
    had an answer to store."""
    checks = _RowChecks(form, export, layout, export_format, summary)
    for number, cells in export.rows():
        checked = checks.row(number, cells)
        if checked is not None:
            yield checked
    checks.finish()


_DECLINED = object()  # a cell the column checks leave to the row checks (an error to name, an 'n/a' to count)
_encode_string = json.encoder.encode_basestring  # what canonical()'s json.dumps writes a string with (in C)


class _ColumnChecks:
    """The rows of a batch checked a column at a time, for the forms and files where that gives exactly what
    the row checks give (:meth:`for_file`): every matched column the whole answer to a ``select_one`` or
    ``text`` question of a form without ``relevant``, ``constraint`` or ``choice_filter`` anywhere, so each
    answer depends on its own cell alone. A batch comes back as (row, submission id, canonical JSON of
    the clean answers), the text :func:`~.submission.canonical` writes for them; a batch with anything the
    row checks would refuse, leave out or count (a row of another width, the HXL row, an empty required
    cell, a row with no answer, an 'n/a', a cell that is not one of the choices, a text that is too long or
    not text, an unreadable id) comes back as None, and the row checks read it, so that every error names
    the same row, column and question as before, and in the same order.

    Issue 15 item 2: with the answers checked and written row by row, checking and canonical JSON were most
    of an import's processor time; here a column's cells go through one dictionary look-up each (a cell
    is read once per spelling: a choice column holds a few), the JSON is joined from each answer's text."""

    def __init__(self, rows: _RowChecks, plan: list[tuple[int, bool, bool, str, dict[str, Any]]]) -> None:
        # plan: per matched column in the order of its question's name (canonical JSON sorts its keys):
        # its index in the row, whether it is a choice, whether it is required, '"name":', and the cells read
        self.rows, self.plan = rows, plan

    @classmethod
    def for_file(cls, rows: _RowChecks) -> _ColumnChecks | None:
        form, layout = rows.form, rows.layout
        if rows.export_format == "limesurvey" or any(question.relevant or question.constraint or
                                                     question.choice_filter for question in form.questions):
            return None
        by_name: dict[str, tuple[int, Question]] = {}
        for column, match in layout.matches.items():
            question = form.question(match.question)
            if match.role != ANSWER or question.kind not in ("select_one", "text") or question.name in by_name:
                return None
            if question.kind == "select_one" and question.name not in rows.checker.allowed:
                return None
            by_name[question.name] = (rows.export.header.index(column), question)
        if any(question.required and question.name not in by_name for question in form.answer_questions()):
            return None  # every row is refused: the row checks say so
        plan: list[tuple[int, bool, bool, str, dict[str, Any]]] = [
            (index, question.kind == "select_one", bool(question.required), _encode_string(name) + ":", {})
            for name, (index, question) in sorted(by_name.items())]
        return cls(rows, plan)

    def _cell(self, index: int, cell: str, number: int) -> Any:
        """The JSON of a choice cell's answer ("" for none), or :data:`_DECLINED`."""
        value = cell.strip()
        if not value:
            return ""
        if value.lower() in EMPTY:
            return _DECLINED
        question = self.rows.reader.columns_by_index[index]
        column = self.rows.export.header[index]
        try:
            choice = self.rows.reader.choice(question, value, number, column)
        except ResponsesImportError:
            return _DECLINED
        if not is_plain_text(value) or choice not in self.rows.checker.allowed[question.name]:
            return _DECLINED
        return _encode_string(choice)

    def batch(self, rows: list[tuple[int, list[str]]]) -> list[tuple[int, str, str]] | None:
        """(row, submission id, canonical JSON) of every row of ``rows``, or None (the row checks read them)."""
        checks = self.rows
        width = len(checks.export.header)
        if any(len(cells) != width for _, cells in rows):
            return None
        if rows[0][0] == 2 and all(cell.strip().startswith("#") for cell in rows[0][1] if cell.strip()):
            return None
        columns = list(zip(*(cells for _, cells in rows)))
        parts: list[list[str]] = []
        for index, is_choice, required, key, known in self.plan:
            cells = columns[index]
            if is_choice:
                found = list(map(known.get, cells))
                if None in found:
                    for place, cell in enumerate(cells):
                        if found[place] is None:
                            answer = known.get(cell)  # read from an earlier cell of this batch
                            if answer is None:
                                answer = self._cell(index, cell, rows[place][0])
                                if answer is _DECLINED:
                                    return None
                                if len(known) < MAX_SPELLINGS:
                                    known[cell] = answer
                            found[place] = answer
                written = [key + answer if answer else "" for answer in found]
            else:
                values = list(map(str.strip, cells))
                if max(map(len, values)) > MAX_TEXT or not is_plain_text("".join(values)):
                    return None
                written = [key + _encode_string(value) if value else "" for value in values]
            if required and "" in written:
                return None
            parts.append(written)
        texts = ["{" + ",".join(filter(None, answers)) + "}" for answers in zip(*parts)]
        if "{}" in texts:
            return None  # a row with no answer: left out, and told, by the row checks
        try:
            ids = [_submission_id(cells[checks.id_index], checks.export_format, checks.export.path, number,
                                  checks.layout.id_column) for number, cells in rows]
        except ResponsesImportError:
            return None
        checks.summary.read += len(rows)
        checks.yielded += len(rows)
        return [(number, submission_id, text) for (number, _), submission_id, text in zip(rows, ids, texts)]


def _prepared_rows(form: Form, export: ExportFile, layout: _Layout, export_format: str,
                   summary: ImportSummary) -> Generator[tuple[int, str, str], None, None]:
    """(row, submission id, canonical JSON of the clean answers) of each row of ``export`` to store, as
    :func:`_checked_rows` gives them (the same rows, answers, errors and summary), a batch of
    :data:`BATCH_ROWS` rows checked a column at a time where :class:`_ColumnChecks` can."""
    checks = _RowChecks(form, export, layout, export_format, summary)
    columns = _ColumnChecks.for_file(checks)
    rows = export.rows()
    try:
        while True:
            batch = list(islice(rows, BATCH_ROWS))
            if not batch:
                break
            done = columns.batch(batch) if columns is not None else None
            if done is not None:
                yield from done
                continue
            for number, cells in batch:
                checked = checks.row(number, cells)
                if checked is not None:
                    yield checked[0], checked[1], canonical(checked[2])
    finally:
        rows.close()
    checks.finish()


def _opened(form: Form, path: Path, export_format: str, column_map: Sequence[str],
            summary: ImportSummary) -> tuple[ExportFile, _Layout]:
    if export_format not in FORMATS:
        raise ResponsesImportError(f"unknown export format '{export_format}'", f"use one of {', '.join(FORMATS)}")
    table = kobo_headers(form) if export_format != "limesurvey" else {}
    export = open_export(path, _fits(form, export_format, table))
    return export, _layout(form, export.header, export_format, path, summary, column_map, table)


def read_responses(form: Form, path: str | Path, export_format: str, column_map: Sequence[str] = (),
                   summary: ImportSummary | None = None) -> Rows:
    """(row, submission id, clean answers) of every row of an export, read from the file as they are
    asked for (the file is never held whole); ``summary`` gets what was left out.

    Raises :class:`ResponsesImportError` naming the file (and line) for a file that cannot be read as a
    whole before the first row is yielded, then naming row and column for the first row that cannot be
    read or breaks the form, and when nothing in the file matches the form.
    """
    path = Path(path)
    summary = summary if summary is not None else ImportSummary(path.name)
    export, layout = _opened(form, path, export_format, column_map, summary)
    return _checked_rows(form, export, layout, export_format, summary)


def import_responses(store: SurveyStore, slug: str, path: str | Path, export_format: str, *,
                     replace: bool = False, column_map: Sequence[str] = (),
                     progress: Callable[[int, int], None] | None = None,
                     waiting: Callable[[], None] | None = None) -> ImportSummary:
    """Import an export into survey ``slug`` in one transaction; return what was read, stored and left out.
    ``progress(done, total)`` is told after each batch of rows is stored (:class:`_Batches`); ``waiting()``
    when another import into the same survey holds it and this one waits for it to end (:func:`_hold_survey`).

    The file is read as a stream and stored a batch at a time (:data:`BATCH_ROWS` rows), so memory does not
    grow with its size; an invalid row or a conflict on any row rolls back every batch before it.

    Example::

        summary = import_responses(store, "kz", "kobo_export.csv", "kobo")
        print("\\n".join(summary.lines()))
    """
    path = Path(path)
    form = store.get_survey(slug).form
    summary = ImportSummary(path.name)
    export, layout = _opened(form, path, export_format, column_map, summary)
    rows = _prepared_rows(form, export, layout, export_format, summary)
    origin = f"{IMPORTED}{export_format}"
    try:
        with store.writing(), store.engine.begin() as connection:
            # Rules 1 and 2 of submission.py as for a submission from the web, without the check that the
            # survey is open (rule 2: the answers were collected while it was).
            refused = refusal(pending(slug, "", {}, origin, False, NO_REPLY), _hold_survey(connection, slug, waiting))
            if refused is not None:
                raise refused
            batches = _Batches(connection, export, lambda: _checked_rows(form, export, layout, export_format,
                                                                         ImportSummary(path.name)),
                               summary, replace, progress)
            for number, submission_id, text in rows:
                batches.add(number, pending_text(slug, submission_id, text, origin, False, NO_REPLY))
            batches.finish()
    except IntegrityError:
        # An id stored meanwhile is settled by the rules (_Batches); what the database still refuses is a
        # survey deleted while the import ran (its answers' foreign key).
        raise ResponsesImportError(f"{path.name}: the survey '{slug}' changed while importing (deleted); nothing "
                                   "was stored", "run `diaspora survey list`, then import again") from None
    except SQLAlchemyError as error:
        if getattr(getattr(error, "orig", None), "sqlstate", None) in GAVE_WAY:
            raise ResponsesImportError(f"{path.name}: another writer was storing some of the same submissions at the "
                                       "same moment, and the database stopped this import so that the other could "
                                       "finish; nothing was stored", "import the file again: what the other writer "
                                       "stored is kept, and counted as already stored") from None
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0][:200]
        raise ResponsesImportError(f"{path.name}: the database refused the import ({reason}); nothing was stored",
                                   "check that the survey database is reachable, then import again") from None
    finally:
        rows.close()  # an import stopped early closes the file now
    return summary


BATCH_ROWS = 1000  # rows per INSERT statement (and between two progress reports)
# The first key of the PostgreSQL advisory lock an import into one survey holds (the second is the hash of its
# slug; a fixed number, in the two-key space, which never meets storage.MIGRATION_LOCK's one-key space).
IMPORT_LOCK = 0x5D1A6
# What PostgreSQL ends a transaction with to break a deadlock (40P01) or a serialization failure (40001):
# a writer that met this import head on, which the import's lock cannot rule out (the web's group commit).
GAVE_WAY = ("40P01", "40001")
NO_REPLY: Future = Future()  # an import's submissions wait on no reply (the group committer's futures)
Stored = dict[str, tuple[str, str, int | None]]  # id -> hash, origin and snapshot of the answers stored under it


_COMPILED: dict[str, DriverStatement] = {}  # dialect -> insert_new compiled for its driver, once


def _hold_survey(connection: Any, slug: str, waiting: Callable[[], None] | None) -> str | None:
    """The status of survey ``slug`` (None: not stored), read in the import's transaction, which on PostgreSQL
    first takes the locks that keep two writers from deadlocking (``waiting()`` is told when it has to wait):

    - the survey's import lock (:data:`IMPORT_LOCK`), so that a second import into the survey waits for the
      first to commit or roll back, then meets its rows as stored. Two imports inserting the same ids in
      different orders deadlocked without it (each waiting for a row the other had inserted), and PostgreSQL
      ended one of them;
    - the survey's row ``FOR KEY SHARE``, which the first inserted answer takes anyway (its foreign key): taken
      before any row is written, a snapshot (storage.snapshot_state, which locks the row ``FOR UPDATE``) waits
      for the import from its start. Taken later, after a ``replace`` had already rewritten answers of a first
      batch that was all stored (no insert, so no foreign key lock), the snapshot could lock the row, wait for
      those answers, and block the import's next insert: a deadlock.

    SQLite has one writer at a time: the status alone."""
    if connection.dialect.name == "postgresql":
        key = {"first": IMPORT_LOCK, "slug": slug}
        if not connection.execute(sql_text("SELECT pg_try_advisory_xact_lock(:first, hashtext(:slug))"), key).scalar():
            if waiting is not None:
                waiting()
            connection.execute(sql_text("SELECT pg_advisory_xact_lock(:first, hashtext(:slug))"), key)
    return connection.execute(STATUS.with_for_update(key_share=True), {"slug": slug}).scalar()


def _store_new(connection: Any, rows: list[dict[str, Any]]) -> int:
    """Insert ``rows``, leaving out every id already stored; return how many were inserted. An id stored by
    another writer while the import runs is left out too, never an error that refuses the file (the
    database waits for that writer's transaction, then skips the id if it committed).

    Run by the driver's own ``executemany``, as the group committer does: through SQLAlchemy, the same
    statement with RETURNING (to learn which ids were inserted) cost 2.6-2.9 s against 1.2-1.7 s for
    10,000 rows on PostgreSQL at load 12 (psycopg parsed each batch's 6,000-parameter statement anew), and
    SQLAlchemy reports no row count for it; the driver's count is enough (:meth:`_Batches.settle`)."""
    name = connection.dialect.name
    statement = _COMPILED.get(name)
    if statement is None:
        statement = _COMPILED[name] = driver_statement(connection.engine, insert_new(name), INSERTED)
    dbapi = connection.dialect.loaded_dbapi
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.executemany(statement.sql, [statement.parameters(row) for row in rows])
        return cursor.rowcount
    except dbapi.IntegrityError as error:  # a survey deleted meanwhile (the answers' foreign key)
        raise IntegrityError(statement.sql, None, error) from None
    except dbapi.Error as error:
        raise DBAPIError(statement.sql, None, error) from None
    finally:
        cursor.close()


def _stored(connection: Any, slug: str, ids: list[str]) -> Stored:
    stored: Stored = {}
    for start in range(0, len(ids), 500):
        found = connection.execute(STORED, {"slug": slug, "ids": ids[start:start + 500]})
        stored.update({row.submission_id: (row.answers_hash, row.origin, row.snapshot) for row in found})
    return stored


class _Batches:
    """The rows of an import stored :data:`BATCH_ROWS` at a time, inside the import's one transaction: all or
    nothing stays true (a conflict on a later row rolls back every batch before it, and names that row),
    while the database parses and plans one statement per batch instead of one per row.

    A batch is inserted first, every id already stored left out (whoever stored it, and whenever: before
    the import, or another process while it runs); the rows left out are then read back and settled by
    rules 3 and 5 of submission.py (:meth:`settle`): the same answers are already stored (counted), other
    answers a refusal naming file, row and id, or with ``replace`` a replacement of an earlier import's.
    Nothing stored is lost or overwritten unless rule 5 allows it. ``progress(done, total)`` hears of each
    batch, rows of the file counted whatever became of them."""

    def __init__(self, connection: Any, export: ExportFile, again: Callable[[], Rows],
                 summary: ImportSummary, replace: bool, progress: Callable[[int, int], None] | None) -> None:
        self.connection, self.export, self.again = connection, export, again  # again: the file's rows read anew
        self.summary, self.replace, self.progress = summary, replace, progress
        self.batch: list[tuple[int, Pending]] = []
        self.done = 0
        # hash() of every id of the file in batches stored: an id met again is a replay or a conflict of
        # that earlier row (rule 3), as if it were stored. A few bytes a row, not the rows themselves; a
        # refusal finds the earlier row by reading the file again (_earlier_row), which also rules out a
        # clash of two ids' hashes.
        self.met: set[int] = set()

    def add(self, number: int, submission: Pending) -> None:
        if len(self.batch) >= BATCH_ROWS:
            self.flush()
        self.batch.append((number, submission))
        self.done = number - 1  # the file's rows under the header up to this one

    def finish(self) -> None:
        self.flush()
        if self.progress is not None and self.done != self.export.total:
            self.progress(self.export.total, self.export.total)  # rows skipped after the last one stored

    def flush(self) -> None:
        if self.batch:
            self._store(self.batch)
            self.met.update(hash(submission.submission_id) for _, submission in self.batch)
            self.batch = []
        if self.progress is not None:
            self.progress(self.done, self.export.total)

    def _store(self, batch: list[tuple[int, Pending]]) -> None:
        first: dict[str, tuple[int, str]] = {}  # each id of the batch: its first row and that row's hash
        new: list[tuple[int, Pending]] = []
        for number, submission in batch:
            earlier = first.setdefault(submission.submission_id, (number, submission.digest))
            if earlier[0] == number:
                new.append((number, submission))
            else:  # the same id twice in the batch: a replay or a conflict of its first row (rule 3)
                self._count(number, submission, replay(submission, earlier[1]), f"is also on row {earlier[0]}",
                            "keep one row per submission")
        # sqlite3's date adapter is deprecated (Python 3.12): SQLite gets the ISO text SQLAlchemy would send
        received_on = today().isoformat() if self.connection.dialect.name == "sqlite" else today()
        inserted = _store_new(self.connection, [submission.row(received_on) for _, submission in new])
        self.summary.stored += inserted
        if inserted < len(new):
            self.settle(new, _stored(self.connection, new[0][1].slug,
                                     [submission.submission_id for _, submission in new]), len(new) - inserted)

    def settle(self, rows: list[tuple[int, Pending]], stored: Stored, left_out: int) -> None:
        """Rules 3 and 5 of submission.py for a batch of whose ``rows`` the insert left out ``left_out``
        ids already stored; ``stored`` holds what is stored under each id of the batch now. A row whose
        answers are stored as they are in the file was inserted by the batch or already stored (the count
        tells how many of each); a row whose stored answers differ was left out: it is settled here."""
        replaced = self.summary.replaced
        for number, submission in rows:
            before = stored.get(submission.submission_id)
            if before is None:
                # Left out of the insert but not stored: the id's answers were removed in between (a survey
                # deleted, or another writer's transaction rolled back). Not decided here: refused whole.
                raise ResponsesImportError(f"{self.export.path.name}: the survey '{submission.slug}' changed while "
                                           "importing; nothing was stored", "run `diaspora survey list`, then "
                                           "import again")
            digest, origin, snapshot = before
            if digest == submission.digest:
                continue  # inserted now, or already stored with the same answers (counted below)
            if hash(submission.submission_id) in self.met:
                earlier = _earlier_row(self.again(), submission.submission_id, number)
                if earlier is not None:  # an earlier row of the file holds the id (stored, replayed or replaced)
                    self._count(number, submission, replay(submission, digest), f"is also on row {earlier}",
                                "keep one row per submission")
                    continue
            outcome = replay(submission, digest, replaceable=replaceable(origin, snapshot, self.replace))
            if not imported(origin):
                where, hint = ("was collected on the web", "answers collected on the web are never replaced by an "
                               "import; remove the row from the file")
            elif self.replace and snapshot is not None:
                where, hint = (f"was imported before and published (snapshot {snapshot})", "published answers "
                               "never change (two publications differing by one respondent's answers would show "
                               "them); remove the row from the file")
            else:
                where, hint = ("was imported before", "if this file corrects the earlier one, import it again with "
                               "--replace")
            self._count(number, submission, outcome, where, hint)
        self.summary.already_stored += left_out - (self.summary.replaced - replaced)

    def _count(self, number: int, submission: Pending, outcome: Receipt | Exception, where: str, hint: str) -> None:
        """A row's outcome told in the summary, a replacement written, or the conflict raised in the
        file's terms."""
        if isinstance(outcome, Receipt):
            if outcome.replaced:
                self.connection.execute(REPLACE, submission.replacement())
                self.summary.replaced += 1
            else:
                self.summary.already_stored += 1
            return
        raw = submission.submission_id.partition("-")[2][:40]  # the id as the platform wrote it
        raise ResponsesImportError(f"{self.export.path.name} row {number}: submission {raw} {where} with other "
                                   "answers; nothing was stored", hint) from outcome


def _earlier_row(rows: Rows, submission_id: str, before: int) -> int | None:
    """The first row before row ``before`` that was stored under ``submission_id``, of ``rows`` (the file
    read again, by the same checks: only a row that conflicts with an earlier one asks)."""
    try:
        for number, found, _answers in rows:
            if number >= before:
                return None
            if found == submission_id:
                return number
    finally:
        rows.close()
    return None
