"""The survey form in real headless Chromium with JavaScript off, on a phone-sized screen, against a real
server: it fills in, sends, thanks, and breaks no Content-Security-Policy rule."""

from __future__ import annotations

import os

import pytest

from diaspora_observatory.survey.loadtest import Server

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    running = Server(tmp_path / "data").start()
    yield running
    running.stop()


def test_phone_submits_the_form_without_javascript(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("DIASPORA_CHROMIUM", "/usr/bin/chromium"),
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
