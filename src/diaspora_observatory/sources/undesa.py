"""UN DESA International Migrant Stock, "by destination and origin": workbooks and long CSV extracts.

Workbook layout (2024 and 2020 editions): sheet ``Table 1``; some title and note rows; a header row whose
cells name the columns (``Location code of destination``, ``Type of data of destination``,
``Location code of origin``, the region/country names, then one column per year); the row above it labels
the three sex blocks (``Both sexes``, ``Male``, ``Female``) over the year columns. Codes are UN M49
numbers; ``..`` marks a missing value. The header is found by its names, not its position.

Long extracts: ``destination,origin,stock_2024`` (one ``stock_YEAR`` column per year) or
``destination,origin,year,stock[,sex]``, with alpha-2, alpha-3, M49 or names as codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import closing
from pathlib import Path

from diaspora_observatory.sources.codes import M49_WITHOUT_ISO, alpha3_or_none, is_m49_aggregate, m49_number
from diaspora_observatory.sources.errors import MalformedSource
from diaspora_observatory.sources.imported import AGGREGATE_COLUMNS, COLUMNS, Imported
from diaspora_observatory.sources.provenance import SourceInfo
from diaspora_observatory.sources.tabular_input import csv_rows, is_workbook, parse_count, workbook_rows

SHEET = "Table 1"
HEADER_SEARCH_ROWS = 40
SEXES = ("both", "male", "female")
_SEX_LABELS = {"both sexes": "both", "both": "both", "total": "both", "male": "male", "males": "male",
               "men": "male", "female": "female", "females": "female", "women": "female"}
_YEAR = re.compile(r"^(?:stock_?)?((?:19|20)\d\d)(?:\.0)?$")
FIX_HEADER = ("the header row must name 'Location code of destination', 'Location code of origin' and the year "
              "columns (1990, 1995, …), as in UN DESA's Table 1")


def source_info(edition: str) -> SourceInfo:
    """The citation UN DESA asks for, for one edition of the migrant stock."""
    return SourceInfo(
        producer="United Nations, Department of Economic and Social Affairs, Population Division",
        title=f"International Migrant Stock {edition}: destination and origin",
        citation=(f"United Nations Department of Economic and Social Affairs, Population Division ({edition}). "
                  f"International Migrant Stock {edition}."),
        licence="UN DESA data are free to reuse with attribution",
        url="https://www.un.org/development/desa/pd/content/international-migrant-stock",
        year=int(edition) if edition.isdigit() else None)


def _text(value: object) -> str:
    return "" if value is None else " ".join(str(value).split()).lower()


def _year_of(value: object) -> int | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() and 1900 <= value <= 2100 else None
    match = _YEAR.match(_text(value))
    return int(match.group(1)) if match else None


def _header_roles(header: tuple) -> dict[str, int]:
    """Which column holds what, from the header's names (codes, names, data type)."""
    roles: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = _text(cell)
        if not text or _year_of(cell) is not None:
            continue
        side = "destination" if "destination" in text else "origin" if "origin" in text else None
        if "type of data" in text:
            roles.setdefault("data_type", index)
        elif "note" in text:
            continue
        elif "code" in text:
            # The 2020 edition labels both code columns just "Code": the side is the name column before it.
            side = side or ("origin" if "origin_name" in roles else "destination")
            roles.setdefault(f"{side}_code", index)
        elif side:
            roles.setdefault(f"{side}_name", index)
    return roles


def _is_header(row: tuple) -> bool:
    roles = _header_roles(row)
    return "destination_code" in roles and "origin_code" in roles and any(_year_of(c) for c in row)


def _sex_blocks(above: tuple, header: tuple) -> dict[int, tuple[int, str]]:
    """Column index -> (year, sex) for every year column, sexes from the labels above or from repetition."""
    labels = {i: _SEX_LABELS[_text(c)] for i, c in enumerate(above or ()) if _text(c) in _SEX_LABELS}
    columns: dict[int, tuple[int, str]] = {}
    seen: dict[int, int] = {}
    current = None
    for index, cell in enumerate(header):
        current = labels.get(index, current)
        year = _year_of(cell)
        if year is None:
            continue
        repeat = seen.get(year, 0)
        seen[year] = repeat + 1
        sex = current if labels else (SEXES[repeat] if repeat < len(SEXES) else None)
        if sex is None:
            raise ValueError(f"year {year} appears more than three times")
        columns[index] = (year, sex)
    return columns


def _header_label(header: tuple, index: int) -> str:
    return str(header[index]).strip() if index < len(header) and header[index] is not None else ""


