"""The form without JavaScript in steps: questions whose ``relevant`` depends on an earlier answer appear
(and are required) only when they apply; earlier answers travel in hidden fields and are checked again."""

from __future__ import annotations

import html
import re

import pytest
from survey_helpers import ADMIN_TOKEN, VALID_ANSWERS, abroad_form

from diaspora_observatory.survey.default import default_form
from diaspora_observatory.survey.steps import plan_steps

SLUG = "abroad"  # the survey of survey_helpers.abroad_form


@pytest.fixture
def abroad(survey_app, client):
    store = survey_app.state.web.survey_store
    store.add_survey(SLUG, abroad_form())
    return store


def hidden_fields(page: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page):
        found.setdefault(html.unescape(name), []).append(html.unescape(value))
    return found


def send(client, page: str, answers: dict, nav: str = "next", **headers):
    """Post a page as a browser does: its hidden fields plus the visible answers."""
    return client.post(f"/s/{SLUG}", data={**hidden_fields(page), **answers, "__nav": nav},
                       headers=headers, follow_redirects=False)


def shown(page: str, name: str) -> bool:
    return f'name="{name}"' in page.replace(f'type="hidden" name="{name}"', "")


def test_pages_break_where_relevant_depends_on_the_same_page():
    steps = plan_steps(abroad_form())
    assert [sorted(step.names) for step in steps] == [
        ["lives_abroad"], ["languages", "languages_note", "years_abroad"], ["other_language"]]
    # The group is closed before the break and opened again after it.
    assert steps[0].items == [("row", 0), ("row", 1), ("close", 0)]
    assert steps[1].items[:3] == [("reopen", 0), ("row", 2), ("row", 3)]
    assert len(plan_steps(default_form())) == 1  # the built-in questionnaire stays one page


def test_a_question_that_does_not_apply_is_neither_shown_nor_required(client, abroad):
    first = client.get(f"/s/{SLUG}")
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    assert "Step 1 / 3" in first.text and shown(first.text, "lives_abroad") and not shown(first.text, "years_abroad")
    second = send(client, first.text, {"lives_abroad": "no"})
    assert second.status_code == 200 and "Step 2 / 3" in second.text
    assert not shown(second.text, "years_abroad") and shown(second.text, "languages")
    assert "<legend>About you</legend>" not in second.text  # nothing of the group applies on this page
    assert hidden_fields(second.text)["lives_abroad"] == ["no"]  # carried in the page, not stored
    assert abroad.count(SLUG) == 0
    # No "other" language: the third page has nothing that applies, so this page is the last.
    done = send(client, second.text, {"languages": ["kk", "ru"]})
    assert done.status_code == 303 and done.headers["location"] == f"/s/{SLUG}/thanks?lang=en"
    assert "set-cookie" not in done.headers and done.headers["cache-control"] == "no-store"
    assert [row["answers"] for row in abroad.responses(SLUG)] == [{"lives_abroad": "no", "languages": ["kk", "ru"]}]


