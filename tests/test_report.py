"""The report reproduces every table and figure, and its claims equal the checker's."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from diaspora_observatory.analysis.claims import check_claims
from diaspora_observatory.cli import main
from diaspora_observatory.report.build import find_chromium
from diaspora_observatory.tabular import records


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(main, ["report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_report_files(report_dir):
    for name in ("report.html", "report.md", "claims.json"):
        assert (report_dir / name).stat().st_size > 0
    assert {p.stem for p in (report_dir / "figures").glob("*.svg")} == {
        "diaspora-shares", "flows-over-time", "survey-items", "education-comparison"}
    assert {"demography", "flows", "flow-summary", "periods", "education", "survey", "claims"} <= {
        p.stem for p in (report_dir / "tables").glob("*.csv")}


def test_figures_are_real_svg_with_their_source(report_dir):
    svg = (report_dir / "figures" / "flows-over-time.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Bureau of National Statistics" in svg
    assert "<path" in svg


def test_report_claims_equal_the_checker(report_dir, case):
    assert json.loads((report_dir / "claims.json").read_text(encoding="utf-8")) == records(check_claims(case))


def test_html_shows_sources_and_statuses(report_dir):
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    assert "Claims: 28 confirmed, 9 mismatch, 10 unverifiable." in html.replace("\n", " ")
    assert html.count('<p class="sources">Sources: ') >= 7
    assert '<td class="status-mismatch">mismatch</td>' in html
    assert "http://" not in html.replace("http://www.w3.org", "")  # nothing to fetch


def test_report_names_codes_and_its_tables_keep_them(report_dir):
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    assert "<td>secondary vocational education</td>" in html and "<td>secondary_vocational</td>" not in html
    assert "secondary vocational education" in (report_dir / "report.md").read_text(encoding="utf-8")
    assert "\nsecondary_vocational," in (report_dir / "tables" / "education.csv").read_text(encoding="utf-8")
    svg = (report_dir / "figures" / "education-comparison.svg").read_text(encoding="utf-8")
    assert "secondary vocational education" in svg and "secondary_vocational" not in svg


@pytest.mark.browser
def test_pdf_report(tmp_path):
    if find_chromium() is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    result = CliRunner().invoke(main, ["report", "--out", str(tmp_path), "--pdf"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")


def test_pdf_without_chromium_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty PATH: no browser to be found
    if shutil.which("chromium"):
        pytest.skip("chromium still reachable")
    result = CliRunner().invoke(main, ["report", "--out", str(tmp_path / "r"), "--pdf"])
    assert result.exit_code == 2
    assert "Error: --pdf needs Chromium, which was not found on PATH" in result.output
