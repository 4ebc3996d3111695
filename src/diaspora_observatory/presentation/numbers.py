"""Numbers written for their kind and the reader's language (CLDR data through Babel).

English groups thousands with a comma and writes a decimal point; Russian and Kazakh group with a
non-breaking space and write a decimal comma (``34 871``, ``14,9``). What each kind shows:

- people and counts: whole numbers (a projection has no tenths of a person);
- percentages: at most three significant digits (``94.7``, ``0.519``, ``0.0217``, ``0.5``), trailing
  zeros dropped so that no digit is claimed beyond them;
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

MISSING = "–"
SIGNIFICANT_DIGITS = 3
P_VALUE_FLOOR = 0.001
NBSP = "\u00a0"


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return isinstance(value, numbers.Real) and math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def _decimals(value: float, significant: int = SIGNIFICANT_DIGITS) -> int:
    """Decimals that leave ``significant`` digits, never cutting into the whole part."""
    if value == 0 or not math.isfinite(value):
        return 0
    return min(max(0, significant - 1 - math.floor(math.log10(abs(value)))), 6)


def _decimal(value: float, decimals: int, language: str, *, keep_zeros: bool = True) -> str:
    from babel.numbers import format_decimal

    rounded = round(value, decimals)
    if rounded == 0:
        rounded = 0.0  # no "-0"
    pattern = "#,##0" + ("." + ("0" if keep_zeros else "#") * decimals if decimals else "")
    return format_decimal(rounded, format=pattern, locale=language, decimal_quantization=True)


@lru_cache(maxsize=16)
def _percent_pattern(language: str, decimals: int) -> str:
    from babel import Locale

    pattern = Locale.parse(language).percent_formats[None].pattern
    # The locale's own pattern with a fixed number of decimals: "#,##0 %" -> "#,##0.0 %".
    return re.sub(r"0(?=[^0#.]*%)", "0." + "0" * decimals, pattern, count=1) if decimals else pattern


def format_percent(value: object, language: str = "en", *, decimals: int | None = None) -> str:
    """A percentage (given in percent: 12.5) with the locale's sign and spacing (``12,5 %`` in Russian);
    three significant digits unless ``decimals`` is given."""
    from babel.numbers import format_percent as babel_percent

    if _is_missing(value):
        return MISSING
    number = float(value)  # type: ignore[arg-type]
    places = _decimals(number) if decimals is None else decimals
    return babel_percent(round(number, places) / 100, format=_percent_pattern(language, places), locale=language,
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


def format_value(value: object, kind: str = PLAIN, language: str = "en", *, decimals: int | None = None) -> str:
    """``value`` written as a number of ``kind`` for readers of ``language``; text is returned as it is.
    ``decimals`` fixes the decimals of a percentage, rate or plain measure (a mean on a 1-5 scale: 2).

    >>> format_value(34870.8, "people", "en"), format_value(34870.8, "people", "ru")
    ('34,871', '34\\xa0871')
    >>> format_value(0.0004, "p_value"), format_value(1990, "year"), format_value(14.8663, "percent", "kk")
    ('<\\xa00.001', '1990', '14,9')
    """
    if _is_missing(value):
        return MISSING
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    number = float(value)
    if kind == YEAR:
        return str(int(round(number)))
    if kind in (PEOPLE, COUNT):
        return _decimal(float(round(number)), 0, language)
    if kind == P_VALUE:
        return p_value_text(number, language)
    if kind == LEVEL:
        return format_percent(100 * number, language, decimals=0)
    if kind in (PERCENT, RATE, PLAIN):
        if decimals is not None:
            return _decimal(number, decimals, language)
        if kind == PLAIN and isinstance(value, numbers.Integral):
            return _decimal(number, 0, language)
        # Trailing zeros are dropped: 0.044 (2,200 of a world estimate of 5 million) written 0.0440 would
        # claim a digit that neither input has.
        return _decimal(number, _decimals(number), language, keep_zeros=False)
    raise ValueError(f"unknown kind of number {kind!r}")


def format_number(value: object, language: str = "en", kind: str = PLAIN) -> str:
    """``format_value`` with the language first, as templates call it: ``number(value, "people")``."""
    return format_value(value, kind, language)


def format_range(low: object, high: object, kind: str = PLAIN, language: str = "en") -> str:
    """A range or an interval, ``3,000,000–4,500,000``; one value when both ends are the same, and spaces
    around the dash when an end is negative so that it does not read as a minus sign."""
    if _is_missing(low) and _is_missing(high):
        return MISSING
    first, second = format_value(low, kind, language), format_value(high, kind, language)
    if first == second:
        return first
    negative = any(isinstance(v, numbers.Real) and not _is_missing(v) and float(v) < 0 for v in (low, high))
    return f"{first} – {second}" if negative else f"{first}–{second}"


UNIT_KINDS = {"persons": PEOPLE, "people": PEOPLE, "count": COUNT, "year": YEAR}


def figure_text(value: object, low: object, high: object, unit: str, language: str = "en") -> str:
    """A headline figure as the overview card and the report's key figures write it: a percentage with
    the locale's sign, anything else by its unit's kind; a range (``5,000,000–7,000,000``,
    ``12.4%–17.3%``) when ``low`` and ``high`` differ, never its midpoint."""
    ranged = not (_is_missing(low) or _is_missing(high)) and low != high
    if unit == "percent":
        if ranged:
            return f"{format_percent(low, language)}–{format_percent(high, language)}"
        return format_percent(value, language)
    kind = UNIT_KINDS.get(unit, PLAIN)
    return format_range(low, high, kind, language) if ranged else format_value(value, kind, language)
