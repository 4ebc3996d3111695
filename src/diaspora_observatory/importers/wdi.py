"""World Bank World Development Indicators: the CSV download (four preamble lines, one column per year)
and the long ``Country Name,Country Code,Year,Value`` layout (as in the datasets/population package).

Country codes are ISO alpha-3, except the World Bank's regions, income groups and the world (WLD, EAS,
HIC, …) and areas without an ISO code (XKX Kosovo, CHI Channel Islands): those are kept apart as aggregates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from diaspora_observatory.countries import is_known_alpha3
from diaspora_observatory.importers.errors import MalformedSource
from diaspora_observatory.importers.imported import AGGREGATE_COLUMNS, COLUMNS, Imported
from diaspora_observatory.importers.provenance import SourceInfo
from diaspora_observatory.importers.report import ImportReport
from diaspora_observatory.importers.tabular_input import RowKeys, csv_rows, is_zip, parse_number, zip_member_rows
from diaspora_observatory.spreadsheet_cells import column_letter

POPULATION_INDICATOR = "SP.POP.TOTL"
PREAMBLE_SEARCH_ROWS = 10
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_CODE = re.compile(r"^[A-Z0-9]{3}$")


INDICATOR_NAMES = {POPULATION_INDICATOR: "Population, total"}
# The codes World Bank files use besides ISO alpha-3: its 48 regions, income and lending groups and the world
# (the rows of Metadata_Country_API_SP.POP.TOTL_DS2_en_csv_v2_246068.csv with no region, in the World Bank's
# download of 2025-11-17), "Not classified" (INX), and two areas with no ISO code (XKX Kosovo, CHI Channel
# Islands). Any other code kept apart is named in the import's notices: a mistyped country code would
# otherwise move that country's rows to the aggregates without a word.
WORLD_BANK_CODES = frozenset("""
    AFE AFW ARB CEB CSS EAP EAR EAS ECA ECS EMU EUU FCS HIC HPC IBD IBT IDA IDB IDX LAC LCN LDC LIC LMC LMY
    LTE MEA MIC MNA NAC OED OSS PRE PSS PST SAS SSA SSF SST TEA TEC TLA TMN TSA TSS UMC WLD INX XKX CHI""".split())


def source_info(indicator: str, licence: str = "CC BY 4.0 (World Bank terms of use for datasets)") -> SourceInfo:
    label = f"{INDICATOR_NAMES[indicator]} ({indicator})" if indicator in INDICATOR_NAMES else indicator
    return SourceInfo(producer="World Bank", title=f"World Development Indicators: {label}",
                      citation=f"World Bank. World Development Indicators: {label}.", licence=licence,
                      url=f"https://data.worldbank.org/indicator/{indicator}")


def _package_details(path: Path) -> dict:
    """Title, version and licence from a Frictionless datapackage.json beside the file, if there is one."""
    descriptor_path = path.parent / "datapackage.json"
    if not descriptor_path.is_file():
        return {}
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    licences = [entry.get("name", "") for entry in descriptor.get("licenses", [])]
    sources = [entry.get("path", "") for entry in descriptor.get("sources", [])]
    return {"package_title": descriptor.get("title", ""), "package_version": descriptor.get("version", ""),
            "package_licences": licences, "package_sources": sources}


def read_wdi(path: Path, indicator: str | None = None) -> Imported:
    """Import a WDI file (download with preamble, or long layout); population when the indicator is
    SP.POP.TOTL (or the long layout, which names none), a generic indicator otherwise."""
    path = Path(path)
    label = path.name
    rows: Iterator[list[str]]
    if is_zip(path):  # the download as the World Bank serves it: the data CSV and two metadata CSVs
        member, rows = zip_member_rows(path, lambda name: name.startswith("API_") and name.lower().endswith(".csv"))
        label = f"{path.name} ({member})"
    else:
        rows = csv_rows(path)
    preamble: dict[str, str] = {}
    for number, cells in enumerate(rows, start=1):
        stripped = [c.strip() for c in cells]
        if "Country Code" in stripped:
            if "Year" in stripped and "Value" in stripped:
                return _long(path, label, stripped, number, rows, indicator, preamble)
            return _wide(path, label, stripped, number, rows, indicator, preamble)
        if len(stripped) >= 2 and stripped[0]:
            preamble[stripped[0]] = stripped[1]
        if number >= PREAMBLE_SEARCH_ROWS:
            break
    raise MalformedSource(label, f"no header with a 'Country Code' column in the first {PREAMBLE_SEARCH_ROWS} rows",
                          "give a World Bank WDI CSV download or a Country Name,Country Code,Year,Value file")


def _value(cell: str, label: str, number: int, column: int, header: str) -> float | None:
    try:
        return parse_number(cell)
    except ValueError as error:
        raise MalformedSource(label, f"{error}", "correct the value or leave the cell empty for missing",
                              row=number, column=column, header=header) from None


def _code(cells: list[str], index: int, label: str, number: int, header: str) -> str:
    code = cells[index].strip()
    if not _CODE.match(code):
        raise MalformedSource(label, f"{code!r} is not a three-letter country code",
                              "World Bank files use ISO alpha-3 codes such as KAZ", row=number, column=index,
                              header=header)
    return code


def _finish(path: Path, kind: str, indicator: str, records: list[tuple], details: dict,
            report: ImportReport) -> Imported:
    import pandas as pd

    countries = [r for r in records if is_known_alpha3(r[0])]
    aggregates = [r for r in records if not is_known_alpha3(r[0])]
    if kind == "population":
        table = pd.DataFrame([(c, y, round(v)) for c, _, y, v in countries], columns=COLUMNS["population"])
        agg = pd.DataFrame([(c, n, y, round(v)) for c, n, y, v in aggregates], columns=AGGREGATE_COLUMNS["population"])
    else:
        table = pd.DataFrame([(c, y, indicator, v) for c, _, y, v in countries], columns=COLUMNS["indicator"])
        agg = pd.DataFrame([(c, n, y, indicator, v) for c, n, y, v in aggregates],
                           columns=AGGREGATE_COLUMNS["indicator"])
    package = _package_details(path)
    details = {**details, "indicator": indicator, **package}
    licence = ", ".join(package.get("package_licences", [])) or None
    info = source_info(indicator, licence) if licence else source_info(indicator)
    report.read += len(records)
    report.stored = len(table)
    report.skip("World Bank region, income group or the world (not an ISO country code): kept apart as "
                "aggregates", len(agg))
    strange = sorted({(code, name) for code, name, *_ in aggregates if code not in WORLD_BANK_CODES})
    if strange:
        named = ", ".join(f"{code} ({name})" if name else code for code, name in strange)
        report.notice(f"{len(strange)} code(s) are neither ISO country codes nor World Bank aggregates and were "
                      f"kept apart with the aggregates: {named}; if one is a mistyped country code, correct it in "
                      "the file and import again (its rows are not in the case)")
    return Imported(kind, "wdi", path, table, agg, info, details, report)


def _long(path: Path, label: str, header: list[str], header_row: int, rows: Iterator[list[str]], indicator: str | None,
          preamble: dict) -> Imported:
    code_i, year_i, value_i = header.index("Country Code"), header.index("Year"), header.index("Value")
    name_i = header.index("Country Name") if "Country Name" in header else None
    indicator = indicator or POPULATION_INDICATOR
    records = []
    keys = RowKeys(label, "country and year")
    report = ImportReport(label, unit="values")
    for index, name in enumerate(header):
        if name and index not in (code_i, year_i, value_i, name_i):
            report.unmatched(name)
    for number, cells in enumerate(rows, start=header_row + 1):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < len(header):
            raise MalformedSource(label, f"row has {len(cells)} cells but the header has {len(header)}",
                                  "check for a stray or missing comma", row=number)
        code = _code(cells, code_i, label, number, "Country Code")
        year_text = cells[year_i].strip()
        if not _YEAR.match(year_text):
            raise MalformedSource(label, f"{year_text!r} is not a year", "write a year such as 2024",
                                  row=number, column=year_i, header="Year")
        keys.add((code, int(year_text)), number)
        value = _value(cells[value_i], label, number, value_i, "Value")
        if value is None:
            report.read += 1
            report.skip("empty in the file (no value)")
        else:
            records.append((code, cells[name_i].strip() if name_i is not None else "", int(year_text), value))
    kind = "population" if indicator == POPULATION_INDICATOR else "indicator"
    return _finish(path, kind, indicator, records, {"layout": "long", "header_row": header_row, **preamble}, report)


def _refuse_repeated_columns(label: str, header: list[str], years: list[int], header_row: int) -> None:
    """Each year and each naming column once: a repeated year would give a country two values for that year
    (the later silently replacing the earlier), a repeated name column would leave which one is read to chance."""
    named = [h.strip() for h in header if h.strip() in ("Country Name", "Country Code", "Indicator Name",
                                                        "Indicator Code")]
    for found in ([str(y) for y in years], named):
        repeated = sorted({h for h in found if found.count(h) > 1})
        if repeated:
            columns = [i for i, h in enumerate(header) if h.strip() == repeated[0]]
            raise MalformedSource(label, f"{repeated[0]!r} heads {len(columns)} columns "
                                  f"({', '.join(column_letter(c) for c in columns)})", "give each year and each name "
                                  "column once; download the file again if it was edited", row=header_row,
                                  column=columns[1], header=repeated[0])


def _wide(path: Path, label: str, header: list[str], header_row: int, rows: Iterator[list[str]], indicator: str | None,
          preamble: dict) -> Imported:
    code_i = header.index("Country Code")
    name_i = header.index("Country Name") if "Country Name" in header else None
    indicator_i = header.index("Indicator Code") if "Indicator Code" in header else None
    years = {i: int(h) for i, h in enumerate(header) if _YEAR.match(h)}
    _refuse_repeated_columns(label, header, [*years.values()], header_row)
    if not years:
        raise MalformedSource(label, "the header has no year columns", "a WDI download has one column per "
                              "year (1960, 1961, …) after Indicator Code", row=header_row)
    records, seen_indicators = [], []
    keys = RowKeys(label, "country and indicator")
    report = ImportReport(label, unit="values")
    for index, name in enumerate(header):
        if name and index not in years and name not in ("Country Name", "Country Code", "Indicator Name",
                                                         "Indicator Code"):
            report.unmatched(name)
    for number, cells in enumerate(rows, start=header_row + 1):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) <= max(years):  # a row cut short would read its last years as missing
            raise MalformedSource(label, f"row has {len(cells)} cells but the header has {len(header)}",
                                  "check for a stray or missing comma, or download the file again", row=number)
        row_indicator = cells[indicator_i].strip() if indicator_i is not None and indicator_i < len(cells) else ""
        if row_indicator and row_indicator not in seen_indicators:
            seen_indicators.append(row_indicator)
        chosen = indicator or (seen_indicators[0] if seen_indicators else POPULATION_INDICATOR)
        if row_indicator and row_indicator != chosen:
            continue
        code = _code(cells, code_i, label, number, "Country Code")
        keys.add((code, row_indicator), number)
        name = cells[name_i].strip() if name_i is not None else ""
        for index, year in years.items():
            value = _value(cells[index] if index < len(cells) else "", label, number, index, header[index])
            if value is None:
                report.read += 1
                report.skip("empty in the file (no value)")
            else:
                records.append((code, name, year, value))
    chosen = indicator or (seen_indicators[0] if seen_indicators else POPULATION_INDICATOR)
    if len(seen_indicators) > 1 and indicator is None:
        raise MalformedSource(label, f"holds {len(seen_indicators)} indicators ({', '.join(seen_indicators[:5])}"
                              f"{', …' if len(seen_indicators) > 5 else ''})", "choose one with --indicator",
                              header="Indicator Code")
    if indicator is not None and indicator not in seen_indicators and seen_indicators:
        raise MalformedSource(label, f"has no indicator {indicator!r}; it holds {', '.join(seen_indicators[:5])}",
                              "choose one of those with --indicator", header="Indicator Code")
    kind = "population" if chosen == POPULATION_INDICATOR else "indicator"
    return _finish(path, kind, chosen, records, {"layout": "wdi-download", "header_row": header_row, **preamble},
                   report)
