"""XLSForms as KoboToolbox and ODK users write them: the metadata Kobo's form builder adds, settings
id_string / version / style, the range type; and the names that would break collection (control
fields, choice names with spaces, headers written twice), refused with sheet, row and column."""

from __future__ import annotations

import pytest
from openpyxl import Workbook
from survey_helpers import SHARED_DATA

from diaspora_observatory.survey import web
from diaspora_observatory.survey.errors import SubmissionInvalid, XLSFormError
from diaspora_observatory.survey.steps import CONTROL_FIELDS
from diaspora_observatory.survey.validation import validate_answers
from diaspora_observatory.survey.xlsform import read_xlsform, read_xlsform_with_notices, write_xlsform

MORE_FORMS = SHARED_DATA / "xlsform-more"
needs_more_forms = pytest.mark.skipif(not MORE_FORMS.is_dir(), reason=f"shared XLSForm files not found at {MORE_FORMS}")
UNSUPPORTED = ("use one of select_one LIST, select_multiple LIST, integer, decimal, range, text, note, begin group, "
               "end group")


def workbook(tmp_path, survey, choices=None, settings=None, name="form.xlsx"):
    book = Workbook()
    book.active.title = "survey"
    for row in survey:
        book["survey"].append(row)
    for title, rows in (("choices", choices), ("settings", settings)):
        if rows:
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def issues_of(path) -> list[str]:
    with pytest.raises(XLSFormError) as raised:
        read_xlsform(path)
    return [str(issue) for issue in raised.value.issues]


def metadata_notice(row: int, kind: str) -> str:
    return (f"sheet 'survey', row {row}, column 'type': '{kind}' ({kind}) is metadata that ODK/KoboToolbox records by "
            "itself; the observatory never stores times of day, devices or user names, so it is not collected and "
            "the row is left out")


# The real forms of ../shared/data/xlsform-more: each reads, or is refused naming sheet, row and column.

@needs_more_forms
def test_correlaid_test_a_reads_with_range_and_id_string():
    form, notices = read_xlsform_with_notices(MORE_FORMS / "correlaid_testA.xlsx")
    assert notices == []
    assert form.form_id == "testwerk_wirkung_2025" and form.version == "2.2"
    attribution = form.question("attribution_beruf")
    assert (attribution.kind, attribution.parameters) == ("range", {"start": "0", "end": "100", "step": "5"})
    assert attribution.relevant == "${beruf_post} != ${beruf_pre}"
    assert len(form.answer_questions()) == 21
    answers = {"dauer": "1", "haeufigkeit": "2", "hauptwerkstatt": "holz", "vorwissen": "ja", "wohlfuehlen": "5",
               "freundschaften": "4", "eigene_ideen": "3", "problemloesung": "2", "skills_gelernt": "1",
               "beruf_pre": "2", "beruf_post": "4", "nps_score": "9"}
    assert validate_answers(form, {**answers, "attribution_beruf": "35"})["attribution_beruf"] == 35
    with pytest.raises(SubmissionInvalid) as raised:
        validate_answers(form, {**answers, "attribution_beruf": "33"})
    assert raised.value.problems[0].text() == "enter a number from 0 to 100 in steps of 5"
    with pytest.raises(SubmissionInvalid) as raised:
        validate_answers(form, {**answers, "attribution_beruf": "105"})
    assert raised.value.problems[0].text() == "enter a number from 0 to 100"


@needs_more_forms
def test_correlaid_all_types_drops_kobo_metadata_and_refuses_what_it_cannot_collect():
    found = issues_of(MORE_FORMS / "correlaid_all_types_survey.xlsx")
    # start, end, today, deviceid, username (rows 2-6) are not refused: they are left out with a notice.
    assert not [issue for issue in found if any(f"row {row}," in issue for row in range(2, 7))]
    assert found == [
        "sheet 'survey', row 7, column 'calculation': the column 'calculation' is not supported; remove the column "
        "(docs/survey.md lists the supported ones)",
        f"sheet 'survey', row 7, column 'type': the question type 'calculate' is not supported; {UNSUPPORTED}",
        f"sheet 'survey', row 8, column 'type': the question type 'hidden' is not supported; {UNSUPPORTED}",
        "sheet 'survey', row 9, column 'type': 'audit' records when, and with some settings where, each answer was "
        "given, which identifies the respondent in an anonymous survey; delete this row",
        f"sheet 'survey', row 13, column 'type': the question type 'string' is not supported; {UNSUPPORTED}",
        f"sheet 'survey', row 17, column 'type': the question type 'date' is not supported; {UNSUPPORTED}",
        f"sheet 'survey', row 18, column 'type': the question type 'time' is not supported; {UNSUPPORTED}",
        f"sheet 'survey', row 19, column 'type': the question type 'datetime' is not supported; {UNSUPPORTED}",
        f"sheet 'survey', row 22, column 'type': the question type 'rank aspects' is not supported; {UNSUPPORTED}",
        f"sheet 'survey', row 27, column 'type': the question type 'string' is not supported; {UNSUPPORTED}",
        f"sheet 'survey', row 42, column 'type': the question type 'rank aspects or_other' is not supported; "
        f"{UNSUPPORTED}",
        "sheet 'survey', row 48, column 'default': the column 'default' is not supported; remove the column "
        "(docs/survey.md lists the supported ones)"]


