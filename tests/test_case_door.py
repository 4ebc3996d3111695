"""The case is the only door to a data package: built-in cases are read-only, recorded checksums and check
parameters are verified, the validator refuses what Table Schema refuses, and imports refuse impossible values.

Each test reproduces a defect an audit found (issue 10 item 6, issue 12 item 4) on a copy of the built-in case.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from casefiles import replace_in
from diaspora_observatory import load_case
from diaspora_observatory.case.package import EMBEDDED_CASES
from diaspora_observatory.case.transaction import JOURNAL, TEMP_SUFFIX, updating
from diaspora_observatory.cli import main

BUILTIN = EMBEDDED_CASES / "kazakh-central-asia"


def run(*args) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write_csv(path: Path, rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def census(tmp_path: Path, *rows: list) -> Path:
    return write_csv(tmp_path / "census.csv", [["Code", "Year", "Total"], *rows])


CENSUS_MAP = ["--kind", "population", "--map", "country=Code", "--map", "year=Year", "--map", "population=Total"]


def issues_of(case, check: str) -> list[str]:
    return [str(issue) for issue in case.issues if issue.check == check]


# --- built-in cases are read-only -------------------------------------------------------------------------------

def test_import_into_the_builtin_case_is_refused_with_a_hint(tmp_path, monkeypatch):
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(tmp_path / "user"))
    before = snapshot(BUILTIN)
    result = run("import", "generic", census(tmp_path, ["KGZ", "2022", "6747323"]), "--case", "kazakh-central-asia",
                 *CENSUS_MAP)
    assert result.exit_code == 2
    assert result.output.splitlines()[-2:] == [
        f"Error: kazakh-central-asia is a built-in case and is read-only (it ships with the observatory at {BUILTIN})",
        "Hint: make your own copy with `diaspora case copy kazakh-central-asia my-kazakh-central-asia` (it goes to "
        f"{tmp_path / 'user' / 'cases'}), then import into it with --case my-kazakh-central-asia"]
    # by its folder too: the path is the same built-in case
    assert run("import", "generic", tmp_path / "census.csv", "--case", BUILTIN, *CENSUS_MAP).exit_code == 2
    assert snapshot(BUILTIN) == before


def test_the_hinted_copy_takes_the_import(tmp_path, monkeypatch):
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(tmp_path / "user"))
    copied = run("case", "copy", "kazakh-central-asia", "my-kazakh-central-asia")
    assert copied.exit_code == 0, copied.output
    folder = tmp_path / "user" / "cases" / "my-kazakh-central-asia"
    assert copied.output.splitlines()[0] == f"Copied case kazakh-central-asia to {folder}"
    stored = run("import", "generic", census(tmp_path, ["KGZ", "2022", "6747323"]), "--case", "my-kazakh-central-asia",
                 "--resource", "census_population", "--source-id", "census-kg", *CENSUS_MAP)
    assert stored.exit_code == 0, stored.output
    case = load_case("my-kazakh-central-asia")
    assert case.name == "my-kazakh-central-asia" and case.errors == []
    assert case.table("census_population").values.tolist() == [["KGZ", 2022, 6747323, "census-kg", None]]
    assert "census_population" not in load_case().resource_names


def test_resource_names_stay_inside_the_case(tmp_path, case_copy):
    before = snapshot(case_copy.parent)
    result = run("import", "generic", census(tmp_path, ["KGZ", "2022", "5"]), "--case", case_copy,
                 "--resource", "../../x", *CENSUS_MAP)
    assert result.exit_code == 2
    assert result.output.splitlines()[-2:] == [
        "Error: census.csv: --resource '../../x' is not a usable resource name",
        "Hint: use lower-case letters, digits and '_' or '-', such as census_population; the resource is stored as "
        "data/NAME.csv inside the case"]
    after = snapshot(case_copy.parent)
    assert {k: v for k, v in after.items() if k != "census.csv"} == {k: v for k, v in before.items()
                                                                       if k != "census.csv"}
    assert not (tmp_path.parent / "x.csv").exists()


def test_a_descriptor_path_outside_the_case_is_a_data_error(case_copy):
    replace_in(case_copy / "datapackage.json", '"path": "data/periods.csv"', '"path": "../../etc/passwd"')
    case = load_case(case_copy)
    assert issues_of(case, "descriptor") == [
        "[descriptor] datapackage.json, field path: path '../../etc/passwd' must be a relative path inside the case "
        "folder, such as data/periods.csv"]


# --- recorded checksums ------------------------------------------------------------------------------------------

def test_a_changed_byte_in_an_imported_file_is_an_error_naming_both_checksums(case_copy):
    from diaspora_observatory.case.provenance import sha256_of

    path = case_copy / "data" / "birthplace_stock.csv"
    sidecar = json.loads((case_copy / "data" / "birthplace_stock.csv.provenance.json").read_text(encoding="utf-8"))
    replace_in(path, "UZB,KAZ,2024,both,13013", "UZB,KAZ,2024,both,13014")
    found = sha256_of(path)
    result = run("check", "--case", case_copy)
    assert result.exit_code == 1
    assert (f"  [checksum] data/birthplace_stock.csv: the file changed after it was imported on "
            f"{sidecar['imported_on']}: its SHA-256 is {found}, the provenance sidecar birthplace_stock.csv.provenance.json "
            f"records {sidecar['sha256']}; re-import it from undesa-ims-2024-bilateral-iso2.csv with `diaspora import … --resource "
            "birthplace_stock --replace`, or restore the file as imported") in result.output.splitlines()


def test_a_changed_file_whose_sidecar_was_deleted_is_still_found(case_copy):
    """The resource entry records the file's hash too (Data Resource ``hash``, which frictionless-py checks)."""
    from diaspora_observatory.case.provenance import sha256_of

    (case_copy / "data" / "reference_population.csv.provenance.json").unlink()
    replace_in(case_copy / "data" / "reference_population.csv", "KGZ,2022,", "KGZ,2021,")
    declared = next(r for r in json.loads((case_copy / "datapackage.json").read_text(encoding="utf-8"))["resources"]
                    if r["name"] == "reference_population")["hash"]
    assert issues_of(load_case(case_copy), "checksum") == [
        f"[checksum] data/reference_population.csv: the file changed after it was written: its SHA-256 is "
        f"{sha256_of(case_copy / 'data' / 'reference_population.csv')}, datapackage.json records "
        f"{declared.removeprefix('sha256:')}; re-import it with `diaspora import … --resource reference_population "
        "--replace`, or restore the file"]


