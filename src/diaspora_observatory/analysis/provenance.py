"""What kind of value each number is: reported, derived or inferred.

- ``reported``: the source states the value (the source_id names it);
- ``derived``: computed from other values, by the study or by the observatory; the formula says how
  and the source ids are those of its inputs, so a page credits it as "computed from …";
- ``inferred``: the value is a source's, but its attribution or year is not stated by the study and was
  chosen by whoever built the case; the note says why.

A data row carries its kind in a ``provenance`` column (empty means reported: importers copy what a
source file states). An analysis table says it per row in its own ``provenance`` column, in the form
``reported: a, b; derived: c (formula); inferred: d``, so CSV and JSON downloads carry it too. Tables
whose kinds are the same on every row declare their computed columns in ``DERIVED_FIELDS`` (formula and
inputs); ``with_provenance`` writes the column from them and ``table_schema`` gives them as a Table
Schema with a ``derived`` property per computed field.
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


def _derived(formula: str, *inputs: str) -> dict:
    return {"formula": formula, "inputs": list(inputs)}


# Columns computed by the observatory (or by the study, where the data say so per row), their formula and
# the resources (or columns) they are computed from.
DERIVED_FIELDS: dict[str, dict[str, dict]] = {
    "demography": {
        "other_population": _derived("total - titular - diaspora (computed by the study; per row in the "
                                     "population resource's formula)", "population"),
        "diaspora_share_of_total_pct": _derived("100 * diaspora_population / total_population", "population"),
        "diaspora_share_of_others_pct": _derived("100 * diaspora_population / other_population", "population"),
        "share_of_regional_diaspora_pct": _derived("100 * diaspora_population / sum of diaspora_population over "
                                                   "the hosts", "population"),
        "share_of_world_diaspora_low_pct": _derived("100 * diaspora_population / high world estimate",
                                                    "population", "diaspora_estimates"),
        "share_of_world_diaspora_high_pct": _derived("100 * diaspora_population / low world estimate",
                                                     "population", "diaspora_estimates"),
    },
    "flows": {"net": _derived("immigration - emigration", "flows")},
    "mirror-flows": {"difference": _derived("partner_count - origin_count", "flows", "mirror_flows"),
                     "difference_pct": _derived("100 * difference / origin_count", "flows", "mirror_flows")},
    "periods": {**{column: _derived(f"sum of {column} over the period's years", "flows", "periods")
                   for column in ("emigration", "immigration", "net")},
                "years_covered": _derived("number of the period's years with flow data", "flows", "periods"),
                "years_in_period": _derived("end_year - start_year + 1", "periods")},
    "repatriation": {"share_pct": _derived("the value where it is a percentage; else 100 * value / the sum of "
                                           "its (year, population, dimension) group", "repatriation")},
    "education": {"emigrants_share_pct": _derived("100 * count / the sum over the levels", "repatriation")},
    "institutions": {
        **{f"support_{support}": _derived("present if a source names one, absent if a source says there is "
                                          "none, else not_reported", "institutions", "schooling")
           for support in ("schooling", "higher_education", "culture", "organisation")},
        "supports_present": _derived("number of supports present", "institutions", "schooling"),
        "supports_absent": _derived("number of supports absent", "institutions", "schooling"),
        "supports_not_reported": _derived("number of supports not reported", "institutions", "schooling"),
        "supports_reported": _derived("supports_present + supports_absent", "institutions", "schooling"),
    },
}
# Tables whose every numeric column is computed (totals, tests, slopes) from the named resources.
COMPUTED_TABLES = {"flow-summary": "flows"}


def table_schema(name: str, frame: pd.DataFrame) -> dict:
    """A Table Schema of ``frame`` (the table ``name``): fields with a ``derived`` property (formula and
    inputs) where the table computes the column."""
    declared = DERIVED_FIELDS.get(name, {})
    fields = []
    for column in frame.columns:
        field: dict = {"name": str(column)}
        if column in declared:
            field["derived"] = declared[column]
        elif name in COMPUTED_TABLES and frame[column].dtype.kind in "fi" and not str(column).endswith("year"):
            field["derived"] = _derived(f"computed from {COMPUTED_TABLES[name]} (see docs/truth.md)",
                                        COMPUTED_TABLES[name])
        fields.append(field)
    return {"fields": fields}


def with_provenance(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``provenance`` column from the declarations, unless it has one already."""
    if "provenance" in frame.columns or frame.empty or (name not in DERIVED_FIELDS and name not in COMPUTED_TABLES):
        return frame
    schema = table_schema(name, frame)
    kinds = {field["name"]: "derived" if "derived" in field else "reported" for field in schema["fields"]
             if frame[field["name"]].dtype.kind in "fi" and not field["name"].endswith("year")}
    text = describe(kinds)
    position = list(frame.columns).index("source_id") if "source_id" in frame.columns else len(frame.columns)
    return frame.assign(provenance=text)[[*frame.columns[:position], "provenance", *frame.columns[position:]]]
