"""The observatory's overview: key figures with their sources, the map's values, and one host's profile.

Pure functions over the other analysis modules; the web app only formats what they return.
"""

from __future__ import annotations

import pandas as pd

from diaspora_observatory.analysis import demography, flows, institutions
from diaspora_observatory.case.package import Case
from diaspora_observatory.errors import UnknownCountry

KEY_FIGURE_COLUMNS = ["figure", "value", "low", "high", "unit", "detail", "source_ids"]
MAP_COLUMNS = ["country", "role", "diaspora_population", "diaspora_share_of_total_pct", "source_ids"]


def _joined(values: object) -> str:
    found: set[str] = set()
    for value in values:  # type: ignore[attr-defined]
        if isinstance(value, str) and value:
            found.update(value.split(";"))
    return ";".join(sorted(found))


def key_figures(case: Case) -> pd.DataFrame:
    """The study's headline numbers, one row each. Columns: ``KEY_FIGURE_COLUMNS``.

    ``figure`` is a stable key (the web app translates it); ``low``/``high`` hold a range and equal
    ``value`` for a point; ``detail`` is a country code or a year span where the figure needs one.
    """
    rows: list[dict] = []
    table = demography.demography(case)
    summary = demography.regional_summary(case)
    population_sources = _joined(table["source_ids"])
    total = float(summary["regional_diaspora_total"])
    rows.append({"figure": "regional_diaspora_total", "value": total, "low": total, "high": total,
                 "unit": "persons", "detail": "", "source_ids": population_sources})
    share = float(summary["largest_host_share_pct"])
    rows.append({"figure": "largest_host_share", "value": share, "low": share, "high": share, "unit": "percent",
                 "detail": summary["largest_host"], "source_ids": population_sources})
    if "world_estimate_low" in summary:
        estimates = case.table("diaspora_estimates")
        world_id = case.diaspora.get("world_estimate")
        world_source = _joined(estimates[estimates["estimate_id"] == world_id]["source_id"])
        low, high = summary["world_estimate_low"], summary["world_estimate_high"]
        rows.append({"figure": "world_diaspora_estimate", "value": (low + high) / 2, "low": low, "high": high,
                     "unit": "persons", "detail": "", "source_ids": world_source})
        low, high = summary["share_of_world_diaspora_low_pct"], summary["share_of_world_diaspora_high_pct"]
        rows.append({"figure": "share_of_world_diaspora", "value": (low + high) / 2, "low": low, "high": high,
                     "unit": "percent", "detail": "", "source_ids": _joined([population_sources, world_source])})
    if case.has("flows"):
        yearly = flows.flows(case)
        net = float(yearly["net"].sum())
        rows.append({"figure": "net_migration_total", "value": net, "low": net, "high": net, "unit": "persons",
                     "detail": f"{int(yearly['year'].min())}–{int(yearly['year'].max())}",
                     "source_ids": _joined(yearly["source_id"])})
    if case.has("repatriation"):
        repatriation = case.table("repatriation")
        returned = repatriation[(repatriation["dimension"] == "total") & (repatriation["unit"] == "persons")]
        if not returned.empty:
            latest = returned.sort_values("year").iloc[-1]
            count = float(latest["value"])
            rows.append({"figure": "repatriates", "value": count, "low": count, "high": count, "unit": "persons",
                         "detail": str(int(latest["year"])), "source_ids": str(latest["source_id"])})
    return pd.DataFrame(rows, columns=KEY_FIGURE_COLUMNS)


def map_values(case: Case) -> pd.DataFrame:
    """What the map shades: each host's diaspora share of its population; the origin is marked, unshaded.

    Columns: ``MAP_COLUMNS``; ``role`` is ``host`` or ``origin``.
    """
    table = demography.demography(case)
    rows = [{"country": row.country, "role": "host", "diaspora_population": float(row.diaspora_population),
             "diaspora_share_of_total_pct": float(row.diaspora_share_of_total_pct), "source_ids": row.source_ids}
            for row in table.itertuples()]
    rows.append({"country": case.origin, "role": "origin", "diaspora_population": None,
                 "diaspora_share_of_total_pct": None, "source_ids": ""})
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
        yearly = flows.flows(case)
        profile["flows"] = yearly[yearly["partner"] == country].reset_index(drop=True)
        summary = flows.flow_summary(case)
        profile["flow-summary"] = summary[summary["partner"] == country].reset_index(drop=True)
        if case.has("periods"):
            periods = flows.period_totals(case)
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
