"""Column headers and chart texts in the page's language; data files keep the machine names."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from tooling import tool

from diaspora_observatory.charts import specs
from diaspora_observatory.presentation.cells import HIDDEN_COLUMNS
from diaspora_observatory.presentation.columns import COLUMN_LABELS, column_label
from diaspora_observatory.tables import TABLE_NAMES, build_table
from diaspora_observatory.web.columns import column_header
from diaspora_observatory.web.pages import fit_to_container, page_paths

extract_messages = tool("web_messages").extract_messages


def chart_spec(html: str, block_id: str) -> dict:
    marker = f'<script type="application/json" id="spec-{block_id}">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start:html.index("</script>", start)])


def shown_columns(web_app) -> dict[str, str]:
    """Every column of every table a page shows, and of every named table, with one place it appears
    (but those that say how to write the others, such as ``significant_digits``, which no page shows)."""
    site = web_app.state.site
    case = web_app.state.web.case
    found: dict[str, str] = {}
    for path in page_paths(case):
        page = site.page("overview" if path == "/" else path.lstrip("/"), "en")
        for name, frame in page.tables.items():
            for column in frame.columns:
                found.setdefault(str(column), f"{path} table {name}")
    for name in TABLE_NAMES:
        for column in build_table(case, name).columns:
            found.setdefault(str(column), f"named table {name}")
    return {column: where for column, where in found.items() if column not in HIDDEN_COLUMNS}


def test_every_column_shown_has_a_label(web_app):
    columns = shown_columns(web_app)
    assert len(columns) > 150  # the pages and named tables were really read
    unlabelled = {column: where for column, where in columns.items() if column not in COLUMN_LABELS}
    assert unlabelled == {}
    # each label is a message of the catalogs (test_web_i18n checks that ru and kk translate them all)
    messages = extract_messages()
    assert [label for label in COLUMN_LABELS.values() if label not in messages] == []


@pytest.mark.parametrize(("language", "label"), [
    ("en", "Total population"), ("ru", "Численность населения"), ("kk", "Халық саны")])
def test_column_header_is_translated_and_keeps_the_machine_name(client, language, label):
    html = client.get("/country/UZB", params={"lang": language}).text
    # the host's one row reads as a record there: each title heads its row (web/columns.py HOST_RECORDS)
    assert (f'<th scope="row" data-column="total_population" title="total_population">{label}</th>') in html


def table_headers(html: str, caption_id: str) -> list[str]:
    start = html.index("<thead>", html.index(f'<caption id="{caption_id}">'))
    head = html[start:html.index("</thead>", start)]
    return [cell.rsplit(">", 1)[1] for cell in head.split("</th>")[:-1]]


def test_russian_flows_table_headers(client):
    html = client.get("/flows", params={"lang": "ru"}).text
    # the flows themselves first; the kind of value and the source behind "every column"
    assert table_headers(html, "flows-caption") == ["Страна-партнёр", "Год", "Эмиграция", "Иммиграция", "Сальдо"]
    assert table_headers(html, "flows-all-caption") == [
        "Страна-партнёр", "Год", "Эмиграция", "Иммиграция", "Сальдо", "Вид значения", "Код источника"]
    assert "<summary>Показать все столбцы (7)</summary>" in html


def test_flow_summary_and_claims_lead_with_their_result(client):
    flows_page = client.get("/flows").text
    assert table_headers(flows_page, "flow-summary-caption") == [
        "Partner country", "Net, total", "Net: trend", "Net: trend, p-value", "Net: Theil-Sen slope",
        "Most likely first year of a new immigration level", "Most likely first year of a new emigration level",
        "Emigration trend since the last change"]
    assert len(table_headers(flows_page, "flow-summary-all-caption")) == 31
    claims_page = client.get("/claims").text
    assert table_headers(claims_page, "claims-caption") == [
        "Statement", "Status", "Reported", "Computed", "Note", "Why unverifiable"]
    # the downloads keep every column
    rows = list(csv.DictReader(io.StringIO(client.get("/claims.csv", params={"table": "claims"}).text)))
    assert list(rows[0]) == ["id", "section", "statement", "reported", "computed", "status", "reason", "unit",
                             "comparator", "tolerance", "tolerance_basis", "data_scope", "method", "note",
                             "source_id", "significant_digits"]


def test_unknown_column_falls_back_to_its_machine_name():
    def translate(text):
        return f"«{text}»"

    assert column_label("total_population", translate) == "«Total population»"
    assert column_label("a_column_nobody_knows", translate) == "a_column_nobody_knows"
    assert str(column_header("<b>", translate)) == '<th scope="col" data-column="&lt;b&gt;" title="&lt;b&gt;">&lt;b&gt;</th>'


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_data_files_keep_the_machine_column_names(client, language):
    client.cookies.set("lang", language)
    response = client.get("/flows.csv", params={"lang": language})
    assert response.text.splitlines()[0] == "partner,year,emigration,immigration,net,provenance,source_id"
    rows = list(csv.DictReader(io.StringIO(client.get("/country/UZB.csv", params={"table": "population"}).text)))
    assert list(rows[0]) == ["country", "year", "total_population", "titular_population", "diaspora_population",
                             "other_population", "provenance", "source_ids"]
    payload = client.get("/country/UZB.json", params={"lang": language}).json()
    assert "total_population" in payload["tables"]["population"][0]


def test_russian_flows_chart_texts(client):
    spec = chart_spec(client.get("/flows", params={"lang": "ru"}).text, "flows")
    assert spec["title"]["text"] == "Миграционные потоки: Казахстан"
    assert spec["title"]["subtitle"] == "Источник: Bureau of National Statistics of the Republic of Kazakhstan (2024)"
    encoding = spec["spec"]["encoding"]
    assert encoding["x"]["title"] == "Год"
    assert encoding["y"]["title"] == "Человек"
    assert encoding["color"]["title"] == "Поток"
    assert encoding["color"]["scale"]["domain"] == ["иммиграция", "эмиграция", "сальдо"]
    assert [entry["title"] for entry in encoding["tooltip"]] == ["Страна-партнёр", "Год", "Поток", "Человек"]
    # field names stay as they are; partners are named in the language, panels in the case's order; the
    # tooltip reads the number as the table writes it (the presentation layer), not in a format of its own
    assert [entry["field"] for entry in encoding["tooltip"]] == ["partner", "year", "flow", "persons_text"]
    assert spec["data"]["values"][0] == {"partner": "Киргизия", "year": 2000, "flow": "иммиграция", "persons": 1673,
                                         "persons_text": "1\xa0673"}
    assert not any("format" in entry for entry in encoding["tooltip"])
    assert spec["facet"]["sort"] == ["Киргизия", "Таджикистан", "Туркменистан", "Узбекистан"]


@pytest.mark.parametrize(("path", "block", "axis", "title"), [
    ("/", "demography", "x", "Пайыз"), ("/repatriation", "education", "x", "Топтағы пайызы"),
    ("/survey", "survey", "x", "Орташа мәні (1 — маңызды емес, 5 — өте маңызды)")])
def test_kazakh_chart_axis_titles(client, path, block, axis, title):
    spec = chart_spec(client.get(path, params={"lang": "kk"}).text, block)
    assert spec["encoding"][axis]["title"] == title
    # the shares chart draws shares computed from the counts: credited as computed from its sources
    heading = "Есептелген дереккөздер: " if block == "demography" else "Дереккөз: "
    assert spec["title"]["subtitle"].startswith(heading)
    assert spec["width"] == "container"


def test_overview_chart_categories_in_russian(client):
    spec = chart_spec(client.get("/", params={"lang": "ru"}).text, "demography")
    values = spec["data"]["values"]
    assert {value["measure"] for value in values} == {"доля во всём населении", "доля среди других групп"}
    assert [value["country"] for value in values[:4]] == ["Киргизия", "Таджикистан", "Туркменистан", "Узбекистан"]


def test_specs_untranslated_stay_english(case):
    from diaspora_observatory.analysis import flows

    spec = specs.flows_over_time(flows.flows(case), "BNS (2024)")
    assert spec["title"] == {"text": "Migration flows with Kazakhstan", "subtitle": "Source: BNS (2024)",
                             "anchor": "start"}
    assert spec["spec"]["encoding"]["x"]["title"] == "Year"
    assert spec["spec"]["encoding"]["color"]["scale"]["domain"] == ["immigration", "emigration", "net"]
    assert spec["spec"]["encoding"]["tooltip"][0] == {"field": "partner"}
    assert "width" not in spec and spec["spec"]["width"] == 260 and spec["columns"] == 2


def test_every_chart_text_is_in_the_catalogs(case):
    """The texts the specs translate are messages of the web's catalogs (so ru and kk translate them)."""
    from diaspora_observatory.analysis import demography, flows, repatriation, survey

    asked: list[str] = []

    def recording(text: str) -> str:
        asked.append(text)
        return text

    specs.flows_over_time(flows.flows(case), "S", translate=recording)
    specs.diaspora_shares(demography.demography(case), "S", translate=recording)
    specs.education_comparison(repatriation.education_comparison(case), "S", translate=recording)
    specs.survey_items(survey.published_survey(case), "S", translate=recording)
    assert len(set(asked)) >= 20
    messages = extract_messages()
    assert sorted(set(asked) - set(messages)) == []


