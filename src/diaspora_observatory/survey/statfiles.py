"""Raw answers as the files researchers open directly: CSV, XLSX, SPSS ``.sav``, Stata ``.dta``, a codebook.

Every format is built from one *variable table* (:func:`variables`), so the files agree with each other
and with the codebook: a ``select_one`` question becomes one numeric variable coded 1…k in the order of
its choices, with value labels; a ``select_multiple`` question one 0/1 variable per choice; numbers stay
numbers; text stays text. Variable names are the question names where SPSS and Stata accept them
(letters, digits and ``_``, starting with a letter, at most 32 characters), otherwise a cleaned, unique
form of them; the codebook gives each variable's question, label, type and codes.

CSV and XLSX can carry spreadsheet formulas, so their text is neutralised: the CSV as
:func:`diaspora_observatory.safety.neutralise` does everywhere, the XLSX by writing every text cell as a
string cell (never a formula), which keeps the text exactly as answered. SPSS and Stata files hold no
formulas. SPSS and Stata files are written by pyreadstat (the ReadStat library, MIT; pyreadstat is
Apache-2.0).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.safety import neutralise
from diaspora_observatory.survey.model import Form

FORMATS = ("csv", "xlsx", "sav", "dta", "codebook")
NUMERIC_KINDS = ("integer", "decimal", "range")
META_VARIABLES = ("submission_id", "received_on", "origin")
MAX_NAME = 32  # Stata's limit (SPSS allows 64): one name that works in both
SHEET_ROWS = 1_048_576  # the most rows a sheet holds in Excel and LibreOffice (header included)
# pyreadstat writes a whole DataFrame: an SPSS or Stata export holds every value at once (about 33 bytes a
# value measured, 8 of them a float64), so it is refused above this many values (answers x variables) and the
# CSV, streamed, named instead. Peak RSS of `diaspora survey export --out a.sav` (benchmarks/results/exports.md):
# 147 MB at 100,000 answers of the built-in survey's 15 variables, 398 MB at 666,666 (10 million values).
MAX_STAT_VALUES = 10_000_000
SELECTED = {"en": ("not selected", "selected"), "ru": ("не выбрано", "выбрано"), "kk": ("таңдалмаған", "таңдалған")}
META_LABELS = {
    "submission_id": {"en": "Submission id", "ru": "Идентификатор ответа", "kk": "Жауап идентификаторы"},
    "received_on": {"en": "Day received", "ru": "День получения", "kk": "Алынған күні"},
    "origin": {"en": "How it arrived (web form, API or import)", "ru": "Как получен (веб-форма, API или импорт)",
               "kk": "Қалай келді (веб-форма, API немесе импорт)"},
}


class ExportError(DiasporaError):
    """The answers cannot be written in the format asked for (see the message)."""


@dataclass
class Variable:
    """One column of the exported data: where it comes from and how it is coded."""

    name: str
    label: str
    kind: str  # "numeric" or "text"
    question: str  # the question's name in the form ("" for the submission's own fields)
    choice: str = ""  # for a select_multiple dummy: the choice it stands for
    codes: dict[int, str] = field(default_factory=dict)  # code -> label (value labels)
    choice_codes: dict[str, int] = field(default_factory=dict)  # choice name -> code (select_one)


def _clean_name(name: str, taken: set[str]) -> str:
    """A variable name SPSS and Stata both accept, unique among ``taken``."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not cleaned or not cleaned[0].isalpha():
        cleaned = f"v_{cleaned}"
    cleaned = cleaned[:MAX_NAME]
    candidate, number = cleaned, 2
    while candidate.lower() in taken:
        suffix = f"_{number}"
        candidate, number = f"{cleaned[:MAX_NAME - len(suffix)]}{suffix}", number + 1
    taken.add(candidate.lower())
    return candidate


