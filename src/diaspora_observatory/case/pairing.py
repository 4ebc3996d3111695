"""Rows of two sources paired on their keys and compared within a tolerance (plain dicts in and out).

It lives in the case layer because the ``cross_source_agreement`` check (case/checks.py) needs it when a
case is loaded; analysis/crosscheck.py builds its cross-source tables on the same pairing.
"""

from __future__ import annotations

from collections.abc import Iterable

DEFAULT_TOLERANCE_PCT = 5.0


def compare_rows(rows: Iterable[dict], reference_rows: Iterable[dict], *, keys: list[str], value_field: str,
                 reference_value_field: str | None = None, tolerance_pct: float = DEFAULT_TOLERANCE_PCT) -> list[dict]:
    """Pair rows of two sources on ``keys`` and compare their values (plain dicts in and out).

    ``difference`` is the case's value minus the reference's, ``difference_pct`` relative to the reference.
    Rows without a partner in the other source, or without a value, are left out.
    """
    reference_value_field = reference_value_field or value_field
    reference = {tuple(r.get(k) for k in keys): r for r in reference_rows
                 if r.get(reference_value_field) is not None}
    result = []
    for row in rows:
        other = reference.get(tuple(row.get(k) for k in keys))
        value = row.get(value_field)
        if other is None or value is None:
            continue
        reference_value = other[reference_value_field]
        difference = value - reference_value
        pct = 100 * difference / reference_value if reference_value else float("inf")
        result.append({**{k: row.get(k) for k in keys}, "case_value": value,
                       "case_source_id": row.get("source_id"), "reference_value": reference_value,
                       "reference_source_id": other.get("source_id"), "difference": difference,
                       "difference_pct": pct, "tolerance_pct": tolerance_pct,
                       "within_tolerance": abs(pct) <= tolerance_pct, "_row": row.get("_row")})
    return result