def test_the_builtin_imports_match_their_sidecars(case):
    assert issues_of(case, "checksum") == []


# --- check parameters --------------------------------------------------------------------------------------------

def test_a_misspelt_check_parameter_is_a_data_error_not_a_traceback(case_copy):
    replace_in(case_copy / "datapackage.json", '"check": "range_ordered",\n   "resource": "periods",\n   "low_field"',
               '"check": "range_ordered",\n   "resource": "periods",\n   "low_feild"')
    result = run("check", "--case", case_copy)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert ("  [check_parameters] datapackage.json, field low_feild: check 10 (range_ordered): unknown parameter "
            "'low_feild' (did you mean 'low_field'?); its parameters are resource, low_field, high_field"
            ) in result.output.splitlines()
    assert ("  [check_parameters] datapackage.json, field low_field: check 10 (range_ordered): parameter 'low_field' "
            "is missing") in result.output.splitlines()


@pytest.mark.parametrize(("old", "new", "message"), [
    ('"tolerance_pct": 5', '"tolerance_pct": "5"',
     "[check_parameters] datapackage.json, field tolerance_pct: check 11 (cross_source_agreement): tolerance_pct "
     "must be a number of zero or more, not '5'"),
    ('"keys": [\n    "partner"\n   ],\n   "year_field": "year"', '"keys": "partner",\n   "year_field": "year"',
     "[check_parameters] datapackage.json, field keys: check 8 (years_continuous): keys must be a list of field "
     "names, not 'partner'"),
    ('"year_field": "year"', '"year_field": "yaer"',
     "[check_parameters] datapackage.json, field year_field: check 8 (years_continuous): flows has no field 'yaer' "
     "(did you mean 'year'?)"),
    ('"year_field": "year"', '"year_field": "partner"',
     "[check_parameters] datapackage.json, field year_field: check 8 (years_continuous): field 'partner' of flows "
     "holds string values; this check needs whole numbers"),
    ('"check": "years_continuous"', '"check": "years_continous"',
     "[unknown_check] datapackage.json, field checks: no check named 'years_continous' (did you mean "
     "'years_continuous'?); known: country_codes_known, cross_source_agreement, parts_sum_to_total, range_ordered, "
     "shares_at_most_100, shares_sum_to_100, shares_within_range, sources_resolve, years_continuous"),
    ('"reference": "reference_population"', '"reference": "reference_populaton"',
     "[check_parameters] datapackage.json, field reference: check 11 (cross_source_agreement): check refers to a "
     "resource 'reference_populaton' the package lacks"),
    ('"unit": [\n     "percent"\n    ]\n   }\n  },\n  {\n   "check": "shares_within_range"',
     '"unit": "percent"\n   }\n  },\n  {\n   "check": "shares_within_range"',
     "[check_parameters] datapackage.json, field only: check 3 (shares_within_range): only must map fields to lists "
     "of values, such as {\"unit\": [\"percent\"]}, not {'unit': 'percent'}"),
])
def test_bad_check_parameters_are_named(case_copy, old, new, message):
    replace_in(case_copy / "datapackage.json", old, new)
    case = load_case(case_copy)
    assert [str(i) for i in case.errors if i.resource == "datapackage.json"] == [message]


