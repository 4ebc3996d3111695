"""One table cell as text: the number written for its column's kind, the same in the CLI, the web page and
the report. Labels for codes, links and HTML are the adapters' business; the number is decided here."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

from diaspora_observatory.analysis.precision import read_digits
from diaspora_observatory.presentation.kinds import COUNT, PEOPLE, UNIT_COLUMNS, UNIT_KINDS, YEAR, column_kind
from diaspora_observatory.presentation.numbers import _is_missing, format_value

# Columns that say how to write the others (``analysis.precision``), not values a reader reads: the CLI,
# the web page and the report leave them out of the tables they show; the CSV and JSON keep them.
HIDDEN_COLUMNS = frozenset({"significant_digits"})
YES_NO = {"en": ("yes", "no"), "ru": ("да", "нет"), "kk": ("иә", "жоқ")}


def yes_no(value: bool, language: str = "en") -> str:
    return YES_NO.get(language, YES_NO["en"])[0 if value else 1]


def is_number(value: object) -> bool:
    """A number to be written by kind (booleans are not numbers here)."""
    kind = type(value)
    if kind is float or kind is int:  # the common cells, without the ABC's isinstance check
        return not _is_missing(value)
    if kind is str or kind is bool:
        return False
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and not _is_missing(value)


def is_numeric_text(value: object) -> bool:
    """A number kept as text (a claim's reported ``71``, ``0.21``, ``20000000``): aligned as numbers are, to
    the right, in every table, whether or not writing it changes its signs; a word, a country or a ranking
    stays text, to the left.

    >>> is_numeric_text("71"), is_numeric_text("0.21"), is_numeric_text("UZB+KGZ"), is_numeric_text("nan")
    (True, True, False, False)
    """
    if not isinstance(value, str):
        return False
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def cell_text(column: str, value: object, language: str = "en", row: Mapping[str, object] | None = None) -> str:
    """``value`` of ``column`` as a reader sees it: ``""`` when missing, yes/no in the language, a number by
    its column's kind (``row`` supplies a ``unit`` where the column has mixed units, and the significant
    digits its inputs justify in ``significant_digits``, see ``analysis.precision``), any text as it is.

    >>> cell_text("net_total", 450810.0, "ru"), cell_text("first_year", 2000)
    ('450\\xa0810', '2000')
    >>> cell_text("value", 94.67, "en", {"unit": "percent"})
    '94.7'
    >>> cell_text("share_pct", 0.138119, "en", {"significant_digits": "share_pct=1"})
    '0.1'
    """
    if value is None or _is_missing(value):
        return ""
    if isinstance(value, bool) or type(value).__name__ == "bool_":  # numpy's booleans too
        return yes_no(bool(value), language)
    if is_number(value):
        digits = read_digits(row.get("significant_digits")).get(column) if row is not None else None
        return format_value(value, column_kind(column, row), language, digits=digits)
    if row is not None and isinstance(value, str) and column in UNIT_COLUMNS and row.get("unit") in UNIT_KINDS:
        # A claim's reported value is kept as the study wrote it (text: a number, a code or a word); a
        # number among them is written in the reader's signs with exactly the digits the study gave.
        try:
            number = float(value)
        except ValueError:
            return value
        kind = UNIT_KINDS[str(row["unit"])]
        if kind in (PEOPLE, COUNT, YEAR):
            return format_value(number, kind, language)
        decimals = len(value.partition(".")[2]) if "e" not in value.lower() else None
        return format_value(number, kind, language, decimals=decimals)
    return str(value)
