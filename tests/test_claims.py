"""The claim checker: statuses for the built-in study, and the rules behind them (scope, tolerance,
segments), with the audit's examples."""

import pytest

from casefiles import replace_in
from diaspora_observatory import load_case
from diaspora_observatory.analysis.claims import check_claims, compare, parse_params, rounding_tolerance


@pytest.fixture(scope="module")
def claims(case):
    return check_claims(case).set_index("id")


def test_every_claim_gets_a_status(claims):
    assert set(claims["status"]) <= {"confirmed", "mismatch", "unverifiable"}
    assert len(claims) == 47
    assert claims["status"].value_counts().to_dict() == {"confirmed": 28, "unverifiable": 10, "mismatch": 9}


@pytest.mark.parametrize("claim_id, computed, tolerance", [
    ("uzb-share-of-total", 2.2109, 0.05), ("regional-total", 867200.0, None), ("uzb-concentration", 94.6725, 0.05),
    ("world-share-low", 12.3886, 0.05), ("kaz-kazakh-share-71", 70.9813, 0.5), ("tkm-share-of-total", 0.1381, 0.005),
    ("tkm-share-of-others", 0.9294, 0.05), ("kgz-share-of-total", 0.5187, 0.005),
])
def test_confirmed_claims_are_judged_within_their_stated_rounding(claims, claim_id, computed, tolerance):
    row = claims.loc[claim_id]
    assert row["status"] == "confirmed"
    assert row["computed"] == pytest.approx(computed)
    assert (row["tolerance"] is None or row["tolerance"] != row["tolerance"]) if tolerance is None \
        else row["tolerance"] == pytest.approx(tolerance)


def test_the_tolerance_of_a_rounded_claim_says_why(claims):
    assert claims.loc["tjk-share-of-total", "tolerance"] == pytest.approx(0.005)
    assert claims.loc["tjk-share-of-total", "tolerance_basis"] == "half a unit of the last stated digit of 0.21"
    assert claims.loc["one-in-thirty", "tolerance_basis"] == "'one in thirty' is rounded to tens: half a unit is 5"
    assert claims.loc["kaz-population-over-20m", "tolerance_basis"] == "a strict lower bound: no tolerance"
    # Every approximate comparison carries a reason of its own, never a generic default.
    approximate = claims[claims["comparator"].isin(["approx", "nearly", "rounded"])]
    assert not approximate["tolerance_basis"].str.startswith("no basis").any()


@pytest.mark.parametrize("reported, tolerance", [("0.21", 0.005), ("71", 0.5), ("94.7", 0.05), ("2.2", 0.05),
                                                 ("0.9", 0.05), ("867200", 0.5), ("higher", None)])
def test_rounding_tolerance_is_half_a_unit_of_the_last_digit(reported, tolerance):
    assert rounding_tolerance(reported) == (pytest.approx(tolerance) if tolerance is not None else None)


@pytest.mark.parametrize("claim_id, reported, computed", [
    ("tjk-share-of-total", "0.21", 0.0217),      # Table 1: 2,200 of 10,143,540
    ("world-share-high", "17.2", 17.344),        # 867,200 / 5,000,000
    ("kaz-kazakh-population-20m", "20033842", 14220289.0),
    ("emigrants-largest-group-higher", "higher", "secondary_vocational"),
    # The audit's three errors of the study.
    ("share-ranking", "UZB+KGZ+TJK+TKM", "UZB+KGZ+TKM+TJK"),  # Turkmenistan's 0.138% is above Tajikistan's 0.022%
    ("study-three-stages", "3", 5.0),                         # "three stages", then five described
    ("world-estimates-consistent", "consistent",
     "inconsistent: 4,500,000 (world-2024-unofficial) is below the low end 5,000,000 (world-2022-range)"),
    # A consistency test between two figures is a claim too.
    ("tkm-repatriates-vs-immigrants", "consistent",
     "inconsistent: about 1,960 repatriates from TKM against 1,166 immigrants from TKM in 2023"),
])
def test_mismatches_are_findings_with_both_values(claims, claim_id, reported, computed):
    row = claims.loc[claim_id]
    assert row["status"] == "mismatch"
    assert row["reported"] == reported
    assert row["computed"] == (pytest.approx(computed) if isinstance(computed, float) else computed)
    assert row["reason"] == ""


@pytest.mark.parametrize("claim_id, computed", [
    ("period2-net-positive", "positive"), ("period3-net-negative", "positive"), ("period1-outflow", "positive"),
    ("emigrants-third-working-age-qualified", 66.6351), ("replenishment-only-uzbekistan", "UZB"),
])
def test_a_statement_wider_than_its_data_is_unverifiable_whatever_they_give(claims, claim_id, computed):
    """period2 agrees with the four partners' data and period3 disagrees; both speak of all of Kazakhstan's
    migration, so neither is confirmed nor a mismatch."""
    row = claims.loc[claim_id]
    assert row["status"] == "unverifiable"
    assert row["computed"] == (pytest.approx(computed) if isinstance(computed, float) else computed)
    assert row["reason"].startswith("the statement is wider than the data: ")


def test_the_period_claims_name_their_scope(claims):
    assert claims.loc["period3-net-negative", "reason"] == (
        "the statement is wider than the data: The concept speaks of Kazakhstan's migration with all countries; "
        "Table 2 covers four Central Asian partners only.")
    assert claims.loc["period3-net-negative", "data_scope"] == (
        "Net flows with the four Central Asian partners, 2011-2022 (Table 2)")
    assert (claims.loc[claims["method"].notna(), "data_scope"] != "").all()


