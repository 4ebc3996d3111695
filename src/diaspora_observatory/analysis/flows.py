"""Migration flows (Table 2): net flows, totals per partner and period, peaks, trends, change points."""

from __future__ import annotations

from typing import Any, SupportsInt, cast

import pandas as pd

from diaspora_observatory.analysis import precision
from diaspora_observatory.analysis.trend import SIGNIFICANCE_LEVEL, mann_kendall, pettitt, segments, theil_sen
from diaspora_observatory.case.package import Case

FLOW_COLUMNS = ["partner", "year", "emigration", "immigration", "net", "source_id"]
ALL_PARTNERS = "ALL"
LEVEL_SHIFT = "level shift"
NO_CHANGE = "no significant change"


def flows(case: Case) -> pd.DataFrame:
    """Yearly flows per partner; ``net`` is immigration minus emigration, seen from the origin."""
    return case.memo(("flows",), lambda: _flows(case))


def _flows(case: Case) -> pd.DataFrame:
    table = case.table("flows").copy()
    table["net"] = table["immigration"] - table["emigration"]
    return table.sort_values(["partner", "year"]).reset_index(drop=True)[FLOW_COLUMNS]


def total_flows(case: Case) -> pd.DataFrame:
    """Yearly flows summed over all partners (``partner`` = ``ALL``)."""
    return case.memo(("total_flows",), lambda: _total_flows(case))


def _total_flows(case: Case) -> pd.DataFrame:
    all_flows = flows(case)
    table = all_flows.groupby("year", as_index=False)[["emigration", "immigration", "net"]].sum()
    table.insert(0, "partner", ALL_PARTNERS)
    table["source_id"] = all_flows.groupby("year")["source_id"].agg(lambda s: ";".join(sorted(set(s.dropna())))).values
    return table


def _change(verdict_p: float) -> str:
    return LEVEL_SHIFT if verdict_p < SIGNIFICANCE_LEVEL else NO_CHANGE


# Mann-Kendall's and Pettitt's tests need three values at least (analysis/trend.py); a shorter series
# is summarised (totals, peaks) with its tests marked TOO_SHORT and left empty, never a traceback.
MIN_TEST_YEARS = 3
TOO_SHORT = "too short"
TEST_COLUMNS = ("net_trend_p_value", "net_kendall_tau", "net_theil_sen_slope", "net_slope_low", "net_slope_high",
                "emigration_trend_p_value", "immigration_change_year", "immigration_change_p_value",
                "emigration_change_year", "emigration_change_p_value", "emigration_recent_first_year",
                "emigration_recent_trend_p_value")


def _totals(partner: str, table: pd.DataFrame) -> dict:
    years = table["year"].tolist()
    # By position (the first peak, as idxmax), which the rows' own index need not be.
    peak_in = table.iloc[int(table["immigration"].argmax())]
    peak_out = table.iloc[int(table["emigration"].argmax())]
    return {
        "partner": partner,
        "first_year": min(years), "last_year": max(years),
        "emigration_total": int(table["emigration"].sum()),
        "immigration_total": int(table["immigration"].sum()),
        "net_total": int(table["net"].sum()),
        "immigration_peak_year": int(peak_in["year"]), "immigration_peak": int(peak_in["immigration"]),
        "emigration_peak_year": int(peak_out["year"]), "emigration_peak": int(peak_out["emigration"]),
        "years_net_positive": int((table["net"] > 0).sum()),
    }