def test_a_check_without_a_declared_schema_still_refuses_unknown_keys(case_copy, monkeypatch):
    from diaspora_observatory.case import checks

    def no_gaps(rows, paths, *, resource, limit=3):
        return iter(())

    monkeypatch.setitem(checks.CHECKS, "no_gaps", no_gaps)
    monkeypatch.setitem(checks.PARAMETERS, "no_gaps", checks._from_signature(no_gaps))
    replace_in(case_copy / "datapackage.json", '{\n   "check": "sources_resolve"\n  }',
               '{\n   "check": "sources_resolve"\n  },\n  {"check": "no_gaps", "resurce": "flows"}')
    assert [str(i) for i in load_case(case_copy).errors] == [
        "[check_parameters] datapackage.json, field resurce: check 14 (no_gaps): unknown parameter 'resurce' (did you "
        "mean 'resource'?); its parameters are resource, limit",
        "[check_parameters] datapackage.json, field resource: check 14 (no_gaps): parameter 'resource' is missing"]


# --- the validator is as strict as Table Schema -----------------------------------------------------------------

def test_a_duplicated_single_field_primary_key_is_an_error(case_copy):
    """schooling's key is one field (country) without a unique constraint: keys of one field were skipped."""
    path = case_copy / "data" / "schooling.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    assert issues_of(load_case(case_copy), "primary_key") == [
        f"[primary_key] data/schooling.csv row {len(lines) + 1}, field country: {{'country': "
        f"'{lines[1].split(',')[0]}'}} already appears in row 2"]


def test_nan_in_a_number_field_is_an_error(case_copy):
    replace_in(case_copy / "data" / "indicators.csv", "world,,2020,3.6,percent", "world,,2020,NaN,percent")
    assert issues_of(load_case(case_copy), "type") == [
        "[type] data/indicators.csv row 2, field value: 'NaN' is not a number; leave the cell empty for a missing "
        "value; expected type number"]


def test_yes_in_a_boolean_field_is_an_error(case_copy):
    replace_in(case_copy / "data" / "document_themes.csv", "law-migration,repatriation_kandas,true",
               "law-migration,repatriation_kandas,yes")
    assert issues_of(load_case(case_copy), "type") == [
        "[type] data/document_themes.csv row 2, field present: 'yes' is not true or false (write true or false); "
        "expected type boolean"]


def test_a_blank_row_and_an_underscored_count_are_errors(case_copy):
    replace_in(case_copy / "data" / "flows.csv", "UZB,2005,619,44648,bns-2024a,\n", "UZB,2005,619,44_648,bns-2024a,\n,,,,,\n")
    case = load_case(case_copy)
    assert issues_of(case, "type") == ["[type] data/flows.csv row 22, field immigration: '44_648' is not a whole "
                                       "number; expected type integer"]
    assert issues_of(case, "blank_row") == ["[blank_row] data/flows.csv row 23: row is blank; delete it"]


def test_an_unsupported_field_type_is_refused_not_ignored(case_copy):
    replace_in(case_copy / "datapackage.json", '"name": "start_year",\n      "type": "integer"',
               '"name": "start_year",\n      "type": "date"')
    case = load_case(case_copy)
    assert issues_of(case, "descriptor") == [
        "[descriptor] datapackage.json, field start_year: field type 'date' is not read by the observatory; use one "
        "of string, integer, number, boolean"]
    assert "periods" not in case.rows


# --- imports refuse impossible values before writing -------------------------------------------------------------

@pytest.mark.parametrize(("row", "message"), [
    (["UZB", "2022", "1e30"], "Error: census.csv: 1000000000000000019884624838656 is above the maximum 8200000000 "
                              "(field population, in the row for country=UZB, year=2022)"),
    (["TJK", "20220", "5"], "Error: census.csv: 20220 is above the maximum 2100 (field year, in the row for "
                            "country=TJK)"),
    (["TJK", "1066", "5"], "Error: census.csv: 1066 is below the minimum 1800 (field year, in the row for "
                           "country=TJK)"),
    (["KGZ", "2022", "1.5"], "Error: census.csv, row 2, column C (Total): '1.5' is not a whole number of people"),
])
def test_impossible_counts_and_years_are_refused_and_nothing_is_written(tmp_path, case_copy, row, message):
    before = snapshot(case_copy)
    result = run("import", "generic", census(tmp_path, row), "--case", case_copy, "--resource", "census", *CENSUS_MAP)
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[-2] == message
    assert snapshot(case_copy) == before