def test_a_trend_claim_is_tested_on_both_sides_of_its_change_point(claims):
    """Emigration falls over 2000-2023 as a whole, but Pettitt's test finds a break in 2010 and the series has
    no trend since: 'steadily declining' does not hold, and the verdict says which part fails."""
    row = claims.loc["emigration-declining"]
    assert row["status"] == "mismatch"
    assert row["computed"] == (
        "2000–2023: decreasing (Mann-Kendall p < 0.001); change point 2010 (Pettitt p = 0.001), segments "
        "2000–2009: decreasing (Mann-Kendall p < 0.001); 2010–2023: no trend (Mann-Kendall p = 0.324)")


def test_a_steady_decline_is_confirmed_on_every_segment(case_copy):
    """Emigration falling by 30 a year to each partner: Pettitt's test splits any monotone series, and both
    segments decline too, so 'steadily declining' is confirmed."""
    path = case_copy / "data" / "flows.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    rewritten = [lines[0]]
    for line in lines[1:]:
        partner, year, _emigration, immigration, *rest = line.split(",")
        rewritten.append(",".join([partner, year, str(1000 - 30 * (int(year) - 2000)), immigration, *rest]))
    path.write_text("\n".join(rewritten) + "\n", encoding="utf-8")
    row = check_claims(load_case(case_copy)).set_index("id").loc["emigration-declining"]
    assert row["status"] == "confirmed"
    assert row["computed"] == (
        "2000–2023: decreasing (Mann-Kendall p < 0.001); change point 2012 (Pettitt p < 0.001), segments "
        "2000–2011: decreasing (Mann-Kendall p < 0.001); 2012–2023: decreasing (Mann-Kendall p < 0.001)")


def test_claims_without_data_are_unverifiable(claims):
    assert claims.loc["uzb-top-remittances", "status"] == "unverifiable"
    assert claims.loc["uzb-top-remittances", "computed"] is None
    assert claims.loc["uzb-top-remittances", "reason"] == "the case holds no data to recompute it"


def test_unknown_method_is_unverifiable_with_a_reason(case_copy):
    replace_in(case_copy / "data" / "claims.csv", ",diaspora_share_of_total,country=UZB,",
               ",diaspora_share_of_totl,country=UZB,")
    claims = check_claims(load_case(case_copy)).set_index("id")
    assert claims.loc["uzb-share-of-total", "status"] == "unverifiable"
    assert claims.loc["uzb-share-of-total", "reason"] == "unknown method 'diaspora_share_of_totl'"


def test_a_misspelt_parameter_is_unverifiable_with_a_reason_not_a_crash(case_copy):
    replace_in(case_copy / "data" / "claims.csv", ",diaspora_share_of_total,country=UZB,",
               ",diaspora_share_of_total,countr=UZB,")
    replace_in(case_copy / "data" / "claims.csv", ",host_by_rank,rank=1,", ",host_by_rank,rank=first,")
    claims = check_claims(load_case(case_copy)).set_index("id")
    assert claims.loc["uzb-share-of-total", "status"] == "unverifiable"
    assert claims.loc["uzb-share-of-total", "reason"] == (
        "the params do not fit method 'diaspora_share_of_total': unknown 'countr'; missing 'country' "
        "(it takes country)")
    assert claims.loc["largest-host", "status"] == "unverifiable"
    assert claims.loc["largest-host", "reason"].startswith("could not recompute: ")


def test_a_changed_figure_turns_a_claim_into_a_mismatch(case_copy):
    # Move 100,000 people from "other" to the diaspora: sums still hold, the 2.2% claim no longer does.
    path = case_copy / "data" / "population.csv"
    replace_in(path, "UZB,2024,diaspora,821000", "UZB,2024,diaspora,921000")
    replace_in(path, "UZB,2024,other,15605846", "UZB,2024,other,15505846")
    case = load_case(case_copy)
    assert case.errors == []
    claims = check_claims(case).set_index("id")
    assert claims.loc["uzb-share-of-total", "status"] == "mismatch"
    assert claims.loc["regional-total", "computed"] == 967200.0


def test_removing_the_scope_gap_lets_the_data_judge(case_copy):
    """The scope gap alone keeps period3 unverifiable: without it the four partners' data would call it a
    mismatch, which is why a gap must be stated wherever the statement is wider."""
    path = case_copy / "data" / "claims.csv"
    text = path.read_text(encoding="utf-8")
    line = next(row for row in text.splitlines() if row.startswith("period3-net-negative,"))
    gap = "The concept speaks of Kazakhstan's migration with all countries; Table 2 covers four Central Asian " \
          "partners only."
    replace_in(path, line, line.replace(gap, ""))
    assert check_claims(load_case(case_copy)).set_index("id").loc["period3-net-negative", "status"] == "mismatch"


def test_compare_rules():
    assert compare("2.2", 2.24, "approx", 0.05)
    assert not compare("2.2", 2.26, "approx", 0.05)
    assert compare("0.21", 0.214, "rounded", None) and not compare("0.21", 0.0217, "rounded", None)
    assert compare("50", 49.2, "nearly", 5) and not compare("50", 44.9, "nearly", 5) and not compare("50", 50.1, "nearly", 5)
    assert compare("50", 66.6, "gt", 0) and not compare("50", 40, "gt", 0)
    assert compare("UZB", "UZB", "eq", None) and not compare("UZB", "KGZ", "eq", None)


def test_parse_params():
    assert parse_params("country=UZB;rank=-1;categories=a+b;alpha=0.05") == {
        "country": "UZB", "rank": -1, "categories": ["a", "b"], "alpha": 0.05}
