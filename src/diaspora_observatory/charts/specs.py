"""Vega-Lite specs for the study's figures, built from analysis tables.

Each function takes the analysis DataFrame and returns a plain dict (Vega-Lite v6). The web app embeds
the dict with the vega bundle shipped by ``vl-convert-python``; reports turn it into SVG. Both use
the same spec, so the two outputs cannot drift apart.

Every function takes an optional ``translate`` callable (a gettext ``_``; default: none, English as
written) applied to the texts a reader sees: titles, axis and legend titles, the source line ("Source:", or
"Computed from:" for a chart of computed values) and the category labels. Data field names stay as they
are. The web app's message extractor reads the ``translate("...")`` calls below, so each text passed to it
must be a literal. A ``language`` puts the reader's number locale in the spec (``chart_config``): axis
ticks and legends then group digits and write decimals as the tables do. The spec's ``description`` (its
title) is the drawn chart's accessible name in that language (``charts.aria``).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Iterable

import pandas as pd

Translate = Callable[[str], str]
Labels = Callable[[str, object], object]  # (column, code) -> what a reader sees, e.g. case.labels.ValueLabels

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
WIDTH = 560
# Label room, computed from the chart's width rather than a fixed character count: a category axis's
# labels may take this share of it, a legend's labels this many pixels (Vega's default legend limit).
LABEL_SHARE = 0.3
LEGEND_LABEL_WIDTH = 160
# Pixels per character of a 10 px label: DejaVu Sans, the widest of the sans-serif fonts a page or the
# PDF falls back to, measures 5.2 (Latin) to 6.3 (Cyrillic, Kazakh) px per character in these labels.
CHARACTER_WIDTH = 6.5
LINE_HEIGHT = 12  # px between the lines of a wrapped 10 px label
YEAR_TICKS = 7  # ticks on a panel's axis of years: "nice" steps of 1, 2 or 5 years, never a label a year
LABEL_SEPARATION = 8  # px at least between two axis labels; Vega drops every other label when they come closer


def _identity(text: str) -> str:
    return text


def _records(table: pd.DataFrame) -> list[dict]:
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in table.to_dict(orient="records")]


def _written(table: pd.DataFrame, columns: dict[str, str], language: str) -> pd.DataFrame:
    """``table`` with a ``<field>_text`` beside each numeric field, the number as the tables write it (the
    presentation layer: its column's kind, the reader's signs, the digits a ``significant_digits`` column
    declares), so that a tooltip reads the same string as the table under the chart. ``columns`` maps each
    field to the column whose kind it has."""
    from diaspora_observatory.presentation.cells import cell_text

    rows: list[dict[str, object]] = [{str(key): value for key, value in row.items()}
                                     for row in table.to_dict(orient="records")]
    return table.assign(**{f"{field}_text": [cell_text(column, row[field], language, row) for row in rows]
                           for field, column in columns.items()})


def _titled(tooltip: list[dict], translate: Translate, titles: dict[str, str]) -> list[dict]:
    """Tooltip fields with a title in the reader's language; untranslated (the report) they stay as they are."""
    if translate is _identity:
        return tooltip
    return [{**entry, "title": titles[entry["field"]]} for entry in tooltip]


def wrapped_lines(label: str, width: float) -> list[str]:
    """``label`` in lines that fit ``width`` pixels, broken only between words (a word longer than a line
    keeps its line, and Vega's ``labelLimit`` then ends it with an ellipsis).

    >>> wrapped_lines("среднее профессиональное образование", 168)
    ['среднее профессиональное', 'образование']
    """
    return textwrap.wrap(label, max(8, int(width / CHARACTER_WIDTH)), break_long_words=False,
                         break_on_hyphens=False) or [label]


