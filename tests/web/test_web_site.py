"""`diaspora site`: the observatory as static files that work from disk, in every language, offline."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from diaspora_observatory.cli import main
from diaspora_observatory.web.i18n import LANGUAGES
from diaspora_observatory.web.site import write_site

# Building the static site in every language takes seconds (its module fixture): left out of make test-fast.
pytestmark = pytest.mark.slow

LINK = re.compile(r'\b(href|src|action)="([^"]*)"')


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "observatory"
    report = write_site(out)
    assert report.pages == len(list(out.glob("*/**/*.html"))) - len(LANGUAGES)  # + one server-only page each
    return out


def local_links(page: Path) -> list[tuple[str, str]]:
    found = []
    for attribute, url in LINK.findall(page.read_text(encoding="utf-8")):
        if url.startswith(("#", "http://", "https://", "mailto:")):
            continue
        found.append((attribute, url))
    return found


def test_every_language_has_every_page(site):
    for code in LANGUAGES:
        names = {path.relative_to(site / code).as_posix() for path in (site / code).rglob("*.html")}
        assert {"index.html", "flows.html", "claims.html", "sources.html", "country/KGZ.html",
                "server-only.html"} <= names
        assert f'<html lang="{code}"' in (site / code / "flows.html").read_text(encoding="utf-8")


def test_every_link_names_a_file_of_the_site(site):
    checked = 0
    for page in site.rglob("*.html"):
        for attribute, url in local_links(page):
            assert not url.startswith("/"), f"{page.relative_to(site)}: {attribute}={url} is absolute"
            target = (page.parent / unquote(urlsplit(url).path)).resolve()
            assert target.is_file(), f"{page.relative_to(site)}: {attribute}={url} names no file"
            assert site.resolve() in target.parents
            checked += 1
    assert checked > 1000


def test_nothing_is_fetched_from_the_network(site):
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'<(script|link|img)\b[^>]*\b(src|href)="(https?:)?//', text), page


def test_data_files_are_those_the_server_offers(site, client):
    assert (site / "data" / "flows.csv").read_bytes() == client.get("/flows.csv").content
    assert (site / "data" / "overview.json").read_bytes() == client.get("/overview.json").content
    flows_page = (site / "en" / "flows.html").read_text(encoding="utf-8")
    assert 'href="../data/flows.csv"' in flows_page


def test_language_links_lead_to_the_same_page_in_the_other_language(site):
    page = (site / "ru" / "country" / "KGZ.html").read_text(encoding="utf-8")
    assert 'href="../../en/country/KGZ.html"' in page and 'href="../../kk/country/KGZ.html"' in page


def test_the_footer_says_what_needs_a_server(site):
    page = (site / "kk" / "flows.html").read_text(encoding="utf-8")
    assert '<a href="server-only.html">Сауалнама мен қолмен кодтау үшін жұмыс істеп тұрған сервер қажет.</a>' in page
    left_out = (site / "en" / "server-only.html").read_text(encoding="utf-8")
    assert "need a running server: install the observatory and run `diaspora serve`." in left_out


def test_the_server_pages_have_no_static_site_note(client):
    assert "site-note" not in client.get("/flows").text


def test_site_command_refuses_a_folder_with_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["site", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert f"Error: {tmp_path} is not empty" in result.output
    assert "Hint: choose an empty folder, or pass --overwrite to replace it" in result.output
    result = CliRunner().invoke(main, ["site", "--out", str(tmp_path), "--overwrite"])
    assert result.exit_code == 2
    assert "does not look like a site written by `diaspora site`, so it is not replaced" in result.output
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.browser
def test_the_site_works_from_disk_in_a_browser(site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    outside, problems = [], []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                  else (outside.append(route.request.url), route.abort()))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto((site / "index.html").as_uri())
    page.wait_for_url("**/en/index.html")
    visited, queue, charts = set(), [page.url], 0
    while queue:
        url = queue.pop()
        if url in visited:
            continue
        visited.add(url)
        assert page.goto(url) is not None
        count = page.locator(".vega-chart").count()
        if count:
            page.wait_for_function("document.querySelectorAll('.vega-ready, .vega-failed').length === "
                                   "document.querySelectorAll('.vega-chart').length", timeout=15000)
            assert page.locator(".vega-chart svg").count() == count, url
            charts += count
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            if href.startswith("file://") and href.endswith(".html") and "/en/" in href:
                queue.append(href.split("#")[0])
    context.close()
    assert len(visited) >= 15
    assert charts >= 8
    assert outside == []
    assert problems == []
