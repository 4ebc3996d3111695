"""Nothing English unmarked on a Russian or Kazakh page (issues 10 and 14), as the report is checked in
tests/report/test_report_catalogs.py: every page of the menu (the extensions' survey list and document
coding among them), each country profile, fetched from the real app
in-process, shows no run of Latin-script words outside an element marked ``lang="en"`` (the data's own
English words: a source's name, a title, a statement, a note) or ``translate="no"`` (identifiers and file
names, the same in every language). Before this check the 17 pages showed 2,831 such runs in each of the
two languages; the claims page alone 714, among them the claim checker's own English results.
"""

from __future__ import annotations

import json
import re

import pytest
from unmarked_latin import LATIN_ALLOWED, LATIN_WORDS, unmarked_runs

from diaspora_observatory.web.extensions import available_extensions
from diaspora_observatory.web.geometry import GEOMETRY_CREDIT
from diaspora_observatory.web.pages import menu

# Beyond the report's allow-list (the software's name, CSV, p, n): names and codes shown as they are, each
# with its reason.
WEB_ALLOWED = {
    **LATIN_ALLOWED,
    "JSON": "a file format's name, as CSV",
    "ARIMA": "a model's name (ARIMA(0,1,0)), written in Latin in Russian and Kazakh statistics too",
}


def page_runs(html: str) -> list[str]:
    return unmarked_runs(html, WEB_ALLOWED)


@pytest.fixture(scope="module")
def paths(case) -> list[str]:
    """Every page of the menu as the app builds it (the case's pages, then each extension's: the survey
    list, document coding), and each country profile."""
    extension_nav = [item for _name, module in available_extensions() for item in getattr(module, "NAV", [])]
    return [path for path, _label in menu(case) + extension_nav] + [f"/country/{host}" for host in case.hosts]


def test_the_reader_finds_what_the_pages_showed_before():
    """Forms the pages wrote before, each found: a source id link, a claim's English result."""
    assert page_runs('<td class="links"><a href="/sources#source-bns-2024a">bns-2024a</a></td>') == ["bns", "a"]
    assert page_runs("<td>2000–2023: decreasing (Mann-Kendall p = 0,324)</td>") == ["decreasing (Mann-Kendall p"]
    assert page_runs('<td><span lang="en">Ethnic Kazakhs</span></td><td translate="no">bns-2024a</td>') == []


@pytest.mark.slow  # every page in Russian and Kazakh (about 3 s)
@pytest.mark.parametrize("language", ["ru", "kk"])
def test_no_page_shows_unmarked_english(client, paths, language):
    found = {}
    for path in paths:
        response = client.get(path, params={"lang": language})
        assert response.status_code == 200, path
        runs = page_runs(response.text)
        if runs:
            found[path] = sorted(set(runs))
    assert found == {}
    assert len(paths) >= 17 and {"/s", "/coding", "/claims"} <= set(paths)


def test_the_claims_table_writes_the_checkers_words_as_the_report_does(client):
    """The web's claims table rewrites the checker's results and reasons with ``presentation.claims``, as the
    report does; the claim row's own scope gap is the data's English, marked; the machine text in ``title``."""
    html = client.get("/claims", params={"lang": "ru"}).text
    assert ('<td data-label="Почему не поддаётся проверке" class="long">утверждение шире данных: <span lang="en">'
            "The concept speaks of Kazakhstan&#39;s migration with all countries over 1991-2000; Table 2 covers one of the ten years and four partners "
            "only.</span></td>") in html
    assert ('">2000–2023: снижение (критерий Манна — Кендалла, p\xa0&lt;\xa00,001); точка перелома — 2010 '
            "(критерий Петтитта, p\xa0=\xa00,001); отрезки: 2000–2009: снижение") in html
    assert ">2000–2023: decreasing" not in html and "wider than the data" not in html


def page_specs(html: str) -> dict[str, dict]:
    return {name: json.loads(text) for name, text in
            re.findall(r'<script type="application/json" id="spec-([a-z-]+)">(.*?)</script>', html, flags=re.S)}


# The case's value labels (case/labels) of the definitions the chart draws, in the page's language: its
# citizenship row has no count, so no dot.
@pytest.mark.parametrize(("language", "labels"), [
    ("ru", {"Этнические казахи", "Уроженцы Казахстана"}),
    ("kk", {"Этникалық қазақтар", "Қазақстанда туғандар"})])
def test_the_definitions_chart_names_each_definition_in_the_readers_words(client, language, labels):
    """A chart's legend cannot be marked as the data's English: it names each definition by the case's label
    in the page's language, as the table under it does (the English label kept in the cell's title)."""
    html = client.get("/definitions", params={"lang": language}).text
    assert {row["label"] for row in page_specs(html)["definitions"]["data"]["values"]} == labels
    assert "Ethnic Kazakhs" not in json.dumps(page_specs(html)["definitions"], ensure_ascii=False)
    ethnic = {"ru": "Этнические казахи", "kk": "Этникалық қазақтар"}[language]
    title = {"ru": "Название", "kk": "Атауы"}[language]  # the column's title, before the value in a card
    assert f'<td data-label="{title}" title="Ethnic Kazakhs">{ethnic}</td>' in html
    english = client.get("/definitions", params={"lang": "en"}).text
    assert "Ethnic Kazakhs" in {row["label"] for row in page_specs(english)["definitions"]["data"]["values"]}


