"""Cross-source checks: the same quantity from two sources, compared within a stated tolerance.

Two kinds: a case's figures against a reference source for the same country and year (the study's
Table 1 totals against World Bank population), and mirror statistics, where the two countries of a flow
each report it (emigration counted by the origin against immigration counted by the destination).

A difference in percent carries the digits its counts justify (``significant_digits``, ``analysis.precision``):
the difference is known to the coarser last place of its two counts, and its ratio to the reference has the
fewer digits of the two (Taylor 1997, sections 3.3 and 2.8); a total of 6,516,100 leaves four digits in its
difference from 7,494,498, so the difference itself is written -978,400 (not -978,398) and its percentage -13.1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from diaspora_observatory.case.pairing import DEFAULT_TOLERANCE_PCT, compare_rows

if TYPE_CHECKING:
    import pandas as pd

    from diaspora_observatory.case.package import Case

CROSS_SOURCE_COLUMNS = ["country", "year", "case_value", "case_source_id", "reference_value", "reference_source_id",
                        "difference", "difference_pct", "tolerance_pct", "within_tolerance", "significant_digits"]


def population_vs_reference(case: Case, *, reference: str = "reference_population",
                            tolerance_pct: float | None = None) -> pd.DataFrame:
    """The case's total population per country and year against the reference resource.

    Columns ``CROSS_SOURCE_COLUMNS``. The tolerance is the one the case's ``cross_source_agreement`` check
    states, else ``DEFAULT_TOLERANCE_PCT``. Empty when the case has no reference resource.
    """
    import pandas as pd

    if tolerance_pct is None:
        tolerance_pct = stated_tolerance(case.descriptor, reference)
    if reference not in case.resource_names:
        return pd.DataFrame(columns=CROSS_SOURCE_COLUMNS)
    totals = [r for r in case.rows.get("population", []) if r.get("group") == "total"]
    compared = compare_rows(totals, case.rows.get(reference, []), keys=["country", "year"],
                            value_field="population", tolerance_pct=tolerance_pct)
    for row in compared:
        row["significant_digits"] = _difference_digits(case, row, reference)
    frame = pd.DataFrame(compared, columns=[*CROSS_SOURCE_COLUMNS])
    return frame.sort_values(["country", "year"]).reset_index(drop=True)


def _difference_digits(case: Case, row: dict, reference: str) -> str:
    """``difference=N; difference_pct=M``: the difference's digits at the coarser place of its two counts (a
    derived total at the place its formula gives, see ``demography.population_places``; a reference that
    declares its rounding at that place), and its percentage the fewer of those and of the reference's."""
    from diaspora_observatory.analysis import precision
    from diaspora_observatory.analysis.demography import population_places

    case_place = population_places(case).get((row["country"], row["year"]), {}).get("total")
    if case_place is None:
        case_place = precision.stated_place(row["case_value"])
    reference_place = precision.stated_place(row["reference_value"],
                                             precision.declared_place(case.descriptor, reference, "population"))
    difference = precision.count_digits(row["difference"], [case_place, reference_place])
    digits = precision.quotient_digits(difference or 1, precision.digits_at(row["reference_value"], reference_place))
    return precision.digits_text({"difference": difference, "difference_pct": digits}, counts=["difference"])


def stated_tolerance(descriptor: dict, reference: str) -> float:
    """The tolerance (percent) of the package's cross_source_agreement check against ``reference``."""
    for spec in descriptor.get("checks", []):
        if spec.get("check") == "cross_source_agreement" and spec.get("reference") == reference:
            return float(spec.get("tolerance_pct", DEFAULT_TOLERANCE_PCT))
    return DEFAULT_TOLERANCE_PCT


MIRROR_COLUMNS = ["origin", "destination", "year", "reported_by_origin", "reported_by_destination", "difference",
                  "ratio", "relative_difference_pct", "tolerance_pct", "within_tolerance"]


def mirror_statistics(origin_side: pd.DataFrame, destination_side: pd.DataFrame, *,
                      tolerance_pct: float = 10.0) -> pd.DataFrame:
    """Compare a flow as reported by both sides.

    Both tables have columns ``origin``, ``destination``, ``year`` and ``value``: in ``origin_side`` the
    number of emigrants the origin counts leaving for the destination, in ``destination_side`` the number
    of immigrants the destination counts arriving from the origin. Only flows both sides report are kept.
    ``difference`` = destination's count − origin's; ``ratio`` = destination's / origin's;
    ``relative_difference_pct`` = difference over the mean of the two (symmetric, so neither side is taken
    as the truth). Columns ``MIRROR_COLUMNS``.
    """
    import pandas as pd

    keys = ["origin", "destination", "year"]
    merged = origin_side[[*keys, "value"]].merge(destination_side[[*keys, "value"]], on=keys,
                                                 suffixes=("_origin", "_destination"))
    merged = merged.rename(columns={"value_origin": "reported_by_origin",
                                    "value_destination": "reported_by_destination"})
    merged["difference"] = merged["reported_by_destination"] - merged["reported_by_origin"]
    merged["ratio"] = merged["reported_by_destination"] / merged["reported_by_origin"].where(
        merged["reported_by_origin"] != 0)
    mean = (merged["reported_by_destination"] + merged["reported_by_origin"]) / 2
    merged["relative_difference_pct"] = 100 * merged["difference"] / mean.where(mean != 0)
    merged["relative_difference_pct"] = merged["relative_difference_pct"].fillna(0.0)
    merged["tolerance_pct"] = tolerance_pct
    merged["within_tolerance"] = merged["relative_difference_pct"].abs() <= tolerance_pct
    return pd.DataFrame(merged, columns=MIRROR_COLUMNS).sort_values(keys).reset_index(drop=True)
