"""The observatory's overview: key figures with their sources, the map's values, and one host's profile.

Pure functions over the other analysis modules; the web app only formats what they return.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import SupportsFloat, cast

import pandas as pd

from diaspora_observatory.analysis import demography, flows, institutions, precision
from diaspora_observatory.analysis.provenance import INFERRED, kinds_column, with_provenance
from diaspora_observatory.case.package import Case
from diaspora_observatory.errors import UnknownCountry

KEY_FIGURE_COLUMNS = ["figure", "value", "low", "high", "unit", "detail", "provenance", "formula", "source_ids",
                      "note", "significant_digits"]
MAP_COLUMNS = ["country", "role", "diaspora_population", "diaspora_share_of_total_pct", "source_ids",
               "significant_digits"]


def _joined(values: Iterable[object]) -> str:
    found: set[str] = set()
    for value in values:
        if isinstance(value, str) and value:
            found.update(value.split(";"))
    return ";".join(sorted(found))


def _figure(figure: str, value: float | None, unit: str, provenance: str, source_ids: str, *,
            low: float | None = None, high: float | None = None, detail: str = "", formula: str = "",
            note: str = "", digits: int | None = None) -> dict:
    """One key figure; ``digits`` are the significant digits its inputs justify (``analysis.precision``),
    for the value and both ends of a range, None where no input limits them."""
    point = value is not None
    return {"figure": figure, "value": value, "low": value if point else low, "high": value if point else high,
            "unit": unit, "detail": detail, "provenance": provenance, "formula": formula, "source_ids": source_ids,
            "note": note,
            # a count of persons keeps every digit down to its place (867,200 known to the thousands: 867,000)
            "significant_digits": precision.digits_text(dict.fromkeys(("value", "low", "high"), digits),
                                                        counts=("value", "low", "high") if unit == "persons" else ())}


def key_figures(case: Case) -> pd.DataFrame:
    """The study's headline numbers, one row each. Columns: ``KEY_FIGURE_COLUMNS``.

    ``figure`` is a stable key (the web app translates it). A range has ``low`` and ``high`` and no
    ``value``: its midpoint is nobody's figure, so it is not given. ``provenance`` is reported, derived
    (``formula`` says how; ``source_ids`` are those of its inputs) or inferred (``note`` says why).
    ``detail`` is a country code or a year span where the figure needs one, and never a year the source
    does not state.
    """
    rows: list[dict] = []
    table = demography.demography(case)
    summary = demography.regional_summary(case)
    population = case.table("population")
    diaspora_sources = _joined(population[population["country"].isin(case.hosts)
                                          & (population["group"] == "diaspora")]["source_id"])
    hosts = len(table)
    total = float(summary["regional_diaspora_total"])
    rows.append(_figure("regional_diaspora_total", total, "persons", "derived", diaspora_sources,
                        formula=f"sum of the diaspora counts of the {hosts} hosts",
                        digits=summary.get("regional_diaspora_total_digits")))
    largest = summary["largest_host"]
    largest_sources = _joined(population[(population["country"] == largest)
                                         & (population["group"] == "diaspora")]["source_id"])
    rows.append(_figure("largest_host_share", float(summary["largest_host_share_pct"]), "percent", "derived",
                        _joined([diaspora_sources, largest_sources]), detail=largest,
                        formula="100 × the largest host's diaspora count / the sum over the hosts",
                        digits=summary.get("largest_host_share_digits")))
    if "world_estimate_low" in summary:
        estimates = case.table("diaspora_estimates")
        world_id = case.diaspora.get("world_estimate")
        world_source = _joined(estimates[estimates["estimate_id"] == world_id]["source_id"])
        low, high = summary["world_estimate_low"], summary["world_estimate_high"]
        rows.append(_figure("world_diaspora_estimate", low if low == high else None, "persons", "reported",
                            world_source, low=low, high=high))
        low, high = summary["share_of_world_diaspora_low_pct"], summary["share_of_world_diaspora_high_pct"]
        rows.append(_figure("share_of_world_diaspora", low if low == high else None, "percent", "derived",
                            _joined([diaspora_sources, world_source]), low=low, high=high,
                            formula="100 × the sum over the hosts / the high and the low world estimate",
                            digits=summary.get("share_of_world_diaspora_digits")))
    if case.has("flows"):
        yearly = flows.flows(case)
        net = float(yearly["net"].sum())
        partners, years = yearly["partner"].nunique(), yearly["year"].nunique()
        rows.append(_figure("net_migration_total", net, "persons", "derived", _joined(yearly["source_id"]),
                            detail=f"{int(yearly['year'].min())}–{int(yearly['year'].max())}",
                            formula=f"sum of immigration − emigration over {partners} partners × {years} years "
                                    f"({len(yearly)} partner-years)"))
    if case.has("repatriation"):
        rows.extend(_repatriation_figures(case))
    return pd.DataFrame(rows, columns=KEY_FIGURE_COLUMNS)


def _repatriation_figures(case: Case) -> list[dict]:
    """The latest count of repatriates whose year the source states, and any count whose year it does not
    (shown without a year, flagged as inferred), so no reader sees a trend between two such figures."""
    repatriation = case.table("repatriation")
    counted = repatriation[(repatriation["dimension"] == "total") & (repatriation["unit"] == "persons")]
    counted = counted.assign(kind=kinds_column(counted)).sort_values("year")
    rows = []
    dated = counted[counted["kind"] != INFERRED]
    if not dated.empty:
        latest = dated.iloc[-1]
        rows.append(_figure("repatriates", float(latest["value"]), "persons", str(latest["kind"]),
                            str(latest["source_id"]), detail=str(int(latest["year"]))))
    for row in counted[counted["kind"] == INFERRED].itertuples():
        figure = "kandas_status" if row.population == "kandas" else f"{row.population}_undated"
        rows.append(_figure(figure, float(cast(SupportsFloat, row.value)), "persons", INFERRED, str(row.source_id),
                            note="The study gives no year or period for this count; none is shown."))
    return rows


def map_values(case: Case) -> pd.DataFrame:
    """What the map shades: each host's diaspora share of its population; the origin is marked, unshaded.

    Columns: ``MAP_COLUMNS``; ``role`` is ``host`` or ``origin``.
    """
    table = demography.demography(case)
    # pandas types a row's fields as any scalar; these two are numbers (demography's columns).
    rows = [{"country": row.country, "role": "host",
             "diaspora_population": float(cast(SupportsFloat, row.diaspora_population)),
             "diaspora_share_of_total_pct": float(cast(SupportsFloat, row.diaspora_share_of_total_pct)),
             "source_ids": row.source_ids, "significant_digits": row.significant_digits}
            for row in table.itertuples()]
    rows.append({"country": case.origin, "role": "origin", "diaspora_population": None,
                 "diaspora_share_of_total_pct": None, "source_ids": "", "significant_digits": ""})
    return pd.DataFrame(rows, columns=MAP_COLUMNS)


def country_profile(case: Case, country: str) -> dict[str, pd.DataFrame]:
    """Everything the case says about one host country, as named tables (empty when the data lacks it).

    Raises UnknownCountry when ``country`` is not one of the case's hosts.
    """
    if country not in case.hosts:
        raise UnknownCountry(f"{country!r} is not a host country of case {case.name!r}",
                             f"choose one of {', '.join(case.hosts)}")
    profile: dict[str, pd.DataFrame] = {}
    wide = demography.population_wide(case)
    profile["population"] = wide[wide["country"] == country].reset_index(drop=True)
    shares = demography.demography(case)
    profile["shares"] = shares[shares["country"] == country].reset_index(drop=True)
    if case.has("flows"):
        yearly = with_provenance("flows", flows.flows(case))
        profile["flows"] = yearly[yearly["partner"] == country].reset_index(drop=True)
        summary = with_provenance("flow-summary", flows.flow_summary(case))
        profile["flow-summary"] = summary[summary["partner"] == country].reset_index(drop=True)
        if case.has("periods"):
            periods = with_provenance("periods", flows.period_totals(case))
            profile["periods"] = periods[periods["partner"] == country].reset_index(drop=True)
    if case.has("diaspora_estimates"):
        history = demography.size_history(case)
        profile["estimates"] = history[history["country"] == country].reset_index(drop=True)
    if case.has("institutions"):
        listed = case.table("institutions")
        profile["institutions"] = listed[listed["country"] == country].reset_index(drop=True)
        supports = institutions.institution_profile(case)
        profile["institution-profile"] = supports[supports["country"] == country].reset_index(drop=True)
    return profile