def parse_table1(rows: Iterable[tuple], file: str, sheet: str | None = None) -> Imported:
    """Parse UN DESA's Table 1 layout from rows of cell values (a workbook sheet or a CSV of it)."""
    iterator: Iterator[tuple] = iter(rows)
    above: tuple = ()
    header: tuple | None = None
    header_row = 0
    for header_row, row in enumerate(iterator, start=1):
        if row and _is_header(tuple(row)):
            header = tuple(row)
            break
        above = tuple(row or ())
        if header_row >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        raise MalformedSource(file, f"no header row found in the first {HEADER_SEARCH_ROWS} rows", FIX_HEADER,
                              sheet=sheet)
    roles = _header_roles(header)
    try:
        year_columns = _sex_blocks(above, header)
    except ValueError as error:
        raise MalformedSource(file, f"header: {error}", "label the blocks of year columns Both sexes, Male, Female "
                              "in the row above the header", sheet=sheet, row=header_row) from None
    return _table1_body(iterator, header, header_row, roles, year_columns, file, sheet)


def _code_at(row: tuple, index: int, header: tuple, file: str, sheet: str | None, number: int) -> int:
    value = row[index] if index < len(row) else None
    code = m49_number(value)
    if code is None:
        raise MalformedSource(file, f"{value!r} is not a UN M49 code", "location codes are whole numbers such as "
                              "398 (Kazakhstan) or 900 (World)", sheet=sheet, row=number, column=index,
                              header=_header_label(header, index))
    return code


def _table1_body(rows: Iterator[tuple], header: tuple, header_row: int, roles: dict[str, int],
                 year_columns: dict[int, tuple[int, str]], file: str, sheet: str | None) -> Imported:
    import pandas as pd

    dest_i, orig_i = roles["destination_code"], roles["origin_code"]
    type_i, dname_i, oname_i = roles.get("data_type"), roles.get("destination_name"), roles.get("origin_name")
    countries: list[tuple] = []
    aggregates: list[tuple] = []
    names: dict[int, str] = {}
    code_rows: dict[int, tuple[int, int]] = {}  # first row and column of each code, for error messages
    missing = 0
    data_types: set[str] = set()
    year_items = sorted(year_columns.items())
    for number, row in enumerate(rows, start=header_row + 1):
        if not row or all(cell is None or cell == "" for cell in row):
            continue
        destination = _code_at(row, dest_i, header, file, sheet, number)
        origin = _code_at(row, orig_i, header, file, sheet, number)
        code_rows.setdefault(destination, (number, dest_i))
        code_rows.setdefault(origin, (number, orig_i))
        for code, name_index in ((destination, dname_i), (origin, oname_i)):
            if name_index is not None and code not in names and name_index < len(row) and row[name_index]:
                names[code] = str(row[name_index]).strip()
        data_type = str(row[type_i]).strip() if type_i is not None and type_i < len(row) and row[type_i] else ""
        data_types.add(data_type)
        aggregate = is_m49_aggregate(destination) or is_m49_aggregate(origin)
        target = aggregates if aggregate else countries
        for index, (year, sex) in year_items:
            cell = row[index] if index < len(row) else None
            try:
                stock = parse_count(cell)
            except ValueError as error:
                raise MalformedSource(file, f"{error}; expected a count of people or '..' for missing",
                                      "correct the cell or mark it '..'", sheet=sheet, row=number, column=index,
                                      header=f"{_header_label(header, index)} {sex}") from None
            if stock is None:
                missing += 1
                continue
            target.append((destination, origin, year, sex, stock, data_type))
    alpha3 = _alpha3_of_codes(code_rows, header, file, sheet)
    table = pd.DataFrame(countries, columns=COLUMNS["migrant_stock"])
    table["destination"] = table["destination"].map(alpha3)
    table["origin"] = table["origin"].map(alpha3)
    aggregate_frame = pd.DataFrame(aggregates, columns=["destination_code", "origin_code", "year", "sex", "stock",
                                                        "data_type"])
    aggregate_frame["destination_name"] = aggregate_frame["destination_code"].map(_name_lookup(names))
    aggregate_frame["origin_name"] = aggregate_frame["origin_code"].map(_name_lookup(names))
    years = sorted({year for year, _ in year_columns.values()})
    edition = str(max(years)) if years else ""
    details = {"layout": "table1", "sheet": sheet, "header_row": header_row, "edition": edition, "years": years,
               "sexes": sorted({sex for _, sex in year_columns.values()}, key=SEXES.index),
               "missing_cells": missing, "data_type_codes": sorted(t for t in data_types if t)}
    return Imported("migrant_stock", "undesa", Path(file), table, aggregate_frame[AGGREGATE_COLUMNS["migrant_stock"]],
                    source_info(edition), details)


def _name_lookup(names: dict[int, str]):
    return lambda code: names.get(code, M49_WITHOUT_ISO.get(code, ""))


def _alpha3_of_codes(code_rows: dict[int, tuple[int, int]], header: tuple, file: str,
                     sheet: str | None) -> dict[int, str]:
    mapping = {}
    for code, (number, column) in code_rows.items():
        if is_m49_aggregate(code):
            continue
        found = alpha3_or_none(str(code))
        if found is None:
            raise MalformedSource(file, f"unknown UN M49 code {code}", "use the M49 number of a country or area; "
                                  "codes of 900 and above are regions and totals", sheet=sheet, row=number,
                                  column=column, header=_header_label(header, column))
        mapping[code] = found
    return mapping