def wrapped_labels(labels: Iterable[object], width: float) -> dict:
    """Axis or legend properties that write each of ``labels`` over as many lines as it needs to fit
    ``width`` pixels, instead of cutting it off: a ``labelExpr`` looking up the lines of every label
    that needs more than one (an object literal, which Vega's expression interpreter reads under the
    pages' Content-Security-Policy), and ``labelLimit`` at that width, so only a single word wider than
    the whole room is shortened, with an ellipsis; the tooltip and the table beside the chart hold every
    label whole.

    >>> wrapped_labels(["Higher education", "Secondary vocational education"], 140)["labelExpr"]
    '({"Secondary vocational education": ["Secondary vocational", "education"]})[datum.label] || datum.label'
    """
    lines = {str(label): wrapped_lines(str(label), width) for label in labels if label is not None}
    wrapped = {label: parts for label, parts in lines.items() if len(parts) > 1}
    found: dict[str, object] = {"labelLimit": int(width)}
    if wrapped:
        found["labelExpr"] = f"({json.dumps(wrapped, ensure_ascii=False)})[datum.label] || datum.label"
    return found


def _most_lines(labels: Iterable[object], width: float) -> int:
    return max((len(wrapped_lines(str(label), width)) for label in labels if label is not None), default=1)


def chart_config(language: str = "en") -> dict:
    """The config every chart shares: its font, no frame, and the reader's number locale, so that axis
    ticks and legends group digits and write decimals as the tables do (``presentation.numbers``)."""
    from diaspora_observatory.presentation.numbers import chart_number_locale

    return {"font": "sans-serif", "view": {"stroke": None}, "locale": {"number": chart_number_locale(language)},
            # Vega's generated ARIA texts are English whatever the language ("X-axis titled …"): off; the
            # chart is one image named by its description (charts.aria).
            "aria": False}


def _source_line(source: str, translate: Translate, kind: str) -> str:
    """The chart's source line, headed by what it draws (``analysis.provenance``; the same headings as
    ``presentation.provenance.SOURCE_HEADINGS``): a figure the observatory computes, such as a share, is
    credited as computed from its inputs' sources, never as a source's own."""
    if kind == "derived":
        return translate("Computed from: {source}").format(source=source)
    return translate("Source: {source}").format(source=source)


# Ticks on a single view's axis of numbers: about one per 80 px of its width, at least 4 (a phone's 0, 2, 4
# said too little). Vega's own default, one per 40 px, wrote 28 labels (0.0, 0.2 … 5.4) across a 1280 px
# page. A faceted chart has no ``width`` signal (each panel has its own): it keeps Vega's default (``_faceted``).
X_TICKS = {"tickCount": {"expr": "max(4, ceil(width / 80))"}}


def _faceted(spec: dict) -> dict:
    """``spec`` made ready for panels: no width of its own (each panel has one), nor ticks computed from it."""
    spec.pop("width")
    spec["config"].pop("axisXQuantitative")
    return spec


def _base(title: str, source: str, translate: Translate, language: str = "en", kind: str = "reported") -> dict:
    subtitle = _source_line(source, translate, kind)
    # The description names the chart for assistive technology (charts.aria): its title, in the reader's
    # language; not the source line, whose names are the sources' own, mostly English.
    return {"$schema": SCHEMA, "title": {"text": title, "subtitle": subtitle, "anchor": "start"},
            "description": title, "width": WIDTH, "config": {**chart_config(language), "axisXQuantitative": X_TICKS}}


def flows_over_time(flows: pd.DataFrame, source: str, title: str | None = None,
                    translate: Translate = _identity, language: str = "en") -> dict:
    """Lines of immigration and emigration per year, one panel per partner; legend click toggles a series."""
    long = flows.melt(id_vars=["partner", "year"], value_vars=["immigration", "emigration", "net"],
                      var_name="flow", value_name="persons")
    flow_labels = {"immigration": translate("immigration"), "emigration": translate("emigration"),
                   "net": translate("net")}
    long = _written(long, {"persons": "immigration"}, language)
    long["flow"] = long["flow"].map(flow_labels)
    spec = _base(title or translate("Migration flows with Kazakhstan"), source, translate, language)
    _faceted(spec)
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
                "x": {"field": "year", "type": "quantitative", "axis": {"format": "d"}, "title": translate("Year")},
                "y": {"field": "persons", "type": "quantitative", "title": translate("Persons")},
                "color": {"field": "flow", "type": "nominal", "title": translate("Flow"),
                          "scale": {"domain": list(flow_labels.values())},
                          "legend": wrapped_labels(flow_labels.values(), LEGEND_LABEL_WIDTH)},
                "opacity": {"condition": {"param": "series", "value": 1}, "value": 0.15},
                "tooltip": _titled([{"field": "partner"}, {"field": "year"}, {"field": "flow"},
                                    {"field": "persons_text"}],
                                   translate, {"partner": translate("Partner country"), "year": translate("Year"),
                                               "flow": translate("Flow"), "persons_text": translate("Persons")}),
            },
        },
    })
    return spec


