"""Trend statistics on short yearly series: Mann-Kendall test (Mann 1945, Kendall 1975), Theil-Sen slope
(Theil 1950, Sen 1968), Pettitt's change point (Pettitt 1979), and the segments that significant change
points separate (binary segmentation with Pettitt's test).

A result is headlined only when it is significant at ``SIGNIFICANCE_LEVEL``; docs/statistics.md says how
each is computed and shown."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

# scipy.stats costs half a second to import; the normal distribution is all these tests need.
_NORMAL = NormalDist()
SIGNIFICANCE_LEVEL = 0.05
# A segment shorter than this has too few pairs for Pettitt's or Mann-Kendall's test (and for a drift).
MIN_SEGMENT = 3


def _tie_term(values: Sequence[float]) -> float:
    return sum(t * (t - 1) * (2 * t + 5) for t in Counter(values).values() if t > 1)


@dataclass(frozen=True)
class MannKendall:
    """Result of the Mann-Kendall trend test (two-sided, normal approximation with tie correction)."""

    s: int
    variance: float
    z: float
    p_value: float
    tau: float
    trend: str  # "increasing", "decreasing" or "no trend" at the chosen alpha


def mann_kendall(values: Sequence[float], alpha: float = SIGNIFICANCE_LEVEL) -> MannKendall:
    """Mann-Kendall test for a monotonic trend in ``values`` (in time order).

    >>> mann_kendall([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).trend
    'increasing'
    """
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n < 3:
        raise ValueError(f"the Mann-Kendall test needs at least 3 values, got {n}")
    differences = np.sign(x[None, :] - x[:, None])
    s = int(np.triu(differences, k=1).sum())
    variance = (n * (n - 1) * (2 * n + 5) - _tie_term(x.tolist())) / 18
    if s > 0:
        z = (s - 1) / math.sqrt(variance)
    elif s < 0:
        z = (s + 1) / math.sqrt(variance)
    else:
        z = 0.0
    p_value = float(math.erfc(abs(z) / math.sqrt(2)))
    tau = s / (n * (n - 1) / 2)
    trend = "no trend" if p_value >= alpha else ("increasing" if z > 0 else "decreasing")
    return MannKendall(s=s, variance=variance, z=z, p_value=p_value, tau=tau, trend=trend)


@dataclass(frozen=True)
class TheilSen:
    slope: float
    intercept: float
    low_slope: float
    high_slope: float


def theil_sen(years: Sequence[float], values: Sequence[float], confidence: float = 0.95) -> TheilSen:
    """Median of the pairwise slopes (units per year), with Sen's confidence interval.

    The interval takes the ranks of the sorted slopes at (N -/+ z * sigma) / 2, where sigma is the
    Mann-Kendall standard deviation corrected for ties in both variables; the intercept is
    median(values) - slope * median(years).
    """
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    i, j = np.triu_indices(len(x), k=1)
    distinct = x[j] != x[i]
    slopes = np.sort((y[j] - y[i])[distinct] / (x[j] - x[i])[distinct])
    if slopes.size == 0:
        raise ValueError("the Theil-Sen slope needs at least two distinct years")
    slope = float(np.median(slopes))
    intercept = float(np.median(y) - slope * np.median(x))
    n = len(x)
    sigma = math.sqrt((n * (n - 1) * (2 * n + 5) - _tie_term(x.tolist()) - _tie_term(y.tolist())) / 18)
    z = _NORMAL.inv_cdf((1 - confidence) / 2)  # negative
    upper_rank = min(int(round((slopes.size - z * sigma) / 2)), slopes.size - 1)
    lower_rank = max(int(round((slopes.size + z * sigma) / 2)) - 1, 0)
    return TheilSen(slope, intercept, float(slopes[lower_rank]), float(slopes[upper_rank]))


@dataclass(frozen=True)
class ChangePoint:
    """Pettitt's test: ``index`` is the last position of the first regime."""

    index: int
    statistic: float
    p_value: float


def pettitt(values: Sequence[float]) -> ChangePoint:
    """Pettitt's non-parametric test for a single shift in level.

    U_t = sum over i <= t < j of sign(x_j - x_i); K = max |U_t|; p ~ 2 exp(-6 K^2 / (n^3 + n^2)).
    """
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n < 3:
        raise ValueError(f"Pettitt's test needs at least 3 values, got {n}")
    signs = np.sign(x[None, :] - x[:, None])  # signs[i, j] = sign(x_j - x_i)
    u = np.array([signs[: t + 1, t + 1:].sum() for t in range(n - 1)])
    index = int(np.argmax(np.abs(u)))
    k = float(abs(u[index]))
    p_value = min(1.0, 2 * math.exp(-6 * k**2 / (n**3 + n**2)))
    return ChangePoint(index=index, statistic=k, p_value=p_value)


def change_points(values: Sequence[float], alpha: float = SIGNIFICANCE_LEVEL, min_segment: int = MIN_SEGMENT
                  ) -> list[ChangePoint]:
    """Every significant shift in level, by binary segmentation: Pettitt's test on the whole series, and
    again on each side of a shift significant at ``alpha``, as long as both sides keep ``min_segment``
    values. Indices are positions in ``values`` (the last of the regime before), in time order.

    Each test is at ``alpha`` on its own segment (no correction for the repeated tests, so a second or
    third shift is a weaker finding than the first; docs/statistics.md says so).

    >>> [point.index for point in change_points([10, 12, 11, 13, 12, 11, 30, 32, 31, 33, 30, 32])]
    [5]
    """
    found: list[ChangePoint] = []

    def split(start: int, stop: int) -> None:
        if stop - start < max(2 * min_segment, 3):
            return
        point = pettitt(values[start:stop])
        if point.p_value >= alpha:
            return
        cut = start + point.index + 1  # first position of the new regime
        if cut - start < min_segment or stop - cut < min_segment:
            return
        found.append(ChangePoint(index=cut - 1, statistic=point.statistic, p_value=point.p_value))
        split(start, cut)
        split(cut, stop)

    split(0, len(values))
    return sorted(found, key=lambda point: point.index)


@dataclass(frozen=True)
class Segment:
    """One stretch of a series between significant change points, with its own trend and slope."""

    first_year: int
    last_year: int
    values: int
    trend: str
    p_value: float | None
    slope: float | None


def segments(years: Sequence[int], values: Sequence[float], alpha: float = SIGNIFICANCE_LEVEL) -> list[Segment]:
    """The series cut at its significant change points, each part with its Mann-Kendall trend and Theil-Sen
    slope (a part of fewer than three values has no test: trend ``"too short"``)."""
    cuts = [0, *(point.index + 1 for point in change_points(values, alpha)), len(values)]
    parts = []
    for start, stop in zip(cuts, cuts[1:]):
        part_years, part_values = list(years[start:stop]), list(values[start:stop])
        if len(part_values) >= 3:
            trend = mann_kendall(part_values, alpha)
            slope = theil_sen(part_years, part_values).slope
            parts.append(Segment(int(part_years[0]), int(part_years[-1]), len(part_values), trend.trend,
                                 trend.p_value, slope))
        else:
            parts.append(Segment(int(part_years[0]), int(part_years[-1]), len(part_values), "too short", None,
                                 None))
    return parts
