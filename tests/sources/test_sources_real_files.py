"""Every real file in ../shared/data imports with the values the file holds (read back with openpyxl or csv
in the test), or is refused with a message saying what to do; the destination-and-origin workbooks, which
have no real file here, are built in their published layout (undesa_layouts.py)."""

from __future__ import annotations

import csv
import json
import shutil

import openpyxl
import pytest
from click.testing import CliRunner
from sources_files import SHARED, needs_shared, use_data_dir, write_csv
from undesa_layouts import destination_and_origin_workbook, sheet_rows

from diaspora_observatory.case.package import load_case
from diaspora_observatory.cli import main
from diaspora_observatory.importers.errors import AmbiguousValue, MalformedSource
from diaspora_observatory.importers.generic import Mapping, read_mapped
from diaspora_observatory.importers.owid import read_owid
from diaspora_observatory.importers.undesa import read_undesa
from diaspora_observatory.importers.wdi import read_wdi

WORKBOOKS = SHARED / "undesa-workbooks"
DESTINATION_2024 = WORKBOOKS / "undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx"
DESTINATION_2020 = WORKBOOKS / "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"
MATRIX_2019 = SHARED / "undesa-2019-matrix" / "UN_MigrantStockByOriginAndDestination_2019_clean.csv"
WDI_ZIP = SHARED / "wdi-download" / "Population.zip"
WDI_CSV = SHARED / "wdi-download" / "API_SP.POP.TOTL_DS2_en_csv_v2_246068.csv"
OWID_STOCK = SHARED / "owid" / "owid-migrant-stock-total.csv"
OWID_FLOWS = SHARED / "owid" / "owid-migration-flows-export.csv"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def sheet_row(path, sheet: str, code: int, code_column: str) -> tuple[int, tuple]:
    """(row number, cells) of the row whose location code is ``code`` in the real workbook."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        column = openpyxl.utils.column_index_from_string(code_column) - 1
        for number, cells in enumerate(book[sheet].iter_rows(values_only=True), start=1):
            if number > 11 and cells[column] == code:
                return number, cells
    finally:
        book.close()
    raise AssertionError(f"no row with code {code}")


def value(table, **where):
    rows = table
    for column, wanted in where.items():
        rows = rows[rows[column] == wanted]
    assert len(rows) == 1, rows
    return rows.iloc[0]


# --- UN DESA, by destination (real workbooks) -----------------------------------------------------------------

@needs_shared(DESTINATION_2024)
def test_2024_by_destination_table1_as_indicators():
    imported = read_undesa(DESTINATION_2024, destination_tables=True)
    number, cells = sheet_row(DESTINATION_2024, "Table 1", 398, "E")  # Kazakhstan, Location code in column E
    assert cells[1] == "Kazakhstan" and cells[3] == "B R"  # column D is "Data type" in 2024
    kazakhstan = imported.table[imported.table.country == "KAZ"]
    both = "International migrant stock at mid-year, both sexes combined"
    # Column M is 2024, both sexes; column U 2024, males (the blocks start at F, N and V).
    assert value(kazakhstan, year=2024, indicator=both).value == cells[12]
    assert value(kazakhstan, year=2024, indicator="International migrant stock at mid-year, males").value == cells[20]
    _, china = sheet_row(DESTINATION_2024, "Table 1", 156, "E")
    assert imported.details["data_type_of"]["CHN"] == china[3]
    assert imported.details["definition_of"]["CHN"] == "citizenship"
    assert imported.details["definition_of"]["KAZ"] == "birthplace"
    assert imported.details["data_type_meanings"]["B R"] == (
        "estimates derived from data on the foreign-born population; refugees and asylum seekers reported by "
        "UNHCR or UNRWA added to the estimates")
    world = imported.aggregates[(imported.aggregates.code == "900") & (imported.aggregates.year == 2024)
                                & (imported.aggregates.indicator == both)]
    assert world.value.tolist() == [304021813]
    assert imported.details["edition"] == "2024" and imported.details["header_row"] == 11
    assert imported.report.render().splitlines()[:3] == [
        "undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx: 6,888 values read, 5,568 stored, 1,320 skipped",
        "  skipped 48: missing in the file ('..' or empty)",
        "  skipped 1,272: region, group or total (M49 code 900 and above): kept apart as aggregates"]


@needs_shared(DESTINATION_2024)
def test_2024_by_destination_shares_and_refusals_name_the_table():
    shares = read_undesa(DESTINATION_2024, "Table 3", destination_tables=True)
    _, cells = sheet_row(DESTINATION_2024, "Table 3", 398, "E")
    assert value(shares.table, country="KAZ", year=2024, indicator="International migrant stock as a percentage of "
                 "the total population, both sexes combined").value == cells[12]
    with pytest.raises(MalformedSource) as error:
        read_undesa(DESTINATION_2024)
    assert error.value.message == (
        "undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx, sheet 'Table 1', row 11: this is UN DESA's \"by "
        "destination\" table (Table 1: International migrant stock at mid-year by sex and by region, country or "
        "area of destination, 1990-2024); this command reads \"by destination and origin\" (people born in each "
        "origin, by country of residence)")
    assert "diaspora import undesa FILE" in error.value.hint
    with pytest.raises(MalformedSource) as error:
        read_undesa(DESTINATION_2024, "Table 5", destination_tables=True)
    assert error.value.message == (
        "undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx, sheet 'Table 5', row 11: Table 5 gives values over "
        "periods (1990-1995, 1995-2000, 2000-2005, …), not for years; the observatory reads Tables 1–4 (and 6 of "
        "the 2020 edition)")
    # As published, the 2024 Table 2 has type-of-data codes under "Location code" (row 39 is Burundi, 'B R').
    with pytest.raises(MalformedSource) as error:
        read_undesa(DESTINATION_2024, "Table 2", destination_tables=True)
    assert error.value.message == (
        "undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx, sheet 'Table 2', row 39, column D (Location code): "
        "the column 'Location code' holds type-of-data codes such as 'B R', not UN M49 codes, so its rows cannot "
        "be matched to countries")
    assert "diaspora import wdi" in error.value.hint


@needs_shared(DESTINATION_2024)
def test_case_new_refuses_the_by_destination_workbook(tmp_path, monkeypatch):
    use_data_dir(tmp_path, monkeypatch)
    result = run("case", "new", "kazakh-diaspora", "--origin", "KAZ", "--hosts", "UZB", "--from-undesa", DESTINATION_2024)
    assert result.exit_code == 2
    assert "this is UN DESA's \"by destination\" table (Table 1: " in result.output
    assert "Traceback" not in result.output


@needs_shared(DESTINATION_2020)
def test_2020_by_destination_header_names_and_table6():
    imported = read_undesa(DESTINATION_2020, destination_tables=True)
    number, cells = sheet_row(DESTINATION_2020, "Table 1", 496, "D")  # Mongolia; 2020: Location code in D
    assert cells[4] == "C R"  # "Type of data" in column E
    assert imported.details["data_type_of"]["MNG"] == "C R"
    assert imported.details["definition_of"]["MNG"] == "citizenship"
    assert value(imported.table, country="MNG", year=2020,
                 indicator="International migrant stock at mid-year, both sexes combined").value == cells[11]
    refugees = read_undesa(DESTINATION_2020, "Table 6", destination_tables=True)
    _, row = sheet_row(DESTINATION_2020, "Table 6", 398, "D")
    assert value(refugees.table, country="KAZ", year=2020,
                 indicator="Refugee and asylum seekers at mid-year, both sexes combined").value == row[11]
    assert refugees.report.unmatched_columns == ["1990-1995", "1995-2000", "2000-2005", "2005-2010", "2010-2015",
                                                 "2015-2020"]
    assert "  skipped 1,180: protected for privacy by UN DESA ('~': fewer than five)" in refugees.report.render()


@needs_shared(DESTINATION_2024)
def test_cli_imports_a_by_destination_table_into_a_case(case_copy):
    result = run("import", "undesa", DESTINATION_2024, "--sheet", "Table 4", "--case", case_copy,
                 "--resource", "undesa_female_share", "--country", "KAZ", "--replace")
    assert result.exit_code == 0, result.output
    stored = load_case(case_copy).table("undesa_female_share")
    _, cells = sheet_row(DESTINATION_2024, "Table 4", 398, "E")
    assert stored[stored.year == 2024].value.tolist() == [cells[12]]
    assert "undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx: 2,296 values read, 1,856 stored" in result.output


# --- UN DESA, by destination and origin (fixtures in the published layout) ------------------------------------

@pytest.mark.parametrize("edition", ["2024", "2020"])
def test_destination_and_origin_keeps_type_codes_and_definitions(tmp_path, case_copy, edition):
    workbook = destination_and_origin_workbook(tmp_path, edition)
    imported = read_undesa(workbook)
    assert imported.details["header_row"] == 11 and imported.details["edition"] == edition
    table = imported.table
    assert value(table, destination="CHN", origin="KAZ", year=1990, sex="both").data_type == "C"
    assert value(table, destination="MNG", origin="KAZ", year=2020, sex="female").stock == 600 - 300
    assert table[(table.destination == "CHN") & (table.year == 2000)].empty  # '..' stays missing
    result = run("import", "undesa", workbook, "--case", case_copy, "--resource", "birthplace_stock",
                 "--origin", "KAZ", "--replace")
    assert result.exit_code == 0, result.output
    stored = load_case(case_copy).table("birthplace_stock")
    definitions = stored[(stored.year == 2020) & (stored.sex == "both")].set_index("destination")
    assert definitions.definition.to_dict() == {"CHN": "citizenship", "MNG": "citizenship", "RUS": "birthplace",
                                                "UZB": "birthplace"}
    assert definitions.data_type.to_dict() == {"CHN": "C", "MNG": "C R", "RUS": "B R", "UZB": "B R"}
    assert "note: 2 destinations counted by citizenship (type of data C), stored with the definition " \
           "citizenship: CHN, MNG" in result.output


def test_a_column_that_matches_nothing_is_named(tmp_path):
    rows = sheet_rows("2024")
    rows[10][2] = "Remarks by the compiler"  # the Coverage column, renamed
    imported = read_undesa(destination_and_origin_workbook(tmp_path, "2024", rows))
    assert imported.report.unmatched_columns == ["Remarks by the compiler"]
    assert imported.table.equals(read_undesa(destination_and_origin_workbook(tmp_path, "2024")).table)


def test_destination_and_origin_without_its_type_column_is_refused(tmp_path):
    rows = sheet_rows("2024")
    rows[10][3] = "Kind"
    with pytest.raises(MalformedSource) as error:
        read_undesa(destination_and_origin_workbook(tmp_path, "2024", rows))
    assert error.value.message == (
        "undesa_pd_2024_ims_stock_by_sex_destination_and_origin.xlsx, sheet 'Table 1', row 11: the header has no "
        "type-of-data column ('Data type' in the 2024 edition, 'Type of data' in 2020): without it, destinations "
        "where UN DESA counts foreign citizens (C) would be stored as people born in the origin")
    rows = sheet_rows("2024")
    rows[14][3] = "X"  # China's type of data
    with pytest.raises(MalformedSource) as error:
        read_undesa(destination_and_origin_workbook(tmp_path, "2024", rows))
    assert error.value.message == ("undesa_pd_2024_ims_stock_by_sex_destination_and_origin.xlsx, sheet 'Table 1', "
                                   "row 15, column D (Data type): 'X' is not a UN DESA type-of-data code")


# --- UN DESA 2019 matrix --------------------------------------------------------------------------------------

@pytest.mark.slow  # reads the whole 2019 matrix
@needs_shared(MATRIX_2019)
def test_2019_matrix_by_names():
    imported = read_undesa(MATRIX_2019)
    with MATRIX_2019.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    uzbekistan = next(r for r in rows if r[0] == "2019" and r[1] == "Uzbekistan")
    iran = next(r for r in rows if r[0] == "2019" and r[1] == "Iran (Islamic Republic of)")
    assert value(imported.table, destination="UZB", origin="KAZ", year=2019).stock == int(
        uzbekistan[header.index("Kazakhstan")])
    assert value(imported.table, destination="IRN", origin="AFG", year=2019).stock == int(
        iran[header.index("Afghanistan")])
    # "Micronesia" is a region (M49 954), never the Federated States of Micronesia.
    micronesia = imported.aggregates[imported.aggregates.destination_name == "Micronesia"]
    assert set(micronesia.destination_code) == {954}
    assert imported.details["edition"] == "2019" and imported.details["years"][-1] == 2019


@needs_shared(MATRIX_2019)
def test_2019_matrix_refuses_two_columns_or_rows_of_one_place(tmp_path):
    """Found by the mutation sweep (seed 18): a column renamed to Panama's M49 code (591) gave every
    destination two counts from Panama. The real file's header and first rows, one name changed at a time."""
    with MATRIX_2019.open(encoding="utf-8") as handle:
        rows = [row for _, row in zip(range(4), csv.reader(handle))]
    header = rows[0]
    renamed = [[*header[:2], *("591" if name == "Burundi" else name for name in header[2:])], *rows[1:]]
    with pytest.raises(MalformedSource) as refused:
        read_undesa(write_csv(tmp_path / MATRIX_2019.name, renamed))
    burundi, panama = header.index("Burundi"), header.index("Panama")
    assert (burundi, panama) == (35, 161)  # columns AJ and FF
    assert str(refused.value) == (
        f"{MATRIX_2019.name}, row 1, column FF (Panama): 'Panama' names the same country of origin as column AJ "
        "('591'); keep one column per country of origin")
    assert rows[1][:2] == ["1990", "Burundi"] and rows[2][1] != "Burundi"
    twice = [header, rows[1], [rows[1][0], "108", *rows[1][2:]]]  # 108: Burundi's M49 code
    with pytest.raises(MalformedSource, match=r"row 3, column B \(Dest\): 108 appears twice for 1990"):
        read_undesa(write_csv(tmp_path / "twice.csv", twice))


