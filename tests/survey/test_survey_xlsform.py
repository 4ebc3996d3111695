"""XLSForm: the default questionnaire round trip, the five real forms, and clear refusals."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from diaspora_observatory.survey.default import default_form
from diaspora_observatory.survey.errors import XLSFormError
from diaspora_observatory.survey.model import Choice, Form, Question
from diaspora_observatory.survey.xlsform import read_xlsform, write_xlsform

# The project's shared real-data folder sits beside the repository (see its README).
REAL_FORMS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "xlsform"
needs_real_forms = pytest.mark.skipif(not REAL_FORMS.is_dir(), reason=f"shared XLSForm files not found at {REAL_FORMS}")


def without_rows(form: Form) -> Form:
    for question in form.questions:
        question.row = None
    return form


def test_default_form_round_trip(tmp_path):
    form = default_form()
    path = write_xlsform(form, tmp_path / "default.xlsx")
    assert without_rows(read_xlsform(path)) == form
    assert form.languages == ["English (en)", "Russian (ru)", "Kazakh (kk)"]


def test_default_form_reuses_case_labels_and_the_study_items():
    form = default_form()
    names = [question.name for question in form.answer_questions()]
    assert names[:4] == ["identity_family_language", "identity_holidays", "identity_news", "identity_dress"]
    assert {"home_language", "contact_frequency", "state_support_rating", "age_band", "gender",
            "country_of_residence", "citizenship"} <= set(names)
    news = form.question("identity_news")
    assert form.text(news.labels, "en") == "Following news and events in Kazakhstan matters to me"
    assert form.text(news.labels, "ru") == "Мне важно следить за новостями и событиями в Казахстане"
    assert [choice.name for choice in form.options(form.question("home_language"))] == [
        "kazakh_only", "mainly_kazakh", "mainly_russian", "russian_only"]
    assert [choice.name for choice in form.options(form.question("contact_frequency"))] == [
        "daily", "at_least_monthly", "less_often", "no_contact"]
    # Only bands and countries: nothing that pins down a person.
    assert not {"name", "phone", "birth_date", "email", "city"} & set(names)


def test_default_form_labels_exist_in_every_language():
    form = default_form()
    for question in form.answer_questions():
        for code in ("en", "ru", "kk"):
            assert any(key.endswith(f"({code})") for key in question.labels), (question.name, code)
        for choice in form.options(question):
            assert len(choice.labels) == 3, (question.name, choice.name)


# Each real form either reads, or is refused naming sheet, row and column of the unsupported feature.
EXPECTED_REFUSALS = {
    "group.xlsx": [("survey", 4, "type", "the question type 'phone number' is not supported")],
    "or_other.xlsx": [("survey", 2, "type", "'or_other' is not supported"),
                      ("survey", 3, "choice_filter", "the column 'choice_filter' is not supported"),
                      ("choices", 2, "pastel", "the column 'pastel' is not supported")],
    "choice_filter_test.xlsx": [("survey", 3, "choice_filter", "the column 'choice_filter' is not supported"),
                                ("settings", 2, "allow_choice_duplicates", "is not supported")],
    "UCL_Biomass_Plot_Form.xlsx": [("survey", 11, "type", "'start' records the device, the respondent or precise times"),
                                   ("survey", 32, "type", "repeats are not supported"),
                                   ("settings", 2, "version", "a formula (=NOW())")],
    "xlsform_spec_test.xlsx": [("columns", None, None, "the sheet 'columns' is not supported"),
                               ("survey", 31, "type", "the question type 'date' is not supported")],
}


@needs_real_forms
@pytest.mark.parametrize("name", sorted(EXPECTED_REFUSALS))
def test_real_forms_are_refused_with_sheet_row_and_column(name):
    path = REAL_FORMS / name
    with pytest.raises(XLSFormError) as raised:
        read_xlsform(path)
    found = [(issue.sheet, issue.row, issue.column, issue.message) for issue in raised.value.issues]
    for sheet, row, column, text in EXPECTED_REFUSALS[name]:
        assert any(f[:3] == (sheet, row, column) and text in f[3] for f in found), (sheet, row, column, text, found)
    assert str(path) in raised.value.message and "sheet '" in raised.value.message


@needs_real_forms
def test_every_real_form_was_tried():
    assert sorted(path.name for path in REAL_FORMS.glob("*.xlsx")) == sorted(EXPECTED_REFUSALS)


@needs_real_forms
def test_real_form_reads_once_the_unsupported_type_is_replaced(tmp_path):
    """group.xlsx with its 'phone number' row made a text question reads: groups, single-colon labels."""
    copy = tmp_path / "group.xlsx"
    shutil.copy(REAL_FORMS / "group.xlsx", copy)
    workbook = load_workbook(copy)
    workbook["survey"]["A4"] = "text"
    workbook.save(copy)
    form = read_xlsform(copy)
    assert [(q.kind, q.name) for q in form.questions] == [
        ("text", "family_name"), ("begin_group", "father"), ("text", "phone_number"), ("integer", "age"),
        ("end_group", "")]
    assert form.text(form.question("age").labels, "en") == "How old is your father?"
    assert without_rows(read_xlsform(write_xlsform(form, tmp_path / "again.xlsx"))) == without_rows(form)


def _sheet(tmp_path, rows, choices=None, name="form.xlsx"):
    from openpyxl import Workbook

    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    for row in rows:
        survey.append(row)
    if choices:
        sheet = workbook.create_sheet("choices")
        for row in choices:
            sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def test_unsupported_expression_names_sheet_row_column(tmp_path):
    path = _sheet(tmp_path, [["type", "name", "label", "relevant"], ["integer", "age", "Age"],
                             ["text", "why", "Why?", "regex(${age}, '[0-9]+')"]])
    with pytest.raises(XLSFormError) as raised:
        read_xlsform(path)
    assert str(raised.value.issues[0]) == (
        "sheet 'survey', row 3, column 'relevant': function regex() is not supported (in \"regex(${age}, '[0-9]+')\"); "
        "supported expressions: ., ${name}, numbers, 'strings', = != < <= > >=, and, or, ( ), selected(), not(), "
        "count-selected()")


def test_unknown_reference_missing_list_and_duplicate_name(tmp_path):
    path = _sheet(tmp_path, [["type", "name", "label", "relevant"], ["select_one colours", "colour", "Colour"],
                             ["integer", "age", "Age", "${agee} > 3"], ["text", "age", "Again"]])
    with pytest.raises(XLSFormError) as raised:
        read_xlsform(path)
    messages = [str(issue) for issue in raised.value.issues]
    assert "sheet 'survey', row 3, column 'relevant': ${agee} names no question; use the name of a question of this form" in messages
    assert "sheet 'survey', row 4, column 'name': the name 'age' is used twice; give each question its own name" in messages
    assert any(message.startswith("sheet 'choices', column 'list_name': no choice list 'colours'") for message in messages)


def test_not_a_workbook(tmp_path):
    path = tmp_path / "form.xlsx"
    path.write_text("type,name\n")
    with pytest.raises(XLSFormError, match="not a readable .xlsx file"):
        read_xlsform(path)


labels = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).map(str.strip).filter(bool)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(english=labels, russian=labels, choice_label=labels)
def test_labels_survive_the_round_trip(tmp_path, english, russian, choice_label):
    """Any label text, including text that looks like a formula, comes back unchanged."""
    form = Form("f", "Title", [Question("select_one", "q", "yes_no", {"English (en)": english, "Russian (ru)": russian},
                                        required=True, relevant="", constraint="")],
                {"yes_no": [Choice("yes", {"English (en)": choice_label, "Russian (ru)": "да"})]})
    path = write_xlsform(form, tmp_path / "labels.xlsx")
    assert without_rows(read_xlsform(path)) == form
