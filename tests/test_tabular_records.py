"""tabular.records reads a frame a column at a time (issue 15 item 3: the report's tables were a third
slower through pandas' row-by-row ``to_dict``); its rows must be exactly those of ``to_dict`` cleaned as
before: the same keys, the same Python types and values, NaN and pd.NA as None."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from diaspora_observatory.case.package import load_case
from diaspora_observatory.tables import TABLE_NAMES, build_table
from diaspora_observatory.tabular import records


def _by_to_dict(frame: pd.DataFrame) -> list[dict]:
    """The rows as records() wrote them before: to_dict's, numpy scalars unwrapped, NaN as None."""
    rows = []
    for row in frame.to_dict(orient="records"):
        clean = {}
        for key, value in row.items():
            if hasattr(value, "item"):
                value = value.item()
            if isinstance(value, float) and math.isnan(value):
                value = None
            clean[key] = value
        rows.append(clean)
    return rows


def _typed(rows: list[dict]) -> list[list[tuple[str, type, object]]]:
    return [[(key, type(value), value) for key, value in row.items()] for row in rows]


MIXED = pd.DataFrame({
    "text": ["a", None, "c"],
    "integer": [1, 2, 3],
    "real": [0.5, float("nan"), 2.0],
    "flag": [True, False, True],
    "nullable": pd.array([1, None, 3], dtype="Int64"),
    "objects": pd.Series([np.int64(4), np.float64(2.5), None], dtype=object),
    "object_flags": pd.Series([np.bool_(True), "x", float("nan")], dtype=object),
    "when": pd.to_datetime(["2020-01-01", None, "2021-06-30"]),
    "string": pd.array(["x", None, "z"], dtype="string"),
})


def test_records_are_to_dicts_rows_with_their_types() -> None:
    assert _typed(records(MIXED)) == _typed(_by_to_dict(MIXED))
    row = records(MIXED)[1]
    assert row.pop("when") is pd.NaT  # as to_dict gives it: pandas' missing time, not None
    assert row == {"text": None, "integer": 2, "real": None, "flag": False, "nullable": None, "objects": 2.5,
                   "object_flags": "x", "string": None}


@pytest.mark.parametrize("frame", [MIXED.iloc[0:0], MIXED[[]], pd.DataFrame()], ids=["no rows", "no columns", "empty"])
def test_records_of_an_empty_frame(frame: pd.DataFrame) -> None:
    assert records(frame) == _by_to_dict(frame)


def test_records_of_every_table_of_the_built_in_case() -> None:
    case = load_case()
    for name in TABLE_NAMES:
        frame = build_table(case, name)
        assert _typed(records(frame)) == _typed(_by_to_dict(frame)), name
