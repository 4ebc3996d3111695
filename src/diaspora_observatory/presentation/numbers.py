"""Numbers written for their kind and the reader's language (CLDR data through Babel).

English groups thousands with a comma and writes a decimal point; Russian and Kazakh group with a
non-breaking space and write a decimal comma (``34 871``, ``14,9``). What each kind shows:

- people and counts: whole numbers (a projection has no tenths of a person), and a derived count (a
  difference, a sum, other groups = total - titular - diaspora) down to the last place its inputs justify
  (``digits``, uncapped: -978,398 known to the hundreds is ``-978,400``, 867,200 known to the thousands
  ``867,000``);
- percentages: the significant digits their inputs justify (``digits``, from the table's
  ``significant_digits``, see ``analysis.precision``: a share of "around 9,000" has one, ``0.1``), and
  at most three (``94.7``, ``0.519``, ``0.0217``, ``0.5``); trailing zeros dropped so that no digit is
  claimed beyond them; the whole part is never cut (one digit of 12.39 is ``12``, not ``10``, which
  would read as another figure; Taylor's rule of writing the last digit where the uncertainty lies
  gives the same ``12`` for 867,200 of "5 to 7 million");
- p-values: three decimals, and ``< 0.001`` below that (never ``0.0``), after APA style;
- years: the digits alone, never grouped (``1990``, not ``1,990``);
- rates (persons per year) and other measures: at most three significant digits, never fewer than the
  whole part (``-1,235``, ``-87.5``, ``-2.82``), trailing zeros dropped (a tolerance of ``0.05``);
- levels (0.95): a whole percentage (``95%``).

``format_value`` takes a kind (see ``kinds``); ``format_range`` writes an interval or a range of two values.
"""

from __future__ import annotations

import math
import numbers
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from diaspora_observatory.analysis.precision import decimals_for, read_digits
from diaspora_observatory.presentation.kinds import (
    COUNT,
    LEVEL,
    P_VALUE,
    PEOPLE,
    PERCENT,
    PLAIN,
    RATE,
    YEAR,
)

if TYPE_CHECKING:
    from babel import Locale
    from babel.numbers import NumberPattern

MISSING = "–"
SIGNIFICANT_DIGITS = 3
P_VALUE_FLOOR = 0.001
NBSP = "\u00a0"


def _is_missing(value: object) -> bool:
    # The types a table's cells mostly hold first: numbers.Real's isinstance check is an ABC's, slow for
    # the thousands of cells a report writes.
    kind = type(value)
    if kind is float:
        return math.isnan(value)  # type: ignore[arg-type]
    if kind is str or kind is int or kind is bool:
        return False
    if value is None:
        return True
    try:
        return isinstance(value, numbers.Real) and math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def _decimals(value: float, significant: int = SIGNIFICANT_DIGITS) -> int:
    """Decimals that leave ``significant`` digits (``analysis.precision.decimals_for``: never cutting into
    the whole part, and 99.9997 to three digits is ``100``, not ``100.0``)."""
    return decimals_for(value, significant)


def _decimal(value: float, decimals: int, language: str, *, keep_zeros: bool = True) -> str:
    rounded = round(value, decimals)
    if rounded == 0:
        rounded = 0.0  # no "-0"
    pattern = "#,##0" + ("." + ("0" if keep_zeros else "#") * decimals if decimals else "")
    return _written(rounded, pattern, language)


@lru_cache(maxsize=65536)
def _written(rounded: float, pattern: str, language: str) -> str:
    """Babel's text for one rounded value: a report writes the same counts thousands of times, and Babel
    parses the locale and the pattern on every call (here once each: what ``format_decimal`` does with them)."""
    return _number_pattern(pattern).apply(rounded, _locale(language), decimal_quantization=True)


@lru_cache(maxsize=64)
def _number_pattern(pattern: str) -> NumberPattern:
    from babel.numbers import parse_pattern

    return parse_pattern(pattern)


@lru_cache(maxsize=8)
def _locale(language: str) -> Locale:
    from babel import Locale

    return Locale.parse(language)


@lru_cache(maxsize=16)
def _percent_pattern(language: str, decimals: int) -> str:
    from babel import Locale

    pattern = Locale.parse(language).percent_formats[None].pattern
    # The locale's own pattern with a fixed number of decimals: "#,##0 %" -> "#,##0.0 %".
    return re.sub(r"0(?=[^0#.]*%)", "0." + "0" * decimals, pattern, count=1) if decimals else pattern