def diaspora_shares(demography: pd.DataFrame, source: str, title: str | None = None,
                    translate: Translate = _identity, language: str = "en") -> dict:
    """Bars of the diaspora's share of the total population and of the other groups, per host. The tooltip
    writes each share as the tables do (``presentation.cells``: the digits its counts justify, in the signs
    of ``language``), not with a format of its own."""
    from diaspora_observatory.presentation.cells import cell_text

    digits = demography["significant_digits"] if "significant_digits" in demography.columns else ""
    long = demography.assign(significant_digits=digits).melt(
        id_vars=["country", "significant_digits"], value_vars=["diaspora_share_of_total_pct",
                                                               "diaspora_share_of_others_pct"],
        var_name="measure", value_name="percent")
    long["percent_text"] = [cell_text(measure, value, language, {"significant_digits": found})
                            for measure, value, found in zip(long["measure"], long["percent"],
                                                             long["significant_digits"])]
    long = long.drop(columns="significant_digits")
    measures = {"diaspora_share_of_total_pct": translate("share of total population"),
                "diaspora_share_of_others_pct": translate("share of other groups")}
    long["measure"] = long["measure"].map(measures)
    # the bars are shares computed from the counts (demography.SHARE_COLUMNS), not figures of the sources
    spec = _base(title or translate("Kazakhs in each host country"), source, translate, language, "derived")
    spec.update({
        "data": {"values": _records(long)},
        "height": 200,
        "params": [{"name": "measure_pick", "select": {"type": "point", "fields": ["measure"]}, "bind": "legend"}],
        "mark": "bar",
        "encoding": {
            "y": {"field": "country", "type": "nominal", "title": None},
            "yOffset": {"field": "measure", "sort": list(measures.values())},
            "x": {"field": "percent", "type": "quantitative", "title": translate("Percent")},
            # a fixed order, not the alphabet of the labels: each measure keeps its colour in every language
            "color": {"field": "measure", "type": "nominal", "title": None,
                      "scale": {"domain": list(measures.values())},
                      "legend": wrapped_labels(long["measure"].unique(), LEGEND_LABEL_WIDTH)},
            "opacity": {"condition": {"param": "measure_pick", "value": 1}, "value": 0.2},
            "tooltip": _titled([{"field": "country"}, {"field": "measure"}, {"field": "percent_text"}],
                               translate, {"country": translate("Country"), "measure": translate("Measure"),
                                           "percent_text": translate("Percent")}),
        },
    })
    return spec


def survey_items(survey: pd.DataFrame, source: str, title: str | None = None,
                 translate: Translate = _identity, language: str = "en") -> dict:
    """Bars of the Likert item means on the 1-5 scale."""
    means = survey[survey["statistic"] == "mean"][["item_id", "label", "statistic", "value"]]
    means = _written(means, {"value": "value"}, language).drop(columns="statistic")
    spec = _base(title or translate("Importance of identity elements (1-5)"), source, translate, language)
    # The statements are long: they may take more of the width than other labels, over several lines,
    # each bar as tall as its label's lines.
    label_width = WIDTH * 0.55
    spec.update({
        "data": {"values": _records(means)},
        "height": {"step": max(20, _most_lines(means["label"], label_width) * LINE_HEIGHT + 8)},
        "mark": "bar",
        "encoding": {
            "y": {"field": "label", "type": "nominal", "title": None, "sort": "-x",
                  "axis": wrapped_labels(means["label"], label_width)},
            # The scale starts at 1, the bottom of the answer scale: a bar from 0 would start left of the axis.
            "x": {"field": "value", "type": "quantitative",
                  "title": translate("Mean (1 = not important, 5 = very important)"), "scale": {"domain": [1, 5]}},
            "x2": {"datum": 1},
            "tooltip": _titled([{"field": "label"}, {"field": "value_text"}],
                               translate, {"label": translate("Item"), "value_text": translate("Mean")}),
        },
    })
    return spec


