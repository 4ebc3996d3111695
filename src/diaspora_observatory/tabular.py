"""Formatting DataFrames for output: JSON-safe records, CSV, and a terminal table."""

from __future__ import annotations

import io
import json
import math

import pandas as pd


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with NaN turned into None and numpy scalars into Python numbers."""
    result = []
    for row in frame.to_dict(orient="records"):
        clean = {}
        for key, value in row.items():
            if hasattr(value, "item"):
                value = value.item()
            if isinstance(value, float) and math.isnan(value):
                value = None
            clean[key] = value
        result.append(clean)
    return result


def to_csv(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def to_json(frame: pd.DataFrame) -> str:
    return json.dumps(records(frame), indent=2, ensure_ascii=False)


def print_table(frame: pd.DataFrame, output_format: str) -> None:
    if output_format == "csv":
        print(to_csv(frame), end="")
    elif output_format == "json":
        print(to_json(frame))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(show_lines=False)
        for column in frame.columns:
            table.add_column(str(column), overflow="fold")
        for row in records(frame):
            table.add_row(*("" if v is None else f"{v:,.4g}" if isinstance(v, float) else str(v) for v in row.values()))
        Console().print(table)
