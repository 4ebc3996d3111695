"""The demographic model against values computed by hand from Table 1."""

import pytest

from diaspora_observatory.analysis import demography


def test_shares_of_total_and_others_match_hand_computation(case):
    table = demography.demography(case).set_index("country")
    # 821000 / 37134229 and 821000 / 15605846
    assert table.loc["UZB", "diaspora_share_of_total_pct"] == pytest.approx(2.210898, abs=1e-6)
    assert table.loc["UZB", "diaspora_share_of_others_pct"] == pytest.approx(5.260849, abs=1e-6)
    # 2200 / 10143540: a tenth of the 0.21% the study's text gives
    assert table.loc["TJK", "diaspora_share_of_total_pct"] == pytest.approx(0.021689, abs=1e-6)
    assert list(table.index) == ["KGZ", "TJK", "TKM", "UZB"]


def test_regional_total_concentration_and_world_share_interval(case):
    summary = demography.regional_summary(case)
    assert summary["regional_diaspora_total"] == 35000 + 2200 + 9000 + 821000
    assert summary["largest_host"] == "UZB"
    assert summary["largest_host_share_pct"] == pytest.approx(100 * 821000 / 867200)
    # the world estimate is 5 to 7 million, so the share is an interval
    assert summary["share_of_world_diaspora_low_pct"] == pytest.approx(100 * 867200 / 7_000_000)
    assert summary["share_of_world_diaspora_high_pct"] == pytest.approx(100 * 867200 / 5_000_000)
    assert summary["hosts_by_size"] == ["UZB", "KGZ", "TKM", "TJK"]


def test_output_contract_columns(case):
    columns = set(demography.demography(case).columns)
    assert {"country", "year", "total_population", "titular_population", "diaspora_population",
            "other_population", "diaspora_share_of_total_pct", "diaspora_share_of_others_pct",
            "share_of_regional_diaspora_pct"} <= columns
