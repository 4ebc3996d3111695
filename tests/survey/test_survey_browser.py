"""The survey form in real headless Chromium with JavaScript off, on a phone-sized screen, against a real
server: it fills in, sends, thanks, and breaks no Content-Security-Policy rule."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from loadtest import Server
from services import chromium_executable

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@contextmanager
def phone_context(width: int, height: int) -> Iterator:
    """A Chromium browser context with JavaScript off and a phone-sized screen."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable(),
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": height})
        try:
            yield context
        finally:
            context.close()
            browser.close()


def serve_form(tmp_path, monkeypatch, slug: str, form) -> Iterator[Server]:
    """A real server process on a data folder holding ``form`` at ``/s/<slug>``."""
    from diaspora_observatory.survey.storage import SurveyStore

    monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    store = SurveyStore.for_data_dir(tmp_path / "data")
    store.add_survey(slug, form)
    store.close()
    running = Server(tmp_path / "data").start()
    yield running
    running.stop()


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    running = Server(tmp_path / "data").start()
    yield running
    running.stop()


def test_phone_submits_the_form_without_javascript(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable(),
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
        page = context.new_page()
        problems = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.goto(f"{server.base}/s/kz?lang=ru")
        assert page.locator("h2#privacy-title").inner_text() == "Прежде чем ответить"
        for name, value in [("identity_family_language", "5"), ("identity_holidays", "4"), ("identity_news", "3"),
                            ("identity_dress", "2"), ("home_language", "mainly_kazakh"),
                            ("contact_frequency", "daily"), ("age_band", "age_18_29"),
                            ("country_of_residence", "KGZ")]:
            page.check(f"input[name='{name}'][value='{value}']")
        page.fill("textarea[name='comments']", "<b>Салам</b>")
        page.click("button[type='submit']")
        assert page.url.endswith("/s/kz/thanks?lang=ru")
        assert page.locator("h1").inner_text() == "Спасибо"
        assert not [problem for problem in problems if "Content Security Policy" in problem]
        context.close()
        browser.close()


@pytest.fixture
def stepped_server(tmp_path, monkeypatch):
    from survey_helpers import abroad_form

    yield from serve_form(tmp_path, monkeypatch, "abroad", abroad_form())


def test_phone_walks_a_stepped_form_without_javascript(stepped_server, tmp_path):
    """360 px wide, no JavaScript: a question appears only when an earlier answer makes it apply, the
    browser itself enforces `required` on the shown page, the server's errors sit next to the question,
    Back keeps the answers and the last page stores them once."""
    from playwright.sync_api import sync_playwright

    from diaspora_observatory.survey.storage import SurveyStore

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable(),
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
        page = context.new_page()
        page.goto(f"{stepped_server.base}/s/abroad")

        def fits() -> None:
            for element in page.locator("form.survey-form, .survey-nav button, .choice").all():
                box = element.bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, box

        assert page.locator(".survey-step").inner_text() == "Step 1 / 3"
        assert page.locator("[name='years_abroad']").count() == 0
        fits()
        page.click("button[value='next']")  # nothing chosen: the browser's own check keeps the page
        assert page.locator(".survey-step").inner_text() == "Step 1 / 3"
        page.check("input[name='lives_abroad'][value='yes']")
        page.click("button[value='next']")
        assert page.locator(".survey-step").inner_text() == "Step 2 / 3"
        assert page.get_attribute("#f-years_abroad", "required") is not None
        page.fill("#f-years_abroad", "500")
        page.check("input[name='languages'][value='other']")
        page.click("button[value='next']")
        assert page.locator("#e-years_abroad").inner_text() == "between 0 and 100 years"
        page.click(".survey-problems a[href='#f-years_abroad']")
        assert page.url.endswith("#f-years_abroad")
        fits()
        page.fill("#f-years_abroad", "12")
        page.click("button[value='next']")
        assert page.locator(".survey-step").inner_text() == "Step 3 / 3"
        page.click("button[value='back']")
        assert page.locator(".survey-step").inner_text() == "Step 2 / 3"
        assert page.input_value("#f-years_abroad") == "12"
        assert page.is_checked("input[name='languages'][value='other']")
        page.click("button[value='next']")
        page.fill("#f-other_language", "Uyghur")
        fits()
        assert page.url == f"{stepped_server.base}/s/abroad?lang=en"  # no answers in the address
        page.click("button[value='next']")
        assert page.url.endswith("/s/abroad/thanks?lang=en")
        assert context.cookies() == []
        context.close()
        browser.close()
    stepped_server.stop()
    store = SurveyStore.for_data_dir(tmp_path / "data")
    try:
        assert [row["answers"] for row in store.responses("abroad")] == [
            {"lives_abroad": "yes", "years_abroad": 12, "languages": ["other"], "other_language": "Uyghur"}]
    finally:
        store.close()


@pytest.fixture
def cascade_server(tmp_path, monkeypatch):
    """The real choice_filter_test.xlsx (cascading selects: state, county, city) served."""
    from survey_helpers import REAL_FORMS

    from diaspora_observatory.survey.xlsform import read_xlsform

    if not REAL_FORMS.is_dir():
        pytest.skip(f"shared XLSForm files not found at {REAL_FORMS}")
    yield from serve_form(tmp_path, monkeypatch, "cascade", read_xlsform(REAL_FORMS / "choice_filter_test.xlsx"))


def test_cascading_choices_without_javascript(cascade_server):
    with phone_context(360, 740) as context:
        page = context.new_page()
        page.goto(f"{cascade_server.base}/s/cascade")
        page.check("input[name='state'][value='washington']")
        page.click("button[value='next']")
        counties = page.locator("input[name='county']")
        assert [counties.nth(i).get_attribute("value") for i in range(counties.count())] == ["king", "pierce"]
        page.check("input[name='county'][value='king']")
        page.click("button[value='next']")
        cities = page.locator("input[name='city']")
        assert [cities.nth(i).get_attribute("value") for i in range(cities.count())] == [
            "dumont", "finney", "seattle", "redmond"]
        page.check("input[name='city'][value='seattle']")
        page.click("button[value='next']")
        assert page.url.endswith("/s/cascade/thanks?lang=en")


def test_share_page_shows_the_qr_code(server):
    """The QR code is drawn: an SVG without its namespace loads 0 px wide, which only a browser shows."""
    with phone_context(360, 740) as context:
        page = context.new_page()
        problems = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.goto(f"{server.base}/s/kz/share")
        image = page.locator("img.survey-qr")
        image.wait_for()
        page.wait_for_load_state("load")
        import segno

        expected, _ = segno.make(f"{server.base}/s/kz", error="m").symbol_size(scale=6, border=4)
        assert image.evaluate("element => element.naturalWidth") == expected > 0
        assert image.evaluate("element => element.getBoundingClientRect().width") > 0
        assert not problems
