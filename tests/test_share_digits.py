"""Shares outside the demographic model carry the digits their inputs justify (issue 10, item 4).

The repatriation, education, cross-source and birthplace tables write a ``significant_digits`` column the
way the demography table does (``analysis.precision``; Taylor 1997, sections 2.8 and 3.3): a stated
percentage keeps the digits it was written with, a share of counts the fewer of its count's and of its sum's.
Real rows of the built-in case; the CLI hides the column (its numbers are already written with those digits),
CSV keeps it, and the report's sentences write the same digits as its tables.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from diaspora_observatory.analysis.crosscheck import population_vs_reference
from diaspora_observatory.analysis.definitions import birthplace_destinations, birthplace_summary
from diaspora_observatory.analysis.repatriation import education_comparison, repatriation_profile
from diaspora_observatory.cli import main
from diaspora_observatory.presentation.cells import cell_text
from diaspora_observatory.presentation.numbers import format_value
from diaspora_observatory.report.sections import build_sections

NBSP = "\xa0"


def texts(row: dict, column: str) -> tuple[str, str, str]:
    return tuple(cell_text(column, row[column], language, row) for language in ("en", "ru", "kk"))


def test_repatriation_shares_carry_the_digits_of_their_inputs(case):
    profile = repatriation_profile(case).set_index(["population", "category"])
    working_age = profile.loc[("kandas", "working_age")].to_dict()
    # The study's "59%" of working age: two digits as written, so never "59.0"
    assert working_age["significant_digits"] == "value=2; share_pct=2"
    assert texts(working_age, "share_pct") == ("59", "59", "59")
    pension = profile.loc[("kandas", "pension_age")].to_dict()
    assert (pension["significant_digits"], texts(pension, "share_pct")) == ("value=2; share_pct=2",
                                                                           ("9.9", "9,9", "9,9"))
    # 1,227 of the 11,602 emigrants of 2023 whose level is given: four digits each, three written (the ceiling)
    basic = profile.loc[("emigrants", "basic_secondary")].to_dict()
    assert (basic["significant_digits"], texts(basic, "share_pct")) == ("share_pct=3", ("10.6", "10,6", "10,6"))
    # A count alone declares no digits: people are whole numbers whatever their precision.
    assert profile.loc[("kandas", "all")]["significant_digits"] == ""


def test_education_shares_take_the_digits_of_their_profile_rows(case):
    rows = education_comparison(case).set_index("education")
    higher = rows.loc["higher"].to_dict()
    assert higher["significant_digits"] == "kandas_share_pct=2; emigrants_share_pct=3"
    assert (texts(higher, "kandas_share_pct"), texts(higher, "emigrants_share_pct")) == (
        ("17", "17", "17"), ("33.2", "33,2", "33,2"))
    # the kandas' other levels are not reported: no share, so no digits declared for it
    assert rows.loc["basic_secondary"]["significant_digits"] == "emigrants_share_pct=3"


def test_birthplace_shares_of_small_stocks_carry_the_digits_stated_to_the_person(case):
    destinations = birthplace_destinations(case).set_index("destination")
    # UN DESA states its stocks to the person (the schema's "rounding": 1): Liechtenstein's 10 people born in
    # Kazakhstan are two significant digits, not one, of 2,796,572: 0.000358% -> 0.00036
    liechtenstein = destinations.loc["LIE"].to_dict()
    assert liechtenstein["significant_digits"] == "share_of_world_pct=2; cumulative_share_pct=3"
    assert texts(liechtenstein, "share_of_world_pct") == ("0.00036", "0,00036", "0,00036")
    # 99.99975% to three digits is 100, not "100.0" (the rounding carried to the next power of ten)
    assert texts(liechtenstein, "cumulative_share_pct") == ("100", "100", "100")
    # Costa Rica's 7 (one digit, stated to the person), the Dominican Republic's 11 and Bolivia's 28 (two: the
    # zero of 0.0010 is one)
    assert texts(destinations.loc["CRI"].to_dict(), "share_of_world_pct") == ("0.0003", "0,0003", "0,0003")
    assert texts(destinations.loc["DOM"].to_dict(), "share_of_world_pct") == ("0.00039", "0,00039", "0,00039")
    assert texts(destinations.loc["BOL"].to_dict(), "share_of_world_pct") == ("0.0010", "0,0010", "0,0010")
    # Russia's 1,321,004 keeps the ceiling of three
    assert texts(destinations.loc["RUS"].to_dict(), "share_of_world_pct") == ("47.2", "47,2", "47,2")
    summary = birthplace_summary(case).iloc[0].to_dict()
    # 46,063 in the hosts (to the person) of 2,796,572 (to the tens, since Liechtenstein's 10 is): three
    assert (summary["significant_digits"], texts(summary, "in_hosts_share_pct")) == (
        "world_total=7; in_hosts=5; in_hosts_share_pct=3", ("1.65", "1,65", "1,65"))
    # sums of counts stated to the person keep every digit
    assert texts(summary, "world_total") == ("2,796,572", f"2{NBSP}796{NBSP}572", f"2{NBSP}796{NBSP}572")


def _without_rounding(case_copy, resource: str, field: str) -> None:
    import json

    path = case_copy / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    for entry in package["resources"]:
        if entry["name"] == resource:
            for spec in entry["schema"]["fields"]:
                if spec["name"] == field:
                    del spec["rounding"]
    path.write_text(json.dumps(package, indent=1, ensure_ascii=False), encoding="utf-8")


def test_without_a_rounding_declaration_trailing_zeros_are_rounding(case_copy):
    """The same file read with the convention alone: 10 is one digit (rounded to the tens), and every sum
    over it is known only to the tens (2,796,572 written 2,796,570)."""
    from diaspora_observatory import load_case

    _without_rounding(case_copy, "birthplace_stock", "stock")
    copy = load_case(case_copy)
    liechtenstein = birthplace_destinations(copy).set_index("destination").loc["LIE"].to_dict()
    assert (liechtenstein["significant_digits"], texts(liechtenstein, "share_of_world_pct")) == (
        "share_of_world_pct=1; cumulative_share_pct=3", ("0.0004", "0,0004", "0,0004"))
    summary = birthplace_summary(copy).iloc[0].to_dict()
    assert texts(summary, "world_total") == ("2,796,570", f"2{NBSP}796{NBSP}570", f"2{NBSP}796{NBSP}570")


@pytest.mark.parametrize("rounding", [5, 0, "1", True])
def test_a_rounding_that_is_not_a_power_of_ten_is_a_data_error(case_copy, rounding):
    import json

    from diaspora_observatory import load_case

    path = case_copy / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    stock = next(entry for entry in package["resources"] if entry["name"] == "birthplace_stock")
    next(spec for spec in stock["schema"]["fields"] if spec["name"] == "stock")["rounding"] = rounding
    path.write_text(json.dumps(package, indent=1, ensure_ascii=False), encoding="utf-8")
    messages = [issue.message for issue in load_case(case_copy).errors if issue.field == "stock"]
    assert messages == [f"rounding {rounding!r} must be the unit a number field's values are stated to, a power "
                        "of ten such as 1 (to the person) or 1000 (to thousands)"]


def test_cross_source_differences_carry_the_digits_of_their_counts(case):
    rows = population_vs_reference(case).set_index("country")
    # Turkmenistan's 6,516,100 (to the hundreds) against the World Bank's 7,494,498: a difference of
    # -978,398 known to the hundreds, four digits, all written (a count), three in its percentage
    turkmenistan = rows.loc["TKM"].to_dict()
    assert turkmenistan["significant_digits"] == "difference=4; difference_pct=3"
    assert texts(turkmenistan, "difference") == ("-978,400", f"-978{NBSP}400", f"-978{NBSP}400")
    assert texts(turkmenistan, "difference_pct") == ("-13.1", "-13,1", "-13,1")
    # Tajikistan's 10,143,540 is known to the tens: -447,387 is -447,390; Uzbekistan's 37,134,229 and the World
    # Bank's counts are to the person, so 772,370 keeps its six digits
    assert texts(rows.loc["TJK"].to_dict(), "difference")[0] == "-447,390"
    assert (rows.loc["UZB", "significant_digits"], texts(rows.loc["UZB"].to_dict(), "difference")[0]) == (
        "difference=6; difference_pct=3", "772,370")


def test_a_stated_total_rounded_to_the_hundred_thousands_leaves_one_digit_in_the_difference(case_copy):
    """The same rule where it bites: a case total written 6,500,000 (two digits) differs from 7,494,498 by
    -994,498, known to the hundred thousands: one digit, so -13% and not -13.3%."""
    from diaspora_observatory import load_case

    path = case_copy / "data" / "population.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("TKM,2024,total,6516100,", "TKM,2024,total,6500000,"),
                    encoding="utf-8")
    row = population_vs_reference(load_case(case_copy)).set_index("country").loc["TKM"].to_dict()
    assert (row["significant_digits"], texts(row, "difference_pct")) == ("difference=1; difference_pct=1",
                                                                         ("-13", "-13", "-13"))
    assert texts(row, "difference") == ("-1,000,000", f"-1{NBSP}000{NBSP}000", f"-1{NBSP}000{NBSP}000")
    # diaspora check writes the same difference in its warning (case/places.py, the rule both layers use)
    warning = [w.message for w in load_case(case_copy).warnings if w.check == "cross_source_agreement"]
    assert warning == ["country=TKM, year=2024: 6,500,000 (wb-2024) differs from reference_population's 7,494,498 "
                       "(wb-wdi-population) by -1,000,000 (-13.3%), more than the tolerance of 5%"]


def test_the_check_keeps_every_digit_when_both_counts_declare_they_are_to_the_person(case_copy):
    """A case total whose field declares ``"rounding": 1`` is known to the person, like the World Bank's: the
    warning's difference keeps all its digits, as the page's does."""
    import json

    from diaspora_observatory import load_case

    path = case_copy / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    population = next(r for r in package["resources"] if r["name"] == "population")
    next(f for f in population["schema"]["fields"] if f["name"] == "population")["rounding"] = 1
    path.write_text(json.dumps(package, indent=1), encoding="utf-8")
    case = load_case(case_copy)
    assert [w.message.split(" by ")[1] for w in case.warnings if w.check == "cross_source_agreement"] == [
        "-978,398 (-13.1%), more than the tolerance of 5%"]
    row = population_vs_reference(case).set_index("country").loc["TKM"].to_dict()
    assert texts(row, "difference")[0] == "-978,398"


def test_the_cli_writes_the_digits_and_hides_the_column_csv_keeps_it():
    runner = CliRunner()
    shown = runner.invoke(main, ["show", "birthplace-destinations", "--lang", "ru"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    liechtenstein = [[cell.strip() for cell in line.split("│")[1:-1]] for line in shown.output.splitlines()
                     if " LIE " in line]
    assert liechtenstein == [["44", "LIE", "Liechtenstein", "2024", "10", "0,00036", "100", "нет", "birthplace",
                              "undesa-ims-2024"]]
    assert "significant_digits" not in shown.output
    csv_text = runner.invoke(main, ["show", "education", "--format", "csv"]).output
    assert csv_text.splitlines()[0].endswith(",provenance,significant_digits")
    assert csv_text.splitlines()[1].endswith(",kandas_share_pct=2; emigrants_share_pct=3")


@pytest.mark.slow  # builds the report
def test_the_reports_sentences_write_the_shares_with_the_tables_digits(case):
    sections = {section.id: section for section in build_sections(case, "en")}
    text = " ".join(sections["demography"].paragraphs)
    # Tajikistan's 2,200 of 10,143,540 (two digits) and 867,200 over "5 to 7 million" (one digit in the estimate)
    assert ("As a share of the host's whole population the diaspora ranges from 0.022% in Tajikistan to 2.21% in "
            "Uzbekistan; of the groups other than the titular nation, from 0.16% to 5.26%.") in text
    assert "they are 12%–17% of the diaspora abroad" in text
    ru = {section.id: section for section in build_sections(case, "ru")}
    assert f"от 0,022{NBSP}% (Таджикистан) до 2,21{NBSP}% (Узбекистан)" in " ".join(ru["demography"].paragraphs)
    assert f"расхождение -13,1{NBSP}%" in " ".join(ru["cross-source"].paragraphs)


@pytest.mark.parametrize(("value", "digits", "written"), [
    (99.99975, 3, "100"), (0.0999, 2, "0.10"), (9.96, 2, "10"), (9.94, 2, "9.9")])
def test_a_rounding_that_reaches_the_next_power_of_ten_claims_no_extra_digit(value, digits, written):
    assert format_value(value, "percent", "en", digits=digits) == written


def test_derived_counts_are_written_to_the_place_of_their_inputs(case):
    """A count the study or the observatory computed is no more precise than its inputs (Taylor 3.3 for a
    sum or difference, 2.8 for a product): the CSV keeps the computed value, every reader sees it rounded."""
    from diaspora_observatory.analysis.demography import demography
    from diaspora_observatory.analysis.overview import key_figures

    rows = demography(case).set_index("country")
    # Kyrgyzstan's other groups: 6,747,323 - 4,995,877 - 35,000 (to the thousands) = 1,716,446 -> 1,716,000
    kyrgyzstan = rows.loc["KGZ"].to_dict()
    assert kyrgyzstan["other_population"] == 1716446
    assert texts(kyrgyzstan, "other_population") == ("1,716,000", f"1{NBSP}716{NBSP}000", f"1{NBSP}716{NBSP}000")
    # Stated counts stay as stated
    assert texts(kyrgyzstan, "total_population")[0] == "6,747,323"
    assert texts(kyrgyzstan, "diaspora_population")[0] == "35,000"
    # Turkmenistan's titular count is 0.85 (two digits) x 6,516,100: 5,538,685 -> 5,500,000; its other groups
    # are then known to the hundred thousands: 968,415 -> 1,000,000
    turkmenistan = rows.loc["TKM"].to_dict()
    assert turkmenistan["significant_digits"].startswith("titular_population=2; other_population=1; ")
    assert texts(turkmenistan, "titular_population")[0] == "5,500,000"
    assert texts(turkmenistan, "other_population")[0] == "1,000,000"
    # The 867,200 Kazakhs in the four hosts: a sum of counts known to the thousands (821,000; 35,000; 9,000)
    figures = key_figures(case).set_index("figure")
    total = figures.loc["regional_diaspora_total"].to_dict()
    assert (total["value"], total["significant_digits"]) == (867200.0, "value=3; low=3; high=3")
    assert texts(total, "value") == ("867,000", f"867{NBSP}000", f"867{NBSP}000")
    # The net migration sums counts stated to the person (the flows' schema: "rounding": 1): every digit
    net = figures.loc["net_migration_total"].to_dict()
    assert (net["significant_digits"], texts(net, "value")[0]) == ("", "450,810")


def test_a_projections_central_path_is_known_to_the_place_of_its_base_count(case):
    """The central path carries the stated count forward, so it is no more precise than that count: Kyrgyzstan's
    35,000 (to the thousands) projected a year on is 34,946.4, written 35,000; the scenario's low and high
    bounds, computed from the ends of the count's range (34,500 to 35,500), are written whole."""
    from diaspora_observatory.analysis.projections import projections

    table = projections(case)
    row = table[(table["country"] == "KGZ") & (table["scenario"] == "recent-migration")
                & (table["year"] == 2023)].iloc[0].to_dict()
    assert round(row["central"], 1) == 34946.4
    assert row["significant_digits"] == "central=2"
    assert texts(row, "central") == ("35,000", f"35{NBSP}000", f"35{NBSP}000")
    assert texts(row, "low")[0] == "33,768"
    # Uzbekistan's 821,000 (to the thousands): three digits, then as many as the path needs
    uzbekistan = table[(table["country"] == "UZB") & (table["scenario"] == "recent-migration")]
    assert set(uzbekistan["significant_digits"]) == {"central=3"}
