"""Provenance sidecars, `diaspora import` into a case, and `diaspora case new` end to end with the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner
from sources_files import UNDESA_SHARED, WDI_SHARED, needs_shared, use_data_dir, write_csv
from sources_files import undesa_2024_workbook as undesa_2024_workbook_at

from diaspora_observatory.case.package import EMBEDDED_CASES, load_case
from diaspora_observatory.cli import main
from diaspora_observatory.importers.errors import ProvenanceMismatch
from diaspora_observatory.importers.provenance import SourceInfo, sha256_of, verified_path, write_sidecar

BUILTIN = EMBEDDED_CASES / "kazakh-central-asia"


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_sidecar_fields_and_checksum_refusal(tmp_path):
    original = write_csv(tmp_path / "raw.csv", [["a"], ["1"]])
    data = write_csv(tmp_path / "tidy.csv", [["a"], ["1"]])
    sidecar = write_sidecar(data, original, SourceInfo("Producer", "Producer (2024). Title.", "CC BY 4.0"),
                            importer="test")
    record = json.loads(sidecar.read_text(encoding="utf-8"))
    assert sidecar.name == "tidy.csv.provenance.json"
    assert record["original"] == {"file": "raw.csv", "sha256": sha256_of(original), "bytes": original.stat().st_size}
    assert {"imported_on", "producer", "citation", "licence", "sha256", "bytes"} <= set(record)
    assert str(tmp_path) not in sidecar.read_text(encoding="utf-8")
    assert verified_path(data) == data
    data.write_text("a\n2\n", encoding="utf-8")
    with pytest.raises(ProvenanceMismatch, match="tidy.csv changed since it was imported"):
        verified_path(data)


def test_builtin_imports_are_intact():
    for name in ("birthplace_stock.csv", "reference_population.csv"):
        assert verified_path(BUILTIN / "data" / name)


def test_import_to_file_writes_rows_aggregates_and_sidecars(tmp_path):
    undesa_2024_workbook = undesa_2024_workbook_at(tmp_path)
    out = tmp_path / "out" / "stock.csv"
    result = run("import", "undesa", undesa_2024_workbook, "--out", out, "--origin", "KAZ")
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").splitlines()[0] == "destination,origin,year,sex,stock,data_type"
    assert {p.name for p in out.parent.iterdir()} == {"stock.csv", "stock.csv.provenance.json",
                                                      "stock.aggregates.csv", "stock.aggregates.csv.provenance.json"}
    assert json.loads((out.parent / "stock.csv.provenance.json").read_text())["details"]["header_row"] == 11


def test_malformed_file_is_refused_and_nothing_changes(tmp_path, case_copy):
    before = {p.name: p.read_bytes() for p in (case_copy / "data").iterdir()}
    descriptor = (case_copy / "datapackage.json").read_bytes()
    bad = write_csv(tmp_path / "bad.csv", [["destination", "origin", "stock_2024"], ["UZ", "KZ", "many"]])
    result = CliRunner().invoke(main, ["import", "undesa", str(bad), "--case", str(case_copy)])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == ("Error: bad.csv, row 2, column C (stock_2024): 'many' is not a number; "
                                             "expected a count of people or '..' for missing")
    assert "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in (case_copy / "data").iterdir()} == before
    assert (case_copy / "datapackage.json").read_bytes() == descriptor


def test_import_into_case_and_refusal_of_another_original(tmp_path, case_copy):
    first = write_csv(tmp_path / "a.csv", [["destination", "origin", "stock_2024"], ["UZ", "KZ", "13013"]])
    result = run("import", "undesa", first, "--case", case_copy, "--resource", "birthplace_stock",
                 "--source-id", "undesa-ims-2024", "--replace")
    assert result.exit_code == 0, result.output
    case = load_case(case_copy)
    assert case.errors == []
    assert case.table("birthplace_stock")[["destination", "stock", "definition"]].values.tolist() == [
        ["UZB", 13013, "birthplace"]]
    second = write_csv(tmp_path / "a2.csv", [["destination", "origin", "stock_2024"], ["UZ", "KZ", "1"]])
    result = CliRunner().invoke(main, ["import", "undesa", str(second), "--case", str(case_copy),
                                       "--resource", "birthplace_stock"])
    assert result.exit_code == 2
    assert "Error: a2.csv is not the file birthplace_stock.csv was imported from" in result.output
    assert "--replace" in result.output


@needs_shared(UNDESA_SHARED)
@needs_shared(WDI_SHARED)
def test_builtin_resources_rebuild_from_the_shared_files(case_copy):
    """The committed imports are reproducible: the documented commands give the same bytes."""
    for name in ("birthplace_stock.csv", "reference_population.csv"):
        (case_copy / "data" / name).unlink()
    assert run("import", "undesa", UNDESA_SHARED, "--case", case_copy, "--resource", "birthplace_stock",
               "--source-id", "undesa-ims-2024", "--origin", "KAZ").exit_code == 0
    assert run("import", "wdi", WDI_SHARED, "--case", case_copy, "--resource", "reference_population",
               "--source-id", "wb-wdi-population", "--country", "KAZ,KGZ,TJK,TKM,UZB",
               "--years", "2022-2024").exit_code == 0
    for name in ("birthplace_stock.csv", "reference_population.csv", "sources.csv"):
        assert (case_copy / "data" / name).read_bytes() == (BUILTIN / "data" / name).read_bytes(), name
    assert json.loads((case_copy / "datapackage.json").read_text()) == json.loads(
        (BUILTIN / "datapackage.json").read_text())


@pytest.mark.slow  # builds a report of a new case
@needs_shared(UNDESA_SHARED)
@needs_shared(WDI_SHARED)
def test_case_new_check_and_report(monkeypatch, tmp_path):
    data_dir = use_data_dir(tmp_path, monkeypatch)
    result = run("case", "new", "uzbek-diaspora", "--origin", "UZB", "--from-undesa", UNDESA_SHARED,
                 "--population", WDI_SHARED)
    assert result.exit_code == 0, result.output
    folder = data_dir / "cases" / "uzbek-diaspora"
    case = load_case("uzbek-diaspora")
    assert case.errors == []
    assert case.hosts == ["RUS", "KAZ", "UKR", "TUR", "TKM"]
    assert case.diaspora["definition"] == "birthplace"
    population = case.table("population").set_index(["country", "group"])
    assert int(population.loc[("KAZ", "diaspora"), "population"]) == 744161
    assert int(population.loc[("KAZ", "total"), "population"]) == 20592571
    assert verified_path(folder / "data" / "birthplace_stock.csv")
    check = run("check", "--case", "uzbek-diaspora")
    assert check.exit_code == 0 and "Data: no errors" in check.output
    out = tmp_path / "report"
    report = run("report", "--case", "uzbek-diaspora", "--out", out)
    assert report.exit_code == 0, report.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "The diaspora of Uzbekistan" in html and "744,161" in html
    assert "Migration flows" not in html  # no flow data: the section is left out


@pytest.mark.slow  # a real CLI process
def test_case_new_from_a_workbook_with_hosts_in_a_real_process(monkeypatch, tmp_path):
    data_dir = use_data_dir(tmp_path, monkeypatch)
    undesa_2024_workbook = undesa_2024_workbook_at(tmp_path)
    population = write_csv(tmp_path / "pop.csv", [["Country Name", "Country Code", "Year", "Value"],
                                                  ["Uzbekistan", "UZB", "2024", "36361859"],
                                                  ["Kyrgyz Republic", "KGZ", "2024", "7221868"],
                                                  ["Kazakhstan", "KAZ", "2024", "20592571"]])
    env = {**os.environ, "DIASPORA_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "diaspora_observatory.cli"]
    created = subprocess.run([*command, "case", "new", "kz-born", "--origin", "KAZ", "--hosts", "UZB,KGZ",
                              "--from-undesa", str(undesa_2024_workbook), "--population", str(population)],
                             env=env, capture_output=True, text=True, timeout=120)
    assert created.returncode == 0, created.stderr
    case = load_case("kz-born")
    assert case.errors == []
    estimates = case.table("diaspora_estimates").set_index("estimate_id")
    assert int(estimates.loc["uzb-1990-undesa", "low"]) == 40000
    assert int(estimates.loc["world-2024-undesa", "low"]) == 13013 + 12333
    from diaspora_observatory.analysis.definitions import definitions
    counts = definitions(case).set_index(["country", "definition"])["count"]
    # UN DESA counted citizens in Kyrgyzstan (data type C): shown as citizens, not as people born in Kazakhstan
    assert counts[("KGZ", "citizenship")] == 12333 and counts.isna()[("KGZ", "birthplace")]
    assert counts[("UZB", "birthplace")] == 13013 and counts.isna()[("UZB", "citizenship")]
    again = subprocess.run([*command, "case", "new", "kz-born", "--origin", "KAZ", "--hosts", "UZB"], env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 2
    assert again.stderr.startswith("Error: a case named 'kz-born' already exists at ")
    assert "Traceback" not in again.stderr
    report = subprocess.run([*command, "report", "--case", "kz-born", "--out", str(tmp_path / "r")], env=env,
                            capture_output=True, text=True, timeout=300)
    assert report.returncode == 0, report.stderr


def test_case_new_errors(monkeypatch, tmp_path):
    data_dir = use_data_dir(tmp_path, monkeypatch)
    result = CliRunner().invoke(main, ["case", "new", "Bad Name", "--origin", "KAZ", "--hosts", "UZB"])
    assert result.exit_code == 2 and "Error: 'Bad Name' is not a usable case name" in result.output
    result = CliRunner().invoke(main, ["case", "new", "nohosts", "--origin", "KAZ", "--empty"])
    assert result.exit_code == 2 and "Error: no host countries" in result.output
    stock = write_csv(tmp_path / "s.csv", [["destination", "origin", "stock_2024"], ["UZ", "KZ", "5"]])
    result = CliRunner().invoke(main, ["case", "new", "tajik", "--origin", "TJK", "--from-undesa", str(stock)])
    assert result.exit_code == 2
    assert "Error: s.csv has no people born in TJK (Tajikistan)" in result.output
    assert not (data_dir / "cases" / "tajik").exists()


def test_case_new_with_hosts_only_passes_check_show_and_report(tmp_path, monkeypatch):
    """A case with no data files yet: every resource exists (empty), and nothing crashes on it."""
    data_dir = use_data_dir(tmp_path, monkeypatch)
    assert run("case", "new", "minimal", "--origin", "KGZ", "--hosts", "KAZ,RUS", "--empty").exit_code == 0
    case = load_case("minimal")
    assert case.errors == [] and case.hosts == ["KAZ", "RUS"]
    assert set(load_case().resource_names) - {"birthplace_stock", "reference_population"} <= set(case.resource_names)
    from diaspora_observatory.tables import build_table, table_names
    for name in table_names():
        build_table(case, name)
    assert build_table(case, "flow-summary").empty
    report = run("report", "--case", "minimal", "--out", tmp_path / "r")
    assert report.exit_code == 0, report.output
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "Demographic model" not in html and "Migration flows" not in html
    shutil.rmtree(data_dir / "cases" / "minimal")


def test_import_and_case_help_have_examples():
    for args in (["import", "--help"], ["case", "--help"], ["case", "new", "--help"]):
        assert "Example" in run(*args).output


def test_generic_and_owid_imports_into_a_case(tmp_path, case_copy):
    census = write_csv(tmp_path / "census.csv", [["Code", "Year", "Total"], ["KGZ", "2022", "6 747 323"]])
    result = run("import", "generic", census, "--case", case_copy, "--kind", "population", "--map", "country=Code",
                 "--map", "year=Year", "--map", "population=Total", "--resource",
                 "census_population", "--source-id", "census-kg")
    assert result.exit_code == 0, result.output
    owid = write_csv(tmp_path / "owid.csv", [["Entity", "Code", "Year", "Population"],
                                             ["Kyrgyzstan", "KGZ", "2022", "6975220"], ["World", "OWID_WRL", "2022",
                                                                                        "7950000000"]])
    result = run("import", "owid", owid, "--case", case_copy, "--resource", "owid_population")
    assert result.exit_code == 0, result.output
    case = load_case(case_copy)
    assert case.errors == []
    assert case.table("census_population").values.tolist() == [["KGZ", 2022, 6747323, "census-kg", None]]
    assert case.table("owid_population")[["country", "population", "source_id"]].values.tolist() == [
        ["KGZ", 6975220, "owid-population"]]
    assert "owid-population" in case.sources and case.sources["census-kg"]["author"] == "not stated"
