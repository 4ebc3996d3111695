"""Agreement between coders: Krippendorff's alpha for nominal data and Cohen's kappa, written here.

Both are short formulas; writing them avoids a run-time dependency on the GPL-licensed ``krippendorff``
package. The tests compare them with that package and with ``statsmodels``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence


def krippendorff_alpha_nominal(reliability_data: Sequence[Sequence[Hashable | None]]) -> float:
    """Krippendorff's alpha for nominal values.

    ``reliability_data`` has one row per coder and one column per unit; ``None`` (or NaN) marks a unit the
    coder did not code. Units coded by fewer than two coders do not count. Returns NaN when there is no
    variation at all (alpha is undefined then).

    >>> round(krippendorff_alpha_nominal([[1, 1, 0, 0], [1, 1, 0, 1]]), 3)
    0.533
    """
    units = list(zip(*reliability_data, strict=True)) if reliability_data else []
    # Pairs weighted by 1 / (m - 1): fractional, so a float tally rather than a Counter (an int tally).
    coincidences: defaultdict[tuple[Hashable, Hashable], float] = defaultdict(float)
    for unit in units:
        values = [v for v in unit if not _missing(v)]
        m = len(values)
        if m < 2:
            continue
        counts = Counter(values)
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_c - 1) if c == k else n_c * n_k
                coincidences[c, k] += pairs / (m - 1)
    totals: defaultdict[Hashable, float] = defaultdict(float)
    for (c, _k), value in coincidences.items():
        totals[c] += value
    n = sum(totals.values())
    if n <= 1:
        return math.nan
    observed = sum(v for (c, k), v in coincidences.items() if c != k)
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k) / (n - 1)
    if expected == 0:
        return math.nan
    return 1.0 - observed / expected


def cohens_kappa(coder_a: Sequence[Hashable], coder_b: Sequence[Hashable]) -> float:
    """Cohen's kappa for two coders who coded the same units (pairs with a missing value are dropped).

    Returns NaN when agreement by chance is certain (both coders used one and the same category only).

    >>> round(cohens_kappa([1, 1, 0, 0], [1, 1, 0, 1]), 3)
    0.5
    """
    if len(coder_a) != len(coder_b):
        raise ValueError(f"the two coders coded {len(coder_a)} and {len(coder_b)} units; give the same units")
    pairs = [(a, b) for a, b in zip(coder_a, coder_b) if not _missing(a) and not _missing(b)]
    if not pairs:
        return math.nan
    n = len(pairs)
    observed = sum(1 for a, b in pairs if a == b) / n
    share_a = Counter(a for a, _ in pairs)
    share_b = Counter(b for _, b in pairs)
    expected = sum(share_a[c] * share_b.get(c, 0) for c in share_a) / (n * n)
    if expected == 1:
        return math.nan
    return (observed - expected) / (1 - expected)


def percent_agreement(coder_a: Sequence[Hashable], coder_b: Sequence[Hashable]) -> float:
    """Share of units (coded by both) on which the two coders agree."""
    pairs = [(a, b) for a, b in zip(coder_a, coder_b, strict=True) if not _missing(a) and not _missing(b)]
    return sum(1 for a, b in pairs if a == b) / len(pairs) if pairs else math.nan


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