# --- World Bank -----------------------------------------------------------------------------------------------

@needs_shared(WDI_ZIP)
def test_world_bank_zip_as_downloaded_equals_its_csv():
    from_zip, from_csv = read_wdi(WDI_ZIP), read_wdi(WDI_CSV)
    assert from_zip.table.equals(from_csv.table) and from_zip.aggregates.equals(from_csv.aggregates)
    with WDI_CSV.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    header = rows[4]
    kazakhstan = next(r for r in rows if len(r) > 1 and r[1] == "KAZ")
    assert value(from_zip.table, country="KAZ", year=2024).population == int(kazakhstan[header.index("2024")])
    assert from_zip.report.file == "Population.zip (API_SP.POP.TOTL_DS2_en_csv_v2_246068.csv)"
    assert from_zip.details["Last Updated Date"] == "2025-10-07"


def test_zip_without_one_data_csv_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "download.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Metadata_Country_x.csv", "a,b\n")
    with pytest.raises(MalformedSource) as error:
        read_wdi(path)
    assert str(error.value) == ("download.zip: holds Metadata_Country_x.csv; expected exactly one data CSV among "
                                "them, found 0; unzip the file and give the data CSV")


# --- Our World in Data ----------------------------------------------------------------------------------------

@needs_shared(OWID_STOCK)
def test_owid_grapher_values_and_region_codes(tmp_path):
    imported = read_owid(OWID_STOCK)
    with OWID_STOCK.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    kazakhstan = next(r for r in rows if r[1] == "KAZ" and r[2] == "2024")
    assert value(imported.table, country="KAZ", year=2024).value == float(kazakhstan[3])
    assert {"OWID_WRL", "OWID_CIS", ""} <= set(imported.aggregates.code)
    assert imported.info.citation.startswith("United Nations Department of Economic and Social Affairs (2024) – "
                                             "with minor processing by Our World in Data")
    # A copy with OWID's other region families and its "World region" text column, as other charts have.
    copy = tmp_path / "owid-regions.csv"
    extended = [[*rows[0], "World region according to OWID"]]
    extended += [[*row, "Asia" if row[1] == "KAZ" else ""] for row in rows[1:]]
    extended += [["Africa (UN)", "UN_AFR", "2024", "1000"], ["East Asia and Pacific (WB)", "WB_EAP", "2024", "2000"]]
    extended[-2:] = [[*row, ""] for row in extended[-2:]]
    write_csv(copy, extended)
    regions = read_owid(copy)
    assert regions.table.equals(imported.table)
    assert regions.aggregates[regions.aggregates.code.isin(["UN_AFR", "WB_EAP"])].value.tolist() == [1000, 2000]
    assert regions.report.unmatched_columns == ["World region according to OWID"]
    assert "  note: column 'World region according to OWID' is text, not imported" in regions.report.render()


