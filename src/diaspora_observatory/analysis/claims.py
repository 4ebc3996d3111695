"""Claims as data: every numeric statement of the study, recomputed and judged on its scope.

Each claim row names a ``method`` (a function registered below) and its ``params``
(``key=value;key=value``, lists joined with ``+``), the population and period its data cover
(``data_scope``) and, where the statement speaks of more than those data (another population, period
or definition), why (``scope_gap``). The checker recomputes the value and marks the claim:

- ``confirmed``: the data cover what the statement speaks of and bear it out under its comparator;
- ``mismatch``: the data cover it and do not bear it out (a finding about the study's figures, stated
  with both values; the note says what may explain it);
- ``unverifiable``: no method, the data it needs are missing, or the statement is wider than the data.
  A claim with a scope gap is never confirmed or a mismatch, whatever the narrower data give.

Tolerances come from the statement itself: ``rounded`` accepts half a unit of the reported value's last
digit ("0.21" -> 0.005); an explicit tolerance carries its ``tolerance_basis``. A trend claim is tested
on the whole series and on each segment a significant change point separates (``segmented_trend``).

A note may quote a figure the data give rather than write it out: ``{diaspora_share_of_total_pct:TKM}``
is that column of the demography table for that host, written with the significant digits its row
declares (``analysis.precision``), so the note says ``0.1%`` where the pages do and cannot drift from them.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Protocol, SupportsFloat, TypeVar, cast

import pandas as pd

from diaspora_observatory.analysis import demography as demo
from diaspora_observatory.analysis import flows as fl
from diaspora_observatory.analysis import precision
from diaspora_observatory.analysis import repatriation as rep
from diaspora_observatory.analysis import survey as sv
from diaspora_observatory.analysis.trend import mann_kendall, pettitt
from diaspora_observatory.case.package import Case

CLAIM_COLUMNS = ["id", "section", "statement", "reported", "computed", "status", "reason", "unit", "comparator",
                 "tolerance", "tolerance_basis", "data_scope", "method", "note", "source_id", "significant_digits"]
STATUSES = ("confirmed", "mismatch", "unverifiable")
# The statements stand in the study; the values they are recomputed from carry their own sources.
STATEMENT_SOURCE = "study"
BOUND_BASIS = {"gt": "a strict lower bound: no tolerance", "lt": "a strict upper bound: no tolerance",
               "eq": "exact: no tolerance"}
METHODS: dict[str, Callable[..., object]] = {}
_Method = TypeVar("_Method", bound=Callable[..., object])


class ClaimRow(Protocol):
    """The fields of a row of the case's claims table (``itertuples``) that judging reads; the schema
    requires the text ones, and ``method``, ``params`` and ``note`` are read through ``_text`` (NaN when empty)."""

    claim_id: str
    section: str
    statement: str
    reported: str
    unit: str
    comparator: str
    tolerance: float  # NaN when the claim states none
    method: object
    params: object
    note: object


@dataclass(frozen=True)
class SegmentedTrend:
    """A trend over the whole series and over the segments a significant change point separates.

    ``segments`` holds (first year, last year, trend, p-value); only the whole series when the change
    point is not significant at ``alpha``. A trend statement holds when every entry shows it.
    """

    whole: tuple[int, int, str, float]
    segments: tuple[tuple[int, int, str, float], ...]
    change_year: int | None
    change_p_value: float
    alpha: float

    @property
    def trends(self) -> list[str]:
        return [self.whole[2], *(segment[2] for segment in self.segments)]

    def __str__(self) -> str:
        def part(entry: tuple[int, int, str, float]) -> str:
            return f"{entry[0]}–{entry[1]}: {entry[2]} (Mann-Kendall {_p_text(entry[3])})"

        text = part(self.whole)
        if self.change_year is None:
            return f"{text}; no significant change point (Pettitt {_p_text(self.change_p_value)})"
        segments = "; ".join(part(segment) for segment in self.segments)
        return (f"{text}; change point {self.change_year} (Pettitt {_p_text(self.change_p_value)}), "
                f"segments {segments}")


def _p_text(p_value: float) -> str:
    """``p < 0.001`` below a thousandth, else three decimals (``p = 0.324``)."""
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}"


def method(function: _Method) -> _Method:
    # Registered, and returned as it is: a method that calls another keeps its signature's types.
    METHODS[function.__name__] = function
    return function


def _host_row(case: Case, country: str) -> pd.Series:
    # Each host's row found once per case (the claims ask eighteen times); the callers only read it.
    rows = case.memo(("claims host rows",), lambda: _host_rows(case))
    if country not in rows:
        raise LookupError(f"no population rows for host {country}")
    return rows[country]


def _host_rows(case: Case) -> dict[str, pd.Series]:
    table = demo.demography(case)
    return {country: table[table["country"] == country].iloc[0] for country in dict.fromkeys(table["country"])}


@method
def population_value(case: Case, country: str, group: str) -> float:
    return case.memo(("claims population value", country, group), lambda: _population_value(case, country, group))


def _population_value(case: Case, country: str, group: str) -> float:
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


@method
def segmented_trend(case: Case, series: str, alpha: float = 0.05) -> SegmentedTrend:
    """Mann-Kendall trend of the yearly total of ``series`` over all partners, on the whole series and on
    both sides of Pettitt's change point when that is significant at ``alpha`` (Pettitt 1979; Mann 1945,
    Kendall 1975). Pettitt finds one change point, so there are at most two segments."""
    totals = fl.total_flows(case).sort_values("year")
    years, values = totals["year"].astype(int).tolist(), totals[series].tolist()
    whole = mann_kendall(values, alpha=alpha)
    change = pettitt(values)
    entry = (years[0], years[-1], whole.trend, whole.p_value)
    split = change.index + 1  # first position of the new level
    if change.p_value >= alpha or split < 3 or len(values) - split < 3:
        return SegmentedTrend(entry, (), None, change.p_value, alpha)
    before, after = mann_kendall(values[:split], alpha=alpha), mann_kendall(values[split:], alpha=alpha)
    segments = ((years[0], years[split - 1], before.trend, before.p_value),
                (years[split], years[-1], after.trend, after.p_value))
    return SegmentedTrend(entry, segments, years[split], change.p_value, alpha)


@method
def hosts_ranked_by(case: Case, measure: str) -> str:
    """The hosts from the highest to the lowest ``measure`` of the demography table, joined with ``+``."""
    table = demo.demography(case).sort_values(measure, ascending=False)
    return "+".join(table["country"])


@method
def largest_partner(case: Case, measure: str) -> str:
    """The partner with the largest total ``measure`` (emigration, immigration) over the flow years."""
    totals = fl.flows(case).groupby("partner")[measure].sum()
    return str(totals.idxmax())


@method
def count_listed(case: Case, items: list[str] | str) -> float:
    """How many items the claim's params list: the parts of the study a statement counts (its stages),
    transcribed into the claim because the case holds them in no table."""
    return float(len(items) if isinstance(items, list) else 1)


@method
def row_count(case: Case, resource: str) -> float:
    return float(len(case.table(resource)))


@method
def estimates_consistent(case: Case, earlier: str, later: str) -> str:
    """Whether two estimates of the same diaspora can both hold: the later range must meet the earlier one
    (a diaspora of millions does not lose a tenth of itself in two years without the study saying so)."""
    first, second = demo.world_estimate(case, earlier), demo.world_estimate(case, later)
    if second.high < first.low:
        return f"inconsistent: {second.high:,.0f} ({later}) is below the low end {first.low:,.0f} ({earlier})"
    if second.low > first.high:
        return f"inconsistent: {second.low:,.0f} ({later}) is above the high end {first.high:,.0f} ({earlier})"
    return "consistent"


@method
def repatriates_within_immigration(case: Case, year: int, share: str, partner: str) -> str:
    """Repatriates from ``partner`` (a share of the year's repatriates) against all immigrants from it."""
    table = case.table("repatriation")
    year_rows = table[(table["year"] == year) & (table["population"] == "repatriates")]
    total = year_rows[(year_rows["dimension"] == "total") & (year_rows["unit"] == "persons")]["value"]
    part = year_rows[year_rows["category"] == share]["value"]
    if total.empty or part.empty:
        raise LookupError(f"no {year} repatriates or no share {share!r} in repatriation")
    repatriates = float(total.iloc[0]) * float(part.iloc[0]) / 100
    yearly = fl.flows(case)
    immigrants = yearly[(yearly["partner"] == partner) & (yearly["year"] == year)]["immigration"]
    if immigrants.empty:
        raise LookupError(f"no {year} flow from {partner}")
    if repatriates > float(immigrants.iloc[0]):
        return (f"inconsistent: about {repatriates:,.0f} repatriates from {partner} against "
                f"{int(immigrants.iloc[0]):,} immigrants from {partner} in {year}")
    return "consistent"


@method
def nationality_share_gap(case: Case, year: int) -> float:
    """Repatriates' share of immigrants minus Kazakhs' share of emigrants (percentage points)."""
    table = case.table("repatriation")
    rows = table[(table["year"] == year) & (table["dimension"] == "nationality")].set_index("category")["value"]
    return float(rows["repatriates_share"] - rows["kazakh_share"])


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
    if not isinstance(value, (str, SupportsFloat)):  # a trend, a range, None: not a number
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def rounding_tolerance(reported: str) -> float | None:
    """Half a unit of the last digit ``reported`` is stated to: "0.21" -> 0.005, "71" -> 0.5, "94.7" -> 0.05.

    Whole numbers count their last digit as the unit ("71" is 70.5 to 71.5); None when not a number.
    """
    try:
        exponent = Decimal(str(reported).strip()).as_tuple().exponent
    except InvalidOperation:
        return None
    if not isinstance(exponent, int):
        return None
    return float(Decimal(5) * Decimal(10) ** (exponent - 1))


def compare(reported: str, computed: object, comparator: str, tolerance: float | None) -> bool:
    """Does ``computed`` bear out ``reported`` under the comparator?

    approx: |computed - reported| <= tolerance; rounded: the same with half a unit of the reported value's
    last digit; nearly: reported - tolerance <= computed <= reported; eq: equal (text or number; a
    segmented trend equals ``reported`` on the whole series and on every segment); gt / lt: computed
    above / below reported.
    """
    if isinstance(computed, SegmentedTrend):
        return comparator == "eq" and all(trend == str(reported) for trend in computed.trends)
    reported_number, computed_number = _as_number(reported), _as_number(computed)
    if comparator == "rounded":
        tolerance = rounding_tolerance(reported)
        comparator = "approx"
    if reported_number is None or computed_number is None:
        return str(reported) == str(computed)
    if comparator == "approx":
        return abs(computed_number - reported_number) <= (tolerance or 0) + 1e-9
    if comparator == "nearly":
        return reported_number - (tolerance or 0) - 1e-9 <= computed_number <= reported_number
    if comparator == "gt":
        return computed_number > reported_number
    if comparator == "lt":
        return computed_number < reported_number
    return reported_number == computed_number


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


NOTE_FIGURE = re.compile(r"\{([a-z_]+):([A-Z]{3})\}")


def note_with_figures(case: Case, note: str) -> str:
    """``note`` with each ``{column:HOST}`` replaced by that demography figure at its significant digits.
    A placeholder naming no column or host of the table is left as written (and so visible), never guessed."""
    if "{" not in note:
        return note
    table = demo.demography(case).set_index("country")

    def figure(match: re.Match) -> str:
        column, host = match.group(1), match.group(2)
        if column not in table.columns or host not in table.index:
            return match.group(0)
        value = table.at[host, column]
        if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value):
            return match.group(0)  # not a number (a code column) or missing: nothing to write
        digits = precision.read_digits(table.at[host, "significant_digits"]).get(column)
        return precision.plain_text(float(value), digits)

    return NOTE_FIGURE.sub(figure, note)


