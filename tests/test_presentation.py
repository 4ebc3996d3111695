"""The presentation layer: each kind of number in each language, and kinds read from column names."""

from __future__ import annotations

import pytest

from diaspora_observatory.analysis import precision
from diaspora_observatory.presentation.cells import cell_text
from diaspora_observatory.presentation.kinds import column_kind
from diaspora_observatory.presentation.numbers import (
    figure_text,
    format_percent,
    format_range,
    format_value,
    p_value_phrase,
    p_value_text,
)

NBSP = "\xa0"


@pytest.mark.parametrize(("value", "kind", "en", "ru"), [
    # the audit's value: 3.487e+04 in the report, 3.5e+04 in the CLI, 34,870.8 on the web
    (34870.8, "people", "34,871", f"34{NBSP}871"),
    (1060.3, "people", "1,060", f"1{NBSP}060"),  # a projection: no tenths of a person
    (-0.4, "people", "0", "0"),  # never "-0"
    (14.866, "percent", "14.9", "14,9"),
    (0.138, "percent", "0.138", "0,138"),
    (0.0216887, "percent", "0.0217", "0,0217"),
    (0.5, "percent", "0.5", "0,5"),  # no trailing zeros: no digit claimed beyond the inputs
    (0.044, "percent", "0.044", "0,044"),
    (94.67251, "percent", "94.7", "94,7"),
    (100.0, "percent", "100", "100"),
    (0.0004, "p_value", f"<{NBSP}0.001", f"<{NBSP}0,001"),  # printed "0.0" before
    (0.3256758, "p_value", "0.326", "0,326"),
    (0.001, "p_value", "0.001", "0,001"),
    (1990, "year", "1990", "1990"),  # printed "1,990" before
    (2024.0, "year", "2024", "2024"),
    (-1235.212, "rate", "-1,235", f"-1{NBSP}235"),
    (-87.4967, "rate", "-87.5", "-87,5"),
    (-2.81667, "rate", "-2.82", "-2,82"),
    (0.95, "level", "95%", f"95{NBSP}%"),
    (-0.5942, "plain", "-0.594", "-0,594"),
    (12, "count", "12", "12"),
    (None, "people", "–", "–"),
    (float("nan"), "percent", "–", "–"),
])
def test_each_kind_in_english_and_russian(value, kind, en, ru):
    assert format_value(value, kind, "en") == en
    assert format_value(value, kind, "ru") == ru


def test_kazakh_groups_with_a_space_and_writes_a_decimal_comma():
    assert format_value(1234567, "people", "kk") == f"1{NBSP}234{NBSP}567"
    assert format_value(14.866, "percent", "kk") == "14,9"
    assert format_percent(12.5, "kk") == "12,5%"  # CLDR: Kazakh writes the sign without a space
    assert p_value_phrase(0.00002, "kk") == f"p{NBSP}<{NBSP}0,001"
    assert p_value_phrase(0.047, "en") == f"p{NBSP}={NBSP}0.047"


def test_ranges():
    assert format_range(3_000_000, 4_500_000, "people") == "3,000,000–4,500,000"
    assert format_range(2000, 2023, "year") == "2000–2023"
    assert format_range(9000, 9000, "people") == "9,000"
    assert format_range(-2101, -928.6, "rate") == "-2,101 – -929"  # spaced: the dash is not a minus
    assert figure_text(6_000_000, 5_000_000, 7_000_000, "persons", "ru") == f"5{NBSP}000{NBSP}000–7{NBSP}000{NBSP}000"
    assert figure_text(14.87, 12.389, 17.344, "percent", "en") == "12.4%–17.3%"
    assert figure_text(867200.0, 867200.0, 867200.0, "persons", "en") == "867,200"
    assert p_value_text(None) == "–"


@pytest.mark.parametrize(("column", "row", "kind"), [
    ("diaspora_population", None, "people"), ("emigration", None, "people"), ("net_total", None, "people"),
    ("immigration_peak", None, "people"), ("forecast", None, "people"), ("lower", None, "people"),
    ("diaspora_share_of_total_pct", None, "percent"), ("difference_pct", None, "percent"),
    ("net_trend_p_value", None, "p_value"), ("immigration_change_p_value", None, "p_value"),
    ("year", None, "year"), ("first_year", None, "year"), ("year_from", None, "year"),
    ("immigration_change_year", None, "year"), ("years_covered", None, "count"),
    ("association_count", None, "count"), ("n", None, "count"), ("net_theil_sen_slope", None, "rate"),
    ("drift", None, "rate"), ("level", None, "level"), ("net_kendall_tau", None, "plain"),
    ("value", {"unit": "persons"}, "people"), ("value", {"unit": "percent"}, "percent"),
    ("computed", {"unit": "percent"}, "percent"), ("value", {"statistic": "mean"}, "plain"),
    ("value", {"statistic": "percent"}, "percent"),
])
def test_kind_from_the_column_name_and_the_rows_unit(column, row, kind):
    assert column_kind(column, row) == kind


def test_cells():
    assert cell_text("year", 2024.0, "ru") == "2024"
    assert cell_text("has_culture", True, "kk") == "иә"
    assert cell_text("note", "as is", "ru") == "as is"
    assert cell_text("low", float("nan")) == ""
    assert cell_text("value", 8758.0, "ru", {"unit": "persons"}) == f"8{NBSP}758"


