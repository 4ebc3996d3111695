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
from itertools import chain
from pathlib import Path

from diaspora_observatory.importers.codes import (
    M49_AGGREGATES_FROM,
    M49_WITHOUT_ISO,
    alpha3_or_none,
    is_m49_aggregate,
    m49_number,
)
from diaspora_observatory.importers.errors import MalformedSource
from diaspora_observatory.importers.imported import AGGREGATE_COLUMNS, COLUMNS, Imported
from diaspora_observatory.importers.report import ImportReport
from diaspora_observatory.importers.tabular_input import (
    MISSING_MARKS,
    cell_text,
    csv_rows,
    is_workbook,
    parse_count,
    workbook_rows,
)
from diaspora_observatory.importers.undesa_header import (
    block_labels,
    check_header,
    header_roles,
    layout_of,
    plain,
    unmatched_headers,
    year_of,
)
from diaspora_observatory.importers.undesa_source import source_info
from diaspora_observatory.importers.undesa_types import FIX_CODE, code_parts, meanings_of

SHEET = "Table 1"
HEADER_SEARCH_ROWS = 40
SEXES = ("both", "male", "female")
_SEX_LABELS = {"both sexes": "both", "both": "both", "total": "both", "male": "male", "males": "male",
               "men": "male", "female": "female", "females": "female", "women": "female"}
FIX_HEADER = ("the header row must name 'Location code of destination', 'Location code of origin' and the year "
              "columns (1990, 1995, …), as in UN DESA's Table 1")


def _sex_of_label(label: str) -> str | None:
    text = plain(label)
    if text in _SEX_LABELS:
        return _SEX_LABELS[text]
    if "both sexes" in text:
        return "both"
    if re.search(r"\bfemales?\b", text):
        return "female"
    if re.search(r"\bmales?\b", text):
        return "male"
    return None


def _sex_blocks(labels: dict[int, str], header: tuple) -> dict[int, tuple[int, str]]:
    """Column index -> (year, sex) for every year column, sexes from the block labels or from repetition."""
    sexes_of = {i: _sex_of_label(text) for i, text in labels.items()}
    labelled = any(sexes_of.values())
    columns: dict[int, tuple[int, str]] = {}
    seen: dict[int, int] = {}
    for index, cell in enumerate(header):
        year = year_of(cell)
        if year is None:
            continue
        repeat = seen.get(year, 0)
        seen[year] = repeat + 1
        sex = sexes_of.get(index) if labelled else (SEXES[repeat] if repeat < len(SEXES) else None)
        if sex is None:
            raise ValueError(f"year {year} appears more than three times" if not labelled else
                             f"the block label over column {cell_text(cell)} ({labels.get(index, '')!r}) names "
                             "no sex")
        if (year, sex) in columns.values():
            raise ValueError(f"year {year} appears twice for {sex}")
        columns[index] = (year, sex)
    # Every year in every sex block: a year missing from one block means a header cell was lost, and the
    # blocks would otherwise be read with the wrong sex.
    sexes_by_year: dict[int, set] = {}
    for year, sex in columns.values():
        sexes_by_year.setdefault(year, set()).add(sex)
    expected = max(sexes_by_year.values(), key=len) if sexes_by_year else set()
    for year, sexes in sorted(sexes_by_year.items()):
        if sexes != expected:
            missing = ", ".join(sorted(expected - sexes, key=SEXES.index))
            raise ValueError(f"year {year} has no column for {missing}, unlike the other years")
    return columns


def _header_label(header: tuple, index: int) -> str:
    return cell_text(header[index]) if index < len(header) else ""


def _first_text(before: list[tuple]) -> str:
    for row in before:
        cells = [cell_text(c) for c in row if cell_text(c)]
        if cells:
            text = ", ".join(cells)
            return text if len(text) <= 80 else f"{text[:77]}…"
    return "(empty)"


