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
    """Print ``frame`` as CSV, JSON (raw values) or a terminal table (numbers by the presentation layer).

    A table wider than the terminal is printed one record at a time (column, value), so that no number
    is broken across lines and no column shrinks to one letter."""
    if output_format == "csv":
        print(to_csv(frame), end="")
    elif output_format == "json":
        print(to_json(frame))
    else:
        from rich.console import Console
        from rich.table import Table

        from diaspora_observatory.presentation.cells import is_number

        console = Console()
        columns = [str(column) for column in frame.columns]
        rows = text_rows(frame, language)
        if not rows:
            console.print(f"No rows. Columns: {', '.join(columns)}", soft_wrap=True)
            return
        numeric = [frame[column].map(is_number).any() if len(frame) else False for column in frame.columns]
        widths = [max([len(column), *(len(row[index]) for row in rows)]) for index, column in enumerate(columns)]
        if sum(widths) + 3 * len(widths) + 1 <= console.width:
            table = Table(show_lines=False)
            for column, is_numeric in zip(columns, numeric):
                table.add_column(column, justify="right" if is_numeric else "left", no_wrap=is_numeric)
            for row in rows:
                table.add_row(*row)
            console.print(table)
            return
        for number, row in enumerate(rows, start=1):
            record = Table(show_header=False, title=f"{number} / {len(rows)}", title_justify="left", box=None)
            record.add_column("column", style="bold", no_wrap=True)
            record.add_column("value", overflow="fold")
            for column, value in zip(columns, row):
                record.add_row(column, value)
            console.print(record)
