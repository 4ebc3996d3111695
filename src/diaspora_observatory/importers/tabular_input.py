"""Reading rows of a CSV or XLSX file for the importers, with errors that name file and sheet."""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Generator, Iterator
from pathlib import Path

from diaspora_observatory.csv_guard import CsvRefused, CsvRows
from diaspora_observatory.importers.errors import MalformedSource
from diaspora_observatory.spreadsheet_guard import check_workbook, error_name

MISSING_MARKS = frozenset({"", "..", "…", "-", "NA", "n/a"})
# fuzz's spreadsheet guard (zip size, sheet dimensions) is called in workbook_rows before a workbook is opened.


def refused_csv(error: CsvRefused) -> MalformedSource:
    """The importers' error for a CSV row the one CSV reader (``csv_guard.py``) refused: a cell over its
    128 KB limit or a broken quote, naming the file and the line."""
    return MalformedSource(error.file, error.problem, error.hint, row=error.line)


def is_workbook(path: Path) -> bool:
    return Path(path).suffix.lower() in {".xlsx", ".xlsm"}


def workbook_rows(path: Path, sheet: str | None) -> tuple[str, OpenRows]:
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
    # Rows that callers close() like the openpyxl ones (the file is already closed); tuples, as openpyxl gives.
    return name, OpenRows((tuple(row) for row in rows), lambda: None)


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


def _openpyxl_rows(path: Path, sheet: str | None) -> tuple[str, OpenRows]:
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
    return name, OpenRows(_sheet_rows(book, name), book.close)


def _sheet_rows(book, name: str) -> Generator[tuple, None, None]:
    # A read-only workbook keeps its file open until closed; close it when the rows are done.
    try:
        yield from book[name].iter_rows(values_only=True)
    finally:
        book.close()


class OpenRows(Iterator):
    """Rows read from an open file, with ``close()`` that releases the file even when no row was read.

    A generator that was never started ignores ``close()`` (its ``finally`` has not been entered), so a
    caller that refused a file before its first row would leave the file open until garbage collection.
    """

    def __init__(self, rows: Iterator, release) -> None:
        self._rows, self._release = rows, release

    def __next__(self):
        return next(self._rows)

    def close(self) -> None:
        close_rows = getattr(self._rows, "close", None)
        if close_rows is not None:
            close_rows()
        self._release()


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


def is_zip(path: Path) -> bool:
    return zipfile.is_zipfile(path)


MAX_MEMBER_BYTES = 512 * 1024 * 1024  # a CSV inside a download zip larger than this is refused, not inflated


def zip_member_rows(path: Path, choose) -> tuple[str, OpenRows]:
    """Rows of the one CSV member of the zip at ``path`` for which ``choose(name)`` is true.

    Producers serve downloads as zips (the World Bank: the data CSV and two metadata CSVs); the member is
    read as a stream, as a CSV on disk is.
    """
    label = Path(path).name
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError, ValueError, EOFError) as error:  # a damaged directory
        raise MalformedSource(label, f"is not a readable zip file ({error.__class__.__name__})",
                              "download the file again, or give the CSV inside it") from None
    names = [info.filename for info in archive.infolist() if not info.is_dir()]
    chosen = [name for name in names if choose(Path(name).name)]
    if len(chosen) != 1:
        archive.close()
        raise MalformedSource(label, f"holds {', '.join(names) or 'no files'}; expected exactly one data CSV "
                              f"among them, found {len(chosen)}", "unzip the file and give the data CSV")
    info = archive.getinfo(chosen[0])
    if info.file_size > MAX_MEMBER_BYTES:
        archive.close()
        raise MalformedSource(f"{label}, member {chosen[0]}", f"would unpack to {info.file_size:,} bytes",
                              "unzip it yourself and give the CSV")
    return chosen[0], OpenRows(_member_rows(archive, chosen[0], label), archive.close)


def _member_rows(archive: zipfile.ZipFile, member: str, label: str) -> Iterator[list[str]]:
    import io

    where = f"{label}, member {member}"
    try:
        with archive, archive.open(member) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
            yield from CsvRows(text, where)
    except UnicodeDecodeError:
        raise MalformedSource(where, "is not UTF-8 text", "unzip the file and save the CSV as UTF-8") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as error:
        # a byte changed on the way: zlib's own error from inside a member, a CRC BadZipFile at its end, a
        # compression method or encryption flag that the damaged header now claims
        raise MalformedSource(where, f"cannot be unpacked ({error_name(error)}: the zip is damaged)",
                              "download the file again") from None
    except CsvRefused as error:
        raise refused_csv(error) from None


