"""Named data checks. Each takes the loaded rows and its parameters and yields DataIssues.

A package lists the checks it wants under ``checks`` in ``datapackage.json``; the checks that apply
to every package (codes known, sources resolve) are listed there too, so a package says all it expects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator

from diaspora_observatory.case.check_params import FILTERS, Param
from diaspora_observatory.case.pairing import compare_rows
from diaspora_observatory.case.places import count_difference, declared_place
from diaspora_observatory.countries import is_known_alpha3
from diaspora_observatory.errors import DataIssue

Rows = dict[str, list[dict]]
CheckFunction = Callable[..., Iterator[DataIssue]]
CHECKS: dict[str, CheckFunction] = {}
PARAMETERS: dict[str, dict[str, Param]] = {}  # each check's parameter schema, validated before it runs
NEEDS_DESCRIPTOR: set[str] = set()  # checks that read the whole descriptor (given as ``descriptor``)
SUM_TOLERANCE = 0.5  # percentages in the study carry one decimal at most
RESOURCE = Param("resource")


def check(name: str, **parameters: Param) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under ``name`` with the schema of its parameters (see ``check_params.Param``)."""
    def register(function: CheckFunction) -> CheckFunction:
        import inspect

        CHECKS[name] = function
        PARAMETERS[name] = parameters or _from_signature(function)
        if "descriptor" in inspect.signature(function).parameters:
            NEEDS_DESCRIPTOR.add(name)
        return function
    return register


def _from_signature(function: CheckFunction) -> dict[str, Param]:
    """A check registered without a schema still refuses unknown and missing keys: its keyword-only
    parameters, required when they have no default (values are then not type-checked)."""
    import inspect

    return {name: Param("any", required=parameter.default is inspect.Parameter.empty)
            for name, parameter in inspect.signature(function).parameters.items()
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY and name != "descriptor"}


def _selected(rows: list[dict], only: dict | None = None, skip: dict | None = None) -> list[dict]:
    only, skip = only or {}, skip or {}
    return [r for r in rows
            if all(r.get(k) in v for k, v in only.items()) and not any(r.get(k) in v for k, v in skip.items())]


def _grouped(rows: list[dict], keys: list[str]) -> dict[tuple, list[dict]]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        groups[tuple(row.get(k) for k in keys)].append(row)
    return groups


def _label(keys: list[str], values: tuple) -> str:
    return ", ".join(f"{k}={v}" for k, v in zip(keys, values))


@check("parts_sum_to_total", resource=RESOURCE, keys=Param("fields"), category_field=Param("field"),
       value_field=Param("field", numeric=True), total=Param("text"), parts=Param("texts"), **FILTERS)
def parts_sum_to_total(rows: Rows, paths: dict, *, resource, keys, category_field, value_field, total, parts,
                       only=None, skip=None) -> Iterator[DataIssue]:
    """The rows of ``parts`` add up to the row of ``total`` within each key group."""
    for key, group in _grouped(_selected(rows[resource], only, skip), keys).items():
        by_category = {r[category_field]: r for r in group}
        total_row = by_category.get(total)
        if total_row is None or total_row[value_field] is None:
            continue
        missing = [p for p in parts if p not in by_category]
        if missing:
            yield DataIssue.shaped("parts_sum_to_total", resource, total_row["_row"], category_field,
                                   "{where}: no row for {missing}",
                                   {"where": _label(keys, key), "missing": ", ".join(missing)}, paths[resource])
            continue
        values = [by_category[p][value_field] for p in parts]
        if any(v is None for v in values):
            continue
        if sum(values) != total_row[value_field]:
            yield DataIssue.shaped(
                "parts_sum_to_total", resource, total_row["_row"], value_field,
                "{where}: {parts} = {parts_sum:,} but {total} is {total_value:,} (difference {difference:+,}); "
                "correct the part or the total",
                {"where": _label(keys, key), "parts": " + ".join(parts), "parts_sum": sum(values), "total": total,
                 "total_value": total_row[value_field], "difference": sum(values) - total_row[value_field]},
                paths[resource])


