"""What a column holds, so that its numbers are written for what they are.

A kind is decided from the column's name, by the conventions the analysis tables already follow
(``*_pct`` is a percentage, ``*_year`` a year, ``*p_value`` a p-value, ``*_count`` a count…), with a few
names listed where the convention says nothing (``emigration``, ``low``, ``forecast``). A column that
holds values of several units (``value``, ``reported``, ``computed`` next to a ``unit`` column, as in the
key figures, the claims and the repatriation profile) takes its kind from the row's unit.
"""

from __future__ import annotations

from collections.abc import Mapping

PEOPLE = "people"      # a number of persons: whole numbers
COUNT = "count"        # a count of things (institutions, years, respondents, rows): whole numbers
PERCENT = "percent"    # a share in percent (12.5 means 12.5%): the digits its inputs justify, at most three
P_VALUE = "p_value"    # a test's p-value: three decimals, "< 0.001" below that
YEAR = "year"          # a calendar year: never grouped
RATE = "rate"          # a change per year (a slope, a drift): three significant digits
LEVEL = "level"        # a probability such as an interval's level (0.95): a whole percentage
PLAIN = "plain"        # any other measure (a statistic, a mean): three significant digits
KINDS = (PEOPLE, COUNT, PERCENT, P_VALUE, YEAR, RATE, LEVEL, PLAIN)

# Names the conventions below do not cover.
NAMED_KINDS: dict[str, str] = {
    **dict.fromkeys(["population", "emigration", "immigration", "net", "stock", "stock_start", "stock_end",
                     "inflow", "returns", "deaths", "world_total", "in_hosts", "largest_destination_stock",
                     "case_value", "reference_value", "difference", "low", "central", "high", "forecast",
                     "lower", "upper", "base_population", "base_low", "base_high", "emigration_low",
                     "emigration_high"], PEOPLE),
    **dict.fromkeys(["count", "n", "rank", "row", "destinations", "supports_present", "segment_years"], COUNT),
    **dict.fromkeys(["net_theil_sen_slope", "net_slope_low", "net_slope_high", "drift", "drift_low",
                     "drift_high"], RATE),
    **dict.fromkeys(["natural_change_low", "natural_change_high", "repatriation_low", "repatriation_high"],
                    PERCENT),
    "level": LEVEL,
    "significance_level": LEVEL,
    "tolerance": PLAIN,
}
# What a row's ``unit`` says about the number next to it.
UNIT_KINDS: dict[str, str] = {
    "persons": PEOPLE, "people": PEOPLE, "person": PEOPLE,
    "percent": PERCENT, "percentage points": PERCENT, "share_pct": PERCENT,
    "year": YEAR, "years": YEAR,
    "count": COUNT, "rank": COUNT, "partner-years": COUNT, "institutions": COUNT,
}
# Columns whose kind is the row's unit.
UNIT_COLUMNS = frozenset({"value", "reported", "computed", "low", "high", "difference"})


def column_kind(column: str, row: Mapping[str, object] | None = None) -> str:
    """The kind of the numbers in ``column`` (one of ``KINDS``); ``row`` gives a ``unit`` where there is one.

    >>> column_kind("diaspora_share_of_total_pct"), column_kind("immigration_peak_year"), column_kind("net")
    ('percent', 'year', 'people')
    >>> column_kind("value", {"unit": "persons"})
    'people'
    """
    name = str(column)
    if row is not None and name in UNIT_COLUMNS:
        unit = row.get("unit")
        if isinstance(unit, str) and unit in UNIT_KINDS:
            return UNIT_KINDS[unit]
        if row.get("statistic") == "percent":  # the survey's published aggregates
            return PERCENT
    if name in NAMED_KINDS:
        return NAMED_KINDS[name]
    if name.endswith("p_value"):
        return P_VALUE
    if name.endswith("_pct"):
        return PERCENT
    if name == "year" or name.endswith("_year") or name.startswith("year_"):
        return YEAR
    if name.endswith(("_population", "_total", "_peak")):
        return PEOPLE
    if name.endswith("_count") or name.startswith("years_"):
        return COUNT
    return PLAIN
