"""The maps as Vega-Lite specs: the overview's host countries shaded by the diaspora's share of their
population, and the world map of every destination of the people born in the origin (``destinations_spec``).

Drawn with the same Vega bundle as the other charts. Geometry comes from ``web.geometry`` (an installed
package); without it the spec is a tile grid that says plainly it is not a map.
"""

from __future__ import annotations

from enum import Enum

import pandas as pd

from diaspora_observatory.analysis.precision import read_digits
from diaspora_observatory.charts.specs import SCHEMA, chart_config
from diaspora_observatory.countries import country_name
from diaspora_observatory.web.geometry import GEOMETRY_CREDIT, WORLD_TOLERANCE, country_features
from diaspora_observatory.web.i18n import format_number

# Tile-grid positions (column, row) used only when no geometry package is installed.
_TILES = {"KAZ": (1, 0), "TKM": (0, 1), "UZB": (1, 1), "KGZ": (2, 1), "TJK": (2, 2)}
ORIGIN_COLOUR = "#d8d2c4"


def _properties(row: pd.Series, labels: dict[str, str], language: str) -> dict:
    share = None if pd.isna(row["diaspora_share_of_total_pct"]) else round(float(row["diaspora_share_of_total_pct"]), 3)
    population = None if pd.isna(row["diaspora_population"]) else int(row["diaspora_population"])
    name = country_name(row["country"], language)
    # The tooltip's texts, numbers written the reader's way (a share with the digits its counts justify,
    # as in the tables); the origin has no values, so shows its name only.
    tip = {"name": name}
    if share is not None:
        digits = read_digits(row.get("significant_digits")).get("diaspora_share_of_total_pct")
        tip["share"] = format_number(row["diaspora_share_of_total_pct"], language, "percent", digits)
    if population is not None:
        tip["population"] = format_number(population, language, "people")
    return {"country": row["country"], "name": name, "role": row["role"], "share": share, "population": population,
            "tip": tip}


class _Outlines(Enum):
    """The default of ``features``: a member of its own, so that the type checker can tell it apart."""

    INSTALLED = "installed"



def _label_layer(names: list[dict], tooltip: list[dict]) -> dict:
    """Country names at a point inside each country; white on the darkest shades, where dark text is lost."""
    return {"data": {"values": names}, "mark": {"type": "text", "fontSize": 11, "fontWeight": "bold"},
            "encoding": {"longitude": {"field": "lon", "type": "quantitative"},
                         "latitude": {"field": "lat", "type": "quantitative"},
                         "text": {"field": "label"}, "tooltip": tooltip,
                         "color": {"condition": {"test": "datum.on_dark", "value": "#ffffff"}, "value": "#1d2430"}}}


def map_spec(values: pd.DataFrame, labels: dict[str, str], source: str, language: str,
             features: tuple[dict, ...] | None | _Outlines = _Outlines.INSTALLED) -> tuple[dict, bool]:
    """The map spec and whether it is a real map (False: tile-grid fallback).

    ``labels`` holds the translated ``title``, ``share``, ``population``, ``country`` and ``origin`` texts,
    and ``source``: the heading of the source line, by what the map shades (a computed share: "Computed
    from", ``presentation.provenance.source_heading``).
    ``features`` defaults to the installed outlines; None draws the tile grid.
    """
    props = {row["country"]: _properties(row, labels, language) for _, row in values.iterrows()}
    if features is _Outlines.INSTALLED:
        features = country_features(tuple(props))
    tooltip = [{"field": "properties.tip.name", "type": "nominal", "title": labels["country"]},
               {"field": "properties.tip.share", "type": "nominal", "title": labels["share"]},
               {"field": "properties.tip.population", "type": "nominal", "title": labels["population"]}]
    origin_tooltip = tooltip[:1]
    colour = {"field": "properties.share", "type": "quantitative", "title": labels["share"],
              "scale": {"scheme": "blues", "zero": True}}
    spec: dict = {"$schema": SCHEMA,
                  "title": {"text": labels["title"], "subtitle": f"{labels['source']}: {source}", "anchor": "start"},
                  "config": chart_config(language)}
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
                _label_layer([n for n in names if n["properties"]["role"] == "host"], tooltip),
                _label_layer([n for n in names if n["properties"]["role"] != "host"], origin_tooltip),
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


