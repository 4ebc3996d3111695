"""The report's content as data: sections with their tables, figures and sources.

HTML and Markdown are two renderings of the same sections, and the web app reuses the figure list,
so every output shows the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from diaspora_observatory.analysis import claims, demography, flows, repatriation, survey
from diaspora_observatory.analysis.provenance import with_provenance
from diaspora_observatory.case.labels import value_labels
from diaspora_observatory.case.package import Case
from diaspora_observatory.charts import specs
from diaspora_observatory.extension_points import REPORT, installed
from diaspora_observatory.presentation.citations import source_label
from diaspora_observatory.tables import build_table


@dataclass
class Figure:
    name: str
    title: str
    spec: dict
    data: pd.DataFrame


@dataclass
class Section:
    id: str
    title: str
    text: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    source_ids: set[str] = field(default_factory=set)


def _source_ids(*frames: pd.DataFrame) -> set[str]:
    found: set[str] = set()
    for frame in frames:
        for column in frame.columns:
            if column == "source_id" or column.endswith("source_id") or column == "source_ids":
                for value in frame[column].dropna():
                    found.update(str(value).split(";"))
    return found


def computed_from(case: Case, source_ids: set[str] | list[str]) -> str:
    """The source line of a derived value: ``Computed from X (2024); Y (2022)``."""
    label = source_label(case, source_ids)
    return f"Computed from {label}" if label else "Computed"


PROVENANCE_TEXT = ("Each table's provenance column says what each value is: reported (the source states it), derived "
                   "(computed, by the study or by the observatory, from the sources listed) or inferred (a year or "
                   "attribution the study does not state; the note says why).")


def build_sections(case: Case) -> list[Section]:
    """All report sections for a valid case, in reading order."""
    sections: list[Section] = []
    if case.has("population"):  # a case made by `diaspora case new` without data files has no population
        demo = demography.demography(case)
        summary = demography.regional_summary(case)
        # The world estimate and the origin's count are the sources'; everything else here is computed.
        reported = {"world_estimate_low", "world_estimate_high", "origin_titular_population"}
        key = pd.DataFrame([{"figure": k, "value": v, "provenance": "reported" if k in reported else "derived"}
                            for k, v in summary.items() if not isinstance(v, list)])
        population_sources = _source_ids(demo)
        sections.append(Section(
            "demography", "Demographic model",
            "How many members of the diaspora live in each host country, and what share they form of the host's "
            "population and of its non-titular groups. The share of the world diaspora is an interval because the "
            "world estimate is a range. The shares and Table 1's other groups are computed, not a statistics "
            f"office's figures. {PROVENANCE_TEXT}",
            {"demography": demo, "regional-summary": key},
            [Figure("diaspora-shares", "Diaspora shares per host",
                    specs.diaspora_shares(demo, computed_from(case, population_sources)), demo)],
            population_sources | _source_ids(case.table("diaspora_estimates"))))
    estimates = demography.size_history(case)
    sections.append(Section("estimates", "Diaspora size estimates",
                            "Estimates of the diaspora's size kept as the sources give them: low and high ends, "
                            "with the qualifier (about, more than, up to).",
                            {"estimates": case.table("diaspora_estimates")}, [], _source_ids(estimates) |
                            _source_ids(case.table("diaspora_estimates"))))
    if case.has("flows"):  # a case made by `diaspora case new` has no flow data yet
        flow_table = with_provenance("flows", flows.flows(case))
        flow_sources = _source_ids(flow_table)
        sections.append(Section(
            "flows", "Migration flows",
            "Yearly emigration from and immigration to the country of origin for each partner; net is immigration "
            "minus emigration. Trends use the Mann-Kendall test and the Theil-Sen slope; the change year is where "
            "Pettitt's test finds a shift in immigration. Net flows, totals and period sums are computed from "
            f"{source_label(case, flow_sources) or 'the flow data'}.",
            {"flows": flow_table, "flow-summary": with_provenance("flow-summary", flows.flow_summary(case)),
             "periods": with_provenance("periods", flows.period_totals(case))},
            [Figure("flows-over-time", "Flows over time per partner",
                    specs.flows_over_time(flow_table, source_label(case, flow_sources)), flow_table)],
            flow_sources | _source_ids(case.table("periods"))))
    if case.has("repatriation"):
        education = repatriation.education_comparison(case)
        rep_sources = _source_ids(case.table("repatriation"))
        sections.append(Section(
            "repatriation", "Repatriation and emigration",
            "Who returns and who leaves: the profile of repatriates (kandas) and of emigrants by age and "
            "education. Levels a source does not report are left empty. The study gives no year for the kandas "
            f"figures; the year shown is that of their source, marked inferred. {PROVENANCE_TEXT}",
            {"repatriation": repatriation.repatriation_profile(case), "education": education},
            [Figure("education-comparison", "Repatriates and emigrants by education",
                    specs.education_comparison(education, computed_from(case, _source_ids(education)),
                                               labels=value_labels(case, "en")), education)],
            rep_sources))
    if case.has("institutions"):
        profile = build_table(case, "institutions")
        sections.append(Section(
            "institutions", "Diaspora institutions",
            "Schools, university programmes, cultural centres and associations per host, and the state of each of "
            "four supports of identity (schooling, higher education, culture, organisation): present (a source "
            "names one), absent (a source says there is none) or not reported (the sources are silent). A count "
            "no source gives is left empty, and hosts are compared only on what is reported.",
            {"institutions": profile, "institution-list": case.table("institutions")}, [],
            _source_ids(profile, case.table("institutions"))))
    if case.has("survey_results"):
        published = survey.published_survey(case)
        survey_sources = _source_ids(published)
        sections.append(Section(
            "survey", "Questionnaire survey",
            "The survey's published aggregates. Values the study shows only as an image are marked unavailable "
            "rather than estimated.",
            {"survey": published},
            [Figure("survey-items", "Identity items",
                    specs.survey_items(published, source_label(case, survey_sources)), published)],
            survey_sources))
    if case.has("documents"):
        themes = case.table("document_themes")
        document_tables = {"documents": case.table("documents"), "document-themes": themes}
        # Coverage, gaps and agreement appear once documents have been imported and coded.
        # (the documents package declares them: extension_points.REPORT, entry point "documents").
        for name, add_tables in installed(REPORT):
            if name == "documents":
                document_tables.update(add_tables(case))
        sections.append(Section(
            "documents", "Policy documents and press",
            "The documents the study reads and the themes it finds in each; a theme marked false is a gap the "
            "study points out. Where documents have been imported and coded, their coverage of the codebook, "
            "their gaps and the agreement between coders follow.",
            document_tables, [], _source_ids(*document_tables.values())))
    sections.extend(_definition_sections(case))
    claim_table = claims.check_claims(case)
    sections.append(Section(
        "claims", "The study's numbers, recomputed",
        "Each numeric statement of the study recomputed from the case's data and judged on its scope: confirmed "
        "(the data cover what the statement speaks of and bear it out within the rounding of the stated value), "
        "mismatch (the data cover it and do not bear it out: figures of the study that cannot both hold as it "
        "presents them; the note says what may explain it) or unverifiable (no data, or a statement wider than "
        "the data, with the reason). See docs/truth.md.",
        {"claims": claim_table}, [], {"study"}))
    return sections


def _definition_sections(case: Case) -> list[Section]:
    """Definitions side by side, cross-source agreement and projections, where the case has their data."""
    sections = []
    if "birthplace_stock" in case.resource_names:
        definition_table = build_table(case, "definitions")
        summary = build_table(case, "birthplace-summary")
        destinations = build_table(case, "birthplace-destinations").head(10)
        sections.append(Section(
            "definitions", "Definitions side by side",
            "Who counts as the diaspora depends on the definition: the study's ethnic counts, UN DESA's people "
            "born in the origin and citizens of the origin are different populations, shown side by side and "
            "never added together.",
            {"definitions": definition_table, "birthplace-summary": summary, "birthplace-destinations": destinations},
            [], _source_ids(definition_table, summary, destinations)))
    if "reference_population" in case.resource_names:
        cross = build_table(case, "cross-source")
        sections.append(Section(
            "cross-source", "Population totals against a reference source",
            "The case's population totals against the reference source for the same country and year; a "
            "difference above the stated tolerance is a warning of `diaspora check`.",
            {"cross-source": cross}, [], _source_ids(cross)))
    if case.has("population"):
        from diaspora_observatory.analysis.projections import projection_parameters

        projection = build_table(case, "projections")
        parameters = projection_parameters(case)
        forecast = build_table(case, "flow-forecast")
        sections.append(Section(
            "projections", "Projections",
            "The diaspora in each host under stated scenarios: low, central and high paths from the ends of the "
            "base count's range, with each scenario's parameters and assumptions; and the flows forecast by a "
            "random walk with drift fitted after each series' last significant change in level, with 95% "
            "prediction intervals that include the drift's uncertainty (docs/statistics.md).",
            {"projections": projection, "projection-parameters": parameters, "flow-forecast": forecast}, [],
            _source_ids(projection, parameters, forecast)))
    return sections
