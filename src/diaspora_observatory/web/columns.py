"""Human labels for the columns of the tables the pages show, translated per page language.

The machine names stay the output contract of the CSV and JSON files (and ``diaspora show``); a page
shows the label and keeps the machine name in the header's ``title`` and ``data-column``. A column not
listed here is shown under its machine name. ``tests/web/test_web_columns.py`` keeps this list complete
for every table a page of the built-in case shows.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape


def N_(message: str) -> str:
    """Mark ``message`` for translation (read by tools/web_messages.py); translated when a page is drawn."""
    return message


COLUMN_LABELS: dict[str, str] = {
    # places, years, sources
    "country": N_("Country"),
    "country_name": N_("Country name"),
    "partner": N_("Partner country"),
    "origin": N_("Country of origin"),
    "destination": N_("Destination country"),
    "destination_name": N_("Destination name"),
    "destinations": N_("Number of destinations"),
    "largest_destination": N_("Largest destination"),
    "largest_destination_stock": N_("Number in the largest destination"),
    "is_host": N_("Host country"),
    "city": N_("City"),
    "year": N_("Year"),
    "year_from": N_("Start year"),
    "year_to": N_("End year"),
    "first_year": N_("First year"),
    "last_year": N_("Final year"),
    "base_year": N_("Base year"),
    "source": N_("Source"),
    "source_id": N_("Source ID"),
    "source_ids": N_("Source IDs"),
    "base_source_id": N_("Source of the base"),
    "case_source_id": N_("Source in the case"),
    "reference_source_id": N_("Reference source"),
    "kandas_source_id": N_("Source (repatriates)"),
    "emigrants_source_id": N_("Source (emigrants)"),
    # population and shares
    "total_population": N_("Total population"),
    "titular_population": N_("Population of the titular nation"),
    "other_population": N_("Population of the other groups"),
    "diaspora_population": N_("Diaspora members"),
    "diaspora_share_of_total_pct": N_("Share of the population, %"),
    "diaspora_share_of_others_pct": N_("Share of the other groups, %"),
    "share_of_regional_diaspora_pct": N_("Share of the diaspora in the hosts, %"),
    "share_of_world_diaspora_low_pct": N_("Share of the world diaspora, low estimate, %"),
    "share_of_world_diaspora_high_pct": N_("Share of the world diaspora, high estimate, %"),
    "population": N_("Population group"),
    "share_pct": N_("Share, %"),
    # definitions and migrant stocks
    "definition": N_("Definition"),
    "label": N_("Label"),
    "explanation": N_("Explanation"),
    "count": N_("Count"),
    "stock": N_("Migrant stock"),
    "stock_start": N_("Stock at the start"),
    "stock_end": N_("Stock at the end"),
    "rank": N_("Rank"),
    "share_of_world_pct": N_("Share of the world total, %"),
    "cumulative_share_pct": N_("Cumulative share, %"),
    "world_total": N_("World total"),
    "in_hosts": N_("In the host countries"),
    "in_hosts_share_pct": N_("Share in the host countries, %"),
    "coverage": N_("Coverage"),
    "edition": N_("Edition"),
    "held_in": N_("Held in"),
    "citizen_destinations": N_("Destinations counting citizens"),
    "case_value": N_("Value in the case"),
    "reference_value": N_("Reference value"),
    "difference": N_("Difference"),
    "direction": N_("Direction"),
    "origin_count": N_("As the origin counts it"),
    "partner_count": N_("As the partner counts it"),
    "partner_source_id": N_("Partner's source"),
    "difference_pct": N_("Difference, %"),
    "tolerance_pct": N_("Tolerance, %"),
    "within_tolerance": N_("Within tolerance"),
    "inflow": N_("Inflow"),
    "returns": N_("Returns"),
    "deaths": N_("Deaths"),
    "flagged": N_("Flagged"),
    # flows
    "immigration": N_("Immigration"),
    "emigration": N_("Emigration"),
    "net": N_("Net"),
    "flow": N_("Flow"),
    "immigration_total": N_("Immigration, total"),
    "emigration_total": N_("Emigration, total"),
    "net_total": N_("Net, total"),
    "immigration_peak": N_("Immigration peak"),
    "immigration_peak_year": N_("Year of the immigration peak"),
    "emigration_peak": N_("Emigration peak"),
    "emigration_peak_year": N_("Year of the emigration peak"),
    "emigration_trend": N_("Emigration trend"),
    "emigration_trend_p_value": N_("Emigration trend, p-value"),
    "net_trend": N_("Net: trend"),
    "net_trend_p_value": N_("Net: trend, p-value"),
    "net_kendall_tau": N_("Net: Kendall's tau"),
    "net_theil_sen_slope": N_("Net: Theil-Sen slope"),
    "net_slope_low": N_("Net: slope, lower bound"),
    "net_slope_high": N_("Net: slope, upper bound"),
    "immigration_change": N_("Change in the level of immigration"),
    "immigration_change_year": N_("Most likely first year of a new immigration level"),
    "immigration_change_p_value": N_("Change in immigration, p-value"),
    "emigration_change": N_("Change in the level of emigration"),
    "emigration_change_year": N_("Most likely first year of a new emigration level"),
    "emigration_change_p_value": N_("Change in emigration, p-value"),
    "emigration_recent_first_year": N_("Emigration: first year after the last change"),
    "emigration_recent_trend": N_("Emigration trend since the last change"),
    "emigration_recent_trend_p_value": N_("Emigration trend since the last change, p-value"),
    "significance_level": N_("Significance level"),
    "years_net_positive": N_("Years with positive net"),
    "period": N_("Period"),
    "period_id": N_("Period ID"),
    "concept_character": N_("Character in the policy concept"),
    "years_in_period": N_("Years in the period"),
    "years_covered": N_("Years with data"),
    # estimates, projections, forecasts
    "estimate_id": N_("Estimate ID"),
    "estimate_kind": N_("Kind of estimate"),
    "scope": N_("Territorial scope"),
    "qualifier": N_("Precision"),
    "low": N_("Low"),
    "central": N_("Central"),
    "high": N_("High"),
    "scenario": N_("Scenario"),
    "base_population": N_("Base population"),
    "base_low": N_("Base population, low end"),
    "base_high": N_("Base population, high end"),
    "natural_change_low": N_("Natural change, low, % a year"),
    "natural_change_high": N_("Natural change, high, % a year"),
    "repatriation_low": N_("Repatriation, low, % a year"),
    "repatriation_high": N_("Repatriation, high, % a year"),
    "emigration_low": N_("Emigration into the diaspora, low, persons a year"),
    "emigration_high": N_("Emigration into the diaspora, high, persons a year"),
    "interval": N_("Interval"),
    "fit_first_year": N_("Drift estimated from"),
    "fit_last_year": N_("Drift estimated to"),
    "drift": N_("Drift, persons a year"),
    "assumptions": N_("Assumptions"),
    "forecast": N_("Forecast"),
    "lower": N_("Lower bound of the interval"),
    "upper": N_("Upper bound of the interval"),
    "level": N_("Level of the interval"),
    "method": N_("Method"),
    # repatriation, education, survey
    "dimension": N_("Dimension"),
    "category": N_("Category"),
    "education": N_("Education"),
    "kandas_share_pct": N_("Repatriates (kandas), %"),
    "emigrants_share_pct": N_("Emigrants, %"),
    "item_id": N_("Item ID"),
    "statistic": N_("Statistic"),
    "n": N_("Respondents (n)"),
    # institutions
    "name": N_("Name"),
    "kind": N_("Kind"),
    "association_count": N_("Associations"),
    "bilingual_school_count": N_("Bilingual schools"),
    "kazakh_school_count": N_("Kazakh-language schools"),
    "cultural_centre_count": N_("Cultural centres"),
    "cultural_programme_count": N_("Cultural programmes"),
    "university_branch_count": N_("University branches"),
    "university_program_count": N_("University programmes"),
    "kazakh_language_schooling": N_("Schooling in Kazakh"),
    "lower_bound_counts": N_("Counts that are lower bounds"),
    "support_schooling": N_("Schooling"),
    "support_higher_education": N_("Higher education"),
    "support_culture": N_("Culture"),
    "support_organisation": N_("Organisation"),
    "supports_present": N_("Supports present"),
    "supports_absent": N_("Supports absent"),
    "supports_not_reported": N_("Supports not reported"),
    "supports_reported": N_("Supports reported (present or absent)"),
    "unknown_counts": N_("Counts not reported"),
    # documents and sources
    "document_id": N_("Document ID"),
    "issuer": N_("Issued by"),
    "language": N_("Language"),
    "theme": N_("Theme"),
    "present": N_("Present"),
    "title": N_("Title"),
    "author": N_("Author"),
    "publisher": N_("Publisher"),
    "url": N_("Web address"),
    # claims and validation
    "id": N_("ID"),
    "section": N_("Section"),
    "statement": N_("Statement"),
    "reported": N_("Reported"),
    "computed": N_("Computed"),
    "comparator": N_("Comparison"),
    "tolerance": N_("Tolerance"),
    "tolerance_basis": N_("Why this tolerance"),
    "data_scope": N_("What the data cover"),
    "reason": N_("Why unverifiable"),
    "status": N_("Status"),
    "severity": N_("Severity"),
    "check": N_("Check"),
    "resource": N_("Resource"),
    "row": N_("Row"),
    "field": N_("Field"),
    "message": N_("Message"),
    "path": N_("File"),
    # key figures and the map
    "figure": N_("Figure"),
    "value": N_("Value"),
    "unit": N_("Unit"),
    "detail": N_("Detail"),
    "role": N_("Role"),
    "note": N_("Note"),
    # provenance of values
    "provenance": N_("Kind of value"),
    "formula": N_("Computed as"),
}


def column_label(column: str, translate: Callable[[str], str]) -> str:
    """The reader's label for ``column``; the machine name itself when the column is not listed."""
    label = COLUMN_LABELS.get(str(column))
    return translate(label) if label else str(column)


