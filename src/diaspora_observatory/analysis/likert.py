"""Pure statistics for questionnaire answers: item means with confidence intervals, distributions,
Cronbach's alpha, Wilson intervals and cross-tabulations. Disclosure control lives in
:mod:`diaspora_observatory.analysis.disclosure`.

Each function takes plain data (Series/DataFrames of answers) and returns numbers or a DataFrame,
so the web app, the CLI and the report show the same figures.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

Z_95 = 1.959963984540054


def _t_quantile(confidence: float, degrees: int) -> float:
    from scipy.stats import t

    return float(t.ppf(0.5 + confidence / 2, degrees))


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval for a proportion ``successes / n`` (stays inside [0, 1], works at 0 and n).

    Example::

        >>> [round(x, 4) for x in wilson_interval(23, 100)]
        [0.1584, 0.3215]
    """
    if n <= 0:
        return (math.nan, math.nan)
    if not 0 <= successes <= n:
        raise ValueError(f"successes must lie between 0 and n={n}, got {successes}")
    from statistics import NormalDist

    z = NormalDist().inv_cdf(0.5 + confidence / 2) if confidence != 0.95 else Z_95
    share = successes / n
    denominator = 1 + z * z / n
    centre = (share + z * z / (2 * n)) / denominator
    half_width = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half_width), min(1.0, centre + half_width))


def item_means(answers: pd.DataFrame, items: list[str], confidence: float = 0.95) -> pd.DataFrame:
    """Mean of each numeric item with a t-based confidence interval; missing answers are left out per item.

    Returns columns item, n, mean, sd, ci_low, ci_high (interval empty below n = 2).
    """
    rows = []
    for item in items:
        values = pd.to_numeric(answers[item], errors="coerce").dropna() if item in answers else pd.Series(dtype=float)
        n = int(values.size)
        mean = float(values.mean()) if n else math.nan
        sd = float(values.std(ddof=1)) if n > 1 else math.nan
        if n > 1:
            half_width = _t_quantile(confidence, n - 1) * sd / math.sqrt(n)
            low, high = mean - half_width, mean + half_width
        else:
            low = high = math.nan
        rows.append({"item": item, "n": n, "mean": mean, "sd": sd, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows, columns=["item", "n", "mean", "sd", "ci_low", "ci_high"])


def distribution(values: pd.Series, categories: list[str], confidence: float = 0.95) -> pd.DataFrame:
    """Counts and shares of each category (all listed, zeros included) with Wilson intervals.

    ``values`` holds one answer per respondent (missing answers are left out); for a multiple-choice
    item pass lists, each respondent counting once per category chosen (shares then add up to more
    than 100 %). Returns columns category, count, n, share, ci_low, ci_high.
    """
    answered = values.dropna()
    n = int(answered.size)
    counts = dict.fromkeys(categories, 0)
    for value in answered:
        for chosen in (value if isinstance(value, list) else [value]):
            key = str(chosen)
            if key in counts:
                counts[key] += 1
    rows = []
    for category, count in counts.items():
        low, high = wilson_interval(count, n, confidence) if n else (math.nan, math.nan)
        rows.append({"category": category, "count": count, "n": n, "share": count / n if n else math.nan,
                     "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows, columns=["category", "count", "n", "share", "ci_low", "ci_high"])


def cronbach_alpha(answers: pd.DataFrame) -> tuple[float, int]:
    """Cronbach's alpha of the items in ``answers``' columns, over respondents who answered all of them.

    alpha = k / (k - 1) * (1 - sum of item variances / variance of the total score), sample variances.
    Returns (alpha, n respondents used); alpha is NaN with fewer than 2 items or 2 complete respondents.
    """
    complete = answers.apply(pd.to_numeric, errors="coerce").dropna()
    k, n = complete.shape[1], complete.shape[0]
    if k < 2 or n < 2:
        return (math.nan, n)
    item_variances = complete.var(axis=0, ddof=1).sum()
    total_variance = complete.sum(axis=1).var(ddof=1)
    if total_variance == 0:
        return (math.nan, n)
    return (float(k / (k - 1) * (1 - item_variances / total_variance)), n)


def crosstab(answers: pd.DataFrame, row_item: str, column_item: str, row_categories: list[str],
             column_categories: list[str]) -> pd.DataFrame:
    """Counts of respondents by two single-choice items, every category listed (zeros kept), respondents
    missing either answer left out. Index: row categories; columns: column categories."""
    both = answers[[row_item, column_item]].dropna().astype(str)
    table = pd.crosstab(both[row_item], both[column_item])
    table = table.reindex(index=row_categories, columns=column_categories, fill_value=0)
    table.index.name, table.columns.name = row_item, column_item
    return table.astype(np.int64)


def _counted_variance(values: np.ndarray, counts: np.ndarray) -> float:
    """The sample variance (ddof 1) of ``values`` each given ``counts`` times."""
    n = counts.sum()
    mean = (values * counts).sum() / n
    return float((counts * (values - mean) ** 2).sum() / (n - 1))


def counted_item_mean(values: np.ndarray, counts: np.ndarray, confidence: float = 0.95) -> dict[str, float | int]:
    """What :func:`item_means` gives for one item, from its distinct numeric answers and how many gave
    each (a database's ``GROUP BY``) instead of one value per respondent: n, mean, sd, ci_low, ci_high.
    The mean is exact where the sum is (whole-number scales); sd and the interval agree with the
    per-respondent figures to rounding (about 1e-15 relative: the sum runs in another order)."""
    n = int(counts.sum())
    mean = float((values * counts).sum() / n) if n else math.nan
    sd = _counted_variance(values, counts) ** 0.5 if n > 1 else math.nan
    if n > 1:
        half_width = _t_quantile(confidence, n - 1) * sd / math.sqrt(n)
        low, high = mean - half_width, mean + half_width
    else:
        low = high = math.nan
    return {"n": n, "mean": mean, "sd": sd, "ci_low": low, "ci_high": high}


def counted_cronbach_alpha(complete: np.ndarray, counts: np.ndarray) -> tuple[float, int]:
    """What :func:`cronbach_alpha` gives, from the distinct complete rows of answers (one column per item)
    and how many respondents gave each row."""
    k, n = complete.shape[1], int(counts.sum())
    if k < 2 or n < 2:
        return (math.nan, n)
    item_variances = sum(_counted_variance(complete[:, column], counts) for column in range(k))
    total_variance = _counted_variance(complete.sum(axis=1), counts)
    if total_variance == 0:
        return (math.nan, n)
    return (float(k / (k - 1) * (1 - item_variances / total_variance)), n)