def test_two_rows_for_one_key_are_refused_by_their_key(tmp_path, case_copy):
    result = run("import", "generic", census(tmp_path, ["KGZ", "2022", "5"], ["KG", "2022", "6"]), "--case", case_copy,
                 "--resource", "census", *CENSUS_MAP)
    assert result.exit_code == 2
    assert result.output.splitlines()[-2] == "Error: census.csv, row 3: KGZ, 2022 appears again (first on row 2)"


def test_excel_true_is_not_one_person(tmp_path, case_copy):
    book = openpyxl.Workbook()
    book.active.append(["Code", "Year", "Total"])
    book.active.append(["KGZ", 2022, True])
    book.save(tmp_path / "census.xlsx")
    before = snapshot(case_copy)
    result = run("import", "generic", tmp_path / "census.xlsx", "--case", case_copy, *CENSUS_MAP)
    assert result.exit_code == 2
    assert result.output.splitlines()[-2] == ("Error: census.xlsx, sheet 'Sheet', row 2, column C (Total): True is not "
                                              "a number")
    assert snapshot(case_copy) == before


def test_the_case_writer_refuses_rows_that_break_the_schema(case_copy):
    from diaspora_observatory.case.writer import WriteRefused, store_resource
    from diaspora_observatory.importers.store import resource_entry

    entry = resource_entry("population", "census", "generic", "census.csv")
    before = snapshot(case_copy)
    with pytest.raises(WriteRefused) as refused:
        store_resource(case_copy, entry, "country,year,population,source_id,note\nKGZ,2022,True,x,\n")
    assert str(refused.value.issues[0]) == ("[type] data/census.csv row 2, field population: 'True' is not a whole "
                                            "number; expected type integer")
    assert snapshot(case_copy) == before


# --- one step: journal and recovery ------------------------------------------------------------------------------

def test_an_update_killed_after_its_commit_point_is_finished_on_load(case_copy):
    """The state a kill after the journal's rename leaves: the journal and the staged files, some renamed."""
    new_flows = (case_copy / "data" / "flows.csv").read_text(encoding="utf-8").replace("KGZ,2010,83,1501",
                                                                                      "KGZ,2010,84,1501")
    staged = case_copy / "data" / f".flows.csv.0001{TEMP_SUFFIX}"
    staged.write_text(new_flows, encoding="utf-8")
    descriptor = case_copy / f".datapackage.json.0002{TEMP_SUFFIX}"
    descriptor.write_bytes((case_copy / "datapackage.json").read_bytes())
    (case_copy / JOURNAL).write_text(json.dumps({"renames": [
        [f"data/.flows.csv.0001{TEMP_SUFFIX}", "data/flows.csv"],
        [f".datapackage.json.0002{TEMP_SUFFIX}", "datapackage.json"]]}), encoding="utf-8")
    descriptor.replace(case_copy / "datapackage.json")  # the kill came after this rename
    case = load_case(case_copy)
    assert case.errors == []
    assert [r["emigration"] for r in case.rows["flows"] if (r["partner"], r["year"]) == ("KGZ", 2010)] == [84]
    assert not (case_copy / JOURNAL).exists() and not list(case_copy.rglob(f"*{TEMP_SUFFIX}"))


def test_an_update_killed_before_its_commit_point_leaves_the_case_as_it_was(case_copy):
    before = snapshot(case_copy)
    (case_copy / "data" / f".flows.csv.0001{TEMP_SUFFIX}").write_text("partner,year\nhalf", encoding="utf-8")
    case = load_case(case_copy)
    assert case.errors == [] and snapshot(case_copy) == before


def test_a_failure_inside_an_update_writes_nothing(case_copy):
    before = snapshot(case_copy)
    with pytest.raises(RuntimeError), updating(case_copy) as update:
        update.put("data/flows.csv", "partner,year\n")
        raise RuntimeError("the import failed half-way")
    assert snapshot(case_copy) == before


def test_a_replacement_killed_between_its_renames_gets_the_old_case_back(tmp_path):
    """``case copy --force`` (and ``case new --force``) rename the old case aside, then the new one in;
    a kill between the two leaves only the aside copy, which the next command puts back."""
    from diaspora_observatory.case.package import copy_case
    from diaspora_observatory.errors import DiasporaError

    folder = copy_case("kazakh-central-asia", "mine", data_dir=tmp_path)
    folder.rename(folder.with_name(".mine.replaced"))
    with pytest.raises(DiasporaError, match="a case named 'mine' already exists"):
        copy_case("kazakh-central-asia", "mine", data_dir=tmp_path)
    assert load_case("mine", data_dir=tmp_path).errors == []
    assert copy_case("kazakh-central-asia", "mine", data_dir=tmp_path, force=True) == folder
    assert sorted(p.name for p in folder.parent.iterdir()) == ["mine"]
