"""The demographic model (Table 1): the diaspora's share of each host's population, regional totals,
concentration, and the share of the world diaspora as an interval.

Every row says what kind each of its values is (``provenance``: reported, derived or inferred, see
``analysis.provenance``): Table 1's "other groups" are the total minus the titular nation and the
diaspora, and the shares are computed here; neither is a statistics office's figure."""

from __future__ import annotations

from typing import Any

import pandas as pd

from diaspora_observatory.analysis import precision
from diaspora_observatory.analysis.provenance import describe, kinds_column
from diaspora_observatory.analysis.ranges import Range
from diaspora_observatory.case.package import Case

DEMOGRAPHY_COLUMNS = [
    "country", "year", "total_population", "titular_population", "diaspora_population", "other_population",
    "diaspora_share_of_total_pct", "diaspora_share_of_others_pct", "share_of_regional_diaspora_pct",
    "share_of_world_diaspora_low_pct", "share_of_world_diaspora_high_pct", "provenance", "source_ids",
    "significant_digits",
]
GROUPS = ["total", "titular", "diaspora", "other"]
# Columns the demographic model computes from Table 1's counts (formulas in tables.DERIVED_FIELDS).
SHARE_COLUMNS = ["diaspora_share_of_total_pct", "diaspora_share_of_others_pct", "share_of_regional_diaspora_pct",
                 "share_of_world_diaspora_low_pct", "share_of_world_diaspora_high_pct"]


def population_wide(case: Case) -> pd.DataFrame:
    """Table 1 as one row per country and year: total, titular, diaspora and other populations."""
    return case.memo(("population_wide",), lambda: _population_wide(case))


def _population_wide(case: Case) -> pd.DataFrame:
    long = case.table("population")
    wide = long.pivot_table(index=["country", "year"], columns="group", values="population", aggfunc="first")
    wide = wide.reindex(columns=GROUPS).reset_index()
    wide.columns = ["country", "year", *(f"{group}_population" for group in GROUPS)]
    sources = long.groupby(["country", "year"])["source_id"].agg(lambda s: ";".join(sorted(set(s))))
    keys = wide.set_index(["country", "year"]).index
    kinds = population_kinds(case)
    wide["provenance"] = [describe(*kinds.get(key, ({}, {}))) for key in keys]
    wide["source_ids"] = keys.map(sources)  # type: ignore[arg-type]  # the stub omits Series, which map takes
    return wide


def population_kinds(case: Case) -> dict[tuple, tuple[dict[str, str], dict[str, str]]]:
    """For each (country, year): the kind of each ``<group>_population`` value and the formulas of the
    derived ones, in Table 1's column order."""
    long = case.table("population")
    long = long.assign(kind=kinds_column(long),
                       formula=(long["formula"] if "formula" in long.columns else pd.Series("", index=long.index))
                       .fillna(""))
    order = {group: position for position, group in enumerate(GROUPS)}
    long = long.sort_values("group", key=lambda groups: groups.map(order))
    found: dict[tuple, tuple[dict[str, str], dict[str, str]]] = {}
    for row in long.itertuples():
        kinds, formulas = found.setdefault((row.country, row.year), ({}, {}))
        kinds[f"{row.group}_population"] = str(row.kind)
        if row.formula:
            formulas[f"{row.group}_population"] = str(row.formula)
    return found


def world_estimate(case: Case, estimate_id: str | None = None) -> Range:
    """The world diaspora estimate named by the case (``diaspora.world_estimate``) as a Range."""
    estimate_id = estimate_id or case.diaspora.get("world_estimate")
    # Once per estimate (the claims ask for it a dozen times); a Range is frozen, so the memo shares it.
    return case.memo(("world_estimate", estimate_id), lambda: _world_estimate(case, estimate_id))


def _world_estimate(case: Case, estimate_id: str | None) -> Range:
    table = case.table("diaspora_estimates")
    row = table[table["estimate_id"] == estimate_id]
    if row.empty:
        raise KeyError(f"no diaspora estimate {estimate_id!r}")
    return Range(float(row["low"].iloc[0]), float(row["high"].iloc[0]))


def demography(case: Case) -> pd.DataFrame:
    """One row per host country (latest year): populations and the diaspora's shares.

    Columns: ``DEMOGRAPHY_COLUMNS``. ``diaspora_share_of_others_pct`` divides the diaspora by the
    other (non-titular, non-diaspora) groups, as the study does; the world shares are the interval
    obtained from the world estimate's range.
    """
    return case.memo(("demography",), lambda: _demography(case))


