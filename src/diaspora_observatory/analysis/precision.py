"""How many significant digits a computed value carries, from the precision of its inputs.

A value computed from rounded figures is no more precise than they are: a share of "around 9,000"
Kazakhs in a population of 6,516,100 is known to one digit (0.1%), not to the three a calculator gives
(0.138%). The rules are the significant-figure rules of Taylor (1997), *An Introduction to Error
Analysis*, 2nd ed., section 2.8 (a product or quotient has as many significant figures as the least
precise of its factors) and section 3.3 (in a sum or difference the absolute uncertainties add, so its
last significant digit is in the coarsest decimal place among the terms):

- a stated whole number is significant down to its last non-zero digit: trailing zeros are not
  significant unless declared (9000: one digit, rounded to thousands; 2200: two; 37,134,229: eight).
  It is the same convention as the claims' ``rounded`` comparator and ``projections.rounding_range``.
  A field of a table schema declares otherwise with a ``rounding`` property, the unit its values are
  stated to (``"rounding": 1``: to the person, so UN DESA's 10 people is two digits, not one; see
  ``declared_place``);
- a stated decimal is significant down to its last written decimal (0.85: two digits);
- a sum or difference (``total - titular - diaspora``) is significant down to the coarsest last place
  among its terms;
- a ratio (a share) carries the fewer significant digits of its numerator and denominator.

A table writes what it finds per row in a ``significant_digits`` column (``column=digits; …``) so that
the presentation layer writes each number with those digits and no more; the CSV and JSON downloads
carry it too, beside the raw machine values. A share's digits stop at ``MAX_DIGITS``; a derived count's
(a difference, a sum) do not, since a count is written whole down to its last significant place
(-978,398 known to the hundreds is -978,400: four digits, ``count_digits``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

# The place of a stated count, a field's declared place and the place of a sum of counts live in the case
# layer, which ``diaspora check`` uses for the difference in its cross-source warning; re-exported here with
# the rules built on them.
from diaspora_observatory.case.places import declared_place as declared_place
from diaspora_observatory.case.places import digits_at, stated_place, sum_place

# No value is written with more significant digits than this, whatever its inputs (the presentation
# layer's ceiling; a count of eight digits does not make a share worth eight).
MAX_DIGITS = 3


def stated_digits(value: float, declared: int | None = None) -> int:
    """Significant digits of a stated number: 9000 -> 1, 2200 -> 2, 821000 -> 3; 10 stated to the person
    (``declared`` place 0) -> 2.

    >>> stated_digits(9000), stated_digits(2200), stated_digits(821000), stated_digits(0.85), stated_digits(10, 0)
    (1, 2, 3, 2, 2)
    """
    return digits_at(value, stated_place(value, declared))


def quotient_digits(*digits: int) -> int:
    """The significant digits of a product or ratio: the fewest of its factors' (Taylor 2.8)."""
    return min(digits)


FORMULA_TERMS = re.compile(r"^\s*[a-z_]+(\s*[-+]\s*[a-z_]+)+\s*$")
FORMULA_PRODUCT = re.compile(r"^\s*([0-9.]+)\s*\*\s*([a-z_]+)\s*$")


def derived_place(formula: str, value: float, places: Mapping[str, int]) -> int | None:
    """The last significant place of a value derived by ``formula`` from the named values, whose own
    places are ``places``: ``total - titular - diaspora`` (a difference) or ``0.85 * total`` (a product with
    a stated constant). None for a formula of another shape: its precision is not known, and the caller
    keeps the ceiling."""
    if FORMULA_TERMS.match(formula):
        names = re.findall(r"[a-z_]+", formula)
        if all(name in places for name in names):
            return sum_place(places[name] for name in names)
        return None
    product = FORMULA_PRODUCT.match(formula)
    if product and product.group(2) in places:
        constant, name = float(product.group(1)), product.group(2)
        # The factor's digits are those of the named value (at its place) and of the constant.
        digits = quotient_digits(stated_digits(constant), digits_at(value / constant, places[name]))
        return math.floor(math.log10(abs(value))) - digits + 1 if value else 0
    return None


