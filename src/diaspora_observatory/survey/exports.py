"""Exports of answers and results that are safe to open in a spreadsheet.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read as a formula
by Excel or LibreOffice (``=HYPERLINK(…)`` can leak data or run commands), so such text gets a leading
apostrophe. Numbers stay numbers.

The raw answers grow with the survey: :func:`responses_csv_chunks` writes them a chunk of rows at a time from
the store's arrival-blind reading (``SurveyStore.blind_responses``, sorted by the database), the same text,
byte for byte, as :func:`to_safe_csv` of :func:`responses_table`, which hold every answer at once.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Generator, Iterable, Iterator
from typing import Any

import pandas as pd

from diaspora_observatory.safety import FORMULA_STARTS, neutralise  # noqa: F401  (re-exported)
from diaspora_observatory.survey.model import Form


def arrival_blind(responses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The responses in an order that says nothing of when each arrived: sorted by a hash of their
    submission id (the same order every time, so two exports compare row by row). Stored order follows
    arrival, and with the date of receipt it would narrow down when a known person answered."""
    return sorted(responses, key=lambda response: hashlib.sha256(str(response["submission_id"]).encode()).hexdigest())


def _response_row(response: dict[str, Any], names: list[str]) -> list[Any]:
    """One submission's cells, as :func:`responses_table` has them (multiple choices space-separated)."""
    row: list[Any] = [response["submission_id"], str(response["received_on"]), response["origin"]]
    for name in names:
        value = response["answers"].get(name)
        row.append(" ".join(value) if isinstance(value, list) else value)
    return row


def _safe_cells(values: Iterable[Any]) -> list[Any]:
    return ["" if value is None or (isinstance(value, float) and value != value) or value is pd.NA
            else neutralise(value) for value in values]


def responses_columns(form: Form) -> list[str]:
    """The raw answers' columns: submission_id, received_on, origin, then each question's name."""
    return ["submission_id", "received_on", "origin", *(question.name for question in form.answer_questions())]


def responses_rows(form: Form, responses: Iterable[dict[str, Any]], spreadsheet_safe: bool = True
                   ) -> Iterator[list[Any]]:
    """Each response's cells as the CSV writes them ("" for a skipped answer), neutralised unless
    ``spreadsheet_safe`` is false (the admin page, where the text is shown as answered)."""
    names = responses_columns(form)[3:]
    for response in responses:
        row = _response_row(response, names)
        yield _safe_cells(row) if spreadsheet_safe else ["" if value is None else value for value in row]


def responses_csv_chunks(form: Form, responses: Iterable[dict[str, Any]], rows_per_chunk: int = 1000
                         ) -> Generator[str, None, None]:
    """:func:`to_safe_csv` of :func:`responses_table`, written ``rows_per_chunk`` rows at a time from
    ``responses`` taken in the order given (``SurveyStore.blind_responses``: arrival-blind, by the database)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise(column) for column in responses_columns(form)])
    for number, row in enumerate(responses_rows(form, responses), start=1):
        writer.writerow(row)
        if number % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def responses_table(form: Form, responses: list[dict[str, Any]]) -> pd.DataFrame:
    """The raw answers, one row per submission in :func:`arrival_blind` order: submission_id, received_on,
    origin, then each question (multiple choices as space-separated names, as XLSForm tools write them)."""
    names = [question.name for question in form.answer_questions()]
    rows = []
    for response in arrival_blind(responses):
        row = {"submission_id": response["submission_id"], "received_on": str(response["received_on"]),
               "origin": response["origin"]}
        for name in names:
            value = response["answers"].get(name)
            row[name] = " ".join(value) if isinstance(value, list) else value
        rows.append(row)
    # Objects, not inferred dtypes: an integer column with one skipped answer would become float64 and the
    # CSV would say 25.0 for the 25 a respondent typed.
    return pd.DataFrame(rows, columns=["submission_id", "received_on", "origin", *names], dtype=object)


def to_safe_csv(table: pd.DataFrame) -> str:
    """CSV text of ``table`` with every text cell neutralised (index not written)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise(str(column)) for column in table.columns])
    for row in table.itertuples(index=False):
        writer.writerow(["" if value is None or (isinstance(value, float) and value != value) or value is pd.NA
                         else neutralise(value) for value in row])
    return buffer.getvalue()
