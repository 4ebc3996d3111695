"""The one door for reading CSV from outside: rows whose errors name the file and the line, never a traceback.

The csv module raises a bare ``csv.Error`` for a cell longer than its field limit (131,072 characters by
default) or a broken quote, and that error knows neither the file nor the line (issue 12: a 128 KB cell
crashed ``diaspora check``, the survey's response import and the codebook reader). :class:`CsvRows` and
:class:`CsvDictRows` wrap ``csv.reader`` and ``csv.DictReader`` and turn every such error into
:class:`CsvRefused`, which carries the file, the line and a hint; each adapter turns that into its own error.

The limit is the observatory's own, :data:`MAX_CELL`, not whatever ``csv.field_size_limit()`` holds: the
limit is global to the process and libraries raise it on import (frictionless sets it to the largest
integer), which would make a file readable or not depending on what else was imported. When the process
limit is higher, the cells are measured here instead. No table the observatory reads has a cell anywhere
near that long; a missing closing quote, which makes the rest of the file one cell, is the usual cause.

Every CSV the package reads goes through here (tests/test_csv_guard.py checks that no other module calls
``csv.reader`` or ``csv.DictReader``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from diaspora_observatory.errors import DiasporaError

MAX_CELL = 131_072  # characters; the csv module's default field limit, which the process may have raised
LONG_CELL_HINT = ("check that the file is a table with one value per cell (a missing closing quote makes the rest of "
                  "the file one cell)")
BROKEN_HINT = "save the file again as CSV UTF-8"


class CsvRefused(DiasporaError):
    """A CSV file the reader refused: ``file`` and ``line`` (physical line, 1-based) say where, ``problem``
    what is wrong, ``hint`` how to fix it."""

    def __init__(self, file: str, line: int, problem: str, hint: str) -> None:
        super().__init__(f"{file}, row {line}: {problem}", hint)
        self.file, self.line, self.problem = file, line, problem


def _long_cell(file: str, line: int) -> CsvRefused:
    return CsvRefused(file, line, f"a cell is longer than {MAX_CELL:,} characters, the most a CSV cell may hold here",
                      LONG_CELL_HINT)


class CsvRows:
    """``csv.reader(lines, **options)`` whose errors are :class:`CsvRefused` naming ``file`` and the line.

    ``line_num`` is the reader's own (the last physical line read, so a quoted cell spanning lines counts
    them all).
    """

    def __init__(self, lines: Iterable[str], file: str, **options) -> None:
        self._reader = csv.reader(lines, **options)
        self.file = file
        # Above MAX_CELL the csv module would let a long cell through: measure the cells here instead.
        self._measure = csv.field_size_limit() > MAX_CELL

    @property
    def line_num(self) -> int:
        return self._reader.line_num

    def __iter__(self) -> Iterator[list[str]]:
        return self

    def __next__(self) -> list[str]:
        try:
            row = next(self._reader)
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise _long_cell(self.file, self._reader.line_num) from None
            raise CsvRefused(self.file, self._reader.line_num, f"not readable as CSV ({error})", BROKEN_HINT) from None
        if self._measure and row and max(map(len, row)) > MAX_CELL:
            raise _long_cell(self.file, self._reader.line_num)
        return row


class CsvDictRows(csv.DictReader):
    """``csv.DictReader`` over :class:`CsvRows`: the same errors, naming ``file`` and the line."""

    def __init__(self, lines: Iterable[str], file: str, **options) -> None:
        super().__init__(lines)
        # DictReader reads its rows (and fieldnames) from here; typeshed names the attribute a csv reader,
        # which CsvRows stands in for (same iteration and line_num).
        self.reader = CsvRows(lines, file, **options)  # type: ignore[assignment]
