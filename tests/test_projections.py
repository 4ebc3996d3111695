"""Projections a demographer would sign: components that belong to the population, base counts with
their rounding, every parameter stated beside the result."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from diaspora_observatory import load_case
from diaspora_observatory.analysis import projections


def test_no_births_into_a_birthplace_defined_stock():
    base = pd.DataFrame({"country": ["RUS"], "year": [2024], "population": [2_013_457], "definition": ["birthplace"],
                         "source_id": ["undesa-2024"]})
    births = projections.Scenario("with-births", {"RUS": (-0.01, 0.02)}, {}, {})
    with pytest.raises(ValueError, match="adds births .* to RUS's stock of people born in the origin"):
        projections.project_diaspora(base, [births], until=2030)
    deaths_only = projections.Scenario("deaths", {"RUS": projections.BIRTHPLACE_NATURAL_CHANGE}, {}, {})
    table = projections.project_diaspora(base, [deaths_only], until=2030)
    # with no migration, a stock of people born elsewhere can only shrink
    assert table["high"].is_monotonic_decreasing and table["high"].iloc[-1] < 2_013_457


def test_a_base_row_without_a_definition_is_projected_and_labelled_as_an_ethnic_stock():
    # Only "birthplace" changes the projection; a missing definition was projected as ethnicity and now says so.
    base = pd.DataFrame({"country": ["UZB", "KGZ"], "year": [2024, 2024], "population": [1001, 500],
                         "definition": [float("nan"), "birthplace"]})
    flat = projections.Scenario("flat", {"UZB": (0.01, 0.01)}, {}, {})
    table = projections.project_diaspora(base, [flat], until=2025)
    assert table[["country", "definition"]].drop_duplicates().values.tolist() == [["UZB", "ethnicity"],
                                                                                  ["KGZ", "birthplace"]]


def test_natural_change_is_the_diasporas_own_range_not_the_hosts_growth(case):
    parameters = projections.projection_parameters(case)
    assert len(parameters) == 4 * 3
    assert set(parameters["natural_change_low"]) == {-1.0} and set(parameters["natural_change_high"]) == {2.0}
    assert projections.natural_change_range(case, "birthplace") == (-0.02, -0.005)
    # the World Bank's population growth is no longer a source of the projection
    assert not projections.projections(case)["source_ids"].str.contains("wb-wdi-population").any()
    assert set(parameters["method"]) == {projections.PROJECTION_METHOD}
    assert parameters["assumptions"].str.contains("not the host's growth").all()


def test_a_case_states_its_own_natural_change(case_copy):
    descriptor_path = case_copy / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    descriptor["diaspora"]["natural_change"] = [0.0, 0.005]
    descriptor_path.write_text(json.dumps(descriptor), encoding="utf-8")
    parameters = projections.projection_parameters(load_case(case_copy))
    assert set(parameters["natural_change_high"]) == {0.5}
    descriptor["diaspora"]["natural_change"] = "about one percent"
    descriptor_path.write_text(json.dumps(descriptor), encoding="utf-8")
    with pytest.raises(ValueError, match="diaspora.natural_change must be \\[low, high\\] annual rates"):
        projections.projection_parameters(load_case(case_copy))


@pytest.mark.parametrize(("count", "expected"), [
    (35000, (34500, 35500)), (2200, (2150, 2250)), (9000, (8500, 9500)), (821000, (820500, 821500)),
    (20033842, (20033842, 20033842)), (0, (0, 0)),
])
def test_base_counts_carry_their_rounding(count, expected):
    assert projections.rounding_range(count) == expected


def test_paths_start_from_the_ends_of_the_base_range(case):
    table = projections.projections(case)
    first = table[(table["country"] == "KGZ") & (table["year"] == 2022)]
    assert set(first["low"]) == {34500} and set(first["central"]) == {35000} and set(first["high"]) == {35500}
    assert (table["low"] <= table["central"]).all() and (table["central"] <= table["high"]).all()
