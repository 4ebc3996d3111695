"""Trend statistics on short yearly series: Mann-Kendall test, Theil-Sen slope, Pettitt change point."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class MannKendall:
    """Result of the Mann-Kendall trend test (two-sided, normal approximation with tie correction)."""

    s: int
    variance: float
    z: float
    p_value: float
    tau: float
    trend: str  # "increasing", "decreasing" or "no trend" at the chosen alpha


def mann_kendall(values: Sequence[float], alpha: float = 0.05) -> MannKendall:
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
    tie_term = sum(t * (t - 1) * (2 * t + 5) for t in Counter(x.tolist()).values() if t > 1)
    variance = (n * (n - 1) * (2 * n + 5) - tie_term) / 18
    if s > 0:
        z = (s - 1) / math.sqrt(variance)
    elif s < 0:
        z = (s + 1) / math.sqrt(variance)
    else:
        z = 0.0
    p_value = float(2 * stats.norm.sf(abs(z)))
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
    """Median of pairwise slopes (units per year) with its confidence interval."""
    slope, intercept, low, high = stats.theilslopes(values, years, alpha=confidence)
    return TheilSen(float(slope), float(intercept), float(low), float(high))


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
