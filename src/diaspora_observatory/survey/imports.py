"""Read answers exported from KoboToolbox/ODK or LimeSurvey (CSV) into a survey of the observatory.

Only answers to the form's questions are taken; the platforms' metadata columns (start and end times,
device ids, IP address, submitter, referrer …) are dropped and never stored. Each row is checked
against the form like a web submission; the whole file is refused, naming row and column, if any row
is invalid, so an import is all or nothing. A row's platform id becomes its submission id, so
importing the same file twice stores nothing new.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from diaspora_observatory.survey.errors import ResponsesImportError, SubmissionInvalid
from diaspora_observatory.survey.model import Form, Question
from diaspora_observatory.survey.storage import SurveyStore
from diaspora_observatory.survey.validation import validate_answers

FORMATS = ("kobo", "limesurvey")
KOBO_ID_COLUMNS = ("_uuid", "meta/instanceID", "meta-instanceID", "instanceID", "KEY")
LIMESURVEY_META = {"id", "submitdate", "lastpage", "startlanguage", "seed", "token", "startdate", "datestamp",
                   "ipaddr", "refurl", "interviewtime"}


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ResponsesImportError(f"{path}: cannot read the file ({error})",
                                   "export the responses as a UTF-8 CSV file") from error
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise ResponsesImportError(f"{path}: no responses in the file", "export at least one response")
    return rows


def _squash(text: str) -> str:
    """LimeSurvey codes are letters and digits only: compare names without other characters."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _choice_lookup(form: Form, question: Question) -> dict[str, str]:
    """Every way an export may write a choice (name, squashed name, label in any language) -> its name."""
    lookup: dict[str, str] = {}
    for choice in form.options(question):
        for spelling in (choice.name, _squash(choice.name), *choice.labels.values()):
            lookup.setdefault(spelling.strip().lower(), choice.name)
    return lookup


def _map_choice(form: Form, question: Question, value: str, where: str) -> str:
    lookup = _choice_lookup(form, question)
    found = lookup.get(value.strip().lower()) or lookup.get(_squash(value))
    if found is None:
        names = ", ".join(choice.name for choice in form.options(question))
        raise ResponsesImportError(f"{where}: '{value[:40]}' is not a choice of {question.name}",
                                   f"the form's choices are: {names}; export answer codes (XML values)")
    return found


def _kobo_answers(form: Form, row: dict[str, str], number: int, path: Path) -> dict[str, Any]:
    def column_of(name: str) -> str | None:
        # KoboToolbox writes group paths with '/', ODK Central with '-': "identity/identity_news".
        return next((column for column in row if column == name or column.endswith((f"/{name}", f"-{name}"))), None)

    answers: dict[str, Any] = {}
    for question in form.answer_questions():
        column = column_of(question.name)
        value = (row.get(column) or "").strip() if column else ""
        if not value or value.lower() in ("n/a", "na"):
            continue
        where = f"{path.name} row {number}, column {column}"
        if question.kind == "select_one":
            answers[question.name] = _map_choice(form, question, value, where)
        elif question.kind == "select_multiple":
            answers[question.name] = [_map_choice(form, question, part, where) for part in value.split()]
        else:
            answers[question.name] = value
    return answers


def _limesurvey_answers(form: Form, row: dict[str, str], number: int, path: Path) -> dict[str, Any]:
    columns = {_squash(column): column for column in row if column not in LIMESURVEY_META}
    answers: dict[str, Any] = {}
    for question in form.answer_questions():
        code = _squash(question.name)
        if question.kind == "select_multiple":
            chosen = []
            for column in row:
                match = re.fullmatch(r"(.+?)\[(.+)\]", column)
                if match and _squash(match.group(1)) == code and row[column].strip().upper() in ("Y", "1", "YES"):
                    where = f"{path.name} row {number}, column {column}"
                    chosen.append(_map_choice(form, question, match.group(2), where))
            if chosen:
                answers[question.name] = chosen
            continue
        column = columns.get(code)
        value = (row.get(column) or "").strip() if column else ""
        if not value:
            continue
        if question.kind == "select_one":
            answers[question.name] = _map_choice(form, question, value, f"{path.name} row {number}, column {column}")
        else:
            answers[question.name] = value
    return answers


def read_responses(form: Form, path: str | Path, export_format: str) -> list[tuple[str, dict[str, Any]]]:
    """(submission id, clean answers) for every row of a KoboToolbox/ODK or LimeSurvey CSV export."""
    path = Path(path)
    if export_format not in FORMATS:
        raise ResponsesImportError(f"unknown export format '{export_format}'", f"use one of {', '.join(FORMATS)}")
    rows = _read_csv(path)
    header = list(rows[0])
    results = []
    for number, row in enumerate(rows, start=2):
        if export_format == "kobo":
            id_column = next((column for column in KOBO_ID_COLUMNS if column in header), None)
            if id_column is None:
                raise ResponsesImportError(f"{path.name}: no submission id column ({', '.join(KOBO_ID_COLUMNS)})",
                                           "export with the _uuid or meta/instanceID column included")
            raw_id = row.get(id_column, "").removeprefix("uuid:").strip()
            answers = _kobo_answers(form, row, number, path)
            submission_id = f"kobo-{raw_id}"
        else:
            if "id" not in header:
                raise ResponsesImportError(f"{path.name}: no 'id' column", "export LimeSurvey responses with the "
                                           "response id (the first column of a default export)")
            raw_id = row.get("id", "").strip()
            answers = _limesurvey_answers(form, row, number, path)
            submission_id = f"limesurvey-{raw_id}"
        if not raw_id:
            raise ResponsesImportError(f"{path.name} row {number}: empty submission id", "every row needs its id")
        try:
            clean = validate_answers(form, answers)
        except SubmissionInvalid as error:
            first = error.problems[0]
            raise ResponsesImportError(f"{path.name} row {number}, question {first.field}: {first.text()}",
                                       "correct the row in the export or the form, then import again") from error
        results.append((submission_id[:64], clean))
    return results


def import_responses(store: SurveyStore, slug: str, path: str | Path, export_format: str) -> dict[str, int]:
    """Import an export into survey ``slug``; return how many rows were new and how many already stored."""
    form = store.get_survey(slug).form
    rows = read_responses(form, path, export_format)
    created = 0
    for submission_id, answers in rows:
        receipt = store.submit(slug, submission_id, answers, origin=f"import:{export_format}", check_open=False)
        created += receipt.created
    return {"rows": len(rows), "new": created, "already_stored": len(rows) - created}
