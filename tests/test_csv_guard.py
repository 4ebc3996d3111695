"""Every CSV the package reads goes through one guarded reader (``csv_guard.py``), so a cell over 128 KB or a
broken quote is a message naming the file and the line, never a csv.Error traceback (issue 12). The hostile
files are the package's own files, or what its own commands write, with one cell made long."""

from __future__ import annotations

import ast
import csv
import io
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import diaspora_observatory
from diaspora_observatory.cli import main
from diaspora_observatory.csv_guard import MAX_CELL, CsvDictRows, CsvRefused, CsvRows

PACKAGE = Path(diaspora_observatory.__file__).resolve().parent
LONG = "x" * 200_000
REFUSAL = "a cell is longer than 131,072 characters, the most a CSV cell may hold here"
HINT = ("check that the file is a table with one value per cell (a missing closing quote makes the rest of the file "
        "one cell)")


@pytest.fixture(params=[131_072, sys.maxsize], ids=["standard limit", "limit raised by a library"])
def process_limit(request):
    """The csv module's field limit is global to the process, and importing frictionless or scipy raises it:
    the refusal must be the same either way."""
    previous = csv.field_size_limit(request.param)
    yield request.param
    csv.field_size_limit(previous)


def test_a_long_cell_is_refused_with_file_and_line_whatever_the_process_limit(process_limit):
    text = f'a,b\n1,2\n3,"{LONG}"\n5,6\n'
    with pytest.raises(CsvRefused) as refused:
        list(CsvRows(io.StringIO(text, newline=""), "table.csv"))
    assert (refused.value.file, refused.value.line, refused.value.problem) == ("table.csv", 3, REFUSAL)
    assert str(refused.value) == f"table.csv, row 3: {REFUSAL}; {HINT}"
    with pytest.raises(CsvRefused, match=r"^table\.csv, row 3: a cell is longer"):
        list(CsvDictRows(io.StringIO(text, newline=""), "table.csv"))
    exactly = f"a\n{'x' * MAX_CELL}\n"  # the limit itself is allowed, as by the csv module
    assert [len(row[0]) for row in CsvRows(io.StringIO(exactly, newline=""), "t.csv")] == [1, MAX_CELL]


def test_a_broken_quote_names_the_line():
    with pytest.raises(CsvRefused) as refused:
        list(CsvRows(io.StringIO('a,b\n1,"2"x\n', newline=""), "t.csv", strict=True))
    assert str(refused.value) == ("t.csv, row 2: not readable as CSV (',' expected after '\"'); save the file again as "
                                  "CSV UTF-8")


def test_no_module_reads_csv_but_through_the_guard():
    readers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "csv_guard.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr in ("reader", "DictReader")
                    and isinstance(node.value, ast.Name) and node.value.id == "csv"):
                readers.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and node.module in ("csv", "_csv"):
                readers.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert readers == []
    assert sum(1 for path in PACKAGE.rglob("*.py") if "CsvRows" in path.read_text(encoding="utf-8")
               or "CsvDictRows" in path.read_text(encoding="utf-8")) >= 8  # the scan saw the readers


def test_check_names_the_resource_and_line_of_a_long_cell(case_copy, process_limit):
    institutions = case_copy / "data" / "institutions.csv"
    lines = institutions.read_text(encoding="utf-8").split("\n")
    assert lines[2].endswith(",The study says more than 20.")
    lines[2] = lines[2].removesuffix("The study says more than 20.") + f'"{LONG}"'
    institutions.write_text("\n".join(lines), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--case", str(case_copy)])
    assert result.exit_code == 1, result.output
    assert f"[csv] data/institutions.csv row 3: {REFUSAL}; {HINT}" in result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)


def test_a_codebook_with_a_long_cell_is_refused_with_file_and_line(tmp_path, process_limit):
    runner = CliRunner()
    exported = runner.invoke(main, ["documents", "codebook", "--format", "csv"])
    assert exported.exit_code == 0
    lines = exported.output.splitlines()
    assert lines[0] == "code,parent,description,patterns_en,patterns_ru,patterns_kk"
    lines[3] = lines[3] + f',"{LONG}"'
    codebook = tmp_path / "policy.csv"
    codebook.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused = runner.invoke(main, ["documents", "codebook", "--codebook", str(codebook)])
    assert refused.exit_code == 2
    assert refused.output == f"Error: policy.csv, row 4: {REFUSAL}\nHint: {HINT}\n"


def test_a_manifest_with_a_long_cell_is_refused_before_anything_is_imported(tmp_path, monkeypatch, process_limit):
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "a.txt").write_text("The embassy opened a cultural centre.", encoding="utf-8")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(f'file,kind,date,title\na.txt,press,2024,"{LONG}"\n', encoding="utf-8")
    refused = CliRunner().invoke(main, ["documents", "import-list", str(manifest)])
    assert refused.exit_code == 2
    assert refused.output == f"Error: manifest.csv, row 2: {REFUSAL}\nHint: {HINT}\n"
    listed = CliRunner().invoke(main, ["documents", "list", "--format", "csv"]).output.splitlines()
    assert listed[0].startswith("document_id,") and not any(line.startswith("a,") for line in listed)