def test_a_question_that_applies_is_shown_and_required(client, abroad):
    first = client.get(f"/s/{SLUG}")
    second = send(client, first.text, {"lives_abroad": "yes"})
    assert shown(second.text, "years_abroad") and "<legend>About you</legend>" in second.text
    assert re.search(r'<input id="f-years_abroad" name="years_abroad"[^>]* required', second.text)
    missing = send(client, second.text, {"languages": "other"})
    assert missing.status_code == 422 and "Step 2 / 3" in missing.text
    assert '<p class="problem" id="e-years_abroad">this question needs an answer</p>' in missing.text
    assert '<a href="#f-years_abroad">For how many years?</a>: this question needs an answer' in missing.text
    assert 'aria-describedby="e-years_abroad"' in missing.text
    assert 'name="languages" value="other" checked' in missing.text  # the other answers stay
    too_many = send(client, missing.text, {"years_abroad": "500", "languages": "other"})
    assert too_many.status_code == 422 and "between 0 and 100 years" in too_many.text
    third = send(client, too_many.text, {"years_abroad": "12", "languages": ["kk", "other"]})
    assert third.status_code == 200 and "Step 3 / 3" in third.text
    assert re.search(r'<textarea id="f-other_language" name="other_language"[^>]* required', third.text)
    assert send(client, third.text, {"other_language": ""}).status_code == 422
    assert abroad.count(SLUG) == 0  # nothing stored before the last page
    done = send(client, third.text, {"other_language": "Uyghur"})
    assert done.status_code == 303
    assert abroad.responses(SLUG)[0]["answers"] == {"lives_abroad": "yes", "years_abroad": 12,
                                                    "languages": ["kk", "other"], "other_language": "Uyghur"}
    # The last page sent again (a double tap) is stored once: the page carries its submission_id.
    assert send(client, third.text, {"other_language": "Uyghur"}).status_code == 303
    assert abroad.count(SLUG) == 1


def test_back_keeps_every_answer(client, abroad):
    second = send(client, client.get(f"/s/{SLUG}").text, {"lives_abroad": "yes"})
    # Back does not validate the page it leaves, and keeps its answers.
    back = send(client, second.text, {"years_abroad": "12", "languages": "ru"}, nav="back")
    assert back.status_code == 200 and "Step 1 / 3" in back.text
    assert 'name="lives_abroad" value="yes" checked' in back.text
    assert hidden_fields(back.text)["years_abroad"] == ["12"] and hidden_fields(back.text)["languages"] == ["ru"]
    assert 'value="back" class="secondary" formnovalidate' not in back.text  # no Back on the first page
    again = send(client, back.text, {"lives_abroad": "yes"})
    assert 'name="years_abroad" type="text" inputmode="numeric" value="12"' in again.text
    assert 'name="languages" value="ru" checked' in again.text
    assert "formnovalidate" in again.text


@pytest.mark.parametrize("tampered, page", [
    ({"lives_abroad": "<script>alert(1)</script>"}, "Step 1 / 3"),
    ({"lives_abroad": ["yes", "no"]}, "Step 1 / 3"),
    ({"years_abroad": "=HYPERLINK(\"http://evil.example\")"}, "Step 2 / 3"),
    ({"years_abroad": "-4"}, "Step 2 / 3"),
    ({"years_abroad": ""}, "Step 2 / 3"),
    ({"is_admin": "1"}, "Step 3 / 3"),
])
def test_tampered_hidden_answers_are_checked_again_at_the_end(client, abroad, tampered, page):
    second = send(client, client.get(f"/s/{SLUG}").text, {"lives_abroad": "yes"})
    third = send(client, second.text, {"years_abroad": "12", "languages": "other"})
    forged = {**hidden_fields(third.text), **tampered, "other_language": "Uyghur", "__nav": "next"}
    reply = client.post(f"/s/{SLUG}", data=forged, follow_redirects=False)
    assert reply.status_code == 422 and page in reply.text
    assert "Please correct the answers marked below." in reply.text
    assert "<script>alert" not in reply.text
    assert abroad.count(SLUG) == 0


def test_an_answer_that_no_longer_applies_is_dropped(client, abroad):
    second = send(client, client.get(f"/s/{SLUG}").text, {"lives_abroad": "yes"})
    third = send(client, second.text, {"years_abroad": "12", "languages": "other"})
    # A forged "no" on the last page: years_abroad no longer applies and is not stored.
    reply = client.post(f"/s/{SLUG}", data={**hidden_fields(third.text), "lives_abroad": "no",
                                            "other_language": "Uyghur"}, follow_redirects=False)
    assert reply.status_code == 303
    assert abroad.responses(SLUG)[0]["answers"] == {"lives_abroad": "no", "languages": ["other"],
                                                    "other_language": "Uyghur"}


