"""The report's content as data: per section a title, its text, the web page's chart, a compact table and the
full tables (the appendix and tables/*.csv), built from the analysis library in the report's language.

Each section reads the same analysis tables as the web page and the CLI, and draws the same chart spec
as the page (``charts/specs.py``, with the page's titles written from the case: its origin, its hosts);
the sentences are written from the computed values by ``report/narrative.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from diaspora_observatory.analysis import claims, demography, flows, repatriation, survey
from diaspora_observatory.analysis.provenance import with_provenance
from diaspora_observatory.case.package import Case
from diaspora_observatory.charts import specs
from diaspora_observatory.extension_points import REPORT, installed
from diaspora_observatory.presentation.citations import source_ids_of
from diaspora_observatory.report import narrative
from diaspora_observatory.report.i18n import N_
from diaspora_observatory.report.writer import Writer
from diaspora_observatory.tables import build_table


@dataclass
class Figure:
    name: str
    spec: dict


@dataclass
class Compact:
    """The few rows and columns of a section's table that answer its question; the rest is in the appendix."""

    name: str
    frame: pd.DataFrame
    columns: list[str]


@dataclass
class Section:
    id: str
    title: str
    paragraphs: list[str]
    headline: str = ""  # the sentence the summary of findings repeats
    figures: list[Figure] = field(default_factory=list)
    compact: Compact | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    source_ids: set[str] = field(default_factory=set)
    summaries: list[Compact] = field(default_factory=list)  # further small tables shown in the section


def _named(frame: pd.DataFrame, column: str, writer: Writer) -> pd.DataFrame:
    """The frame with the country codes of ``column`` as names in the report's language (charts only)."""
    return frame.assign(**{column: [writer.country(code) for code in frame[column]]})


def build_sections(case: Case, language: str = "en") -> list[Section]:
    """Every section the case has data for, in reading order, written in ``language``."""
    writer = Writer(case, language)
    return [section for builder in BUILDERS.values() if (section := builder(case, writer)) is not None]


def _demography(case: Case, writer: Writer) -> Section | None:
    if not case.has("population"):  # a case made by `diaspora case new` without data files has no population
        return None
    _ = writer._
    demo = demography.demography(case)
    summary = demography.regional_summary(case)
    # The world estimate and the origin's count are the sources'; everything else here is computed.
    reported = {"world_estimate_low", "world_estimate_high", "origin_titular_population"}
    key = pd.DataFrame([{"figure": k, "value": v, "provenance": "reported" if k in reported else "derived"}
                        for k, v in summary.items() if not isinstance(v, list)])
    ids = source_ids_of(demo)
    title = _("The diaspora from {origin} in each host country").format(origin=writer.origin)
    spec = specs.diaspora_shares(_named(demo, "country", writer), writer.sources(ids), title, _, writer.language)
    headline, details = narrative.demography(demo, summary, writer)
    return Section("demography", _("Where the diaspora lives"), [headline, *details], headline,
                   [Figure("diaspora-shares", spec)],
                   Compact("demography", demo, ["country", "year", "diaspora_population", "diaspora_share_of_total_pct",
                                                "diaspora_share_of_others_pct", "share_of_regional_diaspora_pct"]),
                   {"demography": demo, "regional-summary": key}, ids)


def _estimates(case: Case, writer: Writer) -> Section | None:
    if not case.has("diaspora_estimates"):
        return None
    estimates = case.table("diaspora_estimates")
    paragraphs = narrative.estimates(estimates, writer)
    return Section("estimates", writer._("Estimates of the diaspora's size"), paragraphs, "", [],
                   Compact("estimates", estimates, ["scope", "country", "year_from", "year_to", "low", "high",
                                                    "qualifier", "source_id"]),
                   {"estimates": estimates}, source_ids_of(estimates))