@needs_more_forms
def test_correlaid_test_b_accepts_style_and_refuses_its_extra_sheets_and_calculations():
    found = issues_of(MORE_FORMS / "correlaid_testB.xlsx")
    assert [issue for issue in found if issue.startswith("sheet 'settings'")] == []  # style and version read
    assert found[:7] == [f"sheet '{sheet}': the sheet '{sheet}' is not supported; delete it (only survey, choices "
                         "and settings are read)" for sheet in ("NOTES", "projects", "roles", "choices_fixed",
                                                                "survey_roles", "survey_skills", "survey_end")]
    assert found[7:] == [
        "sheet 'survey', row 12, column 'calculation': the column 'calculation' is not supported; remove the column "
        "(docs/survey.md lists the supported ones)",
        *(f"sheet 'survey', row {row}, column 'type': the question type 'calculate' is not supported; {UNSUPPORTED}"
          for row in (12, 13, 14))]


@needs_more_forms
def test_every_more_form_was_tried():
    assert sorted(path.name for path in MORE_FORMS.glob("*.xlsx")) == [
        "correlaid_all_types_survey.xlsx", "correlaid_testA.xlsx", "correlaid_testB.xlsx"]


# Metadata, settings, range

KOBO_DEFAULT = [["type", "name", "label"], ["start", "start"], ["end", "end"], ["today", "today"],
                ["deviceid", "deviceid"], ["username", "username"], ["integer", "age", "Age"]]


def test_kobo_metadata_rows_are_left_out_with_a_notice(tmp_path):
    form, notices = read_xlsform_with_notices(workbook(tmp_path, KOBO_DEFAULT))
    assert [question.name for question in form.questions] == ["age"]
    assert [str(notice) for notice in notices] == [metadata_notice(row, kind) for row, kind in
                                                   ((2, "start"), (3, "end"), (4, "today"), (5, "deviceid"),
                                                    (6, "username"))]


def test_identifying_metadata_stays_refused(tmp_path):
    path = workbook(tmp_path, [["type", "name"], ["phonenumber", "phone"], ["email", "mail"], ["integer", "age"]])
    assert issues_of(path) == [
        "sheet 'survey', row 2, column 'type': 'phonenumber' records the device's phone number, which identifies the "
        "respondent in an anonymous survey; delete this row",
        "sheet 'survey', row 3, column 'type': 'email' records the signed-in e-mail address, which identifies the "
        "respondent in an anonymous survey; delete this row"]


def test_settings_id_string_version_and_style(tmp_path):
    path = workbook(tmp_path, [["type", "name"], ["integer", "age"]],
                    settings=[["form_title", "id_string", "version", "style"], ["Wave", "wave_2025", "3", "pages"]])
    form, notices = read_xlsform_with_notices(path)
    assert (form.form_id, form.title, form.version) == ("wave_2025", "Wave", "3")
    assert [str(notice) for notice in notices] == [
        "sheet 'settings', row 2, column 'style': 'pages' changes only how Enketo lays out the form; the observatory "
        "shows its own layout, so the setting is ignored"]
    clash = workbook(tmp_path, [["type", "name"], ["integer", "age"]],
                     settings=[["form_id", "id_string"], ["one", "two"]], name="clash.xlsx")
    assert issues_of(clash) == ["sheet 'settings', row 2, column 'id_string': 'two' differs from form_id 'one'; they "
                                "are two names of the same setting: keep one"]