def variables(form: Form, language: str = "en") -> list[Variable]:
    """The exported variables of ``form``, labelled in ``language`` (the form's text for it, as shown)."""
    taken: set[str] = set()
    found = [Variable(_clean_name(name, taken), META_LABELS[name].get(language, META_LABELS[name]["en"]), "text", "")
             for name in META_VARIABLES]
    for question in form.answer_questions():
        label = form.text(question.labels, language) or question.name
        if question.kind == "select_one":
            options = form.options(question)
            codes = {index: form.text(choice.labels, language) or choice.name
                     for index, choice in enumerate(options, start=1)}
            found.append(Variable(_clean_name(question.name, taken), label, "numeric", question.name, codes=codes,
                                  choice_codes={choice.name: index for index, choice in enumerate(options, start=1)}))
        elif question.kind == "select_multiple":
            no, yes = SELECTED.get(language, SELECTED["en"])
            for choice in form.options(question):
                choice_label = form.text(choice.labels, language) or choice.name
                found.append(Variable(_clean_name(f"{question.name}_{choice.name}", taken),
                                      f"{label}: {choice_label}", "numeric", question.name, choice=choice.name,
                                      codes={0: no, 1: yes}))
        else:
            kind = "numeric" if question.kind in NUMERIC_KINDS else "text"
            found.append(Variable(_clean_name(question.name, taken), label, kind, question.name))
    return found


def _not_coded(response: dict[str, Any], variable: Variable, value: Any) -> ExportError:
    return ExportError(f"submission {response['submission_id']}: the answer {value!r} to {variable.question!r} "
                       "does not fit the form's question (was the form replaced after answers came in?)",
                       "export with the form the answers were given to, or export as csv, which keeps the "
                       "answers as they are stored")


def coded_row(response: dict[str, Any], table: list[Variable]) -> list[Any]:
    """One submission's values, one per variable: codes for choices, numbers, text, None when empty.

    An answer that does not fit the form (a choice no longer in its list, text in a number question) is
    refused with the submission named, never exported as empty.
    """
    answers = response["answers"]
    row: list[Any] = []
    for variable in table:
        if not variable.question:  # the submission's own fields
            value = response.get(variable.name)
            row.append("" if value is None else str(value))
            continue
        value = answers.get(variable.question)
        if value in (None, "", []):
            row.append("" if variable.kind == "text" else None)
        elif variable.choice:
            chosen = value if isinstance(value, list) else str(value).split()
            row.append(int(variable.choice in chosen))
        elif variable.choice_codes:
            if value not in variable.choice_codes:
                raise _not_coded(response, variable, value)
            row.append(variable.choice_codes[value])
        elif variable.kind == "numeric":
            try:
                row.append(float(value))
            except (TypeError, ValueError):
                raise _not_coded(response, variable, value) from None
        else:
            row.append(str(value))
    return row


def coded_rows(form: Form, responses: Iterable[dict[str, Any]], table: list[Variable]) -> list[list[Any]]:
    """:func:`coded_row` of every submission, in a list."""
    return [coded_row(response, table) for response in responses]


def _labelled_row(table: list[Variable], row: list[Any]) -> list[Any]:
    """The row with each code replaced by its label (what a reader of the XLSX sees first)."""
    return [variable.codes.get(value, value) if variable.codes and value is not None else value
            for variable, value in zip(table, row)]


def codebook_rows(table: list[Variable]) -> list[list[str]]:
    header = ["variable", "label", "type", "question", "choice", "codes"]
    body = [[variable.name, variable.label, variable.kind, variable.question, variable.choice,
             "; ".join(f"{code} = {label}" for code, label in variable.codes.items())] for variable in table]
    return [header, *body]


def _csv_text(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if value is None else neutralise(value) for value in row])
    return buffer.getvalue()