def _flows(case: Case, writer: Writer) -> Section | None:
    if not case.has("flows"):  # a case made by `diaspora case new` has no flow data yet
        return None
    _ = writer._
    flow_table = with_provenance("flows", flows.flows(case))
    summary = with_provenance("flow-summary", flows.flow_summary(case))
    ids = source_ids_of(flow_table)
    spec = specs.flows_over_time(_named(flow_table, "partner", writer), writer.sources(ids),
                                 _("Migration flows with {origin}").format(origin=writer.origin), _, writer.language)
    # Panels in the case's order of partners, as on the web page, not in the alphabet of the language.
    spec["facet"]["sort"] = [writer.country(code) for code in dict.fromkeys(flow_table["partner"])]
    headline, details = narrative.flows(summary, writer)
    tables = {"flows": flow_table, "flow-summary": summary}
    if case.has("periods"):
        tables["periods"] = with_provenance("periods", flows.period_totals(case))
    return Section("flows", _("Migration flows"), [headline, *details], headline,
                   [Figure("flows-over-time", spec)],
                   Compact("flow-summary", summary, ["partner", "net_total", "net_trend", "net_trend_p_value",
                                                     "net_theil_sen_slope", "immigration_peak_year",
                                                     "immigration_change_year", "immigration_change_p_value"]),
                   tables, ids | source_ids_of(case.table("periods")) if case.has("periods") else ids)


def _repatriation(case: Case, writer: Writer) -> Section | None:
    if not case.has("repatriation"):
        return None
    _ = writer._
    education = repatriation.education_comparison(case)
    profile = repatriation.repatriation_profile(case)
    ids = source_ids_of(case.table("repatriation"))
    spec = specs.education_comparison(education, writer.sources(source_ids_of(education)),
                                      _("Repatriates and emigrants by education"), _, writer.labels, writer.language)
    headline, details = narrative.repatriation(education, profile, writer)
    return Section("repatriation", _("Repatriation and emigration"), [headline, *details], headline,
                   [Figure("education-comparison", spec)],
                   Compact("education", education, ["education", "kandas_share_pct", "emigrants_share_pct"]),
                   {"repatriation": profile, "education": education}, ids)


def _institutions(case: Case, writer: Writer) -> Section | None:
    if not case.has("institutions"):
        return None
    _ = writer._
    profile = build_table(case, "institutions")
    ids = source_ids_of(profile, case.table("institutions"))
    spec = specs.institution_supports(profile, writer.sources(ids), _("Supports of identity per host"), _,
                                      writer.country, writer.labels, writer.language)
    headline, details = narrative.institutions(profile, writer)
    return Section("institutions", _("Diaspora institutions"), [headline, *details], headline,
                   [Figure("institution-supports", spec)],
                   Compact("institutions", profile, ["country", "support_schooling", "support_higher_education",
                                                     "support_culture", "support_organisation", "supports_present",
                                                     "supports_reported"]),
                   {"institutions": profile, "institution-list": case.table("institutions")}, ids)


def _survey(case: Case, writer: Writer) -> Section | None:
    if not (case.has("survey_results") and case.has("survey_items")):
        return None
    _ = writer._
    published = survey.published_survey(case, writer.language)
    ids = source_ids_of(published)
    spec = specs.survey_items(published, writer.sources(ids), _("Importance of identity elements (1-5)"), _,
                              writer.language)
    headline, details = narrative.survey(published, writer)
    means = published[published["statistic"] == "mean"]
    return Section("survey", _("Questionnaire survey"), [headline, *details], headline,
                   [Figure("survey-items", spec)],
                   Compact("survey", means, ["label", "value", "n", "status"]),
                   {"survey": published}, ids)