@needs_shared(OWID_FLOWS)
def test_owid_migration_flows_export(case_copy):
    imported = read_owid(OWID_FLOWS)
    assert imported.kind == "migrant_stock" and imported.details["origin"] == "AFG"
    with OWID_FLOWS.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    iran = next(r for r in rows if r[1] == "IRN" and r[2] == "2024")
    assert value(imported.table, destination="IRN", origin="AFG", year=2024).stock == int(iran[3])
    assert imported.table[imported.table.destination == "AFG"].empty
    assert imported.report.skipped["the selected country itself (OWID writes 'Selected country')"] == 8
    result = run("import", "owid", OWID_FLOWS, "--case", case_copy, "--resource", "afghan_born", "--replace")
    assert result.exit_code == 0, result.output
    stored = load_case(case_copy).table("afghan_born")
    assert set(stored.definition) == {"birthplace"} and set(stored.origin) == {"AFG"}


@needs_shared(OWID_STOCK)
def test_owid_grapher_file_with_the_flows_mark_is_refused(tmp_path):
    """Found by the mutation sweep (seed 16): one cell of the grapher file changed to 'Selected country' made
    the whole file read as a Migration Flows export, every country's immigrant total stored as people born
    in the marked row's country (AFG to IRQ, 57,686). The mark without the export's title is refused."""
    with OWID_STOCK.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[3][:3] == ["Afghanistan", "AFG", "2000"]
    rows[3][3] = "Selected country"
    with pytest.raises(MalformedSource) as refused:
        read_owid(write_csv(tmp_path / OWID_STOCK.name, rows))
    assert str(refused.value) == (
        "owid-migrant-stock-total.csv, row 4, column D (Total number of international immigrants): 'Selected "
        "country' is the mark of OWID's Migration Flows export, but the column is titled 'Total number of "
        "international immigrants', not 'Emigrants from …: Where did they move to?'; if this is a Migration Flows "
        "export, keep the header it was downloaded with; otherwise correct the cell")


