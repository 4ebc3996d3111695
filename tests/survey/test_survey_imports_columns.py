"""Rows checked a column at a time (``imports._ColumnChecks``) store exactly what the row-by-row checks
store, and refuse with the same message: for every generated KoboToolbox export of the default survey
below (names or labels, empty and 'n/a' cells, wrong choices, texts with quotes, escapes, line breaks,
control characters and letters outside the BMP, too long texts, bad ids, the HXL row), the import with
the column checks and with them switched off stores the same rows, byte for byte, with the same summary,
or both raise the same error. Batches are small, so one file mixes batches read by columns and by rows.
On real SQLite files."""

from __future__ import annotations

import csv
import io
import random
import sqlite3

import pytest

from diaspora_observatory.survey import imports
from diaspora_observatory.survey.default import default_form
from diaspora_observatory.survey.errors import ResponsesImportError
from diaspora_observatory.survey.storage import SurveyStore
from diaspora_observatory.survey.submission import canonical

TEXTS = ["Рахмет", 'a "quoted" word', "back\\slash", "two\nlines", "tab\there", "\x01\x1f control", "\u2028 sep",
         "😀 outside the BMP", "</script>", "  padded  ", "n/a", "ǅ İ ß", "x" * 2000]


def _export(rng: random.Random, rows: int, *, labels: bool, faults: int) -> str:
    form = default_form()
    questions = form.answer_questions()
    header = [(question.labels.get("en") or question.name) if labels else question.name for question in questions]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*header, "_uuid"])
    if rng.random() < 0.2:
        writer.writerow(["#" + question.name for question in questions] + ["#id"])
    for number in range(rows):
        cells = []
        for question in questions:
            if question.kind == "select_one":
                choice = rng.choice(form.options(question))
                cells.append((choice.labels.get("en") or choice.name) if labels else choice.name)
                if not question.required and rng.random() < 0.2:
                    cells[-1] = rng.choice(["", " ", "  " + cells[-1] + " "])
            else:
                cells.append(rng.choice(TEXTS + [""]))
        uuid = f"5a0c2a7f-0001-4c39-9b0e-{number:012d}"
        cells.append(uuid if rng.random() > 0.05 else f"uuid:{uuid}")
        writer.writerow(cells)
    lines = out.getvalue().splitlines(keepends=True)
    for _ in range(faults):  # a cell made wrong on a random row (never the header)
        place = rng.randrange(1, len(lines))
        cells = next(csv.reader([lines[place]]))
        column = rng.randrange(len(cells))
        cells[column] = rng.choice(["n/a", "NA", "", "not a choice", "x" * 2001, "5a0c", "#tag", "é",
                                    cells[column].upper(), cells[column] + cells[column]])
        if rng.random() < 0.1:
            cells = cells[:-1]  # a row of another width
        row = io.StringIO()
        csv.writer(row).writerow(cells)
        lines[place] = row.getvalue()
    return "".join(lines)


def _import(tmp_path, name: str, text: str, columns: bool, monkeypatch) -> tuple[object, list[tuple]]:
    path = tmp_path / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    database = tmp_path / f"{name}-{columns}.sqlite3"
    store = SurveyStore(f"sqlite:///{database}")
    try:
        store.add_survey("kz", default_form())
        with monkeypatch.context() as patch:
            if not columns:
                patch.setattr(imports._ColumnChecks, "for_file", classmethod(lambda cls, rows: None))
            try:
                outcome: object = imports.import_responses(store, "kz", path, "kobo").lines()
            except ResponsesImportError as error:
                outcome = ("refused", str(error), error.hint)
    finally:
        store.close()
    with sqlite3.connect(database) as connection:
        stored = connection.execute("SELECT survey_slug, submission_id, answers, answers_hash, received_on, origin, "
                                    "snapshot FROM submissions ORDER BY rowid").fetchall()
    connection.close()
    return outcome, stored


