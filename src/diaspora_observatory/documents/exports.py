"""Exports: coverage as CSV and XLSX, coded passages as CSV, the codebook as a REFI-QDA codebook (.qdc).

Cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) are
prefixed with an apostrophe, so a passage copied from a hostile document cannot execute in Excel.
"""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd

from diaspora_observatory.documents.codebook import Codebook
from diaspora_observatory.safety import neutralise

PASSAGE_COLUMNS = ["id", "document", "code", "coder", "start", "end", "text"]
QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
# GUIDs derived from the code names: exporting the same codebook twice gives the same GUIDs, so a tool
# that imported it once recognises its codes again.
_GUID_NAMESPACE = uuid.UUID("6f1c1f3e-8f0a-4c1e-9a51-0d6a3f6b2c77")


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.apply(lambda column: column.map(neutralise)) if not frame.empty else frame


def to_csv(frame: pd.DataFrame) -> str:
    """CSV text of a frame, with formulas neutralised."""
    buffer = io.StringIO()
    _safe(frame).to_csv(buffer, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return buffer.getvalue()


def passages_for_export(passages: pd.DataFrame) -> pd.DataFrame:
    """Stored passages with the export's columns: id, document, code, coder, start, end, text."""
    frame = passages.rename(columns={"document_id": "document"})
    return frame[PASSAGE_COLUMNS].reset_index(drop=True)


def write_xlsx(sheets: dict[str, pd.DataFrame], path: Path) -> Path:
    """An Excel workbook with one sheet per frame (formulas neutralised, header row frozen)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty sheet a new workbook opens with
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(title=name[:31])
        sheet.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            sheet.append([None if _is_missing(v) else neutralise(v.item() if hasattr(v, "item") else v) for v in row])
        sheet.freeze_panes = "A2"
    workbook.save(path)
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