def test_single_views_fit_their_container_and_facets_are_left_to_the_page():
    single = fit_to_container({"mark": "bar", "width": 560})
    assert single["width"] == "container"
    assert single["autosize"] == {"type": "fit-x", "contains": "padding"}
    facet = {"facet": {"field": "partner"}, "spec": {"width": 260}}
    assert fit_to_container(facet) is facet


def test_projections_are_fan_charts_with_the_table_behind_a_toggle(client):
    html = client.get("/projections").text
    spec = chart_spec(html, "projections")
    area, line = spec["spec"]["layer"]
    assert (area["mark"]["type"], area["encoding"]["y"]["field"], area["encoding"]["y2"]["field"]) == ("area", "low", "high")
    assert (line["mark"], line["encoding"]["y"]["field"]) == ("line", "central")
    assert spec["facet"]["sort"] == ["Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"]
    assert {row["scenario"] for row in spec["data"]["values"]} == {
        "recent migration continues", "natural change only", "repatriation doubled"}
    assert len(spec["data"]["values"]) == 150
    assert '<details class="all-columns">\n<summary>Show the table (150 rows)</summary>' in html


def test_identity_bars_start_at_the_bottom_of_the_answer_scale(client):
    spec = chart_spec(client.get("/survey").text, "survey")
    assert spec["encoding"]["x"]["scale"]["domain"] == [1, 5]
    assert spec["encoding"]["x2"] == {"datum": 1}