def parse_table1(rows: Iterable[tuple], file: str, sheet: str | None = None, *,
                 destination_tables: bool = False) -> Imported:
    """Parse UN DESA's Table 1 layout from rows of cell values (a workbook sheet or a CSV of it).

    A table of the workbook *by destination* (no origin columns) is read as indicators when
    ``destination_tables`` is true and refused, naming the table, otherwise.
    """
    iterator: Iterator[tuple] = iter(rows)
    before: list[tuple] = []
    header: tuple | None = None
    layout = None
    header_row = 0
    for header_row, row in enumerate(iterator, start=1):
        layout = layout_of(tuple(row)) if row else None
        if layout:
            header = tuple(row)
            break
        before.append(tuple(row or ()))
        if header_row >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        raise MalformedSource(file, f"no header row found in the first {HEADER_SEARCH_ROWS} rows (the first "
                              f"row with text reads: {_first_text(before)})", FIX_HEADER, sheet=sheet)
    if layout == "destination":
        from diaspora_observatory.importers.undesa_destination import parse_destination_table, refuse_destination

        if not destination_tables:
            raise refuse_destination(before, file, sheet, header_row)
        return parse_destination_table(before, header, header_row, iterator, file, sheet)
    roles = header_roles(header)
    check_header(header, roles, file, sheet, header_row, needs_data_type=True)
    try:
        year_columns = _sex_blocks(block_labels(before, header), header)
    except ValueError as error:
        raise MalformedSource(file, f"header: {error}", "label the blocks of year columns Both sexes, Male, Female "
                              "in the row above the header", sheet=sheet, row=header_row) from None
    imported = _table1_body(iterator, header, header_row, roles, year_columns, file, sheet)
    if imported.report is None:  # _table1_body always reports what it read
        raise RuntimeError(f"{file}: the Table 1 reader returned no import report")
    for name in unmatched_headers(header, roles):
        imported.report.unmatched(name)
    return imported


def _cell_error(file: str, sheet: str | None, number: int, column: int, label: str, problem: str,
                hint: str) -> MalformedSource:
    return MalformedSource(file, problem, hint, sheet=sheet, row=number, column=column, header=label)


def _codes(frame, index: int, numbers, header: tuple, file: str, sheet: str | None):
    """The M49 codes of one column as integers; MalformedSource at the first cell that is not one."""
    import pandas as pd

    column = frame[index] if index in frame.columns else pd.Series([None] * len(frame))
    codes = pd.to_numeric(column, errors="coerce")
    bad = codes.isna() | (codes % 1 != 0)
    if bad.any():
        position = int(bad.to_numpy().argmax())
        raise _cell_error(file, sheet, int(numbers[position]), index, _header_label(header, index),
                          f"{column.iloc[position]!r} is not a UN M49 code",
                          "location codes are whole numbers such as 398 (Kazakhstan) or 900 (World)")
    return codes.astype("int64")


