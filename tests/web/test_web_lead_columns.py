"""The country pages, /repatriation and /documents lead with their result, and keep every column in view.

Issue 14, item 3: each table shows first the columns that answer its question, the rest behind the "every
column" toggle; at 1280 px no column of any table on these pages (the kind of value, the source, the note at
the end of the whole tables among them) sits past the right edge of its box, and at 360 px the leading
columns of the first rows are on screen. A host's one row (its population, shares, trend tests, supports)
reads as label and value (web/columns.py HOST_RECORDS). Measured in headless Chromium against a real
``diaspora serve``; the leading columns also checked in the HTML of the in-process app.
"""

from __future__ import annotations

import re

import pytest

COUNTRIES = ["/country/KGZ", "/country/TJK", "/country/TKM", "/country/UZB"]
PAGES = [*COUNTRIES, "/repatriation", "/documents"]

# The leading columns of each table, by its caption id: the figures that answer the block's question, and
# where a source's counts stand beside values computed here, the kind of each value.
COUNTRY_LEADS = {
    "population-caption": ["year", "total_population", "titular_population", "diaspora_population",
                           "other_population", "provenance"],
    "shares-caption": ["year", "diaspora_population", "diaspora_share_of_total_pct", "diaspora_share_of_others_pct",
                       "share_of_regional_diaspora_pct", "share_of_world_diaspora_low_pct",
                       "share_of_world_diaspora_high_pct", "provenance"],
    "flows-caption": ["year", "emigration", "immigration", "net"],
    "flow-summary-caption": ["net_total", "net_trend", "net_trend_p_value", "net_theil_sen_slope",
                             "immigration_change_year", "emigration_change_year", "emigration_recent_trend"],
    "periods-caption": ["period", "emigration", "immigration", "net", "years_covered"],
    # Tajikistan's and Turkmenistan's size estimates: "about" 70,000 in the 1990s, "more than" 2,000 in 2024
    "estimates-caption": ["year_from", "year_to", "qualifier", "low", "high"],
    # a count beside its qualifier: Uzbekistan's "20" university programmes are "more than" 20
    "institutions-caption": ["kind", "count", "qualifier", "name", "year"],
    "institution-profile-caption": ["support_schooling", "support_higher_education", "support_culture",
                                    "support_organisation", "supports_present", "kazakh_language_schooling"],
}
LEADS = {
    **{path: COUNTRY_LEADS for path in COUNTRIES},
    "/repatriation": {"education-caption": ["education", "kandas_share_pct", "emigrants_share_pct"]},
    "/documents": {"documents-caption": ["title", "kind", "year", "issuer", "document_id"],
                   "document-themes-caption": ["document_id", "theme", "present", "note"]},
}
# On a 360 px phone: the columns that name the row and its figures, which must be on screen without
# scrolling the table's box (a period's years with data, an issuer, a theme's note may be one swipe away).
PHONE_KEYS = {
    **{path: {**COUNTRY_LEADS, "periods-caption": ["period", "emigration", "immigration", "net"],
              "institutions-caption": ["kind", "count", "qualifier"],
              "estimates-caption": ["year_from", "year_to", "qualifier", "low"]} for path in COUNTRIES},
    "/repatriation": LEADS["/repatriation"],
    "/documents": {"documents-caption": ["title", "kind", "year"],
                   "document-themes-caption": ["document_id", "theme", "present"]},
}

# Each key column of a table, found by its header: in a table of columns the cells under its <th> in the first
# ten rows, in a record (one row per column) the row it heads. A column is listed when a cell of it is missing
# or ends past the table's visible box (the box scrolls sideways; the page never does).
OFF_THE_BOX = """([caption, columns]) => {
    const table = document.getElementById(caption).closest('table');
    const wrap = table.closest('.table-wrap').getBoundingClientRect();
    const right = Math.min(wrap.right, innerWidth) + 0.5, left = wrap.left - 0.5;
    const outside = cell => { const box = cell.getBoundingClientRect();
                              return !box.width || box.right > right || box.left < left; };
    if (table.classList.contains('record')) {
        return columns.filter(column => {
            const head = table.querySelector(`tbody th[data-column="${column}"]`);
            return !head || outside(head) || outside(head.nextElementSibling);
        });
    }
    const heads = [...table.querySelectorAll('thead th')].map(th => th.dataset.column);
    const rows = [...table.querySelectorAll('tbody tr')].slice(0, 10);
    return columns.filter(column => heads.indexOf(column) < 0 || rows.some(row => {
        const cell = row.children[heads.indexOf(column)];
        // a phone's card leaves out an empty cell (it says nothing): no value is off-screen there
        if (cell && table.classList.contains('cards') && cell.classList.contains('empty')
            && getComputedStyle(cell).display === 'none') return false;
        return !cell || outside(cell);
    }));
}"""