def parse_long(rows: Iterable[list[str]], file: str) -> Imported:
    """Parse a long extract: ``destination,origin,stock_YEAR…`` or ``destination,origin,year,stock[,sex]``."""
    import pandas as pd

    iterator = iter(rows)
    header = [h.strip() for h in next(iterator, [])]
    lowered = [h.lower() for h in header]
    for needed in ("destination", "origin"):
        if needed not in lowered:
            raise MalformedSource(file, f"no column {needed!r} in the header ({', '.join(header) or 'empty'})",
                                  "a long extract needs destination, origin and stock_YEAR (or year and stock) "
                                  "columns", row=1)
    dest_i, orig_i = lowered.index("destination"), lowered.index("origin")
    stock_years = {i: _year_of(h) for i, h in enumerate(lowered) if h.startswith("stock") and _year_of(h)}
    year_i = lowered.index("year") if "year" in lowered else None
    stock_i = lowered.index("stock") if "stock" in lowered else None
    sex_i = lowered.index("sex") if "sex" in lowered else None
    if not stock_years and (year_i is None or stock_i is None):
        raise MalformedSource(file, "no stock columns: expected stock_YEAR columns or year and stock columns",
                              "rename the count column stock_2024 (for example), or add year and stock columns",
                              row=1)
    countries, aggregates = [], []
    lookup: dict[str, str | None] = {}
    for number, cells in enumerate(iterator, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise MalformedSource(file, f"row has {len(cells)} cells but the header has {len(header)}",
                                  "check for a stray or missing comma", row=number)
        codes = []
        for index in (dest_i, orig_i):
            code = cells[index].strip()
            number_code = m49_number(code)
            if number_code is not None and is_m49_aggregate(number_code):
                codes.append(None)
                continue
            if code not in lookup:
                lookup[code] = alpha3_or_none(code)
            if lookup[code] is None:
                raise MalformedSource(file, f"unknown country code {code!r}", "use ISO 3166 alpha-2 or alpha-3 "
                                      "codes, UN M49 numbers or English country names", row=number, column=index,
                                      header=header[index])
            codes.append(lookup[code])
        sex = _SEX_LABELS.get(cells[sex_i].strip().lower(), None) if sex_i is not None else "both"
        if sex is None:
            raise MalformedSource(file, f"{cells[sex_i]!r} is not a sex (both sexes, male, female)",
                                  "write both, male or female", row=number, column=sex_i, header=header[sex_i])
        if stock_years:
            pairs = [(i, year) for i, year in stock_years.items()]
        else:
            year = _year_of(cells[year_i])
            if year is None:
                raise MalformedSource(file, f"{cells[year_i]!r} is not a year", "write a year such as 2024",
                                      row=number, column=year_i, header=header[year_i])
            pairs = [(stock_i, year)]
        for index, year in pairs:
            try:
                stock = parse_count(cells[index])
            except ValueError as error:
                raise MalformedSource(file, f"{error}; expected a count of people or '..' for missing",
                                      "correct the cell or mark it '..'", row=number, column=index,
                                      header=header[index]) from None
            if stock is None:
                continue
            record = (*codes, year, sex, stock, "")
            if None in codes:
                aggregates.append((cells[dest_i].strip(), "", cells[orig_i].strip(), "", year, sex, stock, ""))
            else:
                countries.append(record)
    table = pd.DataFrame(countries, columns=COLUMNS["migrant_stock"])
    years = sorted(set(table["year"])) or sorted(set(stock_years.values()))
    edition = str(max(years)) if years else ""
    return Imported("migrant_stock", "undesa", Path(file), table,
                    pd.DataFrame(aggregates, columns=AGGREGATE_COLUMNS["migrant_stock"]), source_info(edition),
                    {"layout": "long", "edition": edition, "years": [int(y) for y in years]})


def read_undesa(path: Path, sheet: str | None = None) -> Imported:
    """Import a UN DESA migrant-stock file: a Table 1 workbook, a CSV of Table 1, or a long CSV extract.

    >>> # read_undesa(Path("undesa_pd_2024_ims_stock_by_sex_destination_and_origin.xlsx")).table.columns
    """
    path = Path(path)
    if is_workbook(path):
        name, rows = workbook_rows(path, sheet or SHEET)
        with closing(rows):  # closes the workbook file even when a malformed cell stops the parse
            imported = parse_table1(rows, path.name, name)
    else:
        rows = csv_rows(path)
        first = next(rows, [])
        lowered = [c.strip().lower() for c in first]
        if "destination" in lowered or "origin" in lowered:  # short names: a long extract, not Table 1
            imported = parse_long(_chain([first], rows), path.name)
        else:
            imported = parse_table1(_chain([first], rows), path.name, None)
    imported.file = path
    return imported


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest
