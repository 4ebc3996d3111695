"""The charts a Russian or Kazakh page draws say nothing in English to assistive technology (issue 14).

Vega wrote its own ARIA texts into every drawn chart, in English whatever the page's language: the
container's ``aria-roledescription="visualization"``, ``group mark container`` on every group, generated
captions such as ``X-axis titled 'Год' for a linear scale with values from 2000 to 2024``. In real headless
Chromium each chart is now one image named by its title in the page's language (static/app.js), and no
attribute inside it is read aloud in English.
"""

from __future__ import annotations

import json

import pytest
from test_web_browser import PAGES, wait_for_charts
from unmarked_latin import LATIN_ALLOWED, LATIN_WORDS

pytestmark = pytest.mark.browser

# Every attribute of a chart and of what is drawn in it that assistive technology reads out.
READ_ALOUD = """[...document.querySelectorAll('.vega-chart')].map(chart => ({
    id: chart.id, role: chart.getAttribute('role'), name: chart.getAttribute('aria-label'),
    spec: document.getElementById(chart.dataset.spec).textContent,
    inside: [...chart.querySelectorAll('[role], [aria-label], [aria-roledescription], [aria-description]')]
        .map(node => ['role', 'aria-label', 'aria-roledescription', 'aria-description']
            .map(name => node.getAttribute(name)).filter(Boolean).join(' | ')),
    roledescription: chart.getAttribute('aria-roledescription')}))"""


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_every_chart_is_one_image_named_in_the_pages_language(browser, live_server, language):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    charts = []
    for path in PAGES:
        page.goto(f"{live_server}{path}?lang={language}")
        wait_for_charts(page)
        charts += [(path, chart) for chart in page.evaluate(READ_ALOUD)]
    context.close()
    assert len(charts) >= 12
    for path, chart in charts:
        spec = json.loads(chart["spec"])
        assert (chart["role"], chart["name"], chart["roledescription"]) == (
            "img", spec.get("description") or spec["title"]["text"], None), (path, chart["id"])
        assert chart["inside"] == [], (path, chart["id"])
        latin = [run.group(0) for run in LATIN_WORDS.finditer(chart["name"])]
        assert [run for run in latin if run not in LATIN_ALLOWED] == [], (path, chart["id"])
