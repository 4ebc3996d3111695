"""Where the diaspora lives and how that changed: the world map of destinations and the series over time,
one series per UN DESA edition, for the built-in case and a new case, over HTTP in three languages and in
headless Chromium at a phone's and a desktop's width."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from serving import serving
from web_helpers import make_client

from diaspora_observatory import world
from diaspora_observatory.cli import main
from diaspora_observatory.web.app import create_app


def spec_of(html: str, block: str) -> dict:
    start = html.index(f'<script type="application/json" id="spec-{block}">') + len(
        f'<script type="application/json" id="spec-{block}">')
    return json.loads(html[start:html.index("</script>", start)])


@pytest.fixture(scope="module")
def kyrgyz_data(tmp_path_factory):
    data = tmp_path_factory.mktemp("kyrgyz-data")
    result = CliRunner().invoke(main, ["case", "new", "kyrgyz", "--origin", "KGZ"], env={"DIASPORA_DATA_DIR": str(data)})
    assert result.exit_code == 0, result.output
    return data


@pytest.mark.slow  # builds its own app per language
@pytest.mark.parametrize(("language", "heading", "legend"), [
    ("en", "Map of the destinations", ["Born in Kyrgyzstan (UN DESA 2019)",
                                       "Born in Kyrgyzstan (UN DESA 2024)"]),
    ("ru", "Карта стран назначения", ["Уроженцы страны Киргизия (ДЭСВ ООН, 2019)",
                                      "Уроженцы страны Киргизия (ДЭСВ ООН, 2024)"]),
    ("kk", "Баратын елдер картасы", ["Қырғызстан елінде туғандар (БҰҰ ЭӘД, 2019)",
                                     "Қырғызстан елінде туғандар (БҰҰ ЭӘД, 2024)"]),
])
def test_a_new_case_shows_its_map_and_series_in_each_language(kyrgyz_data, language, heading, legend):
    client = make_client(create_app("kyrgyz", data_dir=kyrgyz_data, extensions=False))
    html = client.get("/definitions", params={"lang": language}).text
    assert f">{heading}</h2>" in html
    over_time = spec_of(html, "birthplace-over-time")
    assert over_time["encoding"]["color"]["scale"]["domain"] == legend  # each edition its own series
    points = over_time["data"]["values"]
    assert [(p["edition"], p["year"]) for p in points][-2:] == [("2019", 2019), ("2024", 2024)]
    # the axis groups digits as the page's tables do; the world total is the observatory's sum over the
    # destinations, credited as computed from UN DESA's counts, not as UN DESA's own figure
    from diaspora_observatory.presentation.numbers import chart_number_locale

    assert over_time["config"]["locale"]["number"] == chart_number_locale(language)
    assert over_time["title"]["subtitle"].startswith(
        {"en": "Computed from: ", "ru": "Вычислено по: ", "kk": "Есептелген дереккөздер: "}[language])
    world_map = spec_of(html, "destinations-map")
    assert world_map["projection"] == {"type": "equalEarth"}
    shaded = {f["properties"]["country"]: f["properties"]["stock"] for f in world_map["layer"][2]["data"]["values"]}
    assert shaded["RUS"] == 333664 and shaded["KAZ"] == 100242  # the 2024 edition's latest year
    table = client.get("/definitions.json", params={"table": "birthplace-over-time"}).json()
    stock = world.migrant_stock(origin="KGZ")
    expected = [int(stock[stock["year"] == year]["stock"].sum()) for year in (2019, 2024)]
    assert [row["world_total"] for row in table if row["year"] in (2019, 2024)] == expected == [754981, 540573]


@pytest.mark.slow  # builds its own app
def test_the_built_in_case_shows_the_series_beside_the_studys_ethnic_counts():
    client = make_client(create_app(extensions=False))
    html = client.get("/definitions").text
    hosts = spec_of(html, "hosts-over-time")
    assert hosts["spec"]["encoding"]["color"]["scale"]["domain"] == [
        "Born in Kazakhstan (UN DESA 2019)", "Born in Kazakhstan (UN DESA 2024)",
        "By ethnicity (the case's sources)"]
    uzbekistan = [(v["series"], v["year"], v["count"]) for v in hosts["data"]["values"] if v["country"] == "Uzbekistan"]
    assert ("By ethnicity (the case's sources)", 2024, 821000) in uzbekistan
    assert ("Born in Kazakhstan (UN DESA 2024)", 2024, 13013) in uzbekistan
    assert {series for series, year, _ in uzbekistan if year <= 2019} == {"Born in Kazakhstan (UN DESA 2019)"}
    assert ("Born in Kazakhstan (UN DESA 2019)", 1990, 30344) in uzbekistan
    table = client.get("/definitions.json", params={"table": "birthplace-over-time"}).json()
    # the case holds the 2024 table; the 2019 edition's series comes from the built-in world data and says so
    assert {(row["edition"], row["held_in"]) for row in table} == {("2019", "built-in world data"),
                                                                    ("2024", "case")}


@pytest.mark.browser
def test_map_and_series_are_drawn_at_phone_and_desktop_width(kyrgyz_data, browser, tmp_path):
    # the first page computes every table: serving waits as long as the server lives (up to START_SECONDS)
    with serving(kyrgyz_data, "--case", "kyrgyz", probe="/countries") as running:
        base = running.base
        for width in (360, 1280):
            page = browser.new_page(viewport={"width": width, "height": 900})
            problems: list[str] = []
            page.on("pageerror", lambda error, seen=problems: seen.append(str(error)))
            page.goto(f"{base}/definitions?lang=kk")
            page.wait_for_function("document.querySelectorAll('.vega-ready, .vega-failed').length === "
                                   "document.querySelectorAll('.vega-chart').length", timeout=60000)
            for chart in ("destinations-map", "birthplace-over-time", "hosts-over-time"):
                assert page.locator(f"#chart-{chart} svg").count() == 1, (width, chart)
                page.locator(f"#chart-{chart}").screenshot(path=str(tmp_path / f"{chart}-{width}.png"))
            legend = page.locator("#chart-birthplace-over-time svg .role-legend-label text").all_text_contents()
            assert legend == ["Қырғызстан елінде туғандар (БҰҰ ЭӘД, 2019)",
                              "Қырғызстан елінде туғандар (БҰҰ ЭӘД, 2024)"]
            assert page.locator("#chart-destinations-map svg .mark-shape path").count() > 150  # the whole world
            assert page.evaluate("document.documentElement.scrollWidth") == width  # nothing wider than the phone
            assert problems == []
            page.close()
