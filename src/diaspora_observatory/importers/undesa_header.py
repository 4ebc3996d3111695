"""The header of UN DESA's migrant-stock tables: which column holds what, the year and period columns,
the labels of their blocks, and the refusals of a header that would lose values.

Read the same way by the three readers of UN DESA's files: the workbook by destination and origin
(``undesa.py``), the workbook by destination (``undesa_destination.py``) and the 2019 matrix
(``undesa_matrix.py``). ``undesa.py`` hands a file to the other two; they take what they share with it
from here, so none of them imports ``undesa.py`` back.
"""

from __future__ import annotations

import re

from diaspora_observatory.importers.errors import MalformedSource
from diaspora_observatory.importers.tabular_input import cell_text

_YEAR = re.compile(r"^(?:stock_?)?((?:19|20)\d\d)(?:\.0)?$")


def plain(value: object) -> str:
    """A cell's text as the header is matched: spaces collapsed, lower case."""
    return "" if value is None else " ".join(str(value).split()).lower()


def year_of(value: object) -> int | None:
    """The year a header cell names (1990, "1990.0", "stock_2024"), or None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if float(value).is_integer() and 1900 <= value <= 2100 else None
    match = _YEAR.match(plain(value))
    return int(match.group(1)) if match else None


_PERIOD = re.compile(r"^((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)$")


def is_period(value: object) -> bool:
    """Whether a header cell names a period ("1990-1995"), as the tables of rates of change do."""
    return bool(_PERIOD.match(plain(value)))


def header_roles(header: tuple) -> dict[str, int]:
    """Which column holds what, from the header's names (codes, names, data type), in every edition's words:
    2024 ``Data type``, ``Coverage``, ``Location code [of destination|of origin]``; 2020 ``Type of data``,
    ``Notes``, ``Location code``; older CSVs ``Code`` twice (the side from the name column before it)."""
    roles: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = plain(cell)
        if not text or year_of(cell) is not None or is_period(cell):
            continue
        side = "destination" if "destination" in text else "origin" if "origin" in text else None
        if "type of data" in text or text.startswith("data type"):
            roles.setdefault("data_type", index)
        elif "note" in text or text == "coverage" or text in ("index", "sort order"):
            continue
        elif "code" in text:
            side = side or ("origin" if "origin_name" in roles else "destination")
            roles.setdefault(f"{side}_code", index)
        elif side or text.startswith("region, development group"):
            roles.setdefault(f"{side or 'destination'}_name", index)
    return roles


def layout_of(row: tuple) -> str | None:
    """``destination_and_origin`` (Table 1 of that workbook), ``destination`` (a table of the workbook by
    destination: totals, population, shares, rates) or None when the row is no header."""
    roles = header_roles(row)
    if "destination_code" not in roles:
        return None
    if "origin_code" in roles and any(year_of(c) for c in row):
        return "destination_and_origin"
    if "origin_code" not in roles and "origin_name" not in roles and "destination_name" in roles and any(
            year_of(c) is not None or is_period(c) for c in row):
        return "destination"
    return None


def block_labels(before: list[tuple], header: tuple) -> dict[int, str]:
    """The label of every year column, from the row above the header that labels the column blocks (UN DESA
    writes "International migrant stock at mid-year, both sexes combined" over the first year of each
    block, two or three rows above the header; older files write "Both sexes" just above it)."""
    data_columns = [i for i, c in enumerate(header) if year_of(c) is not None or is_period(c)]
    if not data_columns:
        return {}
    for row in reversed(before):
        cells = {i: " ".join(str(row[i]).split()) for i in data_columns
                 if i < len(row) and row[i] is not None and str(row[i]).strip()}
        if data_columns[0] in cells:
            labels, current = {}, ""
            for index in data_columns:
                current = cells.get(index, current)
                labels[index] = current
            return labels
    return {}


_IGNORED_HEADERS = ("index", "sort order", "coverage")


def unmatched_headers(header: tuple, roles: dict[str, int]) -> list[str]:
    """Header cells that are no role, year or period, and none of UN DESA's index, notes or coverage columns."""
    used = set(roles.values())
    return [cell_text(cell) for index, cell in enumerate(header)
            if cell_text(cell) and index not in used and year_of(cell) is None and not is_period(cell)
            and plain(cell) not in _IGNORED_HEADERS and "note" not in plain(cell)]


def check_header(header: tuple, roles: dict[str, int], file: str, sheet: str | None, header_row: int,
                 *, needs_data_type: bool) -> None:
    """Refuse a header whose type-of-data column is missing (the definition of every row would be lost) or
    with a cell among the year columns that is no year (its values would be dropped without a word)."""
    if needs_data_type and "data_type" not in roles:
        raise MalformedSource(file, "the header has no type-of-data column ('Data type' in the 2024 edition, "
                              "'Type of data' in 2020): without it, destinations where UN DESA counts foreign "
                              "citizens (C) would be stored as people born in the origin",
                              "keep the column as UN DESA published it", sheet=sheet, row=header_row)
    data = [i for i, c in enumerate(header) if year_of(c) is not None or is_period(c)]
    for index in range(data[0], data[-1] + 1) if data else ():
        if index not in data:
            shown = cell_text(header[index])
            raise MalformedSource(file, f"{repr(shown) if shown else 'an empty cell'} is not a year, but stands "
                                  "among the year columns", "write the year (1990, 1995, …) as UN DESA does",
                                  sheet=sheet, row=header_row, column=index, header=shown or None)
