"""Our World in Data grapher CSV: ``Entity,Code,Year,<indicator>[,<indicator>…]``.

Rows with an ISO alpha-3 code are countries. OWID's own codes (``OWID_WRL`` the world, ``OWID_KOS``
Kosovo, …) and rows without a code (continents, income groups) are kept apart as aggregates.
"""

from __future__ import annotations

import re
from pathlib import Path

from diaspora_observatory.countries import is_known_alpha3
from diaspora_observatory.sources.errors import MalformedSource
from diaspora_observatory.sources.imported import AGGREGATE_COLUMNS, COLUMNS, Imported
from diaspora_observatory.sources.provenance import SourceInfo
from diaspora_observatory.sources.tabular_input import csv_rows, parse_number

_YEAR = re.compile(r"^-?\d{1,4}$")
_CODE = re.compile(r"^(?:[A-Z]{3}|OWID_[A-Z0-9_]+)$")


def source_info(indicator: str) -> SourceInfo:
    return SourceInfo(producer="Our World in Data", title=indicator,
                      citation=f"Our World in Data: {indicator} (grapher data; see the chart page for the "
                               "underlying producers).",
                      licence="CC BY 4.0", url="https://ourworldindata.org")


def read_owid(path: Path, indicator: str | None = None, kind: str | None = None) -> Imported:
    """Import one indicator column of a grapher CSV; ``kind`` is ``population`` or ``indicator``
    (by default ``population`` when the column's name mentions population)."""
    import pandas as pd

    path = Path(path)
    rows = csv_rows(path)
    header = [h.strip() for h in next(rows, [])]
    if header[:3] != ["Entity", "Code", "Year"]:
        raise MalformedSource(path.name, f"the header starts {', '.join(header[:3]) or '(empty)'} instead of "
                              "Entity, Code, Year", "download the chart's data as CSV from Our World in Data "
                              "(daily series with a Day column are not supported)", row=1)
    indicators = header[3:]
    if not indicators:
        raise MalformedSource(path.name, "no indicator column after Entity, Code, Year", row=1)
    if indicator is None:
        if len(indicators) > 1:
            raise MalformedSource(path.name, f"holds {len(indicators)} indicators ({', '.join(indicators)})",
                                  "choose one with --indicator", row=1)
        indicator = indicators[0]
    if indicator not in indicators:
        raise MalformedSource(path.name, f"has no column {indicator!r}; its indicators are {', '.join(indicators)}",
                              "choose one of those with --indicator", row=1)
    value_i = header.index(indicator)
    kind = kind or ("population" if "population" in indicator.lower() else "indicator")
    countries, aggregates = [], []
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise MalformedSource(path.name, f"row has {len(cells)} cells but the header has {len(header)}",
                                  "check for a stray or missing comma", row=number)
        entity, code, year_text = cells[0].strip(), cells[1].strip(), cells[2].strip()
        if code and not _CODE.match(code):
            raise MalformedSource(path.name, f"unknown code {code!r}", "grapher files use ISO alpha-3 codes or "
                                  "OWID_ codes; leave the code empty for a region", row=number, column=1,
                                  header="Code")
        if not _YEAR.match(year_text):
            raise MalformedSource(path.name, f"{year_text!r} is not a year", "write a year such as 2024",
                                  row=number, column=2, header="Year")
        try:
            value = parse_number(cells[value_i])
        except ValueError as error:
            raise MalformedSource(path.name, f"{error}", "correct the value or leave the cell empty for missing",
                                  row=number, column=value_i, header=indicator) from None
        if value is None:
            continue
        if code and is_known_alpha3(code):
            countries.append((code, int(year_text), value))
        else:
            aggregates.append((code, entity, int(year_text), value))
    if kind == "population":
        table = pd.DataFrame([(c, y, round(v)) for c, y, v in countries], columns=COLUMNS["population"])
        agg = pd.DataFrame([(c, n, y, round(v)) for c, n, y, v in aggregates], columns=AGGREGATE_COLUMNS["population"])
    else:
        table = pd.DataFrame([(c, y, indicator, v) for c, y, v in countries], columns=COLUMNS["indicator"])
        agg = pd.DataFrame([(c, n, y, indicator, v) for c, n, y, v in aggregates],
                           columns=AGGREGATE_COLUMNS["indicator"])
    return Imported(kind, "owid", path, table, agg, source_info(indicator),
                    {"layout": "grapher", "indicator": indicator})
