"""Claims as data: every numeric statement of the study, recomputed and marked.

Each claim row names a ``method`` (a function registered below) and its ``params``
(``key=value;key=value``, lists joined with ``+``). The checker compares the computed value with the
reported one using the claim's ``comparator`` and ``tolerance`` and marks it ``confirmed``,
``mismatch`` or ``unverifiable`` (no method, or the data it needs is missing).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from diaspora_observatory.analysis import demography as demo
from diaspora_observatory.analysis import flows as fl
from diaspora_observatory.analysis import repatriation as rep
from diaspora_observatory.analysis import survey as sv
from diaspora_observatory.analysis.trend import mann_kendall
from diaspora_observatory.case.package import Case

CLAIM_COLUMNS = ["id", "section", "statement", "reported", "computed", "status", "unit", "comparator", "tolerance",
                 "method", "note", "source_id"]
# The statements stand in the study; the values they are recomputed from carry their own sources.
STATEMENT_SOURCE = "study"
METHODS: dict[str, Callable[..., float | str]] = {}


def method(function: Callable[..., float | str]) -> Callable[..., float | str]:
    METHODS[function.__name__] = function
    return function


def _host_row(case: Case, country: str) -> pd.Series:
    table = demo.demography(case)
    rows = table[table["country"] == country]
    if rows.empty:
        raise LookupError(f"no population rows for host {country}")
    return rows.iloc[0]


@method
def population_value(case: Case, country: str, group: str) -> float:
    wide = demo.population_wide(case)
    rows = wide[wide["country"] == country].sort_values("year")
    return float(rows[f"{group}_population"].iloc[-1])


@method
def titular_share_of_total(case: Case, country: str) -> float:
    return 100 * population_value(case, country, "titular") / population_value(case, country, "total")


@method
def diaspora_share_of_total(case: Case, country: str) -> float:
    return float(_host_row(case, country)["diaspora_share_of_total_pct"])


@method
def diaspora_share_of_others(case: Case, country: str) -> float:
    return float(_host_row(case, country)["diaspora_share_of_others_pct"])


@method
def regional_diaspora_total(case: Case) -> float:
    return float(demo.regional_summary(case)["regional_diaspora_total"])


@method
def concentration_in_host(case: Case, country: str) -> float:
    return float(_host_row(case, country)["share_of_regional_diaspora_pct"])


@method
def share_of_world_diaspora(case: Case, estimate: str, bound: str) -> float:
    total = demo.regional_summary(case)["regional_diaspora_total"]
    world = demo.world_estimate(case, estimate)
    return 100 * total / (world.high if bound == "low" else world.low)


@method
def world_diaspora_vs_origin(case: Case, estimate: str, bound: str) -> float:
    world = demo.world_estimate(case, estimate)
    titular = population_value(case, case.origin, "titular")
    return 100 * (world.low if bound == "low" else world.high) / titular


@method
def host_by_rank(case: Case, rank: int) -> str:
    ordered = demo.regional_summary(case)["hosts_by_size"]
    return str(ordered[rank - 1] if rank > 0 else ordered[rank])


@method
def years_with_net_immigration(case: Case) -> float:
    return float((fl.flows(case)["net"] > 0).sum())


@method
def emigration_trend(case: Case, alpha: float = 0.05) -> str:
    return mann_kendall(fl.total_flows(case)["emigration"].tolist(), alpha=alpha).trend


@method
def period_net_sign(case: Case, period: str) -> str:
    totals = fl.period_totals(case)
    net = int(totals[(totals["period_id"] == period) & (totals["partner"] == fl.ALL_PARTNERS)]["net"].iloc[0])
    return "positive" if net > 0 else "negative" if net < 0 else "zero"


@method
def share_sum(case: Case, population: str, dimension: str, year: int) -> float:
    profile = rep.repatriation_profile(case)
    rows = profile[(profile["population"] == population) & (profile["dimension"] == dimension)
                   & (profile["year"] == year)]
    return float(rows["share_pct"].sum())


@method
def largest_category(case: Case, population: str, dimension: str, year: int) -> str:
    return rep.largest_category(case, population, dimension, year)


@method
def category_share(case: Case, population: str, dimension: str, year: int, categories: list[str]) -> float:
    return rep.category_share(case, population, dimension, year, categories)


@method
def higher_education_gap(case: Case, year_kandas: int, year_emigrants: int) -> float:
    kandas = rep.category_share(case, "kandas", "education", year_kandas, ["higher"])
    emigrants = rep.category_share(case, "emigrants", "education", year_emigrants, ["higher"])
    return kandas - emigrants


@method
def survey_share_sum(case: Case, item: str) -> float:
    return sv.share_sum(case, item)


@method
def inverse_share(case: Case, indicator: str) -> float:
    table = case.table("indicators")
    return 100 / float(table[table["indicator_id"] == indicator]["value"].iloc[0])


def parse_params(text: str | None) -> dict:
    """``country=UZB;rank=2;categories=a+b`` -> {'country': 'UZB', 'rank': 2, 'categories': ['a', 'b']}."""
    params: dict = {}
    for part in filter(None, (text or "").split(";")):
        key, _, raw = part.partition("=")
        value: object = raw
        if "+" in raw:
            value = raw.split("+")
        elif raw.lstrip("-").isdigit():
            value = int(raw)
        else:
            try:
                value = float(raw)
            except ValueError:
                value = raw
        params[key.strip()] = value
    return params


def _as_number(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def compare(reported: str, computed: float | str, comparator: str, tolerance: float | None) -> bool:
    """Does ``computed`` bear out ``reported`` under the comparator?

    approx: |computed - reported| <= tolerance; eq: equal (text or number); gt / lt: computed above /
    below reported.
    """
    reported_number, computed_number = _as_number(reported), _as_number(computed)
    if comparator == "approx" and reported_number is not None and computed_number is not None:
        return abs(computed_number - reported_number) <= (tolerance or 0) + 1e-9
    if comparator == "gt" and reported_number is not None and computed_number is not None:
        return computed_number > reported_number
    if comparator == "lt" and reported_number is not None and computed_number is not None:
        return computed_number < reported_number
    if reported_number is not None and computed_number is not None:
        return reported_number == computed_number
    return str(reported) == str(computed)


def check_claims(case: Case) -> pd.DataFrame:
    """Recompute every claim of the case. Columns: ``CLAIM_COLUMNS``.

    A mismatch is a finding, not an error: the checker never raises for one.
    """
    rows = []
    for claim in case.table("claims").itertuples():
        computed: float | str | None = None
        status = "unverifiable"
        note = claim.note if isinstance(claim.note, str) else ""
        function = METHODS.get(claim.method) if isinstance(claim.method, str) else None
        if isinstance(claim.method, str) and function is None:
            note = f"unknown method {claim.method!r}. {note}".strip()
        if function is not None:
            try:
                computed = function(case, **parse_params(claim.params if isinstance(claim.params, str) else ""))
            except (LookupError, ValueError, ZeroDivisionError) as error:
                note = f"could not recompute: {error}. {note}".strip()
            else:
                tolerance = None if pd.isna(claim.tolerance) else float(claim.tolerance)
                status = "confirmed" if compare(claim.reported, computed, claim.comparator, tolerance) else "mismatch"
        rows.append({"id": claim.claim_id, "section": claim.section, "statement": claim.statement,
                     "reported": claim.reported, "computed": _rounded(computed), "status": status,
                     "unit": claim.unit, "comparator": claim.comparator,
                     "tolerance": None if pd.isna(claim.tolerance) else float(claim.tolerance),
                     "method": claim.method if isinstance(claim.method, str) else None, "note": note,
                     "source_id": STATEMENT_SOURCE if STATEMENT_SOURCE in case.sources else None})
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)


def _rounded(value: float | str | None) -> float | str | None:
    if isinstance(value, float):
        return round(value, 4)
    return value