def _tolerance(claim: ClaimRow) -> tuple[float | None, str]:
    """The tolerance the claim is judged with and why."""
    comparator = claim.comparator
    stated: float | None = None if pd.isna(claim.tolerance) else float(claim.tolerance)
    basis = _text(getattr(claim, "tolerance_basis", ""))
    if comparator == "rounded":
        tolerance = rounding_tolerance(claim.reported)
        if tolerance is None:
            return None, "the reported value is not a number, so it has no rounding"
        return tolerance, basis or f"half a unit of the last stated digit of {claim.reported}"
    if comparator in ("approx", "nearly"):
        return stated, basis or "no basis given for this tolerance"
    return None, basis or BOUND_BASIS.get(comparator, "")


def _params_misfit(function: Callable[..., object], params: dict) -> str:
    """What is wrong with ``params`` for ``function`` (unknown and missing names), or ""."""
    accepted = list(inspect.signature(function).parameters.values())[1:]  # after the case
    names = [parameter.name for parameter in accepted]
    required = [parameter.name for parameter in accepted if parameter.default is inspect.Parameter.empty]
    unknown = [key for key in params if key not in names]
    missing = [key for key in required if key not in params]
    problems = [f"unknown {', '.join(map(repr, unknown))}" if unknown else "",
                f"missing {', '.join(map(repr, missing))}" if missing else ""]
    found = "; ".join(problem for problem in problems if problem)
    return f"{found} (it takes {', '.join(names) or 'none'})" if found else ""


