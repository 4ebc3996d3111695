"""UN DESA International Migrant Stock 2019, origin × destination, as researchers export it from the workbook.

Layout (``UN_MigrantStockByOriginAndDestination_2019_clean.csv``): a header ``Year,Dest,<one column per
country of origin>``, then one row per destination and year (1990, 1995, …, 2015, 2019), both sexes; the
workbook's title rows, codes and type-of-data column are gone, so countries are matched by UN DESA's
names. Region names (Caribbean, Melanesia, …) are kept apart as aggregates, checked before country
names so that the region "Micronesia" is never the country. ``..`` and ``-`` are missing values.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from diaspora_observatory.importers.codes import alpha3_or_none
from diaspora_observatory.importers.errors import MalformedSource
from diaspora_observatory.importers.imported import AGGREGATE_COLUMNS, COLUMNS, Imported
from diaspora_observatory.importers.report import ImportReport
from diaspora_observatory.importers.tabular_input import parse_count
from diaspora_observatory.importers.undesa_header import year_of
from diaspora_observatory.importers.undesa_names import COUNTRY_ALPHA3, REGION_CODES, clean_name
from diaspora_observatory.importers.undesa_source import source_info
from diaspora_observatory.spreadsheet_cells import column_letter

FIX_NAME = "use UN DESA's English names as in the workbook (e.g. 'Iran (Islamic Republic of)')"


def place_of(name: str) -> tuple[str | None, int | None]:
    """(alpha-3, None) for a country, (None, M49 code) for a region; (None, None) when unknown."""
    key = clean_name(name)
    if key in REGION_CODES:
        return None, REGION_CODES[key]
    return COUNTRY_ALPHA3.get(key) or alpha3_or_none(" ".join(str(name).split()).rstrip("*")), None


def parse_matrix(header: list[str], rows: Iterator[list[str]], file: str) -> Imported:
    """The matrix as migrant-stock rows (both sexes); the ``data_type`` is empty: the export dropped it."""
    import pandas as pd

    origins: dict[int, tuple[str | None, int | None, str]] = {}
    for index, name in enumerate(header[2:], start=2):
        alpha3, region = place_of(name)
        if alpha3 is None and region is None:
            raise MalformedSource(file, f"unknown country of origin {name!r}", FIX_NAME, row=1, column=index,
                                  header=name)
        twin = next((i for i, (a, r, _) in origins.items() if (a, r) == (alpha3, region)), None)
        if twin is not None:  # two columns of one origin would give each destination two counts for it
            raise MalformedSource(file, f"{name.strip()!r} names the same country of origin as column "
                                  f"{column_letter(twin)} ({header[twin].strip()!r})", "keep one column per "
                                  "country of origin", row=1, column=index, header=name)
        origins[index] = (alpha3, region, name.strip())
    report = ImportReport(file, unit="values")
    countries, aggregates, missing, seen = [], [], 0, set()
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise MalformedSource(file, f"row has {len(cells)} cells but the header has {len(header)}",
                                  "check for a stray or missing comma", row=number)
        year = year_of(cells[0].strip())
        if year is None:
            raise MalformedSource(file, f"{cells[0]!r} is not a year", "write a year such as 2019", row=number,
                                  column=0, header=header[0])
        destination, region = place_of(cells[1])
        if destination is None and region is None:
            raise MalformedSource(file, f"unknown destination {cells[1]!r}", FIX_NAME, row=number, column=1,
                                  header=header[1])
        if (destination, region, year) in seen:  # by the place, so '591' and 'Panama' are one destination
            raise MalformedSource(file, f"{cells[1].strip()} appears twice for {year}", "keep one row per "
                                  "destination and year", row=number, column=1, header=header[1])
        seen.add((destination, region, year))
        for index, (origin, origin_region, origin_name) in origins.items():
            try:
                stock = parse_count(cells[index])
            except ValueError as error:
                raise MalformedSource(file, f"{error}; expected a count of people or '..' for missing",
                                      "correct the cell or mark it '..'", row=number, column=index,
                                      header=header[index]) from None
            if stock is None:
                missing += 1
            elif destination and origin:
                countries.append((destination, origin, year, "both", stock, ""))
            else:
                aggregates.append((region or destination, cells[1].strip(), origin_region or origin, origin_name,
                                   year, "both", stock, ""))
    years = sorted({row[2] for row in countries})
    edition = str(max(years)) if years else ""
    report.read = len(countries) + len(aggregates) + missing
    report.stored = len(countries)
    report.skip("missing in the file ('..' or '-')", missing)
    report.skip("region as destination or origin: kept apart as aggregates", len(aggregates))
    report.notice("this export of the 2019 matrix has no type-of-data column: every row is stored with the "
                  "definition birthplace; UN DESA's workbook marks destinations counted by citizenship (C)")
    return Imported("migrant_stock", "undesa", Path(file), pd.DataFrame(countries, columns=COLUMNS["migrant_stock"]),
                    pd.DataFrame(aggregates, columns=AGGREGATE_COLUMNS["migrant_stock"]), source_info(edition),
                    {"layout": "matrix-2019", "edition": edition, "years": years, "missing_cells": missing}, report)