def _documents(case: Case, writer: Writer) -> Section | None:
    if not case.has("documents"):
        return None
    documents = case.table("documents")
    themes = case.table("document_themes") if case.has("document_themes") else None
    tables = {"documents": documents}
    if themes is not None:
        tables["document-themes"] = themes
    # Coverage, gaps and agreement appear once documents have been imported and coded
    # (the documents package declares them: extension_points.REPORT, entry point "documents").
    for name, add_tables in installed(REPORT):
        if name == "documents":
            tables.update(add_tables(case))
    paragraphs = narrative.documents(documents, themes, writer) + narrative.document_coding(tables, writer)
    # The coded documents summarised (issue 15): coverage per code, agreement, an example passage per
    # frequent code; the per-document lists only in their CSV files (LISTED_IN_FILES).
    summaries = [Compact(name, tables[name], columns) for name, columns in SUMMARY_COLUMNS.items()
                 if name in tables and not tables[name].empty]
    return Section("documents", writer._("Policy documents and press"), paragraphs, "", [],
                   Compact("documents", documents, ["document_id", "title", "kind", "year", "issuer"]),
                   tables, source_ids_of(*tables.values()), summaries)


def _definitions(case: Case, writer: Writer) -> Section | None:
    if "birthplace_stock" not in case.resource_names or not case.has("population"):
        return None
    _ = writer._
    definition_table = build_table(case, "definitions")
    summary = build_table(case, "birthplace-summary")
    destinations = build_table(case, "birthplace-destinations").head(10)
    ids = source_ids_of(definition_table)
    spec = specs.definition_counts(definition_table.assign(label=[
        writer.label("definition", code) for code in definition_table["definition"]]), writer.sources(ids),
        _("Each host under each definition"), _, writer.country, writer.language)
    paragraphs = narrative.definitions(definition_table, summary, writer)
    shown = definition_table.dropna(subset=["count"])
    return Section("definitions", _("Definitions side by side"), paragraphs, "", [Figure("definition-counts", spec)],
                   Compact("definitions", shown, ["country", "definition", "count", "year", "source_id"]),
                   {"definitions": definition_table, "birthplace-summary": summary,
                    "birthplace-destinations": destinations},
                   ids | source_ids_of(summary, destinations))


def _cross_source(case: Case, writer: Writer) -> Section | None:
    if "reference_population" not in case.resource_names:
        return None
    cross = build_table(case, "cross-source")
    paragraphs = narrative.cross_source(cross, writer)
    return Section("cross-source", writer._("Population totals against a reference source"), paragraphs, "", [],
                   Compact("cross-source", cross, ["country", "year", "case_value", "reference_value",
                                                   "difference_pct", "within_tolerance"]),
                   {"cross-source": cross}, source_ids_of(cross))


def _projections(case: Case, writer: Writer) -> Section | None:
    if not case.has("population"):
        return None
    from diaspora_observatory.analysis.projections import projection_parameters

    _ = writer._
    projection = build_table(case, "projections")
    if projection.empty:
        return None
    parameters = projection_parameters(case)
    forecast = build_table(case, "flow-forecast")
    ids = source_ids_of(projection, parameters, forecast)
    spec = specs.projection_fans(projection, writer.sources(source_ids_of(projection)),
                                 _("Projections of the diaspora from {origin} per host, with their ranges").format(
                                     origin=writer.origin), _, writer.country, writer.labels, writer.language)
    last = projection[projection["year"] == projection["year"].max()]
    paragraphs = narrative.projections(last, forecast, writer)
    return Section("projections", _("Projections"), paragraphs, "", [Figure("projection-fans", spec)],
                   Compact("projections", last, ["country", "scenario", "year", "low", "central", "high"]),
                   {"projections": projection, "projection-parameters": parameters, "flow-forecast": forecast}, ids)


def _claims(case: Case, writer: Writer) -> Section | None:
    if not case.has("claims"):
        return None
    _ = writer._
    claim_table = claims.check_claims(case)
    ids = {"study"} if "study" in case.sources else set()
    spec = specs.claims_by_status(claim_table, writer.sources(ids), _("The study's claims by section and status"), _,
                                  writer.labels, writer.language)
    headline, details = narrative.claims(claim_table, writer)
    mismatches = claim_table[claim_table["status"] == "mismatch"]
    return Section("claims", _("The study's numbers, recomputed"), [headline, *details], headline,
                   [Figure("claims-by-status", spec)],
                   Compact("claims", mismatches, ["id", "section", "reported", "computed", "unit", "status"]),
                   {"claims": claim_table}, ids)


