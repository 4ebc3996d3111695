"""Flows, periods and trend statistics against hand computations and independent implementations."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from diaspora_observatory.analysis import flows
from diaspora_observatory.analysis.trend import mann_kendall, pettitt, theil_sen


def test_net_is_immigration_minus_emigration(case):
    table = flows.flows(case).set_index(["partner", "year"])
    assert table.loc[("UZB", 2005), ["emigration", "immigration", "net"]].tolist() == [619, 44648, 44029]
    assert table.loc[("TKM", 2020), "net"] == 1189
    assert len(table) == 96


def test_partner_totals_and_peaks(case):
    summary = flows.flow_summary(case).set_index("partner")
    # Kyrgyzstan's emigration column of Table 2 added by hand: 5,329
    assert summary.loc["KGZ", "emigration_total"] == 5329
    assert summary.loc["UZB", "immigration_peak_year"] == 2005
    assert summary.loc["UZB", "immigration_peak"] == 44648
    assert summary.loc["TKM", "immigration_peak_year"] == 2006
    assert summary.loc["ALL", "immigration_total"] == summary.drop("ALL")["immigration_total"].sum()


def test_periods_cover_the_concepts_three_periods(case):
    periods = flows.period_totals(case)
    everyone = periods[periods["partner"] == "ALL"].set_index("period_id")
    assert everyone.loc["p1", ["years_covered", "years_in_period"]].tolist() == [1, 10]
    assert everyone.loc["p2", "immigration"] == sum([18783 + 24628 + 31191 + 35795 + 44648 + 32620 + 24940 + 16738 + 18793 + 21160,
                                                     2145 + 2566 + 2818 + 2612 + 2596 + 2397 + 1760 + 1381 + 1333 + 1501,
                                                     464 + 381 + 316 + 261 + 197 + 684 + 154 + 128 + 163 + 297,
                                                     2945 + 3174 + 3336 + 3266 + 2397 + 4565 + 4090 + 2555 + 2089 + 1371])


def test_mann_kendall_on_a_hand_worked_series():
    # 1, 3, 2, 4: pairs (1,3)+ (1,2)+ (1,4)+ (3,2)- (3,4)+ (2,4)+ -> S = 4; Var = 4*3*13/18
    result = mann_kendall([1, 3, 2, 4])
    assert result.s == 4
    assert result.variance == pytest.approx(4 * 3 * 13 / 18)
    assert result.z == pytest.approx(3 / np.sqrt(4 * 3 * 13 / 18))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=4, max_size=30))
def test_mann_kendall_tau_agrees_with_scipy_kendall_tau_a(values):
    result = mann_kendall(values)
    n = len(values)
    concordant_minus_discordant = stats.kendalltau(range(n), values, variant="b")
    if np.isnan(concordant_minus_discordant.statistic):
        assert result.s == 0
        return
    # tau-a = S / (n(n-1)/2); tau-b divides by the tie-corrected count instead
    ties = sum(t * (t - 1) / 2 for t in np.unique(values, return_counts=True)[1])
    tau_b = result.s / np.sqrt((n * (n - 1) / 2) * (n * (n - 1) / 2 - ties))
    assert tau_b == pytest.approx(concordant_minus_discordant.statistic)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=5000), min_size=3, max_size=30))
def test_theil_sen_agrees_with_scipy(values):
    years = list(range(2000, 2000 + len(values)))
    ours = theil_sen(years, values)
    slope, intercept, low, high = stats.theilslopes(values, years, alpha=0.95)
    assert (ours.slope, ours.intercept, ours.low_slope, ours.high_slope) == pytest.approx((slope, intercept, low, high))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=20), min_size=3, max_size=30))
def test_mann_kendall_p_value_agrees_with_the_normal_approximation(values):
    result = mann_kendall(values)
    if result.variance > 0:
        assert result.p_value == pytest.approx(2 * stats.norm.sf(abs(result.z)))


def test_theil_sen_recovers_an_exact_line():
    years = list(range(2000, 2010))
    result = theil_sen(years, [3 * (y - 2000) + 7 for y in years])
    assert result.slope == pytest.approx(3)


def test_pettitt_finds_a_level_shift():
    result = pettitt([10, 11, 9, 10, 12, 30, 31, 29, 33, 30])
    assert result.index == 4  # last position of the first level
    # every one of the 5 x 5 pairs across the shift rises: K = 25, p = 2 exp(-6 K^2 / (n^3 + n^2))
    assert result.statistic == 25
    assert result.p_value == pytest.approx(2 * np.exp(-6 * 25**2 / (10**3 + 10**2)))


def test_trends_of_the_built_in_flows(case):
    summary = flows.flow_summary(case).set_index("partner")
    assert summary.loc["ALL", "emigration_trend"] == "decreasing"
    assert summary.loc["TJK", "net_trend"] == "no trend"
    assert summary.loc["UZB", "net_theil_sen_slope"] < 0
    assert summary.loc["ALL", "years_net_positive"] == 24


def test_change_points_by_binary_segmentation():
    from diaspora_observatory.analysis.trend import change_points

    # three levels: Pettitt on the whole series, then on each side of the shift it finds
    values = [10, 12, 11, 13, 12, 11, 30, 32, 31, 33, 30, 32, 60, 61, 63, 62, 60, 61]
    found = change_points(values)
    # the first cut falls a year late: 30 (position 6) still ranks below every value of the third level,
    # which outweighs its rise over the first; the second side then finds the shift to 60 exactly
    assert [point.index for point in found] == [6, 11]
    assert all(point.p_value < 0.05 for point in found)
    assert change_points([5, 6, 5, 6, 5, 6, 5, 6]) == []  # no shift: nothing found
    assert change_points([1, 1, 9, 9, 9, 9, 9]) == []  # a shift leaving fewer than 3 values a side is not cut


def test_the_built_in_emigration_breaks_in_2010_and_has_no_trend_since(case):
    """The audit: the "steady decline" of emigration over 2000-2023 is a fall in level in 2010 followed
    by no significant trend."""
    from diaspora_observatory.analysis.trend import segments

    total = flows.total_flows(case)
    parts = segments(total["year"].tolist(), total["emigration"].tolist())
    assert [(part.first_year, part.last_year, part.trend) for part in parts] == [
        (2000, 2009, "decreasing"), (2010, 2023, "no trend")]
    summary = flows.flow_summary(case).set_index("partner")
    assert summary.loc["ALL", ["emigration_change", "emigration_change_year", "emigration_recent_trend"]].tolist() \
        == ["level shift", 2010, "no trend"]


def test_change_points_are_significant_or_say_so(case):
    summary = flows.flow_summary(case).set_index("partner")
    assert summary.loc["TJK", "immigration_change"] == "no significant change"
    assert summary.loc["TJK", "immigration_change_p_value"] == pytest.approx(0.3257, abs=1e-4)
    assert summary.loc["UZB", ["immigration_change", "immigration_change_year"]].tolist() == ["level shift", 2013]
    assert (summary["significance_level"] == 0.05).all()
