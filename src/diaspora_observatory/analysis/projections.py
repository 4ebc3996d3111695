"""Projections: the diaspora in each host under stated scenarios, with ranges; forecasts of the flows
with prediction intervals.

A scenario gives three annual parameters, each as a (low, high) range: natural change (births minus
deaths, as a rate of the diaspora), emigration from the origin into the diaspora (persons per year) and
the repatriation rate (share of the diaspora returning to the origin each year). The diaspora moves as

    P(t+1) = P(t) · (1 + natural_change − repatriation_rate) + emigration

The low path takes the low natural change, the high repatriation rate and the low emigration; the high
path the opposite; the central path the middle of each range. Since P grows with natural change and
emigration and shrinks with repatriation, every combination inside the ranges lies between low and high.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from diaspora_observatory.case.package import Case

PROJECTION_COLUMNS = ["country", "scenario", "year", "low", "central", "high", "base_year", "base_population",
                      "base_source_id", "source_ids", "assumptions"]
FORECAST_COLUMNS = ["partner", "flow", "year", "forecast", "lower", "upper", "level", "method", "source_id",
                    "assumptions"]
DEFAULT_HORIZON_YEAR = 2035
RECENT_YEARS = 5

Interval = tuple[float, float]


@dataclass(frozen=True)
class Scenario:
    """Annual parameters of one scenario, each a (low, high) range; ``emigration`` per host (persons/year)."""

    name: str
    natural_change: dict[str, Interval]
    repatriation_rate: dict[str, Interval]
    emigration: dict[str, Interval] = field(default_factory=dict)
    description: str = ""
    source_ids: tuple[str, ...] = ()

    def parameters(self, host: str) -> tuple[Interval, Interval, Interval]:
        return (self.natural_change.get(host, (0.0, 0.0)), self.repatriation_rate.get(host, (0.0, 0.0)),
                self.emigration.get(host, (0.0, 0.0)))


def _step(population: float, natural: float, repatriation: float, emigration: float) -> float:
    return max(0.0, population * (1 + natural - repatriation) + emigration)


def _assumptions(scenario: Scenario, host: str) -> str:
    (n_low, n_high), (r_low, r_high), (e_low, e_high) = scenario.parameters(host)
    text = (f"natural change {100 * n_low:.2f}% to {100 * n_high:.2f}% a year; repatriation {100 * r_low:.2f}% to "
            f"{100 * r_high:.2f}% of the diaspora a year; emigration from the origin {e_low:,.0f} to {e_high:,.0f} "
            "people a year")
    return f"{scenario.description} {text}".strip()


def project_diaspora(base: pd.DataFrame, scenarios: list[Scenario], *, until: int = DEFAULT_HORIZON_YEAR
                     ) -> pd.DataFrame:
    """Project each host's diaspora from ``base`` (columns ``country``, ``year``, ``population``, optional
    ``source_id``) to ``until`` under each scenario. One row per host, scenario and year (the base year
    included), with ``low``, ``central`` and ``high``; columns ``PROJECTION_COLUMNS``.

    >>> base = pd.DataFrame({"country": ["UZB"], "year": [2024], "population": [1000]})
    >>> s = Scenario("flat", {"UZB": (0.01, 0.01)}, {"UZB": (0.02, 0.02)}, {"UZB": (10, 10)})
    >>> project_diaspora(base, [s], until=2025)["central"].tolist()
    [1000.0, 1000.0]
    """
    rows = []
    for record in base.itertuples(index=False):
        host, start_year, start = record.country, int(record.year), float(record.population)
        source_id = getattr(record, "source_id", None)
        for scenario in scenarios:
            (n_low, n_high), (r_low, r_high), (e_low, e_high) = scenario.parameters(host)
            low = central = high = start
            assumptions = _assumptions(scenario, host)
            for year in range(start_year, until + 1):
                if year > start_year:
                    low = _step(low, n_low, r_high, e_low)
                    high = _step(high, n_high, r_low, e_high)
                    central = _step(central, (n_low + n_high) / 2, (r_low + r_high) / 2, (e_low + e_high) / 2)
                rows.append({"country": host, "scenario": scenario.name, "year": year, "low": low,
                             "central": central, "high": high, "base_year": start_year, "base_population": start,
                             "base_source_id": source_id,
                             "source_ids": ";".join(sorted({*scenario.source_ids, *filter(None, [source_id])})),
                             "assumptions": assumptions})
    return pd.DataFrame(rows, columns=PROJECTION_COLUMNS)


def _annual_growth(reference: pd.DataFrame, host: str) -> float | None:
    rows = reference[reference["country"] == host].sort_values("year")
    if len(rows) < 2:
        return None
    first, last = rows.iloc[0], rows.iloc[-1]
    years = int(last["year"]) - int(first["year"])
    return (float(last["population"]) / float(first["population"])) ** (1 / years) - 1


def _share(case: Case, population: str, dimension: str, category: str) -> float | None:
    if not case.has("repatriation"):
        return None
    table = case.table("repatriation")
    rows = table[(table["population"] == population) & (table["dimension"] == dimension)
                 & (table["category"] == category) & (table["unit"] == "percent")]
    return float(rows["value"].iloc[-1]) / 100 if not rows.empty else None


def diaspora_base(case: Case) -> pd.DataFrame:
    """The latest diaspora count per host (the case's own definition): ``country, year, population, source_id``."""
    population = case.table("population")
    rows = population[(population["group"] == "diaspora") & population["country"].isin(case.hosts)]
    return rows.sort_values("year").groupby("country").tail(1).sort_values("country")[
        ["country", "year", "population", "source_id"]].reset_index(drop=True)


def default_scenarios(case: Case) -> list[Scenario]:
    """Three scenarios built from the case's data, each parameter stated in the result:

    - natural change: from the host's whole-population growth per year in ``reference_population``
      (range: that rate minus one point, to that rate; 0 to 1% without a reference);
    - emigration into the diaspora: the last five years of emigration to the host (``flows``), lowest to
      highest, times the share of the diaspora's group among emigrants when the case has it
      (``repatriation``: emigrants / nationality / kazakh_share);
    - repatriation: the last five years of immigration from the host, times the repatriates' share of
      immigrants when the case has it, over the diaspora count; lowest to highest.
    Scenarios: ``recent-migration`` (all three), ``natural-change-only`` (no migration),
    ``repatriation-doubled`` (the repatriation range doubled).
    """
    base = diaspora_base(case)
    reference = case.table("reference_population") if "reference_population" in case.resource_names else None
    flows = case.table("flows") if case.has("flows") else None
    emigrant_share = _share(case, "emigrants", "nationality", "kazakh_share")
    repatriate_share = _share(case, "immigrants", "nationality", "repatriates_share")
    natural, repatriation, emigration = {}, {}, {}
    for record in base.itertuples(index=False):
        growth = _annual_growth(reference, record.country) if reference is not None else None
        natural[record.country] = (max(growth - 0.01, -0.05), growth) if growth is not None else (0.0, 0.01)
        if flows is None:
            continue
        recent = flows[flows["partner"] == record.country].sort_values("year").tail(RECENT_YEARS)
        if recent.empty:
            continue
        out_share = emigrant_share if emigrant_share is not None else 1.0
        in_share = repatriate_share if repatriate_share is not None else 1.0
        emigration[record.country] = (float(out_share * recent["emigration"].min()),
                                      float(out_share * recent["emigration"].max()))
        # Capped at half the diaspora a year: beyond that the counts of the two sources do not fit together.
        repatriation[record.country] = (min(float(in_share * recent["immigration"].min() / record.population), 0.5),
                                        min(float(in_share * recent["immigration"].max() / record.population), 0.5))
    growth_note = ("Natural change is the host's whole-population growth (reference population), minus up to "
                   "one point: an assumption, since the diaspora's own births and deaths are not in the case.")
    flow_note = (f"Migration is the last {RECENT_YEARS} years of the case's flows with each host"
                 + (f", emigration times the {100 * emigrant_share:.1f}% share of the group among emigrants"
                    if emigrant_share is not None else "")
                 + (f", immigration times the {100 * repatriate_share:.1f}% share of repatriates among immigrants"
                    if repatriate_share is not None else "") + ".")
    doubled = {host: (2 * low, 2 * high) for host, (low, high) in repatriation.items()}
    growth_sources = _source_ids(reference)
    flow_sources = tuple(sorted({*growth_sources, *_source_ids(flows), *_share_source_ids(case)}))
    scenarios = [Scenario("natural-change-only", natural, {}, {}, f"No migration. {growth_note}",
                          growth_sources)]
    if repatriation:
        scenarios.insert(0, Scenario("recent-migration", natural, repatriation, emigration,
                                     f"{growth_note} {flow_note}", flow_sources))
        scenarios.append(Scenario("repatriation-doubled", natural, doubled, emigration,
                                  f"As recent-migration with twice the repatriation rate. {growth_note}",
                                  flow_sources))
    return scenarios


def _source_ids(table: pd.DataFrame | None) -> tuple[str, ...]:
    if table is None or table.empty:
        return ()
    return tuple(sorted(set(table["source_id"].dropna())))


def _share_source_ids(case: Case) -> tuple[str, ...]:
    if not case.has("repatriation"):
        return ()
    table = case.table("repatriation")
    rows = table[(table["dimension"] == "nationality")
                 & table["category"].isin(["kazakh_share", "repatriates_share"])]
    return _source_ids(rows)


def projections(case: Case, *, until: int = DEFAULT_HORIZON_YEAR) -> pd.DataFrame:
    """The case's diaspora per host projected to ``until`` under ``default_scenarios``."""
    return project_diaspora(diaspora_base(case), default_scenarios(case), until=until)


def forecast_series(years: list[int], values: list[float], *, horizon: int = 5, level: float = 0.95
                    ) -> pd.DataFrame:
    """Forecast a yearly series ``horizon`` years ahead with a random walk with drift (ARIMA(0,1,0) with a
    constant), with prediction intervals at ``level``.

    The drift is the mean yearly change and the shock variance its maximum-likelihood estimate (the mean
    squared deviation of the changes); the point forecast is the last value plus ``h`` times the drift and
    the interval is ``z * sigma * sqrt(h)``, the drift treated as known. This closed form equals what
    statsmodels' ARIMA fit gives (a test compares them) without its second of import time.
    Lower bounds are cut at zero because a flow cannot be negative. Columns ``year, forecast, lower, upper``.
    """
    import numpy as np

    if len(values) < 3:
        raise ValueError(f"a forecast needs at least 3 years of data, got {len(values)}")
    if sorted(years) != list(range(min(years), max(years) + 1)):
        raise ValueError("the years must be consecutive with no gap")
    changes = np.diff(np.asarray(values, dtype=float))
    drift = changes.mean()
    sigma = np.sqrt(np.mean((changes - drift) ** 2))
    steps = np.arange(1, horizon + 1)
    mean = values[-1] + steps * drift
    half_width = NormalDist().inv_cdf(0.5 + level / 2) * sigma * np.sqrt(steps)
    return pd.DataFrame({"year": range(max(years) + 1, max(years) + horizon + 1),
                         "forecast": np.clip(mean, 0, None),
                         "lower": np.clip(mean - half_width, 0, None), "upper": np.clip(mean + half_width, 0, None)})


FORECAST_ASSUMPTIONS = ("Random walk with drift: each year's flow is the previous year's plus a constant mean change "
                        "and an independent shock; the drift is estimated from the whole series and treated as "
                        "known; forecasts and bounds below zero are set to zero.")


def flow_forecast(case: Case, *, horizon: int = 5, level: float = 0.95) -> pd.DataFrame:
    """Emigration and immigration per partner forecast ``horizon`` years past the case's flow data, with
    prediction intervals. Empty when the case has no flows. Columns ``FORECAST_COLUMNS``."""
    if not case.has("flows"):
        return pd.DataFrame(columns=FORECAST_COLUMNS)
    flows = case.table("flows")
    frames = []
    for partner, series in flows.sort_values("year").groupby("partner"):
        for flow in ("emigration", "immigration"):
            forecast = forecast_series(series["year"].tolist(), series[flow].tolist(), horizon=horizon, level=level)
            forecast.insert(0, "flow", flow)
            forecast.insert(0, "partner", partner)
            forecast["source_id"] = ";".join(sorted(set(series["source_id"].dropna())))
            frames.append(forecast)
    result = pd.concat(frames, ignore_index=True)
    result["level"] = level
    result["method"] = "random walk with drift (ARIMA(0,1,0) with a constant)"
    result["assumptions"] = FORECAST_ASSUMPTIONS
    return result[FORECAST_COLUMNS]