def whole_at(number: float, digits: int | None = None) -> float:
    """A count rounded to ``digits`` significant digits, never finer than the person (None: to the person).

    >>> whole_at(-978398, 4), whole_at(867200, 3), whole_at(34870.8), whole_at(35000, 2), whole_at(7, 1)
    (-978400.0, 867000.0, 34871.0, 35000.0, 7.0)
    """
    if digits is None or number == 0 or not math.isfinite(number):
        return float(round(number)) if math.isfinite(number) else number
    place = max(0, math.floor(math.log10(abs(number))) - max(1, int(digits)) + 1)
    return float(round(number, -place)) if place else float(round(number))


def _significant(digits: int | None) -> int:
    """The digits to write: those the inputs justify, never more than the ceiling."""
    return SIGNIFICANT_DIGITS if digits is None else max(1, min(int(digits), SIGNIFICANT_DIGITS))


def format_percent(value: object, language: str = "en", *, decimals: int | None = None,
                   digits: int | None = None) -> str:
    """A percentage (given in percent: 12.5) with the locale's sign and spacing (``12,5 %`` in Russian);
    ``digits`` significant digits (at most three) unless ``decimals`` is given."""
    if _is_missing(value):
        return MISSING
    number = float(value)  # type: ignore[arg-type]
    places = _decimals(number, _significant(digits)) if decimals is None else decimals
    # babel.numbers.format_percent's steps, with the pattern and the locale parsed once
    return _number_pattern(_percent_pattern(language, places)).apply(round(number, places) / 100, _locale(language),
                                                                      decimal_quantization=True)


def p_value_text(p_value: object, language: str = "en") -> str:
    """``0.326``, ``0.047``, ``< 0.001`` (the sign kept to its number by a non-breaking space)."""
    if _is_missing(p_value):
        return MISSING
    number = float(p_value)  # type: ignore[arg-type]
    if number < P_VALUE_FLOOR:
        return f"<{NBSP}{_decimal(P_VALUE_FLOOR, 3, language)}"
    return _decimal(min(number, 1.0), 3, language)


def p_value_phrase(p_value: object, language: str = "en") -> str:
    """``p = 0.326`` or ``p < 0.001``, as a result is quoted in a sentence."""
    text = p_value_text(p_value, language)
    return f"p{NBSP}{text}" if text.startswith("<") else f"p{NBSP}={NBSP}{text}"


def format_value(value: object, kind: str = PLAIN, language: str = "en", *, decimals: int | None = None,
                 digits: int | None = None) -> str:
    """``value`` written as a number of ``kind`` for readers of ``language``; text is returned as it is.
    ``decimals`` fixes the decimals of a percentage, rate or plain measure (a mean on a 1-5 scale: 2);
    ``digits`` is the number of significant digits its inputs justify (``analysis.precision``; at most
    three are written; a count of people keeps all of them, down to the place they reach). Years and
    p-values are written the same whatever ``digits``.

    >>> format_value(0.138119, "percent", "en", digits=1), format_value(0.0216887, "percent", "ru", digits=2)
    ('0.1', '0,022')

    >>> format_value(34870.8, "people", "en"), format_value(34870.8, "people", "ru")
    ('34,871', '34\\xa0871')
    >>> format_value(-978398, "people", "en", digits=4), format_value(-978398, "people", "ru", digits=4)
    ('-978,400', '-978\\xa0400')
    >>> format_value(0.0004, "p_value"), format_value(1990, "year"), format_value(14.8663, "percent", "kk")
    ('<\\xa00.001', '1990', '14,9')
    """
    if _is_missing(value):
        return MISSING
    if type(value) is not float and type(value) is not int and (  # those two without the ABC's check
            isinstance(value, bool) or not isinstance(value, numbers.Real)):
        return str(value)
    number = float(value)
    if kind == YEAR:
        return str(int(round(number)))
    if kind in (PEOPLE, COUNT):
        return _decimal(whole_at(number, digits), 0, language)
    if kind == P_VALUE:
        return p_value_text(number, language)
    if kind == LEVEL:
        return format_percent(100 * number, language, decimals=0)
    if kind in (PERCENT, RATE, PLAIN):
        if decimals is not None:
            return _decimal(number, decimals, language)
        if kind == PLAIN and isinstance(value, numbers.Integral):
            return _decimal(number, 0, language)
        # Without a declaration trailing zeros are dropped: 0.5 written 0.500 would claim digits that no
        # input has. With one they are kept: two digits of 2.04 are 2.0, and 2 would claim fewer.
        return _decimal(number, _decimals(number, _significant(digits)), language, keep_zeros=digits is not None)
    raise ValueError(f"unknown kind of number {kind!r}")


