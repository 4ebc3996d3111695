"""Exports: REFI-QDA codebook XML, CSV and XLSX with spreadsheet formulas neutralised."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import pandas as pd
from openpyxl import load_workbook

from diaspora_observatory.documents import exports

NS = {"q": exports.QDC_NAMESPACE}


def test_qdc_is_well_formed_and_nests_every_code(codebook):
    root = ET.fromstring(exports.codebook_qdc(codebook))
    assert root.tag == f"{{{exports.QDC_NAMESPACE}}}CodeBook"
    codes = root.findall(".//q:Code", NS)
    assert sorted(c.get("name") for c in codes) == sorted(codebook.names)
    guid = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
    assert all(guid.match(c.get("guid")) for c in codes)
    assert len({c.get("guid") for c in codes}) == len(codes)
    top = root.findall("q:Codes/q:Code", NS)
    assert [c.get("name") for c in top] == ["return_migration", "identity", "engagement", "protection"]
    identity = root.find("q:Codes/q:Code[@name='identity']", NS)
    assert [c.get("name") for c in identity.findall("q:Code", NS)] == ["native_language_education", "unity_identity"]
    description = root.find(".//q:Code[@name='tourism']/q:Description", NS).text
    assert description.startswith("Tourism to the country of origin") and "ru: туризм; турист" in description
    assert exports.codebook_qdc(codebook) == exports.codebook_qdc(codebook)  # stable GUIDs


def test_csv_neutralises_formulas():
    frame = pd.DataFrame({"id": [1, 2, 3], "document": ["d", "d", "d"], "code": ["c", "c", "c"],
                          "coder": ["=HYPERLINK(\"x\")", "AB", "@SUM(A1)"], "start": [0, 5, 9], "end": [4, 8, 12],
                          "text": ["+1 234", "-2", "plain, with comma"]})
    text = exports.to_csv(exports.passages_for_export(frame.rename(columns={"document": "document_id"})))
    assert text.splitlines() == [
        "id,document,code,coder,start,end,text",
        "1,d,c,\"'=HYPERLINK(\"\"x\"\")\",0,4,'+1 234",
        "2,d,c,AB,5,8,'-2",
        "3,d,c,'@SUM(A1),9,12,\"plain, with comma\""]


def test_xlsx_has_sheets_and_no_formulas(tmp_path):
    path = exports.write_xlsx({"coverage": pd.DataFrame({"document_id": ["=cmd()"], "a": [2]}),
                               "gaps": pd.DataFrame({"code": ["b"], "year": [pd.NA]})}, tmp_path / "c.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["coverage", "gaps"]
    assert [[c.value for c in row] for row in book["coverage"].iter_rows()] == [["document_id", "a"], ["'=cmd()", 2]]
    assert book["coverage"]["A2"].data_type == "s"
    assert [[c.value for c in row] for row in book["gaps"].iter_rows()] == [["code", "year"], ["b", None]]