def _counts(frame, index: int, label: str, numbers, file: str, sheet: str | None):
    """One year column as floats (NaN where missing); MalformedSource at the first cell that is no count."""
    import numpy as np
    import pandas as pd

    column = frame[index] if index in frame.columns else pd.Series([None] * len(frame), dtype=object)
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, copy=True)
    cells = column.to_numpy()
    # Few cells land here ('..', '', '1,234'): read them one by one with the strict parser.
    for position in map(int, np.flatnonzero(np.isnan(values))):
        if cells[position] is None or cells[position] in MISSING_MARKS:
            continue
        try:
            count = parse_count(column.iloc[position])
        except ValueError as error:
            raise _cell_error(file, sheet, int(numbers[position]), index, label,
                              f"{error}; expected a count of people or '..' for missing",
                              "correct the cell or mark it '..'") from None
        values[position] = np.nan if count is None else count
    unreadable = np.isinf(values) | (values > MAX_COUNT)
    if unreadable.any():
        position = int(unreadable.argmax())
        raise _cell_error(file, sheet, int(numbers[position]), index, label,
                          f"{column.iloc[position]!r} is not a count of people (too large)",
                          "correct the cell or mark it '..'")
    negative = values < 0
    if negative.any():
        position = int(negative.argmax())
        raise _cell_error(file, sheet, int(numbers[position]), index, label,
                          f"{column.iloc[position]!r} is negative; expected a count of people or '..' for missing",
                          "correct the cell or mark it '..'")
    # A spreadsheet's TRUE is read as 1 by to_numeric, and 1.5 people would be rounded to 2: both are errors
    # in the file, never a count.
    flags = np.fromiter((isinstance(cell, (bool, np.bool_)) for cell in cells), dtype=bool, count=len(cells))
    fractional = ~np.isnan(values) & (values != np.floor(values))
    wrong = flags | fractional
    if wrong.any():
        position = int(wrong.argmax())
        what = "is a true/false value" if flags[position] else "is not a whole number of people"
        raise _cell_error(file, sheet, int(numbers[position]), index, label,
                          f"{column.iloc[position]!r} {what}; expected a count of people or '..' for missing",
                          "correct the cell or mark it '..'")
    return values


MAX_COUNT = 10**11  # more people than have ever lived in one place: a misread cell, not a count
CHUNK_ROWS = 4000  # rows converted at a time: bounds the Python strings alive at once (a CSV's cells)


def _chunks(rows: Iterator[tuple], header_row: int) -> Iterator[tuple[list, list[int]]]:
    """The non-empty data rows in chunks, each with the rows' numbers in the file."""
    kept, numbers = [], []
    for number, row in enumerate(rows, start=header_row + 1):
        if row and any(cell is not None and cell != "" for cell in row):
            kept.append(row)
            numbers.append(number)
            if len(kept) == CHUNK_ROWS:
                yield kept, numbers
                kept, numbers = [], []
    if kept:
        yield kept, numbers


