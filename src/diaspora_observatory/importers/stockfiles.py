"""Stock, births and deaths tables for estimating flows from stocks, read from plain long CSV files.

A stock file has the columns ``birthplace,residence,stock`` (any other columns are ignored and named),
one row per pair; places may be ISO codes or any labels, the same in both files. A births or deaths file
has ``residence,births`` or ``residence,deaths``. Counts are plain numbers with a decimal point and no
thousands separator; anything else is refused with the file, row and column, never guessed.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from diaspora_observatory.csv_guard import CsvDictRows, CsvRefused
from diaspora_observatory.importers.errors import MalformedSource
from diaspora_observatory.importers.tabular_input import refused_csv


def _rows(path: Path, needed: list[str]) -> tuple[list[dict[str, str]], list[str]]:
    if not path.is_file():
        raise MalformedSource(str(path), "no such file", "check the path")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise MalformedSource(path.name, "is not UTF-8 text", "save it as CSV UTF-8") from None
    reader = CsvDictRows(text.splitlines(), path.name)
    try:
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in needed if name not in header]
        if missing:
            raise MalformedSource(path.name, f"lacks the column(s) {', '.join(missing)} (its header: "
                                  f"{', '.join(header)})", f"give a header row with {','.join(needed)}", row=1)
        reader.fieldnames = header
        rows = list(reader)
    except CsvRefused as error:
        raise refused_csv(error) from None
    if not rows:
        raise MalformedSource(path.name, "has a header but no rows", "add one row per pair")
    return rows, [name for name in header if name not in needed]


def _count(path: Path, row_number: int, column: str, text: str) -> float:
    cleaned = (text or "").strip()
    try:
        value = float(cleaned)
    except ValueError:
        raise MalformedSource(path.name, f"{cleaned!r} is not a number", "write counts as plain numbers such as "
                              "12500 or 12500.5 (no thousands separator, a decimal point)", row=row_number,
                              header=column) from None
    if not math.isfinite(value) or value < 0:
        raise MalformedSource(path.name, f"{cleaned!r} is not a count of people (it must be 0 or more)",
                              "correct the value", row=row_number, header=column)
    return value


def read_stock_table(path: str | Path) -> tuple[pd.DataFrame, list[str]]:
    """(birthplace, residence, stock table; names of the columns ignored) from a long stock CSV."""
    path = Path(path)
    rows, ignored = _rows(path, ["birthplace", "residence", "stock"])
    records: list[tuple[str, str, float]] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows, start=2):
        birthplace, residence = (row.get("birthplace") or "").strip(), (row.get("residence") or "").strip()
        if not birthplace or not residence:
            raise MalformedSource(path.name, "a place is empty", "name both places of every row", row=number,
                                  header="birthplace" if not birthplace else "residence")
        if (birthplace, residence) in seen:
            raise MalformedSource(path.name, f"the pair {birthplace} → {residence} is also on row "
                                  f"{seen[(birthplace, residence)]}", "give each pair once", row=number)
        seen[(birthplace, residence)] = number
        records.append((birthplace, residence, _count(path, number, "stock", row.get("stock", ""))))
    return pd.DataFrame(records, columns=["birthplace", "residence", "stock"]), ignored


def read_by_place(path: str | Path, value: str) -> pd.Series:
    """Births or deaths (``value``) by place of residence from a CSV with ``residence,<value>``."""
    path = Path(path)
    rows, _ignored = _rows(path, ["residence", value])
    found: dict[str, float] = {}
    for number, row in enumerate(rows, start=2):
        place = (row.get("residence") or "").strip()
        if not place:
            raise MalformedSource(path.name, "the place is empty", "name the place of every row", row=number,
                                  header="residence")
        if place in found:
            raise MalformedSource(path.name, f"{place} is given twice", "give each place once", row=number)
        found[place] = _count(path, number, value, row.get(value, ""))
    return pd.Series(found, name=value)
