"""Parsers refuse hostile files with a message naming the file instead of crashing (issue 12): a CSV cell
over 128 KB, a sheet with a cell at XFD1048576 (python-calamine aborted the process asking for 512 GiB), a
deflate bomb, an XLSForm ``relevant`` nested 300 deep. Every hostile file is a real published file from
../shared/data with one part rewritten, so everything else about it is as users' files are."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from diaspora_observatory import spreadsheet_guard
from diaspora_observatory.importers.errors import MalformedSource
from diaspora_observatory.importers.tabular_input import csv_rows, workbook_rows
from diaspora_observatory.spreadsheet_guard import WorkbookRefused, check_workbook
from diaspora_observatory.survey.errors import XLSFormError
from diaspora_observatory.survey.xlsform import read_xlsform

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
GROUP_FORM = DATA / "xlsform" / "group.xlsx"
LIBREOFFICE_FORM = DATA / "xlsform" / "UCL_Biomass_Plot_Form.xlsx"  # declares A1:AMJ1048576 for 91 rows
UNDESA = DATA / "undesa-workbooks" / "undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx"
FAR_CELL = b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'


def rewritten(source: Path, target: Path, part: str, change) -> Path:
    """A copy of the workbook ``source`` with the bytes of one zip ``part`` replaced by ``change(bytes)``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            new.writestr(item, change(data) if item.filename == part else data)
    return target


def test_a_declared_dimension_of_the_whole_grid_is_read_when_the_cells_are_few(tmp_path):
    # LibreOffice and others declare huge dimensions for ordinary sheets: the real cells decide.
    source = DATA / "xlsform" / "choice_filter_test.xlsx"
    hostile = tmp_path / "filters.xlsx"
    shutil.copy(source, hostile)
    for part in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"):
        copy = rewritten(hostile, tmp_path / "step.xlsx", part,
                         lambda xml: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml))
        shutil.move(copy, hostile)
    assert zipfile.ZipFile(hostile).read("xl/worksheets/sheet1.xml").count(b'<dimension ref="A1:XFD1048576"/>') == 1
    check_workbook(hostile)
    assert read_xlsform(hostile).questions == read_xlsform(source).questions
    check_workbook(LIBREOFFICE_FORM)
    check_workbook(UNDESA)


def test_a_cell_at_xfd1048576_is_refused_before_openpyxl_walks_17_billion_cells(tmp_path):
    hostile = rewritten(GROUP_FORM, tmp_path / "far.xlsx", "xl/worksheets/sheet1.xml",
                        lambda xml: xml.replace(b"</sheetData>", FAR_CELL))
    with pytest.raises(WorkbookRefused) as refused:
        read_xlsform(hostile)
    assert str(refused.value) == (
        "far.xlsx: sheet 'survey' has cells as far as A1:XFD1048576 (17,179,869,184 cells), more than the "
        "10,000,000 the observatory reads in one sheet; delete the rows and columns beyond the table (select "
        "them, Delete, save) and import the file again")