def judge_claim(case: Case, claim: ClaimRow) -> dict:
    """One claim recomputed and judged: a row of ``CLAIM_COLUMNS``."""
    computed: object = None
    status, reason = "unverifiable", ""
    note = note_with_figures(case, _text(claim.note))
    name = _text(claim.method)
    scope_gap = _text(getattr(claim, "scope_gap", ""))
    tolerance, basis = _tolerance(claim)
    function = METHODS.get(name) if name else None
    if scope_gap and not name:
        reason = f"the statement is wider than the data: {scope_gap}"
    elif not name:
        reason = "the case holds no data to recompute it"
    elif function is None:
        reason = f"unknown method {name!r}"
    else:
        params = parse_params(_text(claim.params))
        misfit = _params_misfit(function, params)
        if misfit:  # a misspelt or missing parameter is the claim row's fault: say so instead of crashing
            reason = f"the params do not fit method {name!r}: {misfit}"
            function = None
    if function is not None:
        try:
            computed = function(case, **params)
        except (LookupError, ValueError, TypeError, ZeroDivisionError) as error:
            reason = f"could not recompute: {error}"
        else:
            if scope_gap:
                reason = f"the statement is wider than the data: {scope_gap}"
            else:
                holds = compare(claim.reported, computed, claim.comparator, tolerance)
                status = "confirmed" if holds else "mismatch"
    return {"id": claim.claim_id, "section": claim.section, "statement": claim.statement,
            "reported": claim.reported, "computed": _shown(computed), "status": status,
            "reason": reason, "unit": claim.unit, "comparator": claim.comparator,
            "tolerance": tolerance, "tolerance_basis": basis,
            "data_scope": _text(getattr(claim, "data_scope", "")), "method": name or None, "note": note,
            "source_id": STATEMENT_SOURCE if STATEMENT_SOURCE in case.sources else None,
            "significant_digits": _computed_digits(case, name, params, claim.reported, computed)
            if computed is not None else ""}