def _table1_body(rows: Iterator[tuple], header: tuple, header_row: int, roles: dict[str, int],
                 year_columns: dict[int, tuple[int, str]], file: str, sheet: str | None) -> Imported:
    """The data rows, converted column by column (vectorised: a full-size table has ~750,000 cells) and
    chunk by chunk, so that only one chunk's cells are Python objects at a time."""
    import numpy as np
    import pandas as pd

    destinations, origins, data_types, aggregates_of, row_numbers = [], [], [], [], []
    names: dict[int, str] = {}
    alpha3: dict[int, str] = {}
    present_of: dict[int, list] = {index: [] for index in year_columns}
    stock_of: dict[int, list] = {index: [] for index in year_columns}
    offset, missing = 0, 0
    for kept, numbers in _chunks(rows, header_row):
        frame = pd.DataFrame(kept, dtype=object)
        del kept
        numbers_array = np.asarray(numbers, dtype=np.int64)
        destination = _codes(frame, roles["destination_code"], numbers_array, header, file, sheet).to_numpy()
        origin = _codes(frame, roles["origin_code"], numbers_array, header, file, sheet).to_numpy()
        type_i = roles.get("data_type")
        data_types.append((frame[type_i].map(cell_text) if type_i in frame.columns
                           else pd.Series([""] * len(frame))).to_numpy(dtype=object))
        if type_i is not None:  # without the column every code is "", which means no note
            _check_data_types(data_types[-1], numbers_array, type_i, header, file, sheet)
        for code, name in _names(frame, roles, destination, origin).items():
            names.setdefault(code, name)
        aggregate = _is_aggregate(destination) | _is_aggregate(origin)
        alpha3.update(_alpha3_of_codes(destination, origin, aggregate, numbers_array, roles, header, file, sheet))
        for index, (_year, sex) in year_columns.items():
            values = _counts(frame, index, f"{_header_label(header, index)} {sex}", numbers_array, file, sheet)
            present = np.flatnonzero(~np.isnan(values))
            missing += len(values) - len(present)
            present_of[index].append(present + offset)
            stock_of[index].append(values[present].astype(np.int64))
        destinations.append(destination)
        row_numbers.append(numbers_array)
        origins.append(origin)
        aggregates_of.append(aggregate)
        offset += len(frame)
        del frame

    def joined(parts: list, dtype) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    destination, origin = joined(destinations, np.int64), joined(origins, np.int64)
    _refuse_repeated_pairs(destination, origin, joined(row_numbers, np.int64), roles, header, file, sheet)
    data_type, aggregate = joined(data_types, object), joined(aggregates_of, bool)
    # The long table is assembled from numpy arrays in one pass (year column by year column, rows in order):
    # concatenating one DataFrame per year column would hold the 560,000 output rows twice.
    order = sorted(year_columns.items())
    rows_at = joined([joined(present_of[index], np.int64) for index, _ in order], np.int64)
    years_at = joined([np.full(sum(map(len, present_of[index])), year, dtype=np.int64)
                       for index, (year, _) in order], np.int64)
    sex_codes = joined([np.full(sum(map(len, present_of[index])), SEXES.index(sex), dtype=np.int8)
                        for index, (_, sex) in order], np.int8)
    sexes_at = np.array(SEXES, dtype=object)[sex_codes] if len(sex_codes) else np.zeros(0, dtype=object)
    stocks_at = joined([joined(stock_of[index], np.int64) for index, _ in order], np.int64)
    is_aggregate = aggregate[rows_at]
    pick, keep = rows_at[~is_aggregate], ~is_aggregate
    table = pd.DataFrame({"destination": pd.Series(destination[pick]).map(alpha3),
                          "origin": pd.Series(origin[pick]).map(alpha3), "year": years_at[keep],
                          "sex": sexes_at[keep], "stock": stocks_at[keep], "data_type": data_type[pick]})
    pick, keep = rows_at[is_aggregate], is_aggregate
    names = {**M49_WITHOUT_ISO, **names}
    aggregates = pd.DataFrame({"destination_code": destination[pick], "origin_code": origin[pick],
                               "year": years_at[keep], "sex": sexes_at[keep], "stock": stocks_at[keep],
                               "data_type": data_type[pick]})
    aggregates["destination_name"] = aggregates["destination_code"].map(names).fillna("")
    aggregates["origin_name"] = aggregates["origin_code"].map(names).fillna("")
    years = sorted({year for year, _ in year_columns.values()})
    edition = str(max(years)) if years else ""
    data_type_codes = sorted(set(data_type) - {""})
    details = {"layout": "table1", "sheet": sheet, "header_row": header_row, "edition": edition, "years": years,
               "sexes": sorted({sex for _, sex in year_columns.values()}, key=SEXES.index),
               "missing_cells": missing, "data_type_codes": data_type_codes,
               "data_type_meanings": meanings_of(data_type_codes)}
    report = ImportReport(file, unit="values")
    report.read = int(len(destination) * len(year_columns))
    report.stored = len(table)
    report.skip("missing in the file ('..' or empty)", missing)
    report.skip("region, group or total (M49 code 900 and above, or no ISO code): kept apart as aggregates",
                len(aggregates))
    citizens = sorted(set(table.loc[table["data_type"].map(lambda c: "C" in c.split()), "destination"]))
    if citizens:
        report.notice(f"{len(citizens)} destinations counted by citizenship (type of data C), stored with the "
                      f"definition citizenship: {', '.join(citizens[:12])}{', …' if len(citizens) > 12 else ''}")
    return Imported("migrant_stock", "undesa", Path(file), table[COLUMNS["migrant_stock"]],
                    aggregates[AGGREGATE_COLUMNS["migrant_stock"]].reset_index(drop=True), source_info(edition),
                    details, report)


