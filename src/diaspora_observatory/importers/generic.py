"""Any CSV or XLSX with a column mapping, given as ``--map target=Source column`` options or a YAML file:

```yaml
kind: population            # population | migrant_stock | indicator | flows | mirror_flows
sheet: Data                 # XLSX only; the first sheet by default
columns: {country: Country, year: Year, population: Total population}
constants: {sex: both}      # values for targets the file has no column for
aggregates: [World, Asia]   # codes or names kept apart instead of refused (numbers too: [900, 5500])
decimal: ","                # the decimal mark of the file's numbers: "." or ","; refused when ambiguous
producer: National Statistical Committee
citation: National Statistical Committee (2024). Population by region.
licence: CC BY 4.0
```
The header row is the first row (of the first 20) holding every mapped column name. Numeric codes of
900 and above in a country column are UN M49 regions and totals: kept apart as aggregates by default.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from diaspora_observatory.importers.codes import alpha3_or_none, is_m49_aggregate, m49_number
from diaspora_observatory.importers.errors import AmbiguousValue, MalformedSource
from diaspora_observatory.importers.imported import AGGREGATE_COLUMNS, COLUMNS, Imported
from diaspora_observatory.importers.provenance import SourceInfo
from diaspora_observatory.importers.report import ImportReport
from diaspora_observatory.importers.tabular_input import (
    DECIMALS,
    Ambiguous,
    RowKeys,
    cell_text,
    csv_rows,
    is_workbook,
    parse_count,
    parse_number,
    workbook_rows,
)

HEADER_SEARCH_ROWS = 20
REQUIRED = {"population": ["country", "year", "population"],
            "migrant_stock": ["destination", "origin", "year", "stock"],
            "indicator": ["country", "year", "indicator", "value"],
            # A national table of arrivals and departures by partner country, from the origin's side:
            # emigration is people leaving the origin for the partner, immigration people arriving from it.
            "flows": ["partner", "year", "emigration", "immigration"],
            # The same table as another country reports it (the partner's statistics office), for mirror
            # statistics: ``reporter`` is that country, emigration people leaving it for ``partner``.
            "mirror_flows": ["reporter", "partner", "year", "emigration", "immigration"]}
DEFAULTS = {"migrant_stock": {"sex": "both", "data_type": ""}}
KEYS = {"population": ["country", "year"], "migrant_stock": ["destination", "origin", "year", "sex"],
        "indicator": ["country", "year", "indicator"], "flows": ["partner", "year"],
        "mirror_flows": ["reporter", "partner", "year"]}
COUNTRY_TARGETS = {"country", "destination", "origin", "partner", "reporter"}
COUNT_TARGETS = {"population", "stock", "emigration", "immigration"}


@dataclass
class Mapping:
    """Which column of the file fills which column of the tidy table, and who made the file."""

    kind: str
    columns: dict[str, str]
    constants: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    aggregates: list[str] = field(default_factory=list)
    producer: str = ""
    citation: str = ""
    licence: str = ""
    url: str = ""
    decimal: str | None = None

    @classmethod
    def from_options(cls, kind: str, pairs: list[str], **extra) -> Mapping:
        """From ``target=Source column`` option values."""
        columns = {}
        for pair in pairs:
            target, sep, source = pair.partition("=")
            if not sep or not target.strip() or not source.strip():
                raise MalformedSource("--map", f"{pair!r} is not target=Source column",
                                      "write for example --map country='Country Code'")
            columns[target.strip()] = source.strip()
        return cls(kind=kind, columns=columns, **extra)

    @classmethod
    def from_yaml(cls, path: Path) -> Mapping:
        import yaml

        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            raise MalformedSource(Path(path).name, f"is not valid YAML ({getattr(error, 'problem', error)})",
                                  "fix the mapping file's syntax", row=mark.line + 1 if mark else None) from None
        if not isinstance(data, dict) or "columns" not in data or "kind" not in data:
            raise MalformedSource(Path(path).name, "the mapping needs 'kind' and 'columns'",
                                  "see docs/import.md for an example mapping")
        known = {"kind", "columns", "constants", "sheet", "aggregates", "producer", "citation", "licence", "url",
                 "decimal"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise MalformedSource(Path(path).name, f"unknown key(s) {', '.join(unknown)}",
                                  f"use only {', '.join(sorted(known))}")
        if not isinstance(data.get("aggregates", []), list) or not isinstance(data["columns"], dict):
            raise MalformedSource(Path(path).name, "'columns' must be a mapping and 'aggregates' a list",
                                  "see docs/import.md for an example mapping")
        text_keys = {"kind", "sheet", "producer", "citation", "licence", "url", "decimal"}
        # YAML's values, their keys checked above; the constructor's own types are the contract from here.
        options: dict[str, Any] = {k: (str(v) if k in text_keys and v is not None else v) for k, v in data.items()}
        return cls(**options)

    def validate(self, label: str) -> None:
        if self.decimal not in (None, *DECIMALS):
            raise MalformedSource(label, f"unknown decimal mark {self.decimal!r}", "write decimal: '.' or ','")
        if self.kind not in REQUIRED:
            raise MalformedSource(label, f"unknown kind {self.kind!r}", f"choose one of {', '.join(REQUIRED)}")
        given = set(self.columns) | set(self.constants) | set(DEFAULTS.get(self.kind, {}))
        missing = [t for t in REQUIRED[self.kind] if t not in given]
        if missing:
            raise MalformedSource(label, f"the mapping gives no column for {', '.join(missing)}",
                                  f"map them, e.g. --map {missing[0]}='<column name in the file>'")
        allowed = set(COLUMNS[self.kind])
        extra = sorted(set(self.columns) - allowed)
        if extra:
            raise MalformedSource(label, f"unknown target column(s) {', '.join(extra)}",
                                  f"targets of {self.kind}: {', '.join(COLUMNS[self.kind])}")


def _find_header(rows, mapping: Mapping, file: str, sheet: str | None) -> tuple[int, list[str]]:
    wanted = set(mapping.columns.values())
    for number, row in enumerate(rows, start=1):
        cells = [cell_text(c) for c in row]
        if wanted <= set(cells):
            return number, cells
        if number >= HEADER_SEARCH_ROWS:
            break
    raise MalformedSource(file, f"no header row holding {', '.join(repr(w) for w in sorted(wanted))} in the first "
                          f"{HEADER_SEARCH_ROWS} rows", "check the column names of the mapping against the file",
                          sheet=sheet)


def read_mapped(path: Path, mapping: Mapping) -> Imported:
    """Import a CSV or XLSX file through ``mapping`` into the tidy table of ``mapping.kind``."""

    path = Path(path)
    mapping.validate(path.name)
    if is_workbook(path):
        sheet, rows = workbook_rows(path, mapping.sheet)
        with closing(rows):  # closes the workbook file even when a malformed cell stops the parse
            return _read_rows(path, mapping, sheet, rows)
    return _read_rows(path, mapping, None, csv_rows(path))


def _aggregate_key(value: object) -> str:
    """A mapping's aggregate entry as the cell text it matches (YAML reads ``900`` as a number)."""
    return cell_text(value)


