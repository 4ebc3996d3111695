"""The projections' fan chart fits its box in Russian and Kazakh, on a phone and on a 1280 px screen (issue
14): its legend stood on the right of the panels and its wrapped scenario names ran past the chart's box,
cut off; its axis of years had a label every year, ``2022 2023`` touching. Measured in real headless
Chromium: every legend label inside the box and whole, the year labels of each panel apart (those Vega
draws: a label it leaves out for want of room has opacity 0)."""

from __future__ import annotations

import pytest
from test_web_browser import SCREENSHOTS, wait_for_charts

from diaspora_observatory.charts.specs import LABEL_SEPARATION

pytestmark = pytest.mark.browser

MEASURE = """(() => {
    const chart = document.querySelector('#chart-projections'), box = chart.getBoundingClientRect();
    const legend = [...chart.querySelectorAll('.role-legend-label text')].map(text => {
        const r = text.getBoundingClientRect();
        return {text: text.textContent, left: r.left, right: r.right}; });
    const axes = [...chart.querySelectorAll('.role-axis')].filter(axis => axis.querySelector('.role-axis-title text')
            && /^(Год|Жыл)$/.test(axis.querySelector('.role-axis-title text').textContent))
        .map(axis => [...axis.querySelectorAll('.role-axis-label text')]
            .filter(text => text.getAttribute('opacity') !== '0').map(text => {
            const r = text.getBoundingClientRect();
            return {text: text.textContent, left: r.left, right: r.right}; }));
    return {left: box.left, right: box.right, legend, axes};
})()"""


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_projections_chart_fits_its_box(browser, live_server, language, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/projections?lang={language}")
    wait_for_charts(page)
    found = page.evaluate(MEASURE)
    page.locator("#chart-projections").screenshot(path=f"{SCREENSHOTS}/diaspora-projections-{language}-{width}.png")
    context.close()
    assert len(found["legend"]) == 3
    for label in found["legend"]:
        assert found["left"] <= label["left"] and label["right"] <= found["right"] + 1, label
        assert not label["text"].endswith("…"), label
    assert found["axes"]
    for labels in found["axes"]:
        assert len(labels) >= 3
        gaps = [after["left"] - before["right"] for before, after in zip(labels, labels[1:])]
        assert min(gaps) >= LABEL_SEPARATION, (labels, gaps)
        assert all(int(label["text"]) % 2 == 0 for label in labels)  # 2022, 2024, …: not every year
