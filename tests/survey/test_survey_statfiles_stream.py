"""The xlsx, sav and dta exports read the answers once, a batch at a time (issue 15): the workbook is written
a row at a time (openpyxl's write-only mode) and stays the same cell for cell; the SPSS and Stata files,
which pyreadstat writes from a whole DataFrame, hold the same data and are refused above a documented size
with the CSV named."""

from __future__ import annotations

import random
import tracemalloc
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from survey_helpers import ADMIN_TOKEN, abroad_form

from diaspora_observatory.cli import main
from diaspora_observatory.survey import statfiles
from diaspora_observatory.survey.default import default_form
from diaspora_observatory.survey.exports import arrival_blind
from diaspora_observatory.survey.statfiles import ExportError, coded_rows, export_answers, variables
from diaspora_observatory.survey.storage import SurveyStore

TEXTS = ["=HYPERLINK(\"http://x\")", "Қазақ тілі", "русский", "=1+1", "=", "  spaced  ", "plain", "+SUM(A1)"]


# The writers as they were before this change (every answer in memory, the workbook built whole), kept here
# as the reference the streamed ones are compared with.
def before_xlsx(path: Path, table, rows) -> None:
    labelled = [[variable.codes.get(value, value) if variable.codes and value is not None else value
                 for variable, value in zip(table, row)] for row in rows]
    sheets = {"answers": [[variable.label for variable in table], *labelled],
              "codes": [[variable.name for variable in table], *rows], "codebook": statfiles.codebook_rows(table)}
    book = Workbook()
    book.remove(book.worksheets[0])
    for title, sheet_rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in sheet_rows:
            sheet.append([None if value is None else value for value in row])
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    book.save(path)


def before_stat_file(path: Path, export_format: str, table, rows) -> None:
    frame = pd.DataFrame(rows, columns=[variable.name for variable in table])
    for variable in table:
        if variable.kind == "numeric":
            frame[variable.name] = pd.to_numeric(frame[variable.name], errors="coerce").astype("float64")
    labels = [variable.label for variable in table]
    value_labels = {variable.name: {float(code): text for code, text in variable.codes.items()}
                    for variable in table if variable.codes}
    if export_format == "sav":
        pyreadstat.write_sav(frame, str(path), column_labels=list(labels), variable_value_labels=value_labels)
    else:
        pyreadstat.write_dta(frame, str(path), column_labels=[label[:80] for label in labels],
                             variable_value_labels=value_labels, version=15)


