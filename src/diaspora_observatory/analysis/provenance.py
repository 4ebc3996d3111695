"""What kind of value each number is: reported, derived or inferred.

- ``reported``: the source states the value (the source_id names it);
- ``derived``: computed from other values, by the study or by the observatory; the formula says how
  and the source ids are those of its inputs, so a page credits it as "computed from …";
- ``inferred``: the value is a source's, but its attribution or year is not stated by the study and was
  chosen by whoever built the case; the note says why.

A data row carries its kind in a ``provenance`` column (empty means reported: importers copy what a
source file states). An analysis table says it per row in its own ``provenance`` column, in the form
``reported: a, b; derived: c (formula); inferred: d``, so CSV and JSON downloads carry it too.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

REPORTED, DERIVED, INFERRED = "reported", "derived", "inferred"
KINDS = (REPORTED, DERIVED, INFERRED)


def kind_of(value: object) -> str:
    """The provenance kind of a data row's ``provenance`` cell; empty or missing means reported."""
    if isinstance(value, str) and value.strip():
        kind = value.strip()
        if kind not in KINDS:
            raise ValueError(f"unknown provenance {kind!r}; expected one of {', '.join(KINDS)}")
        return kind
    return REPORTED


def kinds_column(table: pd.DataFrame) -> pd.Series:
    """Each row's kind (reported where the table has no ``provenance`` column)."""
    if "provenance" not in table.columns:
        return pd.Series(REPORTED, index=table.index)
    return table["provenance"].map(kind_of)


def describe(kinds: Mapping[str, str], formulas: Mapping[str, str] | None = None) -> str:
    """``{"a": "reported", "c": "derived"}`` -> ``"reported: a; derived: c (formula)"``, kinds in a fixed order."""
    formulas = formulas or {}
    parts = []
    for kind in KINDS:
        columns = [column for column, found in kinds.items() if found == kind]
        if columns:
            named = [f"{column} ({formulas[column]})" if formulas.get(column) else column for column in columns]
            parts.append(f"{kind}: {', '.join(named)}")
    return "; ".join(parts)
