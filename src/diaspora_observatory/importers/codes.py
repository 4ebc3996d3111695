"""Country codes as producers write them (UN M49 numbers, ISO alpha-2, alpha-3, names) mapped to alpha-3.

Each distinct code is looked up once, so a table of 24,000 rows costs a few hundred look-ups.
"""

from __future__ import annotations

from functools import lru_cache

from diaspora_observatory.countries import to_alpha3
from diaspora_observatory.errors import UnknownCountry

M49_AGGREGATES_FROM = 900  # UN DESA numbers its regions, income groups and the world from 900 up
# Areas with a UN M49 number but no ISO 3166-1 code: kept apart with the aggregates, not refused.
M49_WITHOUT_ISO = {830: "Channel Islands", 680: "Sark", 412: "Kosovo"}


@lru_cache(maxsize=4096)
def alpha3_or_none(code: str) -> str | None:
    """Alpha-3 for an alpha-2 or alpha-3 code, M49 number or English name; None when no mapping knows it."""
    try:
        return to_alpha3(code)
    except UnknownCountry:
        return None


def m49_number(value: object) -> int | None:
    """A UN M49 code cell as an int (``398``, ``398.0``, ``"398"``), or None when it is not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def is_m49_aggregate(number: int) -> bool:
    return number >= M49_AGGREGATES_FROM or number in M49_WITHOUT_ISO
