"""World Bank WDI (download with preamble, long layout), OWID grapher CSV, and mapped CSV/XLSX files."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from sources_files import WDI_SHARED, needs_shared, write_csv

from diaspora_observatory.importers.errors import MalformedSource
from diaspora_observatory.importers.generic import Mapping, read_mapped
from diaspora_observatory.importers.owid import read_owid
from diaspora_observatory.importers.wdi import read_wdi

WDI_DOWNLOAD = (
    '"Data Source","World Development Indicators",\r\n'
    '\r\n'
    '"Last Updated Date","2025-07-01",\r\n'
    '\r\n'
    '"Country Name","Country Code","Indicator Name","Indicator Code","2022","2023","2024",\r\n'
    '"Kazakhstan","KAZ","Population, total","SP.POP.TOTL","20034609","20330104","20592571",\r\n'
    '"Kyrgyz Republic","KGZ","Population, total","SP.POP.TOTL","6975220","7099750","",\r\n'
    '"World","WLD","Population, total","SP.POP.TOTL","7950000000","8030000000","8110000000",\r\n'
    '"Kosovo","XKX","Population, total","SP.POP.TOTL","1760000","1756000","1750000",\r\n'
)


def test_wdi_download_with_preamble(tmp_path):
    path = tmp_path / "API_SP.POP.TOTL_DS2_en_csv_v2.csv"
    path.write_bytes(("\ufeff" + WDI_DOWNLOAD).encode("utf-8"))
    imported = read_wdi(path)
    assert imported.kind == "population"
    assert imported.table.values.tolist() == [["KAZ", 2022, 20034609], ["KAZ", 2023, 20330104],
                                              ["KAZ", 2024, 20592571], ["KGZ", 2022, 6975220], ["KGZ", 2023, 7099750]]
    assert sorted(set(imported.aggregates.code)) == ["WLD", "XKX"]
    assert imported.details["layout"] == "wdi-download"
    assert imported.details["Last Updated Date"] == "2025-07-01"
    assert imported.details["header_row"] == 5


def test_wdi_bad_value_names_row_and_column(tmp_path):
    path = tmp_path / "wdi.csv"
    path.write_text(WDI_DOWNLOAD.replace('"7099750"', '"7.1m"'), encoding="utf-8")
    with pytest.raises(MalformedSource) as error:
        read_wdi(path)
    assert error.value.message == "wdi.csv, row 7, column F (2023): '7.1m' is not a number"


def test_wdi_several_indicators_need_a_choice(tmp_path):
    path = tmp_path / "wdi.csv"
    path.write_text(WDI_DOWNLOAD + '"Kazakhstan","KAZ","Net migration","SM.POP.NETM","1","2","3",\r\n',
                    encoding="utf-8")
    with pytest.raises(MalformedSource, match="holds 2 indicators"):
        read_wdi(path)
    chosen = read_wdi(path, "SM.POP.NETM")
    assert chosen.kind == "indicator"
    assert chosen.table.values.tolist() == [["KAZ", 2022, "SM.POP.NETM", 1.0], ["KAZ", 2023, "SM.POP.NETM", 2.0],
                                            ["KAZ", 2024, "SM.POP.NETM", 3.0]]


def test_wdi_long_layout_with_datapackage(tmp_path):
    write_csv(tmp_path / "population.csv", [["Country Name", "Country Code", "Year", "Value"],
                                            ["Kyrgyz Republic", "KGZ", "2024", "7221868"],
                                            ["World", "WLD", "2024", "8142056446"]], line_ending="\r\n")
    (tmp_path / "datapackage.json").write_text(json.dumps({"title": "Population", "licenses": [
        {"name": "ODC-PDDL-1.0"}]}), encoding="utf-8")
    imported = read_wdi(tmp_path / "population.csv")
    assert imported.table.values.tolist() == [["KGZ", 2024, 7221868]]
    assert imported.aggregates.values.tolist() == [["WLD", "World", 2024, 8142056446]]
    assert imported.info.licence == "ODC-PDDL-1.0"


def test_wdi_long_layout_bad_code(tmp_path):
    path = write_csv(tmp_path / "p.csv", [["Country Name", "Country Code", "Year", "Value"], ["Kazakhstan", "KZ",
                                                                                               "2024", "1"]])
    with pytest.raises(MalformedSource) as error:
        read_wdi(path)
    assert error.value.message == "p.csv, row 2, column B (Country Code): 'KZ' is not a three-letter country code"


def test_wdi_without_header(tmp_path):
    path = write_csv(tmp_path / "p.csv", [["a", "b"], ["1", "2"]])
    with pytest.raises(MalformedSource) as error:
        read_wdi(path)
    assert error.value.message == "p.csv: no header with a 'Country Code' column in the first 10 rows"


@needs_shared(WDI_SHARED)
def test_wdi_shared_file():
    imported = read_wdi(WDI_SHARED)
    table = imported.table.set_index(["country", "year"])
    assert int(table.loc[("KGZ", 2024), "population"]) == 7221868
    assert "WLD" in set(imported.aggregates.code)
    assert not imported.table.country.isin(["WLD", "XKX", "EAS"]).any()


def test_owid_grapher(tmp_path):
    path = write_csv(tmp_path / "migrant-stock-total.csv", [
        ["Entity", "Code", "Year", "Total number of international immigrants"],
        ["Kazakhstan", "KAZ", "2020", "3731230"], ["World", "OWID_WRL", "2020", "280598105"],
        ["Asia", "", "2020", "85618502"], ["Kosovo", "OWID_KOS", "2020", ""]])
    imported = read_owid(path)
    assert imported.kind == "indicator"
    assert imported.table.values.tolist() == [["KAZ", 2020, "Total number of international immigrants", 3731230.0]]
    assert imported.aggregates[["code", "name"]].values.tolist() == [["OWID_WRL", "World"], ["", "Asia"]]


def test_owid_population_and_errors(tmp_path):
    path = write_csv(tmp_path / "population.csv", [["Entity", "Code", "Year", "Population (historical)"],
                                                   ["Uzbekistan", "UZB", "2023", "35652307"]])
    assert read_owid(path).table.values.tolist() == [["UZB", 2023, 35652307]]
    bad = write_csv(tmp_path / "bad.csv", [["Entity", "Code", "Year", "x"], ["Uzbekistan", "uzb", "2023", "1"]])
    with pytest.raises(MalformedSource) as error:
        read_owid(bad)
    assert error.value.message == "bad.csv, row 2, column B (Code): unknown code 'uzb'"
    daily = write_csv(tmp_path / "daily.csv", [["Entity", "Code", "Day", "x"]])
    with pytest.raises(MalformedSource, match="the header starts Entity, Code, Day instead of Entity, Code, Year"):
        read_owid(daily)


def test_mapped_csv_from_options(tmp_path):
    path = write_csv(tmp_path / "census.csv", [["Region", "Yr", "People"], ["Kyrgyzstan", "2022", "6 747 323"],
                                               ["Asia", "2022", "4000000000"]])
    mapping = Mapping.from_options("population", ["country=Region", "year=Yr", "population=People"],
                                   aggregates=["Asia"])
    imported = read_mapped(path, mapping)
    assert imported.table.values.tolist() == [["KGZ", 2022, 6747323]]
    assert imported.aggregates[["code", "population"]].values.tolist() == [["Asia", 4000000000]]


def test_mapped_xlsx_from_yaml(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    sheet.append(["Migrants born abroad, by country of birth"])
    sheet.append(["Residence", "Birthplace", "Persons"])
    sheet.append([860, 398, 13013])
    sheet.append(["KGZ", "Kazakhstan", 12333])
    book.save(tmp_path / "stock.xlsx")
    (tmp_path / "mapping.yaml").write_text(
        "kind: migrant_stock\nsheet: Data\ncolumns: {destination: Residence, origin: Birthplace, stock: Persons}\n"
        "constants: {year: 2024}\nproducer: A statistics office\nlicence: CC BY 4.0\n", encoding="utf-8")
    imported = read_mapped(tmp_path / "stock.xlsx", Mapping.from_yaml(tmp_path / "mapping.yaml"))
    assert imported.table.values.tolist() == [["UZB", "KAZ", 2024, "both", 13013, ""],
                                              ["KGZ", "KAZ", 2024, "both", 12333, ""]]
    assert imported.details["header_row"] == 2 and imported.info.producer == "A statistics office"


def test_mapped_errors(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["Region", "Yr", "People"], ["Narnia", "2022", "5"]])
    with pytest.raises(MalformedSource) as error:
        read_mapped(path, Mapping.from_options("population", ["country=Region", "year=Yr", "population=People"]))
    assert error.value.message == "c.csv, row 2, column A (Region): unknown country 'Narnia'"
    with pytest.raises(MalformedSource) as error:
        read_mapped(path, Mapping.from_options("population", ["country=Region", "year=Year", "population=People"]))
    assert error.value.message == "c.csv: no header row holding 'People', 'Region', 'Year' in the first 20 rows"
    with pytest.raises(MalformedSource) as error:
        read_mapped(path, Mapping.from_options("population", ["country=Region", "year=Yr"]))
    assert error.value.message == "c.csv: the mapping gives no column for population"
    (tmp_path / "m.yaml").write_text("kind: population\ncolumns: {country: A}\ncolour: red\n", encoding="utf-8")
    with pytest.raises(MalformedSource, match="m.yaml: unknown key"):
        Mapping.from_yaml(tmp_path / "m.yaml")


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("Entity,Code,Year,x\nK\u00f6ln,DEU,2020,1\n".encode("latin-1"))
    with pytest.raises(MalformedSource) as error:
        read_owid(path)
    assert error.value.message == "latin1.csv, row 2: is not UTF-8 text (bad byte at line 2)"


@pytest.mark.parametrize(("text", "decimal", "number"), [
    ("12,5", ",", 12.5), ("0,8", ",", 0.8), ("-3,5", ",", -3.5), ("1 234,5", ",", 1234.5), ("1.234,5", ",", 1234.5),
    ("1.234.567", ",", 1234567.0), ("1,234", ".", 1234.0), ("1,234.5", None, 1234.5), ("12.5", None, 12.5),
    ("1 234", None, 1234.0), ("1,234", ",", 1.234)])
def test_decimal_marks_as_stated(text, decimal, number):
    from diaspora_observatory.importers.tabular_input import parse_number

    assert parse_number(text, decimal) == number


@pytest.mark.parametrize(("text", "decimal", "message"), [
    ("12,5", None, "'12,5' has a comma that is no thousands separator"),
    ("1,234", None, "'1,234' could be 1234 (comma between thousands) or 1.234 (decimal comma)"),
    ("1.234,5", None, "'1.234,5' is not a number with the decimal mark '.'"),
    ("12,5", ".", "'12,5' is not a number with the decimal mark '.'"),
    ("1.5", ",", "'1.5' is not a number with the decimal mark ','")])
def test_ambiguous_or_wrong_decimal_marks_are_refused(text, decimal, message):
    from diaspora_observatory.importers.tabular_input import Ambiguous, parse_number

    with pytest.raises(Ambiguous) as error:
        parse_number(text, decimal)
    assert str(error.value) == message


def test_counts_are_never_rounded_from_text():
    from diaspora_observatory.importers.tabular_input import parse_count

    assert parse_count("1,234") == 1234
    with pytest.raises(ValueError, match="'12,5' has a comma that is no thousands separator"):
        parse_count("12,5")
    with pytest.raises(ValueError, match="'12.5' is not a whole number of people"):
        parse_count("12.5")


def _open_paths() -> set[str]:
    import os

    fds = Path("/proc/self/fd")
    paths = set()
    for fd in fds.iterdir():
        try:
            paths.add(os.readlink(fd))
        except OSError:
            pass
    return paths


@pytest.mark.parametrize("opener", ["workbook", "zip"])
def test_rows_closed_before_their_first_row_release_the_file(opener, tmp_path):
    """A caller that refuses a file before reading a row (closing the rows it was given) leaves no file
    open: a generator never started ignores close(), so the rows carry their file's release themselves.
    (An unclosed file was reported by CI as a ResourceWarning at garbage collection, in another test.)"""
    import zipfile

    from diaspora_observatory.importers.tabular_input import _openpyxl_rows, zip_member_rows

    if opener == "workbook":
        from openpyxl import Workbook

        path = tmp_path / "table.xlsx"
        book = Workbook()
        book.active.append(["Year", "Value"])
        book.save(path)
        _, rows = _openpyxl_rows(path, None)
    else:
        path = tmp_path / "download.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("API_data.csv", "a,b\n1,2\n")
        _, rows = zip_member_rows(path, lambda name: name.startswith("API_"))
    assert str(path) in _open_paths()
    rows.close()
    assert str(path) not in _open_paths()
