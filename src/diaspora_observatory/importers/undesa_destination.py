"""UN DESA's workbook *by destination* (``undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx``): totals.

That workbook has no countries of origin: Table 1 is the international migrant stock of each destination
(all origins together), Table 2 the total population (thousands), Table 3 migrants as a percentage of the
population, Table 4 female migrants as a percentage of the migrant stock, Table 5 annual rates of change
over periods, and (2020 edition) Table 6 refugees. The observatory reads Tables 1–4 and 6 as
**indicators** (one value per destination and year; the indicator is the producer's label of the column
block, such as "International migrant stock at mid-year, both sexes combined", so the unit travels with
the value). It cannot be a diaspora's stock by origin, so a command that needs the origin refuses it,
naming the table. Table 5 and the rate columns of Table 6 give periods (1990-1995), not years: they are
left out (Table 5 refused, Table 6's columns named in the report).

Layout, as in both editions: title rows (row 2 the workbook's title, row 3 the table's), the block labels
on row 8, the header on row 11: an index column, ``Region, development group, country or area``,
``Coverage`` (2024) or ``Notes`` (2020), ``Data type`` (2024) or ``Type of data`` (2020), ``Location
code``, then the year columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from diaspora_observatory.importers.codes import alpha3_or_none
from diaspora_observatory.importers.codes import is_m49_aggregate as is_aggregate_code
from diaspora_observatory.importers.errors import MalformedSource
from diaspora_observatory.importers.imported import AGGREGATE_COLUMNS, COLUMNS, Imported
from diaspora_observatory.importers.report import ImportReport
from diaspora_observatory.importers.tabular_input import cell_text, parse_number
from diaspora_observatory.importers.undesa_header import (
    block_labels,
    check_header,
    header_roles,
    is_period,
    unmatched_headers,
    year_of,
)
from diaspora_observatory.importers.undesa_names import REGION_CODES, clean_name
from diaspora_observatory.importers.undesa_source import destination_source_info
from diaspora_observatory.importers.undesa_types import FIX_CODE, code_parts, definition_of, meanings_of

_TABLE_TITLE = re.compile(r"^table\s+(\d+)\s*:\s*(.+)$", re.IGNORECASE)
_EDITION = re.compile(r"international migrant stock (\d{4})", re.IGNORECASE)
WITHHELD = {"~": "protected for privacy by UN DESA ('~': fewer than five)",
            "—": "not zero but less than half the unit ('—')"}


def table_title(before: list[tuple]) -> tuple[str, str]:
    """(number, title) of the table from its title row (``Table 1: International migrant stock …``)."""
    for row in before:
        for cell in row:
            match = _TABLE_TITLE.match(cell_text(cell))
            if match:
                return match.group(1), match.group(2).strip()
    return "", ""


def edition_of(before: list[tuple], years: list[int]) -> str:
    for row in before:
        for cell in row:
            match = _EDITION.search(cell_text(cell))
            if match:
                return match.group(1)
    return str(max(years)) if years else ""


def refuse_destination(before: list[tuple], file: str, sheet: str | None, header_row: int) -> MalformedSource:
    number, title = table_title(before)
    named = f"Table {number}: {title}" if number else "a table without origins"
    return MalformedSource(file, f"this is UN DESA's \"by destination\" table ({named}); this command reads "
                           "\"by destination and origin\" (people born in each origin, by country of residence)",
                           "give the workbook by destination and origin (undesa_pd_2024_ims_stock_by_sex_destination"
                           "_and_origin.xlsx), or import this one's totals as indicators with `diaspora import "
                           "undesa FILE`", sheet=sheet, row=header_row)


def parse_destination_table(before: list[tuple], header: tuple, header_row: int, rows: Iterator[tuple], file: str,
                            sheet: str | None) -> Imported:
    """One table of the workbook by destination, as indicator rows (countries) and aggregates (regions)."""
    import pandas as pd

    number, title = table_title(before)
    roles = header_roles(header)
    years = {i: year for i, c in enumerate(header) if (year := year_of(c)) is not None}
    periods = [cell_text(c) for c in header if is_period(c)]
    if not years:
        raise MalformedSource(file, f"Table {number or '?'} gives values over periods ({', '.join(periods[:3])}, …), "
                              "not for years; the observatory reads Tables 1–4 (and 6 of the 2020 edition)",
                              "choose one of those with --sheet, e.g. --sheet 'Table 1'", sheet=sheet,
                              row=header_row)
    check_header(header, roles, file, sheet, header_row, needs_data_type=False)
    labels = block_labels(before, header)
    fallback = title or (sheet or "UN DESA table")
    indicator_of = {i: labels.get(i) or fallback for i in years}
    if len({(indicator_of[i], year) for i, year in years.items()}) != len(years):
        raise MalformedSource(file, "the same year appears twice under one label", "keep the block labels "
                              "(row 8) as UN DESA published them", sheet=sheet, row=header_row)
    years_of: dict[str, set] = {}
    for index, year in years.items():
        years_of.setdefault(indicator_of[index], set()).add(year)
    every = set(years.values())
    for label, found in years_of.items():
        if found != every:  # a year column lost from one block (its header cell changed)
            lost = ", ".join(map(str, sorted(every - found)))
            raise MalformedSource(file, f"the block {label!r} has no column for {lost}",
                                  "keep the header's years as UN DESA published them", sheet=sheet, row=header_row)
    code_i, name_i, type_i = roles["destination_code"], roles.get("destination_name"), roles.get("data_type")
    report = ImportReport(file, unit="values")
    for name in [*unmatched_headers(header, roles), *periods]:
        report.unmatched(name)
    if periods:
        report.notice("columns of periods (annual rates of change) are not read: the observatory stores values "
                      "for years")
    countries: list[tuple] = []
    aggregates: list[tuple] = []
    data_type_of: dict[str, str] = {}
    missing = 0
    seen: dict[int, tuple[int, tuple[str, ...]]] = {}  # location code -> (its first row, its cells)
    for row_number, row in enumerate(rows, start=header_row + 1):
        if not row or all(cell is None or cell_text(cell) == "" for cell in row):
            continue
        code_cell = row[code_i] if code_i < len(row) else None
        name = cell_text(row[name_i]) if name_i is not None and name_i < len(row) else ""
        if cell_text(code_cell) == "" and clean_name(name) in REGION_CODES:
            code = REGION_CODES[clean_name(name)]  # the 2024 Table 2 leaves the World's code empty
        else:
            code = _m49(code_cell, file, sheet, row_number, code_i, header)
        data_type = cell_text(row[type_i]) if type_i is not None and type_i < len(row) else ""
        try:
            code_parts(data_type)
        except ValueError as error:
            raise MalformedSource(file, str(error), FIX_CODE, sheet=sheet, row=row_number, column=type_i,
                                  header=cell_text(header[type_i]) if type_i is not None else None) from None
        is_aggregate = is_aggregate_code(code)
        alpha3 = None if is_aggregate else alpha3_or_none(str(code))
        if not is_aggregate and alpha3 is None:
            raise MalformedSource(file, f"unknown UN M49 code {code}", "use the M49 number of a country or area; "
                                  "codes of 900 and above are regions and totals", sheet=sheet, row=row_number,
                                  column=code_i, header=cell_text(header[code_i]))
        cells = tuple(cell_text(row[i]) if i < len(row) else "" for i in years)
        if code in seen:
            # The 2020 edition lists region 927 (Australia and New Zealand) in two groupings, with equal values.
            if is_aggregate_code(code) and seen[code][1] == cells:
                report.skip("region listed a second time with the same values (in another grouping)",
                            len(years))
                continue
            raise MalformedSource(file, f"location code {code} appears again (first on row {seen[code][0]})",
                                  "keep one row per region, country or area", sheet=sheet, row=row_number,
                                  column=code_i, header=cell_text(header[code_i]))
        seen[code] = (row_number, cells)
        if alpha3 and data_type:
            data_type_of[alpha3] = data_type
        for index, year in years.items():
            cell = row[index] if index < len(row) else None
            text = cell_text(cell)
            if text in WITHHELD:
                report.skip(WITHHELD[text])
                continue
            try:
                value = parse_number(cell)
            except ValueError as error:
                raise MalformedSource(file, f"{error}; expected a number or '..' for missing",
                                      "correct the cell or mark it '..'", sheet=sheet, row=row_number, column=index,
                                      header=f"{cell_text(header[index])}, {indicator_of[index]}") from None
            if value is None:
                missing += 1
                continue
            if is_aggregate:
                aggregates.append((str(code), name.strip("* "), year, indicator_of[index], value))
            else:
                countries.append((alpha3, year, indicator_of[index], value))
    report.read = len(countries) + len(aggregates) + missing + report.skipped_total
    report.stored = len(countries)
    report.skip("missing in the file ('..' or empty)", missing)
    report.skip("region, group or total (M49 code 900 and above): kept apart as aggregates", len(aggregates))
    citizens = sorted(c for c, t in data_type_of.items() if definition_of(t) == "citizenship")
    if citizens:
        report.notice(f"{len(citizens)} destinations are counted by citizenship (type of data C), not by "
                      f"birthplace: {', '.join(citizens[:12])}{', …' if len(citizens) > 12 else ''} (the sidecar "
                      "lists every destination's code)")
    table = pd.DataFrame(countries, columns=COLUMNS["indicator"])
    edition = edition_of(before, sorted(years.values()))
    details = {"layout": "undesa-destination", "table": f"Table {number}" if number else sheet, "title": title,
               "sheet": sheet, "header_row": header_row, "edition": edition, "years": sorted(set(years.values())),
               "indicators": list(dict.fromkeys(indicator_of.values())), "missing_cells": missing,
               "data_type_of": data_type_of,
               "definition_of": {c: definition_of(t) for c, t in data_type_of.items()},
               "data_type_meanings": meanings_of(data_type_of.values())}
    return Imported("indicator", "undesa", Path(file), table,
                    pd.DataFrame(aggregates, columns=AGGREGATE_COLUMNS["indicator"]),
                    destination_source_info(edition, title), details, report)


def _m49(cell: object, file: str, sheet: str | None, row: int, column: int, header: tuple) -> int:
    text = cell_text(cell)
    try:
        is_type_code = bool(code_parts(text))
    except ValueError:
        is_type_code = False
    if is_type_code:
        # As published, Table 2 of the 2024 edition has type-of-data codes under "Location code" and no codes.
        raise MalformedSource(file, f"the column {cell_text(header[column])!r} holds type-of-data codes such as "
                              f"{text!r}, not UN M49 codes, so its rows cannot be matched to countries",
                              "read another table of the workbook (--sheet 'Table 1', 'Table 3' or 'Table 4'), or "
                              "take population from the World Bank with `diaspora import wdi`", sheet=sheet, row=row,
                              column=column, header=cell_text(header[column]))
    if not text.isdigit():
        raise MalformedSource(file, f"{cell!r} is not a UN M49 code", "location codes are whole numbers such as "
                              "398 (Kazakhstan) or 900 (World)", sheet=sheet, row=row, column=column,
                              header=cell_text(header[column]))
    return int(text)