def _read_rows(path: Path, mapping: Mapping, sheet: str | None, rows) -> Imported:
    import pandas as pd

    header_row, header = _find_header(rows, mapping, path.name, sheet)
    index = {target: header.index(source) for target, source in mapping.columns.items()}
    constants = {**DEFAULTS.get(mapping.kind, {}), **mapping.constants}
    for target in COUNTRY_TARGETS & set(constants):  # a constant country (``reporter: KGZ``) is a code too
        constant_code = alpha3_or_none(cell_text(constants[target]))
        if constant_code is None:
            raise MalformedSource(path.name, f"unknown country {constants[target]!r} under 'constants'",
                                  "use an ISO alpha-3 or alpha-2 code, a UN M49 number or an English name")
        constants[target] = constant_code
    aggregates_named = {_aggregate_key(a) for a in mapping.aggregates}
    report = ImportReport(path.name)
    for heading in header:
        if heading and heading not in mapping.columns.values():
            report.unmatched(heading)
    countries: list[dict[str, object]] = []
    aggregates: list[dict[str, object]] = []
    lookup: dict[str, str | None] = {}
    regions_by_code: set[str] = set()
    keys = RowKeys(path.name, " and ".join(KEYS[mapping.kind]), sheet)
    for number, row in enumerate(rows, start=header_row + 1):
        if not row or all(c is None or str(c).strip() == "" for c in row):
            continue
        report.read += 1
        record: dict[str, object] = dict(constants)
        is_aggregate = False
        for target, column in index.items():
            cell = row[column] if column < len(row) else None
            try:
                value = _convert(target, cell, mapping.decimal)
            except Ambiguous as error:
                raise AmbiguousValue(path.name, f"{error}", error.hint, sheet=sheet, row=number, column=column,
                                     header=header[column]) from None
            except ValueError as error:
                raise MalformedSource(path.name, f"{error}", "correct the cell, or leave it empty for missing",
                                      sheet=sheet, row=number, column=column, header=header[column]) from None
            if target in COUNTRY_TARGETS:
                code = m49_number(value)
                if value in aggregates_named:
                    is_aggregate = True
                elif code is not None and is_m49_aggregate(code):
                    is_aggregate = True  # no country has an M49 code of 900 or above: a region or total
                    regions_by_code.add(value)
                else:
                    if value not in lookup:
                        lookup[value] = alpha3_or_none(value)
                    if lookup[value] is None:
                        raise MalformedSource(path.name, f"unknown country {value!r}", "use ISO alpha-3 or alpha-2 "
                                              "codes, UN M49 numbers or English names; list regions under "
                                              "'aggregates' in the mapping to keep them apart", sheet=sheet,
                                              row=number, column=column, header=header[column])
                    value = lookup[value]
            record[target] = value
        keys.add(tuple(record.get(t) for t in KEYS[mapping.kind]), number)
        if any(record.get(t) is None for t in COUNT_TARGETS | {"value"} if t in record):
            report.skip("empty value (missing in the file)")
            continue
        (aggregates if is_aggregate else countries).append(record)
    columns = COLUMNS[mapping.kind]
    table = pd.DataFrame([[r.get(c) for c in columns] for r in countries], columns=columns)
    agg_columns = AGGREGATE_COLUMNS[mapping.kind]
    agg = pd.DataFrame([[r.get(c) for c in agg_columns] for r in aggregates], columns=agg_columns)
    if mapping.kind in ("population", "flows", "mirror_flows"):
        agg["code"] = pd.Series([r.get("country" if mapping.kind == "population" else "partner") for r in aggregates],
                                index=agg.index, dtype=object)
    report.stored = len(table)
    report.skip("region or total (listed under 'aggregates', or an M49 code of 900 and above): kept apart",
                len(aggregates))
    if regions_by_code:
        report.notice(f"numeric codes of 900 and above read as UN M49 regions and totals: "
                      f"{', '.join(sorted(regions_by_code, key=int)[:10])}")
    info = SourceInfo(producer=mapping.producer or "not stated", citation=mapping.citation or path.name,
                      licence=mapping.licence or "not stated", url=mapping.url)
    return Imported(mapping.kind, "generic", path, table, agg, info,
                    {"layout": "mapped", "sheet": sheet, "header_row": header_row, "columns": mapping.columns,
                     "constants": mapping.constants, "decimal": mapping.decimal}, report)


def _convert(target: str, cell: object, decimal: str | None = None):
    if target in COUNT_TARGETS:
        return parse_count(cell, decimal)
    if target == "value":
        return parse_number(cell, decimal)
    if target == "year":
        number = parse_number(cell)
        if number is None or not float(number).is_integer():
            raise ValueError(f"{cell!r} is not a year")
        return int(number)
    text = "" if cell is None else str(cell).strip()
    if target in COUNTRY_TARGETS and not text:
        raise ValueError("the country is missing")
    if isinstance(cell, float) and cell.is_integer():
        text = str(int(cell))  # M49 numbers read from a workbook come back as floats
    return text
