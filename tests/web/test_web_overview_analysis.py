"""analysis.overview: the key figures, the map's values and a host's profile agree with the library."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from diaspora_observatory.analysis import demography, flows, overview
from diaspora_observatory.errors import UnknownCountry


def test_key_figures_match_the_demographic_model(case):
    figures = overview.key_figures(case).set_index("figure")
    summary = demography.regional_summary(case)
    assert figures.loc["regional_diaspora_total", "value"] == summary["regional_diaspora_total"]
    assert figures.loc["largest_host_share", "detail"] == summary["largest_host"]
    assert (figures.loc["share_of_world_diaspora", "low"], figures.loc["share_of_world_diaspora", "high"]) == (
        summary["share_of_world_diaspora_low_pct"], summary["share_of_world_diaspora_high_pct"])
    assert figures.loc["net_migration_total", "value"] == flows.flows(case)["net"].sum()
    assert figures.loc["net_migration_total", "detail"] == "2000–2023"
    assert figures.loc["world_diaspora_estimate", "source_ids"] == "iom-2022"
    assert all(figures["source_ids"].str.len() > 0)


def test_map_values_mark_the_origin(case):
    values = overview.map_values(case)
    assert values["country"].tolist() == ["KGZ", "TJK", "TKM", "UZB", "KAZ"]
    assert values["role"].tolist() == ["host"] * 4 + ["origin"]
    assert values.loc[values["country"] == "TJK", "diaspora_share_of_total_pct"].iloc[0] == pytest.approx(
        100 * 2200 / 10143540)


def test_country_profile_filters_every_table_to_the_host(case):
    profile = overview.country_profile(case, "UZB")
    assert set(profile["flows"]["partner"]) == {"UZB"}
    assert profile["flow-summary"]["partner"].tolist() == ["UZB"]
    assert set(profile["periods"]["partner"]) == {"UZB"}
    assert profile["shares"]["diaspora_population"].tolist() == [821000]
    assert set(profile["institutions"]["country"]) == {"UZB"}
    with pytest.raises(UnknownCountry, match="'KAZ' is not a host country"):
        overview.country_profile(case, "KAZ")


def test_serve_help_has_an_example():
    from diaspora_observatory.cli import main

    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "  Example:\n    diaspora serve                          # http://127.0.0.1:8000/\n" in result.output
    assert "--dev" in result.output and "--case NAME|PATH" in result.output


def test_serve_reports_an_unknown_case():
    from diaspora_observatory.cli import main

    result = CliRunner().invoke(main, ["serve", "--case", "no-such-case"])
    assert result.exit_code == 2
    assert "Error: no case named or found at 'no-such-case'" in result.output
