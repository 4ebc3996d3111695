"""Charts and notes that tell the truth in the reader's language (issue 10).

- chart axes group digits and write decimals as the page's tables do (``config.locale`` in every spec, from
  the CLDR symbols of ``presentation.numbers``), on the page and in the report's SVG;
- a note of the data is never passed off as the page's own text: a fixed text of the observatory is
  translated, the data's own is marked with its language (``lang`` and a label naming it);
- the shares chart is captioned as computed from its sources, not as a source's figures.

The real app in-process, a real ``diaspora serve`` in headless Chromium, the report's real sections.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from diaspora_observatory.analysis.overview import key_figures
from diaspora_observatory.charts.render import to_svg
from diaspora_observatory.presentation.numbers import chart_number_locale, format_value
from diaspora_observatory.presentation.texts import OBSERVATORY_NOTES
from diaspora_observatory.report.build import on_paper
from diaspora_observatory.report.sections import build_sections

NBSP = "\xa0"
RU_LOCALE = {"decimal": ",", "thousands": NBSP, "grouping": [3], "minus": "-", "currency": ["", ""]}
EN_LOCALE = {"decimal": ".", "thousands": ",", "grouping": [3], "minus": "-", "currency": ["", ""]}
CHART_PAGES = ["/", "/definitions", "/projections", "/flows", "/repatriation", "/institutions", "/survey", "/claims",
               "/country/UZB"]


def page_specs(html: str) -> dict[str, dict]:
    return {name: json.loads(text) for name, text in
            re.findall(r'<script type="application/json" id="spec-([a-z-]+)">(.*?)</script>', html, flags=re.S)}


# --- item 2: the number locale of the charts ---

@pytest.mark.parametrize(("language", "expected"), [("en", EN_LOCALE), ("ru", RU_LOCALE), ("kk", RU_LOCALE)])
def test_every_chart_of_every_page_carries_the_pages_number_locale(client, language, expected):
    seen = 0
    for path in CHART_PAGES:
        specs = page_specs(client.get(path, params={"lang": language}).text)
        assert specs, path
        for name, spec in specs.items():
            assert spec["config"]["locale"] == {"number": expected}, (path, name)
            seen += 1
    assert seen >= 10
    # the tables' own separator: the chart's ticks and the table's cells group a million alike
    thousands = expected["thousands"]
    assert format_value(1_000_000, "people", language) == f"1{thousands}000{thousands}000"
    assert format_value(0.5, "percent", language).replace(expected["decimal"], ".") == "0.5"


@pytest.mark.slow  # builds the Russian report
def test_the_reports_russian_charts_group_digits_as_its_tables():
    """vl-convert honours the spec's locale: the report's SVG reads ``1 000``, not ``1,000``, in Russian."""
    sections = {section.id: section for section in build_sections_cached("ru")}
    figure = sections["flows"].figures[0]
    assert figure.spec["config"]["locale"]["number"] == chart_number_locale("ru") == RU_LOCALE
    ticks = re.findall(r">([^<]*\d[^<]*)</text>", to_svg(on_paper(figure.spec)))
    assert f"1{NBSP}000" in ticks and f"40{NBSP}000" in ticks
    assert not [tick for tick in ticks if re.search(r"\d,\d{3}", tick)]
    assert all(figure.spec["config"]["locale"]["number"] == RU_LOCALE
               for section in sections.values() for figure in section.figures)


_SECTIONS: dict[str, list] = {}


def build_sections_cached(language: str) -> list:
    from diaspora_observatory import load_case

    if language not in _SECTIONS:
        _SECTIONS[language] = build_sections(load_case(), language)
    return _SECTIONS[language]


@pytest.mark.browser
@pytest.mark.parametrize(("language", "path", "chart", "million"), [
    ("ru", "/definitions", "chart-definitions", f"1{NBSP}000{NBSP}000"),
    ("kk", "/projections", "chart-projections", f"1{NBSP}000{NBSP}000"),
    ("en", "/definitions", "chart-definitions", "1,000,000"),
])
def test_axis_ticks_in_chromium_are_grouped_as_the_page_writes_numbers(browser, live_server, language, path, chart,
                                                                       million):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}{path}?lang={language}")
    page.wait_for_selector(f"#{chart}.vega-ready", timeout=15000)
    ticks = page.locator(f"#{chart} svg .role-axis-label text").all_text_contents()
    assert million in ticks
    if language != "en":
        assert not [tick for tick in ticks if re.search(r"\d,\d{3}", tick)], ticks
    page.locator(f"#{chart}").screenshot(path=f"/tmp/diaspora-axis-{language}-{chart}.png")
    context.close()


# --- item 4: the shares chart is credited as computed ---

@pytest.mark.slow  # about 1 s
def test_the_shares_chart_says_computed_from_its_sources(client):
    html = client.get("/", params={"lang": "ru"}).text
    sources = ("The Astana Times (2024); National Statistical Committee of the Kyrgyz Republic (2022); Statistics "
               "Agency under the President of the Republic of Uzbekistan (2024); Authors of the seed study; World Bank "
               "Group (2024)")
    assert page_specs(html)["demography"]["title"]["subtitle"] == f"Вычислено по: {sources}"
    # the sources' names are their own English words, marked as such (lang="en") on a Russian page
    assert f'<figcaption>Диаспора в каждой принимающей стране. Вычислено по: <span lang="en">{sources}</span>. ' in html
    # the table under it holds the sources' counts beside the shares: its line keeps "Source"
    assert f'<p class="block-meta">Источник: <span lang="en">{sources}</span> · ' in html
    english = page_specs(client.get("/", params={"lang": "en"}).text)["demography"]["title"]["subtitle"]
    assert english.startswith("Computed from: The Astana Times (2024);")
    # the report draws the same spec: its figure is credited alike
    report = {section.id: section for section in build_sections_cached("en")}
    assert report["demography"].figures[0].spec["title"]["subtitle"].startswith("Computed from: The Astana Times")
    # a chart of the sources' own figures keeps "Source"
    assert page_specs(client.get("/flows", params={"lang": "en"}).text)["flows"]["title"]["subtitle"] == (
        "Source: Bureau of National Statistics of the Republic of Kazakhstan (2024)")


# --- item 3: notes in the data's language are marked, the observatory's own are translated ---

class NoteCells(HTMLParser):
    """Every cell of a ``note`` column: its text and the language its note is marked with."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.columns: list[str] = []
        self.index = 0
        self.cell: dict | None = None
        self.cells: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "thead":
            self.columns = []
        elif tag == "th" and "data-column" in attributes:
            self.columns.append(attributes["data-column"])
        elif tag == "tr":
            self.index = 0
        elif tag == "td":
            column = self.columns[self.index] if self.index < len(self.columns) else ""
            self.index += 1
            self.cell = {"text": "", "lang": None, "label": ""} if column == "note" else None
        elif tag == "span" and self.cell is not None:
            if attributes.get("lang"):
                self.cell["lang"] = attributes["lang"]
            if attributes.get("class") == "text-language":
                self.cell["in_label"] = True

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.cells.append(self.cell)
            self.cell = None
        elif tag == "span" and self.cell is not None:
            self.cell.pop("in_label", None)

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["label" if self.cell.get("in_label") else "text"] += data