Builder = Callable[[Case, Writer], Section | None]
# Every section's builder, in reading order. Each reads the case alone, except the documents section, which
# also reads the documents store in the user's data folder (report/section_cache.py keeps the others).
BUILDERS: dict[str, Builder] = {
    "demography": _demography, "estimates": _estimates, "flows": _flows, "repatriation": _repatriation,
    "institutions": _institutions, "survey": _survey, "documents": _documents, "definitions": _definitions,
    "cross-source": _cross_source, "projections": _projections, "claims": _claims}
READS_THE_STORE = {"documents"}


# Titles of the parts around the sections, for the message catalogs.
PARTS = {"summary": N_("Summary of findings"), "contents": N_("Contents"), "appendix": N_("Appendix: full tables"),
         "sources": N_("Sources")}
# The full tables' titles in the appendix (their CSV files keep these names).
TABLE_TITLES = {
    "demography": N_("Diaspora counts and shares per host"), "regional-summary": N_("Regional figures"),
    "estimates": N_("Estimates of the diaspora's size"), "flows": N_("Flows per year and partner"),
    "flow-summary": N_("Totals, trends and change points"), "periods": N_("Periods of migration policy"),
    "repatriation": N_("Every repatriation and emigration figure"),
    "education": N_("Education of repatriates and emigrants"), "institutions": N_("Supports of identity per host"),
    "institution-list": N_("Every institution"), "survey": N_("Published survey aggregates"),
    "documents": N_("Documents"), "document-themes": N_("Themes"), "definitions": N_("Each host under each definition"),
    "birthplace-summary": N_("People born in the country of origin living abroad"),
    "birthplace-destinations": N_("Main destinations of people born in the country of origin"),
    "cross-source": N_("Population totals against a reference source"),
    "projections": N_("Scenario paths per host"),
    "projection-parameters": N_("Base counts and parameters of each scenario"),
    "flow-forecast": N_("Forecasts of the yearly flows"), "claims": N_("The study's numbers, recomputed"),
    # the documents extension's tables (documents/report.py)
    "reference-coding": N_("The study's coding of the documents"),
    "document-coverage": N_("Themes each coded document covers"), "document-gaps": N_("Gaps the coding finds"),
    "coder-agreement": N_("Agreement between coders"), "press-themes": N_("Press themes over time"),
    "code-coverage": N_("Documents each code touches"), "passage-examples": N_("A passage of each code found most"),
}
# Tables with a row per coded document (or per document and code): with thousands of documents they would
# be most of report.html (4,000 documents: 138,000 cells, 3.7 MB) and of its time, for lists a reader
# searches in a spreadsheet, not reads; the appendix names their files and row counts, the section
# summarises them, and tables/*.csv keep every row.
LISTED_IN_FILES = {"document-coverage", "document-gaps"}
# The documents section's summary tables and their columns (the sources are the section's source line).
SUMMARY_COLUMNS = {
    "code-coverage": ["code", "documents_with_code", "documents", "share_pct", "passages"],
    "coder-agreement": ["coder_a", "coder_b", "units", "agree", "percent_agreement", "krippendorff_alpha",
                        "cohens_kappa"],
    "passage-examples": ["code", "document_id", "coder", "passage"],
}
# The appendix shows every row of every table; of these tables, only the columns a reader compares (the
# projections' bases and parameters are the next table; a claim's method, comparator and tolerance are in
# tables/claims.csv, said under the table).
APPENDIX_COLUMNS = {
    "projections": ["country", "scenario", "year", "low", "central", "high"],
    "claims": ["id", "section", "statement", "reported", "computed", "unit", "status", "reason", "note"],
    "flow-forecast": ["partner", "flow", "year", "forecast", "lower", "upper", "fit_first_year"],
}