@pytest.mark.parametrize("step", ["7", "-1", "x", "3"])
def test_a_forged_step_number_is_refused(client, abroad, step):
    reply = client.post(f"/s/{SLUG}", data={"__step": step, "lives_abroad": "yes"})
    assert reply.status_code == 400 and reply.headers["cache-control"] == "no-store"
    assert abroad.count(SLUG) == 0


def test_every_page_is_protected_like_the_last(client, abroad):
    first = client.get(f"/s/{SLUG}").text
    assert send(client, first, {"lives_abroad": "yes"}, origin="https://evil.example").status_code == 403
    assert send(client, first, {"lives_abroad": "yes"}, **{"sec-fetch-site": "cross-site"}).status_code == 403
    assert send(client, first, {"lives_abroad": "yes", "years_abroad": "1" * 70_000}).status_code == 413
    second = send(client, first, {"lives_abroad": "yes"})
    assert "set-cookie" not in second.headers and second.headers["cache-control"] == "no-store"
    assert 'action="/s/abroad?lang=en"' in second.text  # answers never go into the address
    assert client.post(f"/s/{SLUG}/admin/close", data={"token": ADMIN_TOKEN}).status_code == 200
    assert send(client, second.text, {"years_abroad": "3"}).status_code == 410
    assert abroad.count(SLUG) == 0


def test_the_default_questionnaire_is_still_one_page(client):
    page = client.get("/s/kz").text
    assert "Step 1 /" not in page and 'name="__step" value="0"' in page and "formnovalidate" not in page
    sid = re.search(r'name="submission_id" value="([^"]+)"', page).group(1)
    reply = client.post("/s/kz", data={"submission_id": sid, "__step": "0", **VALID_ANSWERS}, follow_redirects=False)
    assert reply.status_code == 303


CONSENT = "By sending the form you agree that your answers are used for this study."


def test_consent_sits_next_to_the_send_button_on_the_last_page(client, abroad):
    first = client.get(f"/s/{SLUG}").text
    assert f'<p class="survey-consent">{CONSENT}</p>' not in first  # a "Next" page, not the sending one
    third = send(client, send(client, first, {"lives_abroad": "yes"}).text,
                 {"years_abroad": "12", "languages": ["kk", "other"]}).text
    assert "Step 3 / 3" in third
    before_send = third.index('<p class="survey-consent">')
    assert before_send < third.index("Send my answers") and third.count(CONSENT) == 2  # and in the folded note
    assert third[before_send:].startswith(f'<p class="survey-consent">{CONSENT}</p><div class="survey-nav">')


@pytest.mark.slow  # posts until the rate limit refuses (about 1 s)
def test_only_stored_submissions_count_toward_the_rate_limit(tmp_path, monkeypatch):
    """A respondent going back and forth between pages is not locked out; sending answers is limited."""
    from survey_helpers import make_client

    from diaspora_observatory.web.app import create_app

    monkeypatch.setenv("DIASPORA_SURVEY_RATE_LIMIT", "2")
    monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    app = create_app(data_dir=tmp_path / "data")
    client = make_client(app)
    try:
        app.state.web.survey_store.add_survey(SLUG, abroad_form())
        first = client.get(f"/s/{SLUG}").text
        for _ in range(3):  # six page posts, more than the limit of two
            second = send(client, first, {"lives_abroad": "no"})
            assert second.status_code == 200
            assert send(client, second.text, {"languages": "ru"}, nav="back").status_code == 200
        assert send(client, second.text, {"languages": "ru"}).status_code == 303
        fresh = client.get(f"/s/{SLUG}").text
        assert send(client, send(client, fresh, {"lives_abroad": "no"}).text, {"languages": "kk"}).status_code == 303
        again = client.get(f"/s/{SLUG}").text
        refused = send(client, send(client, again, {"lives_abroad": "no"}).text, {"languages": "kk"})
        assert refused.status_code == 429 and app.state.web.survey_store.count(SLUG) == 2
    finally:
        app.state.web.survey_store.close()