def _cells(sheet: Any, row: list[Any]) -> list[Any]:
    """``row`` for a write-only sheet: text that starts with ``=`` as a string cell (never a formula), which
    keeps the text exactly as answered; every other text is a string cell already."""
    from openpyxl.cell import WriteOnlyCell

    cells: list[Any] = []
    for value in row:
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def _write_xlsx(path: Path, table: list[Variable], responses: Iterable[dict[str, Any]]) -> int:
    """The three sheets (``answers``, ``codes``, ``codebook``) written by openpyxl's write-only workbook a row
    at a time as ``responses`` are read, so that the workbook is never held whole; how many answers it wrote.
    Written to a hidden file beside ``path`` and named ``path`` only once whole: an answer refused halfway
    (:func:`coded_row`) or a sheet too long leaves ``path`` as it was."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    answers, codes, codebook = (book.create_sheet(title) for title in ("answers", "codes", "codebook"))
    partial = path.with_name(f".{path.name}.part")
    written = 0
    try:
        answers.append(_cells(answers, [variable.label for variable in table]))
        codes.append(_cells(codes, [variable.name for variable in table]))
        for response in responses:
            if written + 1 >= SHEET_ROWS:
                raise ExportError(f"more than {SHEET_ROWS - 1:,} answers, the most rows a spreadsheet sheet holds",
                                  "export the answers as CSV (--out answers.csv), which has every answer")
            row = coded_row(response, table)
            answers.append(_cells(answers, _labelled_row(table, row)))
            codes.append(_cells(codes, row))
            written += 1
        for row in codebook_rows(table):
            codebook.append(_cells(codebook, row))
        book.save(partial)
        partial.replace(path)
    except BaseException:
        try:
            book.save(partial)  # closes what openpyxl has written so far and removes its temporary files
        except Exception:  # noqa: BLE001 - the first error is the one to tell
            pass
        raise
    finally:
        partial.unlink(missing_ok=True)
    return written


def _stat_refusal(export_format: str, answers: int, table: list[Variable]) -> ExportError:
    name = "SPSS (.sav)" if export_format == "sav" else "Stata (.dta)"
    return ExportError(f"{answers:,} answers of {len(table)} variables are more than the {MAX_STAT_VALUES:,} values "
                       f"an {name} file is written with: it is built whole in memory",
                       "export the answers as CSV (--out answers.csv), written a chunk at a time whatever their "
                       "number, and read it into SPSS or Stata")


def check_stat_size(export_format: str, answers: int, table: list[Variable]) -> None:
    """Refuse, before anything is read, an SPSS or Stata export of more than :data:`MAX_STAT_VALUES` values."""
    if export_format in ("sav", "dta") and answers * len(table) > MAX_STAT_VALUES:
        raise _stat_refusal(export_format, answers, table)


def _stat_frame(export_format: str, table: list[Variable], responses: Iterable[dict[str, Any]]) -> Any:
    """The coded data as a DataFrame, built a column at a time as ``responses`` are read: numbers in float64
    arrays (8 bytes a value, NaN for no answer), text as strings; refused past :data:`MAX_STAT_VALUES`."""
    from array import array

    import numpy as np
    import pandas as pd

    columns: list[Any] = [array("d") if variable.kind == "numeric" else [] for variable in table]
    numeric = [variable.kind == "numeric" for variable in table]
    written = 0
    for response in responses:
        written += 1
        if written * len(table) > MAX_STAT_VALUES:
            raise _stat_refusal(export_format, written, table)
        for column, is_number, value in zip(columns, numeric, coded_row(response, table)):
            if is_number:
                column.append(float("nan") if value is None else float(value))
            else:
                column.append(value)
    frame = pd.DataFrame({variable.name: (np.frombuffer(column, dtype="float64") if is_number
                                          else pd.Series(column, dtype=object))
                          for variable, column, is_number in zip(table, columns, numeric)})
    return frame, written


def _write_stat_file(path: Path, export_format: str, table: list[Variable], responses: Iterable[dict[str, Any]]
                     ) -> int:
    """An SPSS or Stata file by pyreadstat, which writes a whole DataFrame: the frame is built from the
    streamed answers (:func:`_stat_frame`), never from every answer held at once, and bounded by
    :data:`MAX_STAT_VALUES`; how many answers it wrote."""
    import pyreadstat

    frame, written = _stat_frame(export_format, table, responses)
    labels = [variable.label for variable in table]
    value_labels = {variable.name: {float(code): text for code, text in variable.codes.items()}
                    for variable in table if variable.codes}
    if export_format == "sav":
        sav_labels: list[str | None] = list(labels)  # pyreadstat's parameter takes None for "no label"
        pyreadstat.write_sav(frame, str(path), column_labels=sav_labels, variable_value_labels=value_labels)
    else:
        # Stata's labels are at most 80 characters; the full label stays in the codebook.
        pyreadstat.write_dta(frame, str(path), column_labels=[label[:80] for label in labels],
                             variable_value_labels=value_labels, version=15)
    return written


def export_csv(form: Form, responses: Iterable[dict[str, Any]], path: Path, *, bom: bool = False
               ) -> tuple[int, list[Variable]]:
    """The ``csv`` of :func:`export_answers`, written a chunk of rows at a time from ``responses`` in the
    order given (``SurveyStore.blind_responses``: arrival-blind, sorted by the database); how many answers
    it wrote, and the variables."""
    from diaspora_observatory.survey.exports import responses_csv_chunks

    counted = _Counted(responses)
    with Path(path).open("w", encoding="utf-8-sig" if bom else "utf-8") as file:  # as write_text did
        file.writelines(responses_csv_chunks(form, counted))
    return counted.count, variables(form)


class _Counted:
    """An iterable that counts what it gives."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items, self.count = items, 0

    def __iter__(self) -> Iterator[Any]:
        for item in self.items:
            self.count += 1
            yield item