def test_range_parameters_are_checked_and_written_back(tmp_path):
    rows = [["type", "name", "parameters"], ["range", "a", "start=1 end=10 step=0.5"], ["range", "b", "start=5"],
            ["range", "c", "start=0;end=1;step=0"], ["range", "d", "from=1 end=3"], ["integer", "e", "start=1"],
            ["range", "f", "start=10 end=1"]]
    assert issues_of(workbook(tmp_path, rows)) == [
        "sheet 'survey', row 3, column 'parameters': range 'b': no end=…; write start, end and step, as in start=0 "
        "end=10 step=1",
        "sheet 'survey', row 4, column 'parameters': range 'c': step=0 must be greater than 0",
        "sheet 'survey', row 5, column 'parameters': range 'd': the parameter 'from' is not one of start, end, step",
        "sheet 'survey', row 5, column 'parameters': range 'd': no start=…; write start, end and step, as in start=0 "
        "end=10 step=1",
        "sheet 'survey', row 6, column 'parameters': parameters on 'integer' are not supported (only range questions "
        "take start, end and step); clear the cell",
        "sheet 'survey', row 7, column 'parameters': range 'f': end=1 is below start=10; the observatory reads start "
        "as the lowest value"]
    form = read_xlsform(workbook(tmp_path, rows[:2], name="ok.xlsx"))
    assert validate_answers(form, {"a": "2.5"}) == {"a": 2.5}
    with pytest.raises(SubmissionInvalid):
        validate_answers(form, {"a": "2.25"})
    again = read_xlsform(write_xlsform(form, tmp_path / "again.xlsx"))
    assert again.question("a").parameters == {"start": "1", "end": "10", "step": "0.5"}


# Names that break collection

def test_the_control_fields_are_the_ones_the_web_form_posts():
    assert set(CONTROL_FIELDS) == web.CONTROL_FIELDS


@pytest.mark.parametrize("name", ["submission_id", "lang", "__step", "__nav", "__anything"])
def test_a_question_named_like_a_control_field_is_refused(tmp_path, name):
    path = workbook(tmp_path, [["type", "name", "label"], ["integer", "age", "Age"], ["text", name, "Why?"]])
    assert issues_of(path) == [
        f"sheet 'survey', row 3, column 'name': '{name}' is a name the web form uses for its own fields "
        "(submission_id, lang and names starting with __); an answer named so would be lost; rename the question"]


def test_a_choice_name_with_a_space_is_refused(tmp_path):
    path = workbook(tmp_path, [["type", "name", "label"], ["select_multiple parts", "parts", "Parts"]],
                    choices=[["list_name", "name", "label"], ["parts", "a b", "North"], ["parts", "c", "South"]])
    assert issues_of(path) == [
        "sheet 'choices', row 2, column 'name': 'a b' has a space; a select_multiple answer is a space-separated list "
        "of names, so this choice could never be chosen; write it without spaces (as in 'a_b')"]


def test_a_header_written_twice_is_refused(tmp_path):
    path = workbook(tmp_path, [["type", "name", "label", "relevant", "label"], ["integer", "age", "Age", "", "Âge"]],
                    choices=[["list_name", "name", "label", "name"], ["x", "a", "A", "b"]])
    assert issues_of(path) == [
        "sheet 'survey', row 1, column 'label': the column 'label' appears twice (columns C and E); keep one of them",
        "sheet 'choices', row 1, column 'name': the column 'name' appears twice (columns B and D); keep one of them"]
    # "label:English" and "label::English" are one header too (pyxform reads both alike).
    same = workbook(tmp_path, [["type", "name", "label::English (en)", "label:English (en)"], ["integer", "age", "A", "B"]],
                    name="same.xlsx")
    assert issues_of(same) == ["sheet 'survey', row 1, column 'label::English (en)': the column 'label::English (en)' "
                               "appears twice (columns C and D); keep one of them"]


def test_survey_check_prints_the_notices(tmp_path):
    from click.testing import CliRunner

    from diaspora_observatory.cli import main

    path = workbook(tmp_path, KOBO_DEFAULT[:3] + KOBO_DEFAULT[-1:],
                    settings=[["id_string", "style"], ["kobo_form", "theme-grid"]])
    result = CliRunner().invoke(main, ["survey", "check", str(path)])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"Notice: {metadata_notice(2, 'start')}", f"Notice: {metadata_notice(3, 'end')}",
        "Notice: sheet 'settings', row 2, column 'style': 'theme-grid' changes only how Enketo lays out the form; the "
        "observatory shows its own layout, so the setting is ignored"]
    assert result.stdout == f"{path}: 1 questions, languages: one; OK\n"
