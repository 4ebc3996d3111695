"""The overview map as a Vega-Lite spec: host countries shaded by the diaspora's share of their population.

Drawn with the same Vega bundle as the other charts. Geometry comes from ``web.geometry`` (an installed
package); without it the spec is a tile grid that says plainly it is not a map.
"""

from __future__ import annotations

import pandas as pd

from diaspora_observatory.charts.specs import SCHEMA
from diaspora_observatory.countries import country_name
from diaspora_observatory.web.geometry import GEOMETRY_CREDIT, country_features

# Tile-grid positions (column, row) used only when no geometry package is installed.
_TILES = {"KAZ": (1, 0), "TKM": (0, 1), "UZB": (1, 1), "KGZ": (2, 1), "TJK": (2, 2)}
ORIGIN_COLOUR = "#d8d2c4"


def _properties(row: pd.Series, language: str) -> dict:
    share = row["diaspora_share_of_total_pct"]
    population = row["diaspora_population"]
    return {"country": row["country"], "name": country_name(row["country"], language), "role": row["role"],
            "share": None if pd.isna(share) else round(float(share), 3),
            "population": None if pd.isna(population) else int(population)}


_INSTALLED = object()


def map_spec(values: pd.DataFrame, labels: dict[str, str], source: str, language: str,
             features: tuple[dict, ...] | None | object = _INSTALLED) -> tuple[dict, bool]:
    """The map spec and whether it is a real map (False: tile-grid fallback).

    ``labels`` holds the translated ``title``, ``share``, ``population``, ``country`` and ``origin`` texts.
    ``features`` defaults to the installed outlines; None draws the tile grid.
    """
    props = {row["country"]: _properties(row, language) for _, row in values.iterrows()}
    if features is _INSTALLED:
        features = country_features(tuple(props))
    tooltip = [{"field": "properties.name", "title": labels["country"]},
               {"field": "properties.share", "title": labels["share"], "format": ".2f"},
               {"field": "properties.population", "title": labels["population"], "format": ","}]
    colour = {"field": "properties.share", "type": "quantitative", "title": labels["share"],
              "scale": {"scheme": "blues", "zero": True}}
    origin_tooltip = [{"field": "properties.name", "title": labels["country"]}]
    spec: dict = {"$schema": SCHEMA,
                  "title": {"text": labels["title"], "subtitle": f"{labels['source']}: {source}", "anchor": "start"},
                  "config": {"font": "sans-serif", "view": {"stroke": None}}}
    if features is not None:
        shaded = [{**feature, "properties": props[feature["properties"]["country"]]} for feature in features]
        # Vega-Lite drops rows whose colour value is null, so the unshaded origin gets a layer of its own.
        hosts = [feature for feature in shaded if feature["properties"]["share"] is not None]
        others = [feature for feature in shaded if feature["properties"]["share"] is None]
        names = []
        darkest = max((entry["share"] or 0 for entry in props.values()), default=0)
        for feature in features:
            entry = props[feature["properties"]["country"]]
            label = entry["name"] if entry["role"] == "host" else f"{entry['name']} ({labels['origin']})"
            # Labels carry the country's values too, so hovering a name shows the same tooltip as its shape.
            names.append({"lon": feature["properties"]["label_lon"], "lat": feature["properties"]["label_lat"],
                          "label": label, "properties": entry,
                          # white names on the darkest shades, where dark text would not be read
                          "on_dark": bool(entry["share"]) and entry["share"] >= 0.6 * darkest})
        spec.update({
            "width": 560, "height": 380,
            "projection": {"type": "conicEqualArea", "parallels": [40, 50], "rotate": [-65, 0]},
            "layer": [
                {"data": {"values": others}, "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 1,
                                                       "fill": ORIGIN_COLOUR},
                 "encoding": {"tooltip": origin_tooltip}},
                {"data": {"values": hosts}, "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 1},
                 "encoding": {"color": colour, "tooltip": tooltip}},
                {"data": {"values": names}, "mark": {"type": "text", "fontSize": 11, "fontWeight": "bold"},
                 "encoding": {"longitude": {"field": "lon", "type": "quantitative"},
                              "latitude": {"field": "lat", "type": "quantitative"},
                              "text": {"field": "label"}, "tooltip": tooltip,
                              "color": {"condition": {"test": "datum.on_dark", "value": "#ffffff"},
                                        "value": "#1d2430"}}},
            ],
        })
        # The sources are in the figure's caption; a long subtitle would make the drawing wider than a phone.
        spec["title"]["subtitle"] = f"{labels['geometry']}: {GEOMETRY_CREDIT}"
        return spec, True
    tiles = [{"properties": {**entry, "column": _TILES.get(code, (3, 0))[0], "row": _TILES.get(code, (3, 0))[1]}}
             for code, entry in props.items()]
    spec["title"]["subtitle"] = [spec["title"]["subtitle"], labels["tile_grid"]]
    spec.update({
        "data": {"values": tiles}, "width": 360, "height": 300,
        "encoding": {"x": {"field": "properties.column", "type": "ordinal", "axis": None},
                     "y": {"field": "properties.row", "type": "ordinal", "axis": None}},
        "layer": [{"mark": {"type": "rect", "stroke": "#ffffff", "strokeWidth": 3, "fill": ORIGIN_COLOUR},
                   "encoding": {"tooltip": origin_tooltip}},
                  {"transform": [{"filter": "datum.properties.share != null"}],
                   "mark": {"type": "rect", "stroke": "#ffffff", "strokeWidth": 3},
                   "encoding": {"color": colour, "tooltip": tooltip}},
                  {"mark": {"type": "text", "fontSize": 11}, "encoding": {"text": {"field": "properties.name"}}}],
    })
    return spec, False
