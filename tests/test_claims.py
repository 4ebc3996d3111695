"""The claim checker: statuses for the built-in study, and the rules behind them."""

import pytest

from casefiles import replace_in
from diaspora_observatory import load_case
from diaspora_observatory.analysis.claims import check_claims, compare, parse_params


@pytest.fixture(scope="module")
def claims(case):
    return check_claims(case).set_index("id")


def test_every_claim_gets_a_status(claims):
    assert set(claims["status"]) <= {"confirmed", "mismatch", "unverifiable"}
    assert len(claims) == 34


@pytest.mark.parametrize("claim_id, computed", [
    ("uzb-share-of-total", 2.2109), ("regional-total", 867200.0), ("uzb-concentration", 94.6725),
    ("world-share-low", 12.3886), ("kaz-kazakh-share-71", 70.9813),
])
def test_confirmed_claims(claims, claim_id, computed):
    assert claims.loc[claim_id, "status"] == "confirmed"
    assert claims.loc[claim_id, "computed"] == pytest.approx(computed)


@pytest.mark.parametrize("claim_id, reported, computed", [
    ("tjk-share-of-total", "0.21", 0.0217),      # Table 1: 2,200 of 10,143,540
    ("world-share-high", "17.2", 17.344),        # 867,200 / 5,000,000
    ("kaz-kazakh-population-20m", "20033842", 14220289.0),
    ("emigrants-largest-group-higher", "higher", "secondary_vocational"),
    ("period3-net-negative", "negative", "positive"),
])
def test_mismatches_are_findings_with_both_values(claims, claim_id, reported, computed):
    row = claims.loc[claim_id]
    assert row["status"] == "mismatch"
    assert row["reported"] == reported
    assert row["computed"] == (pytest.approx(computed) if isinstance(computed, float) else computed)


def test_claims_without_data_are_unverifiable(claims):
    assert claims.loc["uzb-top-remittances", "status"] == "unverifiable"
    assert claims.loc["uzb-top-remittances", "computed"] is None


def test_unknown_method_is_unverifiable_with_a_note(case_copy):
    replace_in(case_copy / "data" / "claims.csv", ",diaspora_share_of_total,country=UZB,", ",diaspora_share_of_totl,country=UZB,")
    claims = check_claims(load_case(case_copy)).set_index("id")
    assert claims.loc["uzb-share-of-total", "status"] == "unverifiable"
    assert claims.loc["uzb-share-of-total", "note"].startswith("unknown method 'diaspora_share_of_totl'")


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


def test_compare_rules():
    assert compare("2.2", 2.24, "approx", 0.05)
    assert not compare("2.2", 2.26, "approx", 0.05)
    assert compare("50", 66.6, "gt", 0) and not compare("50", 40, "gt", 0)
    assert compare("UZB", "UZB", "eq", None) and not compare("UZB", "KGZ", "eq", None)


def test_parse_params():
    assert parse_params("country=UZB;rank=-1;categories=a+b;alpha=0.05") == {
        "country": "UZB", "rank": -1, "categories": ["a", "b"], "alpha": 0.05}
