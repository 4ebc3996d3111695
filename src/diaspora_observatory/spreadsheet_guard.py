"""Refuse an .xlsx workbook that would exhaust memory or time, before calamine or openpyxl opens it.
(A CSV row the csv module cannot read, or a cell over 128 KB, is csv_guard.py's refusal.)

An .xlsx file is a zip of XML parts, and two small files can take a reader down (issue 12): a 1 MB
"deflate bomb" that expands to 1.2 GB (16 s in openpyxl), and a sheet whose cells span ``A1:XFD1048576``
(17 billion cells: python-calamine builds its sheet as one dense block and the process aborts asking for
512 GiB; openpyxl walks every cell). :func:`check_workbook` looks only at the zip's directory and, when
needed, streams the sheets' XML once; every reader of workbooks in the package calls it first.

Limits and why:

- at most :data:`MAX_UNCOMPRESSED` bytes unpacked in all (the largest UN DESA workbooks unpack to a few
  tens of MB) and no part over 1 MB packed more than :data:`MAX_RATIO` times (real parts reach about 30:
  shared strings and repetitive sheets; bombs reach 1000). Python's zipfile never returns more than a
  part's declared size, so the directory's sizes bound what the readers unpack;
- at most :data:`MAX_CELLS` cells in a sheet's extent, from A1 to its farthest cell. The extent is read
  from the cells themselves, not from the sheet's declared ``<dimension>``, which is wrong both ways:
  LibreOffice declares ``A1:AMJ1048576`` for ordinary forms, and a hostile file can declare ``A1:C6``
  and hold a cell at ``XFD1048576`` (calamine takes the extent from the cells, as this check does).

A damaged zip (a byte flipped in a download or a copy) makes :mod:`zipfile` raise whatever its
decompressor or directory parser meets — ``zlib.error``, a CRC ``BadZipFile``, ``EOFError``,
``UnicodeDecodeError`` on a file name, ``NotImplementedError`` for a compression method — so while the
guard reads the zip, every such error becomes :class:`WorkbookRefused` naming the damaged part.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.spreadsheet_cells import column_letter, column_number

MAX_UNCOMPRESSED = 256 * 1024 * 1024
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024  # smaller parts may compress well without mattering
MAX_CELLS = 10_000_000
_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_RELATION = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
# A document type or entity declaration: spreadsheet programs never write one into a workbook's XML, and an
# entity could be expanded (billions of laughs) or fetched by a reader that honours it.
_DECLARATION = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


class WorkbookRefused(DiasporaError):
    """A workbook too large, too compressed or too wide to open safely; the message names the file."""


def check_workbook(path: str | Path) -> None:
    """Raise :class:`WorkbookRefused` if the .xlsx at ``path`` unpacks too large or too compressed, if a
    sheet spans more than :data:`MAX_CELLS` cells, or if any of its XML parts declares a document type or
    entities. A file that is not a zip is left to the reader, which says so in its own words."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return
    except Exception as error:  # a zip whose directory is damaged (see the module docstring)
        raise _damaged(path, "its directory", error) from None
    with archive:
        parts = archive.infolist()
        total = sum(part.file_size for part in parts)
        if total > MAX_UNCOMPRESSED:
            raise WorkbookRefused(f"{path.name}: the workbook unpacks to {total:,} bytes, more than the "
                                  f"{MAX_UNCOMPRESSED:,} the observatory reads",
                                  "save only the sheets needed in a new workbook, or export the table as CSV")
        for part in parts:
            if part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_RATIO * max(part.compress_size, 1):
                raise WorkbookRefused(f"{path.name}: the part {part.filename} unpacks {part.compress_size:,} bytes "
                                      f"into {part.file_size:,}, more than {MAX_RATIO} times (a zip bomb, or a "
                                      "sheet of repeated empty cells)",
                                      "open the file in a spreadsheet program and save it again as .xlsx")
        names = _sheet_names(path, archive)
        for part in parts:
            if not part.filename.endswith((".xml", ".rels")):
                continue
            try:
                if part.filename.startswith("xl/worksheets/"):
                    _check_extent(path, archive, part, names.get(part.filename, part.filename))
                else:
                    _check_declarations(path, part, archive.read(part))
            except WorkbookRefused:
                raise
            except Exception as error:  # a damaged part (see the module docstring)
                raise _damaged(path, f"the part {part.filename}", error) from None


def error_name(error: Exception) -> str:
    """``zlib.error``, ``BadZipFile``: the class of a reader's error, with its module unless built in."""
    kind = type(error)
    return kind.__name__ if kind.__module__ in ("builtins", "zipfile") else f"{kind.__module__}.{kind.__name__}"


def _damaged(path: Path, where: str, error: Exception) -> WorkbookRefused:
    return WorkbookRefused(f"{path.name}: the workbook is damaged: {where} cannot be unpacked "
                           f"({error_name(error)}: {error})",
                           "copy or download the original file again (a file cut short or changed on the way "
                           "cannot be read), or open it in a spreadsheet program and save it again as .xlsx")


def _sheet_names(path: Path, archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name -> sheet name, from workbook.xml and its relations (small parts: read with a regex, so no
    XML entity in them is ever expanded)."""
    try:
        workbook = archive.read("xl/workbook.xml")
        relations = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:  # not a workbook's zip: left to the reader, which says so in its own words
        return {}
    except Exception as error:  # a damaged part (see the module docstring)
        raise _damaged(path, "the list of its sheets", error) from None
    targets = {rid: target.decode("utf-8", "replace").lstrip("/") for rid, target in _RELATION.findall(relations)}
    names = {}
    for name, rid in _SHEET.findall(workbook):
        target = targets.get(rid, "")
        target = target if target.startswith("xl/") else f"xl/{target}"
        names[target] = name.decode("utf-8", "replace").replace("&amp;", "&")
    return names


def _check_extent(path: Path, archive: zipfile.ZipFile, part: zipfile.ZipInfo, sheet: str) -> None:
    # The real extent, from every cell reference, streamed a chunk at a time (the tail of each chunk is
    # kept so that a reference cut in two is still seen whole). The declared <dimension> is not trusted
    # either way: LibreOffice declares A1:AMJ1048576 for 91 rows, and a hostile file declares A1:C6 and
    # holds a cell at XFD1048576.
    max_row = max_column = 0
    carry = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1024 * 1024):
            text = carry + chunk
            _check_declarations(path, part, text)
            for letters, digits in _CELL.findall(text):
                max_column = max(max_column, column_number(letters.decode()))
                max_row = max(max_row, int(digits))
            carry = text[-256:]
    if max_row * max_column > MAX_CELLS:
        extent = f"A1:{column_letter(max_column - 1)}{max_row}"
        raise WorkbookRefused(f"{path.name}: sheet '{sheet}' has cells as far as {extent} ({max_row * max_column:,} "
                              f"cells), more than the {MAX_CELLS:,} the observatory reads in one sheet",
                              "delete the rows and columns beyond the table (select them, Delete, save) "
                              "and import the file again")


def _check_declarations(path: Path, part: zipfile.ZipInfo, text: bytes) -> None:
    if _DECLARATION.search(text):
        raise WorkbookRefused(f"{path.name}: the part {part.filename} declares a document type or entities, which "
                              "spreadsheet programs never write; it is refused so that no entity in it is expanded",
                              "open the file in a spreadsheet program and save it again as .xlsx")
