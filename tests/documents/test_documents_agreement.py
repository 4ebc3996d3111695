"""Own Krippendorff's alpha and Cohen's kappa against the krippendorff package and statsmodels (test-only)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diaspora_observatory.analysis.agreement import cohens_kappa, krippendorff_alpha_nominal, percent_agreement

krippendorff = pytest.importorskip("krippendorff")

# Krippendorff's own worked example (4 coders, 12 units, nominal): alpha = 0.743
WORKED = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
          [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
          [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
          [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]


def package_alpha(data):
    matrix = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    return krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")


def package_kappa(a, b):
    # imported here, not at the top: statsmodels pulls in scipy.stats, seconds that every pytest process would
    # otherwise pay while collecting, whether or not it runs these tests
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    categories = sorted(set(a) | set(b))
    table = np.zeros((len(categories), len(categories)))
    for x, y in zip(a, b):
        table[categories.index(x), categories.index(y)] += 1
    with np.errstate(divide="ignore", invalid="ignore"):  # statsmodels' z value divides by a zero variance
        return inter_rater.cohens_kappa(table).kappa


def test_alpha_worked_example():
    assert krippendorff_alpha_nominal(WORKED) == pytest.approx(0.743421052631579, abs=1e-12)
    assert krippendorff_alpha_nominal(WORKED) == pytest.approx(package_alpha(WORKED), abs=1e-12)


def test_kappa_known_value():
    # 20 units: both yes 6, a yes b no 2, a no b yes 3, both no 9 -> po = .75, pe = .4 * .45 + .6 * .55 = .51
    a = [1] * 8 + [0] * 12
    b = [1] * 6 + [0] * 2 + [1] * 3 + [0] * 9
    assert cohens_kappa(a, b) == pytest.approx((0.75 - 0.51) / 0.49)
    assert cohens_kappa(a, b) == pytest.approx(package_kappa(a, b))
    assert percent_agreement(a, b) == 0.75


def test_undefined_cases_are_nan():
    assert math.isnan(krippendorff_alpha_nominal([[1, 1, 1], [1, 1, 1]]))
    assert math.isnan(cohens_kappa([1, 1], [1, 1]))
    assert math.isnan(krippendorff_alpha_nominal([[1, None], [None, 2]]))


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 4).flatmap(lambda coders: st.lists(
    st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=coders, max_size=coders), min_size=2, max_size=25)))
def test_alpha_matches_package_on_random_data(units):
    data = [list(row) for row in zip(*units)]
    pairable = sum(1 for unit in units if sum(v is not None for v in unit) >= 2)
    values = {v for unit in units if sum(x is not None for x in unit) >= 2 for v in unit if v is not None}
    if pairable == 0 or len(values) < 2:
        assert math.isnan(krippendorff_alpha_nominal(data))
        return
    assert krippendorff_alpha_nominal(data) == pytest.approx(package_alpha(data), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=2, max_size=40))
def test_kappa_matches_statsmodels_on_random_data(pairs):
    a, b = [x for x, _ in pairs], [y for _, y in pairs]
    ours = cohens_kappa(a, b)
    if math.isnan(ours):
        assert len(set(a) | set(b)) == 1
        return
    assert ours == pytest.approx(package_kappa(a, b), abs=1e-9)
