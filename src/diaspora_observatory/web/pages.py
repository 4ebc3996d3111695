"""What each page shows, as data: blocks of (heading, text, table, optional chart, what is missing).

Built from the analysis library only. ``CaseData`` computes every analysis table once when the app
starts (a served case does not change), and pages are assembled from it per language and cached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import pandas as pd

from diaspora_observatory.analysis import claims, demography, flows, overview, projections, repatriation, survey
from diaspora_observatory.analysis.precision import read_digits
from diaspora_observatory.analysis.provenance import with_provenance
from diaspora_observatory.case.labels import value_labels
from diaspora_observatory.case.package import Case
from diaspora_observatory.charts import specs, stocks
from diaspora_observatory.errors import DiasporaError, UnknownCountry
from diaspora_observatory.languages import LANGUAGES
from diaspora_observatory.presentation.citations import source_ids_of, source_label
from diaspora_observatory.presentation.definitions import labels_with_definitions
from diaspora_observatory.presentation.numbers import format_range, format_value, p_value_phrase
from diaspora_observatory.presentation.provenance import source_heading
from diaspora_observatory.presentation.texts import KEY_FIGURE_LABELS
from diaspora_observatory.web.cells import shown_columns
from diaspora_observatory.web.columns import HOST_RECORDS, LEAD_COLUMNS, lead_columns
from diaspora_observatory.web.map import destinations_spec, map_spec


def N_(message: str) -> str:
    """Mark ``message`` for translation; it is translated when the page is drawn."""
    return message


CORE_NAV: list[tuple[str, str]] = [
    ("/", N_("Overview")), ("/countries", N_("Countries")), ("/definitions", N_("Definitions")),
    ("/flows", N_("Flows")), ("/projections", N_("Projections")),
    ("/repatriation", N_("Repatriation")), ("/institutions", N_("Institutions")), ("/survey", N_("Survey results")),
    ("/documents", N_("Policy and press")), ("/claims", N_("Claims and data quality")), ("/sources", N_("Sources")),
]
# Pages that show one kind of data only. A case without any of it (a new case starts with stocks and
# population) leaves the page out of the menu, and the overview names it with how to add the data; the
# page itself still answers, saying the same.
PAGE_DATA: dict[str, tuple[str, ...]] = {
    "/flows": ("flows",), "/repatriation": ("repatriation",), "/institutions": ("institutions", "schooling"),
    "/survey": ("survey_results",), "/documents": ("documents", "document_themes"),
}
PAGE_KEYS = ["overview", "countries", "definitions", "flows", "projections", "repatriation", "institutions", "survey",
             "documents", "claims", "sources"]
# Named tables of ``tables.build_table`` that pages show as they are.
SHARED_TABLES = ["definitions", "birthplace-summary", "birthplace-destinations", "birthplace-over-time",
                 "hosts-over-time", "cross-source", "stock-flows", "projections", "flow-forecast", "mirror-flows"]
# Errors an analysis function raises on data it cannot use; the page then says what is missing.
ANALYSIS_ERRORS = (DiasporaError, LookupError, ValueError, TypeError, ZeroDivisionError)


def fit_to_container(spec: dict) -> dict:
    """The spec drawn as wide as its box on the page (a phone's 360 px as well as a desktop column).

    A single view takes the container's width (Vega-Lite ``"width": "container"``, axes and legend
    inside it). Vega-Lite has no container width for a faceted chart, so ``static/app.js`` sets the
    number of panels per row and their width from the box when it draws one.
    """
    if "facet" in spec:
        return spec
    return {**spec, "width": "container", "autosize": {"type": "fit-x", "contains": "padding"}}


def _fewest_digits(*digits: int | None) -> int | None:
    """The fewer significant digits of a range's two ends (None when either is not known)."""
    return None if any(found is None for found in digits) else min(digits)  # type: ignore[type-var]


@dataclass
class Block:
    """One part of a page: a heading, a text, its table and chart, or a note of what is missing."""

    id: str
    heading: str
    text: str = ""
    frame: pd.DataFrame | None = None
    spec: dict | None = None
    missing: str = ""
    source_ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str]] = field(default_factory=list)
    points: list[str] = field(default_factory=list)  # a list shown under the text
    # True when the chart carries the table's message: the table is then only behind a toggle.
    table_collapsed: bool = False
    # What the chart draws (analysis.provenance): a derived figure's caption says "Computed from".
    source_kind: str = "reported"
    # What the table's source line heads it with, when it differs from the chart's (the demography table
    # holds the sources' counts beside the shares the chart draws, each marked in its provenance column).
    table_kind: str = ""
    # The ``columns.LEAD_COLUMNS`` entry of this table when it is not the block id's: a country page's flows
    # need no partner column, and its "institutions" block lists institutions, as /institutions'
    # "institutions-list" does, not the supports table that /institutions' "institutions" block holds.
    lead_key: str = ""
    # True for a host's own row of a table of one row per host (a country page's population, shares, trend
    # tests, supports): its columns are the country's figures, shown one under the other as label and value,
    # so that even the whole table (31 columns of trend tests) fits a 1280 px and a 360 px screen.
    record: bool = False

    @property
    def lead(self) -> list[str]:
        """The columns the table shows first (``columns.LEAD_COLUMNS``); the rest only behind a toggle."""
        if self.frame is None:
            return []
        return lead_columns(self.lead_key or self.id, shown_columns(self.frame.columns))

    @property
    def as_record(self) -> bool:
        """Whether the table is shown as one label–value row per column (``record``, with one row)."""
        return self.record and self.frame is not None and len(self.frame) == 1


