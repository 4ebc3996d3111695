"""REFI-QDA codebooks (.qdc) as --codebook: the observatory's own export round-trips with its patterns, other
tools' codebooks are read without patterns and automatic coding with them is refused; hostile XML is refused.
Every .qdc here is validated against the REFI-QDA 1.0 schema in ../shared/data/refi-qda."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from diaspora_observatory import load_case
from diaspora_observatory.cli import main
from diaspora_observatory.documents.codebook import CodebookInvalid, LanguageNotCoded, load_codebook
from diaspora_observatory.documents.coding import code_text
from diaspora_observatory.documents.exports import codebook_qdc
from diaspora_observatory.documents.qdc import CODEBOOK_NAMESPACE, PROJECT_NAMESPACE
from diaspora_observatory.documents.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / ".." / "shared" / "data" / "refi-qda" / "refi_Project_1.0.xsd"
pytestmark = pytest.mark.skipif(not SCHEMA.is_file(), reason=f"the REFI-QDA schema is not at {SCHEMA}")

# The layout of a codebook exported by ATLAS.ti (22 and later: "Export > REFI-QDA Codebook") and by
# QualCoder ("Export > REFI-QDA Codebook"), as the REFI-QDA Codebook Exchange standard 1.0 defines it
# (www.qdasoftware.org, "Codebook exchange"): a CodeBook root in urn:QDA-XML:codebook:1.0 with an origin,
# nested Code elements with guid, name, isCodable and (ATLAS.ti) a colour, and Description children.
# No real export is in ../shared/data, so these are written by hand in that layout.
ATLAS_TI = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="urn:QDA-XML:codebook:1.0 Codebook.xsd" origin="ATLAS.ti 23.2.1">
  <Codes>
    <Code guid="3f7b8a1e-2c4d-4e5f-9a0b-1c2d3e4f5a6b" name="Return migration" isCodable="true" color="#E6194B">
      <Description>Return of ethnic Kazakhs (kandas) to Kazakhstan.</Description>
      <Code guid="4a8c9b2f-3d5e-4f60-8b1c-2d3e4f5a6b7c" name="Quotas" isCodable="true" color="#3CB44B"/>
    </Code>
    <Code guid="5b9dac30-4e6f-4071-9c2d-3e4f5a6b7c8d" name="Language &amp; schooling" isCodable="true"/>
  </Codes>
</CodeBook>
"""
QUALCODER = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="urn:QDA-XML:codebook:1.0 Codebook.xsd" origin="QualCoder">
  <Codes>
    <Code guid="{6C0EBD41-5F70-4182-AD3E-4F5A6B7C8D9E}" name="Diaspora policy" isCodable="false">
      <Code guid="{7D1FCE52-6081-4293-BE4F-5A6B7C8D9EAF}" name="Soft power" isCodable="true">
        <Description>Culture and language as influence abroad.</Description>
      </Code>
    </Code>
  </Codes>
