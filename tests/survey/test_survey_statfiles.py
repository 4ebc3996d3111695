"""Raw answers exported as CSV, XLSX, SPSS and Stata files, read back with the tools researchers use."""

from __future__ import annotations

import csv

import pyreadstat
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from survey_helpers import ADMIN_TOKEN, VALID_ANSWERS, abroad_form

from diaspora_observatory.cli import main
from diaspora_observatory.survey.default import DEFAULT_SLUG
from diaspora_observatory.survey.statfiles import ExportError, export_answers, variables
from diaspora_observatory.survey.storage import SurveyStore


@pytest.fixture
def abroad(tmp_path):
    """A store with the 'abroad' form (a select_one, a number, a select_multiple, text) and three answers."""
    store = SurveyStore(f"sqlite:///{tmp_path / 'survey.sqlite3'}")
    store.add_survey("abroad", abroad_form())
    store.submit("abroad", "a1", {"lives_abroad": "yes", "years_abroad": 12, "languages": ["kk", "other"],
                                  "other_language": "=HYPERLINK(\"http://x\")"})
    store.submit("abroad", "a2", {"lives_abroad": "no", "languages": ["ru"]})
    store.submit("abroad", "a3", {"lives_abroad": "yes", "years_abroad": 3})
    yield store
    store.close()


def by_id(frame):
    return frame.set_index("submission_id")


def test_variables_code_choices_in_form_order_and_split_multiple_choices():
    table = variables(abroad_form())
    assert [v.name for v in table] == ["submission_id", "received_on", "origin", "lives_abroad", "years_abroad",
                                       "languages_kk", "languages_ru", "languages_other", "other_language"]
    lives = table[3]
    assert lives.codes == {1: "Yes", 2: "No"} and lives.choice_codes == {"yes": 1, "no": 2}
    assert table[5].label == "Languages you speak at home: Kazakh" and table[5].codes == {0: "not selected",
                                                                                           1: "selected"}


@pytest.mark.parametrize("suffix", ["sav", "dta"])
def test_spss_and_stata_files_carry_codes_and_labels(abroad, tmp_path, suffix):
    path = tmp_path / f"answers.{suffix}"
    export_answers(abroad.get_survey("abroad").form, abroad.responses("abroad"), path, suffix)
    reader = pyreadstat.read_sav if suffix == "sav" else pyreadstat.read_dta
    frame, meta = reader(str(path))
    rows = by_id(frame)
    assert rows.loc["a1", "lives_abroad"] == 1 and rows.loc["a2", "lives_abroad"] == 2
    assert rows.loc["a1", "years_abroad"] == 12 and rows.loc["a2", "years_abroad"] != rows.loc["a2", "years_abroad"]
    assert [rows.loc[i, "languages_kk"] for i in ("a1", "a2")] == [1, 0]
    assert rows.loc["a3", "languages_kk"] != rows.loc["a3", "languages_kk"]  # not answered: missing, not 0
    assert rows.loc["a1", "other_language"] == '=HYPERLINK("http://x")'  # no formulas in these formats
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels["lives_abroad"] == "Do you live outside Kazakhstan?"
    value_labels = meta.variable_value_labels
    assert value_labels["lives_abroad"] == {1: "Yes", 2: "No"}
    assert value_labels["languages_other"] == {0: "not selected", 1: "selected"}


def test_xlsx_has_labels_codes_and_a_codebook_and_no_formula(abroad, tmp_path):
    path = tmp_path / "answers.xlsx"
    export_answers(abroad.get_survey("abroad").form, abroad.responses("abroad"), path, "xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["answers", "codes", "codebook"]
    answers = list(book["answers"].values)
    assert answers[0][3] == "Do you live outside Kazakhstan?"
    row = next(r for r in answers if r[0] == "a1")
    assert row[3] == "Yes" and row[5] == "selected" and row[8] == '=HYPERLINK("http://x")'
    cell = next(c for c in book["answers"]["I"] if c.value == '=HYPERLINK("http://x")')
    assert cell.data_type == "s"  # a string cell: Excel shows the text, it does not run it
    codes = list(book["codes"].values)
    assert codes[0][:4] == ("submission_id", "received_on", "origin", "lives_abroad")
    assert next(r for r in codes if r[0] == "a2")[3] == 2
    codebook = list(book["codebook"].values)
    assert codebook[0] == ("variable", "label", "type", "question", "choice", "codes")
    assert ("lives_abroad", "Do you live outside Kazakhstan?", "numeric", "lives_abroad", None,
            "1 = Yes; 2 = No") in codebook


def test_csv_with_a_byte_order_mark_and_formulas_neutralised(abroad, tmp_path):
    path = tmp_path / "answers.csv"
    export_answers(abroad.get_survey("abroad").form, abroad.responses("abroad"), path, "csv", bom=True)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert next(r for r in rows if r["submission_id"] == "a1")["other_language"] == "'=HYPERLINK(\"http://x\")"


def test_labels_in_the_chosen_language(tmp_path):
    from diaspora_observatory.survey.default import default_form

    store = SurveyStore(f"sqlite:///{tmp_path / 'survey.sqlite3'}")
    store.add_survey(DEFAULT_SLUG, default_form())
    store.submit(DEFAULT_SLUG, "k1", VALID_ANSWERS)
    path = tmp_path / "answers.sav"
    export_answers(store.get_survey(DEFAULT_SLUG).form, store.responses(DEFAULT_SLUG), path, "sav", language="kk")
    store.close()
    _frame, meta = pyreadstat.read_sav(str(path))
    assert meta.column_labels[0] == "Жауап идентификаторы"
    assert meta.variable_value_labels["gender"][1] != "Female"  # the Kazakh label, not the English one


def test_an_answer_that_no_longer_fits_the_form_is_refused_not_blanked(abroad, tmp_path):
    responses = abroad.responses("abroad")
    responses[0]["answers"]["lives_abroad"] = "maybe"  # as if the form had been replaced after this answer
    with pytest.raises(ExportError) as raised:
        export_answers(abroad.get_survey("abroad").form, responses, tmp_path / "a.sav", "sav")
    assert raised.value.message == ("submission a1: the answer 'maybe' to 'lives_abroad' does not fit the form's "
                                    "question (was the form replaced after answers came in?)")


def test_export_command_picks_the_format_from_the_file_name(tmp_path):
    data = tmp_path / "data"
    runner = CliRunner()
    env = {"DIASPORA_DATABASE_URL": "", "DIASPORA_ADMIN_TOKEN": ADMIN_TOKEN}
    form = tmp_path / "form.xlsx"
    assert runner.invoke(main, ["survey", "default", "--out", str(form)], env=env).exit_code == 0
    assert runner.invoke(main, ["survey", "add", str(form), "--slug", DEFAULT_SLUG, "--data-dir", str(data)], env=env).exit_code == 0
    store = SurveyStore.for_data_dir(data)
    store.submit(DEFAULT_SLUG, "k1", VALID_ANSWERS)
    store.close()
    out = tmp_path / "answers.dta"
    result = runner.invoke(main, ["survey", "export", DEFAULT_SLUG, "--out", str(out), "--data-dir", str(data)],
                           env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote {out} (dta: 1 answers, ")
    frame, _meta = pyreadstat.read_dta(str(out))
    assert list(frame["submission_id"]) == ["k1"]