@check("shares_within_range", resource=RESOURCE, value_field=Param("field", numeric=True), **FILTERS)
def shares_within_range(rows: Rows, paths: dict, *, resource, value_field, only=None, skip=None):
    """Percentages lie between 0 and 100."""
    for row in _selected(rows[resource], only, skip):
        value = row.get(value_field)
        if value is not None and not 0 <= value <= 100:
            yield DataIssue.shaped("shares_within_range", resource, row["_row"], value_field,
                                   "share {value} is outside 0-100", {"value": value}, paths[resource])


def _share_sums(rows: Rows, resource, keys, value_field, only, skip):
    for key, group in _grouped(_selected(rows[resource], only, skip), keys).items():
        values = [r[value_field] for r in group if r.get(value_field) is not None]
        if values:
            yield key, group, sum(values)


@check("shares_sum_to_100", resource=RESOURCE, keys=Param("fields"), value_field=Param("field", numeric=True),
       **FILTERS)
def shares_sum_to_100(rows: Rows, paths: dict, *, resource, keys, value_field, only=None, skip=None):
    """Shares of a complete distribution add up to 100 (within rounding)."""
    for key, group, total in _share_sums(rows, resource, keys, value_field, only, skip):
        if abs(total - 100) > SUM_TOLERANCE:
            yield DataIssue.shaped("shares_sum_to_100", resource, group[0]["_row"], value_field,
                                   "{where}: shares add up to {total:g}, not 100",
                                   {"where": _label(keys, key), "total": total}, paths[resource])


@check("shares_at_most_100", resource=RESOURCE, keys=Param("fields"), value_field=Param("field", numeric=True),
       **FILTERS)
def shares_at_most_100(rows: Rows, paths: dict, *, resource, keys, value_field, only=None, skip=None):
    """Shares of a partly reported distribution add up to no more than 100."""
    for key, group, total in _share_sums(rows, resource, keys, value_field, only, skip):
        if total > 100 + SUM_TOLERANCE:
            yield DataIssue.shaped("shares_at_most_100", resource, group[0]["_row"], value_field,
                                   "{where}: shares add up to {total:g}, more than 100",
                                   {"where": _label(keys, key), "total": total}, paths[resource])


@check("years_continuous", resource=RESOURCE, keys=Param("fields"), year_field=Param("field", numeric="integer"))
def years_continuous(rows: Rows, paths: dict, *, resource, keys, year_field):
    """Every key group has one row per year with no gap between its first and last year."""
    for key, group in _grouped(rows[resource], keys).items():
        years = sorted(r[year_field] for r in group if r.get(year_field) is not None)
        if not years:
            continue
        gaps = _gaps(sorted(set(years)))
        if gaps:
            yield DataIssue.shaped("years_continuous", resource, group[0]["_row"], year_field,
                                   "{where}: no row for {gaps} between {first_year} and {last_year}",
                                   {"where": _label(keys, key), "gaps": ", ".join(gaps), "first_year": years[0],
                                    "last_year": years[-1]}, paths[resource])


def _gaps(years: list[int]) -> list[str]:
    """The missing years between consecutive ``years``, a long run as ``first–last`` (a mistyped year such
    as 20220 must not list eighteen thousand years)."""
    gaps = []
    for before, after in zip(years, years[1:]):
        if after - before > 4:
            gaps.append(f"{before + 1}–{after - 1}")
        else:
            gaps.extend(str(year) for year in range(before + 1, after))
    return gaps


@check("range_ordered", resource=RESOURCE, low_field=Param("field", numeric=True),
       high_field=Param("field", numeric=True))