def _series_summary(partner: str, table: pd.DataFrame) -> dict:
    years = table["year"].tolist()
    source_ids = ";".join(sorted(set(table["source_id"].dropna()))) if "source_id" in table else ""
    if len(years) < MIN_TEST_YEARS:
        return {**_totals(partner, table), **dict.fromkeys(TEST_COLUMNS),
                "net_trend": TOO_SHORT, "emigration_trend": TOO_SHORT, "immigration_change": TOO_SHORT,
                "emigration_change": TOO_SHORT, "emigration_recent_trend": TOO_SHORT,
                "significance_level": SIGNIFICANCE_LEVEL, "source_ids": source_ids}
    trend = mann_kendall(table["net"].tolist())
    emigration_trend = mann_kendall(table["emigration"].tolist())
    slope = theil_sen(years, table["net"].tolist())
    change = pettitt(table["immigration"].tolist())
    emigration_change = pettitt(table["emigration"].tolist())
    # The emigration trend on the stretch after its last significant change point: a decline over the
    # whole series may be a fall in level followed by no trend at all.
    recent = segments(years, table["emigration"].tolist())[-1]
    return {
        **_totals(partner, table),
        "net_trend": trend.trend, "net_trend_p_value": trend.p_value, "net_kendall_tau": trend.tau,
        "net_theil_sen_slope": slope.slope, "net_slope_low": slope.low_slope, "net_slope_high": slope.high_slope,
        "emigration_trend": emigration_trend.trend, "emigration_trend_p_value": emigration_trend.p_value,
        "immigration_change": _change(change.p_value),
        "immigration_change_year": int(years[change.index + 1]), "immigration_change_p_value": change.p_value,
        "emigration_change": _change(emigration_change.p_value),
        "emigration_change_year": int(years[emigration_change.index + 1]),
        "emigration_change_p_value": emigration_change.p_value,
        "emigration_recent_first_year": recent.first_year, "emigration_recent_trend": recent.trend,
        "emigration_recent_trend_p_value": recent.p_value,
        "significance_level": SIGNIFICANCE_LEVEL,
        "source_ids": source_ids,
    }


def flow_summary(case: Case) -> pd.DataFrame:
    """One row per partner, and one for all partners together: totals, peaks, Mann-Kendall trend of the
    net flow and of emigration, Theil-Sen slope of the net flow (persons per year, 95% confidence
    interval), and Pettitt's change point of immigration and of emigration.

    ``*_change`` says whether the shift is significant at ``significance_level`` (``"level shift"``) or
    not (``"no significant change"``); ``*_change_year`` is the most likely first year of a new level
    either way, a finding only when the shift is significant. ``emigration_recent_*`` is the emigration
    trend from its last significant change point on (the whole series when there is none). A partner
    with fewer than ``MIN_TEST_YEARS`` years has its totals and peaks, and ``"too short"`` for its tests.

    >>> from diaspora_observatory import load_case
    >>> summary = flow_summary(load_case()).set_index("partner")
    >>> summary.loc["KGZ", ["first_year", "last_year", "net_total"]].tolist()
    [2000, 2023, 28333]
    """
    # Memoised: every country profile reads it, and a served case does not change.
    return case.memo(("flow_summary",), lambda: _flow_summary(case))


def _flow_summary(case: Case) -> pd.DataFrame:
    table = flows(case)
    if table.empty:  # a case made by `diaspora case new` has no flow data yet
        return pd.DataFrame()
    rows = [_series_summary(str(partner), group.reset_index(drop=True)) for partner, group in table.groupby("partner")]
    rows.append(_series_summary(ALL_PARTNERS, total_flows(case)))
    return pd.DataFrame(rows)


MIRROR_COLUMNS = ["partner", "year", "direction", "origin_count", "partner_count", "difference",
                  "difference_pct", "source_id", "partner_source_id", "significant_digits"]


