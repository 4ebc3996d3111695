"""Validation catches each kind of bad data in a broken copy of the package, with exact messages."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from casefiles import replace_in
from diaspora_observatory import load_case
from diaspora_observatory.cli import main
from diaspora_observatory.errors import CaseInvalid


def test_builtin_case_has_no_data_errors(case):
    assert case.errors == []


def only(case, check):
    found = [issue for issue in case.issues if issue.check == check]
    assert found, f"no {check} issue among {case.issues}"
    return found


def test_wrong_sum_is_reported_with_row_and_difference(case_copy: Path):
    replace_in(case_copy / "data" / "population.csv", "KGZ,2022,diaspora,35000", "KGZ,2022,diaspora,36000")
    [issue] = only(load_case(case_copy), "parts_sum_to_total")
    assert (issue.resource, issue.row, issue.field, issue.path) == ("population", 6, "population", "data/population.csv")
    assert issue.message == ("country=KGZ, year=2022: titular + diaspora + other = 6,748,323 but total is "
                             "6,747,323 (difference +1,000); correct the part or the total")


def test_unknown_country_code(case_copy: Path):
    replace_in(case_copy / "data" / "flows.csv", "TKM,2013,6,932", "TKX,2013,6,932")
    issues = load_case(case_copy).issues
    [issue] = [i for i in issues if i.check == "country_codes_known"]
    assert str(issue) == ("[country_codes_known] data/flows.csv row 57, field partner: 'TKX' is not an ISO 3166-1 "
                          "alpha-3 country code (such as KAZ or UZB)")
    # the same edit also leaves a one-year gap in TKM's series
    [gap] = [i for i in issues if i.check == "years_continuous" and "TKM" in i.message]
    assert gap.message == "partner=TKM: no row for 2013 between 2000 and 2023"


def test_missing_source(case_copy: Path):
    replace_in(case_copy / "data" / "institutions.csv", "370,exact,2024,,embassy-uz-2024", "370,exact,2024,,embassy-uz-2025")
    case = load_case(case_copy)
    [issue] = only(case, "sources_resolve")
    assert str(issue) == ("[sources_resolve] data/institutions.csv row 2, field source_id: source 'embassy-uz-2025' "
                          "is not in sources.csv; add it there or fix the id")


def test_non_numeric_count(case_copy: Path):
    replace_in(case_copy / "data" / "flows.csv", "UZB,2005,619,44648", "UZB,2005,619,44 648")
    [issue] = only(load_case(case_copy), "type")
    assert str(issue) == ("[type] data/flows.csv row 22, field immigration: '44 648' is not a whole number; "
                          "expected type integer")


def test_share_out_of_range_and_not_summing(case_copy: Path):
    replace_in(case_copy / "data" / "survey_results.csv", "home_language,share_pct,kazakh_only,23", "home_language,share_pct,kazakh_only,123")
    case = load_case(case_copy)
    assert [i.message for i in only(case, "shares_within_range")] == ["share 123.0 is outside 0-100"]
    assert [i.message for i in only(case, "shares_sum_to_100")] == ["item_id=home_language: shares add up to 200, not 100"]


def test_header_mismatch_names_missing_column(case_copy: Path):
    replace_in(case_copy / "data" / "periods.csv", "start_year,end_year", "start,end_year")
    [issue] = only(load_case(case_copy), "header")
    assert issue.message.startswith("header does not match the schema (missing start_year; unexpected start)")


def test_duplicate_primary_key(case_copy: Path):
    path = case_copy / "data" / "flows.csv"
    path.write_text(path.read_text(encoding="utf-8") + "UZB,2023,1,1,bns-2024a,\n", encoding="utf-8")
    [issue] = only(load_case(case_copy), "primary_key")
    assert issue.row == 98 and "already appears in row 94" in issue.message


def test_invalid_case_is_refused_by_analysis_commands(case_copy: Path):
    replace_in(case_copy / "data" / "population.csv", "UZB,2024,other,15605846", "UZB,2024,other,")
    with pytest.raises(CaseInvalid):
        load_case(case_copy).require_valid()
    result = CliRunner().invoke(main, ["show", "demography", "--case", str(case_copy)])
    assert result.exit_code == 2
    assert "Error: case 'kazakh-central-asia' has 1 data error(s), first: [required] data/population.csv row 21, " \
           "field population: value is missing; this field is required" in result.output
    assert "Traceback" not in result.output


def test_check_command_exits_nonzero_and_names_file_row_field(case_copy: Path):
    replace_in(case_copy / "data" / "flows.csv", "KGZ,2010,83,1501", "KGZ,2010,83,x")
    result = CliRunner().invoke(main, ["check", "--case", str(case_copy)])
    assert result.exit_code == 1
    assert "data/flows.csv row 43, field immigration: 'x' is not a whole number" in result.output


def test_nothing_is_written_to_the_case_by_checking(case_copy: Path):
    before = {p: p.read_bytes() for p in case_copy.rglob("*") if p.is_file()}
    load_case(case_copy)
    CliRunner().invoke(main, ["check", "--case", str(case_copy)])
    assert before == {p: p.read_bytes() for p in case_copy.rglob("*") if p.is_file()}
