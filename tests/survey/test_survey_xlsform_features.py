"""Ordinary XLSForm features beyond the core: presentation and choice columns, choice_filter (with
allow_choice_duplicates), or_other, regex() and translated constraint messages; on import, export,
validation, the stepped HTML form and the JSON API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from survey_helpers import REAL_FORMS, edited_real_form

from diaspora_observatory.survey.errors import SubmissionInvalid, XLSFormError
from diaspora_observatory.survey.expressions import MAX_REGEX_INPUT, holds
from diaspora_observatory.survey.steps import plan_steps
from diaspora_observatory.survey.validation import check_answers, options_for, validate_answers
from diaspora_observatory.survey.xlsform import read_xlsform, write_xlsform

needs_real_forms = pytest.mark.skipif(not REAL_FORMS.is_dir(), reason=f"shared XLSForm files not found at {REAL_FORMS}")


def workbook(tmp_path, survey, choices=None, settings=None, name="form.xlsx") -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    for title, rows in (("choices", choices), ("settings", settings)):
        if rows:
            extra = book.create_sheet(title)
            for row in rows:
                extra.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def issues_of(path) -> list[str]:
    with pytest.raises(XLSFormError) as raised:
        read_xlsform(path)
    return [str(issue) for issue in raised.value.issues]


# 1. presentation and choice columns

def test_presentation_and_choice_columns_are_kept_through_the_round_trip(tmp_path):
    path = workbook(tmp_path, [
        ["type", "name", "label::English (en)", "label::Russian (ru)", "image", "audio::English (en)",
         "media::video::Russian (ru)", "required_message::Russian (ru)", "guidance_hint", "appearance", "required"],
        ["select_one colours", "colour", "Colour", "Цвет", "colour.jpg", "colour.mp3", "colour.mov", "Ответьте",
         "Ask slowly", "minimal", "yes"],
    ], choices=[["list_name", "name", "label::English (en)", "image", "pastel"],
                ["colours", "red", "Red", "red.jpg", "no"], ["colours", "mauve", "Mauve", "", "yes"]])
    form = read_xlsform(path)
    question = form.question("colour")
    assert question.presentation == {"image": "colour.jpg", "audio::English (en)": "colour.mp3",
                                     "media::video::Russian (ru)": "colour.mov",
                                     "required_message::Russian (ru)": "Ответьте", "guidance_hint": "Ask slowly"}
    assert [choice.columns for choice in form.choices["colours"]] == [{"image": "red.jpg", "pastel": "no"},
                                                                        {"pastel": "yes"}]
    again = read_xlsform(write_xlsform(form, tmp_path / "again.xlsx"))
    assert again.question("colour").presentation == question.presentation
    assert again.choices == form.choices
    # The answers are checked exactly as without those columns.
    assert validate_answers(form, {"colour": "red"}) == {"colour": "red"}


def test_columns_that_change_answers_stay_refused(tmp_path):
    path = workbook(tmp_path, [["type", "name", "label", "calculation", "default", "read_only"],
                               ["integer", "age", "Age", "1 + 1", "3", "yes"]])
    assert issues_of(path) == [
        f"sheet 'survey', row 2, column '{column}': the column '{column}' is not supported; remove the column "
        "(docs/survey.md lists the supported ones)" for column in ("calculation", "default", "read_only")]


# 2. choice_filter and allow_choice_duplicates

CASCADE_SURVEY = [["type", "name", "label", "choice_filter", "required"],
                  ["select_one states", "state", "State", "", "yes"],
                  ["select_one counties", "county", "County", "cf = ${state}", "yes"],
                  ["select_multiple cities", "cities", "Cities", "${county}=cf or name = 'anywhere'", ""]]
CASCADE_CHOICES = [["list_name", "name", "label", "cf"],
                   ["states", "texas", "Texas", ""], ["states", "washington", "Washington", ""],
                   ["counties", "king", "King (WA)", "washington"], ["counties", "pierce", "Pierce", "washington"],
                   ["counties", "king", "King (TX)", "texas"], ["counties", "cameron", "Cameron", "texas"],
                   ["cities", "seattle", "Seattle", "king"], ["cities", "tacoma", "Tacoma", "pierce"],
                   ["cities", "harlingen", "Harlingen", "cameron"], ["cities", "anywhere", "Anywhere", ""]]
DUPLICATES_YES = [["form_title", "form_id", "allow_choice_duplicates"], ["Cascade", "cascade", "yes"]]


def test_duplicate_choice_names_need_allow_choice_duplicates(tmp_path):
    refused = workbook(tmp_path, CASCADE_SURVEY, CASCADE_CHOICES, name="no.xlsx")
    assert issues_of(refused) == [
        "sheet 'choices', row 6, column 'name': 'king' appears twice in the list 'counties'; give each choice its "
        "own name (or set allow_choice_duplicates to yes on the settings sheet)"]
    form = read_xlsform(workbook(tmp_path, CASCADE_SURVEY, CASCADE_CHOICES, DUPLICATES_YES))
    assert form.allow_choice_duplicates and read_xlsform(write_xlsform(form, tmp_path / "again.xlsx")) \
        .allow_choice_duplicates


def test_choice_filter_keeps_matching_choices_and_validation_refuses_the_others(tmp_path):
    form = read_xlsform(workbook(tmp_path, CASCADE_SURVEY, CASCADE_CHOICES, DUPLICATES_YES))
    county, cities = form.question("county"), form.question("cities")
    assert [choice.labels[""] for choice in options_for(form, county, {"state": "texas"})] == ["King (TX)", "Cameron"]
    assert [choice.name for choice in options_for(form, cities, {"county": "king"})] == ["seattle", "anywhere"]
    assert validate_answers(form, {"state": "texas", "county": "cameron", "cities": "harlingen anywhere"}) == {
        "state": "texas", "county": "cameron", "cities": ["harlingen", "anywhere"]}
    with pytest.raises(SubmissionInvalid) as raised:
        validate_answers(form, {"state": "texas", "county": "pierce", "cities": ["tacoma"]})
    assert [(problem.field, problem.text()) for problem in raised.value.problems] == [
        ("county", "'pierce' is not one of the choices"), ("cities", "'tacoma' is not one of the choices")]
    with pytest.raises(SubmissionInvalid):
        validate_answers(form, {"state": "washington", "county": "king", "cities": ["harlingen"]})
    # Each filter reads the answer before it: three pages.
    assert [sorted(step.names) for step in plan_steps(form)] == [["state"], ["county"], ["cities"]]
    again = read_xlsform(write_xlsform(form, tmp_path / "again.xlsx"))
    assert again.question("county").choice_filter == "cf = ${state}"


def test_choice_filter_mistakes_name_the_cell(tmp_path):
    path = workbook(tmp_path, [["type", "name", "label", "choice_filter"],
                               ["select_one states", "state", "State", ""],
                               ["select_one counties", "county", "County", "${state} = region"],
                               ["integer", "size", "Size", "cf = 'x'"]],
                    [["list_name", "name", "label", "cf"], ["states", "texas", "Texas", ""],
                     ["counties", "king", "King", "texas"]])
    assert issues_of(path) == [
        "sheet 'survey', row 3, column 'choice_filter': 'region' names no column of the choices sheet for this list "
        "(in '${state} = region'); its columns are cf, name; quote text with straight quotes ('region') or name one "
        "of the columns",
        "sheet 'survey', row 4, column 'choice_filter': a choice filter on 'integer'; only select_one and "
        "select_multiple questions have choices to filter"]


def test_the_html_form_shows_only_the_choices_the_filter_keeps(tmp_path, survey_app, client):
    form = read_xlsform(workbook(tmp_path, CASCADE_SURVEY, CASCADE_CHOICES, DUPLICATES_YES))
    survey_app.state.web.survey_store.add_survey("cascade", form)
    first = client.get("/s/cascade")
    assert "Step 1 / 3" in first.text and "King" not in first.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', first.text))
    second = client.post("/s/cascade", data={**fields, "state": "texas", "__nav": "next"})
    assert second.status_code == 200 and "Step 2 / 3" in second.text
    assert "King (TX)" in second.text and "Cameron" in second.text
    assert "King (WA)" not in second.text and "Pierce" not in second.text
    # A forged choice the filter excludes is refused by the server.
    tampered = client.post("/s/cascade", data={**fields, "state": "texas", "county": "pierce", "__step": "1",
                                                "__nav": "next"})
    assert tampered.status_code == 422 and "&#39;pierce&#39; is not one of the choices" in tampered.text


# 3. or_other

OR_OTHER = [["type", "name", "label::English (en)", "label::Russian (ru)"],
            ["select_one colours or_other", "colour", "Favourite colour?", "Любимый цвет?"],
            ["select_multiple colours or_other", "shades", "Shades?", "Оттенки?"]]
COLOURS = [["list name", "name", "label::English (en)"], ["colours", "red", "Red"], ["colours", "blue", "Blue"]]


def test_or_other_adds_the_choice_and_the_text_question_and_exports_back(tmp_path):
    form = read_xlsform(workbook(tmp_path, OR_OTHER, COLOURS))
    assert [(q.kind, q.name, q.relevant) for q in form.questions] == [
        ("select_one", "colour", ""), ("text", "colour_other", "selected(${colour}, 'other')"),
        ("select_multiple", "shades", ""), ("text", "shades_other", "selected(${shades}, 'other')")]
    assert [choice.name for choice in form.options(form.question("colour"))] == ["red", "blue", "other"]
    assert form.choice_label(form.question("colour"), "other", "ru") == "Другое"
    assert form.choice_label(form.question("colour"), "other", "en") == "Other"
    assert form.question("colour_other").labels == {"English (en)": "Specify other.", "Russian (ru)": "Укажите другое."}
    assert validate_answers(form, {"colour": "other", "colour_other": "teal", "shades": ["red", "other"],
                                   "shades_other": "navy"}) == {
        "colour": "other", "colour_other": "teal", "shades": ["red", "other"], "shades_other": "navy"}
    # Not asked (and dropped) unless 'other' is chosen.
    assert validate_answers(form, {"colour": "red", "colour_other": "teal"}) == {"colour": "red"}
    exported = write_xlsform(form, tmp_path / "again.xlsx")
    sheet = load_workbook(exported)["survey"]
    assert [row[:2] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        ("select_one colours or_other", "colour"), ("select_multiple colours or_other", "shades")]
    assert [cell.value for cell in load_workbook(exported)["choices"]["B"][1:]] == ["red", "blue"]
    assert read_xlsform(exported).questions[1].name == "colour_other"


def test_or_other_clashing_with_an_existing_question_is_refused(tmp_path):
    path = workbook(tmp_path, [*OR_OTHER[:2], ["text", "colour_other", "Other?", ""]], COLOURS)
    assert issues_of(path) == [
        "sheet 'survey', row 2, column 'type': 'or_other' adds a question 'colour_other', but the form already has "
        "one; rename it or drop 'or_other'"]


@needs_real_forms
def test_real_or_other_form_reads_once_its_filter_quotes_yes(tmp_path):
    form = read_xlsform(edited_real_form(tmp_path, "or_other.xlsx", "D3", "pastel='yes'"))
    assert [question.name for question in form.answer_questions()] == ["fav_color", "fav_color_other", "fav_pastel"]
    assert [choice.name for choice in options_for(form, form.question("fav_pastel"), {})] == ["mauve", "apricot"]
    assert [choice.name for choice in options_for(form, form.question("fav_color"), {})][-1] == "other"


# 4. regex()

def test_regex_is_a_full_match_as_in_odk():
    assert holds("regex(., '[0-9]{3}')", {}, "123")
    assert not holds("regex(., '[0-9]{3}')", {}, "1234")  # a search would find 123 in it
    assert holds("regex(${email}, '[^@]+@[^@]+')", {"email": "a@b.kz"})
    assert not holds("regex(., '[a-z]+')", {}, "x" * (MAX_REGEX_INPUT + 1))


def test_a_backtracking_pattern_cannot_stall_the_server(monkeypatch):
    # (x+x+)+y on 400 x's backtracks for longer than any test could wait: only the match's time limit
    # ends it, and the answer is then refused rather than the server left running.
    from diaspora_observatory.survey import expressions

    monkeypatch.setattr(expressions, "REGEX_SECONDS", 0.05)
    assert not holds("regex(., '(x+x+)+y')", {}, "x" * 400)


def test_bad_regex_patterns_name_the_cell(tmp_path):
    path = workbook(tmp_path, [["type", "name", "label", "constraint"],
                               ["text", "code", "Code", "regex(., '[0-9')"],
                               ["text", "code2", "Code", f"regex(., '{'a' * 301}')"],
                               ["text", "code3", "Code", "regex(., ${code})"]])
    found = issues_of(path)
    assert found[0].startswith("sheet 'survey', row 2, column 'constraint': the regex() pattern '[0-9' is not a "
                               "valid regular expression (")
    assert found[1].startswith("sheet 'survey', row 3, column 'constraint': the regex() pattern is longer than "
                               "300 characters")
    assert found[2] == ("sheet 'survey', row 4, column 'constraint': regex() needs its pattern as quoted text "
                        "(in 'regex(., ${code})'); write the pattern in straight quotes, as in regex(., '[0-9]{10}')")


@pytest.mark.slow  # reads a large real form
@needs_real_forms
def test_the_real_phone_number_regex_is_read_and_checked():
    """UCL's phone constraint (row 10) now reads; it checks whole answers."""
    with pytest.raises(XLSFormError) as raised:
        read_xlsform(REAL_FORMS / "UCL_Biomass_Plot_Form.xlsx")
    assert not [issue for issue in raised.value.issues if issue.row == 10]
    pattern = "regex(.,'^(([0-9]{1})*[- .(]*([0-9]{3})[- .)]*[0-9]{3}[- .]*[0-9]{4})+$')"
    assert holds(pattern, {}, "071 234 5678") and holds(pattern, {}, "(071) 234-5678")
    assert not holds(pattern, {}, "call me") and not holds(pattern, {}, "12345")


