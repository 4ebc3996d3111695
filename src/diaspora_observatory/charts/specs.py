"""Vega-Lite specs for the study's figures, built from analysis tables.

Each function takes the analysis DataFrame and returns a plain dict (Vega-Lite v6). The web app embeds
the dict with the vega bundle shipped by ``vl-convert-python``; reports turn it into SVG. Both use
the same spec, so the two outputs cannot drift apart.
"""

from __future__ import annotations

import pandas as pd

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
WIDTH = 560


def _records(table: pd.DataFrame) -> list[dict]:
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in table.to_dict(orient="records")]


def _base(title: str, source: str) -> dict:
    return {"$schema": SCHEMA, "title": {"text": title, "subtitle": f"Source: {source}", "anchor": "start"},
            "width": WIDTH, "config": {"font": "sans-serif", "view": {"stroke": None}}}


def flows_over_time(flows: pd.DataFrame, source: str, title: str = "Migration flows with Kazakhstan") -> dict:
    """Lines of immigration and emigration per year, one panel per partner; legend click toggles a series."""
    long = flows.melt(id_vars=["partner", "year"], value_vars=["immigration", "emigration", "net"],
                      var_name="flow", value_name="persons")
    spec = _base(title, source)
    spec.pop("width")
    spec.update({
        "data": {"values": _records(long)},
        "facet": {"field": "partner", "type": "nominal", "title": None},
        "columns": 2,
        "resolve": {"scale": {"y": "independent"}},
        "spec": {
            "width": 260, "height": 150,
            "params": [{"name": "series", "select": {"type": "point", "fields": ["flow"]}, "bind": "legend"}],
            "mark": {"type": "line", "point": True},
            "encoding": {
                "x": {"field": "year", "type": "quantitative", "axis": {"format": "d"}, "title": "Year"},
                "y": {"field": "persons", "type": "quantitative", "title": "Persons"},
                "color": {"field": "flow", "type": "nominal", "title": "Flow",
                          "scale": {"domain": ["immigration", "emigration", "net"]}},
                "opacity": {"condition": {"param": "series", "value": 1}, "value": 0.15},
                "tooltip": [{"field": "partner"}, {"field": "year"}, {"field": "flow"},
                            {"field": "persons", "format": ","}],
            },
        },
    })
    return spec


def diaspora_shares(demography: pd.DataFrame, source: str, title: str = "Kazakhs in each host country") -> dict:
    """Bars of the diaspora's share of the total population and of the other groups, per host."""
    long = demography.melt(id_vars=["country"],
                           value_vars=["diaspora_share_of_total_pct", "diaspora_share_of_others_pct"],
                           var_name="measure", value_name="percent")
    long["measure"] = long["measure"].map({"diaspora_share_of_total_pct": "share of total population",
                                           "diaspora_share_of_others_pct": "share of other groups"})
    spec = _base(title, source)
    spec.update({
        "data": {"values": _records(long)},
        "height": 200,
        "params": [{"name": "measure_pick", "select": {"type": "point", "fields": ["measure"]}, "bind": "legend"}],
        "mark": "bar",
        "encoding": {
            "y": {"field": "country", "type": "nominal", "title": None},
            "yOffset": {"field": "measure"},
            "x": {"field": "percent", "type": "quantitative", "title": "Percent"},
            "color": {"field": "measure", "type": "nominal", "title": None},
            "opacity": {"condition": {"param": "measure_pick", "value": 1}, "value": 0.2},
            "tooltip": [{"field": "country"}, {"field": "measure"}, {"field": "percent", "format": ".2f"}],
        },
    })
    return spec


def survey_items(survey: pd.DataFrame, source: str, title: str = "Importance of identity elements (1-5)") -> dict:
    """Bars of the Likert item means on the 1-5 scale."""
    means = survey[survey["statistic"] == "mean"][["item_id", "label", "value"]]
    spec = _base(title, source)
    spec.update({
        "data": {"values": _records(means)},
        "height": 160,
        "mark": "bar",
        "encoding": {
            "y": {"field": "label", "type": "nominal", "title": None, "sort": "-x", "axis": {"labelLimit": 320}},
            "x": {"field": "value", "type": "quantitative", "title": "Mean (1 = not important, 5 = very important)",
                  "scale": {"domain": [1, 5]}},
            "tooltip": [{"field": "label"}, {"field": "value", "format": ".1f"}],
        },
    })
    return spec


def education_comparison(education: pd.DataFrame, source: str,
                         title: str = "Repatriates (kandas) and emigrants by education") -> dict:
    """Grouped bars of the education shares of repatriates and emigrants; unreported levels are absent."""
    long = education.melt(id_vars=["education"], value_vars=["kandas_share_pct", "emigrants_share_pct"],
                          var_name="group", value_name="percent").dropna(subset=["percent"])
    long["group"] = long["group"].map({"kandas_share_pct": "repatriates (kandas)",
                                       "emigrants_share_pct": "emigrants 2023"})
    spec = _base(title, source)
    spec.update({
        "data": {"values": _records(long)},
        "height": 180,
        "mark": "bar",
        "encoding": {
            "y": {"field": "education", "type": "nominal", "title": None},
            "yOffset": {"field": "group"},
            "x": {"field": "percent", "type": "quantitative", "title": "Percent of the group"},
            "color": {"field": "group", "type": "nominal", "title": None},
            "tooltip": [{"field": "group"}, {"field": "education"}, {"field": "percent", "format": ".1f"}],
        },
    })
    return spec
