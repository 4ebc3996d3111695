"""UN DESA migrant stock: Table 1 workbooks (2024 and 2020 editions), CSV of Table 1, long extracts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sources_files import (
    HEADER_2024,
    ROWS_2024,
    UNDESA_SHARED,
    YEARS_2024,
    needs_shared,
    table1_rows,
    write_csv,
    write_workbook,
)
from sources_files import (
    undesa_2020_workbook as undesa_2020_workbook_at,
)
from sources_files import (
    undesa_2024_workbook as undesa_2024_workbook_at,
)

from diaspora_observatory.importers.errors import MalformedSource
from diaspora_observatory.importers.tabular_input import parse_count
from diaspora_observatory.importers.undesa import read_undesa


def _stock(imported, destination, origin, year, sex="both"):
    table = imported.table
    rows = table[(table.destination == destination) & (table.origin == origin) & (table.year == year)
                 & (table.sex == sex)]
    return None if rows.empty else int(rows.stock.iloc[0])


def test_2024_workbook_countries_and_sexes(tmp_path):
    undesa_2024_workbook = undesa_2024_workbook_at(tmp_path)
    imported = read_undesa(undesa_2024_workbook)
    assert imported.kind == "migrant_stock"
    assert _stock(imported, "UZB", "KAZ", 2024) == 13013
    assert _stock(imported, "UZB", "KAZ", 2024, "male") == 6506
    assert _stock(imported, "UZB", "KAZ", 2024, "female") == 6507
    assert _stock(imported, "KAZ", "UZB", 1990) == 258000
    # Three country pairs, eight years, three sexes, less the three '..' cells of KGZ in 1995.
    assert len(imported.table) == 3 * 8 * 3 - 3
    assert _stock(imported, "KGZ", "KAZ", 1995) is None
    assert imported.details["header_row"] == 11
    assert imported.details["edition"] == "2024"
    assert imported.details["missing_cells"] == 3
    assert imported.details["data_type_codes"] == ["B", "B R", "C"]
    assert set(imported.table.loc[imported.table.destination == "UZB", "data_type"]) == {"B R"}
    assert imported.info.citation.startswith("United Nations Department of Economic and Social Affairs")


def test_aggregates_are_kept_apart(tmp_path):
    undesa_2024_workbook = undesa_2024_workbook_at(tmp_path)
    imported = read_undesa(undesa_2024_workbook)
    both = imported.aggregates[imported.aggregates.sex == "both"]
    assert sorted(set(zip(both.destination_code, both.origin_code))) == [(398, 900), (860, 5500), (900, 900)]
    world = both[(both.destination_code == 900) & (both.year == 2024)]
    assert world.destination_name.iloc[0] == "WORLD" and int(world.stock.iloc[0]) == 304021813
    assert not imported.table.destination.isin(["900", 900]).any()


def test_header_is_found_by_names_not_position(tmp_path):
    shifted = write_workbook(tmp_path / "shifted.xlsx", table1_rows(HEADER_2024, YEARS_2024, ROWS_2024, title_rows=13))
    imported = read_undesa(shifted)
    assert imported.details["header_row"] == 15
    assert _stock(imported, "UZB", "KAZ", 2024) == 13013


def test_2020_edition_with_code_columns_and_no_sex_labels(tmp_path):
    undesa_2020_workbook = undesa_2020_workbook_at(tmp_path)
    imported = read_undesa(undesa_2020_workbook)
    assert imported.details["edition"] == "2020"
    assert imported.details["sexes"] == ["both", "male", "female"]
    assert _stock(imported, "UZB", "KAZ", 2020) == 14000
    assert _stock(imported, "UZB", "KAZ", 2020, "female") == 7000
    assert imported.details["header_row"] == 12


def test_csv_of_table1_gives_the_same_rows_as_the_workbook(tmp_path):
    undesa_2024_workbook = undesa_2024_workbook_at(tmp_path)
    as_csv = write_csv(tmp_path / "table1.csv", table1_rows(HEADER_2024, YEARS_2024, ROWS_2024), line_ending="\r\n")
    from_csv = read_undesa(as_csv).table
    from_xlsx = read_undesa(undesa_2024_workbook).table
    assert from_csv.equals(from_xlsx)


def test_missing_header_is_refused(tmp_path):
    rows = table1_rows(HEADER_2024, YEARS_2024, ROWS_2024)
    rows[10] = ["Index", "Destination", "Notes", "Where", "Type", "Origin", "Born", *YEARS_2024 * 3]
    path = write_workbook(tmp_path / "noheader.xlsx", rows)
    with pytest.raises(MalformedSource) as error:
        read_undesa(path)
    assert error.value.message == ("noheader.xlsx, sheet 'Table 1': no header row found in the first 40 rows (the "
                                   "first row with text reads: International migrant stock: destination and origin)")
    assert "Location code of destination" in error.value.hint


def test_bad_number_names_sheet_row_and_column(tmp_path):
    rows = table1_rows(HEADER_2024, YEARS_2024, ROWS_2024)
    rows[14][8] = "12 thousand"  # Uzbekistan <- Kazakhstan, both sexes 1995 (column I)
    path = write_workbook(tmp_path / "bad.xlsx", rows)
    with pytest.raises(MalformedSource) as error:
        read_undesa(path)
    assert error.value.message == ("bad.xlsx, sheet 'Table 1', row 15, column I (1995 both): '12 thousand' is not a "
                                   "number; expected a count of people or '..' for missing")


def test_unknown_code_names_sheet_row_and_column(tmp_path):
    rows = table1_rows(HEADER_2024, YEARS_2024, ROWS_2024)
    rows[15][6] = 399  # not an M49 country
    path = write_workbook(tmp_path / "code.xlsx", rows)
    with pytest.raises(MalformedSource) as error:
        read_undesa(path)
    assert error.value.message == ("code.xlsx, sheet 'Table 1', row 16, column G (Location code of origin): unknown "
                                   "UN M49 code 399")


def test_code_that_is_not_a_number(tmp_path):
    rows = table1_rows(HEADER_2024, YEARS_2024, ROWS_2024)
    rows[13][3] = "KAZ"
    path = write_workbook(tmp_path / "text.xlsx", rows)
    with pytest.raises(MalformedSource, match=r"row 14, column D \(Location code of destination\): 'KAZ' is not a "
                                              "UN M49 code"):
        read_undesa(path)


def test_missing_sheet(tmp_path):
    path = write_workbook(tmp_path / "other.xlsx", table1_rows(HEADER_2024, YEARS_2024, ROWS_2024), sheet="Table 2")
    with pytest.raises(MalformedSource) as error:
        read_undesa(path)
    assert error.value.message == "other.xlsx: has no sheet 'Table 1'; its sheets are 'Contents', 'Table 2'"


def test_not_a_workbook(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("destination,origin\n", encoding="utf-8")
    with pytest.raises(MalformedSource, match=r"fake.xlsx: is not a readable Excel workbook"):
        read_undesa(path)


def test_long_extract_crlf_and_namibia(tmp_path):
    path = write_csv(tmp_path / "long.csv", [["destination", "origin", "stock_2024"], ["NA", "KZ", "12"],
                                              ["UZ", "KZ", "13013"], ["KZ", "900", "5"], ["RU", "KZ", ".."]],
                     line_ending="\r\n")
    imported = read_undesa(path)
    assert imported.table[["destination", "origin", "stock"]].values.tolist() == [["NAM", "KAZ", 12],
                                                                                   ["UZB", "KAZ", 13013]]
    assert imported.aggregates[["destination_code", "origin_code", "stock"]].values.tolist() == [["KZ", "900", 5]]


def test_long_extract_with_year_and_sex_columns(tmp_path):
    path = write_csv(tmp_path / "long.csv", [["destination", "origin", "year", "sex", "stock"],
                                              ["UZB", "Kazakhstan", "2020", "female", "7000"],
                                              ["860", "398", "2024", "Both sexes", "13013"]])
    imported = read_undesa(path)
    assert imported.table[["destination", "origin", "year", "sex", "stock"]].values.tolist() == [
        ["UZB", "KAZ", 2020, "female", 7000], ["UZB", "KAZ", 2024, "both", 13013]]


def test_long_extract_unknown_code_and_bad_stock(tmp_path):
    path = write_csv(tmp_path / "long.csv", [["destination", "origin", "stock_2024"], ["UZ", "KZ", "1"],
                                              ["QQ", "KZ", "2"]])
    with pytest.raises(MalformedSource) as error:
        read_undesa(path)
    assert error.value.message == "long.csv, row 3, column A (destination): unknown country code 'QQ'"
    path = write_csv(tmp_path / "stock.csv", [["destination", "origin", "stock_2024"], ["UZ", "KZ", "-4"]])
    with pytest.raises(MalformedSource) as error:
        read_undesa(path)
    assert error.value.message == ("stock.csv, row 2, column C (stock_2024): '-4' is negative; expected a count of "
                                   "people or '..' for missing")


def test_long_extract_without_origin_column(tmp_path):
    path = write_csv(tmp_path / "bad.csv", [["destination", "born", "stock_2024"], ["UZ", "KZ", "1"]])
    with pytest.raises(MalformedSource) as error:
        read_undesa(path)
    assert error.value.message == "bad.csv, row 1: no column 'origin' in the header (destination, born, stock_2024)"


@needs_shared(UNDESA_SHARED)
def test_shared_extract():
    imported = read_undesa(UNDESA_SHARED)
    assert len(imported.table) == 8413
    assert imported.aggregates.empty
    kazakhstan_born = imported.table[imported.table.origin == "KAZ"]
    assert len(kazakhstan_born) == 45
    assert int(kazakhstan_born.stock.sum()) == 2796572
    assert int(kazakhstan_born.set_index("destination").loc["UZB", "stock"]) == 13013


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["{}", "{:,}", " {} ", "{}.0"]))
def test_parse_count_reads_the_ways_counts_are_written(number, pattern):
    assert parse_count(pattern.format(number)) == number


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["KZ", "UZ", "KG", "NA", "RU", "DE"]),
                          st.sampled_from(["KZ", "TJ", "TM", "NA"]), st.integers(0, 10**7)),
                min_size=1, max_size=20, unique_by=lambda r: r[:2]))
def test_long_extract_round_trip(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("round")
    path = write_csv(Path(folder) / "rt.csv", [["destination", "origin", "stock_2024"],
                                                *[[d, o, str(s)] for d, o, s in rows]], line_ending="\r\n")
    table = read_undesa(path).table
    from diaspora_observatory.countries import to_alpha3
    assert table[["destination", "origin", "stock"]].values.tolist() == [[to_alpha3(d), to_alpha3(o), s]
                                                                         for d, o, s in rows]


def test_openpyxl_fallback_reads_the_same_rows(tmp_path, monkeypatch):
    """Without python-calamine the workbook is read by openpyxl, with the same result and messages."""
    workbook = undesa_2024_workbook_at(tmp_path)
    with_calamine = read_undesa(workbook).table
    monkeypatch.setitem(sys.modules, "python_calamine", None)  # makes `import python_calamine` fail
    assert read_undesa(workbook).table.equals(with_calamine)
    rows = table1_rows(HEADER_2024, YEARS_2024, ROWS_2024)
    rows[14][8] = "12 thousand"
    bad = write_workbook(tmp_path / "bad.xlsx", rows)
    with pytest.raises(MalformedSource, match=r"row 15, column I \(1995 both\): '12 thousand' is not a number"):
        read_undesa(bad)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 5 * 10**7), st.just("..")), min_size=8, max_size=8))
def test_table1_csv_round_trip(tmp_path_factory, values):
    """Any counts (or '..') written in the Table 1 layout come back in the right year, sex and pair."""
    folder = Path(tmp_path_factory.mktemp("table1"))
    rows = [("Uzbekistan", 860, "B", "Kazakhstan", 398, values)]
    path = write_csv(folder / "t.csv", table1_rows(HEADER_2024, YEARS_2024, rows))
    table = read_undesa(path).table
    both = table[table.sex == "both"].set_index("year")["stock"].to_dict()
    assert both == {year: value for year, value in zip(YEARS_2024, values) if value != ".."}
    male = table[table.sex == "male"].set_index("year")["stock"].to_dict()
    assert male == {year: value // 2 for year, value in zip(YEARS_2024, values) if value != ".."}


@pytest.mark.parametrize("chunk", [1, 2, 3, 10**6])
def test_chunked_conversion_gives_the_same_tables(tmp_path, monkeypatch, chunk):
    """Rows are converted a chunk at a time (memory); any chunk size gives the same tables and details."""
    import diaspora_observatory.importers.undesa as undesa

    workbook = undesa_2024_workbook_at(tmp_path)
    whole = read_undesa(workbook)
    monkeypatch.setattr(undesa, "CHUNK_ROWS", chunk)
    chunked = read_undesa(workbook)
    assert chunked.table.equals(whole.table) and chunked.aggregates.equals(whole.aggregates)
    assert chunked.details == whole.details


def test_an_error_in_a_later_chunk_names_its_own_row(tmp_path, monkeypatch):
    import diaspora_observatory.importers.undesa as undesa

    monkeypatch.setattr(undesa, "CHUNK_ROWS", 2)
    rows = table1_rows(HEADER_2024, YEARS_2024, ROWS_2024)
    rows[15][6] = 399  # row 16, the fifth data row: in the third chunk of two
    with pytest.raises(MalformedSource) as error:
        read_undesa(write_workbook(tmp_path / "code.xlsx", rows))
    assert error.value.message == ("code.xlsx, sheet 'Table 1', row 16, column G (Location code of origin): unknown "
                                   "UN M49 code 399")