def csv_rows(path: Path) -> Iterator[list[str]]:
    """Rows of a CSV file as lists of strings, read as a stream (a large file is never held whole);
    CRLF and LF line endings both work, a byte-order mark is dropped."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        try:
            yield from CsvRows(handle, Path(path).name)
        except UnicodeDecodeError:
            raise _not_utf8(path) from None
        except CsvRefused as error:  # a cell over the 128 KB limit, or a broken quote
            raise refused_csv(error) from None


DECIMALS = (".", ",")
_GROUPED = {".": re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$"), ",": re.compile(r"^\d{1,3}([. ]\d{3})+(,\d+)?$")}


class Ambiguous(ValueError):
    """A number whose separators could be read two ways; ``hint`` says which option settles it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def _number_text(text: str, decimal: str | None) -> str:
    """A number written with grouping or decimal separators, as Python reads it ("1,234.5" -> "1234.5").

    ``decimal`` is the stated decimal mark ("." or ","); None means not stated: then a comma that could be
    either a thousands separator ("1,234") or a decimal comma is refused as ambiguous, and a comma that is
    no valid thousands grouping ("12,5") is refused with the option that reads it as a decimal comma.
    """
    text = text.replace("\u00a0", " ").replace("\u202f", " ").strip()
    sign = ""
    if text[:1] in "+-":
        sign, text = text[:1], text[1:].strip()
    if "," not in text and (decimal != "," or "." not in text):
        compact = text.replace(" ", "") if re.fullmatch(r"\d{1,3}( \d{3})+(\.\d+)?", text) else text
        return sign + (compact.replace(",", ".") if decimal == "," else compact)
    mark = decimal or ("." if "." in text else None)
    if mark is None:  # only commas, no stated decimal mark
        if _GROUPED["."].match(text):
            raise Ambiguous(f"{text!r} could be {text.replace(',', '')} (comma between thousands) or "
                            f"{text.replace(',', '.')} (decimal comma)",
                            "state the file's decimal mark: --decimal . or --decimal ,")
        raise Ambiguous(f"{text!r} has a comma that is no thousands separator",
                        "if the file writes decimals with a comma, give --decimal ,")
    if mark == "." and "," in text and not _GROUPED["."].match(text):
        raise Ambiguous(f"{text!r} is not a number with the decimal mark '.'",
                        "if the file writes decimals with a comma, give --decimal ,")
    if mark == ",":
        if re.fullmatch(r"\d+(,\d+)?", text):
            return sign + text.replace(",", ".")
        if not _GROUPED[","].match(text):
            raise Ambiguous(f"{text!r} is not a number with the decimal mark ','",
                            "check the cell, or give --decimal . if the file writes decimals with a point")
        return sign + text.replace(".", "").replace(" ", "").replace(",", ".")
    return sign + text.replace(",", "")


def parse_count(value: object, decimal: str | None = None) -> int | None:
    """A count cell as an int, None when missing (``..``, empty); ValueError when it is not a count.

    Commas between thousands are read ("1,234" is 1234: a count of people has no fractional part, so it is
    not ambiguous); "12,5" is refused, never read as 125.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value:  # NaN from a spreadsheet formula error is missing, not zero
            return None
        if value in (float("inf"), float("-inf")):
            raise ValueError(f"{value!r} is not a number")
        if not value.is_integer():  # 1.5 people is an error in the file, not 2 people
            raise ValueError(f"{value!r} is not a whole number of people")
        number = int(value)
    else:
        text = str(value).strip()
        if text in MISSING_MARKS:
            return None
        if decimal is None and _GROUPED["."].match(text.lstrip("+-")):
            cleaned = text.replace(",", "")
        else:
            cleaned = _number_text(text, decimal)
        try:
            number = int(cleaned)
        except ValueError:
            try:
                as_float = float(cleaned)
            except ValueError:
                raise ValueError(f"{text!r} is not a number") from None
            if as_float != as_float or as_float in (float("inf"), float("-inf")):
                raise ValueError(f"{text!r} is not a number") from None
            if not as_float.is_integer():  # written as text: a fraction of a person is a misread, not rounded
                raise ValueError(f"{text!r} is not a whole number of people") from None
            number = int(as_float)
    if number < 0:
        raise ValueError(f"{value!r} is negative")
    return number


def parse_number(value: object, decimal: str | None = None) -> float | None:
    """A measurement cell as a float (negative allowed), None when missing; ValueError otherwise
    (``Ambiguous``, a ValueError with a hint, when the decimal mark must be stated)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        if value in (float("inf"), float("-inf")):
            raise ValueError(f"{value!r} is not a number")
        return None if value != value else float(value)
    text = str(value).strip()
    if text in MISSING_MARKS:
        return None
    try:
        number = float(_number_text(text, decimal))
    except Ambiguous:
        raise
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{text!r} is not a number")
    return number


class RowKeys:
    """The row on which each key (country and year, pair of countries, …) was first seen: a repeated key is
    refused, since storing both rows would give one key two values."""

    def __init__(self, file: str, names: str, sheet: str | None = None) -> None:
        self.file, self.names, self.sheet = file, names, sheet
        self.rows: dict[tuple, int] = {}

    def add(self, key: tuple, row: int) -> None:
        first = self.rows.setdefault(key, row)
        if first != row:
            shown = ", ".join(str(part) for part in key)
            raise MalformedSource(self.file, f"{shown} appears again (first on row {first})",
                                  f"keep one row per {self.names}", sheet=self.sheet, row=row)