@pytest.mark.parametrize("seed", range(12))
def test_column_checks_store_and_refuse_as_the_row_checks(tmp_path, monkeypatch, seed):
    monkeypatch.setattr(imports, "BATCH_ROWS", 7)
    rng = random.Random(seed)
    text = _export(rng, rng.randint(5, 60), labels=seed % 3 == 1, faults=[0, 0, 1, 3][seed % 4])
    used: list[bool] = []
    batch = imports._ColumnChecks.batch

    def spied(self, rows):
        done = batch(self, rows)
        used.append(done is not None)
        return done

    monkeypatch.setattr(imports._ColumnChecks, "batch", spied)
    by_columns = _import(tmp_path, "export", text, True, monkeypatch)
    by_rows = _import(tmp_path, "export", text, False, monkeypatch)
    assert by_columns == by_rows
    if seed % 4 < 2:  # no fault made: the column checks read every batch but one with the HXL row or 'n/a'
        assert sum(used) >= len(used) - 3 and any(used)


def test_a_clean_export_is_read_by_columns_and_stores_the_canonical_answers(tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_ROWS", 10)
    rows = []
    form = default_form()
    questions = form.answer_questions()
    for number, comment in enumerate(TEXTS[:-1] * 3):
        answers = {question.name: form.options(question)[number % len(form.options(question))].name
                   for question in questions if question.kind == "select_one"}
        rows.append([answers.get(question.name, comment) for question in questions]
                    + [f"5a0c2a7f-0001-4c39-9b0e-{number:012d}"])
    out = io.StringIO()
    csv.writer(out).writerows([[question.name for question in questions] + ["_uuid"], *rows])
    used: list[bool] = []
    batch = imports._ColumnChecks.batch
    monkeypatch.setattr(imports._ColumnChecks, "batch", lambda self, rows: used.append(batch(self, rows)) or used[-1])
    summary, stored = _import(tmp_path, "clean", out.getvalue(), True, monkeypatch)
    assert used and all(done is not None for done in used)
    assert len(stored) == len(rows)
    for row, (_, submission_id, answers, *_rest) in zip(rows, stored):
        expected = {question.name: value.strip() for question, value in zip(questions, row) if value.strip()}
        assert submission_id == f"kobo-{row[-1]}" and answers == canonical(expected)


def _clean_rows(count: int) -> tuple[list[str], list[list[str]]]:
    form = default_form()
    questions = form.answer_questions()
    rows = []
    for number in range(count):
        rows.append([form.options(question)[number % len(form.options(question))].name
                     if question.kind == "select_one" else f"comment {number}" for question in questions]
                    + [f"5a0c2a7f-0001-4c39-9b0e-{number:012d}"])
    return [question.name for question in questions] + ["_uuid"], rows


@pytest.mark.parametrize("fault", ["text of 2,001 characters", "text of 2,000 characters", "n/a in a choice",
                                   "empty required choice", "empty optional choice", "no answer", "wrong choice",
                                   "choice in capitals", "empty id", "id too long", "short row"])
def test_each_fault_in_a_later_batch_is_told_as_the_row_checks_tell_it(tmp_path, monkeypatch, fault):
    monkeypatch.setattr(imports, "BATCH_ROWS", 5)
    header, rows = _clean_rows(14)
    form = default_form()
    questions = {question.name: question for question in form.answer_questions()}
    required = next(name for name, question in questions.items() if question.required)
    optional = next(name for name, question in questions.items() if question.kind == "select_one"
                    and not question.required)
    row = rows[7]  # the second batch
    if fault.startswith("text of"):
        row[header.index("comments")] = "x" * (2001 if "2,001" in fault else 2000)
    elif fault == "n/a in a choice":
        row[header.index(optional)] = "n/a"
    elif fault == "empty required choice":
        row[header.index(required)] = "  "
    elif fault == "empty optional choice":
        row[header.index(optional)] = ""
    elif fault == "no answer":
        row[:-1] = [""] * (len(row) - 1)
    elif fault == "wrong choice":
        row[header.index(required)] = "not_a_choice"
    elif fault == "choice in capitals":
        row[header.index(required)] = row[header.index(required)].upper()
    elif fault == "empty id":
        row[-1] = " "
    elif fault == "id too long":
        row[-1] = "x" * 80
    else:
        del row[3]
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    by_columns = _import(tmp_path, "faulty", out.getvalue(), True, monkeypatch)
    by_rows = _import(tmp_path, "faulty", out.getvalue(), False, monkeypatch)
    assert by_columns == by_rows
