"""The report: its files, its claims equal to the checker's, a summary naming what `diaspora check` finds,
readable tables (headers, names, labels), and chart titles from the case, not from the built-in study."""

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from diaspora_observatory.analysis.claims import check_claims
from diaspora_observatory.cli import main
from diaspora_observatory.tabular import records
from tests.report.test_report_chart_labels import drawn_texts, drawn_titles


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(main, ["report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def html(report_dir) -> str:
    return (report_dir / "report.html").read_text(encoding="utf-8")


def test_report_files(report_dir):
    for name in ("report.html", "report.md", "claims.json"):
        assert (report_dir / name).stat().st_size > 0
    assert {p.stem for p in (report_dir / "figures").glob("*.svg")} == {
        "diaspora-shares", "flows-over-time", "survey-items", "education-comparison", "institution-supports",
        "definition-counts", "projection-fans", "claims-by-status"}
    assert {"demography", "flows", "flow-summary", "periods", "education", "survey", "claims", "projections"} <= {
        p.stem for p in (report_dir / "tables").glob("*.csv")}


def test_figures_are_real_svg_with_their_source(report_dir):
    svg = (report_dir / "figures" / "flows-over-time.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Bureau of National Statistics" in svg
    assert "<path" in svg
    assert "Migration flows with Kazakhstan" in svg


def test_report_claims_equal_the_checker(report_dir, case):
    assert json.loads((report_dir / "claims.json").read_text(encoding="utf-8")) == records(check_claims(case))


def test_summary_names_the_mismatches_diaspora_check_reports(html):
    result = CliRunner().invoke(main, ["check", "--format", "json"])
    checked = json.loads(result.output)["claims"]
    mismatches = [claim["id"] for claim in checked if claim["status"] == "mismatch"]
    assert len(mismatches) == 9
    summary = html[html.index('<section id="summary"'):html.index("</section>")]
    listed = re.findall(r'<li data-claim="([^"]+)"><span class="claim-id" translate="no">[^<]+</span> \(section [^)]*, '
                        r'<span class="status status-(\w+)">', summary)
    assert listed == [(claim_id, "mismatch") for claim_id in mismatches]
    assert ("Numeric statements of the study recomputed from the data: 47; confirmed 28, mismatch 9, "
            "unverifiable 10.") in summary


def test_summary_reports_the_cross_source_difference_and_open_doubts(html):
    summary = html[html.index('<section id="summary"'):html.index("</section>")]
    assert ("<li>Turkmenistan, 2024: 6,516,100 (World Bank Group (2024)) against 7,494,498 (World Bank), a "
            "difference of -13.1%, beyond the tolerance of 5%.</li>") in summary
    assert ("Statements that cannot be checked: 10; wider than the data: 7, no data in the case: 3. Each reason is "
            "in the appendix.") in summary
    assert "<li>867,000 members of the diaspora live in the host countries (Uzbekistan, Kyrgyzstan, Turkmenistan, " \
           "Tajikistan, counts of 2022–2024); 94.7% of them in Uzbekistan.</li>" in summary


def test_tables_have_readable_headers_names_and_labels(html, report_dir):
    assert '<th scope="col" data-column="diaspora_share_of_total_pct">Share of the population, %</th>' in html
    assert '<td class="country"><abbr title="UZB">Uzbekistan</abbr></td>' in html
    assert '<td title="secondary_vocational">secondary vocational education</td>' in html
    assert "\nsecondary_vocational," in (report_dir / "tables" / "education.csv").read_text(encoding="utf-8")
    svg = (report_dir / "figures" / "education-comparison.svg").read_text(encoding="utf-8")
    # the axis label as drawn (over two lines where it needs them), the code nowhere
    assert "secondary vocational education" in [" ".join(lines) for lines in drawn_texts(svg)]
    assert "secondary_vocational" not in svg


def test_no_false_precision_or_e_notation(html):
    text = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    assert not re.search(r"\d\.\d+e[+-]\d", text)
    # the digits the inputs justify: Tajikistan's 2,200 of 10,143,540 is 0.022% (two digits) and 867,200 over
    # "5 to 7 million" is 12%–17% (one digit in the estimate), never the raw 17.344 nor 0.0217% in a sentence
    assert "from 0.022% in Tajikistan" in text and "they are 12%–17% of the diaspora abroad" in text
    assert ">17.344<" not in text and "12.4%–17.3%" not in text
    assert "nan" not in re.findall(r"\b\w+\b", text.lower())


def test_markdown_has_the_summary_and_the_compact_tables(report_dir):
    markdown = (report_dir / "report.md").read_text(encoding="utf-8")
    assert "## Summary of findings" in markdown
    assert "| Country | Year | Diaspora members | Share of the population, % |" in markdown


@pytest.mark.slow  # builds a second case's report
def test_second_case_titles_name_its_origin(tmp_path, monkeypatch):
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    created = runner.invoke(main, ["case", "new", "kyrgyz-diaspora", "--origin", "KGZ", "--data-dir",
                                   str(tmp_path / "data")])
    assert created.exit_code == 0, created.output
    out = tmp_path / "report"
    result = runner.invoke(main, ["report", "--case", str(tmp_path / "data" / "cases" / "kyrgyz-diaspora"),
                                  "--out", str(out)])
    assert result.exit_code == 0, result.output
    titles = {path.stem: drawn_titles(path.read_text(encoding="utf-8"))
              for path in (out / "figures").glob("*.svg")}
    assert titles["diaspora-shares"][0] == "The diaspora from Kyrgyzstan in each host country"
    assert "Projections of the diaspora from Kyrgyzstan per host, with their ranges" in titles["projection-fans"]
    assert not any(re.search(r"\bKazakhs\b", title) for found in titles.values() for title in found)


@pytest.mark.slow  # builds a report
def test_pdf_without_chromium_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty PATH: no browser to be found
    monkeypatch.delenv("DIASPORA_CHROMIUM", raising=False)
    if shutil.which("chromium"):
        pytest.skip("chromium still reachable")
    result = CliRunner().invoke(main, ["report", "--out", str(tmp_path / "r"), "--pdf"])
    assert result.exit_code == 2
    assert "Error: --pdf needs Chromium, which was not found on PATH" in result.output