def column_header(column: str, translate: Callable[[str], str]) -> Markup:
    """A ``<th>`` showing the label, with the machine name (as in the CSV) in ``title`` and ``data-column``."""
    name = escape(str(column))
    return Markup(f'<th scope="col" data-column="{name}" title="{name}">{escape(column_label(column, translate))}</th>')


# The columns each table shows first, by block id: the ones that answer the page's question (trend,
# significance and change year of the flows; status, both figures and the note of a claim), with the
# columns that name the row. The rest stays one click away in a <details> holding the whole table, and
# every column stays in the CSV and JSON downloads. A block not listed shows its table whole.
LEAD_COLUMNS: dict[str, list[str]] = {
    "demography": ["country", "year", "diaspora_population", "diaspora_share_of_total_pct",
                   "diaspora_share_of_others_pct", "share_of_world_diaspora_low_pct",
                   "share_of_world_diaspora_high_pct"],
    "flows": ["partner", "year", "emigration", "immigration", "net"],
    "flow-summary": ["partner", "net_total", "net_trend", "net_trend_p_value", "net_theil_sen_slope",
                     "immigration_change_year", "emigration_change_year", "emigration_recent_trend"],
    "periods": ["period", "partner", "emigration", "immigration", "net", "years_covered"],
    "definitions": ["country", "definition", "count", "year", "source_id"],
    "birthplace-destinations": ["rank", "destination", "stock", "share_of_world_pct", "cumulative_share_pct",
                                "is_host"],
    "birthplace-over-time": ["edition", "year", "world_total", "destinations", "citizen_destinations"],
    "hosts-over-time": ["country", "year", "count", "definition", "edition", "source_id"],
    "cross-source": ["country", "year", "case_value", "reference_value", "difference_pct", "within_tolerance"],
    "projections": ["country", "scenario", "year", "low", "central", "high"],
    "projection-parameters": ["country", "scenario", "base_year", "base_population", "natural_change_low",
                              "natural_change_high", "repatriation_low", "repatriation_high"],
    "flow-forecast": ["partner", "flow", "year", "forecast", "lower", "upper"],
    "mirror-flows": ["partner", "year", "direction", "origin_count", "partner_count", "difference", "difference_pct"],
    "repatriation": ["year", "population", "dimension", "category", "value", "unit", "share_pct"],
    "institutions": ["country", "support_schooling", "support_higher_education", "support_culture",
                     "support_organisation", "supports_present", "kazakh_language_schooling"],
    "institutions-list": ["country", "kind", "name", "count", "year", "city"],
    "estimates": ["country", "year_from", "year_to", "low", "high", "qualifier"],
    "survey": ["label", "statistic", "category", "value", "n", "status"],
    "claims": ["statement", "status", "reported", "computed", "note", "reason"],
    "issues": ["severity", "message", "resource", "row", "field"],
}


def lead_columns(block_id: str, columns: list[str]) -> list[str]:
    """The columns of ``columns`` a table shows first (in the listed order); all of them when the block
    lists none or its table has no other column."""
    wanted = LEAD_COLUMNS.get(block_id)
    if not wanted:
        return list(columns)
    present = set(columns)
    return [column for column in wanted if column in present] or list(columns)