def _demography(case: Case) -> pd.DataFrame:
    wide = population_wide(case)
    hosts = wide[wide["country"].isin(case.hosts)].sort_values("year").groupby("country").tail(1)
    hosts = hosts.sort_values("country").reset_index(drop=True)
    hosts["diaspora_share_of_total_pct"] = 100 * hosts["diaspora_population"] / hosts["total_population"]
    hosts["diaspora_share_of_others_pct"] = 100 * hosts["diaspora_population"] / hosts["other_population"]
    regional = hosts["diaspora_population"].sum()
    hosts["share_of_regional_diaspora_pct"] = 100 * hosts["diaspora_population"] / regional
    try:
        world = world_estimate(case)
        hosts["share_of_world_diaspora_low_pct"] = 100 * hosts["diaspora_population"] / world.high
        hosts["share_of_world_diaspora_high_pct"] = 100 * hosts["diaspora_population"] / world.low
    except KeyError:
        hosts["share_of_world_diaspora_low_pct"] = float("nan")
        hosts["share_of_world_diaspora_high_pct"] = float("nan")
    kinds = population_kinds(case)
    shares = {column: "derived" for column in SHARE_COLUMNS if hosts[column].notna().any()}
    hosts["provenance"] = [describe({**kinds.get(key, ({}, {}))[0], **shares}, kinds.get(key, ({}, {}))[1])
                           for key in zip(hosts["country"], hosts["year"])]
    hosts["significant_digits"] = _share_digits(case, hosts)
    return hosts[DEMOGRAPHY_COLUMNS]


def population_places(case: Case) -> dict[tuple, dict[str, int]]:
    """For each (country, year): the decimal place of the last significant digit of each group's count
    (``analysis.precision``): a stated count's own (9000: thousands), a derived one's from its formula
    (``total - titular - diaspora``: the coarsest of the three). A group whose precision cannot be told
    is left out, and what is computed from it keeps the presentation layer's ceiling."""
    return case.memo(("population_places",), lambda: _population_places(case))


def _population_places(case: Case) -> dict[tuple, dict[str, int]]:
    long = case.table("population")
    formulas = long["formula"].fillna("") if "formula" in long.columns else pd.Series("", index=long.index)
    kinds = kinds_column(long)
    found: dict[tuple, dict[str, int]] = {}
    derived: list[tuple[tuple, str, float, str]] = []
    # A schema that states its rounding (``"rounding": 1``, to the person) overrides the trailing zeros.
    declared = precision.declared_place(case.descriptor, "population", "population")
    for row, formula, kind in zip(long.itertuples(), formulas, kinds):
        # pandas types a row's fields as any scalar; the schema says population is a number, group a text.
        population: Any = row.population
        if pd.isna(population):
            continue
        key, group = (row.country, row.year), str(row.group)
        if kind == "derived" and formula:
            derived.append((key, group, float(population), str(formula)))
        else:
            found.setdefault(key, {})[group] = precision.stated_place(float(population), declared)
    # A derived count may use another derived one (other = total - titular - diaspora with titular =
    # 0.85 * total): products first, then the differences that use them.
    for key, group, value, formula in sorted(derived, key=lambda item: "*" not in item[3]):
        place = precision.derived_place(formula, value, found.get(key, {}))
        if place is not None:
            found.setdefault(key, {})[group] = place
    return found


def _digits(value: Any, place: int | None) -> int | None:  # a row's field: a number, or NaN when missing
    return None if place is None or pd.isna(value) else precision.digits_at(value, place)


