"""Projections: the diaspora in each host under stated scenarios, with ranges; forecasts of the flows
with prediction intervals. docs/statistics.md sets out the methods and what each assumes.

A scenario gives three annual parameters, each as a (low, high) range: natural change (births minus
deaths, as a rate of the diaspora itself), emigration from the origin into the diaspora (persons per
year) and the repatriation rate (share of the diaspora returning to the origin each year). The diaspora
moves as

    P(t+1) = P(t) · (1 + natural_change − repatriation_rate) + emigration

The components belong to the population projected: a stock defined by birthplace (people born in the
origin) has no births, so its natural change is deaths alone and can only be negative. The low path
starts from the low end of the base count (its rounding, or the range its source gives) and takes the
low natural change, the high repatriation rate and the low emigration; the high path the opposite; the
central path the middle of each range from the count itself. Since P grows with natural change and
emigration and shrinks with repatriation, every combination inside the ranges lies between low and high.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, SupportsFloat, SupportsInt, cast

import pandas as pd

from diaspora_observatory.analysis import precision
from diaspora_observatory.analysis.trend import SIGNIFICANCE_LEVEL, change_points

if TYPE_CHECKING:
    from diaspora_observatory.case.package import Case

PROJECTION_COLUMNS = ["country", "scenario", "year", "low", "central", "high", "definition", "base_year",
                      "base_population", "base_low", "base_high", "base_source_id", "source_ids", "method",
                      "assumptions", "significant_digits"]
PARAMETER_COLUMNS = ["country", "scenario", "definition", "base_year", "base_population", "base_low", "base_high",
                     "natural_change_low", "natural_change_high", "repatriation_low", "repatriation_high",
                     "emigration_low", "emigration_high", "method", "assumptions", "source_ids"]
FORECAST_COLUMNS = ["partner", "flow", "year", "forecast", "lower", "upper", "interval", "level", "fit_first_year",
                    "fit_last_year", "drift", "method", "source_id", "assumptions", "significant_digits"]
DEFAULT_HORIZON_YEAR = 2035
RECENT_YEARS = 5
PROJECTION_METHOD = "cohort-free component projection (natural change, emigration, repatriation)"
FORECAST_METHOD = "random walk with drift (ARIMA(0,1,0) with a constant)"
PREDICTION_INTERVAL = "prediction interval"

Interval = tuple[float, float]

# The diaspora's own births and deaths are in no table of the case (the study says their effect is not
# known), so natural change is a stated range, never the host's growth: from an ageing minority whose
# deaths exceed its births by 1% a year to a young population growing by 2% a year. A stock defined by
# birthplace has no births: it loses 0.5% to 2% a year to deaths. A case may state its own ranges in
# datapackage.json: "diaspora": {"natural_change": [low, high]} (annual rates).
NATURAL_CHANGE = (-0.01, 0.02)
BIRTHPLACE_NATURAL_CHANGE = (-0.02, -0.005)


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


def rounding_range(count: float) -> Interval:
    """The range a count stated to its last non-zero digit stands for: 35000 is 34,500 to 35,500, 2200 is
    2,150 to 2,250; a count with no trailing zero is taken as exact.

    >>> rounding_range(35000), rounding_range(2200), rounding_range(821001)
    ((34500.0, 35500.0), (2150.0, 2250.0), (821001.0, 821001.0))
    """
    value = int(round(count))
    if value == 0:
        return (0.0, 0.0)
    unit = 1
    while value % (unit * 10) == 0:
        unit *= 10
    half = unit / 2 if unit > 1 else 0
    return (float(value - half), float(value + half))


def _base_range(record) -> Interval:
    low, high = getattr(record, "low", None), getattr(record, "high", None)
    if low is not None and high is not None and not (pd.isna(low) or pd.isna(high)):
        return (float(low), float(high))
    return rounding_range(float(record.population))


def _check_components(definition: str, scenario: Scenario, host: str) -> None:
    (_, natural_high), _, _ = scenario.parameters(host)
    if definition == "birthplace" and natural_high > 0:
        raise ValueError(f"scenario {scenario.name!r} adds births ({natural_high:+.2%} a year) to {host}'s stock of "
                         "people born in the origin; nobody is born abroad into a birthplace-defined stock, so its "
                         "natural change must be deaths only (zero or negative)")


def project_diaspora(base: pd.DataFrame, scenarios: list[Scenario], *, until: int = DEFAULT_HORIZON_YEAR
                     ) -> pd.DataFrame:
    """Project each host's diaspora from ``base`` (columns ``country``, ``year``, ``population``; optional
    ``low`` and ``high`` (the count's range), ``definition`` and ``source_id``) to ``until`` under each
    scenario. One row per host, scenario and year (the base year included), with ``low``, ``central`` and
    ``high``; columns ``PROJECTION_COLUMNS``. Without ``low`` and ``high`` the base carries its rounding
    (``rounding_range``). Raises ValueError for births added to a birthplace-defined stock.

    >>> base = pd.DataFrame({"country": ["UZB"], "year": [2024], "population": [1001]})
    >>> s = Scenario("flat", {"UZB": (0.01, 0.01)}, {"UZB": (0.02, 0.02)}, {"UZB": (10, 10)})
    >>> project_diaspora(base, [s], until=2025)["central"].round(2).tolist()
    [1001.0, 1000.99]
    """
    rows = []
    for record in base.itertuples(index=False):
        # pandas types a row's fields as any scalar; these columns hold a code, a year and a count.
        host = str(record.country)
        start_year, start = int(cast(SupportsInt, record.year)), float(cast(SupportsFloat, record.population))
        definition = getattr(record, "definition", None)
        # A missing definition was already projected as an ethnic stock (only "birthplace" differs); now
        # the row says so instead of carrying NaN.
        definition = definition if isinstance(definition, str) and definition else "ethnicity"
        base_low, base_high = _base_range(record)
        central_place = precision.stated_place(start)
        source_id = getattr(record, "source_id", None)
        for scenario in scenarios:
            _check_components(definition, scenario, host)
            (n_low, n_high), (r_low, r_high), (e_low, e_high) = scenario.parameters(host)
            low, central, high = base_low, start, base_high
            for year in range(start_year, until + 1):
                if year > start_year:
                    low = _step(low, n_low, r_high, e_low)
                    high = _step(high, n_high, r_low, e_high)
                    central = _step(central, (n_low + n_high) / 2, (r_low + r_high) / 2, (e_low + e_high) / 2)
                # The central path is the stated count carried forward: known no better than that count, so
                # written down to its last significant place (35,000 to the thousands: 34,946 is 35,000;
                # Taylor 1997, 2.8 and 3.3). The low and high paths are the scenario's bounds, computed
                # from the ends of the count's range, and are written whole.
                digits = precision.digits_text({"central": precision.digits_at(central, central_place)},
                                               counts=["central"])
                rows.append({"country": host, "scenario": scenario.name, "year": year, "low": low,
                             "central": central, "high": high, "definition": definition, "base_year": start_year,
                             "base_population": start, "base_low": base_low, "base_high": base_high,
                             "base_source_id": source_id,
                             "source_ids": ";".join(sorted({*scenario.source_ids, *filter(None, [source_id])})),
                             "method": PROJECTION_METHOD, "assumptions": scenario.description,
                             "significant_digits": digits})
    return pd.DataFrame(rows, columns=PROJECTION_COLUMNS)


def scenario_parameters(base: pd.DataFrame, scenarios: list[Scenario]) -> pd.DataFrame:
    """One row per host and scenario: the base count with its range and every annual parameter as a range
    (natural change and repatriation in percent a year, emigration in persons a year); ``PARAMETER_COLUMNS``."""
    rows = []
    for record in base.itertuples(index=False):
        base_low, base_high = _base_range(record)
        source_id = getattr(record, "source_id", None)
        for scenario in scenarios:
            (n_low, n_high), (r_low, r_high), (e_low, e_high) = scenario.parameters(str(record.country))
            rows.append({"country": record.country, "scenario": scenario.name,
                         "definition": getattr(record, "definition", None) or "ethnicity",
                         "base_year": int(cast(SupportsInt, record.year)),
                         "base_population": float(cast(SupportsFloat, record.population)),
                         "base_low": base_low, "base_high": base_high,
                         "natural_change_low": 100 * n_low, "natural_change_high": 100 * n_high,
                         "repatriation_low": 100 * r_low, "repatriation_high": 100 * r_high,
                         "emigration_low": e_low, "emigration_high": e_high, "method": PROJECTION_METHOD,
                         "assumptions": scenario.description,
                         "source_ids": ";".join(sorted({*scenario.source_ids, *filter(None, [source_id])}))})
    return pd.DataFrame(rows, columns=PARAMETER_COLUMNS)


def _share(case: Case, population: str, dimension: str, category: str) -> float | None:
    if not case.has("repatriation"):
        return None
    table = case.table("repatriation")
    rows = table[(table["population"] == population) & (table["dimension"] == dimension)
                 & (table["category"] == category) & (table["unit"] == "percent")]
    return float(rows["value"].iloc[-1]) / 100 if not rows.empty else None


def diaspora_base(case: Case) -> pd.DataFrame:
    """The latest diaspora count per host (the case's own definition): ``country, year, population,
    definition, source_id``."""
    population = case.table("population")
    rows = population[(population["group"] == "diaspora") & population["country"].isin(case.hosts)]
    if "definition" not in rows.columns:
        rows = rows.assign(definition=case.diaspora.get("definition", "ethnicity"))
    return rows.sort_values("year").groupby("country").tail(1).sort_values("country")[
        ["country", "year", "population", "definition", "source_id"]].reset_index(drop=True)


def natural_change_range(case: Case, definition: str) -> Interval:
    """The diaspora's own natural change a year: the case's stated range (``diaspora.natural_change`` in
    datapackage.json), else ``NATURAL_CHANGE``, or deaths only for a birthplace-defined stock."""
    stated = case.diaspora.get("natural_change")
    if stated is not None:
        try:
            low, high = (float(value) for value in stated)
        except (TypeError, ValueError):
            raise ValueError(f"datapackage.json: diaspora.natural_change must be [low, high] annual rates, not "
                             f"{stated!r}") from None
        return (low, high)
    return BIRTHPLACE_NATURAL_CHANGE if definition == "birthplace" else NATURAL_CHANGE


def default_scenarios(case: Case) -> list[Scenario]:
    """Three scenarios built from the case's data; every parameter is in ``scenario_parameters``:

    - natural change: the diaspora's own, a stated range (``natural_change_range``); never the host's;
    - emigration into the diaspora: the last five years of emigration to the host (``flows``), lowest to
      highest, times the share of the diaspora's group among emigrants when the case has it
      (``repatriation``: emigrants / nationality / kazakh_share); none into a birthplace-defined stock
      from anywhere but the origin, which is what the flows count;
    - repatriation: the last five years of immigration from the host, times the repatriates' share of
      immigrants when the case has it, over the diaspora count; lowest to highest.
    Scenarios: ``recent-migration`` (all three), ``natural-change-only`` (no migration),
    ``repatriation-doubled`` (the repatriation range doubled).
    """
    base = diaspora_base(case)
    flows = case.table("flows") if case.has("flows") else None
    emigrant_share = _share(case, "emigrants", "nationality", "kazakh_share")
    repatriate_share = _share(case, "immigrants", "nationality", "repatriates_share")
    natural: dict[str, Interval] = {}
    repatriation: dict[str, Interval] = {}
    emigration: dict[str, Interval] = {}
    for record in base.itertuples(index=False):
        host, population = str(record.country), float(cast(SupportsFloat, record.population))
        natural[host] = natural_change_range(case, str(record.definition))
        if flows is None:
            continue
        recent = flows[flows["partner"] == host].sort_values("year").tail(RECENT_YEARS)
        if recent.empty:
            continue
        out_share = emigrant_share if emigrant_share is not None else 1.0
        in_share = repatriate_share if repatriate_share is not None else 1.0
        emigration[host] = (float(out_share * recent["emigration"].min()),
                            float(out_share * recent["emigration"].max()))
        # Capped at half the diaspora a year: beyond that the counts of the two sources do not fit together.
        repatriation[host] = (min(float(in_share * recent["immigration"].min() / population), 0.5),
                              min(float(in_share * recent["immigration"].max() / population), 0.5))
    base_note = "The base count carries the range its rounding stands for."
    flow_note = (f"Migration is the last {RECENT_YEARS} years of the case's flows with each host"
                 + (", emigration times the share of the group among emigrants" if emigrant_share is not None else "")
                 + (", immigration times the share of repatriates among immigrants"
                    if repatriate_share is not None else "") + ".")
    natural_note = "The diaspora's own natural change is a stated range, not the host's growth."
    doubled = {host: (2 * low, 2 * high) for host, (low, high) in repatriation.items()}
    flow_sources = tuple(sorted({*_source_ids(flows), *_share_source_ids(case)}))
    scenarios = [Scenario("natural-change-only", natural, {}, {},
                          f"No migration. {natural_note} {base_note}", ())]
    if repatriation:
        scenarios.insert(0, Scenario("recent-migration", natural, repatriation, emigration,
                                     f"{natural_note} {flow_note} {base_note}", flow_sources))
        scenarios.append(Scenario("repatriation-doubled", natural, doubled, emigration,
                                  f"As recent-migration with twice the repatriation rate. {natural_note} {base_note}",
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


def projection_parameters(case: Case) -> pd.DataFrame:
    """The base counts and scenario parameters behind ``projections``, one row per host and scenario."""
    return scenario_parameters(diaspora_base(case), default_scenarios(case))


def _t_central_probability(t: float, degrees_of_freedom: int) -> float:
    """P(|T| < t) for Student's t with a whole number of degrees of freedom, in closed form
    (Abramowitz and Stegun 1964, 26.7.3 and 26.7.4)."""
    theta = math.atan(t / math.sqrt(degrees_of_freedom))
    cos2 = math.cos(theta) ** 2
    if degrees_of_freedom % 2:  # odd
        if degrees_of_freedom == 1:
            return 2 * theta / math.pi
        term = total = 1.0
        for k in range(2, degrees_of_freedom - 1, 2):  # (2·4···(ν−3)) / (3·5···(ν−2)) cos^(ν−3)
            term *= cos2 * k / (k + 1)
            total += term
        return 2 / math.pi * (theta + math.sin(theta) * math.cos(theta) * total)
    term = total = 1.0
    for k in range(1, degrees_of_freedom - 2, 2):  # (1·3···(ν−3)) / (2·4···(ν−2)) cos^(ν−2)
        term *= cos2 * k / (k + 1)
        total += term
    return math.sin(theta) * total


def t_quantile(probability: float, degrees_of_freedom: int) -> float:
    """The ``probability`` quantile (above one half) of Student's t, by bisection on the closed-form
    distribution function: exact to about 1e-12, without importing scipy (half a second)."""
    if not 0.5 < probability < 1 or degrees_of_freedom < 1:
        raise ValueError("t_quantile needs 0.5 < probability < 1 and at least one degree of freedom")
    central = 2 * probability - 1
    low, high = 0.0, 1.0
    while _t_central_probability(high, degrees_of_freedom) < central:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        if _t_central_probability(middle, degrees_of_freedom) < central:
            low = middle
        else:
            high = middle
        if high - low < 1e-12 * high:
            break
    return (low + high) / 2


def forecast_series(years: list[int], values: list[float], *, horizon: int = 5, level: float = 0.95
                    ) -> pd.DataFrame:
    """Forecast a yearly series ``horizon`` years ahead with a random walk with drift (ARIMA(0,1,0) with a
    constant), with prediction intervals at ``level`` that include the uncertainty of the drift.

    From the ``n`` yearly changes ``d``: the drift is their mean, ``σ²`` their variance (divided by
    ``n − 1``); the point forecast ``h`` years ahead is the last value plus ``h`` times the drift. Its error
    is ``h`` future shocks plus ``h`` times the drift's error, so its variance is ``h·σ² + h²·σ²/n``
    (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., section 5.5, with ``T − 1``
    = ``n``); with ``σ`` estimated, the standardised error follows Student's t with ``n − 1`` degrees of
    freedom, which gives the interval's half width. Lower bounds are cut at zero because a flow cannot be
    negative. Columns ``year, forecast, lower, upper, drift, half_width`` (the interval's, before the cut).
    """
    return pd.DataFrame(_forecast_columns(years, values, horizon, level))


def _forecast_columns(years: list[int], values: list[float], horizon: int, level: float) -> dict[str, Any]:
    """:func:`forecast_series`'s columns, as lists of Python numbers (``drift`` one number for every row)."""
    import numpy as np

    if len(values) < 3:
        raise ValueError(f"a forecast needs at least 3 years of data, got {len(values)}")
    if sorted(years) != list(range(min(years), max(years) + 1)):
        raise ValueError("the years must be consecutive with no gap")
    changes = np.diff(np.asarray(values, dtype=float))
    n = changes.size
    drift = float(changes.mean())
    variance = float(np.sum((changes - drift) ** 2) / (n - 1))
    steps = np.arange(1, horizon + 1)
    mean = values[-1] + steps * drift
    half_width = t_quantile(0.5 + level / 2, n - 1) * np.sqrt(variance * (steps + steps**2 / n))
    return {"year": list(range(max(years) + 1, max(years) + horizon + 1)),
            "forecast": np.clip(mean, 0, None).tolist(),
            "lower": np.clip(mean - half_width, 0, None).tolist(),
            "upper": np.clip(mean + half_width, 0, None).tolist(),
            "drift": drift, "half_width": half_width.tolist()}


FORECAST_ASSUMPTIONS = ("Random walk with drift: each year's flow is the previous year's plus a constant mean change "
                        "and an independent normal shock. The drift is estimated on the years after the series' last "
                        "significant change in level (Pettitt's test at 5%), or on the whole series when it has none; "
                        "the prediction interval includes the uncertainty of that estimate. Forecasts and bounds "
                        "below zero are set to zero.")


def fit_window(years: list[int], values: list[float], alpha: float = SIGNIFICANCE_LEVEL) -> int:
    """Where the series the drift is estimated on starts: the position after its last change point that is
    significant at ``alpha`` (binary segmentation with Pettitt's test), or 0."""
    points = change_points(values, alpha)
    return points[-1].index + 1 if points else 0


def _forecast_digits(row: dict) -> str:
    """``forecast=N; lower=N; upper=N``: the point forecast and its bounds written to the place of the
    interval's half width (``precision.uncertainty_place``, Taylor 1997, 2.2), never finer than the person:
    238 with 153–323 (±85) is 240 with 150–320. A value finer than its uncertainty claims digits the model
    does not know."""
    place = max(0, precision.uncertainty_place(row["half_width"]))
    return precision.digits_text({column: precision.digits_at(row[column], place)
                                  for column in ("forecast", "lower", "upper")},
                                 counts=["forecast", "lower", "upper"])


def flow_forecast(case: Case, *, horizon: int = 5, level: float = 0.95) -> pd.DataFrame:
    """Emigration and immigration per partner forecast ``horizon`` years past the case's flow data, with
    prediction intervals; each drift fitted on the years after the series' last significant change point
    (``fit_first_year`` to ``fit_last_year``). Empty when the case has no flows. Columns ``FORECAST_COLUMNS``."""
    if not case.has("flows"):
        return pd.DataFrame(columns=FORECAST_COLUMNS)
    flows = case.table("flows")
    # Rows as dicts and one DataFrame at the end: ten small frames, each with columns inserted and
    # concatenated, cost more than the forecasts themselves.
    rows = []
    for partner, series in flows.sort_values("year").groupby("partner"):
        years = series["year"].tolist()
        sources = ";".join(sorted(set(series["source_id"].dropna())))
        for flow in ("emigration", "immigration"):
            values = series[flow].tolist()
            start = fit_window(years, values)
            forecast = _forecast_columns(years[start:], values[start:], horizon, level)
            for step in range(horizon):
                row = {"partner": partner, "flow": flow, "year": forecast["year"][step],
                       "forecast": forecast["forecast"][step], "lower": forecast["lower"][step],
                       "upper": forecast["upper"][step], "drift": forecast["drift"],
                       "half_width": forecast["half_width"][step], "fit_first_year": years[start],
                       "fit_last_year": years[-1], "source_id": sources}
                row["significant_digits"] = _forecast_digits(row)
                rows.append(row)
    if not rows:  # no partner named (the schema requires one): nothing to forecast
        return pd.DataFrame(columns=FORECAST_COLUMNS)
    result = pd.DataFrame(rows)
    result["interval"] = PREDICTION_INTERVAL
    result["level"] = level
    result["method"] = FORECAST_METHOD
    result["assumptions"] = FORECAST_ASSUMPTIONS
    return result[FORECAST_COLUMNS]
