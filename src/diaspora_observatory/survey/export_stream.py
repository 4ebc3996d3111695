"""A response export (CSV) read as a stream: the file is never held whole, whatever its size.

Issue 15 item 2: the import read the whole file, decoded it, split it into rows and kept every validated
row before storing them (302 MB of RSS at 100,000 rows). Here the file is read twice, a line at a time:

1. :func:`open_export` checks it (not a workbook, UTF-8, no NUL, readable as CSV), finds the delimiter
   that makes its header fit the form, and counts its rows, so that every fault of the file as a whole is
   told before anything is stored (as when it was read at once) and a long import can say "N of TOTAL";
2. :meth:`ExportFile.rows` yields its rows for the import to check and store a batch at a time.

Rows are numbered as the import always numbered them: the header is row 1 and rows with no cell are not
counted. A line number (a fault of the file) counts physical lines, which a quoted cell spans.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

from diaspora_observatory.csv_guard import CsvRefused, CsvRows
from diaspora_observatory.survey.errors import ResponsesImportError

TEXT_HINT = "export the responses as a UTF-8 CSV file (KoboToolbox: CSV; ODK Central: CSV; LimeSurvey: CSV)"
AGAIN_HINT = "export the file again from the platform without editing it by hand"
DELIMITERS = (";", ",", "\t")


def _cannot_read(path: Path, error: OSError) -> ResponsesImportError:
    return ResponsesImportError(f"{path}: cannot read the file ({error.strerror or error})", TEXT_HINT)


def _not_utf8(path: Path) -> ResponsesImportError:
    """Where the file stops being UTF-8: its line and byte, found by reading its bytes a line at a time
    (a UTF-8 sequence never holds a line feed, so each line decodes alone as it would within the file)."""
    offset = 0
    with path.open("rb") as file:
        for number, line in enumerate(file, start=1):
            body = line[3:] if number == 1 and line.startswith(codecs.BOM_UTF8) else line
            try:
                body.decode("utf-8")
            except UnicodeDecodeError as error:
                byte = offset + (len(line) - len(body)) + error.start + 1
                return ResponsesImportError(f"{path.name} line {number}: not UTF-8 text (byte {byte} of the file "
                                            "cannot be read)", TEXT_HINT)
            offset += len(line)
    return ResponsesImportError(f"{path.name}: the file changed while it was read (it is not UTF-8 text now)",
                                "import it again once it is written")


def _lines(path: Path) -> Generator[str, None, None]:
    """The file's lines as text (a byte order mark dropped, line ends kept for the csv module, as
    ``newline=""`` asks), refused with its line when it is not UTF-8 or holds a NUL."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            for line in file:
                if "\x00" in line:
                    raise ResponsesImportError(f"{path.name}: the file holds NUL characters, which a CSV export "
                                               "never has", TEXT_HINT)
                yield line
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    except OSError as error:
        raise _cannot_read(path, error) from None


def _filled_rows(path: Path, delimiter: str) -> Generator[list[str], None, None]:
    """The rows of the file that have a cell with text, as the csv module reads them with ``delimiter``;
    :class:`CsvRefused` for a row it cannot read."""
    lines = _lines(path)
    try:
        for row in CsvRows(lines, path.name, delimiter=delimiter, strict=True):
            if row and "".join(row).strip():  # a cell with text (one join, not a generator per row)
                yield row
    finally:
        lines.close()  # the file is closed now, not when the generator is collected


def _refused(path: Path, error: CsvRefused) -> ResponsesImportError:
    # The line number counts physical lines, which a quoted cell with line breaks spans.
    return ResponsesImportError(f"{path.name} line {error.line}: {error.problem}", AGAIN_HINT)


def _first_row(path: Path, delimiter: str) -> list[str] | None:
    rows = _filled_rows(path, delimiter)
    try:
        return next(rows, None)
    finally:
        rows.close()


@dataclass(frozen=True)
class ExportFile:
    """A checked export: its ``header`` (cells stripped), ``delimiter`` and number of rows under the
    header (``total``, rows with no cell left out)."""

    path: Path
    header: list[str]
    delimiter: str
    total: int

    def rows(self) -> Generator[tuple[int, list[str]], None, None]:
        """(row number, cells) of every row under the header, read from the file as they are asked for."""
        rows = _filled_rows(self.path, self.delimiter)
        try:
            next(rows)  # the header, checked by open_export
            yield from enumerate(rows, start=2)
        except (CsvRefused, StopIteration):
            # open_export read the whole file: it changed since
            raise ResponsesImportError(f"{self.path.name}: the file changed while it was imported; nothing was "
                                       "stored", "import it again once it is written") from None
        finally:
            rows.close()


def open_export(path: Path, fits: Callable[[str], bool]) -> ExportFile:
    """``path`` checked and its rows counted, a line at a time; ``fits(column)`` says whether a header
    cell is a column of the form or of the platform: the delimiter whose header fits most is the file's
    (then the one giving most columns). Raises :class:`ResponsesImportError` naming the file (and line)."""
    try:
        with path.open("rb") as file:
            start = file.read(4)
    except OSError as error:
        raise _cannot_read(path, error) from None
    if start.startswith(b"PK\x03\x04"):
        raise ResponsesImportError(f"{path.name}: this is a zip or an Excel workbook, not a CSV file", TEXT_HINT)
    best: tuple[int, int, str] | None = None
    unreadable: CsvRefused | None = None
    for delimiter in DELIMITERS:
        try:
            first = _first_row(path, delimiter)
        except CsvRefused as error:  # not this delimiter (a quoted cell would end in the middle)
            unreadable = unreadable if delimiter != "," else error
            continue
        if first is None:
            continue
        candidate = (sum(1 for column in first if fits(column.strip())), len(first), delimiter)
        best = candidate if best is None or candidate[:2] > best[:2] else best
    if best is None:
        if unreadable is not None:
            raise _refused(path, unreadable)  # the reader's own message, with the line
        raise ResponsesImportError(f"{path.name}: the file is empty", "export at least one response with its header")
    delimiter = best[2]
    header: list[str] = []
    count = 0
    try:
        for row in _filled_rows(path, delimiter):
            if not count:
                header = [column.strip() for column in row]
            count += 1
    except CsvRefused as error:
        raise _refused(path, error) from None
    if count < 2:
        raise ResponsesImportError(f"{path.name}: no responses in the file, only a header",
                                   "export at least one response")
    return ExportFile(path, header, delimiter, count - 1)