NOTE_PAGES = ["/", "/country/TKM", "/repatriation", "/institutions", "/survey", "/documents", "/claims"]


@pytest.mark.parametrize(("language", "label"), [("ru", "(примечание на языке данных: английский)"),
                                                 ("kk", "(деректердің өз тіліндегі ескертпе: ағылшын тілі)")])
def test_every_note_on_a_translated_page_is_translated_or_marked_as_the_datas(client, language, label):
    marked = translated = 0
    for path in NOTE_PAGES:
        reader = NoteCells()
        reader.feed(client.get(path, params={"lang": language}).text)
        for cell in reader.cells:
            text = cell["text"].strip()
            if text in ("", "–"):  # an empty cell (its dash is for screen readers)
                continue
            if cell["lang"] == "en":
                assert cell["label"] == label, (path, cell)
                marked += 1
            else:
                # not marked: then it is a fixed text of the observatory, in the page's language
                assert re.search(r"[А-Яа-яӘәҒғҚқҢңӨөҰұҮүҺһІі]", text) and cell["label"] == "", (path, cell)
                translated += 1
    assert marked >= 40 and translated >= 1


def test_a_note_cell_exactly(client):
    ru = client.get("/repatriation", params={"lang": "ru"}).text
    assert ('<td data-label="Примечание" class="long"><span lang="en">Year not stated in the study; the year of the source (2024) is used.'
            '</span> <span class="text-language">(примечание на языке данных: английский)</span></td>') in ru
    en = client.get("/repatriation", params={"lang": "en"}).text
    assert ('<td data-label="Note" class="long">Year not stated in the study; the year of the source (2024) is used.'
            '</td>') in en
    assert 'class="text-language"' not in en


@pytest.mark.parametrize(("language", "translated"), [
    ("ru", "Исследование не называет год или период для этой численности, поэтому он не указан."),
    ("kk", "Зерттеу бұл санның жылын немесе кезеңін атамайды, сондықтан ол көрсетілмеген.")])
def test_the_observatorys_own_notes_are_translated(client, case, language, translated):
    written = {note for note in key_figures(case)["note"] if note}
    assert written and written <= set(OBSERVATORY_NOTES)
    html = client.get("/", params={"lang": language}).text
    note = {"ru": "Примечание", "kk": "Ескертпе"}[language]  # the column's title, the card's on a phone
    assert f'<td data-label="{note}" class="long">{translated}</td>' in html
    assert "The study gives no year or period" not in html


def test_source_notes_on_the_sources_page_are_marked(client):
    html = client.get("/sources", params={"lang": "ru"}).text
    assert ('<p class="note"><span lang="en">The article this case reproduces; used for figures the study derives '
            'itself.</span> <span class="text-language">(примечание на языке данных: английский)</span></p>') in html
    assert ('<p class="note">The article this case reproduces; used for figures the study derives itself.</p>'
            in client.get("/sources", params={"lang": "en"}).text)
