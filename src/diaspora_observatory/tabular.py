"""DataFrames for output: JSON-safe records and CSV (raw machine values), and a terminal table whose
numbers are written by the presentation layer, as on the web pages and in the report."""

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


def text_rows(frame: pd.DataFrame, language: str = "en") -> list[list[str]]:
    """The rows of ``frame`` as the terminal shows them: each number written for its column's kind."""
    from diaspora_observatory.presentation.cells import cell_text

    return [[cell_text(column, value, language, row) for column, value in row.items()] for row in records(frame)]


def print_table(frame: pd.DataFrame, output_format: str, language: str = "en") -> None:
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
        for row in text_rows(frame, language):
            table.add_row(*row)
        Console().print(table)
