"""Checking a table before it is written, column by column with pandas, as ``schema.py`` would read it.

An import of a whole UN DESA table is half a million rows; writing it as CSV and reading it back through
the cell-by-cell reader took over a minute, so a DataFrame is checked here with vectorised operations
against the same schema: types (whole numbers are whole, booleans are not numbers, no NaN or infinity),
``required``, ``enum``, ``minimum``, ``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum``, ``unique``
and the primary key. A schema with any other constraint is checked by the reader instead
(``frame_text`` then reads its own output back). tests/test_frames.py asserts that both refuse the same
tables. Issues carry the row the value will have in the written file (header = 1).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from diaspora_observatory.case.schema import _cast, primary_key, read_text
from diaspora_observatory.errors import DataIssue

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

VECTORISED = {"required", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "unique"}
LIMIT = 20  # issues reported per field and check: enough to fix a file, not a million lines


def _missing(series: pd.Series) -> pd.Series:
    """Missing as the reader sees it once written: None, NaN or an empty string (an empty cell)."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series.isna()
    return series.isna() | (series.astype(object) == "")  # object or pandas' string dtype


def _bad_type(series: pd.Series, field_type: str) -> pd.Series:
    """True where a present value does not fit ``field_type`` (False for missing values)."""
    import numpy as np
    import pandas as pd

    present = ~_missing(series)
    if field_type == "string":
        return pd.Series(False, index=series.index)
    if series.dtype == bool or field_type == "boolean":
        if field_type == "boolean":
            return present & ~_each(series, lambda v: isinstance(v, (bool, np.bool_)))
        return present
    if pd.api.types.is_integer_dtype(series.dtype):
        return pd.Series(False, index=series.index)
    if pd.api.types.is_float_dtype(series.dtype):
        finite = np.isfinite(series.to_numpy(dtype=float, na_value=np.nan))
        bad = ~finite
        if field_type == "integer":
            bad |= finite & (np.mod(np.where(finite, series, 0), 1) != 0)
        return present & pd.Series(bad, index=series.index)
    return present & ~_each(series, lambda v: _fits(v, field_type))


def _each(series: pd.Series, test) -> pd.Series:
    """``test`` of each value, as a boolean Series on ``series``' index. Not ``series.map``: on pandas' string
    dtype a map of a column of empty strings gives a string column, which ``&`` with booleans refuses."""
    import numpy as np
    import pandas as pd

    return pd.Series(np.fromiter((bool(test(value)) for value in series), dtype=bool, count=len(series)),
                     index=series.index)


def _fits(value: object, field_type: str) -> bool:
    import numpy as np

    if isinstance(value, str):  # text is read as the reader reads a cell
        try:
            _cast(value, {"type": field_type})
        except ValueError:
            return False
        return True
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        return False
    if isinstance(value, (float, np.floating)):
        return math.isfinite(value) and (field_type == "number" or float(value).is_integer())
    return True


def _normal(value: str | float | np.integer | np.floating, field_type: str) -> object:
    """A present, well-typed value as the reader would hold it (``"5"``, ``5.0`` and ``5`` are one key)."""
    if isinstance(value, str):
        return _cast(value, {"type": field_type})
    if field_type == "integer":
        return int(value)
    return float(value) if field_type == "number" else value