@pytest.mark.slow  # a real process
def test_a_cell_at_xfd1048576_is_refused_before_calamine_aborts_the_process(tmp_path):
    hostile = rewritten(UNDESA, tmp_path / "undesa.xlsx", "xl/worksheets/sheet2.xml",
                        lambda xml: xml.replace(b"</sheetData>", FAR_CELL))
    # In a child process with 4 GB of address space: without the guard calamine aborts it (SIGABRT).
    script = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))\n"
              "from diaspora_observatory.importers.tabular_input import workbook_rows\n"
              "from diaspora_observatory.errors import DiasporaError\n"
              "try:\n    workbook_rows(sys.argv[1], 'Table 1')\nexcept DiasporaError as error:\n    print(error)\n")
    done = subprocess.run([sys.executable, "-c", script, str(hostile)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.startswith("undesa.xlsx: sheet 'Table 1' has cells as far as A1:XFD1048576 (17,179,869,184 "
                                  "cells)")


@pytest.mark.slow  # inflates a bomb
def test_a_deflate_bomb_is_refused_by_its_ratio(tmp_path):
    # 50 MB of blanks between two cells pack into about 50 KB, as in the 1 MB file that unpacked to 1.2 GB.
    hostile = rewritten(GROUP_FORM, tmp_path / "bomb.xlsx", "xl/worksheets/sheet1.xml",
                        lambda xml: xml.replace(b"</sheetData>", b" " * 50_000_000 + b"</sheetData>"))
    assert hostile.stat().st_size < 100_000
    with pytest.raises(WorkbookRefused, match=r"^bomb\.xlsx: the part xl/worksheets/sheet1\.xml unpacks [0-9,]+ bytes "
                                              r"into [0-9,]+, more than 100 times \(a zip bomb"):
        read_xlsform(hostile)
    with pytest.raises(WorkbookRefused, match=r"^bomb\.xlsx: the part"):
        workbook_rows(hostile, None)


def test_a_workbook_that_unpacks_beyond_the_cap_is_refused(monkeypatch):
    monkeypatch.setattr(spreadsheet_guard, "MAX_UNCOMPRESSED", 1_000_000)
    with pytest.raises(WorkbookRefused) as refused:
        workbook_rows(UNDESA, "Table 1")
    assert str(refused.value) == ("undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx: the workbook unpacks to "
                                  "1,977,731 bytes, more than the 1,000,000 the observatory reads; save only the "
                                  "sheets needed in a new workbook, or export the table as CSV")


def test_a_file_that_is_not_a_zip_is_left_to_the_reader(tmp_path):
    text = tmp_path / "table.xlsx"
    text.write_text("not a workbook")
    check_workbook(text)
    with pytest.raises(MalformedSource, match="is not a readable Excel workbook"):
        workbook_rows(text, None)


def test_a_csv_cell_over_128_kb_names_the_file_and_row(tmp_path):
    source = DATA / "undesa-ims-2024-bilateral-iso2.csv"
    lines = source.read_bytes().split(b"\r\n")
    lines[3] = lines[3] + b',"' + b"x" * 200_000 + b'"'
    hostile = tmp_path / "bilateral.csv"
    hostile.write_bytes(b"\r\n".join(lines))
    # The csv module's limit is global to the process, and importing frictionless (the test suite does)
    # raises it: this test sets the standard limit, which the observatory runs with, and restores it.
    previous = csv.field_size_limit(131_072)
    try:
        with pytest.raises(MalformedSource) as refused:
            list(csv_rows(hostile))
    finally:
        csv.field_size_limit(previous)
    assert str(refused.value) == (
        "bilateral.csv, row 4: a cell is longer than 131,072 characters, the most a CSV cell may hold here; check "
        "that the file is a table with one value per cell (a missing closing quote makes the rest of the file one "
        "cell)")
    assert len(list(csv_rows(source))) == 8414  # the real file itself reads whole


@pytest.mark.slow  # about 1.5 s
def test_a_relevant_nested_300_deep_names_sheet_row_and_column(tmp_path):
    copy = tmp_path / "ucl.xlsx"
    shutil.copy(LIBREOFFICE_FORM, copy)
    from openpyxl import load_workbook

    workbook = load_workbook(copy)
    assert workbook["survey"]["H1"].value == "relevant"
    workbook["survey"]["H3"] = "(" * 300 + "1 = 1" + ")" * 300
    workbook.save(copy)
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(copy)
    issues = [str(issue) for issue in refused.value.issues if issue.row == 3]
    assert issues == ["sheet 'survey', row 3, column 'relevant': the expression nests parentheses or functions more "
                      f"than 32 levels deep (in {'(' * 80!r}…); write it with fewer nested parentheses: and/or "
                      "need none"]


def test_nesting_up_to_the_limit_and_long_chains_still_work():
    from diaspora_observatory.survey.expressions import MAX_NESTING, ExpressionError, holds, parse

    assert holds("(" * MAX_NESTING + "${a} = 1" + ")" * MAX_NESTING, {"a": 1})
    assert holds("not(" * MAX_NESTING + "${a} = 1" + ")" * MAX_NESTING, {"a": 1})  # an even number of not()
    with pytest.raises(ExpressionError, match="more than 32 levels deep"):
        parse("not(" * (MAX_NESTING + 1) + "1 = 1" + ")" * (MAX_NESTING + 1))
    chain = " or ".join(f"${{a}} = {number}" for number in range(5000))  # flat: no recursion per term
    assert holds(chain, {"a": 4999}) and not holds(chain.replace(" or ", " and "), {"a": 1})


LAUGHS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE lol [<!ENTITY lol "lol">'
          b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n')


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml", "[Content_Types].xml"])
def test_a_part_declaring_entities_is_refused_before_any_reader_sees_it(tmp_path, part):
    """Spreadsheet programs never write a DOCTYPE or ENTITY into a workbook; one in any XML part (strings, a
    sheet, the content types) is refused with the file and the part named, for XLSForms and data alike."""
    hostile = rewritten(GROUP_FORM, tmp_path / "laughs.xlsx", part, lambda xml: LAUGHS + xml.split(b"?>", 1)[1])
    message = (f"laughs.xlsx: the part {part} declares a document type or entities, which spreadsheet programs "
               "never write; it is refused so that no entity in it is expanded; open the file in a spreadsheet "
               "program and save it again as .xlsx")
    with pytest.raises(WorkbookRefused) as refused:
        check_workbook(hostile)
    assert str(refused.value) == message
    with pytest.raises(WorkbookRefused, match=re.escape(message)):
        read_xlsform(hostile)
    with pytest.raises(WorkbookRefused, match=re.escape(message)):
        workbook_rows(hostile, None)
