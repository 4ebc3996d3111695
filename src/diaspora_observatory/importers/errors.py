"""Errors of the importers: where a file is malformed, and a provenance sidecar that no longer fits."""

from __future__ import annotations

from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.spreadsheet_cells import column_letter


class MalformedSource(DiasporaError):
    """An input file that does not have the layout its importer expects.

    The message names the file, the sheet (for workbooks), the row (as a spreadsheet shows it, 1-based)
    and the column (letter and header), then says what is wrong; the hint says how to fix it.
    """

    def __init__(self, file: str, problem: str, hint: str = "", *, sheet: str | None = None,
                 row: int | None = None, column: int | None = None, header: str | None = None) -> None:
        where = [file]
        if sheet is not None:
            where.append(f"sheet {sheet!r}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column_letter(column)}" + (f" ({header})" if header else ""))
        elif header:
            where.append(f"column {header}")
        super().__init__(f"{', '.join(where)}: {problem}", hint)
        self.file, self.sheet, self.row, self.column, self.header = file, sheet, row, column, header


class ProvenanceMismatch(DiasporaError):
    """A file whose checksum no longer matches its provenance sidecar (it changed after import)."""


class UnknownFormat(DiasporaError):
    """An import format the observatory does not know."""


class NothingMatched(DiasporaError):
    """An import in which no record matched what the command reads: nothing is stored."""


class AmbiguousValue(MalformedSource):
    """A cell that could be read two ways (a decimal comma or a thousands separator): the option that
    settles it is in the hint."""