def education_comparison(education: pd.DataFrame, source: str, title: str | None = None,
                         translate: Translate = _identity, labels: Labels | None = None,
                         language: str = "en") -> dict:
    """Grouped bars of the education shares of repatriates and emigrants; unreported levels are absent.
    Levels keep the table's order (highest first) and are named by ``labels`` when given."""
    from diaspora_observatory.presentation.cells import cell_text

    digits = education["significant_digits"] if "significant_digits" in education.columns else ""
    long = education.assign(significant_digits=digits).melt(
        id_vars=["education", "significant_digits"], value_vars=["kandas_share_pct", "emigrants_share_pct"],
        var_name="group", value_name="percent").dropna(subset=["percent"])
    # Each share as the table writes it: the digits its own row declares (analysis.precision).
    long["percent_text"] = [cell_text(group, value, language, {"significant_digits": found})
                            for group, value, found in zip(long["group"], long["percent"], long["significant_digits"])]
    long = long.drop(columns="significant_digits")
    if labels is not None:
        long["education"] = long["education"].map(lambda code: labels("education", code))
    groups = {"kandas_share_pct": translate("repatriates (kandas)"), "emigrants_share_pct": translate("emigrants 2023")}
    long["group"] = long["group"].map(groups)
    spec = _base(title or translate("Repatriates (kandas) and emigrants by education"), source, translate,
                 language)
    spec.update({
        "data": {"values": _records(long)},
        "height": 180,
        "mark": "bar",
        "encoding": {
            "y": {"field": "education", "type": "nominal", "title": None, "sort": None,
                  "axis": wrapped_labels(long["education"].unique(), WIDTH * LABEL_SHARE)},
            "yOffset": {"field": "group", "sort": list(groups.values())},
            "x": {"field": "percent", "type": "quantitative", "title": translate("Percent of the group")},
            "color": {"field": "group", "type": "nominal", "title": None, "scale": {"domain": list(groups.values())},
                      "legend": wrapped_labels(long["group"].unique(), LEGEND_LABEL_WIDTH)},
            "tooltip": _titled([{"field": "group"}, {"field": "education"}, {"field": "percent_text"}],
                               translate, {"group": translate("Group"), "education": translate("Education"),
                                           "percent_text": translate("Percent of the group")}),
        },
    })
    return spec