@needs_shared(OWID_STOCK)
def test_owid_kind_migrant_stock_is_refused_not_a_traceback(case_copy):
    result = run("import", "owid", OWID_STOCK, "--kind", "migrant_stock", "--case", case_copy)
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == (
        "Error: owid-migrant-stock-total.csv, row 1: a grapher file has one value per country and year (Total "
        "number of international immigrants), no country of origin, so it cannot be a migrant stock by origin")
    assert "Traceback" not in result.output


# --- Generic: decimal marks, numeric aggregates, nothing matched ----------------------------------------------

def test_decimal_comma_stated_or_refused(tmp_path):
    path = write_csv(tmp_path / "rates.csv", [["Country", "Year", "Rate"], ["KAZ", "2024", "12,5"],
                                               ["KGZ", "2024", "0,8"]])
    mapping = dict(kind="indicator", pairs=["country=Country", "year=Year", "value=Rate"], sheet=None)
    with pytest.raises(AmbiguousValue) as error:
        read_mapped(path, Mapping.from_options(constants={"indicator": "rate"}, **mapping))
    assert str(error.value) == ("rates.csv, row 2, column C (Rate): '12,5' has a comma that is no thousands "
                                "separator; if the file writes decimals with a comma, give --decimal ,")
    stated = read_mapped(path, Mapping.from_options(constants={"indicator": "rate"}, decimal=",", **mapping))
    assert stated.table.value.tolist() == [12.5, 0.8]
    grouped = write_csv(tmp_path / "grouped.csv", [["Country", "Year", "Rate"], ["KAZ", "2024", "1,234"]])
    with pytest.raises(AmbiguousValue) as error:
        read_mapped(grouped, Mapping.from_options(constants={"indicator": "rate"}, **mapping))
    assert str(error.value) == ("grouped.csv, row 2, column C (Rate): '1,234' could be 1234 (comma between "
                                "thousands) or 1.234 (decimal comma); state the file's decimal mark: --decimal . "
                                "or --decimal ,")