def test_the_birthplace_coverage_is_the_observatorys_own_text_translated(client):
    html = client.get("/definitions", params={"lang": "ru"}).text
    # the cell carries its column's title for the phone's card (web/columns.py CARD_BLOCKS)
    assert ("<td data-label=\"Охват\" class=\"long\">Сумма по странам проживания, перечисленным в импортированном файле (для встроенного "
            "кейса — государства — члены ООН с численностью больше нуля); территории, не являющиеся "
            "государствами-членами, в неё не входят.</td>") in html
    assert "Sum over the countries of residence" not in html


def test_the_checkers_tolerance_basis_is_translated_and_a_claims_own_is_marked(client):
    """The checker's own words for a tolerance (analysis.claims._tolerance) are written in the reader's words
    with the study's number in the reader's signs; the machine text stays in ``title``."""
    html = client.get("/claims", params={"lang": "ru"}).text
    # each cell titled for the card it is in on a phone (the whole table behind its toggle)
    assert ('<td data-label="Обоснование допуска" class="long" title="half a unit of the last stated digit of '
            '0.21">половина единицы последнего приведённого разряда числа 0,21</td>') in html
    assert ('<td data-label="Обоснование допуска" title="exact: no tolerance">точное значение: без допуска</td>'
            in html)
    assert ">exact: no tolerance<" not in html and ">half a unit of" not in html


# What a reader sees of a chart: its titles, the axis, legend and tooltip titles (each a ``title``), and the
# values of the data fields the chart draws or shows in a tooltip (category labels, panel names, numbers
# as text). Field names, formats and label expressions are the spec's machinery, never shown as they are.
SHOWN_TEXT_KEYS = ("title", "subtitle", "text", "description")
# Channels with a guide (an axis or a legend): without a ``title`` Vega titles it with the field's name.
GUIDED_CHANNELS = ("x", "y", "color", "fill", "stroke", "shape", "size", "strokeDash", "row", "column")


def spec_texts(spec: dict) -> list[str]:
    """Every text of ``spec`` a reader of the drawn chart sees (its tooltips included)."""
    texts: list[str] = []
    fields: set[str] = set()
    records: list[dict] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for channel in GUIDED_CHANNELS:
                guide = node.get(channel)
                if (isinstance(guide, dict) and isinstance(guide.get("field"), str) and "title" not in guide
                        and guide.get("axis", guide.get("legend", {})) is not None):
                    texts.append(guide["field"])
            for key, value in node.items():
                if key == "values" and isinstance(value, list):
                    records.extend(row for row in value if isinstance(row, dict))
                elif key in SHOWN_TEXT_KEYS and isinstance(value, str):
                    texts.append(value)
                elif key in SHOWN_TEXT_KEYS and isinstance(value, list) and all(isinstance(v, str) for v in value):
                    texts.extend(value)
                elif key == "field" and isinstance(value, str):
                    fields.add(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(spec)
    for row in records:
        for field in fields:
            value: object = row
            for part in field.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, str):
                texts.append(value)
    return texts


def chart_runs(spec: dict, sources: set[str]) -> list[str]:
    """Unmarked Latin runs in a chart's texts; the sources' own names in its source line are left out (the
    page names them marked ``lang="en"`` under the chart; a drawing cannot mark a language)."""
    texts = spec_texts(spec)
    for name in sorted(sources, key=len, reverse=True):
        texts = [text.replace(name, " ") for text in texts]
    runs = [run.group(0) for text in texts for run in LATIN_WORDS.finditer(text)]
    return [run for run in runs if run not in WEB_ALLOWED]


@pytest.fixture(scope="module")
def source_names(case) -> set[str]:
    """What a source line names a source by: its author, title or publisher; the maps' outline data
    (``Natural Earth 1:10m``, in their "Borders" line) likewise."""
    return {GEOMETRY_CREDIT} | {row[field] for row in case.rows["sources"] for field in ("author", "title", "publisher")
                                if isinstance(row[field], str) and row[field]}


def test_the_chart_reader_finds_english_in_a_spec():
    spec = {"title": {"text": "Потоки", "subtitle": "Источник: Bureau of Statistics (2024)"},
            "data": {"values": [{"flow": "net", "code": "net-flow", "persons_text": "1 200"}]},
            "encoding": {"color": {"field": "flow", "title": "Flow", "legend": {"labelExpr": "datum.label"}},
                         "tooltip": [{"field": "persons_text", "title": "Человек"}]}}
    assert chart_runs(spec, {"Bureau of Statistics"}) == ["Flow", "net"]
    assert chart_runs(spec, set()) == ["Bureau of Statistics", "Flow", "net"]
    # an axis with no title is titled with its field's name; one with no axis shows nothing
    untitled = {"encoding": {"x": {"field": "year"}, "y": {"field": "persons", "axis": None}}}
    assert chart_runs(untitled, set()) == ["year"]


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_no_chart_shows_unmarked_english(client, paths, source_names, language):
    """Every chart spec a Russian or Kazakh page loads (the JSON beside each chart) is read with the same
    reader: titles, axis and legend titles, tooltips, the labels its data fields carry."""
    found = {}
    charts = 0
    for path in paths:
        specs = page_specs(client.get(path, params={"lang": language}).text)
        charts += len(specs)
        for name, spec in specs.items():
            runs = chart_runs(spec, source_names)
            if runs:
                found[f"{path} {name}"] = sorted(set(runs))
    assert found == {}
    assert charts >= 12
