"""Definitions side by side, cross-source checks, flows estimated from stocks, projections: small tables
with answers computed by hand, and the built-in case."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from click.testing import CliRunner

from diaspora_observatory.analysis import crosscheck, definitions, estimates, projections
from diaspora_observatory.case.package import load_case
from diaspora_observatory.cli import main
from diaspora_observatory.tables import build_table


def stocks(*rows):
    return pd.DataFrame(rows, columns=["origin", "destination", "stock"])


def test_definitions_side_by_side_for_the_builtin_case(case):
    table = definitions.definitions(case).set_index(["country", "definition"])
    assert int(table.loc[("UZB", "ethnicity"), "count"]) == 821000
    assert table.loc[("UZB", "ethnicity"), "source_id"] == "stat-uz-2024"
    assert int(table.loc[("UZB", "birthplace"), "count"]) == 13013
    assert table.loc[("UZB", "birthplace"), "source_id"] == "undesa-ims-2024"
    assert table.loc[("UZB", "birthplace"), "label"] == "People born in Kazakhstan"
    assert table.loc[("UZB", "ethnicity"), "label"] == "Ethnic Kazakhs"
    citizens = table.xs("citizenship", level="definition")
    assert citizens["count"].isna().all()
    assert set(citizens["explanation"]) == {"The case has no count of citizens of Kazakhstan living in this host "
                                            "(the study gives none)."}
    assert len(table) == 4 * 3  # one row per host and definition: nothing summed across definitions
    assert set(table.index.get_level_values("definition")) == {"ethnicity", "birthplace", "citizenship"}


def test_birthplace_world_total_and_top_destinations(case):
    summary = definitions.birthplace_summary(case).iloc[0]
    assert int(summary["world_total"]) == 2796572
    assert int(summary["in_hosts"]) == 12333 + 842 + 19875 + 13013
    top = definitions.birthplace_destinations(case)
    assert top["destination"].head(3).tolist() == ["RUS", "DEU", "UKR"]
    assert top["share_of_world_pct"].iloc[0] == pytest.approx(100 * 1321004 / 2796572)
    assert top["cumulative_share_pct"].iloc[-1] == pytest.approx(100)


def test_cross_source_table_and_warning_in_check(case):
    table = crosscheck.population_vs_reference(case).set_index("country")
    assert table.loc["TKM", "difference"] == 6516100 - 7494498
    assert table.loc["TKM", "difference_pct"] == pytest.approx(100 * (6516100 - 7494498) / 7494498)
    assert table["within_tolerance"].to_dict() == {"KAZ": True, "KGZ": True, "TJK": True, "TKM": False, "UZB": True}
    warnings = [w for w in case.warnings if w.check == "cross_source_agreement"]
    assert [w.message for w in warnings] == [
        "country=TKM, year=2024: 6,516,100 (wb-2024) differs from reference_population's 7,494,498 "
        "(wb-wdi-population) by -978,400 (-13.1%), more than the tolerance of 5%"]
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0
    assert "warning: [cross_source_agreement] data/population.csv row 14, field population: country=TKM" in result.output


def test_cross_source_tolerance_is_a_parameter(case_copy):
    import json
    descriptor = json.loads((case_copy / "datapackage.json").read_text(encoding="utf-8"))
    for spec in descriptor["checks"]:
        if spec["check"] == "cross_source_agreement":
            spec["tolerance_pct"] = 2
    (case_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    flagged = [w.message.split(":")[0] for w in load_case(case_copy).warnings if w.check == "cross_source_agreement"]
    assert flagged == ["country=KAZ, year=2024", "country=KGZ, year=2022", "country=TJK, year=2024",
                       "country=TKM, year=2024", "country=UZB, year=2024"]


def test_mirror_statistics_by_hand():
    origin_side = pd.DataFrame({"origin": ["KAZ", "KAZ", "KAZ"], "destination": ["UZB", "KGZ", "RUS"],
                                "year": [2023, 2023, 2023], "value": [100, 50, 10]})
    destination_side = pd.DataFrame({"origin": ["KAZ", "KAZ"], "destination": ["UZB", "KGZ"], "year": [2023, 2023],
                                     "value": [140, 50]})
    table = crosscheck.mirror_statistics(origin_side, destination_side, tolerance_pct=20).set_index("destination")
    assert list(table.index) == ["KGZ", "UZB"]  # RUS: only one side reports it
    assert table.loc["UZB", "difference"] == 40
    assert table.loc["UZB", "ratio"] == pytest.approx(1.4)
    assert table.loc["UZB", "relative_difference_pct"] == pytest.approx(100 * 40 / 120)
    assert not table.loc["UZB", "within_tolerance"] and table.loc["KGZ", "within_tolerance"]


def test_stock_differencing_by_hand():
    start = stocks(("KAZ", "RUS", 1000), ("KAZ", "DEU", 500), ("KAZ", "UZB", 30))
    end = stocks(("KAZ", "RUS", 1200), ("KAZ", "DEU", 450), ("KAZ", "TUR", 20))
    dropped = estimates.stock_differencing(start, end, year_from=2020, year_to=2024).set_index("destination")
    assert dropped["inflow"].to_dict() == {"DEU": 0, "RUS": 200, "TUR": 20, "UZB": 0}
    assert dropped["returns"].to_dict() == {"DEU": 0, "RUS": 0, "TUR": 0, "UZB": 0}
    assert dropped["flagged"].to_dict() == {"DEU": True, "RUS": False, "TUR": False, "UZB": True}
    reversed_ = estimates.stock_differencing(start, end, year_from=2020, year_to=2024,
                                             negatives="returns").set_index("destination")
    assert reversed_["returns"].to_dict() == {"DEU": 50, "RUS": 0, "TUR": 0, "UZB": 30}
    assert reversed_["method"].iloc[0] == "stock differencing, negatives reversed as returns"
    assert "returning to the origin" in reversed_["assumptions"].iloc[0]
    with pytest.raises(ValueError, match="negatives must be"):
        estimates.stock_differencing(start, end, year_from=2020, year_to=2024, negatives="keep")


def test_rates_method_by_hand():
    start = stocks(("KAZ", "RUS", 1000), ("KAZ", "DEU", 1000))
    end = stocks(("KAZ", "RUS", 1100), ("KAZ", "DEU", 500))
    table = estimates.rates_method(start, end, year_from=2019, year_to=2024, mortality=0.01,
                                   return_rate=0.04).set_index("destination")
    stayers = 1000 * 0.95 ** 5  # 773.78
    assert table.loc["RUS", "inflow"] == pytest.approx(1100 - stayers)
    assert table.loc["RUS", "deaths"] == pytest.approx((1000 - stayers) * 0.2)
    assert table.loc["RUS", "returns"] == pytest.approx((1000 - stayers) * 0.8)
    assert table.loc["DEU", "inflow"] == 0 and table.loc["DEU", "flagged"]
    assert table["assumptions"].iloc[0].startswith("Members of the starting stock die at an annual rate of 0.01 and "
                                                   "return at an annual rate of 0.04, constant over the 5-year period")
    with pytest.raises(ValueError, match="must be after"):
        estimates.rates_method(start, end, year_from=2024, year_to=2024, mortality=0.01, return_rate=0.0)


def test_builtin_case_has_one_stock_year_so_no_stock_flows(case):
    assert build_table(case, "stock-flows").empty


def test_projection_by_hand():
    # low and high given: the count is exact (without them 1000 would stand for 500 to 1,500)
    base = pd.DataFrame({"country": ["UZB"], "year": [2024], "population": [1000], "low": [1000], "high": [1000],
                         "source_id": ["s"]})
    scenario = projections.Scenario("test", natural_change={"UZB": (0.0, 0.02)},
                                    repatriation_rate={"UZB": (0.01, 0.03)}, emigration={"UZB": (0, 20)},
                                    description="Test.")
    table = projections.project_diaspora(base, [scenario], until=2026)
    assert table["year"].tolist() == [2024, 2025, 2026]
    # low: n=0, r=0.03, E=0 -> 1000*0.97, then *0.97; high: n=0.02, r=0.01, E=20 -> 1030, 1030*1.01+20
    assert table["low"].tolist() == pytest.approx([1000, 970, 940.9])
    assert table["high"].tolist() == pytest.approx([1000, 1030, 1060.3])
    # central: n=0.01, r=0.02, E=10 -> 1000*0.99+10 = 1000 every year
    assert table["central"].tolist() == pytest.approx([1000, 1000, 1000])
    assert table["assumptions"].iloc[0] == "Test."
    parameters = projections.scenario_parameters(base, [scenario]).iloc[0]
    assert parameters[["natural_change_low", "natural_change_high", "repatriation_low", "repatriation_high",
                       "emigration_low", "emigration_high"]].tolist() == pytest.approx([0, 2, 1, 3, 0, 20])


def test_builtin_projections_are_ordered_ranges(case):
    table = projections.projections(case)
    assert set(table["scenario"]) == {"recent-migration", "natural-change-only", "repatriation-doubled"}
    assert (table["low"] <= table["central"]).all() and (table["central"] <= table["high"]).all()
    uzbekistan = table[(table["country"] == "UZB") & (table["year"] == 2024)]
    assert set(uzbekistan["central"]) == {821000}
    # 821,000 is stated to the thousand: the paths start from 820,500 and 821,500
    assert set(uzbekistan["low"]) == {820500} and set(uzbekistan["high"]) == {821500}
    sources = uzbekistan.set_index("scenario")["source_ids"].to_dict()
    # the host's population growth (World Bank) is no longer the diaspora's natural change
    assert sources == {"natural-change-only": "stat-uz-2024",
                       "recent-migration": "bns-2024a;stat-uz-2024",
                       "repatriation-doubled": "bns-2024a;stat-uz-2024"}


def test_forecast_matches_the_random_walk_with_drift_by_hand():
    values = [100.0, 110.0, 130.0, 125.0, 150.0, 160.0]
    changes = [b - a for a, b in zip(values, values[1:])]  # 10, 20, -5, 25, 10: drift 12, n = 5
    drift = sum(changes) / len(changes)
    sigma = math.sqrt(sum((c - drift) ** 2 for c in changes) / (len(changes) - 1))
    table = projections.forecast_series(list(range(2018, 2024)), values, horizon=3)
    assert table["year"].tolist() == [2024, 2025, 2026]
    assert table["forecast"].tolist() == pytest.approx([160 + drift * h for h in (1, 2, 3)], rel=1e-4)
    # t(0.975, 4 degrees of freedom) = 2.776445; variance h·σ² + h²·σ²/n includes the drift's error
    assert table["upper"].tolist() == pytest.approx([160 + drift * h + 2.776445 * sigma * math.sqrt(h + h * h / 5)
                                                     for h in (1, 2, 3)], rel=1e-5)
    with pytest.raises(ValueError, match="at least 3 years"):
        projections.forecast_series([2020, 2021], [1.0, 2.0])


def test_flow_forecast_of_the_builtin_case(case):
    table = projections.flow_forecast(case, horizon=2)
    assert len(table) == 4 * 2 * 2
    last_year = int(case.table("flows")["year"].max())
    assert set(table["year"]) == {last_year + 1, last_year + 2}
    assert (table["lower"] <= table["forecast"]).all() and (table["forecast"] <= table["upper"]).all()
    assert (table["lower"] >= 0).all()


def test_tables_for_show_and_web(case):
    for name in ("definitions", "birthplace-destinations", "birthplace-summary", "cross-source", "projections"):
        frame = build_table(case, name)
        assert not frame.empty, name
        assert any(c.endswith("source_id") for c in frame.columns), name
