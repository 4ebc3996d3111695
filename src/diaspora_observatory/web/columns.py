"""Column headers of the pages' tables and the columns each table shows first.

The titles themselves are the presentation layer's (``presentation/columns.py``), shared with the report;
a page shows the title and keeps the machine name (as in the CSV and JSON files) in the header's ``title``
and ``data-column``.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from diaspora_observatory.presentation.columns import column_label


def column_header(column: str, translate: Callable[[str], str], scope: str = "col") -> Markup:
    """A ``<th>`` showing the label, with the machine name (as in the CSV) in ``title`` and ``data-column``;
    ``scope="row"`` heads a row of a table shown as a record (``HOST_RECORDS``)."""
    name = escape(str(column))
    return Markup(f'<th scope="{scope}" data-column="{name}" title="{name}">'
                  f'{escape(column_label(column, translate))}</th>')


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
    # a count's qualifier ("more than") beside it: "20" alone would read as exactly twenty
    "institutions-list": ["country", "kind", "name", "count", "qualifier", "year", "city"],
    "estimates": ["country", "year_from", "year_to", "low", "high", "qualifier"],
    "survey": ["label", "statistic", "category", "value", "n", "status"],
    "claims": ["statement", "status", "reported", "computed", "note", "reason"],
    "issues": ["severity", "message", "resource", "row", "field"],
    # A country page's tables (web.pages.PageBuilder.country; "country/<block>" where the same block id on
    # another page holds more countries): the page is the host's, so no country or partner column. Where a
    # source's counts stand beside values computed here, the kind of each value (provenance) leads with them.
    "population": ["year", "total_population", "titular_population", "diaspora_population", "other_population",
                   "provenance"],
    "shares": ["year", "diaspora_population", "diaspora_share_of_total_pct", "diaspora_share_of_others_pct",
               "share_of_regional_diaspora_pct", "share_of_world_diaspora_low_pct",
               "share_of_world_diaspora_high_pct", "provenance"],
    "country/flows": ["year", "emigration", "immigration", "net"],
    "country/flow-summary": ["net_total", "net_trend", "net_trend_p_value", "net_theil_sen_slope",
                             "immigration_change_year", "emigration_change_year", "emigration_recent_trend"],
    "country/periods": ["period", "emigration", "immigration", "net", "years_covered"],
    # the qualifier before the range it qualifies: "about 70,000", "more than 2,000"
    "country/estimates": ["year_from", "year_to", "qualifier", "low", "high"],
    "country/institutions": ["kind", "count", "qualifier", "name", "year"],
    "institution-profile": ["support_schooling", "support_higher_education", "support_culture",
                            "support_organisation", "supports_present", "kazakh_language_schooling"],
    # /repatriation: each education level with both shares; their sources and kinds in the whole table
    "education": ["education", "kandas_share_pct", "emigrants_share_pct"],
    # /documents: what each document is (the id is how the themes table names it); which theme it covers or
    # misses, and the study's note on it
    "documents": ["title", "kind", "year", "issuer", "document_id"],
    "document-themes": ["document_id", "theme", "present", "note"],
}

# A country page's tables of one row per host (web.pages.Block.record): the host's row shown as label and
# value, one column under the other, so that every figure of it, with its kind and source, is on screen.
HOST_RECORDS = frozenset({"population", "shares", "flow-summary", "institution-profile"})


def lead_columns(block_id: str, columns: list[str]) -> list[str]:
    """The columns of ``columns`` a table shows first (in the listed order); all of them when the block
    lists none or its table has no other column."""
    wanted = LEAD_COLUMNS.get(block_id)
    if not wanted:
        return list(columns)
    present = set(columns)
    return [column for column in wanted if column in present] or list(columns)


# Tables whose leading columns read as one card per row on a narrow screen (static/style.css): their leading
# columns hold sentences (a claim's statement and its note) or more results per row than a 360 px screen has room
# for side by side, so as columns the key ones would sit off-screen. Each cell then carries its column's title for
# the card. Measured at 360 px, every table shown first on /flows, /definitions, /projections, /repatriation,
# /institutions, the overview and /claims was wider than its box (the yearly flows 447 px in a 334 px box, the
# projection parameters 728 px), and so were /documents' two tables (392 and 360 px in English, the themes 445 px
# in Russian), a country's size estimates in Russian (368 px) and the key figures' table (1,815 px), so they all
# read as cards there; on a wide screen each stays a table. The whole table behind a "Show every column" toggle
# reads as cards on a phone whatever its block (templates/_table_body.html): at 360 px every one of them was wider
# than its box.
CARD_BLOCKS = frozenset({"claims", "flow-summary", "demography", "cross-source", "survey",
                         "flows", "periods", "mirror-flows", "projection-parameters", "flow-forecast",
                         "education", "repatriation", "institutions", "institutions-list", "schooling-list",
                         "definitions", "birthplace-summary", "birthplace-destinations", "birthplace-over-time",
                         "hosts-over-time", "map", "issues", "documents", "document-themes", "estimates",
                         "key-figures"})

# A table read as cards with at least this many columns reads as cards on a wide screen too, the cards side by
# side. Measured at 1280 px (a 1,182 px box) in English, Russian and Kazakh, every whole table of 12 columns or
# fewer fitted its box, and one of 13 to 15 columns fitted in one language and not another (the hosts' shares,
# 13 columns, 1,241 px in Russian; the projections, 15 columns, 1,425 px in Russian); those of 16 to 31 columns
# never fitted (the flows' trend tests 2,522 px in English, 2,876 px in Kazakh).
WIDE_COLUMNS = 13


def card_cell(cell: Markup, label: str) -> Markup:
    """``cell`` (a ``<td …>``) with ``data-label="label"``, the title its card shows before the value; a row's
    header cell (``<th>``) unchanged."""
    if not cell.startswith("<td"):
        return cell
    return Markup(f'<td data-label="{escape(label)}"{cell[3:]}')