def _refuse_repeated_pairs(destination, origin, numbers, roles: dict[str, int], header: tuple, file: str,
                           sheet: str | None) -> None:
    """Each (destination, origin) pair once: a repeated row would store two counts for one pair."""
    import pandas as pd

    pairs = pd.DataFrame({"destination": destination, "origin": origin})
    repeated = pairs.duplicated(keep="first").to_numpy()
    if repeated.any():
        position = int(repeated.argmax())
        first = int(numbers[int(((pairs.destination == destination[position]) & (pairs.origin == origin[position]))
                                .to_numpy().argmax())])
        raise _cell_error(file, sheet, int(numbers[position]), roles["origin_code"],
                          _header_label(header, roles["origin_code"]),
                          f"destination {int(destination[position])} and origin {int(origin[position])} appear "
                          f"again (first on row {first})", "keep one row per destination and origin")


def _check_data_types(codes, numbers, index: int, header: tuple, file: str, sheet: str | None) -> None:
    """MalformedSource at the first cell whose type-of-data code is none of UN DESA's."""
    import numpy as np

    for code in set(codes):
        try:
            code_parts(code)
        except ValueError as error:
            position = int(np.flatnonzero(codes == code)[0])
            raise _cell_error(file, sheet, int(numbers[position]), index, _header_label(header, index), str(error),
                              FIX_CODE) from None


def _is_aggregate(codes):
    import numpy as np

    return (codes >= M49_AGGREGATES_FROM) | np.isin(codes, list(M49_WITHOUT_ISO))


def _names(frame, roles: dict[str, int], destination, origin) -> dict[int, str]:
    """The producer's name of each code, from the name columns (for the aggregates kept apart)."""
    names: dict[int, str] = {}
    for codes, role in ((destination, "destination_name"), (origin, "origin_name")):
        index = roles.get(role)
        if index is None or index not in frame.columns:
            continue
        for code, name in zip(codes, frame[index]):
            if name and int(code) not in names:
                names[int(code)] = str(name).strip()
    return names


