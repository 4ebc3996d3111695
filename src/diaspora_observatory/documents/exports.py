"""Exports: coverage as CSV and XLSX, coded passages as CSV, the codebook as a REFI-QDA codebook (.qdc).

Cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) are
prefixed with an apostrophe, so a passage copied from a hostile document cannot execute in Excel.

A table that lists every document or passage is written from consecutive chunks of its rows
(:func:`csv_chunks`, :func:`json_chunks`): the text is the same, byte for byte, as :func:`to_csv` or
``tabular.to_json`` of the whole table, and no more than one chunk is held at a time.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

import pandas as pd

from diaspora_observatory.documents.codebook import Codebook
from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.safety import neutralise

if TYPE_CHECKING:
    from diaspora_observatory.documents.workspace import Workspace

PASSAGE_COLUMNS = ["id", "document", "code", "coder", "start", "end", "text"]
QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
# GUIDs derived from the code names: exporting the same codebook twice gives the same GUIDs, so a tool
# that imported it once recognises its codes again.
_GUID_NAMESPACE = uuid.UUID("6f1c1f3e-8f0a-4c1e-9a51-0d6a3f6b2c77")
SHEET_ROWS = 1_048_576  # the most rows a sheet holds in Excel and LibreOffice (header included)


class SheetTooLong(DiasporaError):
    """A table has more rows than a spreadsheet's sheet can hold; its CSV file has them all."""


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.apply(lambda column: column.map(neutralise)) if not frame.empty else frame