def _share_digits(case: Case, hosts: pd.DataFrame) -> list[str]:
    """Each host's ``significant_digits``: every share has the fewer digits of its two counts (Taylor 2.8)."""
    places = population_places(case)
    kinds = population_kinds(case)
    regional_place = _regional_place(case, hosts)
    regional_digits = _digits(hosts["diaspora_population"].sum(), regional_place)
    try:
        world = world_estimate(case)
        world_digits = {"low": precision.stated_digits(world.low), "high": precision.stated_digits(world.high)}
    except KeyError:
        world_digits = {}
    texts = []
    for row in hosts.itertuples():
        place = places.get((row.country, row.year), {})
        diaspora = _digits(row.diaspora_population, place.get("diaspora"))
        total = _digits(row.total_population, place.get("total"))
        other = _digits(row.other_population, place.get("other"))
        # A derived count is written down to the place its formula gives (other groups = total - titular -
        # diaspora: Kyrgyzstan's 1,716,446 is known to the thousands, 1,716,000); a stated one as stated.
        derived = {f"{group}_population": _digits(getattr(row, f"{group}_population"), place.get(group))
                   for group in ("total", "titular", "diaspora", "other")
                   if kinds.get((row.country, row.year), ({}, {}))[1].get(f"{group}_population")}
        digits = {
            **derived,
            "diaspora_share_of_total_pct": _fewest(diaspora, total),
            "diaspora_share_of_others_pct": _fewest(diaspora, other),
            "share_of_regional_diaspora_pct": _fewest(diaspora, regional_digits),
            # the low share divides by the high world estimate, and the high share by the low one
            "share_of_world_diaspora_low_pct": _fewest(diaspora, world_digits.get("high")),
            "share_of_world_diaspora_high_pct": _fewest(diaspora, world_digits.get("low")),
        }
        texts.append(precision.digits_text(digits, counts=derived))
    return texts


def _fewest(*digits: int | None) -> int | None:
    known = [found for found in digits if found is not None]
    return None if len(known) < len(digits) else precision.quotient_digits(*known)


def _regional_place(case: Case, hosts: pd.DataFrame) -> int | None:
    """The last significant place of the sum of the hosts' diaspora counts (Taylor 3.3)."""
    places = population_places(case)
    found = [places.get((row.country, row.year), {}).get("diaspora") for row in hosts.itertuples()]
    known = [place for place in found if place is not None]
    return None if not found or len(known) < len(found) else precision.sum_place(known)


def regional_summary(case: Case) -> dict:
    """Key regional figures: total in the hosts, the largest host and its concentration, the share of
    the world diaspora (a range) and the world diaspora relative to the origin's titular population."""
    return case.memo(("regional_summary",), lambda: _regional_summary(case))


def _regional_summary(case: Case) -> dict:
    table = demography(case)
    regional_total = int(table["diaspora_population"].sum())
    largest = table.sort_values("diaspora_population", ascending=False).iloc[0]
    result: dict = {
        "regional_diaspora_total": regional_total,
        "largest_host": largest["country"],
        "largest_host_share_pct": float(largest["share_of_regional_diaspora_pct"]),
        "hosts_by_size": table.sort_values("diaspora_population", ascending=False)["country"].tolist(),
    }
    regional_digits = _digits(regional_total, _regional_place(case, table))
    result["regional_diaspora_total_digits"] = regional_digits
    shares = precision.read_digits(largest["significant_digits"])
    result["largest_host_share_digits"] = shares.get("share_of_regional_diaspora_pct")
    try:
        world = world_estimate(case)
    except KeyError:
        return result
    share = Range(regional_total, regional_total).share_of(world)
    result.update({"world_estimate_low": world.low, "world_estimate_high": world.high,
                   "share_of_world_diaspora_low_pct": share.low, "share_of_world_diaspora_high_pct": share.high,
                   # the fewer digits of the regional sum and of the estimate's ends (Taylor 2.8)
                   "share_of_world_diaspora_digits": _fewest(regional_digits, precision.stated_digits(world.low),
                                                             precision.stated_digits(world.high))})
    origin = population_wide(case)
    origin = origin[origin["country"] == case.origin].sort_values("year")
    if not origin.empty:
        titular = float(origin["titular_population"].iloc[-1])
        ratio = world.share_of(Range(titular, titular))
        result.update({"origin_titular_population": titular,
                       "world_diaspora_vs_origin_low_pct": ratio.low,
                       "world_diaspora_vs_origin_high_pct": ratio.high})
    return result


def size_history(case: Case) -> pd.DataFrame:
    """Diaspora size estimates per host over time (ranges), e.g. the 1990s against 2024."""
    table = case.table("diaspora_estimates")
    table = table[table["scope"] == "country"].copy()
    kinds = kinds_column(table)
    table["provenance"] = [f"{kind}: low, high" for kind in kinds]
    return table.sort_values(["country", "year_from"]).reset_index(drop=True)