@dataclass
class Page:
    key: str
    path: str
    title: str
    intro: str
    blocks: list[Block]
    extra: dict = field(default_factory=dict)
    # The table the page's CSV gives when none is named (/flows.csv: the yearly flows), when a table of
    # results leads the page above it; by default the first block's.
    data_table: str = ""

    @property
    def source_ids(self) -> set[str]:
        return set().union(*(block.source_ids for block in self.blocks)) if self.blocks else set()

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every block's table by block id, ``data_table`` first (the downloads' default)."""
        found = {block.id: block.frame for block in self.blocks if block.frame is not None}
        if self.data_table in found:
            found = {self.data_table: found[self.data_table], **found}
        return found


class CaseData:
    """Every analysis result the pages use, computed once for a case; failures kept with their reason."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.failures: dict[str, str] = {}
        self.results: dict[str, object] = {}
        steps: dict[str, Callable[[], object]] = {
            "demography": lambda: demography.demography(case),
            "key-figures": lambda: overview.key_figures(case),
            "map": lambda: overview.map_values(case),
            # With the provenance column `diaspora show` and the report give them.
            "flows": lambda: with_provenance("flows", flows.flows(case)),
            "flow-summary": lambda: with_provenance("flow-summary", flows.flow_summary(case)),
            "periods": lambda: with_provenance("periods", flows.period_totals(case)),
            "repatriation": lambda: repatriation.repatriation_profile(case),
            "education": lambda: repatriation.education_comparison(case),
            "institutions": lambda: overview_institutions(case),
            "claims": lambda: claims.check_claims(case),
            "estimates": lambda: demography.size_history(case),
            "projection-parameters": lambda: projections.projection_parameters(case),
        }
        for name in SHARED_TABLES:
            steps[name] = partial(build_table, case, name)
        for language in LANGUAGES:
            steps[f"survey-{language}"] = partial(survey.published_survey, case, language)
        for host in case.hosts:
            steps[f"country-{host}"] = partial(overview.country_profile, case, host)
        for name, step in steps.items():
            try:
                self.results[name] = step()
            except ANALYSIS_ERRORS as error:
                self.failures[name] = str(error)
        self.issues = pd.DataFrame([issue.as_dict() for issue in case.issues],
                                   columns=["severity", "check", "resource", "row", "field", "message", "path"])

    def frame(self, name: str) -> pd.DataFrame | None:
        result = self.results.get(name)
        return result if isinstance(result, pd.DataFrame) else None

    def resource(self, name: str) -> pd.DataFrame | None:
        return self.case.table(name) if self.case.has(name) else None


def build_table(case: Case, name: str) -> pd.DataFrame:
    from diaspora_observatory.tables import build_table as build

    return build(case, name)


def overview_institutions(case: Case) -> pd.DataFrame:
    return build_table(case, "institutions")