def to_csv(frame: pd.DataFrame) -> str:
    """CSV text of a frame, with formulas neutralised."""
    buffer = io.StringIO()
    _safe(frame).to_csv(buffer, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return buffer.getvalue()


def csv_chunks(chunks: Iterable[pd.DataFrame], empty: pd.DataFrame) -> Iterator[str]:
    """:func:`to_csv` of the chunks' rows one after another, written a chunk at a time; ``empty`` (the
    table with no rows) gives the header when there are none."""
    header = True
    for chunk in chunks:
        text = to_csv(chunk)
        yield text if header else text.partition("\n")[2]
        header = False
    if header:
        yield to_csv(empty)


def json_chunks(chunks: Iterable[pd.DataFrame]) -> Iterator[str]:
    """``tabular.to_json`` of the chunks' rows one after another (a list of records, indented by 2),
    written a chunk at a time."""
    from diaspora_observatory.tabular import records

    first = True
    for chunk in chunks:
        rows = records(chunk)
        if not rows:
            continue
        # each record as json.dumps writes it inside the whole list: the list's own "[\n" and "\n]" cut off
        text = ",\n".join(json.dumps([row], indent=2, ensure_ascii=False)[2:-2] for row in rows)
        yield ("[\n" if first else ",\n") + text
        first = False
    yield "[]" if first else "\n]"


def _no_coverage(codes: list[str]) -> pd.DataFrame:
    """The coverage table with no rows (its columns: the header of an empty export)."""
    from diaspora_observatory.analysis.documents import coverage_from_counts, documents_frame

    return coverage_from_counts(documents_frame(None, []), {}, codes)


def table_export(chunks: Iterable[pd.DataFrame], empty: pd.DataFrame, fmt: str) -> Iterator[str]:
    """The chunks' rows as CSV (``fmt`` "csv") or JSON text, a chunk at a time."""
    return csv_chunks(chunks, empty) if fmt == "csv" else json_chunks(chunks)


def coverage_export(space: Workspace, coders: list[str] | None, fmt: str, value: str | None = None) -> Iterator[str]:
    """``Workspace.coverage`` of every document as CSV or JSON (the long table; with ``value``, the matrix
    of :func:`~diaspora_observatory.analysis.documents.coverage_matrix`), counted by the database a chunk
    of documents at a time."""
    from diaspora_observatory.analysis.documents import coverage_matrix
    from diaspora_observatory.documents.index_tables import coverage_chunks

    chunks = coverage_chunks(space, coders)
    if value is None:
        return table_export(chunks, _no_coverage(space.codes), fmt)
    return table_export((coverage_matrix(chunk, value) for chunk in chunks),
                        coverage_matrix(_no_coverage(space.codes), value), fmt)


def gaps_export(space: Workspace, coders: list[str] | None, fmt: str, policy_only: bool = False) -> Iterator[str]:
    """``Workspace.gaps`` of every document as CSV or JSON (only the policy documents' with
    ``policy_only``), counted by the database a chunk of documents at a time."""
    from diaspora_observatory.analysis.documents import gaps
    from diaspora_observatory.documents.index_tables import gaps_chunks

    chunks = (chunk[chunk["policy"]] if policy_only else chunk for chunk in gaps_chunks(space, coders))
    return table_export((chunk for chunk in chunks if len(chunk)), gaps(_no_coverage(space.codes)), fmt)


def passages_export(space: Workspace, coders: list[str] | None, fmt: str, document_id: str | None = None
                    ) -> Iterator[str]:
    """:func:`passages_for_export` of the stored passages as CSV or JSON, read a chunk at a time."""
    from diaspora_observatory.documents.index_tables import passages_chunks

    chunks = (passages_for_export(chunk) for chunk in passages_chunks(space, coders, document_id))
    empty = pd.DataFrame(columns=PASSAGE_COLUMNS)
    return table_export(chunks, empty, fmt)


def passages_for_export(passages: pd.DataFrame) -> pd.DataFrame:
    """Stored passages with the export's columns: id, document, code, coder, start, end, text."""
    frame = passages.rename(columns={"document_id": "document"})
    return frame[PASSAGE_COLUMNS].reset_index(drop=True)


def write_xlsx(sheets: dict[str, pd.DataFrame], path: Path) -> Path:
    """An Excel workbook with one sheet per frame (formulas neutralised, header row frozen)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for name, frame in sheets.items():
        _Sheet(workbook, name, frame).add(frame)
    workbook.save(path)
    return path


class _Sheet:
    """A sheet of openpyxl's write-only workbook, filled a chunk of rows at a time: each row goes to the
    sheet's own file as it is appended, so the workbook holds a chunk, not the table, and the sheets of one
    workbook may be filled in turns. The header is the first chunk's columns, or ``empty``'s when no chunk
    comes (:meth:`close`). Formulas neutralised, header row frozen."""

    def __init__(self, workbook, name: str, empty: pd.DataFrame) -> None:
        self.sheet = workbook.create_sheet(title=name[:31])
        self.sheet.freeze_panes = "A2"  # before the first row: a write-only sheet writes its view first
        self.empty = empty
        self.headed = False
        self.rows = 0

    def add(self, frame: pd.DataFrame) -> None:
        if not self.headed:
            self.sheet.append([str(c) for c in frame.columns])
            self.headed = True
        self.rows += len(frame)
        if self.rows + 1 > SHEET_ROWS:
            # a spreadsheet program would open the file without the rows beyond: refused, never cut short
            raise SheetTooLong(f"sheet {self.sheet.title!r} would have more than {SHEET_ROWS - 1:,} rows, the most "
                               "a spreadsheet sheet holds", "use the CSV file of the same table, which has every row")
        for row in frame.itertuples(index=False):
            self.sheet.append([None if _is_missing(v) else neutralise(v.item() if hasattr(v, "item") else v)
                               for v in row])

    def close(self) -> None:
        if not self.headed:
            self.add(self.empty)


def write_coverage_xlsx(space: Workspace, coders: list[str] | None, path: Path) -> Path:
    """``coverage.xlsx``: the coverage matrix, the long coverage table, the gaps and the coders' agreement,
    the first three counted by the database a chunk of documents at a time (the matrix and the long table
    from the same chunks, one reading of the store), the agreement from the units the coders decided
    (index_tables.py). The same cells as :func:`write_xlsx` of the whole tables."""
    from openpyxl import Workbook

    from diaspora_observatory.analysis.documents import coverage_matrix, gaps
    from diaspora_observatory.documents.index_tables import agreement_and_disagreements, coverage_chunks, gaps_chunks

    empty = _no_coverage(space.codes)
    coders_agreement = agreement_and_disagreements(space)[0]
    workbook = Workbook(write_only=True)
    matrix = _Sheet(workbook, "coverage", coverage_matrix(empty))
    long = _Sheet(workbook, "coverage (long)", empty)
    gaps_sheet = _Sheet(workbook, "gaps", gaps(empty))
    agreement = _Sheet(workbook, "agreement", coders_agreement)
    partial = path.with_name(f".{path.name}.part")  # named only once whole: a refused workbook leaves no file
    try:
        for chunk in coverage_chunks(space, coders):
            matrix.add(coverage_matrix(chunk))
            long.add(chunk)
        for chunk in gaps_chunks(space, coders):
            gaps_sheet.add(chunk)
        agreement.add(coders_agreement)
        for sheet in (matrix, long, gaps_sheet, agreement):
            sheet.close()
        workbook.save(partial)
        partial.replace(path)
    except SheetTooLong:
        workbook.save(partial)  # what openpyxl has written so far, closed and its temporary files removed
        path.unlink(missing_ok=True)  # an earlier export's workbook would read as this one's
        raise
    finally:
        partial.unlink(missing_ok=True)
    return path


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def code_guid(codebook: Codebook, code: str) -> str:
    return str(uuid.uuid5(_GUID_NAMESPACE, f"{codebook.name}/{code}")).upper()


def codebook_qdc(codebook: Codebook) -> bytes:
    """The codebook as REFI-QDA Codebook XML (``.qdc``): nested ``Code`` elements with GUIDs and descriptions.

    Written from the REFI-QDA codebook exchange standard: a ``CodeBook`` root in the
    ``urn:QDA-XML:codebook:1.0`` namespace holding ``Codes``; every ``Code`` has ``guid``, ``name`` and
    ``isCodable`` attributes, an optional ``Description`` child and its child codes nested inside it.
    The patterns are not part of the standard; they go into the description, after a blank line.
    """
    ET.register_namespace("", QDC_NAMESPACE)
    root = ET.Element(f"{{{QDC_NAMESPACE}}}CodeBook", {"origin": "Diaspora Observatory"})
    codes_element = ET.SubElement(root, f"{{{QDC_NAMESPACE}}}Codes")

    def add(parent: ET.Element, name: str) -> None:
        code = codebook.get(name)
        element = ET.SubElement(parent, f"{{{QDC_NAMESPACE}}}Code",
                                {"guid": code_guid(codebook, name), "name": name, "isCodable": "true"})
        patterns = "\n".join(f"{lang}: {'; '.join(items)}" for lang, items in code.patterns.items() if items)
        description = code.description + (f"\n\nPatterns\n{patterns}" if patterns else "")
        ET.SubElement(element, f"{{{QDC_NAMESPACE}}}Description").text = description
        for child in codebook.children(name):
            add(element, child)

    for top in (c.code for c in codebook.codes if not c.parent):
        add(codes_element, top)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
