"""``diaspora import generic --kind flows``: a national table of arrivals and departures by partner and year
into the case's flows resource, which the flows analysis reads (issue 16, item 3)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from diaspora_observatory import load_case
from diaspora_observatory.cli import main

MAP = ["--map", "partner=Partner", "--map", "year=Year", "--map", "immigration=Arrived", "--map", "emigration=Left"]


def new_case(tmp_path, monkeypatch) -> CliRunner:
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    assert runner.invoke(main, ["case", "new", "kyrgyz", "--origin", "KGZ", "--host-count", "2"]).exit_code == 0
    return runner


@pytest.mark.slow  # builds its own app
def test_a_flows_table_imports_by_names_and_codes_and_runs_the_analysis(tmp_path, monkeypatch):
    runner = new_case(tmp_path, monkeypatch)
    table = tmp_path / "flows.csv"
    table.write_text("Partner,Year,Arrived,Left\nKazakhstan,2022,120,310\nRUS,2022,40,2100\n"
                     "Kazakhstan,2023,95,280\nRUS,2023,38,1990\nCIS,2023,133,2270\n", encoding="utf-8")
    mapping = tmp_path / "flows.yaml"
    mapping.write_text("kind: flows\ncolumns: {partner: Partner, year: Year, immigration: Arrived, emigration: Left}\n"
                       "aggregates: [CIS]\ncitation: National Statistical Committee (2024). External migration.\n",
                       encoding="utf-8")
    result = runner.invoke(main, ["import", "generic", str(table), "--mapping", str(mapping), "--case", "kyrgyz"])
    assert result.exit_code == 0, result.output
    assert "flows.csv: 5 rows read, 4 stored, 1 skipped" in result.output
    flows = load_case("kyrgyz").table("flows").set_index(["partner", "year"])
    assert flows.loc[("KAZ", 2022), ["immigration", "emigration"]].tolist() == [120, 310]
    assert flows.loc[("RUS", 2023), ["immigration", "emigration"]].tolist() == [38, 1990]
    # Two years are too few for the trend and change tests: the summary says so instead of failing.
    summary = runner.invoke(main, ["show", "flow-summary", "--case", "kyrgyz", "--format", "json"])
    assert summary.exit_code == 0, summary.output
    rows = {row["partner"]: row for row in json.loads(summary.output)}
    assert (rows["KAZ"]["net_total"], rows["KAZ"]["net_trend"], rows["KAZ"]["net_trend_p_value"]) == (
        120 + 95 - 310 - 280, "too short", None)

    from starlette.testclient import TestClient

    from diaspora_observatory.web.app import create_app

    page = TestClient(create_app("kyrgyz"), raise_server_exceptions=False).get("/flows?lang=en")
    assert page.status_code == 200
    assert "All partners, 2022–2023: too few years for a trend or change test (they need at least 3)." in page.text


def test_a_count_that_is_not_a_whole_person_is_refused_naming_row_and_column(tmp_path, monkeypatch):
    runner = new_case(tmp_path, monkeypatch)
    table = tmp_path / "flows.csv"
    table.write_text("Partner,Year,Arrived,Left\nKAZ,2022,120.5,310\n", encoding="utf-8")
    result = runner.invoke(main, ["import", "generic", str(table), "--kind", "flows", "--case", "kyrgyz", *MAP])
    assert result.exit_code != 0
    assert "row 2" in result.output and "Arrived" in result.output
    assert not load_case("kyrgyz").has("flows")


def test_a_mapping_without_both_directions_is_refused(tmp_path, monkeypatch):
    runner = new_case(tmp_path, monkeypatch)
    table = tmp_path / "flows.csv"
    table.write_text("Partner,Year,Arrived\nKAZ,2022,120\n", encoding="utf-8")
    result = runner.invoke(main, ["import", "generic", str(table), "--kind", "flows", "--case", "kyrgyz",
                                  "--map", "partner=Partner", "--map", "year=Year", "--map", "immigration=Arrived"])
    assert result.exit_code != 0
    assert "the mapping gives no column for emigration" in result.output


@pytest.mark.slow  # builds its own app
def test_mirror_statistics_set_each_flow_beside_the_partners_own_count(tmp_path, monkeypatch):
    """Issue 16, item 4: where the origin and a partner both count a flow, both side by side."""
    runner = new_case(tmp_path, monkeypatch)
    own = tmp_path / "flows.csv"
    own.write_text("Partner,Year,Arrived,Left\nKAZ,2022,175,709\nKAZ,2023,232,1022\n", encoding="utf-8")
    assert runner.invoke(main, ["import", "generic", str(own), "--kind", "flows", "--case", "kyrgyz",
                                "--source-id", "nsc", *MAP]).exit_code == 0
    # Kazakhstan's own count of the same moves (made-up figures in the generic layout: no real partner
    # table is at hand here). 2021 has no counterpart in Kyrgyzstan's table; UZB is a third country.
    theirs = tmp_path / "kaz.csv"
    theirs.write_text("Reporter,Partner,Year,Out,In\nKazakhstan,Kyrgyzstan,2021,1500,600\n"
                      "Kazakhstan,Kyrgyzstan,2022,1400,510\nKazakhstan,Kyrgyzstan,2023,1300,470\n"
                      "Kazakhstan,Uzbekistan,2023,9000,100\n", encoding="utf-8")
    imported = runner.invoke(main, [
        "import", "generic", str(theirs), "--kind", "mirror_flows", "--case", "kyrgyz", "--source-id", "bns",
        "--map", "reporter=Reporter", "--map", "partner=Partner", "--map", "year=Year", "--map", "emigration=Out",
        "--map", "immigration=In"])
    assert imported.exit_code == 0, imported.output
    # the report counts the rows the comparison leaves out, and says why (issue 16: it did not)
    assert imported.output.splitlines()[-3:] == [
        "Mirror statistics: 2 of 4 rows compared with KGZ's own flows; 2 left out (stored, not compared):",
        "  left out 1: the partner is a third country, not KGZ (the case's origin) (KAZ → UZB 2023)",
        "  left out 1: the case's flows have no count for that partner and year (KAZ → KGZ 2021)"]
    shown = runner.invoke(main, ["show", "mirror-flows", "--case", "kyrgyz", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    rows = [(r["direction"], r["year"], r["origin_count"], r["partner_count"], r["difference"])
            for r in json.loads(shown.output)]
    assert rows == [("KAZ → KGZ", 2022, 175, 1400, 1225), ("KAZ → KGZ", 2023, 232, 1300, 1068),
                    ("KGZ → KAZ", 2022, 709, 510, -199), ("KGZ → KAZ", 2023, 1022, 470, -552)]
    # Issue 10: the difference is known to the coarser place of its two counts (Kazakhstan's 1,400 and 510 are
    # rounded by the trailing-zeros convention: the generic import declares no rounding), its percentage to
    # the fewer digits of the difference and of the origin's count
    from diaspora_observatory.presentation.cells import cell_text

    records = json.loads(shown.output)
    assert [r["significant_digits"] for r in records] == ["difference=2; difference_pct=2"] * 4
    assert [(cell_text("difference", r["difference"], "ru", r), cell_text("difference_pct", r["difference_pct"], "en", r))
            for r in records] == [("1\xa0200", "700"), ("1\xa0100", "460"), ("-200", "-28"), ("-550", "-54")]
    assert json.loads(shown.output)[2]["provenance"] == (
        "reported: origin_count, partner_count; derived: difference, difference_pct")
    schema = json.loads(runner.invoke(main, ["show", "mirror-flows", "--case", "kyrgyz", "--schema"]).output)
    assert {field["name"]: field.get("derived", {}).get("formula") for field in schema["fields"]}["difference"] == (
        "partner_count - origin_count")

    from starlette.testclient import TestClient

    from diaspora_observatory.web.app import create_app

    page = TestClient(create_app("kyrgyz", extensions=False), raise_server_exceptions=False).get("/flows?lang=ru")
    assert page.status_code == 200
    assert '<h2 id="mirror-flows-heading">Зеркальная статистика</h2>' in page.text
    assert "KGZ → KAZ" in page.text


@pytest.mark.slow  # builds its own app
def test_the_built_in_case_has_no_mirror_block():
    from starlette.testclient import TestClient

    from diaspora_observatory.web.app import create_app

    assert "mirror-flows" not in TestClient(create_app(extensions=False)).get("/flows").text