def test_a_claims_reported_text_is_written_as_a_number_of_its_unit():
    assert cell_text("reported", "20000000", "ru", {"unit": "persons"}) == f"20{NBSP}000{NBSP}000"
    assert cell_text("reported", "0.52", "ru", {"unit": "percent"}) == "0,52"  # the study's digits, no more
    assert cell_text("reported", "33.3", "en", {"unit": "percent"}) == "33.3"
    assert cell_text("reported", "UZB", "en", {"unit": "country"}) == "UZB"
    assert cell_text("reported", "decreasing", "en", {"unit": "persons"}) == "decreasing"
    assert cell_text("tolerance", 0.05) == "0.05"


# Significant digits from the precision of the inputs (analysis.precision; Taylor 1997, sections 2.8 and 3.3).

@pytest.mark.parametrize(("stated", "digits", "place"), [
    (9000, 1, 3),        # Turkmenistan's "around 9,000": rounded to the thousands
    (2200, 2, 2),        # Tajikistan's 2,200
    (35000, 2, 3),       # Kyrgyzstan's 35,000
    (821000, 3, 3),      # Uzbekistan's 821,000
    (37134229, 8, 0),    # a census count stated to the person
    (6516100, 5, 2),
    (0.85, 2, -2),       # the share Turkmenistan's titular count is computed with
    (7_000_000, 1, 6),   # the world estimate's ends, "5 to 7 million"
])
def test_a_stated_numbers_significant_digits_end_at_its_last_non_zero_digit(stated, digits, place):
    assert (precision.stated_digits(stated), precision.stated_place(stated)) == (digits, place)


def test_sums_keep_the_coarsest_place_and_ratios_the_fewest_digits():
    # 35,000 + 2,200 + 9,000 + 821,000 = 867,200: known to the thousands, three digits
    place = precision.sum_place([3, 2, 3, 3])
    assert (place, precision.digits_at(867200, place)) == (3, 3)
    assert precision.quotient_digits(1, 5) == 1
    # total - titular - diaspora with titular = 0.85 * total (Turkmenistan): both to the hundred thousands
    places = {"total": 2, "diaspora": 3}
    places["titular"] = precision.derived_place("0.85 * total", 5538685, places)
    assert places["titular"] == 5
    assert precision.derived_place("total - titular - diaspora", 968415, places) == 5
    assert precision.derived_place("log(total)", 1.0, places) is None  # a shape with no rule: not guessed
    assert precision.read_digits(precision.digits_text({"a": 1, "b": 7, "c": None})) == {"a": 1, "b": 3}


# (country, column, en, ru): the audit's examples and the study's own figures for the same shares.
SHARES = [
    ("TKM", "diaspora_share_of_total_pct", "0.1", "0,1"),       # 9,000 / 6,516,100: was 0.138
    ("TJK", "diaspora_share_of_total_pct", "0.022", "0,022"),   # 2,200 / 10,143,540: was 0.0217
    ("KGZ", "diaspora_share_of_total_pct", "0.52", "0,52"),     # 35,000 / 6,747,323
    ("UZB", "diaspora_share_of_total_pct", "2.21", "2,21"),     # 821,000 / 37,134,229
    ("TKM", "diaspora_share_of_others_pct", "0.9", "0,9"),      # the study's 0.9%
    ("TJK", "diaspora_share_of_others_pct", "0.16", "0,16"),    # the study's 0.16%
    ("KGZ", "diaspora_share_of_others_pct", "2.0", "2,0"),      # two digits, the zero among them
    ("UZB", "diaspora_share_of_others_pct", "5.26", "5,26"),
    ("TJK", "share_of_world_diaspora_low_pct", "0.03", "0,03"),  # 2,200 over 7 million: was 0.0314
    ("TJK", "share_of_world_diaspora_high_pct", "0.04", "0,04"),  # 2,200 over 5 million: was 0.044
    ("UZB", "share_of_regional_diaspora_pct", "94.7", "94,7"),
    ("TKM", "share_of_regional_diaspora_pct", "1", "1"),          # 9,000 of 867,200
]


@pytest.mark.parametrize(("country", "column", "en", "ru"), SHARES, ids=[f"{s[0]}-{s[1]}" for s in SHARES])
def test_shares_carry_no_more_digits_than_their_counts(case, country, column, en, ru):
    from diaspora_observatory.analysis.demography import demography

    row = demography(case).set_index("country").loc[country].to_dict()
    assert (cell_text(column, row[column], "en", row), cell_text(column, row[column], "ru", row)) == (en, ru)


def test_a_share_with_no_declared_precision_keeps_the_ceiling_of_three():
    assert cell_text("diaspora_share_of_total_pct", 0.138119, "en") == "0.138"
    assert cell_text("diaspora_share_of_total_pct", 0.138119, "en", {"significant_digits": ""}) == "0.138"
    assert format_value(0.138119, "percent", digits=7) == "0.138"  # never more than three
    assert format_value(18.2, "people") == "18"  # counts of people are whole numbers
    # ... and a derived count is written to the place its digits reach, never finer than the person
    assert format_value(18.2, "people", digits=1) == "20"
    assert format_value(18.2, "people", digits=7) == "18"


def test_key_figures_and_ranges_carry_the_digits_of_their_inputs(case):
    from diaspora_observatory.analysis.overview import key_figures

    figures = {row["figure"]: row for row in key_figures(case).to_dict(orient="records")}
    share = figures["share_of_world_diaspora"]
    written = figure_text(share["value"], share["low"], share["high"], share["unit"], "en", share["significant_digits"])
    assert written == "12%–17%"  # 867,200 over 5 to 7 million, was 12.4%–17.3%
    largest = figures["largest_host_share"]
    assert figure_text(largest["value"], largest["low"], largest["high"], "percent", "ru",
                       largest["significant_digits"]) == f"94,7{NBSP}%"
    assert format_range(0.0314, 0.044, "percent", "en", digits=1) == "0.03–0.04"