def projection_fans(projections: pd.DataFrame, source: str, title: str | None = None,
                    translate: Translate = _identity, names: Callable[[str], str] | None = None,
                    labels: Labels | None = None, language: str = "en") -> dict:
    """Fan charts of the scenario projections: per host a panel, per scenario its central path as a line
    over the band from its low to its high path (the range its base count's rounding and its parameter
    ranges stand for). ``names`` turns a host's code into the reader's name for the panel titles, ``labels``
    a scenario's code into its label."""
    table = projections[["country", "scenario", "year", "low", "central", "high"]].copy()
    table = _written(table, {"low": "low", "central": "central", "high": "high"}, language)
    if names is not None:
        table["country"] = [names(code) for code in table["country"]]
    if labels is not None:
        table["scenario"] = table["scenario"].map(lambda code: labels("scenario", code))
    spec = _base(title or translate("Projections of the diaspora per host, with their ranges"), source, translate,
                 language)
    _faceted(spec)
    persons = translate("Persons")
    # Scenarios in the table's order, not the alphabet of their labels: each keeps its colour in every language.
    color = {"field": "scenario", "type": "nominal", "title": translate("Scenario"),
             "scale": {"domain": list(dict.fromkeys(table["scenario"]))},
             "legend": wrapped_labels(table["scenario"].unique(), LEGEND_LABEL_WIDTH)}
    # The legend under the panels, its entries side by side: on the right its wrapped scenario names were
    # cut off by the page's box (the web's narrow layout puts it above, one entry a line: static/app.js).
    spec["config"]["legend"] = {"orient": "bottom", "columns": 3}
    spec.update({
        "data": {"values": _records(table)},
        "facet": {"field": "country", "type": "nominal", "title": None, "sort": list(dict.fromkeys(table["country"]))},
        "columns": 2,
        "resolve": {"scale": {"y": "independent"}},
        "spec": {
            "width": 260, "height": 160,
            # A tick every year crammed the labels (2022 2023 … 2034 2035): a handful of whole years.
            "encoding": {"x": {"field": "year", "type": "quantitative",
                               "axis": {"format": "d", "tickCount": YEAR_TICKS, "tickMinStep": 1,
                                        "labelOverlap": True, "labelSeparation": LABEL_SEPARATION},
                               "title": translate("Year")}},
            "layer": [
                {"mark": {"type": "area", "opacity": 0.2},
                 "encoding": {"y": {"field": "low", "type": "quantitative", "title": persons},
                              "y2": {"field": "high"}, "color": color}},
                {"mark": "line",
                 "encoding": {"y": {"field": "central", "type": "quantitative", "title": persons}, "color": color,
                              "tooltip": _titled(
                                  [{"field": "country"}, {"field": "scenario"}, {"field": "year"},
                                   {"field": "low_text"}, {"field": "central_text"},
                                   {"field": "high_text"}], translate,
                                  {"country": translate("Country"), "scenario": translate("Scenario"),
                                   "year": translate("Year"), "low_text": translate("Low"),
                                   "central_text": translate("Central"), "high_text": translate("High")})}},
            ],
        },
    })
    return spec


def section_order(section: object) -> tuple:
    """A sort key putting the study's sections in the order of its text, not of the claims table: by the
    numbers of a dotted section (``1 < 2.2 < 3.1 < 3.10``), any other name after them by its text.

    >>> sorted(["3.2", "1", "3.10", "Appendix", "2.2", "3.3"], key=section_order)
    ['1', '2.2', '3.2', '3.3', '3.10', 'Appendix']
    """
    parts = str(section).split(".")
    if all(part.isdigit() for part in parts):
        return (0, tuple(int(part) for part in parts), "")
    return (1, (), str(section))


def claims_by_status(claims: pd.DataFrame, source: str, title: str | None = None,
                     translate: Translate = _identity, labels: Labels | None = None, language: str = "en") -> dict:
    """Stacked bars: per section of the study, how many of its numeric claims the data confirm, contradict
    or cannot check. Statuses keep one colour each on every page (green, red, amber as in the table)."""
    counts = claims.groupby(["section", "status"], sort=False).size().reset_index(name="claims")
    statuses = ["confirmed", "mismatch", "unverifiable"]
    if labels is not None:
        counts["status"] = counts["status"].map(lambda code: labels("status", code))
    domain = [labels("status", code) if labels is not None else code for code in statuses]
    spec = _base(title or translate("The study's claims by section and status"), source, translate, language)
    spec.update({
        "data": {"values": _records(counts)},
        "height": {"step": 22},
        "mark": "bar",
        "encoding": {
            "y": {"field": "section", "type": "nominal", "title": translate("Section"),
                  "sort": sorted(dict.fromkeys(counts["section"]), key=section_order)},
            "x": {"field": "claims", "type": "quantitative", "stack": "zero", "title": translate("Number of claims"),
                  "axis": {"tickMinStep": 1, "format": "d"}},
            "color": {"field": "status", "type": "nominal", "title": translate("Status"),
                      "scale": {"domain": domain, "range": ["#116b2c", "#b3261e", "#8a5a00"]},
                      "legend": wrapped_labels(domain, LEGEND_LABEL_WIDTH)},
            "tooltip": _titled([{"field": "section"}, {"field": "status"}, {"field": "claims"}], translate,
                               {"section": translate("Section"), "status": translate("Status"),
                                "claims": translate("Number of claims")}),
        },
    })
    return spec


