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


def coded_rows(form: Form, responses: list[dict[str, Any]], table: list[Variable]) -> list[list[Any]]:
    """One row per submission, one value per variable: codes for choices, numbers, text, None when empty.

    An answer that does not fit the form (a choice no longer in its list, text in a number question) is
    refused with the submission named, never exported as empty.
    """
    rows = []
    for response in responses:
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
        rows.append(row)
    return rows


def _labelled_rows(table: list[Variable], rows: list[list[Any]]) -> list[list[Any]]:
    """The same rows with each code replaced by its label (what a reader of the XLSX sees first)."""
    labelled = []
    for row in rows:
        labelled.append([variable.codes.get(value, value) if variable.codes and value is not None else value
                         for variable, value in zip(table, row)])
    return labelled


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


def _write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook opens with
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append([None if value is None else value for value in row])
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # a string cell: text that starts with = is never a formula
    book.save(path)


def _write_stat_file(path: Path, export_format: str, table: list[Variable], rows: list[list[Any]]) -> None:
    import pandas as pd
    import pyreadstat

    frame = pd.DataFrame(rows, columns=[variable.name for variable in table])
    for variable in table:
        if variable.kind == "numeric":
            frame[variable.name] = pd.to_numeric(frame[variable.name], errors="coerce").astype("float64")
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


def export_answers(form: Form, responses: list[dict[str, Any]], path: Path, export_format: str, *,
                   language: str = "en", bom: bool = False) -> list[Variable]:
    """Write the raw answers to ``path`` in ``export_format`` (one of :data:`FORMATS`); return the variables.

    ``csv`` writes the codes (choice names, as the form has them) with formulas neutralised, and a byte
    order mark when ``bom`` (so Excel reads Kazakh and Russian text right); ``xlsx`` writes three sheets:
    ``answers`` (labels), ``codes`` (numeric codes) and ``codebook``; ``sav`` and ``dta`` the coded data
    with variable and value labels; ``codebook`` a CSV of the variables.
    """
    if export_format not in FORMATS:
        raise ExportError(f"unknown export format {export_format!r}", f"use one of: {', '.join(FORMATS)}")
    table = variables(form, language)
    rows = coded_rows(form, responses, table)
    header = [variable.name for variable in table]
    path = Path(path)
    if export_format == "csv":
        from diaspora_observatory.survey.exports import responses_table, to_safe_csv

        text = to_safe_csv(responses_table(form, responses))
        path.write_text(text, encoding="utf-8-sig" if bom else "utf-8")
    elif export_format == "codebook":
        path.write_text(_csv_text(codebook_rows(table)), encoding="utf-8-sig" if bom else "utf-8")
    elif export_format == "xlsx":
        _write_xlsx(path, {"answers": [[variable.label for variable in table], *_labelled_rows(table, rows)],
                           "codes": [header, *rows], "codebook": codebook_rows(table)})
    else:
        _write_stat_file(path, export_format, table, rows)
    return table
