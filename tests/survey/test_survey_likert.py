"""The statistics against independent implementations, and disclosure control against exact recovery."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diaspora_observatory.analysis.disclosure import margins_known, recoverable, suppress, suppression_mask
from diaspora_observatory.analysis.likert import cronbach_alpha, crosstab, distribution, item_means, wilson_interval


def likert_answers(seed: int, n: int = 60, items: int = 4) -> pd.DataFrame:
    generator = np.random.default_rng(seed)
    trait = generator.normal(size=n)
    data = {f"item{k}": np.clip(np.round(3 + trait + generator.normal(scale=0.9, size=n)), 1, 5) for k in range(items)}
    return pd.DataFrame(data)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cronbach_alpha_matches_pingouin(seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pingouin's own imports may warn about deprecated APIs
        import pingouin

    answers = likert_answers(seed)
    answers.iloc[3, 1] = np.nan  # listwise deletion on both sides
    alpha, n = cronbach_alpha(answers)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected, _interval = pingouin.cronbach_alpha(data=answers, nan_policy="listwise")
    assert n == 59
    assert alpha == pytest.approx(expected, abs=1e-12)


def test_cronbach_alpha_needs_two_items_and_two_people():
    assert math.isnan(cronbach_alpha(pd.DataFrame({"a": [1, 2, 3]}))[0])
    assert math.isnan(cronbach_alpha(pd.DataFrame({"a": [1], "b": [2]}))[0])


@pytest.mark.parametrize(("successes", "n"), [(0, 10), (23, 100), (39, 100), (100, 100), (1, 3)])
def test_wilson_interval_matches_statsmodels(successes, n):
    from statsmodels.stats.proportion import proportion_confint

    low, high = wilson_interval(successes, n)
    expected_low, expected_high = proportion_confint(successes, n, alpha=0.05, method="wilson")
    assert low == pytest.approx(expected_low, abs=1e-12)
    assert high == pytest.approx(expected_high, abs=1e-12)
    low90, high90 = wilson_interval(successes, n, confidence=0.9)
    expected90 = proportion_confint(successes, n, alpha=0.1, method="wilson")
    assert (low90, high90) == pytest.approx(expected90, abs=1e-12)


def test_item_means_match_scipy():
    from scipy import stats

    answers = likert_answers(7)
    table = item_means(answers, ["item0", "item1"]).set_index("item")
    values = answers["item0"]
    expected = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    assert table.loc["item0", "mean"] == pytest.approx(values.mean())
    assert (table.loc["item0", "ci_low"], table.loc["item0", "ci_high"]) == pytest.approx(expected)


def test_distribution_lists_every_category_and_counts_multiple_choices():
    single = distribution(pd.Series(["a", "b", "a", None]), ["a", "b", "c"])
    assert single[["category", "count", "n"]].values.tolist() == [["a", 2, 3], ["b", 1, 3], ["c", 0, 3]]
    multiple = distribution(pd.Series([["a", "b"], ["b"], None]), ["a", "b"])
    assert multiple["count"].tolist() == [1, 2] and multiple["share"].tolist() == [0.5, 1.0]


def test_crosstab_keeps_empty_categories():
    answers = pd.DataFrame({"lang": ["kz", "kz", "ru"], "age": ["young", "old", "old"]})
    table = crosstab(answers, "lang", "age", ["kz", "ru", "both"], ["young", "old"])
    assert table.values.tolist() == [[1, 1], [0, 1], [0, 0]]


def test_suppression_of_a_worked_example():
    table = pd.DataFrame([[20, 3, 15], [30, 40, 12], [25, 25, 25]], index=list("abc"), columns=list("xyz"))
    published = suppress(table)
    assert published.isna().values.tolist() == [
        [False, True, True, False], [False, False, False, False], [False, True, True, False],
        [False, False, False, False]]
    assert int(published.loc["Total", "Total"]) == 195


def test_suppression_with_known_margins_hides_only_interior_cells():
    """A cross-tabulation's margins are published as one-way counts: they stay, the interior hides."""
    table = pd.DataFrame([[20, 3, 15], [30, 40, 12], [25, 25, 25]], index=list("abc"), columns=list("xyz"))
    mask = suppression_mask(table, known=margins_known(table)).to_numpy()
    assert not mask[-1, :].any() and not mask[:, -1].any()
    assert mask[0, 1] and not recoverable(mask).any()
    assert suppress(pd.DataFrame([[3, 4], [5, 6]]), known=margins_known(pd.DataFrame([[3, 4], [5, 6]]))
                    ).isna().to_numpy().tolist() == [[True, True, False], [True, True, False], [False, False, False]]


tables = st.integers(2, 4).flatmap(lambda rows: st.integers(2, 4).flatmap(
    lambda columns: st.lists(st.lists(st.integers(0, 40), min_size=columns, max_size=columns),
                             min_size=rows, max_size=rows)))


@settings(max_examples=60, deadline=None)
@given(tables)
def test_no_hidden_cell_can_be_recovered_from_the_totals(cells):
    table = pd.DataFrame(cells)
    mask = suppression_mask(table)
    values = suppress(table)
    full = table.copy()
    full["Total"] = full.sum(axis=1)
    full.loc["Total"] = full.sum(axis=0)
    # Every small cell is hidden, nothing hidden is determined by the published relations,
    # and what is shown is the true count.
    assert mask.to_numpy()[full.to_numpy() < 10].all()
    assert not recoverable(mask.to_numpy()).any()
    shown = ~mask.to_numpy()
    assert (values.to_numpy()[shown].astype(int) == full.to_numpy()[shown]).all()


@settings(max_examples=60, deadline=None)
@given(tables)
def test_known_margins_stay_shown_and_leave_no_hidden_cell_recoverable(cells):
    table = pd.DataFrame(cells)
    mask = suppression_mask(table, known=margins_known(table)).to_numpy()
    interior = table.to_numpy()
    assert not mask[-1, :].any() and not mask[:, -1].any()
    assert mask[:-1, :-1][interior < 10].all()
    assert not recoverable(mask).any()