</CodeBook>
"""


def assert_valid(data: bytes) -> None:
    """Validate a .qdc against the REFI-QDA 1.0 schema stored here (the project schema).

    That schema declares the CodeBook inside a Project in urn:QDA-XML:project:1.0, with ``origin`` on the
    Project; the codebook standard's own schema (urn:QDA-XML:codebook:1.0) is not stored here. So the
    CodeBook is checked as the project schema sees it: moved into a Project, elements renamed to the
    project namespace, the root's origin carried on the Project.
    """
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    source = etree.fromstring(data)
    assert source.tag == f"{{{CODEBOOK_NAMESPACE}}}CodeBook"
    project = etree.Element(f"{{{PROJECT_NAMESPACE}}}Project", nsmap={None: PROJECT_NAMESPACE}, name="check")
    if source.get("origin"):
        project.set("origin", source.get("origin"))

    def copy(element, parent):
        clone = etree.SubElement(parent, f"{{{PROJECT_NAMESPACE}}}{etree.QName(element).localname}",
                                 {k: v for k, v in element.attrib.items() if not k.startswith("{")})
        clone.text = element.text
        for child in element:
            copy(child, clone)

    codebook = etree.SubElement(project, f"{{{PROJECT_NAMESPACE}}}CodeBook")
    for child in source:
        copy(child, codebook)
    schema.assertValid(project)


def test_own_export_is_valid_and_round_trips_with_its_patterns(tmp_path: Path, codebook):
    data = codebook_qdc(codebook)
    assert_valid(data)
    path = tmp_path / "diaspora-policy.qdc"
    path.write_bytes(data)
    again = load_codebook(path)
    assert [(c.code, c.parent, c.description, c.patterns) for c in again.codes] == [
        (c.code, c.parent, c.description, {lang: items for lang, items in c.patterns.items() if items})
        for c in codebook.codes]
    text = "Repatriates get quotas. The embassy opened a cultural centre for compatriots."
    assert [(p.code, p.start, p.end) for p in code_text(text, "en", again)] == [
        (p.code, p.start, p.end) for p in code_text(text, "en", codebook)]


@pytest.mark.parametrize(("layout", "codes", "title"), [
    (ATLAS_TI, [("Return_migration", "", "Return of ethnic Kazakhs (kandas) to Kazakhstan."),
                ("Quotas", "Return_migration", ""), ("Language_schooling", "", "")], "atlas (ATLAS.ti 23.2.1)"),
    (QUALCODER, [("Diaspora_policy", "", ""), ("Soft_power", "Diaspora_policy",
                                               "Culture and language as influence abroad.")], "atlas (QualCoder)"),
])
def test_other_tools_codebooks_are_read_without_patterns(tmp_path: Path, layout, codes, title):
    assert_valid(layout.encode())
    path = tmp_path / "atlas.qdc"
    path.write_text(layout, encoding="utf-8")
    book = load_codebook(path)
    assert [(c.code, c.parent, c.description) for c in book.codes] == codes
    assert book.title == title and book.pattern_languages == []
    with pytest.raises(LanguageNotCoded) as error:
        code_text("Repatriates get quotas.", "en", book)
    assert error.value.message == "not coded: codebook 'atlas' has no search patterns (a REFI-QDA codebook carries none)"


def test_import_with_a_qdc_codebook_stores_and_says_it_was_not_coded(data_dir, tmp_path: Path):
    book = tmp_path / "atlas.qdc"
    book.write_text(ATLAS_TI, encoding="utf-8")
    article = tmp_path / "item.txt"
    article.write_text("Repatriates get quotas from the state.", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["documents", "import", str(article), "--codebook", str(book)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Imported 'item' (other, en, 38 characters), stored but not coded: codebook 'atlas' has no search patterns "
        "(a REFI-QDA codebook carries none).\n"
        "  code the documents by hand in the web app, or give a codebook with patterns (.yaml, .csv, or a .qdc "
        "whose code descriptions hold them; see docs/documents.md)\n")
    assert Workspace(load_case(), data_dir).store.get("item").text == "Repatriates get quotas from the state."
    shown = runner.invoke(main, ["documents", "codebook", "--codebook", str(book), "--format", "csv"])
    assert shown.output.splitlines()[:2] == [
        "code,parent,description,patterns_en,patterns_ru,patterns_kk",
        "Return_migration,,Return of ethnic Kazakhs (kandas) to Kazakhstan.,,,"]


@pytest.mark.parametrize(("content", "message"), [
    ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
     '<Codes><Code guid="3f7b8a1e-2c4d-4e5f-9a0b-1c2d3e4f5a6b" name="&lol;" isCodable="true"/></Codes></CodeBook>',
     "bomb.qdc declares a document type or entities, which a REFI-QDA codebook never needs; it is refused so that "
     "entity expansion cannot be abused"),
    ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="a"></Codes>',
     "bomb.qdc is not well-formed XML (mismatched tag: line 1, column 67)"),
    ('<Project xmlns="urn:other"/>',
     "bomb.qdc: the root element is '{urn:other}Project', not a REFI-QDA CodeBook (namespace urn:QDA-XML:codebook:1.0)"),
    ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
     '<Code guid="3f7b8a1e-2c4d-4e5f-9a0b-1c2d3e4f5a6b" name="Return migration" isCodable="true"/>'
     '<Code guid="4a8c9b2f-3d5e-4f60-8b1c-2d3e4f5a6b7c" name="Return  migration!" isCodable="true"/></Codes></CodeBook>',
     "bomb.qdc: codes 'Return migration' and 'Return  migration!' both become the code name 'Return_migration'"),
    ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', "bomb.qdc holds no codes"),
])
def test_hostile_or_broken_qdc_is_refused_with_the_file_named(tmp_path: Path, content, message):
    path = tmp_path / "bomb.qdc"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CodebookInvalid) as error:
        load_codebook(path)
    assert error.value.message == message