# Methods whose value is a column of the demography table: the computed value is written with the
# significant digits that table finds for it (analysis.precision), as the pages write the same share.
DEMOGRAPHY_SHARES = {"diaspora_share_of_total": "diaspora_share_of_total_pct",
                     "diaspora_share_of_others": "diaspora_share_of_others_pct",
                     "concentration_in_host": "share_of_regional_diaspora_pct"}


def _computed_digits(case: Case, name: str, params: dict, reported: object = None, computed: object = None) -> str:
    """The claim's ``significant_digits`` (``computed=N``), empty where no input limits them.

    A claim is judged at the rounding of its stated value, so the computed value is never written with
    fewer digits than that rounding needs: "0.14 reported, 0.138 computed" shows 0.14, not the 0.1 its
    inputs justify alone, and "17.2 against 17.34" reads 17.3, so that the verdict can be seen in the
    figures (docs/statistics.md).
    """
    found = _input_digits(case, name, params)
    try:
        stated = float(str(reported).replace(",", ""))
    except ValueError:
        stated = math.nan
    judged = computed if isinstance(computed, (int, float)) and not isinstance(computed, bool) else math.nan
    if found is not None and math.isfinite(stated) and stated != 0 and math.isfinite(judged):
        found = max(found, precision.digits_at(float(judged), precision.stated_place(stated)))
    return precision.digits_text({"computed": found})


def _input_digits(case: Case, name: str, params: dict) -> int | None:
    found: int | None = None
    if name in DEMOGRAPHY_SHARES:
        digits = precision.read_digits(_host_row(case, params["country"])["significant_digits"])
        found = digits.get(DEMOGRAPHY_SHARES[name])
    elif name == "share_of_world_diaspora":
        world = demo.world_estimate(case, params["estimate"])
        end = world.high if params["bound"] == "low" else world.low
        regional = demo.regional_summary(case).get("regional_diaspora_total_digits")
        found = None if regional is None else precision.quotient_digits(regional, precision.stated_digits(end))
    elif name == "world_diaspora_vs_origin":
        world = demo.world_estimate(case, params["estimate"])
        end = world.low if params["bound"] == "low" else world.high
        places = demo.population_places(case)
        wide = demo.population_wide(case)
        origin = wide[wide["country"] == case.origin].sort_values("year")
        place = places.get((case.origin, origin["year"].iloc[-1]), {}).get("titular") if not origin.empty else None
        if place is not None:
            titular = precision.digits_at(float(origin["titular_population"].iloc[-1]), place)
            found = precision.quotient_digits(precision.stated_digits(end), titular)
    return found


def check_claims(case: Case) -> pd.DataFrame:
    """Recompute every claim of the case. Columns: ``CLAIM_COLUMNS``.

    A mismatch is a finding, not an error: the checker never raises for one. ``reason`` says why a claim
    is unverifiable (no data, no method, a statement wider than the data); ``tolerance`` is the one the
    claim was judged with and ``tolerance_basis`` why.
    """
    return case.memo(("claims",), lambda: _check_claims(case))


def _check_claims(case: Case) -> pd.DataFrame:
    # pandas types a row's fields as any scalar; the claims schema gives them the types ClaimRow names.
    rows = [judge_claim(case, cast(ClaimRow, claim)) for claim in case.table("claims").itertuples()]
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)


def _shown(value: object) -> object:
    """A computed value as the claims table shows it: a segmented trend as its text, a float to 4 places."""
    if isinstance(value, SegmentedTrend):
        return str(value)
    if isinstance(value, float):
        return round(value, 4)
    return value