def destinations_spec(destinations: pd.DataFrame, origin: str, labels: dict[str, str], language: str,
                      features: tuple[dict, ...] | None | _Outlines = _Outlines.INSTALLED) -> dict | None:
    """The world map of the destinations (``analysis.definitions.birthplace_destinations``), each shaded by
    the number of people born in ``origin`` living there on a log scale (from a few hundred to hundreds of
    thousands), the origin in grey, the case's hosts outlined, every other country a pale background.
    None without installed outlines: a tile grid of a hundred countries would not be a map, and the table
    beside it has every value.

    ``labels``: the translated ``title``, ``persons``, ``country``, ``origin`` (the origin's role),
    ``host`` (a host's role) and ``geometry`` texts.
    """
    if features is _Outlines.INSTALLED:
        features = country_features(None, WORLD_TOLERANCE)  # every country: the others as the background
    if features is None:
        return None
    rows = {row["destination"]: row for _, row in destinations.iterrows()}
    shaded, others, background = [], [], []
    for feature in features:
        code = feature["properties"]["country"]
        if code == "ATA":
            continue  # nobody's residence; its ring along the pole would fill the whole sphere
        if code not in rows and code != origin:
            background.append({"type": "Feature", "geometry": feature["geometry"], "properties": {}})
            continue
        name = country_name(code, language)
        if code in rows:
            row = rows[code]
            role = labels["host"] if bool(row["is_host"]) else ""
            tip = {"name": f"{name} ({role})" if role else name, "population": format_number(int(row["stock"]),
                                                                                            language, "people")}
            shaded.append({**feature, "properties": {"country": code, "stock": int(row["stock"]), "tip": tip,
                                                     "host": bool(row["is_host"])}})
        else:
            others.append({**feature, "properties": {"country": code, "tip": {"name": f"{name} ({labels['origin']})"}}})
    tooltip = [{"field": "properties.tip.name", "type": "nominal", "title": labels["country"]},
               {"field": "properties.tip.population", "type": "nominal", "title": labels["persons"]}]
    year = int(destinations["year"].max()) if not destinations.empty else ""
    return {
        "$schema": SCHEMA,
        "title": {"text": labels["title"].format(year=year), "subtitle": f"{labels['geometry']}: {GEOMETRY_CREDIT}",
                  "anchor": "start"},
        "config": chart_config(language),  # the legend's counts grouped as the page's tables group them
        "width": 640, "height": 340,
        "projection": {"type": "equalEarth"},
        "layer": [
            # countries with nobody born in the origin listed: outlines only, no tooltip, so as not to read as 0
            {"data": {"values": background}, "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.5,
                                                       "fill": "#eef0f3", "tooltip": None}},
            {"data": {"values": others}, "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.5,
                                                   "fill": ORIGIN_COLOUR},
             "encoding": {"tooltip": tooltip[:1]}},
            {"data": {"values": shaded},
             "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.5},
             "encoding": {"color": {"field": "properties.stock", "type": "quantitative", "title": labels["persons"],
                                    "scale": {"type": "log", "scheme": "blues"},
                                    "legend": {"orient": "bottom", "gradientLength": 220, "format": "~s"}},
                          "stroke": {"condition": {"test": "datum.properties.host", "value": "#1d2430"},
                                     "value": "#ffffff"},
                          "strokeWidth": {"condition": {"test": "datum.properties.host", "value": 1.5},
                                          "value": 0.5},
                          "tooltip": tooltip}},
        ],
    }
