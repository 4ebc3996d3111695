"""The published results page in real headless Chromium on a 360 px phone (and a 1280 px screen), for
communities of 7, 30 and 300 respondents: no sideways scroll, legend labels that do not overprint."""

from __future__ import annotations

import os

import numpy as np
import pytest
from loadtest import Server
from serving import free_port
from survey_helpers import VALID_ANSWERS

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCALE = ["identity_family_language", "identity_holidays", "identity_news", "identity_dress"]


def community(size: int, seed: int) -> list[dict]:
    """``size`` answers to the built-in questionnaire, skewed as a real community's would be."""
    generator = np.random.default_rng(seed)
    weights = {item: generator.dirichlet(np.ones(5)) for item in SCALE}
    answers = []
    for _ in range(size):
        answer = dict(VALID_ANSWERS)
        for item in SCALE:
            answer[item] = str(generator.choice(5, p=weights[item]) + 1)
        answer["home_language"] = ["kazakh_only", "mainly_kazakh", "mainly_russian", "russian_only"][
            generator.choice(4, p=[0.2, 0.4, 0.3, 0.1])]
        answer["state_support_rating"] = str(generator.choice(5, p=[0.1, 0.2, 0.3, 0.3, 0.1]) + 1)
        if generator.random() < 0.1:
            del answer["gender"]
        answers.append(answer)
    return answers


@pytest.fixture(params=[7, 30, 300])
def results_server(request, tmp_path, monkeypatch):
    from diaspora_observatory.survey.default import DEFAULT_SLUG, default_form
    from diaspora_observatory.survey.storage import SurveyStore

    monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    store = SurveyStore.for_data_dir(tmp_path / "data")
    store.add_survey(DEFAULT_SLUG, default_form())
    for number, answers in enumerate(community(request.param, request.param)):
        store.submit(DEFAULT_SLUG, f"community-{number:05d}", answers)
    store.close()
    port = int(os.environ.get("DIASPORA_TEST_PORT", "0")) or free_port()
    running = Server(tmp_path / "data", port=port).start()
    yield request.param, running
    running.stop()


def overlapping(boxes: list[dict]) -> list[tuple[dict, dict]]:
    return [(a, b) for index, a in enumerate(boxes) for b in boxes[index + 1:]
            if a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]]


def test_results_fit_a_phone_and_legends_do_not_overprint(results_server, tmp_path):
    from playwright.sync_api import sync_playwright

    size, server = results_server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("DIASPORA_CHROMIUM", "/usr/bin/chromium"),
                                             args=CHROMIUM_ARGS)
        try:
            for width, chart in ((360, ".chart-narrow"), (1280, ".chart-wide")):
                context = browser.new_context(viewport={"width": width, "height": 800})
                page = context.new_page()
                for language in ("en", "ru", "kk"):
                    page.goto(f"{server.base}/s/kz/results?lang={language}&row=home_language&by=gender")
                    assert page.evaluate("document.documentElement.scrollWidth") <= width, (size, width, language)
                    if size < 10:
                        assert page.locator(".results-snapshot").inner_text() == (
                            "No results are published yet: they appear once at least 10 answers have arrived."
                            if language == "en" else page.locator(".results-snapshot").inner_text())
                        assert page.locator(f"{chart} svg").count() == 0
                        continue
                    labels = page.locator(f"{chart} .legend-label")
                    assert labels.count() == 5
                    boxes = [labels.nth(index).bounding_box() for index in range(labels.count())]
                    assert all(box and box["x"] >= 0 and box["x"] + box["width"] <= width for box in boxes), boxes
                    assert overlapping(boxes) == [], (size, width, language)
                    svg = page.locator(f"{chart} svg").bounding_box()
                    assert svg["x"] + svg["width"] <= width
                    # The means and answer tables fit without scrolling even their own box (a wide
                    # cross-tabulation and the study's figures may scroll inside theirs).
                    assert page.evaluate("[...document.querySelectorAll('.fits-phone')]"
                                         ".filter(box => box.scrollWidth > box.clientWidth).length") == 0
                page.goto(f"{server.base}/s/kz/results?row=home_language&by=gender")
                page.screenshot(path=str(tmp_path / f"results-{size}-{width}.png"), full_page=True)
                context.close()
        finally:
            browser.close()
    if size >= 10:
        assert (tmp_path / f"results-{size}-360.png").stat().st_size > 0