def definition_counts(definitions: pd.DataFrame, source: str, title: str | None = None,
                      translate: Translate = _identity, names: Callable[[str], str] | None = None,
                      language: str = "en") -> dict:
    """A dot per host and definition on a log scale: hosts differ a hundredfold (2,200 to 821,000), and the
    definitions stand side by side, never added. Dots, not bars: a bar's length from 0 means nothing on
    a log scale."""
    table = definitions[["country", "definition", "label", "count", "year"]].dropna(subset=["count"]).copy()
    table = _written(table[table["count"] > 0], {"count": "count"}, language)
    if names is not None:
        table["country"] = [names(code) for code in table["country"]]
    spec = _base(title or translate("Each host under each definition"), source, translate, language)
    spec.update({
        "data": {"values": _records(table)},
        "height": {"step": 28},
        "mark": {"type": "point", "filled": True, "size": 80},
        "encoding": {
            "y": {"field": "country", "type": "nominal", "title": None,
                  "sort": list(dict.fromkeys(table["country"]))},
            "x": {"field": "count", "type": "quantitative", "scale": {"type": "log"}, "title": translate("Persons")},
            "color": {"field": "label", "type": "nominal", "title": translate("Definition"),
                      "scale": {"domain": list(dict.fromkeys(table["label"]))},
                      "legend": wrapped_labels(table["label"].unique(), LEGEND_LABEL_WIDTH)},
            "shape": {"field": "label", "type": "nominal", "title": translate("Definition"),
                      "scale": {"domain": list(dict.fromkeys(table["label"]))},
                      "legend": wrapped_labels(table["label"].unique(), LEGEND_LABEL_WIDTH)},
            "tooltip": _titled([{"field": "country"}, {"field": "label"}, {"field": "count_text"},
                                {"field": "year"}], translate,
                               {"country": translate("Country"), "label": translate("Definition"),
                                "count_text": translate("Persons"), "year": translate("Year")}),
        },
    })
    return spec


def institution_supports(institutions: pd.DataFrame, source: str, title: str | None = None,
                         translate: Translate = _identity, names: Callable[[str], str] | None = None,
                         labels: Labels | None = None, language: str = "en") -> dict:
    """A grid of hosts by the four supports of identity, each cell coloured by its state (present, absent,
    not reported): which supports a host has is read at a glance, and a gap in the sources shows as one."""
    supports = {"support_schooling": translate("Schooling"), "support_higher_education": translate("Higher education"),
                "support_culture": translate("Culture"), "support_organisation": translate("Organisation")}
    long = institutions.melt(id_vars=["country"], value_vars=list(supports), var_name="support", value_name="state")
    states = ["present", "absent", "not_reported"]
    if labels is not None:
        long["state"] = long["state"].map(lambda code: labels("support_schooling", code))
    long["support"] = long["support"].map(supports)
    if names is not None:
        long["country"] = [names(code) for code in long["country"]]
    domain = [labels("support_schooling", code) if labels is not None else code for code in states]
    spec = _base(title or translate("Supports of identity per host"), source, translate, language)
    spec.update({
        "data": {"values": _records(long)},
        "height": {"step": 30},
        "mark": {"type": "rect", "stroke": "#ffffff", "strokeWidth": 2},
        "encoding": {
            "y": {"field": "country", "type": "nominal", "title": None,
                  "sort": list(dict.fromkeys(long["country"]))},
            # Each support's label fits its column: the chart's width shared by the supports.
            "x": {"field": "support", "type": "nominal", "title": None, "sort": list(supports.values()),
                  "axis": {"labelAngle": 0, **wrapped_labels(supports.values(), WIDTH / len(supports) - 8)}},
            "color": {"field": "state", "type": "nominal", "title": None,
                      "scale": {"domain": domain, "range": ["#116b2c", "#b3261e", "#c4c9d0"]},
                      "legend": wrapped_labels(domain, LEGEND_LABEL_WIDTH)},
            "tooltip": _titled([{"field": "country"}, {"field": "support"}, {"field": "state"}], translate,
                               {"country": translate("Country"), "support": translate("Supports present"),
                                "state": translate("Status")}),
        },
    })
    return spec
