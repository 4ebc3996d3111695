"""A new case is a whole case (issue 16, item 5): its title in each language, a menu that lists only the
parts with data, and an overview that names the others with how to add them."""

from __future__ import annotations

import re
from html import unescape

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from diaspora_observatory.cli import main
from diaspora_observatory.web.app import create_app


@pytest.fixture(scope="module")
def kyrgyz(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIASPORA_DATA_DIR", str(data))
        assert CliRunner().invoke(main, ["case", "new", "kyrgyz", "--origin", "KGZ"]).exit_code == 0
        app = create_app("kyrgyz", data_dir=data, extensions=False)
        yield TestClient(app, raise_server_exceptions=False)


def menu_of(html: str) -> list[str]:
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S)
    return [unescape(text) for text in re.findall(r"<a [^>]*>([^<]+)</a>", nav.group(0))]


def test_the_menu_lists_only_the_parts_with_data(kyrgyz):
    assert menu_of(kyrgyz.get("/?lang=en").text) == [
        "Overview", "Countries", "Definitions", "Projections", "Claims and data quality", "Sources"]
    # The left-out pages still answer, saying what is missing and how to add it.
    page = kyrgyz.get("/repatriation?lang=en")
    assert page.status_code == 200 and "put the rows in data/repatriation.csv" in unescape(page.text)


def test_the_overview_names_the_parts_not_there_yet_and_how_to_add_them(kyrgyz):
    html = kyrgyz.get("/?lang=en").text
    block = re.search(r'<section class="block" id="not-yet".*?</section>', html, re.S).group(0)
    assert ("<p>These parts of the observatory have no data in this case, so the menu leaves them out. To add one:"
            "</p>") in block
    assert [unescape(item) for item in re.findall(r"<li>(.*?)</li>", block)] == [
        "Flows: import a national table of arrivals and departures by partner and year with “diaspora import "
        "generic FILE --kind flows --case kyrgyz” (docs/import.md).",
        *(f"{label}: put the rows in data/{resource}.csv of the case and declare the resource in its "
          "datapackage.json (docs/data.md)." for label, resource in (
              ("Repatriation", "repatriation"), ("Institutions", "institutions"),
              ("Survey results", "survey_results"), ("Policy and press", "documents")))]


@pytest.mark.parametrize(("language", "title"), [("en", "The diaspora of Kyrgyzstan"), ("ru", "Диаспора: Киргизия"),
                                                  ("kk", "Қырғызстан диаспорасы")])
def test_the_case_title_is_in_the_readers_language(kyrgyz, language, title):
    assert f" · {title}</title>" in kyrgyz.get(f"/?lang={language}").text


def test_the_built_in_case_keeps_every_page_in_its_menu(client):
    assert "Not in this case yet" not in client.get("/?lang=en").text
    assert menu_of(client.get("/?lang=en").text)[:11] == [
        "Overview", "Countries", "Definitions", "Flows", "Projections", "Repatriation", "Institutions",
        "Survey results", "Policy and press", "Claims and data quality", "Sources"]