# Every column of every table of the page, with every "every column" toggle open: the header cells (a
# record's row headers) and the first ten rows' cells past the visible box of their table, by caption.
ANY_COLUMN_OFF = """() => {
    document.querySelectorAll('details.all-columns').forEach(details => { details.open = true; });
    return [...document.querySelectorAll('.table-wrap > table')].flatMap(table => {
        const wrap = table.closest('.table-wrap').getBoundingClientRect();
        const right = Math.min(wrap.right, innerWidth) + 0.5;
        const caption = table.querySelector('caption').id;
        const record = table.classList.contains('record');
        const heads = record ? [] : [...table.querySelectorAll('thead th')].map(th => th.dataset.column);
        return [...table.querySelectorAll('tbody tr')].slice(0, record ? undefined : 10).flatMap(row =>
            [...row.children].flatMap((cell, index) => cell.getBoundingClientRect().right > right
                ? [`${caption} ${record ? row.querySelector('th').dataset.column : heads[index]}`] : []));
    }).filter((item, index, all) => all.indexOf(item) === index);
}"""


def table_columns(html: str, caption_id: str) -> list[str]:
    """The columns of the table captioned ``caption_id``: its header cells', or a record's rows', names."""
    start = html.index(f'<caption id="{caption_id}">')
    table = html[start:html.index("</table>", start)]
    return re.findall(r'<th scope="(?:col|row)" data-column="([^"]+)"', table)


@pytest.mark.parametrize("path", PAGES)
def test_tables_lead_with_the_columns_that_answer_their_question(client, path):
    html = client.get(path).text
    for caption, columns in LEADS[path].items():
        if f'<caption id="{caption}">' in html:
            assert table_columns(html, caption) == columns, (path, caption)
    # the whole table stays behind the toggle, every column in it
    assert 'id="population-all-caption"' in html or path in ("/repatriation", "/documents")


def test_a_hosts_row_reads_as_label_and_value_in_its_language(client):
    html = client.get("/country/UZB", params={"lang": "ru"}).text
    start = html.index('<caption id="shares-caption">')
    record = html[html.rindex("<table", 0, start):html.index("</table>", start)]
    assert record.startswith('<table class="record lead">')
    assert ('<tr><th scope="row" data-column="diaspora_share_of_total_pct" title="diaspora_share_of_total_pct">'
            'Доля в населении, %</th><td class="num">2,21</td></tr>') in record
    assert "<summary>Показать все столбцы (13)</summary>" in html
    # the whole row behind the toggle: the sources named among its rows
    start = html.index('<caption id="shares-all-caption">')
    whole = html[start:html.index("</table>", start)]
    assert ('<tr><th scope="row" data-column="source_ids" title="source_ids">Коды источников</th><td class="links">'
            '<a href="/sources#source-stat-uz-2024" translate="no">stat-uz-2024</a>, '
            '<a href="/sources#source-study" translate="no">study</a></td></tr>') in whole


def test_a_table_of_several_rows_keeps_its_columns(client):
    """Tajikistan's one institution is a row of a list, not a record: the same table as Uzbekistan's two."""
    html = client.get("/country/TJK").text
    start = html.index('<caption id="institutions-caption">')
    opening = html[html.rindex("<table", 0, start):start]
    assert opening.startswith('<table class="lead') and "record" not in opening, opening  # "lead cards" on phones
    assert "<thead>" in html[start:html.index("</table>", start)]


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "ru"])
def test_no_column_is_past_the_edge_at_1280_px(browser, live_server, language):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        for path in PAGES:
            page.goto(f"{live_server}{path}?lang={language}")
            for caption, columns in LEADS[path].items():
                if page.locator(f"[id='{caption}']").count():
                    assert page.evaluate(OFF_THE_BOX, [caption, columns]) == [], (path, caption)
            # every column of the whole tables too: the kind of value, the source and the note at their end
            assert page.evaluate(ANY_COLUMN_OFF) == [], path
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 1280, path
            page.screenshot(path=f"/tmp/diaspora-keycols-{language}{path.replace('/', '-')}-1280.png",
                            full_page=True)
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "ru"])
def test_leading_columns_are_on_a_360_px_screen(browser, live_server, language):
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    try:
        for path in PAGES:
            page.goto(f"{live_server}{path}?lang={language}")
            for caption, columns in PHONE_KEYS[path].items():
                if page.locator(f"[id='{caption}']").count():
                    assert page.evaluate(OFF_THE_BOX, [caption, columns]) == [], (path, caption)
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 360, path
            page.screenshot(path=f"/tmp/diaspora-keycols-{language}{path.replace('/', '-')}-360.png",
                            full_page=True)
    finally:
        context.close()
