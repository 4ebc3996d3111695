"""DataFrames for output: JSON-safe records and CSV (raw machine values), and a terminal table whose
numbers are written by the presentation layer, as on the web pages and in the report."""

from __future__ import annotations

import io
import json
import math

import pandas as pd


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with NaN turned into None and numpy scalars into Python numbers.

    The values are ``frame.to_dict(orient="records")``'s, read a column at a time: pandas' own
    ``to_dict`` walks the frame row by row and boxes every value of a text column through
    ``maybe_box_native`` (a third of a report's table-writing time); here a column's ``tolist()`` gives
    the same Python values (a numeric column's as Python numbers, any other's as they are), and only the
    values that are not already plain Python objects are boxed, by the same function ``to_dict`` uses.
    """
    if not frame.columns.is_unique:  # to_dict keeps one of the duplicated columns, and warns: left to it
        return [_clean(row) for row in frame.to_dict(orient="records")]
    columns = frame.columns.tolist()
    # items(), not iloc[:, i]: the same column, without the indexer's checks on every call
    values = [[_boxed(value) for value in column.tolist()] if _needs_boxing(column.dtype) else column.tolist()
              for _, column in frame.items()]
    return [_clean(dict(zip(columns, row, strict=True))) for row in zip(*values, strict=True)] if columns \
        else [{} for _ in range(len(frame))]


def _needs_boxing(dtype: object) -> bool:
    """The columns whose values ``to_dict`` boxes (object and extension dtypes); a numpy numeric, boolean or
    datetime column's ``tolist()`` already gives Python values (or pandas' Timestamps), as ``to_dict`` does."""
    from pandas.api.extensions import ExtensionDtype

    return getattr(dtype, "kind", None) == "O" or isinstance(dtype, ExtensionDtype)  # "O": numpy's object dtype


_PLAIN = (str, float, int, bool, type(None))


def _boxed(value: object) -> object:
    # A str, float, int, bool or None comes out of maybe_box_native as it went in (a bool stays a bool,
    # a float a float); anything else (numpy scalars, pd.NA, datetime64) goes through it.
    if type(value) in _PLAIN:
        return value
    from pandas.core.dtypes.cast import maybe_box_native  # type: ignore[attr-defined]  # to_dict's own; not in the stubs

    return maybe_box_native(value)


def _clean(row: dict) -> dict:
    clean = {}
    for key, value in row.items():
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and math.isnan(value):
            value = None
        clean[key] = value
    return clean


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

        from diaspora_observatory.presentation.cells import HIDDEN_COLUMNS, is_number

        console = Console()
        rows = text_rows(frame, language)
        # A column that says how to write the others is not shown (CSV and JSON keep it).
        shown = [index for index, column in enumerate(frame.columns) if str(column) not in HIDDEN_COLUMNS]
        rows = [[row[index] for index in shown] for row in rows]
        frame = frame.iloc[:, shown]
        columns = [str(column) for column in frame.columns]
        if not rows:
            console.print(f"No rows. Columns: {', '.join(columns)}", soft_wrap=True)
            return
        numeric = [frame[column].map(is_number).any() if len(frame) else False for column in frame.columns]
        widths = [max([len(column), *(len(row[index]) for row in rows)]) for index, column in enumerate(columns)]
        if sum(widths) + 3 * len(widths) + 1 <= console.width:
            table = Table(show_lines=False)
            for column, is_numeric in zip(columns, numeric):
                table.add_column(column, justify="right" if is_numeric else "left", no_wrap=bool(is_numeric))
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


CLAIM_COLOURS = {"confirmed": "green", "mismatch": "red", "unverifiable": "yellow"}


def claim_difference(claim: dict) -> str:
    """Computed minus reported, written with the computed value's digits and a sign; empty when either is
    not a number (a trend statement, a claim with no data)."""
    from diaspora_observatory.presentation.cells import cell_text, is_number

    try:
        reported = float(str(claim["reported"]).replace(",", ""))
    except ValueError:
        return ""
    if not is_number(claim["computed"]):
        return ""
    difference = float(claim["computed"]) - reported
    # the difference at the ceiling of digits: the computed value's own (a share to two digits) would
    # round a small difference away
    text = cell_text("computed", difference, "en", {**claim, "significant_digits": ""})
    return f"+{text}" if difference > 0 and not text.startswith("+") else text


def print_claims(claims: pd.DataFrame) -> None:
    """The recomputed claims as a terminal table: reported, computed and their difference side by side,
    then the status, then why (the reason of an unverifiable claim, the note of any other). Rich fits it
    to the terminal's width by wrapping the statement and the explanation, never a number."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from diaspora_observatory.presentation.cells import cell_text

    table = Table(show_lines=True, box=box.SIMPLE_HEAD)
    # Minimum widths hold a whole count of persons (10 characters: 20,033,842) so a number is never folded.
    table.add_column("claim", overflow="fold", min_width=8)
    table.add_column("reported", justify="right", overflow="fold", min_width=10)
    table.add_column("computed", justify="right", overflow="fold", min_width=10, max_width=24)
    table.add_column("difference", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("why", overflow="fold", min_width=8)
    for record in claims.to_dict(orient="records"):
        claim = {str(key): value for key, value in record.items()}  # pandas types the keys as any label
        # numbers as the web page and the report write them (the study's own digits for the reported value)
        status = claim["status"]
        why = claim.get("reason") or claim.get("note") or ""
        table.add_row(str(claim["id"]), cell_text("reported", claim["reported"], "en", claim),
                      cell_text("computed", claim["computed"], "en", claim), claim_difference(claim),
                      f"[{CLAIM_COLOURS.get(status, 'default')}]{status}[/]", "" if pd.isna(why) else str(why))
    Console().print(table)
