"""The decimal place a stated count is known to, and a difference of two counts rounded to it.

It lives in the case layer because ``diaspora check`` (case/checks.py) writes the difference of two sources'
counts in its warning, and the case layer cannot use ``analysis.precision``, which builds its significant-digit
rules on these (layers: case → analysis). One rule, so the warning and the page agree: a difference is known
down to the coarser last place of its two counts (Taylor 1997, *An Introduction to Error Analysis*, 2nd ed.,
section 3.3), and 6,516,100 (to the hundreds) − 7,494,498 (to the person) is written −978,400, not −978,398.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from diaspora_observatory.case.descriptor import rounding_unit


def stated_place(value: float, declared: int | None = None) -> int:
    """The decimal place of a stated number's last significant digit (10**place): 9000 -> 3, 2200 -> 2,
    37134229 -> 0, 0.85 -> -2; ``declared`` (a field's ``rounding``, ``declared_place``) wins over the
    trailing zeros: 10 stated to the person is significant down to its units.

    >>> stated_place(9000), stated_place(2200), stated_place(37134229), stated_place(0.85), stated_place(2.5e-07)
    (3, 2, 0, -2, -8)
    >>> stated_place(10), stated_place(10, declared=0)
    (1, 0)
    """
    if declared is not None:
        return declared
    number = float(value)
    if number == 0 or not math.isfinite(number):
        return 0
    if number.is_integer():
        whole, place = abs(int(number)), 0
        while whole % 10 == 0:
            whole //= 10
            place += 1
        return place
    # The shortest text that reads back as the same float is the number as it was written in the data.
    text = repr(abs(number))
    if "e" in text:  # 1e-05, 2.5e-07: the mantissa's decimals shifted by the exponent
        mantissa, _, exponent = text.partition("e")
        return int(exponent) - len(mantissa.partition(".")[2])
    return -len(text.partition(".")[2])


def digits_at(value: float, place: int) -> int:
    """Significant digits of ``value`` when its last significant digit is in ``place`` (at least one)."""
    number = abs(float(value))
    if number == 0 or not math.isfinite(number):
        return 1
    return max(1, math.floor(math.log10(number)) - place + 1)


def declared_place(descriptor: Mapping, resource: str, field: str) -> int | None:
    """The place a field's values are stated to, when its table schema declares it: a ``rounding``
    property giving the unit, a power of ten (``1``: to the person; ``1000``: to thousands). None when the
    field declares nothing, or something that is not a positive power of ten (``diaspora check`` reports
    that as a data error), and then the trailing-zeros convention applies.

    A source that publishes counts to the person states each to its units: UN DESA's migrant stock
    ("less than half of the unit employed" is its own definition of a rounded zero), the World Bank's
    population, a statistics office's register of arrivals. Their trailing zeros are digits like any other.

    >>> package = {"resources": [{"name": "stock", "schema": {"fields": [{"name": "stock", "rounding": 1}]}}]}
    >>> declared_place(package, "stock", "stock"), declared_place(package, "stock", "other")
    (0, None)
    """
    unit = declared_rounding(descriptor, resource, field)
    return None if unit is None else round(math.log10(unit))


def declared_rounding(descriptor: Mapping, resource: str, field: str) -> float | None:
    """The ``rounding`` unit a field declares (a positive power of ten), else None."""
    for entry in descriptor.get("resources", []):
        if entry.get("name") != resource:
            continue
        for spec in (entry.get("schema") or {}).get("fields", []):
            if spec.get("name") == field:
                return rounding_unit(spec.get("rounding"))
    return None


def sum_place(places: Iterable[int]) -> int:
    """The last significant place of a sum or difference: the coarsest of its terms' (Taylor 3.3)."""
    return max(places)


def count_difference(value: float, reference: float, places: tuple[int | None, int | None] = (None, None)) -> int:
    """``value - reference`` for two counts, rounded to the coarser of their places (each the count's own
    trailing zeros unless ``places`` declares it, a field's ``rounding``); never finer than the person.

    >>> count_difference(6516100, 7494498), count_difference(6516100, 7494498, (0, None))
    (-978400, -978398)
    >>> count_difference(10, 3), count_difference(10, 3, (0, 0))
    (10, 7)
    """
    place = max(0, sum_place([stated_place(value, places[0]), stated_place(reference, places[1])]))
    return int(round(value - reference, -place))
