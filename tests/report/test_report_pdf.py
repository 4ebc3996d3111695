"""report.pdf of the built-in case in each language, printed by the real headless Chromium: portrait A4, at
most 20 pages, numbered pages, and a table of contents whose page numbers are where the headings stand."""

from __future__ import annotations

import re
import unicodedata

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from services import chromium_executable

from diaspora_observatory.cli import main
from diaspora_observatory.report.pdf import heading_pages
from tests.report.test_report_chart_labels import drawn_titles

A4_POINTS = (595, 842)  # 210 mm x 297 mm
MAX_PAGES = 20


@pytest.fixture(scope="module", params=["en", "ru", "kk"])
def printed(request, tmp_path_factory, monkeypatch_module):
    monkeypatch_module.setenv("DIASPORA_CHROMIUM", chromium_executable())
    out = tmp_path_factory.mktemp(f"pdf-{request.param}")
    result = CliRunner().invoke(main, ["report", "--lang", request.param, "--out", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    return request.param, out


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.mark.browser
def test_pdf_is_portrait_a4_within_twenty_numbered_pages(printed):
    _language, out = printed
    reader = PdfReader(out / "report.pdf")
    assert len(reader.pages) <= MAX_PAGES
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4_POINTS
    total = len(reader.pages)
    for number in (1, total):
        assert f"{number} / {total}" in reader.pages[number - 1].extract_text()


@pytest.mark.browser
def test_contents_give_the_page_of_each_heading(printed):
    language, out = printed
    html = (out / "report.html").read_text(encoding="utf-8")
    contents = html[html.index('<nav class="contents"'):html.index("</nav>")]
    entries = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a><span class="dots"></span><span class="page">(\d*)</span>',
                         contents)
    pages = heading_pages(out / "report.pdf")
    assert len(entries) >= 12  # summary, eleven sections, appendix, sources
    for _anchor, title, page in entries:
        assert page and int(page) == pages[" ".join(title.replace("&#39;", "'").split())], (language, title)
    assert [int(page) for _a, _t, page in entries] == sorted(int(page) for _a, _t, page in entries)


def page_texts(pdf_path) -> list[str]:
    """Each page's text without spaces (the PDF's line breaks fall anywhere) and ligatures ("ﬁ" -> "fi")."""
    return [unicodedata.normalize("NFKC", "".join(page.extract_text().split())) for page in PdfReader(pdf_path).pages]


@pytest.mark.browser
def test_figures_are_never_split(printed):
    """Each chart's titles (its own and its panels') stand on the page of its caption: the figure was not
    broken across pages."""
    _language, out = printed
    pages = page_texts(out / "report.pdf")
    figures = sorted((out / "figures").glob("*.svg"))
    assert len(figures) == 8
    for path in figures:
        titles = drawn_titles(path.read_text(encoding="utf-8"))
        caption = [index for index, text in enumerate(pages) if f"figures/{path.name}" in text]
        assert len(caption) == 1 and titles, path.name
        assert [title for title in titles if "".join(title.split()) not in pages[caption[0]]] == [], path.name
