"""Our World in Data: grapher CSVs (``Entity,Code,Year,<indicator>[,…]``) and the Migration Flows explorer export.

Grapher rows with an ISO alpha-3 code are countries. OWID's own region codes (``OWID_WRL`` the world,
``OWID_KOS`` Kosovo, and the families ``UN_…``, ``WB_…`` and the like for the UN's and World Bank's
regions) and rows without a code (continents, income groups) are kept apart as aggregates. Columns whose
cells are text, such as "World region according to OWID", are no indicator: they are ignored, and the
report says so.

The Migration Flows explorer (ourworldindata.org/explorers/migration-flows) exports one origin's emigrants
by destination: header ``Entity,Code,Year,Emigrants from Afghanistan: Where did they move to?``, one row
per destination and year, and the origin's own rows holding the text ``Selected country``. It is read as
a migrant stock (people born in the origin living in each destination, UN DESA's figures as OWID
republishes them). The title tells the layout: a grapher file holding the mark is refused, not re-read.

A ``<file>.metadata.json`` beside the CSV (OWID's download includes it) gives the citation.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from diaspora_observatory.countries import is_known_alpha3
from diaspora_observatory.importers.codes import alpha3_or_none
from diaspora_observatory.importers.errors import MalformedSource
from diaspora_observatory.importers.imported import AGGREGATE_COLUMNS, COLUMNS, Imported
from diaspora_observatory.importers.provenance import SourceInfo
from diaspora_observatory.importers.report import ImportReport
from diaspora_observatory.importers.tabular_input import MISSING_MARKS, RowKeys, csv_rows, parse_number

_YEAR = re.compile(r"^-?\d{1,4}$")
_CODE = re.compile(r"^(?:[A-Z]{3}|[A-Z]{2,5}_[A-Z0-9_]+)$")  # ISO alpha-3, or OWID_WRL, UN_AFR, WB_EAP, …
_FLOWS_TITLE = re.compile(r"^Emigrants from (.+?): where did they move to\??$", re.IGNORECASE)
SELECTED = "Selected country"
AGGREGATE_REASON = "OWID region, income group or world (an OWID code such as OWID_WRL or UN_AFR, or no code): " \
                   "kept apart as aggregates"


def source_info(indicator: str, path: Path | None = None) -> SourceInfo:
    citation = (f"Our World in Data: {indicator} (grapher data; see the chart page for the underlying "
                "producers).")
    metadata = _metadata(path) if path else {}
    column = metadata.get("columns", {}).get(indicator, {})
    citation = column.get("citationLong") or citation
    url = metadata.get("chart", {}).get("originalChartUrl") or "https://ourworldindata.org"
    return SourceInfo(producer="Our World in Data", title=indicator, citation=citation, licence="CC BY 4.0", url=url)


def _metadata(path: Path) -> dict:
    sidecar = path.with_name(f"{path.stem}.metadata.json")
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.is_file() else {}
    except (json.JSONDecodeError, UnicodeDecodeError, OSError):
        return {}
    return data if isinstance(data, dict) else {}


def _rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    rows = csv_rows(path)
    header = [h.strip() for h in next(rows, [])]
    if header[:3] != ["Entity", "Code", "Year"]:
        raise MalformedSource(path.name, f"the header starts {', '.join(header[:3]) or '(empty)'} instead of "
                              "Entity, Code, Year", "download the chart's data as CSV from Our World in Data "
                              "(daily series with a Day column are not supported)", row=1)
    body = []
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise MalformedSource(path.name, f"row has {len(cells)} cells but the header has {len(header)}",
                                  "check for a stray or missing comma", row=number)
        body.append((number, cells))
    return header, body


def _is_text_column(body: list[tuple[int, list[str]]], index: int) -> bool:
    """A column whose filled cells are mostly words (a region name), not numbers: no indicator."""
    filled = [cells[index].strip() for _, cells in body if cells[index].strip() not in MISSING_MARKS]
    if not filled:
        return False
    numeric = 0
    for text in filled:
        try:
            parse_number(text)
            numeric += 1
        except ValueError:
            pass
    return numeric == 0 and not any(text == SELECTED for text in filled)


def read_owid(path: Path, indicator: str | None = None, kind: str | None = None) -> Imported:
    """Import a grapher CSV's indicator column, or a Migration Flows explorer export.

    ``kind`` is ``population`` or ``indicator`` for a grapher file (by default ``population`` when the
    column's name mentions population); a flows export is a ``migrant_stock``.
    """
    path = Path(path)
    header, body = _rows(path)
    columns = header[3:]
    if not columns:
        raise MalformedSource(path.name, "no indicator column after Entity, Code, Year", row=1)
    report = ImportReport(path.name, unit="values")
    text_columns = [name for i, name in enumerate(columns, start=3) if _is_text_column(body, i)]
    indicators = [name for name in columns if name not in text_columns]
    if indicator is None:
        if len(indicators) > 1:
            raise MalformedSource(path.name, f"holds {len(indicators)} indicators ({', '.join(indicators)})",
                                  "choose one with --indicator", row=1)
        if not indicators:
            raise MalformedSource(path.name, f"has no column of numbers after Entity, Code, Year (only text: "
                                  f"{', '.join(text_columns)})", "download the chart's data as CSV again", row=1)
        indicator = indicators[0]
    if indicator not in columns:
        raise MalformedSource(path.name, f"has no column {indicator!r}; its indicators are {', '.join(indicators)}",
                              "choose one of those with --indicator", row=1)
    for name in columns:
        if name != indicator:
            report.unmatched(name)
            report.notice(f"column {name!r} is {'text' if name in text_columns else 'another indicator'}, "
                          "not imported")
    value_i = header.index(indicator)
    marked = next((number for number, cells in body if cells[value_i].strip() == SELECTED), None)
    if marked is not None and not _FLOWS_TITLE.match(indicator):
        # Read as a flows export, a grapher file with one such cell would store every country's value as
        # people born in the marked row's country: a different quantity, silently.
        raise MalformedSource(path.name, f"{SELECTED!r} is the mark of OWID's Migration Flows export, but the "
                              f"column is titled {indicator!r}, not 'Emigrants from …: Where did they move to?'",
                              "if this is a Migration Flows export, keep the header it was downloaded with; "
                              "otherwise correct the cell", row=marked, column=value_i, header=indicator)
    if _FLOWS_TITLE.match(indicator):
        if kind not in (None, "migrant_stock"):
            raise MalformedSource(path.name, f"this is OWID's Migration Flows export ({indicator}): people born in "
                                  "one country by destination, not an indicator", "import it without --kind, or "
                                  "with --kind migrant_stock", row=1, column=value_i, header=indicator)
        return _flows(path, header, body, value_i, indicator, report)
    if kind == "migrant_stock":
        raise MalformedSource(path.name, f"a grapher file has one value per country and year ({indicator}), no "
                              "country of origin, so it cannot be a migrant stock by origin",
                              "import it with --kind indicator (or population); the stock by origin is in UN "
                              "DESA's table by destination and origin, or OWID's Migration Flows export", row=1)
    kind = kind or ("population" if "population" in indicator.lower() else "indicator")
    countries, aggregates = [], []
    keys = RowKeys(path.name, "entity and year")
    for number, cells in body:
        entity, code, year = _place_and_year(path, cells, number)
        keys.add((code or entity, year), number)
        value = _value(path, cells, number, value_i, indicator)
        report.read += 1
        if value is None:
            report.skip("empty in the file (no value)")
        elif code and is_known_alpha3(code):
            countries.append((code, year, value))
        else:
            aggregates.append((code, entity, year, value))
    table: list[tuple]
    agg: list[tuple]
    if kind == "population":
        table = [(c, y, round(v)) for c, y, v in countries]
        agg = [(c, n, y, round(v)) for c, n, y, v in aggregates]
    else:
        table = [(c, y, indicator, v) for c, y, v in countries]
        agg = [(c, n, y, indicator, v) for c, n, y, v in aggregates]
    return _imported(path, kind, table, agg, indicator, report, {"layout": "grapher", "indicator": indicator,
                                                                  "ignored_columns": report.unmatched_columns})


def _place_and_year(path: Path, cells: list[str], number: int) -> tuple[str, str, int]:
    entity, code, year_text = cells[0].strip(), cells[1].strip(), cells[2].strip()
    if code and not _CODE.match(code):
        raise MalformedSource(path.name, f"unknown code {code!r}", "grapher files use ISO alpha-3 codes or OWID's "
                              "region codes (OWID_WRL, UN_AFR, …); leave the code empty for a region", row=number,
                              column=1, header="Code")
    if not _YEAR.match(year_text):
        raise MalformedSource(path.name, f"{year_text!r} is not a year", "write a year such as 2024",
                              row=number, column=2, header="Year")
    return entity, code, int(year_text)


def _value(path: Path, cells: list[str], number: int, index: int, indicator: str) -> float | None:
    try:
        return parse_number(cells[index])
    except ValueError as error:
        raise MalformedSource(path.name, f"{error}", "correct the value or leave the cell empty for missing",
                              row=number, column=index, header=indicator) from None


def _flows(path: Path, header: list[str], body: list, value_i: int, indicator: str, report: ImportReport) -> Imported:
    """People born in the selected country by destination: rows of a migrant stock, both sexes."""
    selected = {(cells[0].strip(), cells[1].strip()) for _, cells in body if cells[value_i].strip() == SELECTED}
    title = _FLOWS_TITLE.match(indicator)
    named = alpha3_or_none(title.group(1)) if title else None
    codes = {code for _, code in selected if code}
    if len(codes) > 1 or (codes and named and codes != {named}):
        raise MalformedSource(path.name, f"the rows marked {SELECTED!r} name {', '.join(sorted(codes))}, the title "
                              f"names {title.group(1) if title else 'no country'}", "export one country at a time "
                              "from the Migration Flows explorer", column=value_i, header=indicator)
    origin = next(iter(codes), None) or named
    if origin is None or not is_known_alpha3(origin):
        raise MalformedSource(path.name, f"cannot tell the country of origin from {indicator!r}", "export the "
                              "file again from the Migration Flows explorer with one country selected", row=1,
                              column=value_i, header=indicator)
    countries, aggregates = [], []
    keys = RowKeys(path.name, "entity and year")
    for number, cells in body:
        entity, code, year = _place_and_year(path, cells, number)
        keys.add((code or entity, year), number)
        report.read += 1
        if cells[value_i].strip() == SELECTED:
            report.skip(f"the selected country itself (OWID writes {SELECTED!r})")
            continue
        try:
            stock = parse_number(cells[value_i])
        except ValueError as error:
            raise MalformedSource(path.name, f"{error}; expected a count of people", "correct the value or leave "
                                  "the cell empty for missing", row=number, column=value_i, header=indicator) from None
        if stock is None:
            report.skip("empty in the file (no value)")
            continue
        if stock < 0 or not float(stock).is_integer():
            raise MalformedSource(path.name, f"{cells[value_i].strip()!r} is not a count of people", "correct the "
                                  "value", row=number, column=value_i, header=indicator)
        if code and is_known_alpha3(code):
            countries.append((code, origin, year, "both", int(stock), ""))
        else:
            aggregates.append((code, entity, origin, "", year, "both", int(stock), ""))
    report.notice("OWID's export has no type-of-data column: every row is stored with the definition birthplace; "
                  "UN DESA's workbook marks destinations counted by citizenship (C)")
    return _imported(path, "migrant_stock", countries, aggregates, indicator, report,
                     {"layout": "owid-migration-flows", "indicator": indicator, "origin": origin,
                      "years": sorted({row[2] for row in countries})})


def _imported(path: Path, kind: str, table: list, aggregates: list, indicator: str, report: ImportReport,
              details: dict) -> Imported:
    import pandas as pd

    report.stored = len(table)
    report.skip(AGGREGATE_REASON, len(aggregates))
    return Imported(kind, "owid", path, pd.DataFrame(table, columns=COLUMNS[kind]),
                    pd.DataFrame(aggregates, columns=AGGREGATE_COLUMNS[kind]), source_info(indicator, path), details,
                    report)
