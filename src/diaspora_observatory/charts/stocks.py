"""Charts of the migrant stock over time (``analysis.series``): one series per edition and definition.

UN DESA revises the earlier years in every edition, so each edition is drawn as its own line (a lone
year, such as the 2024 table, as a marker) with a legend naming it; two editions are never joined into
one line. Counts by another definition (the study's ethnic counts) stand beside them as series of their
own, named by their definition, never added to them.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from diaspora_observatory.charts.specs import _base, _faceted, _identity, _records, _titled, _written

Translate = Callable[[str], str]


def series_label(definition: str, edition: str, translate: Translate = _identity, origin: str = "") -> str:
    """The legend's name of one series: its definition and, for UN DESA's counts, its edition (short, so
    that it fits a phone's width: Vega-Lite legends do not wrap)."""
    if definition == "ethnicity":
        return translate("By ethnicity (the case's sources)")
    if not edition or edition == "edition not recorded":
        return (translate("Citizens of {origin} (UN DESA, edition not recorded)") if definition == "citizenship"
                else translate("Born in {origin} (UN DESA, edition not recorded)")).format(origin=origin)
    return (translate("Citizens of {origin} (UN DESA {edition})") if definition == "citizenship"
            else translate("Born in {origin} (UN DESA {edition})")).format(origin=origin, edition=edition)


def _encoding(translate: Translate, value: str, domain: list[str], tooltip: list[dict], titles: dict) -> dict:
    return {
        "x": {"field": "year", "type": "quantitative", "axis": {"format": "d", "tickMinStep": 5, "labelSeparation": 6},
              "title": translate("Year")},
        "y": {"field": value, "type": "quantitative", "title": translate("Persons")},
        "color": {"field": "series", "type": "nominal", "title": translate("Series"), "scale": {"domain": domain},
                  "legend": {"orient": "bottom", "direction": "vertical", "labelLimit": 300}},
        "shape": {"field": "series", "type": "nominal", "title": translate("Series"), "scale": {"domain": domain},
                  "legend": None},
        "detail": {"field": "series", "type": "nominal"},
        "tooltip": _titled(tooltip, translate, titles),
    }


def world_stock_over_time(table: pd.DataFrame, source: str, title: str, translate: Translate = _identity,
                          language: str = "en", origin: str = "") -> dict:
    """The world total of people born in the origin per year, one line (or marker) per UN DESA edition."""
    frame = _written(table[["edition", "year", "world_total", "destinations"]].copy(), {"world_total": "world_total"},
                     language)
    frame["series"] = [series_label("birthplace", edition, translate, origin) for edition in frame["edition"]]
    domain = list(dict.fromkeys(frame["series"]))
    # The world total is the observatory's sum over the destinations: computed from UN DESA's counts.
    spec = _base(title, source, translate, language, "derived")
    spec.update({
        "data": {"values": _records(frame)},
        "height": 260,
        "mark": {"type": "line", "point": {"filled": True, "size": 70}},
        "encoding": _encoding(translate, "world_total", domain,
                              [{"field": "series"}, {"field": "year"}, {"field": "world_total_text"}],
                              {"series": translate("Series"), "year": translate("Year"),
                               "world_total_text": translate("Persons")}),
    })
    return spec


def hosts_stock_over_time(table: pd.DataFrame, source: str, title: str, translate: Translate = _identity,
                          language: str = "en", origin: str = "",
                          names: Callable[[str], str] | None = None) -> dict:
    """One panel per host: each UN DESA edition's birthplace count and the case's counts by ethnicity, as
    separate series; each panel has its own scale (hosts differ a hundredfold)."""
    frame = _written(table[["country", "year", "count", "definition", "edition"]].copy(), {"count": "count"},
                     language)
    frame["series"] = [series_label(d, e, translate, origin) for d, e in zip(frame["definition"], frame["edition"])]
    if names is not None:
        frame["country"] = [names(code) for code in frame["country"]]
    domain = list(dict.fromkeys(sorted(frame["series"], key=lambda label: label.startswith(
        translate("By ethnicity (the case's sources)")))))
    spec = _base(title, source, translate, language)
    _faceted(spec)
    spec.update({
        "data": {"values": _records(frame)},
        "facet": {"field": "country", "type": "nominal", "title": None},
        "columns": 2,
        "resolve": {"scale": {"y": "independent"}},
        "spec": {
            "width": 260, "height": 150,
            "mark": {"type": "line", "point": {"filled": True, "size": 60}},
            "encoding": _encoding(translate, "count", domain,
                                  [{"field": "country"}, {"field": "series"}, {"field": "year"},
                                   {"field": "count_text"}],
                                  {"country": translate("Country"), "series": translate("Series"),
                                   "year": translate("Year"), "count_text": translate("Persons")}),
        },
    })
    return spec