@pytest.mark.parametrize(("path", "block", "fields"), [
    ("/definitions", "definitions", {"y": "country", "x": "count", "color": "label"}),
    ("/institutions", "institutions", {"y": "country", "x": "support", "color": "state"}),
    ("/claims", "claims", {"y": "section", "x": "claims", "color": "status"})])
def test_definitions_institutions_and_claims_have_a_chart(client, path, block, fields):
    spec = chart_spec(client.get(path, params={"lang": "ru"}).text, block)
    assert {channel: spec["encoding"][channel]["field"] for channel in fields} == fields
    values = spec["data"]["values"]
    if block == "claims":
        assert sum(row["claims"] for row in values) == 47
        assert spec["encoding"]["color"]["scale"]["domain"] == ["подтверждено", "расхождение", "не поддаётся проверке"]
    if block == "institutions":
        assert {row["state"] for row in values} == {"есть", "отсутствует", "нет сведений"}
    if block == "definitions":
        assert spec["encoding"]["x"]["scale"] == {"type": "log"}  # dots, never bars from 0, on a log scale


def test_flows_page_leads_with_the_trends_table(client):
    html = client.get("/flows", params={"lang": "ru"}).text
    # the tests' table (the page's result) before the yearly data and its chart
    assert (html.index('<section class="block" id="flow-summary"') < html.index('<section class="block" id="flows"')
            < html.index('<section class="block" id="periods"'))


@pytest.mark.parametrize(("language", "cell"), [
    ("en", '<td data-label="Status"><span class="status status-mismatch">mismatch</span></td>'),
    ("ru", '<td data-label="Статус"><span class="status status-mismatch" title="mismatch">расхождение</span></td>')])
def test_claims_cells_carry_their_column_title_for_the_phone_cards(client, language, cell):
    html = client.get("/claims", params={"lang": language}).text
    lead = html[html.index('<table class="lead cards">'):html.index("</table>", html.index('<table class="lead cards">'))]
    assert cell in lead
    # the claims and the validation issues read as cards; so do the whole tables behind their toggles, the
    # claims' 15 columns on a wide screen too (web/columns.py WIDE_COLUMNS), the issues' 7 only on a phone
    assert html.count('<table class="lead cards">') == 2
    toggled = [part.split("</details>")[0] for part in html.split('<details class="all-columns">')[1:]]
    assert [re.search(r"<table[^>]*>", part).group(0) for part in toggled] == [
        '<table class="cards wide">', '<table class="cards">']
    assert cell in toggled[0]