class PageBuilder:
    """Assembles the pages of one case in one language from ``CaseData``."""

    def __init__(self, data: CaseData, language: str, translate: Callable[[str], str],
                 survey_nav: list[tuple[str, str]] | None = None) -> None:
        self.survey_nav = survey_nav or []
        self.data = data
        self.case = data.case
        self.language = language
        self._ = translate

    def missing_resource(self, resource: str, step: str | None = None) -> str:
        """What is missing (the resource, or why the analysis ``step`` failed) and how to add it."""
        _ = self._
        reason = self.data.failures.get(step or resource)
        text = _("This case has no data for this part yet: the resource “{resource}” is empty or absent.").format(
            resource=resource)
        how = _("To add it, put the rows in data/{resource}.csv of the case, declare the resource in its "
                "datapackage.json (see docs/data.md), then run “diaspora check”.").format(resource=resource)
        if reason:
            text = _("This part could not be computed from the case's data: {reason}.").format(reason=reason)
        return f"{text} {how}"

    def block(self, block_id: str, heading: str, name: str, text: str = "", *, resource: str | None = None,
              chart: Callable[[pd.DataFrame, str], dict] | None = None, chart_frame: str | None = None,
              chart_kind: str = "reported") -> Block:
        """A block for the analysis result ``name``; a chart drawn from ``chart_frame`` (default: same).
        ``chart_kind`` is what the chart draws (``derived``: values computed here, captioned "Computed
        from"); the table keeps "Source" for the values its sources state."""
        frame = self.data.frame(name)
        if frame is None or frame.empty:
            return Block(block_id, heading, text, missing=self.missing_resource(resource or name, name))
        ids = source_ids_of(frame)
        spec = None
        if chart is not None:
            chart_data = self.data.frame(chart_frame) if chart_frame else frame
            if chart_data is None:  # the chart's own result failed: say so rather than draw nothing
                return Block(block_id, heading, text, missing=self.missing_resource(str(chart_frame), chart_frame))
            spec = fit_to_container(chart(chart_data, source_label(self.case, source_ids_of(chart_data))))
        if spec is not None and chart_kind != "reported":
            return Block(block_id, heading, text, frame, spec, source_ids=ids, source_kind=chart_kind,
                         table_kind="reported")
        return Block(block_id, heading, text, frame, spec, source_ids=ids)

    def build(self, key: str) -> Page:
        if key.startswith("country/"):
            return self.country(key.partition("/")[2])
        builder = getattr(self, key.replace("-", "_"), None)
        if key not in PAGE_KEYS or builder is None:
            raise KeyError(key)
        return builder()

    def overview(self) -> Page:
        _ = self._
        blocks = []
        figures = self.data.frame("key-figures")
        key_block = Block("key-figures", _("Key figures"), frame=figures, source_ids=source_ids_of(figures))
        if figures is None:
            key_block.missing = self.missing_resource("population")
        blocks.append(key_block)
        values = self.data.frame("map")
        if values is not None:
            labels = {"title": _("The diaspora as a share of each host country's population"),
                      "share": _("Share of the population, %"), "population": _("Diaspora members"),
                      # the map shades a share computed from the counts: credited as computed from them
                      "country": _("Country"), "origin": _("country of origin"),
                      "source": source_heading("derived", _),
                      "geometry": _("Borders (public domain)"),
                      "tile_grid": _("Tile grid, not a map: no country outlines are installed")}
            spec, is_map = map_spec(values, labels, source_label(self.case, source_ids_of(values)), self.language)
            blocks.append(Block("map", _("Map of the host countries"),
                                _("Each host country is shaded by the diaspora's share of its population; "
                                  "{origin}, the country of origin, is shown in grey.").format(origin=self.origin),
                                values, fit_to_container(spec), source_ids=source_ids_of(values),
                                source_kind="derived"))
        else:
            blocks.append(Block("map", _("Map of the host countries"), missing=self.missing_resource("population")))
        blocks.append(self.block("demography", _("Diaspora shares per host country"), "demography",
                                 _("The diaspora's share of each host's whole population and of its groups other "
                                   "than the titular nation; the share of the world diaspora is a range because "
                                   "the world estimate is one."),
                                 resource="population",
                                 chart=lambda frame, source: specs.diaspora_shares(
                                     self.with_country_names(frame, "country"), source,
                                     _("The diaspora in each host country"), _, self.language),
                                 chart_kind="derived"))
        empty = paths_without_data(self.case)
        if empty:
            labels = dict(CORE_NAV)
            flows_hint = _("import a national table of arrivals and departures by partner and year with "
                           "“diaspora import generic FILE --kind flows --case {case}” (docs/import.md)").format(
                case=self.case.name)
            parts = [(_(labels[path]), flows_hint if path == "/flows" else _(
                "put the rows in data/{resource}.csv of the case and declare the resource in its datapackage.json "
                "(docs/data.md)").format(resource=PAGE_DATA[path][0])) for path in empty]
            blocks.append(Block("not-yet", _("Not in this case yet"), _(
                "These parts of the observatory have no data in this case, so the menu leaves them out. To add "
                "one: ").strip(), points=[f"{label}: {how}." for label, how in parts]))
        return Page("overview", "/", _("Overview"), _(
            "{title}: how many live in each host country, how migration with {origin} has moved, and where "
            "each number comes from.").format(title=self.case.title_in(self.language), origin=self.origin), blocks,
            extra={"key_labels": {k: _(v) for k, v in KEY_FIGURE_LABELS.items()}, "hosts": self.case.hosts})

    def countries(self) -> Page:
        _ = self._
        return Page("countries", "/countries", _("Countries"), _("Choose a host country to see its profile."),
                    [self.block("demography", _("Host countries"), "demography", resource="population")],
                    extra={"hosts": self.case.hosts})

    def country(self, code: str) -> Page:
        _ = self._
        profile = self.data.results.get(f"country-{code}")
        if code not in self.case.hosts:
            raise UnknownCountry(f"{code!r} is not a host country of this case", ", ".join(self.case.hosts))
        profile = profile if isinstance(profile, dict) else {}

        def part(name: str, heading: str, text: str = "", resource: str | None = None, chart=None) -> Block:
            frame = profile.get(name)
            if frame is None or frame.empty:
                return Block(name, heading, text, missing=self.missing_country(resource or name, code))
            spec = fit_to_container(chart(frame, source_label(self.case, source_ids_of(frame)))) if chart else None
            lead_key = f"country/{name}" if f"country/{name}" in LEAD_COLUMNS else ""
            return Block(name, heading, text, frame, spec, source_ids=source_ids_of(frame), lead_key=lead_key,
                         record=name in HOST_RECORDS)

        name = self._country_name(code)
        blocks = [
            part("population", _("Population structure"), _("Total population and its groups, by year."),
                 "population"),
            part("shares", _("Diaspora share"), _("The diaspora's share of the population and of the other "
                                                   "groups; its share of the world diaspora is a range."),
                 "population"),
            part("flows", _("Flows with {origin}").format(origin=self.origin),
                 _("Emigration from and immigration to {origin} per year; net is immigration minus "
                   "emigration.").format(origin=self.origin), "flows",
                 chart=self.flows_chart),
            part("flow-summary", _("Trend and change point"), self.summary_text(profile.get("flow-summary")),
                 "flows"),
            part("periods", _("Periods of migration policy"), "", "periods"),
            part("estimates", _("Historical size estimates"), _("Estimates of the diaspora's size over time, as "
                                                               "ranges."), "diaspora_estimates"),
            part("institutions", _("Institutions"), "", "institutions"),
            part("institution-profile", _("Supports of identity"), "", "institutions"),
        ]
        return Page(f"country/{code}", f"/country/{code}", name, _(
            "Everything this case records about the diaspora in {country}.").format(country=name), blocks,
            extra={"code": code, "cards": self.country_cards(profile)})

    def country_cards(self, profile: dict[str, pd.DataFrame]) -> list[dict]:
        """A host's headline numbers: (label, value, unit, low, high, provenance, source ids) from its profile.

        ``provenance`` is the value's kind (analysis.provenance): shares and totals computed here are
        ``derived`` and credited as computed from their inputs' sources."""
        _ = self._
        cards: list[dict] = []
        shares = profile.get("shares")
        if shares is not None and not shares.empty:
            row = shares.iloc[0]
            ids = sorted(source_ids_of(shares))
            key = (row["country"], row["year"])
            count_kind = demography.population_kinds(self.case).get(key, ({}, {}))[0].get("diaspora_population",
                                                                                          "reported")
            rows = self.case.table("population")
            count_ids = sorted(set(rows[(rows["country"] == key[0]) & (rows["year"] == key[1])
                                        & (rows["group"] == "diaspora")]["source_id"])) or ids
            # the significant digits each share's inputs justify (analysis.precision)
            digits = read_digits(row.get("significant_digits"))
            cards += [
                {"label": _("Diaspora members"), "value": row["diaspora_population"], "unit": "persons",
                 "ids": count_ids, "provenance": count_kind},
                {"label": _("Share of the population"), "value": row["diaspora_share_of_total_pct"],
                 "unit": "percent", "ids": ids, "digits": digits.get("diaspora_share_of_total_pct")},
                {"label": _("Share of the groups other than the titular nation"),
                 "value": row["diaspora_share_of_others_pct"], "unit": "percent", "ids": ids,
                 "digits": digits.get("diaspora_share_of_others_pct")},
                {"label": _("Share of the world diaspora"), "value": None, "unit": "percent", "ids": ids,
                 "low": row["share_of_world_diaspora_low_pct"], "high": row["share_of_world_diaspora_high_pct"],
                 "digits": _fewest_digits(digits.get("share_of_world_diaspora_low_pct"),
                                          digits.get("share_of_world_diaspora_high_pct"))},
            ]
        summary = profile.get("flow-summary")
        if summary is not None and not summary.empty:
            row = summary.iloc[0]
            ids = sorted(source_ids_of(profile["flows"]))
            cards.append({"label": _("Net migration to {origin}, {first}–{last}").format(
                origin=self.origin, first=row["first_year"], last=row["last_year"]),
                "value": row["net_total"], "unit": "persons", "ids": ids})
            cards.append(self.change_card(row, ids))
        supports = profile.get("institution-profile")
        if supports is not None and not supports.empty:
            row = supports.iloc[0]
            # Counted over what the sources report: silence is neither a yes nor a no.
            value = _("{present} of {reported} reported").format(present=int(row["supports_present"]),
                                                               reported=int(row["supports_reported"]))
            cards.append({"label": _("Supports of identity present ({unknown} of four not reported)").format(
                              unknown=int(row["supports_not_reported"])),
                          "value": value, "unit": "of_reported", "ids": sorted(source_ids_of(supports))})
        for card in cards:  # every card but the diaspora count is computed from its sources
            card.setdefault("provenance", "derived")
        return cards

    def change_card(self, row: pd.Series, ids: list[str]) -> dict:
        """Pettitt's change point of immigration: its year only when the shift is significant, else the
        page says there is no significant change (with the p-value either way)."""
        _ = self._
        p = p_value_phrase(row["immigration_change_p_value"], self.language)
        if row.get("immigration_change") == flows.LEVEL_SHIFT:
            return {"label": _("First year of a new level of immigration to {origin} (Pettitt's test, {p})").format(
                origin=self.origin, p=p), "value": str(int(row["immigration_change_year"])), "unit": "year",
                "ids": ids}
        return {"label": _("Change in the level of immigration to {origin} (Pettitt's test, {p})").format(
            origin=self.origin, p=p), "value": _("no significant change"), "unit": "text", "ids": ids}

    def trend_headline(self, row: pd.Series) -> str:
        """What the flow summary of one partner (or all) finds, in sentences: a trend, slope or change
        year is stated only when significant at the row's level; otherwise the sentence says so."""
        _ = self._
        language = self.language
        labels = value_labels(self.case, language)
        partner = _("All partners") if row["partner"] == flows.ALL_PARTNERS else self._country_name(row["partner"])
        span = format_range(row["first_year"], row["last_year"], "year", language)
        if row["net_trend"] == flows.TOO_SHORT:
            return _("{partner}, {span}: too few years for a trend or change test (they need at least {n}).").format(
                partner=partner, span=span, n=flows.MIN_TEST_YEARS)
        p = p_value_phrase(row["net_trend_p_value"], language)
        if row["net_trend"] in ("increasing", "decreasing"):
            text = _("{partner}, {span}: the net flow is {trend} (Mann-Kendall test, {p}); Theil-Sen slope {slope} "
                     "persons a year (95% confidence interval {low} to {high}).").format(
                partner=partner, span=span, trend=labels("net_trend", row["net_trend"]), p=p,
                slope=format_value(row["net_theil_sen_slope"], "rate", language),
                low=format_value(row["net_slope_low"], "rate", language),
                high=format_value(row["net_slope_high"], "rate", language))
        else:
            text = _("{partner}, {span}: no significant trend in the net flow (Mann-Kendall test, {p}).").format(
                partner=partner, span=span, p=p)
        p = p_value_phrase(row["immigration_change_p_value"], language)
        if row["immigration_change"] == flows.LEVEL_SHIFT:
            text += " " + _("Immigration: a new level from {year} (Pettitt's test, {p}).").format(
                year=int(row["immigration_change_year"]), p=p)
        else:
            text += " " + _("Immigration: no significant change in level (Pettitt's test, {p}).").format(p=p)
        p = p_value_phrase(row["emigration_change_p_value"], language)
        if row["emigration_change"] == flows.LEVEL_SHIFT:
            recent = row["emigration_recent_trend"]
            since = (labels("emigration_recent_trend", recent) if recent in ("increasing", "decreasing")
                     else _("no significant trend"))
            text += " " + _("Emigration: a new level from {year} (Pettitt's test, {p}); since then {trend} "
                            "(Mann-Kendall test, {p_since}).").format(
                year=int(row["emigration_change_year"]), p=p, trend=since,
                p_since=p_value_phrase(row["emigration_recent_trend_p_value"], language))
        else:
            text += " " + _("Emigration: no significant change in level (Pettitt's test, {p}).").format(p=p)
        return text

    def significance_note(self) -> str:
        return self._("A trend, slope or change year is stated only when it is significant at the {level} level; "
                      "the table keeps every test's statistic and p-value.").format(
            level=format_value(0.05, "level", self.language))

    @property
    def origin(self) -> str:
        return self._country_name(self.case.origin)

    @property
    def flows_title(self) -> str:
        return self._("Migration flows with {origin}").format(origin=self.origin)

    def with_country_names(self, frame: pd.DataFrame, column: str) -> pd.DataFrame:
        """``frame`` with the country codes of ``column`` written as names in the page's language.

        For charts only: tables keep the codes (shown as names with the code in ``<abbr>``) and the data
        files keep them as they are.
        """
        return frame.assign(**{column: [self._country_name(code) for code in frame[column]]})

    def flows_chart(self, frame: pd.DataFrame, source: str) -> dict:
        """The flows chart in the page's language, one panel per partner named in that language."""
        spec = specs.flows_over_time(self.with_country_names(frame, "partner"), source, self.flows_title, self._,
                                     self.language)
        # Panels in the case's order of partners, not in the alphabet of the language (Kazakh letters sort last).
        spec["facet"]["sort"] = [self._country_name(code) for code in dict.fromkeys(frame["partner"])]
        return spec

    def collected_block(self) -> Block:
        """Where collected survey answers are: the survey module's own pages, once it is installed."""
        _ = self._
        links = [(path, _("Surveys run with this observatory, and their results")) for path, _label in self.survey_nav]
        block = Block("collected", _("Collected responses"),
                      _("Answers collected with the observatory's own questionnaire are published by the survey "
                        "module, with groups under 10 respondents suppressed."))
        if links:
            block.links = links
        else:
            block.missing = _("The survey module is not installed in this copy of the observatory, so no collected "
                              "answers can be shown. Install it, run a survey with “diaspora survey”, and its "
                              "results will appear in the menu.")
        return block

    def missing_country(self, resource: str, code: str) -> str:
        _ = self._
        return (_("No rows for {country} in the resource “{resource}”.").format(
                    country=self._country_name(code), resource=resource) + " " +
                _("To add them, put rows with the country code {code} in data/{resource}.csv of the case, "
                  "then run “diaspora check”.").format(code=code, resource=resource))

    def _country_name(self, code: str) -> str:
        from diaspora_observatory.countries import country_name

        return country_name(code, self.language)

    def summary_text(self, summary: pd.DataFrame | None) -> str:
        """The headline sentences of a flow summary (every row), then the rule they follow."""
        if summary is None or summary.empty:
            return ""
        sentences = [self.trend_headline(row) for _index, row in summary.iterrows()]
        return " ".join([*sentences, self.significance_note()])

    def flows(self) -> Page:
        _ = self._
        summary = self.data.frame("flow-summary")
        everyone = (summary[summary["partner"] == flows.ALL_PARTNERS]
                    if summary is not None and "partner" in summary.columns else None)
        # The finding for all partners leads the page, then the table of every test (the page's result); the
        # yearly data, its chart and its 100-row table follow.
        headline = self.summary_text(everyone)
        return Page("flows", "/flows", _("Migration flows"), " ".join(filter(None, [_(
            "Yearly migration between {origin} and each partner. Net is immigration minus emigration, seen "
            "from {origin}.").format(origin=self.origin), headline])), [
            self.block("flow-summary", _("Totals, trends and change points"), "flow-summary",
                       _("Per partner: Mann-Kendall test of the net flow's trend, Theil-Sen slope (persons per "
                         "year, with its 95% confidence interval), and Pettitt's test for a change in the level "
                         "of immigration and of emigration. The row ALL sums every partner."),
                       resource="flows"),
            self.block("flows", _("Flows per year and partner"), "flows",
                       chart=self.flows_chart),
            self.block("periods", _("Periods of migration policy"), "periods",
                       _("Flows summed over the periods named by the migration policy concept, with how many of "
                         "each period's years the data covers."),
                       # with periods but no flows, the flows are what is missing
                       resource="flows" if self.case.has("periods") else "periods"),
            *([self.block("mirror-flows", _("Mirror statistics"), "mirror-flows", _(
                "Each flow as {origin} counts it and as the partner counts it, for the years both report; the "
                "difference is the partner's count minus {origin}'s. Countries register a move at different "
                "times and by different rules of residence, so the two rarely agree: a difference describes "
                "the statistics, not an error of either.").format(origin=self.origin), resource="mirror_flows")]
              if self.case.has("mirror_flows") else []),
        ], data_table="flows")

    def definitions(self) -> Page:
        _ = self._
        return Page("definitions", "/definitions", _("Definitions of the diaspora"), _(
            "Who is counted depends on the definition: ethnicity (as the study counts), birthplace (as UN DESA's "
            "migrant stock counts) or citizenship. Each definition counts a different population, so the figures "
            "stand side by side and are never added together."), [
            self.block("definitions", _("Each host under each definition"), "definitions",
                       _("One row per host and definition, with its year and source."), resource="population",
                       chart=lambda frame, source: specs.definition_counts(
                           self.definitions_by_label(frame), source, _("Each host under each definition"), _,
                           self._country_name, self.language)),
            self.block("birthplace-summary", _("People born in {origin} living abroad").format(origin=self.origin),
                       "birthplace-summary", _("The world total of the birthplace count and the share of it living "
                                               "in the host countries."), resource="birthplace_stock"),
            self.destinations_map(),
            self.block("birthplace-destinations", _("Where people born in {origin} live").format(origin=self.origin),
                       "birthplace-destinations", _("Destinations ranked by the number of people born in the "
                                                    "country of origin, with the cumulative share."),
                       resource="birthplace_stock"),
            self.block("birthplace-over-time", _("People born in {origin} living abroad over time").format(
                origin=self.origin), "birthplace-over-time", _(
                "The world total of each year, one line per edition of UN DESA's migrant stock: each edition "
                "revises the earlier years, so two editions are never joined into one line. Where a host counts "
                "only citizens, UN DESA counts them instead (column “citizen_destinations”)."),
                resource="birthplace_stock",
                chart=lambda frame, source: stocks.world_stock_over_time(
                    frame, source, _("People born in {origin} living abroad, by edition").format(origin=self.origin),
                    _, self.language, self.origin)),
            self.block("hosts-over-time", _("Each host over time, by definition and edition"), "hosts-over-time", _(
                "In each host, the people born in {origin} as each UN DESA edition counts them, beside the "
                "case's counts by ethnicity: different definitions of the diaspora, shown side by side and never "
                "added together.").format(origin=self.origin), resource="birthplace_stock",
                chart=lambda frame, source: stocks.hosts_stock_over_time(
                    frame, source, _("Each host over time, by definition and edition"), _, self.language,
                    self.origin, self._country_name)),
            self.block("cross-source", _("Population totals against a reference source"), "cross-source",
                       _("Each host's total population in the case next to an independent reference; a difference "
                         "beyond the tolerance is listed as a warning on the data-quality page."),
                       resource="reference_population"),
        ])

    def definitions_by_label(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The definitions as the chart's legend names them: on a page in another language than English by
        the case's label in that language, as the table's cell shows it ("Ethnic Kazakhs" as "Этнические
        казахи"), else by the label of its definition code ("по этнической принадлежности"): a chart's text
        cannot be marked as the data's English."""
        if self.language == "en":
            return frame
        labels = labels_with_definitions(self.case, self.language, self._)
        return frame.assign(label=[labels.get("label", label) or labels.get("definition", code) or label
                                   for code, label in zip(frame["definition"], frame["label"], strict=True)])

    def destinations_map(self) -> Block:
        """The world map of every destination of the people born in the origin, latest year."""
        _ = self._
        heading = _("Map of the destinations")
        frame = self.data.frame("birthplace-destinations")
        if frame is None or frame.empty:
            return Block("destinations-map", heading, missing=self.missing_resource("birthplace_stock",
                                                                                    "birthplace-destinations"))
        labels = {"title": _("People born in {origin} by country of residence, {{year}}").format(origin=self.origin),
                  "persons": _("Persons"), "country": _("Country"), "origin": _("country of origin"),
                  "host": _("host country"), "geometry": _("Borders (public domain)")}
        spec = destinations_spec(frame, self.case.origin, labels, self.language)
        text = _("Each country of residence is shaded by the number of people born in {origin} living there "
                 "(a log scale), the host countries of this case outlined; {origin} is shown in grey. The values "
                 "are in the table below.").format(origin=self.origin)
        if spec is None:
            return Block("destinations-map", heading, text,
                         missing=_("No country outlines are installed, so the map is left out; the table below has "
                                   "every destination."))
        return Block("destinations-map", heading, text, spec=fit_to_container(spec), source_ids=source_ids_of(frame))

    def projections(self) -> Page:
        _ = self._
        from_stocks = self.block("stock-flows", _("Flows estimated from migrant stocks"), "stock-flows",
                                 _("Net movements implied by the change in the migrant stock between two counts, "
                                   "with the assumptions used."), resource="birthplace_stock")
        if from_stocks.missing and "stock-flows" not in self.data.failures:
            from_stocks.missing = _("This needs the migrant stock counted in at least two years (resource "
                                    "“birthplace_stock”), and this case has fewer. Import another year's migrant "
                                    "stock with “diaspora import”, then start the observatory again.")
        return Page("projections", "/projections", _("Projections and forecasts"), _(
            "Where the numbers may go: scenario projections of the diaspora in each host and short forecasts of "
            "the yearly flows, each with its assumptions. They are model results, not observations."), [
            self.projections_block(),
            self.block("projection-parameters", _("Base counts and parameters of each scenario"),
                       "projection-parameters",
                       _("Each scenario's base count with the range its rounding stands for, and its annual "
                         "parameters as ranges: the diaspora's own natural change and repatriation in percent a "
                         "year, emigration into the diaspora in persons a year."), resource="population"),
            self.block("flow-forecast", _("Forecasts of the yearly flows"), "flow-forecast",
                       _("Each flow series continued a few years ahead by a random walk with drift, the drift "
                         "estimated on the years after the series' last significant change in level; the bounds "
                         "are a 95% prediction interval that includes the uncertainty of the drift."),
                       resource="flows"),
            from_stocks,
        ])

    def projections_block(self) -> Block:
        """The scenario paths as fan charts; their 150-odd rows only behind a toggle (and in the downloads)."""
        _ = self._
        block = self.block("projections", _("The diaspora per host under each scenario"), "projections",
                           _("Low, central and high paths from the latest count, with the assumptions of each "
                             "scenario."), resource="population",
                           chart=lambda frame, source: specs.projection_fans(
                               frame, source, _("Projections of the diaspora per host, with their ranges"), _,
                               self._country_name, value_labels(self.case, self.language), self.language))
        block.table_collapsed = block.frame is not None
        return block

    def repatriation(self) -> Page:
        _ = self._
        return Page("repatriation", "/repatriation", _("Repatriation and emigration"), _(
            "Who returns to {origin} and who leaves it, by age and education.").format(origin=self.origin), [
            self.block("education", _("Education of repatriates and emigrants"), "education",
                       _("Levels a source does not report are left empty."), resource="repatriation",
                       chart=lambda frame, source: specs.education_comparison(
                           frame, source, _("Repatriates and emigrants by education"), _,
                           value_labels(self.case, self.language), self.language)),
            self.block("repatriation", _("Every repatriation and emigration figure"), "repatriation"),
        ])

    def institutions(self) -> Page:
        _ = self._
        blocks = [self.block("institutions", _("Supports of identity per host"), "institutions",
                             _("Institution counts by kind and the state of four supports (schooling, higher "
                               "education, culture, organisation) in each host: present (a source names one), "
                               "absent (a source says there is none) or not reported. A count no source gives "
                               "is left empty; hosts are compared only on what is reported."),
                             chart=lambda frame, source: specs.institution_supports(
                                 frame, source, _("Supports of identity per host"), _, self._country_name,
                                 value_labels(self.case, self.language), self.language))]
        for resource, heading in (("institutions", _("Every institution")),
                                  ("schooling", _("Schooling in the diaspora's language"))):
            frame = self.data.resource(resource)
            blocks.append(Block(f"{resource}-list", heading, frame=frame, source_ids=source_ids_of(frame))
                          if frame is not None else Block(f"{resource}-list", heading,
                                                          missing=self.missing_resource(resource)))
        return Page("institutions", "/institutions", _("Diaspora institutions"), _(
            "Schools, university programmes, cultural centres and associations of the diaspora."), blocks)

    def survey(self) -> Page:
        _ = self._
        name = f"survey-{self.language}" if f"survey-{self.language}" in self.data.results else "survey-en"
        published = self.block("survey", _("Published aggregates"), name,
                               _("The study's published figures; values it shows only as an image are marked "
                                 "unavailable rather than estimated."), resource="survey_results",
                               chart=lambda frame, source: specs.survey_items(
                                   frame, source, _("Importance of identity elements (1-5)"), _, self.language))
        return Page("survey", "/survey", _("Questionnaire survey"), _(
            "What the diaspora's own answers say about language, identity and contact with {origin}.").format(
            origin=self.origin), [published, self.collected_block()])

    def documents(self) -> Page:
        _ = self._
        blocks = []
        for resource, heading, text in (
                ("documents", _("Documents"), _("The laws, policy papers and press items the study reads.")),
                ("document_themes", _("Themes"), _("The themes the study finds in each document; a theme marked "
                                                   "false is a gap the study points out."))):
            frame = self.data.resource(resource)
            blocks.append(Block(resource.replace("_", "-"), heading, text, frame, source_ids=source_ids_of(frame))
                          if frame is not None else Block(resource.replace("_", "-"), heading, text,
                                                          missing=self.missing_resource(resource)))
        return Page("documents", "/documents", _("Policy and press"), _(
            "{origin}'s policy documents on migration and the diaspora, and the press items the study "
            "cites.").format(origin=self.origin),
            blocks)

    def claims(self) -> Page:
        _ = self._
        claim_block = self.block("claims", _("The study's numbers, recomputed"), "claims",
                                 _("Each numeric statement of the study, recomputed from the data and judged on "
                                   "its scope: confirmed (the data cover what it speaks of and bear it out within "
                                   "the rounding of the stated value), mismatch (the data cover it and do not bear "
                                   "it out: figures of the study that cannot both hold as it presents them; the "
                                   "note says what may explain it) or unverifiable (no data, or a statement wider "
                                   "than the data, with the reason)."),
                                 chart=lambda frame, source: specs.claims_by_status(
                                     frame, source, _("The study's claims by section and status"), _,
                                     value_labels(self.case, self.language), self.language))
        claim_block.source_ids = {"study"} if "study" in self.case.sources else set()
        issues = self.data.issues
        issue_block = Block("issues", _("Validation errors and warnings"),
                            _("What the schema and the package's named checks found. Errors must be fixed; "
                              "warnings are findings, such as two sources that disagree."), frame=issues)
        if issues.empty:
            issue_block.text += " " + _("This case has no data errors and no warnings.")
        counts = self.data.frame("claims")
        return Page("claims", "/claims", _("Claims and data quality"), _(
            "Whether the data holds together, and whether the study's own numbers follow from it."),
            [claim_block, issue_block],
            extra={"status_counts": counts["status"].value_counts().to_dict() if counts is not None else {},
                   "errors": int((issues["severity"] == "error").sum()),
                   "warnings": int((issues["severity"] == "warning").sum())})

    def sources(self, used_on: dict[str, list[tuple[str, str]]] | None = None) -> Page:
        _ = self._
        frame = self.case.table("sources") if self.case.has("sources") else None
        if frame is not None:
            block = Block("sources", _("Bibliography"), frame=frame, source_ids=set(frame["source_id"]))
        else:
            block = Block("sources", _("Bibliography"), missing=self.missing_resource("sources"))
        return Page("sources", "/sources", _("Sources"), _(
            "Every source the case cites, with the pages that use it."), [block],
            extra={"used_on": used_on or {}})


def paths_without_data(case: Case) -> list[str]:
    """The pages of ``PAGE_DATA`` the case holds no data for, in menu order.

    >>> from diaspora_observatory import load_case
    >>> paths_without_data(load_case())
    []
    """
    return [path for path, resources in PAGE_DATA.items() if not any(case.has(name) for name in resources)]


def menu(case: Case) -> list[tuple[str, str]]:
    """The core pages for the menu: those with data (see ``PAGE_DATA``)."""
    empty = set(paths_without_data(case))
    return [(path, label) for path, label in CORE_NAV if path not in empty]


def page_paths(case: Case) -> list[str]:
    """Every core page's path, country profiles included."""
    paths = ["/" if key == "overview" else f"/{key}" for key in PAGE_KEYS]
    return paths + [f"/country/{code}" for code in case.hosts]
