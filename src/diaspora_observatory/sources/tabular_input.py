"""Reading rows of a CSV or XLSX file for the importers, with errors that name file and sheet."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator
from pathlib import Path

from diaspora_observatory.sources.errors import MalformedSource
from diaspora_observatory.spreadsheet_guard import check_workbook, unreadable_csv

MISSING_MARKS = frozenset({"", "..", "…", "-", "NA", "n/a"})


def is_workbook(path: Path) -> bool:
    return Path(path).suffix.lower() in {".xlsx", ".xlsm"}


def workbook_rows(path: Path, sheet: str | None) -> tuple[str, Iterator[tuple]]:
    """The named sheet's rows as tuples of cell values (the first sheet when ``sheet`` is None).

    python-calamine (Rust) reads a full-size UN DESA table several times faster than openpyxl; it is used
    when installed, openpyxl otherwise. Row and column positions are the sheet's own in both cases.
    """
    check_workbook(path)  # a zip bomb or a sheet of billions of cells is refused before either reader opens it
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        return _openpyxl_rows(path, sheet)
    from python_calamine import CalamineError

    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as error:
        raise _unreadable(path, error) from None
    name = _chosen_sheet(path, sheet, book.sheet_names)
    try:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except CalamineError as error:
        raise _unreadable(path, error) from None
    finally:
        book.close()
    return name, (row for row in rows)  # a generator, so callers can close() it like the openpyxl one


def _unreadable(path: Path, error: Exception) -> MalformedSource:
    return MalformedSource(Path(path).name, f"is not a readable Excel workbook ({error.__class__.__name__})",
                           "save the file as .xlsx from Excel or LibreOffice, or give a CSV")


def _chosen_sheet(path: Path, sheet: str | None, names: list[str]) -> str:
    name = sheet or names[0]
    if name not in names:
        raise MalformedSource(Path(path).name, f"has no sheet {name!r}; its sheets are "
                              f"{', '.join(repr(s) for s in names)}",
                              "give the sheet that holds the table with --sheet")
    return name


def _openpyxl_rows(path: Path, sheet: str | None) -> tuple[str, Iterator[tuple]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise _unreadable(path, error) from None
    try:
        name = _chosen_sheet(path, sheet, book.sheetnames)
    except MalformedSource:
        book.close()
        raise
    return name, _closing_rows(book, name)


def _closing_rows(book, name: str) -> Iterator[tuple]:
    # A read-only workbook keeps its file open until closed; close it when the rows are done or dropped.
    try:
        yield from book[name].iter_rows(values_only=True)
    finally:
        book.close()


def cell_text(value: object) -> str:
    """A cell as text: empty for None, whole floats without their ``.0`` (calamine reads 1990 as 1990.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _not_utf8(path: Path) -> MalformedSource:
    data = Path(path).read_bytes()
    try:
        data.decode("utf-8-sig")
        line = None
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
    return MalformedSource(Path(path).name, f"is not UTF-8 text (bad byte at line {line})",
                           "save the file as CSV UTF-8", row=line)


def csv_rows(path: Path) -> Iterator[list[str]]:
    """Rows of a CSV file as lists of strings, read as a stream (a large file is never held whole);
    CRLF and LF line endings both work, a byte-order mark is dropped."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            yield from reader
        except UnicodeDecodeError:
            raise _not_utf8(path) from None
        except csv.Error as error:  # a cell over the csv module's 128 KB field limit, or a NUL byte
            raise unreadable_csv(Path(path).name, reader.line_num, error) from None


def parse_count(value: object) -> int | None:
    """A count cell as an int, None when missing (``..``, empty); ValueError when it is not a count."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value:  # NaN from a spreadsheet formula error is missing, not zero
            return None
        number = round(value)
    else:
        text = str(value).strip()
        if text in MISSING_MARKS:
            return None
        cleaned = text.replace(",", "").replace(" ", "").replace("\u00a0", "")
        try:
            number = int(cleaned)
        except ValueError:
            try:
                as_float = float(cleaned)
            except ValueError:
                raise ValueError(f"{text!r} is not a number") from None
            if as_float != as_float or as_float in (float("inf"), float("-inf")):
                raise ValueError(f"{text!r} is not a number") from None
            number = round(as_float)
    if number < 0:
        raise ValueError(f"{value!r} is negative")
    return number


def parse_number(value: object) -> float | None:
    """A measurement cell as a float (negative allowed), None when missing; ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        return None if value != value else float(value)
    text = str(value).strip()
    if text in MISSING_MARKS:
        return None
    try:
        number = float(text.replace(",", "").replace(" ", ""))
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{text!r} is not a number")
    return number