def _alpha3_of_codes(destination, origin, aggregate, numbers, roles: dict[str, int], header: tuple, file: str,
                     sheet: str | None) -> dict[int, str]:
    """Alpha-3 of every country code; MalformedSource at the first row with a code no table knows."""
    import numpy as np

    mapping: dict[int, str] = {}
    for codes, role in ((destination, "destination_code"), (origin, "origin_code")):
        for code in np.unique(codes[~_is_aggregate(codes)]):
            code = int(code)
            if code in mapping:
                continue
            found = alpha3_or_none(str(code))
            if found is None:
                position = int(np.flatnonzero(codes == code)[0])
                raise _cell_error(file, sheet, int(numbers[position]), roles[role],
                                  _header_label(header, roles[role]), f"unknown UN M49 code {code}",
                                  "use the M49 number of a country or area; codes of 900 and above are regions "
                                  "and totals")
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
    stock_years = {i: year for i, h in enumerate(lowered) if h.startswith("stock") and (year := year_of(h))}
    year_i = lowered.index("year") if "year" in lowered else None
    stock_i = lowered.index("stock") if "stock" in lowered else None
    sex_i = lowered.index("sex") if "sex" in lowered else None
    if not stock_years and (year_i is None or stock_i is None):
        raise MalformedSource(file, "no stock columns: expected stock_YEAR columns or year and stock columns",
                              "rename the count column stock_2024 (for example), or add year and stock columns",
                              row=1)
    countries: list[tuple] = []
    aggregates: list[tuple] = []
    lookup: dict[str, str | None] = {}
    values_read = missing = 0
    seen: dict[tuple, int] = {}
    for number, cells in enumerate(iterator, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise MalformedSource(file, f"row has {len(cells)} cells but the header has {len(header)}",
                                  "check for a stray or missing comma", row=number)
        codes: list[str | None] = []
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
        sex: str | None = "both"
        if sex_i is not None:
            sex = _SEX_LABELS.get(cells[sex_i].strip().lower(), None)
            if sex is None:
                raise MalformedSource(file, f"{cells[sex_i]!r} is not a sex (both sexes, male, female)",
                                      "write both, male or female", row=number, column=sex_i, header=header[sex_i])
        if stock_years:
            pairs = [(i, year) for i, year in stock_years.items()]
        else:
            # Both are there: a header with neither stock_YEAR nor year and stock was refused above.
            assert year_i is not None and stock_i is not None
            year = year_of(cells[year_i])
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
            values_read += 1
            if stock is None:
                missing += 1
                continue
            key = (cells[dest_i].strip(), cells[orig_i].strip(), year, sex)
            if key in seen:
                raise MalformedSource(file, f"destination {key[0]}, origin {key[1]}, {year}, {sex} appears again "
                                      f"(first on row {seen[key]})", "keep one row per destination, origin, year "
                                      "and sex", row=number, column=index, header=header[index])
            seen[key] = number
            record = (*codes, year, sex, stock, "")
            if None in codes:
                aggregates.append((cells[dest_i].strip(), "", cells[orig_i].strip(), "", year, sex, stock, ""))
            else:
                countries.append(record)
    table = pd.DataFrame(countries, columns=COLUMNS["migrant_stock"])
    years = sorted(set(table["year"])) or sorted(set(stock_years.values()))
    edition = str(max(years)) if years else ""
    report = ImportReport(file, unit="values")
    report.read, report.stored = values_read, len(countries)
    report.skip("missing in the file ('..' or empty)", missing)
    report.skip("region, group or total (M49 code 900 and above): kept apart as aggregates", len(aggregates))
    used = {dest_i, orig_i, year_i, stock_i, sex_i, *stock_years}
    for index, name in enumerate(header):
        if index not in used and name:
            report.unmatched(name)
    report.notice("a long extract has no type-of-data column: every row is stored with the definition "
                  "birthplace (UN DESA's concept); check the workbook's 'Data type' column for destinations "
                  "counted by citizenship (C)")
    return Imported("migrant_stock", "undesa", Path(file), table,
                    pd.DataFrame(aggregates, columns=AGGREGATE_COLUMNS["migrant_stock"]), source_info(edition),
                    {"layout": "long", "edition": edition, "years": [int(y) for y in years]}, report)


def read_undesa(path: Path, sheet: str | None = None, *, destination_tables: bool = False) -> Imported:
    """Import a UN DESA migrant-stock file: a Table 1 workbook "by destination and origin", a CSV of that
    Table 1, a long CSV extract, or the 2019 edition's origin × destination matrix (``Year,Dest,<origins>``).

    With ``destination_tables``, the tables of the workbook *by destination* (Tables 1–4, and 6 of the
    2020 edition: totals, population, shares) are read as indicators; otherwise they are refused with a
    message naming the table, since the caller wants people by origin.

    Example: ``read_undesa(Path("undesa_pd_2024_ims_stock_by_sex_destination_and_origin.xlsx")).table``.
    """
    path = Path(path)
    if is_workbook(path):
        name, rows = workbook_rows(path, sheet or SHEET)
        with closing(rows):  # closes the workbook file even when a malformed cell stops the parse
            imported = parse_table1(rows, path.name, name, destination_tables=destination_tables)
    else:
        lines = csv_rows(path)
        first = next(lines, [])
        lowered = [c.strip().lower() for c in first]
        if lowered[:2] == ["year", "dest"]:  # the 2019 matrix as researchers export it
            from diaspora_observatory.importers.undesa_matrix import parse_matrix

            imported = parse_matrix(first, lines, path.name)
        elif "destination" in lowered or "origin" in lowered:  # short names: a long extract, not Table 1
            imported = parse_long(chain([first], lines), path.name)
        else:  # Table 1 saved as CSV: its rows as the workbook gives them, tuples of cells
            imported = parse_table1((tuple(line) for line in chain([first], lines)), path.name, None,
                                    destination_tables=destination_tables)
    imported.file = path
    return imported