def test_cli_decimal_option_and_numeric_aggregates(tmp_path):
    data = write_csv(tmp_path / "stock.csv", [["Dest", "Origin", "Year", "Persons"], ["860", "398", "2024", "13013"],
                                               ["5500", "398", "2024", "30000"], ["Asia", "398", "2024", "5"],
                                               ["1", "398", "2024", "40"]])  # "1": a national file's own region
    mapping = tmp_path / "m.yaml"
    mapping.write_text("kind: migrant_stock\ncolumns: {destination: Dest, origin: Origin, year: Year, stock: Persons}\n"
                       "aggregates: [Asia, 1]\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = run("import", "generic", data, "--mapping", mapping, "--out", out, "--decimal", ",")
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").splitlines()[1:] == ["UZB,KAZ,2024,both,13013,"]
    assert "  note: numeric codes of 900 and above read as UN M49 regions and totals: 5500" in result.output
    refused = run("import", "undesa", data, "--decimal", ",")
    assert refused.exit_code == 2 and "--decimal applies to generic imports" in refused.output


def test_nothing_matched_stores_nothing(tmp_path, case_copy):
    before = (case_copy / "datapackage.json").read_bytes()
    only_regions = write_csv(tmp_path / "regions.csv", [["destination", "origin", "stock_2024"], ["900", "KZ", "7"]])
    result = run("import", "undesa", only_regions, "--case", case_copy)
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == (
        "Error: regions.csv: nothing to store: 1 values read, none matched; skipped: 1 region, group or total (M49 "
        "code 900 and above): kept apart as aggregates")
    data = write_csv(tmp_path / "a.csv", [["destination", "origin", "stock_2024"], ["UZ", "KZ", "13013"]])
    result = run("import", "undesa", data, "--case", case_copy, "--origin", "TJK")
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == ("Error: a.csv: none of its 1 rows about countries match the filters "
                                             "(origins TJK)")
    assert (case_copy / "datapackage.json").read_bytes() == before


def test_reimport_of_a_corrected_file_replaces_with_replace(tmp_path, case_copy):
    faulty = write_csv(tmp_path / "stock.csv", [["destination", "origin", "stock_2024"], ["UZ", "KZ", "1301"]])
    assert run("import", "undesa", faulty, "--case", case_copy, "--resource", "birthplace_stock",
               "--replace").exit_code == 0
    corrected = tmp_path / "fixed" / "stock.csv"
    corrected.parent.mkdir()
    shutil.copy(faulty, corrected)
    corrected.write_text("destination,origin,stock_2024\nUZ,KZ,13013\n", encoding="utf-8")
    refused = run("import", "undesa", corrected, "--case", case_copy, "--resource", "birthplace_stock")
    assert refused.exit_code == 2 and "Hint: if the producer published a new version on purpose, import it again " \
                                      "with --replace" in refused.output
    assert load_case(case_copy).table("birthplace_stock").stock.tolist() == [1301]
    assert run("import", "undesa", corrected, "--case", case_copy, "--resource", "birthplace_stock",
               "--replace").exit_code == 0
    assert load_case(case_copy).table("birthplace_stock").stock.tolist() == [13013]
    sidecar = json.loads((case_copy / "data" / "birthplace_stock.csv.provenance.json").read_text(encoding="utf-8"))
    assert sidecar["original"]["sha256"] != ""