def decimals_for(value: float, significant: int, most: int = 6) -> int:
    """The decimals that write ``value`` with ``significant`` digits, never cutting into the whole part (one
    digit of 12.39 is 12) and at most ``most``. A value the rounding carries to the next power of ten
    (99.9997 to three digits) is counted at that power: 100, not 100.0, which would claim a fourth digit.

    >>> decimals_for(0.138119, 1), decimals_for(0.0216887, 2), decimals_for(12.39, 1), decimals_for(99.9997, 3)
    (1, 3, 0, 0)
    """
    number = float(value)
    if number == 0 or not math.isfinite(number):
        return 0
    decimals = min(max(0, significant - 1 - math.floor(math.log10(abs(number)))), most)
    rounded = round(number, decimals)
    if rounded != 0 and math.floor(math.log10(abs(rounded))) > math.floor(math.log10(abs(number))):
        decimals = min(max(0, significant - 1 - math.floor(math.log10(abs(rounded)))), most)
    return decimals


def plain_text(value: float, digits: int | None) -> str:
    """``value`` with the significant digits its inputs justify (at most ``MAX_DIGITS``) as plain text, for
    a figure quoted inside a data text (a claim's note), which is written in the data's language, not the
    reader's: ``0.1``, ``0.022``. The page's cells write the same digits through ``presentation.numbers``.

    >>> plain_text(0.138119, 1), plain_text(0.0216887, 2), plain_text(2.2109, None)
    ('0.1', '0.022', '2.21')
    """
    decimals = decimals_for(value, MAX_DIGITS if digits is None else max(1, min(digits, MAX_DIGITS)))
    return f"{round(float(value), decimals):.{decimals}f}"


def count_digits(value: float, places: Iterable[int | None]) -> int | None:
    """The significant digits of a count derived as a sum or difference of counts stated to ``places``
    (Taylor 3.3: the coarsest of them), None when a place is not known. Written uncapped (``digits_text``'s
    ``counts``): a count keeps every digit down to that place.

    >>> count_digits(-978398, [2, 0]), count_digits(867200, [3, 3, 3, 2]), count_digits(5, [0, None])
    (4, 3, None)
    """
    known = list(places)
    if not known or any(place is None for place in known):
        return None
    return digits_at(value, sum_place(place for place in known if place is not None))


def uncertainty_place(half_width: float) -> int:
    """The decimal place a value with this uncertainty (an interval's half width) is written to: the place
    of the uncertainty rounded to one significant figure, or to two when its leading digit is a 1 (Taylor
    1997, section 2.2: "experimental uncertainties should almost always be rounded to one significant
    figure", and "the last significant figure in any stated answer should usually be of the same order of
    magnitude (in the same decimal position) as the uncertainty"). 0 for no uncertainty.

    >>> uncertainty_place(85), uncertainty_place(96), uncertainty_place(150), uncertainty_place(14)
    (1, 1, 1, 0)
    >>> uncertainty_place(0.3), uncertainty_place(0)
    (-1, 0)
    """
    number = abs(float(half_width))
    if number == 0 or not math.isfinite(number):
        return 0
    place = math.floor(math.log10(number))
    # A leading 1 keeps a second figure (150: the tens). 96, which one figure makes 100, leads with a 1 there
    # and keeps two figures of that, the tens: the same place as its own leading 9 gives.
    return place - 1 if int(number / 10**place) == 1 else place


def digits_text(digits: Mapping[str, int | None], counts: Iterable[str] = ()) -> str:
    """``{"a": 1, "b": 3}`` -> ``"a=1; b=3"`` (the ``significant_digits`` column); unknown ones are left out.
    A share's digits stop at ``MAX_DIGITS``; the columns named in ``counts`` hold counts of people, whose
    digits are kept whole (a count is written down to its last significant place, however many digits).

    >>> digits_text({"difference": 4, "difference_pct": 4}, counts=["difference"])
    'difference=4; difference_pct=3'
    """
    uncapped = set(counts)
    return "; ".join(f"{column}={found if column in uncapped else min(found, MAX_DIGITS)}"
                     for column, found in digits.items() if found is not None)


def read_digits(text: object) -> dict[str, int]:
    """The inverse of ``digits_text``; an empty or missing cell is no declaration."""
    if not isinstance(text, str) or not text.strip():
        return {}
    found: dict[str, int] = {}
    for part in text.split(";"):
        column, _, digits = part.partition("=")
        if column.strip() and digits.strip().isdigit():
            found[column.strip()] = int(digits)
    return found