def range_ordered(rows: Rows, paths: dict, *, resource, low_field, high_field):
    """The low end of a range is not above its high end."""
    for row in rows[resource]:
        low, high = row.get(low_field), row.get(high_field)
        if low is not None and high is not None and low > high:
            yield DataIssue.shaped("range_ordered", resource, row["_row"], low_field,
                                   "{low_field} {low:,} is above {high_field} {high:,}",
                                   {"low_field": low_field, "low": low, "high_field": high_field, "high": high},
                                   paths[resource])


@check("country_codes_known")
def country_codes_known(rows: Rows, paths: dict, *, descriptor):
    """Fields marked ``countryCode`` hold ISO 3166-1 alpha-3 codes."""
    for resource in descriptor["resources"]:
        for field in resource["schema"]["fields"]:
            if not field.get("countryCode"):
                continue
            for row in rows.get(resource["name"], []):
                code = row.get(field["name"])
                if code is not None and not is_known_alpha3(code):
                    yield DataIssue.shaped("country_codes_known", resource["name"], row["_row"], field["name"],
                                           "{code!r} is not an ISO 3166-1 alpha-3 country code (such as KAZ or UZB)",
                                           {"code": code}, paths[resource["name"]])


@check("sources_resolve")
def sources_resolve(rows: Rows, paths: dict, *, descriptor):
    """Every ``source_id`` is a row of the ``sources`` resource."""
    known = {r["source_id"] for r in rows.get("sources", [])}
    for resource in descriptor["resources"]:
        if resource["name"] == "sources":
            continue
        for row in rows.get(resource["name"], []):
            source_id = row.get("source_id", None)
            if source_id is not None and source_id not in known:
                yield DataIssue.shaped("sources_resolve", resource["name"], row["_row"], "source_id",
                                       "source {source_id!r} is not in sources.csv; add it there or fix the id",
                                       {"source_id": source_id}, paths[resource["name"]])


@check("cross_source_agreement", resource=RESOURCE, reference=Param("resource"),
       keys=Param("fields", of=("resource", "reference")), value_field=Param("field", numeric=True),
       tolerance_pct=Param("number"),
       reference_value_field=Param("field", required=False, of="reference", numeric=True), **FILTERS)
def cross_source_agreement(rows: Rows, paths: dict, *, resource, reference, keys, value_field, tolerance_pct,
                           descriptor, reference_value_field=None, only=None, skip=None):
    """The values of ``resource`` agree with another source, ``reference``, for the same keys within
    ``tolerance_pct`` percent of the reference value. A larger difference is a warning: two producers
    disagreeing is a finding to show, not an error in the data. The difference is written at the coarser
    place of its two counts (``places.count_difference``; a field's declared ``rounding`` wins over its
    trailing zeros), as the pages write it: 6,516,100 against 7,494,498 differs by -978,400."""
    places = (declared_place(descriptor, resource, value_field),
              declared_place(descriptor, reference, reference_value_field or value_field))
    compared = compare_rows(_selected(rows[resource], only, skip), rows[reference], keys=keys,
                            value_field=value_field, reference_value_field=reference_value_field,
                            tolerance_pct=tolerance_pct)
    for pair in compared:
        if pair["within_tolerance"]:
            continue
        where = _label(keys, tuple(pair[k] for k in keys))
        yield DataIssue.shaped(
            "cross_source_agreement", resource, pair["_row"], value_field,
            "{where}: {case_value:,} ({case_source_id}) differs from {reference}'s {reference_value:,} "
            "({reference_source_id}) by {difference:+,} ({difference_pct:+.1f}%), more than the tolerance of "
            "{tolerance_pct:g}%",
            {"where": where, "case_value": pair["case_value"], "case_source_id": pair["case_source_id"],
             "reference": reference, "reference_value": pair["reference_value"],
             "reference_source_id": pair["reference_source_id"],
             "difference": count_difference(pair["case_value"], pair["reference_value"], places),
             "difference_pct": pair["difference_pct"], "tolerance_pct": tolerance_pct},
            paths[resource], severity="warning")