def _shown(value: object) -> object:
    """A value as the reader would show it once written: whole floats of integer fields as ints."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value.item() if hasattr(value, "item") else value


def frame_issues(frame: pd.DataFrame, resource: dict) -> list[DataIssue]:
    """The errors reading ``frame`` written as ``resource``'s CSV would give (rows numbered as in the file)."""
    import pandas as pd

    name, rel = resource["name"], resource["path"]
    fields = resource["schema"]["fields"]
    issues: list[DataIssue] = []

    def add(check: str, positions, field: str | None, message) -> None:
        for position in list(positions)[:LIMIT]:
            issues.append(DataIssue(check, name, int(position) + 2, field, message(position), rel))

    frame = frame.reset_index(drop=True)
    present = [f["name"] for f in fields if f["name"] in frame.columns]
    blank = pd.concat([_missing(frame[c]) for c in present], axis=1).all(axis=1) if present else \
        pd.Series(True, index=frame.index)
    add("blank_row", blank[blank].index, None, lambda p: "row is blank; delete it")
    frame = frame[~blank]  # the index keeps each row's position, so the rows after keep their numbers
    normal: dict[str, pd.Series] = {}  # each field's present, well-typed values, as the reader holds them
    for field in fields:
        column, constraints = field["name"], field.get("constraints", {})
        series = frame[column] if column in frame.columns else frame.index.to_series().map(lambda _: None)
        field_type = field.get("type", "string")
        missing = _missing(series)
        if constraints.get("required"):
            add("required", missing[missing].index, column, lambda p: "value is missing; this field is required")
        bad = _bad_type(series, field_type)
        add("type", bad[bad].index, column, lambda p, s=series, t=field_type: f"{s[p]!r} is not "
            f"{'a whole number' if t == 'integer' else 'a number' if t == 'number' else 'true or false'}; "
            f"expected type {t}")
        good = series[~missing & ~bad]
        if field_type in ("integer", "number") and not pd.api.types.is_numeric_dtype(good.dtype):
            good = good.map(lambda v, t=field_type: _normal(v, t))
        normal[column] = good
        for fails, text in _constraint_masks(good, constraints):
            failing = fails[fails].index
            add("constraint", failing, column, lambda p, s=good, f=text: f(_shown(s[p])))
        if constraints.get("unique"):
            repeated = good.duplicated(keep="first")
            first_rows = {v: i for i, v in reversed(list(good.items()))}
            add("unique", repeated[repeated].index, column, lambda p, s=good, seen=first_rows:
                f"{_shown(s[p])!r} already appears in row {seen[s[p]] + 2}")
    key = [k for k in primary_key(resource["schema"]) if k in frame.columns]
    if key:
        keyed = pd.DataFrame({k: normal[k].reindex(frame.index) for k in key})  # a bad cell is an empty key part
        empty = keyed.isna().all(axis=1)
        add("primary_key", empty[empty].index, ",".join(key),
            lambda p: f"the key ({', '.join(key)}) is empty; give this row its key")
        repeated = keyed.duplicated(keep="first") & ~empty
        add("primary_key", repeated[repeated].index, ",".join(key),
            lambda p: f"{ {k: _shown(keyed.at[p, k]) for k in key} } already appears in an earlier row")
    return sorted(issues, key=lambda issue: (issue.row or 0))


def _constraint_masks(good: pd.Series, constraints: dict):
    if "enum" in constraints:
        allowed = constraints["enum"]
        yield ~good.isin(allowed), lambda v: f"{v!r} is not one of {', '.join(map(str, allowed))}"
    bounds = (("minimum", lambda s, b: s < b, "is below the minimum"), ("maximum", lambda s, b: s > b,
              "is above the maximum"), ("exclusiveMinimum", lambda s, b: s <= b, "is not above"),
              ("exclusiveMaximum", lambda s, b: s >= b, "is not below"))
    for key, failing, words in bounds:
        if key in constraints and len(good):
            bound = constraints[key]
            yield failing(good.astype(float if isinstance(bound, float) else object), bound), \
                lambda v, w=words, b=bound: f"{v} {w} {b}"


def frame_text(frame: pd.DataFrame, resource: dict) -> tuple[str, list[DataIssue]]:
    """``frame`` as the CSV text of ``resource`` (the schema's columns, whole numbers without ``.0``) and the
    errors reading it would give."""
    import pandas as pd

    fields = resource["schema"]["fields"]
    table = pd.DataFrame({f["name"]: frame[f["name"]] if f["name"] in frame.columns else None for f in fields},
                         index=frame.index).reset_index(drop=True)
    checked_here = all(set(f.get("constraints", {})) <= VECTORISED for f in fields)
    issues = frame_issues(table, resource) if checked_here else []
    for field in fields:
        column = table[field["name"]]
        if field.get("type") == "integer" and pd.api.types.is_float_dtype(column.dtype) and not issues:
            table[field["name"]] = column.astype("Int64")  # gaps made the column float: write 5, not 5.0
    text = table.to_csv(index=False, lineterminator="\n")
    if not checked_here:
        issues = [i for i in read_text(text, resource)[1] if i.severity == "error"]
    return text, issues