def format_number(value: object, language: str = "en", kind: str = PLAIN, digits: int | None = None) -> str:
    """``format_value`` with the language first, as templates call it: ``number(value, "people")``."""
    return format_value(value, kind, language, digits=digits)


def format_range(low: object, high: object, kind: str = PLAIN, language: str = "en",
                 digits: int | None = None) -> str:
    """A range or an interval, ``3,000,000–4,500,000``; one value when both ends are the same, and spaces
    around the dash when an end is negative so that it does not read as a minus sign. ``digits`` as in
    ``format_value``, for both ends."""
    if _is_missing(low) and _is_missing(high):
        return MISSING
    first, second = format_value(low, kind, language, digits=digits), format_value(high, kind, language, digits=digits)
    if first == second:
        return first
    negative = any(isinstance(v, numbers.Real) and not _is_missing(v) and float(v) < 0 for v in (low, high))
    return f"{first} – {second}" if negative else f"{first}–{second}"


@lru_cache(maxsize=8)
def _chart_locale(language: str) -> tuple[tuple[str, object], ...]:
    from babel import Locale

    locale = Locale.parse(language)
    symbols = locale.number_symbols["latn"]
    grouping = locale.decimal_formats[None].grouping[0]
    return (("decimal", symbols["decimal"]), ("thousands", symbols["group"]), ("grouping", [grouping]),
            ("minus", symbols["minusSign"]), ("currency", ["", ""]))


def chart_number_locale(language: str = "en") -> dict:
    """The number locale a Vega chart draws its axis ticks and legends with (d3-format's: decimal sign,
    group separator and size, minus sign), from the same CLDR symbols as ``format_value``, so that an axis
    reads ``1 000 000`` and ``0,5`` on a Russian page as its table does, not ``1,000,000``. Charts carry it
    in their spec (``config.locale.number``), which the browser and vl-convert both honour.

    >>> chart_number_locale("ru")["thousands"], chart_number_locale("ru")["decimal"], chart_number_locale()["thousands"]
    ('\xa0', ',', ',')
    """
    return {key: list(value) if isinstance(value, list) else value for key, value in _chart_locale(language)}


UNIT_KINDS = {"persons": PEOPLE, "people": PEOPLE, "count": COUNT, "year": YEAR}


def _figure_digits(digits: object) -> int | None:
    if isinstance(digits, str):
        found = read_digits(digits).values()
        return min(found) if found else None
    if _is_missing(digits) or not isinstance(digits, numbers.Real) or isinstance(digits, bool):
        return None
    return int(float(digits))


def figure_text(value: object, low: object, high: object, unit: str, language: str = "en",
                digits: object = None) -> str:
    """A headline figure as the overview card and the report's key figures write it: a percentage with
    the locale's sign, anything else by its unit's kind; a range (``5,000,000–7,000,000``,
    ``12%–17%``) when ``low`` and ``high`` differ, never its midpoint. ``digits`` is the significant
    digits its inputs justify: a number, a ``significant_digits`` cell (``value=1; low=1; high=1``, the
    fewest of them) or missing (the ceiling of three).

    >>> figure_text(None, 12.389, 17.344, "percent", "en", 1), figure_text(94.6725, 94.6725, 94.6725, "percent")
    ('12%–17%', '94.7%')
    """
    ranged = not (_is_missing(low) or _is_missing(high)) and low != high
    significant = _figure_digits(digits)
    if unit == "percent":
        if ranged:
            first, second = (format_percent(end, language, digits=significant) for end in (low, high))
            return f"{first}–{second}"
        return format_percent(value, language, digits=significant)
    kind = UNIT_KINDS.get(unit, PLAIN)
    if ranged:
        return format_range(low, high, kind, language, digits=significant)
    return format_value(value, kind, language, digits=significant)
