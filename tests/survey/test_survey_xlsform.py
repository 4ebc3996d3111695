"""XLSForm: the default questionnaire round trip, the five real forms, and clear refusals."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from survey_helpers import REAL_FORMS, edited_real_form

from diaspora_observatory.survey.default import default_form
from diaspora_observatory.survey.errors import XLSFormError
from diaspora_observatory.survey.model import Choice, Form, Question
from diaspora_observatory.survey.xlsform import read_xlsform, write_xlsform

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


# Each real form either reads, or is refused naming sheet, row and column of what is truly unsupported
# (exact messages); what the observatory supports (choice filters, media columns, regex(), languages) is
# never among the refusals.
SUPPORTED_NOW = "supported expressions: ., ${name}, numbers, 'strings', = != < <= > >=, and, or, ( ), selected(), not(), count-selected(), regex()"
EXPECTED_REFUSALS = {
    "group.xlsx": ["sheet 'survey', row 4, column 'type': 'phone number' asks the respondent for their phone number, "
                   "which identifies them in an anonymous survey; delete this row (or, if the study truly needs it "
                   "and respondents are told, ask it as a text question)"],
    # 'pastel=yes' compares with a column named yes (none): ODK would offer no choice at all.
    "or_other.xlsx": ["sheet 'survey', row 3, column 'choice_filter': 'yes' names no column of the choices sheet for "
                      "this list (in 'pastel=yes'); its columns are name, pastel; quote text with straight quotes "
                      "('yes') or name one of the columns"],
    "UCL_Biomass_Plot_Form.xlsx": [
        "sheet 'survey', row 9, column 'relevant': unexpected character '‘' at position 17 of '${leader_name} = ‘other’'; "
        f"{SUPPORTED_NOW}; quote text with straight quotes '…'",
        "sheet 'survey', row 16, column 'type': 'select_one_from_file UCL_regions.csv': choices from a file are not "
        "supported; copy the file's choices to the choices sheet and use select_one LIST",
        "sheet 'survey', row 32, column 'type': 'begin repeat': repeats are not supported; ask a fixed number of "
        "questions instead",
        "sheet 'settings', row 2, column 'version': a formula (=NOW()); type the value itself"],
    "xlsform_spec_test.xlsx": [
        "sheet 'columns': the sheet 'columns' is not supported; delete it (only survey, choices and settings are read)",
        "sheet 'survey', row 31, column 'type': the question type 'date' is not supported; use one of select_one LIST, "
        "select_multiple LIST, integer, decimal, range, text, note, begin group, end group",
        "sheet 'survey', row 52, column 'type': 'phonenumber' records the device's phone number, which identifies the "
        "respondent in an anonymous survey; delete this row"],
}
# Rows whose supported features (regex constraint, choice_filter, media and language columns) must not be refused.
# Rows 11, 12 (UCL) and 42-50 (spec test) are start/end/today/deviceid metadata: left out with a notice.
NOT_REFUSED = {
    "UCL_Biomass_Plot_Form.xlsx": [10, 11, 12, 17, 18],
    "xlsform_spec_test.xlsx": [7, 9, 10, 18, 42, 44, 46, 48, 50],
}
READS = {"choice_filter_test.xlsx"}


@needs_real_forms
@pytest.mark.parametrize("name", [  # the two largest forms take a second or more: not in make test-fast
    pytest.param(name, marks=pytest.mark.slow) if name in {"xlsform_spec_test.xlsx", "UCL_Biomass_Plot_Form.xlsx"}
    else name for name in sorted(EXPECTED_REFUSALS)])
def test_real_forms_are_refused_with_sheet_row_and_column(name):
    path = REAL_FORMS / name
    with pytest.raises(XLSFormError) as raised:
        read_xlsform(path)
    found = [str(issue) for issue in raised.value.issues]
    for expected in EXPECTED_REFUSALS[name]:
        assert expected in found, (expected, found)
    refused_rows = {issue.row for issue in raised.value.issues if issue.sheet == "survey"}
    for row in NOT_REFUSED.get(name, []):
        if row in (17, 18) and name.startswith("UCL"):
            # select_one_from_file rows: only the type is refused, never their choice_filter.
            assert all(issue.column == "type" for issue in raised.value.issues if issue.row == row)
        else:
            assert row not in refused_rows, [str(i) for i in raised.value.issues if i.row == row]
    assert str(path) in raised.value.message and "sheet '" in raised.value.message
    if name == "or_other.xlsx":
        assert found == EXPECTED_REFUSALS[name]  # nothing else: or_other, pastel and choice_filter are read


@needs_real_forms
def test_choice_filter_test_form_reads():
    form = read_xlsform(REAL_FORMS / "choice_filter_test.xlsx")
    assert [question.name for question in form.answer_questions()] == ["state", "county", "city"]
    assert form.allow_choice_duplicates
    assert form.question("county").choice_filter == "${state}=cf"
    assert [(choice.name, choice.columns) for choice in form.choices["counties"]][:2] == [
        ("king", {"cf": "washington"}), ("pierce", {"cf": "washington"})]


@needs_real_forms
def test_every_real_form_was_tried():
    assert sorted(path.name for path in REAL_FORMS.glob("*.xlsx")) == sorted(set(EXPECTED_REFUSALS) | READS)


@needs_real_forms
def test_real_form_reads_once_the_unsupported_type_is_replaced(tmp_path):
    """group.xlsx with its 'phone number' row made a text question reads: groups, single-colon labels."""
    form = read_xlsform(edited_real_form(tmp_path, "group.xlsx", "A4", "text"))
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
                             ["text", "why", "Why?", "substr(${age}, 1)"]])
    with pytest.raises(XLSFormError) as raised:
        read_xlsform(path)
    assert str(raised.value.issues[0]) == (
        "sheet 'survey', row 3, column 'relevant': function substr() is not supported (in 'substr(${age}, 1)'); "
        "supported expressions: ., ${name}, numbers, 'strings', = != < <= > >=, and, or, ( ), selected(), not(), "
        "count-selected(), regex()")


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