def mirror_flows(case: Case) -> pd.DataFrame:
    """Mirror statistics: each flow between the origin and a partner as both countries count it.

    The origin's emigration to a partner is the partner's immigration from the origin, and the other way
    round (``direction`` names it by codes, ``KGZ → KAZ``, the same in every language); the case's
    ``flows`` hold the origin's counts, ``mirror_flows`` (``diaspora import generic
    --kind mirror_flows``) the partners' own. ``difference`` is the partner's count minus the origin's,
    ``difference_pct`` that difference in percent of the origin's count (empty when it is 0). Only the
    years both report are compared; rows of ``mirror_flows`` about a third country are not mirrors and
    are left out. ``significant_digits`` gives the difference the coarser last place of its two counts and
    its percentage the fewer digits of the difference and of the origin's count (``analysis.precision``;
    a resource's ``rounding`` declaration, else the counts' trailing zeros). Two counts rarely agree:
    countries register a move at different times, by different rules of residence and duration (M. Poulain,
    "Confrontation des statistiques de migrations intra-européennes : vers plus d'harmonisation ?",
    European Journal of Population, 1993, on comparing the double count of every international move).
    """
    if not (case.has("mirror_flows") and case.has("flows")):
        return pd.DataFrame(columns=MIRROR_COLUMNS)
    own = case.table("flows")
    mirror = case.table("mirror_flows")
    mirror = mirror[mirror["partner"] == case.origin].rename(columns={"reporter": "partner_country"})
    joined = own.merge(mirror, left_on=["partner", "year"], right_on=["partner_country", "year"],
                       suffixes=("_origin", "_mirror"))
    rows = []
    own_places = {name: precision.declared_place(case.descriptor, "flows", name)
                  for name in ("emigration", "immigration")}
    mirror_places = {name: precision.declared_place(case.descriptor, "mirror_flows", name)
                     for name in ("emigration", "immigration")}
    row: Any  # a row of the joined table: counts are integers by both resources' schemas
    for row in joined.itertuples(index=False):
        for direction, origin_count, partner_count, origin_field, partner_field in (
                (f"{case.origin} → {row.partner_origin}", row.emigration_origin, row.immigration_mirror,
                 "emigration", "immigration"),
                (f"{row.partner_origin} → {case.origin}", row.immigration_origin, row.emigration_mirror,
                 "immigration", "emigration")):
            difference = int(partner_count) - int(origin_count)
            origin_place = precision.stated_place(origin_count, own_places[origin_field])
            difference_digits = precision.count_digits(
                difference, [origin_place, precision.stated_place(partner_count, mirror_places[partner_field])])
            pct_digits = (precision.quotient_digits(difference_digits or 1,
                                                    precision.digits_at(origin_count, origin_place))
                          if origin_count else None)
            rows.append({"partner": row.partner_origin, "year": int(row.year), "direction": direction,
                         "origin_count": int(origin_count), "partner_count": int(partner_count),
                         "difference": difference,
                         "difference_pct": 100 * difference / origin_count if origin_count else None,
                         "source_id": row.source_id_origin, "partner_source_id": row.source_id_mirror,
                         "significant_digits": precision.digits_text(
                             {"difference": difference_digits, "difference_pct": pct_digits}, counts=["difference"])})
    table = pd.DataFrame(rows, columns=MIRROR_COLUMNS)
    return table.sort_values(["partner", "direction", "year"]).reset_index(drop=True)


def mirror_left_out(case: Case) -> dict[str, list[str]]:
    """The rows of ``mirror_flows`` that ``mirror_flows()`` leaves out, by reason, each named by its
    reporter, partner and year: a partner other than the origin (a third country: no mirror of the
    origin's flows), or a reporter and year the origin's ``flows`` do not have (nothing to compare with).
    """
    if not case.has("mirror_flows"):
        return {}
    mirror = case.table("mirror_flows")
    own = case.table("flows") if case.has("flows") else pd.DataFrame(columns=["partner", "year"])
    counted = set(zip(own["partner"], own["year"].astype(int)))
    third = mirror[mirror["partner"] != case.origin]
    about_origin = mirror[mirror["partner"] == case.origin]
    unmatched = about_origin[[(r, int(y)) not in counted for r, y in zip(about_origin["reporter"],
                                                                         about_origin["year"])]]
    reasons = {f"the partner is a third country, not {case.origin} (the case's origin)": third,
               "the case's flows have no count for that partner and year": unmatched}
    return {reason: [f"{reporter} → {partner} {year}" for reporter, partner, year in
                     zip(rows["reporter"], rows["partner"], rows["year"].astype(int))]
            for reason, rows in reasons.items() if not rows.empty}


def period_totals(case: Case) -> pd.DataFrame:
    """Flows per partner summed over the periods of the case (the migration policy concept's three),
    with how many of each period's years the flow data covers."""
    return case.memo(("period_totals",), lambda: _period_totals(case))  # the report and three claims


def _period_totals(case: Case) -> pd.DataFrame:
    periods = case.table("periods")
    table = pd.concat([flows(case), total_flows(case)], ignore_index=True)
    rows = []
    for period in periods.itertuples():
        # pandas types a row's fields as any scalar; the schema makes these two whole years.
        start, end = int(cast(SupportsInt, period.start_year)), int(cast(SupportsInt, period.end_year))
        span = table[(table["year"] >= start) & (table["year"] <= end)]
        period_years = end - start + 1
        for partner, group in span.groupby("partner", sort=False):
            rows.append({
                "period_id": period.period_id, "period": f"{start}–{end}",
                "label": period.label, "partner": partner,
                "years_covered": int(group["year"].nunique()), "years_in_period": period_years,
                "emigration": int(group["emigration"].sum()), "immigration": int(group["immigration"].sum()),
                "net": int(group["net"].sum()), "concept_character": period.character,
                "source_id": period.source_id,
            })
    return pd.DataFrame(rows)