# 5. translated constraint messages

MESSAGES = [["type", "name", "label::English (en)", "label::Russian (ru)", "constraint",
             "constraint_message::English (en)", "constraint_message::Russian (ru)", "constraint_message::Kazakh (kk)"],
            ["integer", "years", "Years abroad", "Лет за границей", ". >= 0 and . <= 100", "between 0 and 100",
             "от 0 до 100", "0-ден 100-ге дейін"]]


def test_constraint_messages_follow_the_language(tmp_path, survey_app, client):
    form = read_xlsform(workbook(tmp_path, MESSAGES))
    for language, message in (("en", "between 0 and 100"), ("ru", "от 0 до 100"), ("kk", "0-ден 100-ге дейін"),
                              ("de", "between 0 and 100")):
        _, problems, _ = check_answers(form, {"years": "300"}, language=language)
        assert [problem.text() for problem in problems] == [message]
    survey_app.state.web.survey_store.add_survey("years", form)
    api = client.post("/s/years/submissions?lang=ru", json={"submission_id": "years-0001", "answers": {"years": 300}})
    assert api.status_code == 422 and api.json()["problems"] == [{"field": "years", "message": "от 0 до 100"}]
    api = client.post("/s/years/submissions", json={"submission_id": "years-0002", "answers": {"years": 300}},
                      headers={"accept-language": "kk"})
    assert api.json()["problems"] == [{"field": "years", "message": "0-ден 100-ге дейін"}]
    page = client.post("/s/years?lang=ru", data={"years": "300", "__step": "0", "submission_id": "years-0003"})
    assert page.status_code == 422 and "от 0 до 100" in page.text
