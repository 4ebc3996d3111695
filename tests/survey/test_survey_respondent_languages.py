"""Respondent pages speak the form's own languages (issue 17, item 2): the switch lists the languages the
form is written in, the questions follow the reader's choice among them, and where the observatory has no
catalog for that language the page says plainly that its buttons and notices are in English."""

from __future__ import annotations

import re
from html import unescape

from survey_helpers import SHARED_DATA

from diaspora_observatory.survey.model import Choice, Form, Question
from diaspora_observatory.survey.xlsform import read_xlsform

NOTE = ("The questions are in German; this page's buttons and notices are in English, because the observatory "
        "has no translation into German yet.")


def german_russian_form() -> Form:
    """A form written in German and Russian only (label::German (de), label::Russian (ru)), the XLSForm way."""
    yes_no = [Choice("ja", {"German (de)": "Ja", "Russian (ru)": "Да"}),
              Choice("nein", {"German (de)": "Nein", "Russian (ru)": "Нет"})]
    return Form("verein", "Verein", [
        Question("select_one", "member", "yes_no", labels={"German (de)": "Sind Sie Mitglied?",
                                                             "Russian (ru)": "Вы член общества?"}, required=True),
    ], {"yes_no": yes_no}, default_language="German (de)")


def switch_of(html: str) -> list[tuple[str, str]]:
    """(href, text) of each link in the respondent page's language switch."""
    nav = re.search(r'<nav class="languages".*?</nav>', html, re.S)
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav.group(0)) if nav else []


def test_the_switch_lists_the_forms_languages_and_the_fallback_is_said(survey_app, client):
    survey_app.state.web.survey_store.add_survey("verein", german_russian_form())
    page = client.get("/s/verein", headers={"accept-language": "kk,en;q=0.5"})
    assert page.status_code == 200
    # Neither Kazakh nor English is a language of the form: its default (German) is shown.
    assert switch_of(page.text) == [("/s/verein?lang=de", "German"), ("/s/verein?lang=ru", "Русский")]
    assert "Sind Sie Mitglied?" in page.text and "Вы член общества?" not in page.text
    assert page.headers["content-language"] == "de" and '<html lang="de">' in page.text
    assert f'<p class="language-note" lang="en">{NOTE}</p>' in unescape(page.text)
    # The form's action keeps the language, so the next page and the thanks page stay in German.
    assert 'action="/s/verein?lang=de"' in page.text


def test_a_form_language_the_observatory_has_uses_its_catalog_and_no_note(survey_app, client):
    survey_app.state.web.survey_store.add_survey("verein", german_russian_form())
    page = client.get("/s/verein?lang=ru")
    assert "Вы член общества?" in page.text and "Sind Sie Mitglied?" not in page.text
    assert "Перейти к содержанию" in page.text  # the page's own text from the Russian catalog
    assert "language-note" not in page.text
    # An answer sent in Russian lands on the thanks page in Russian.
    sent = client.post("/s/verein?lang=ru", data={"member": "ja", "__step": "0"}, follow_redirects=False,
                       headers={"origin": "http://testserver"})
    assert (sent.status_code, sent.headers["location"]) == (303, "/s/verein/thanks?lang=ru")
    thanks = client.get(sent.headers["location"])
    assert thanks.headers["content-language"] == "ru" and "language-note" not in thanks.text


def test_a_language_the_form_lacks_is_never_offered(survey_app, client):
    survey_app.state.web.survey_store.add_survey("verein", german_russian_form())
    page = client.get("/s/verein?lang=kk")
    assert "Қазақша" not in page.text and "/lang/kk" not in page.text
    assert "Sind Sie Mitglied?" in page.text


def test_a_real_form_in_one_unstated_language_has_no_switch_and_says_its_fallback(survey_app, client):
    # correlaid_testA.xlsx: plain ``label`` columns, settings default_language "Deutsch".
    form = read_xlsform(SHARED_DATA / "xlsform-more" / "correlaid_testA.xlsx")
    survey_app.state.web.survey_store.add_survey("testwerk", form)
    page = client.get("/s/testwerk", headers={"accept-language": "ru"})
    assert switch_of(page.text) == []
    assert page.headers["content-language"] == "deutsch"
    assert ("The questions are in Deutsch; this page's buttons and notices are in English, because the "
            "observatory has no translation into Deutsch yet.") in unescape(page.text)


def test_the_built_in_questionnaire_keeps_the_three_languages(client):
    page = client.get("/s/kz?lang=kk")
    assert [text for _, text in switch_of(page.text)] == ["English", "Русский", "Қазақша"]
    assert [href for href, _ in switch_of(page.text)] == ["/s/kz?lang=en", "/s/kz?lang=ru", "/s/kz?lang=kk"]
    assert "language-note" not in page.text


def test_the_closed_page_speaks_the_forms_languages_too(survey_app, client):
    store = survey_app.state.web.survey_store
    store.add_survey("verein", german_russian_form())
    store.set_status("verein", "closed")  # before any page was served: no cached record to forget
    page = client.get("/s/verein?lang=ru")
    assert page.status_code == 410
    assert switch_of(page.text) == [("/s/verein?lang=de", "German"), ("/s/verein?lang=ru", "Русский")]
    assert page.headers["content-language"] == "ru" and "language-note" not in page.text
    german = client.get("/s/verein?lang=de")
    assert german.status_code == 410 and f'<p class="language-note" lang="en">{NOTE}</p>' in unescape(german.text)
