"""The report's documents section with many coded documents: a summary with exact counts (coverage per
code, gaps, an example passage per frequent code), every row kept in tables/*.csv, and a report.html whose
size does not grow with the number of documents (issue 15, item 1)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from diaspora_observatory import load_case
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.ingest import ingest
from diaspora_observatory.documents.workspace import Workspace
from diaspora_observatory.report.build import build_report
from tests.report.test_report_catalogs import unmarked_latin


def article(number: int) -> str:
    """Every tenth item touches no code; the others repatriation and quotas, the odd ones tourism too."""
    if number % 10 == 0:
        return "The weather was mild in the capital."
    return "Repatriation of ethnic families continued under the quotas." + (" Tourism grew." if number % 2 else "")


def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int, language: str = "en") -> Path:
    """The built-in case's report with ``count`` coded English press items in a fresh data folder."""
    data = tmp_path / f"data-{count}"
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(data))
    space = Workspace(load_case(), data)
    ingest(space.store, space.codebook, [Document(f"item-{number:04d}", f"Item {number}", "press",
                                                  str(2015 + number % 10), "en", article(number))
                                         for number in range(count)])
    out = tmp_path / f"report-{count}-{language}"
    build_report(load_case(), out, language=language)
    return out


def section(html: str, name: str) -> str:
    start = html.index(f'<section id="{name}"')
    return html[start:html.index("</section>", start)]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


@pytest.mark.slow  # builds a report
def test_documents_section_summarises_and_the_files_keep_every_row(tmp_path, monkeypatch):
    out = report(tmp_path, monkeypatch, 300)
    html = (out / "report.html").read_text(encoding="utf-8")
    documents = section(html, "documents")
    # 270 items with repatriation and quotas, 150 of them with tourism: 690 passages; 300 x 15 - 690 gaps
    assert ("Coded documents: 300; codes: 15; coded passages: 690. How many documents each code touches is in the "
            "table below; every document by every code in ") in documents
    assert ("Coded documents that touch no code: 30 (item-0000; item-0010; item-0020; item-0030; item-0040 and 25 "
            "more in ") in documents
    assert "Gaps (a code a document does not touch): 3,810; documents with a gap: 300; in policy documents " \
           "(laws, concepts, plans): 0; the first: item-0000: brain circulation;" in documents
    assert "and 3,805 more in " in documents
    assert "Codes no coded document touches: 12 (social support; integration;" in documents
    per_code = {row["code"]: row for row in rows(out / "tables" / "code-coverage.csv")}
    assert [per_code[code]["documents_with_code"] for code in ("repatriation_kandas", "employment_quotas", "tourism",
                                                               "integration")] == ["270", "270", "150", "0"]
    assert per_code["tourism"]["share_pct"] == "50.0"
    coverage_table = re.search(r'<table data-table="code-coverage">.*?</table>', documents, re.S)
    assert coverage_table is not None
    assert "<td title=\"repatriation_kandas\">repatriation of kandas</td><td class=\"num\">270</td><td class=\"num\">300</td>" \
           "<td class=\"num\">90</td><td class=\"num\">270</td>" in coverage_table.group(0)
    examples = rows(out / "tables" / "passage-examples.csv")
    assert [(row["code"], row["document_id"], row["passage"]) for row in examples] == [
        ("repatriation_kandas", "item-0001", "Repatriation of ethnic families continued under the quotas."),
        ("employment_quotas", "item-0001", "Repatriation of ethnic families continued under the quotas."),
        ("tourism", "item-0001", "Tourism grew.")]
    # every row in the files, none of them in the report
    assert len(rows(out / "tables" / "document-coverage.csv")) == 300
    assert len(rows(out / "tables" / "document-gaps.csv")) == 3810
    appendix = html[html.index('<section id="appendix"'):]
    assert "Every row: tables/document-coverage.csv (rows: 300)." in appendix
    assert "Every row: tables/document-gaps.csv (rows: 3,810)." in appendix
    assert 'data-table="document-coverage"' not in html and 'data-table="document-gaps"' not in html
    assert "item-0299" not in html
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "### Documents each code touches" in markdown and "item-0299" not in markdown


@pytest.mark.slow  # builds reports
def test_report_size_does_not_grow_with_the_documents(tmp_path, monkeypatch):
    small = (report(tmp_path, monkeypatch, 30) / "report.html").stat().st_size
    large = (report(tmp_path, monkeypatch, 300) / "report.html").stat().st_size
    # only the counts and "and K more in …" differ: ten times the documents, under a kilobyte more
    assert 0 < large - small < 1000


@pytest.mark.slow  # builds a report
def test_russian_documents_summary_shows_no_unmarked_english(tmp_path, monkeypatch):
    html = (report(tmp_path, monkeypatch, 30, "ru") / "report.html").read_text(encoding="utf-8")
    documents = section(html, "documents")
    assert "Закодированных документов: 30; кодов: 15; закодированных фрагментов: 69." in documents
    assert '<td><span lang="en">Repatriation of ethnic families continued under the quotas.</span></td>' in documents
    assert unmarked_latin(section(html, "documents")) == []
    assert 'Все строки: <span translate="no">tables/document-gaps.csv</span> (строк: 381).' in html