def export_file(form: Form, responses: Iterable[dict[str, Any]], path: Path, export_format: str, *,
                language: str = "en") -> tuple[int, list[Variable]]:
    """The ``xlsx``, ``sav`` or ``dta`` of :func:`export_answers` from ``responses`` read once, in the order
    given (``SurveyStore.blind_responses``: arrival-blind as the CSV, a batch at a time): the workbook written
    a row at a time, the SPSS and Stata frame built a column at a time and bounded by
    :data:`MAX_STAT_VALUES`; how many answers it wrote, and the variables."""
    if export_format not in ("xlsx", "sav", "dta"):
        raise ExportError(f"export format {export_format!r} is not written from a stream here",
                          "use export_csv for csv and export_answers for the codebook")
    table = variables(form, language)
    path = Path(path)
    if export_format == "xlsx":
        return _write_xlsx(path, table, responses), table
    return _write_stat_file(path, export_format, table, responses), table


def export_answers(form: Form, responses: Iterable[dict[str, Any]], path: Path, export_format: str, *,
                   language: str = "en", bom: bool = False) -> list[Variable]:
    """Write the raw answers to ``path`` in ``export_format`` (one of :data:`FORMATS`); return the variables.

    ``csv`` writes the codes (choice names, as the form has them) with formulas neutralised, and a byte
    order mark when ``bom`` (so Excel reads Kazakh and Russian text right); ``xlsx`` writes three sheets:
    ``answers`` (labels), ``codes`` (numeric codes) and ``codebook``; ``sav`` and ``dta`` the coded data
    with variable and value labels; ``codebook`` a CSV of the variables. ``xlsx``, ``sav`` and ``dta`` read
    ``responses`` once, as :func:`export_file`.
    """
    if export_format not in FORMATS:
        raise ExportError(f"unknown export format {export_format!r}", f"use one of: {', '.join(FORMATS)}")
    if export_format in ("xlsx", "sav", "dta"):
        return export_file(form, responses, path, export_format, language=language)[1]
    table = variables(form, language)
    path = Path(path)
    listed = list(responses)
    coded_rows(form, listed, table)  # an answer that no longer fits the form is refused in these formats too
    if export_format == "csv":
        from diaspora_observatory.survey.exports import responses_table, to_safe_csv

        text = to_safe_csv(responses_table(form, listed))
        path.write_text(text, encoding="utf-8-sig" if bom else "utf-8")
    else:
        path.write_text(_csv_text(codebook_rows(table)), encoding="utf-8-sig" if bom else "utf-8")
    return table