def abroad_responses(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    found = []
    for number in range(count):
        answers: dict = {"lives_abroad": rng.choice(["yes", "no"])}
        if answers["lives_abroad"] == "yes" and rng.random() < 0.8:
            answers["years_abroad"] = rng.choice([0, 3, 12, 99, 7.5])
        if rng.random() < 0.7:
            answers["languages"] = rng.sample(["kk", "ru", "other"], rng.randint(1, 3))
        if "other" in answers.get("languages", []):
            answers["other_language"] = rng.choice(TEXTS)
        found.append({"submission_id": f"=id-{number}" if number % 17 == 0 else f"s{number:05d}",
                      "received_on": f"2026-0{1 + number % 9}-1{number % 10}", "origin": rng.choice(["web", "api"]),
                      "answers": answers})
    return found


def default_responses(count: int) -> list[dict]:
    form = default_form()
    rng = random.Random(count)
    found = []
    for number in range(count):
        answers = {}
        for question in form.answer_questions():
            if question.kind not in ("select_one", "select_multiple") or rng.random() < 0.1:
                continue
            names = [choice.name for choice in form.options(question)]
            answers[question.name] = (rng.sample(names, rng.randint(1, len(names)))
                                      if question.kind == "select_multiple" else rng.choice(names))
        found.append({"submission_id": f"k{number:06d}", "received_on": "2026-03-01", "origin": "api",
                      "answers": answers})
    return found


def cells(path: Path) -> dict[str, list[list[tuple]]]:
    book = load_workbook(path)
    return {sheet.title: [[(cell.value, cell.data_type) for cell in row] for row in sheet.iter_rows()]
            for sheet in book.worksheets}


@pytest.mark.parametrize("language", ["en", "kk"])
@pytest.mark.parametrize("form_name", ["abroad", "default"])
def test_the_streamed_workbook_has_the_same_cells_as_the_whole_one(tmp_path, form_name, language):
    form, responses = (abroad_form(), abroad_responses(300)) if form_name == "abroad" else (
        default_form(), default_responses(300))
    table = variables(form, language)
    before_xlsx(tmp_path / "before.xlsx", table, coded_rows(form, responses, table))
    export_answers(form, iter(responses), tmp_path / "after.xlsx", "xlsx", language=language)
    before, after = cells(tmp_path / "before.xlsx"), cells(tmp_path / "after.xlsx")
    assert list(after) == ["answers", "codes", "codebook"]
    assert after == before
    formulas = [value for sheet in after.values() for row in sheet for value, kind in row
                if isinstance(value, str) and value.startswith("=") and kind != "s"]
    assert formulas == []  # text that starts with = is a string cell, never a formula
    if form_name == "abroad":
        assert any(value == '=HYPERLINK("http://x")' for row in after["answers"] for value, _kind in row)


@pytest.mark.parametrize("export_format", ["sav", "dta"])
@pytest.mark.parametrize("form_name", ["abroad", "default"])
def test_the_spss_and_stata_files_hold_the_same_data_as_before(tmp_path, form_name, export_format):
    form, responses = (abroad_form(), abroad_responses(300)) if form_name == "abroad" else (
        default_form(), default_responses(300))
    table = variables(form, "ru")
    before_stat_file(tmp_path / f"before.{export_format}", export_format, table, coded_rows(form, responses, table))
    export_answers(form, iter(responses), tmp_path / f"after.{export_format}", export_format, language="ru")
    reader = pyreadstat.read_sav if export_format == "sav" else pyreadstat.read_dta
    before_frame, before_meta = reader(str(tmp_path / f"before.{export_format}"))
    after_frame, after_meta = reader(str(tmp_path / f"after.{export_format}"))
    pd.testing.assert_frame_equal(after_frame, before_frame)
    assert len(after_frame) == 300
    for field in ("column_names", "column_labels", "variable_value_labels", "readstat_variable_types",
                  "original_variable_types", "variable_storage_width", "variable_measure"):
        assert getattr(after_meta, field) == getattr(before_meta, field), field


@pytest.mark.parametrize("export_format", ["sav", "dta"])
def test_an_empty_survey_exports_the_same_empty_file(tmp_path, export_format):
    form = abroad_form()
    table = variables(form)
    before_stat_file(tmp_path / f"before.{export_format}", export_format, table, [])
    export_answers(form, iter([]), tmp_path / f"after.{export_format}", export_format)
    reader = pyreadstat.read_sav if export_format == "sav" else pyreadstat.read_dta
    before, after = reader(str(tmp_path / f"before.{export_format}")), reader(str(tmp_path / f"after.{export_format}"))
    assert list(after[0].columns) == list(before[0].columns) and len(after[0]) == 0
    assert after[1].readstat_variable_types == before[1].readstat_variable_types


def test_the_workbook_is_written_without_holding_every_answer(tmp_path):
    """The peak of Python allocations while the workbook is written hardly grows from 200 to 2,000 answers
    (the whole workbook in memory grew tenfold with them)."""
    form = default_form()

    def peak(count: int) -> int:
        responses = default_responses(count)

        def streamed():
            while responses:
                yield responses.pop()  # the caller's list lets go of each answer as it is read

        tracemalloc.start()
        try:
            export_answers(form, streamed(), tmp_path / f"{count}.xlsx", "xlsx")
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(200), peak(2000)
    assert large < small * 2, (small, large)
    book = load_workbook(tmp_path / "2000.xlsx", read_only=True)
    try:  # a read-only workbook keeps its file open until closed
        assert sum(1 for _row in book["codes"].iter_rows()) == 2001
    finally:
        book.close()


def test_a_workbook_longer_than_a_sheet_is_refused_and_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(statfiles, "SHEET_ROWS", 101)  # as if a sheet held 100 answers below its header
    path = tmp_path / "answers.xlsx"
    with pytest.raises(ExportError) as raised:
        export_answers(abroad_form(), iter(abroad_responses(150)), path, "xlsx")
    assert raised.value.message == "more than 100 answers, the most rows a spreadsheet sheet holds"
    assert "CSV" in raised.value.hint
    assert sorted(tmp_path.iterdir()) == []  # neither the workbook nor its partial file
    export_answers(abroad_form(), iter(abroad_responses(100)), path, "xlsx")  # the most a sheet holds: written
    assert len(cells(path)["codes"]) == 101


def test_an_answer_refused_halfway_leaves_the_earlier_workbook_as_it_was(tmp_path):
    path = tmp_path / "answers.xlsx"
    path.write_bytes(b"an earlier export")
    responses = abroad_responses(50)
    responses[40]["answers"]["lives_abroad"] = "maybe"
    with pytest.raises(ExportError):
        export_answers(abroad_form(), iter(responses), path, "xlsx")
    assert path.read_bytes() == b"an earlier export"
    assert sorted(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize("export_format", ["sav", "dta"])
def test_spss_and_stata_are_refused_above_their_size_naming_the_csv(tmp_path, monkeypatch, export_format):
    form = abroad_form()
    width = len(variables(form))
    monkeypatch.setattr(statfiles, "MAX_STAT_VALUES", 100 * width)  # as if 100 answers were the most
    read = []

    def counted():
        for response in abroad_responses(500):
            read.append(1)
            yield response

    with pytest.raises(ExportError) as raised:
        export_answers(form, counted(), tmp_path / f"a.{export_format}", export_format)
    assert raised.value.message.startswith(f"101 answers of {width} variables are more than the {100 * width:,} values")
    assert "CSV (--out answers.csv)" in raised.value.hint
    assert len(read) == 101  # reading stopped at the bound
    assert not (tmp_path / f"a.{export_format}").exists()
    export_answers(form, iter(abroad_responses(100)), tmp_path / f"b.{export_format}", export_format)
    assert len((pyreadstat.read_sav if export_format == "sav" else pyreadstat.read_dta)(
        str(tmp_path / f"b.{export_format}"))[0]) == 100


def test_the_export_command_streams_the_answers_arrival_blind_and_refuses_before_reading(tmp_path, monkeypatch):
    """The workbook's rows are those of the old writer in the CSV's arrival-blind order (sorted by a hash of
    the submission id), never in the order the answers arrived: with the day received in every row, arrival
    order would narrow down when a known person answered."""
    data = tmp_path / "data"
    data.mkdir()
    store = SurveyStore.for_data_dir(data)
    store.add_survey("abroad", abroad_form())
    responses = abroad_responses(120)
    for response in responses:
        store.submit("abroad", response["submission_id"], response["answers"])
    stored = store.responses("abroad")
    blind = arrival_blind(stored)
    assert list(store.blind_responses("abroad", batch=7)) == blind  # the same answers, in the CSV's order
    assert [row["submission_id"] for row in blind] != [row["submission_id"] for row in stored]
    store.close()
    form = abroad_form()
    table = variables(form)
    before_xlsx(tmp_path / "before.xlsx", table, coded_rows(form, blind, table))
    env = {"DIASPORA_DATABASE_URL": "", "DIASPORA_ADMIN_TOKEN": ADMIN_TOKEN}
    runner = CliRunner()
    result = runner.invoke(main, ["survey", "export", "abroad", "--out", str(tmp_path / "after.xlsx"),
                                  "--data-dir", str(data)], env=env)
    assert result.exit_code == 0, result.output
    assert "xlsx: 120 answers, 9 variables" in result.output
    assert cells(tmp_path / "after.xlsx") == cells(tmp_path / "before.xlsx")

    def not_read(self, slug, batch=1000):
        raise AssertionError("the answers were read before the size was checked")

    monkeypatch.setattr(statfiles, "MAX_STAT_VALUES", 100 * len(table))
    monkeypatch.setattr(SurveyStore, "blind_responses", not_read)
    result = runner.invoke(main, ["survey", "export", "abroad", "--out", str(tmp_path / "a.sav"),
                                  "--data-dir", str(data)], env=env)
    assert result.exit_code != 0
    assert "120 answers of 9 variables are more than the 900 values an SPSS (.sav) file" in result.output
    assert "CSV" in result.output and not (tmp_path / "a.sav").exists()


def test_the_answers_read_a_batch_at_a_time_are_those_of_responses_in_order(database_url, tmp_path):
    """On SQLite and PostgreSQL: blind_responses gives what responses gives, in arrival-blind order, whatever
    the batch, and the workbook written from it has the old writer's cells in that order."""
    store = SurveyStore(database_url)
    try:
        store.add_survey("abroad", abroad_form())
        for response in abroad_responses(45, seed=3):
            store.submit("abroad", response["submission_id"], response["answers"])
        stored = store.responses("abroad")
        assert [row["submission_id"] for row in stored][:3] == ["=id-0", "s00001", "s00002"]
        blind = arrival_blind(stored)
        for batch in (1, 7, 45, 1000):
            assert list(store.blind_responses("abroad", batch=batch)) == blind
        form = abroad_form()
        table = variables(form)
        before_xlsx(tmp_path / "before.xlsx", table, coded_rows(form, blind, table))
        export_answers(form, store.blind_responses("abroad", batch=10), tmp_path / "after.xlsx", "xlsx")
        assert cells(tmp_path / "after.xlsx") == cells(tmp_path / "before.xlsx")
    finally:
        store.close()
