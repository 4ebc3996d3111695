"""`diaspora documents` through the real command group: same numbers as the library, clear errors."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from diaspora_observatory import load_case
from diaspora_observatory.cli import main
from diaspora_observatory.documents.workspace import Workspace

PRESS_EN = "Repatriates get quotas. The embassy opened a cultural centre for compatriots."
PRESS_RU = "Посольство поддерживает соотечественников. Репатриация кандасов продолжается."


@pytest.fixture
def imported(data_dir, tmp_path):
    runner = CliRunner()
    for name, text, date in (("a.txt", PRESS_EN, "2023-05-01"), ("b.txt", PRESS_RU, "2024-02-01")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = runner.invoke(main, ["documents", "import", str(path), "--kind", "press", "--date", date])
        assert result.exit_code == 0, result.output
    return runner


def test_import_reports_what_it_did(data_dir, tmp_path):
    path = tmp_path / "item.txt"
    path.write_text(PRESS_EN, encoding="utf-8")
    result = CliRunner().invoke(main, ["documents", "import", str(path), "--kind", "press", "--date", "2023"])
    assert result.exit_code == 0, result.output
    assert result.output == "Imported 'item' (press, en, 77 characters): 6 passages coded automatically.\n"


def test_coverage_csv_matches_the_library(imported, data_dir):
    result = imported.invoke(main, ["documents", "coverage", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = {row["document_id"]: row for row in csv.DictReader(io.StringIO(result.output))}
    library = Workspace(load_case(), data_dir).coverage()
    for item in library.itertuples():
        assert int(rows[item.document_id][item.code]) == item.passages
    assert rows["a"]["diaspora_cooperation"] == "2" and rows["b"]["repatriation_kandas"] == "2"


def test_gaps_themes_agreement_and_explain(imported):
    gaps = imported.invoke(main, ["documents", "gaps", "--format", "json"])
    assert {"document_id": "a", "code": "tourism"}.items() <= next(
        g for g in json.loads(gaps.output) if g["document_id"] == "a" and g["code"] == "tourism").items()
    themes = json.loads(imported.invoke(main, ["documents", "themes", "--format", "json"]).output)
    assert {(t["year"], t["code"]) for t in themes if t["items_with_code"]} >= {(2023, "employment_quotas"),
                                                                               (2024, "consular_support")}
    explain = imported.invoke(main, ["documents", "code", "b", "--explain", "--format", "csv"])
    assert explain.exit_code == 0, explain.output
    assert "b,consular_support,0,10,Посольство,посольство" in explain.output
    assign = imported.invoke(main, ["documents", "assign", "a", "tourism", "--start", "0", "--end", "11",
                                    "--coder", "AB"])
    assert assign.exit_code == 0 and "coded 'tourism' by 'AB'" in assign.output
    agreement = json.loads(imported.invoke(main, ["documents", "agreement", "--format", "json"]).output)
    pair = next(row for row in agreement if (row["coder_a"], row["coder_b"]) == ("AB", "auto"))
    assert pair["units"] == 15 and pair["agree"] == 9  # AB saw only tourism; auto found five other codes


def test_export_writes_all_files(imported, tmp_path):
    out = tmp_path / "out"
    result = imported.invoke(main, ["documents", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["codebook.qdc", "coverage.csv", "coverage.xlsx", "gaps.csv",
                                                      "passages.csv"]
    header = (out / "passages.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "id,document,code,coder,start,end,text"
    assert ET.parse(out / "codebook.qdc").getroot().tag.endswith("CodeBook")
    assert load_workbook(out / "coverage.xlsx").sheetnames == ["coverage", "coverage (long)", "gaps", "agreement"]


def test_errors_are_messages_with_hints(data_dir, tmp_path):
    runner = CliRunner()
    missing = runner.invoke(main, ["documents", "import", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2 and "Error: no file at" in missing.output
    path = tmp_path / "a.txt"
    path.write_text(PRESS_EN, encoding="utf-8")
    bad_date = runner.invoke(main, ["documents", "import", str(path), "--date", "2024-02-30"])
    assert bad_date.exit_code == 2
    assert "Error: date '2024-02-30' is not a date" in bad_date.output and "Hint: write it as YYYY" in bad_date.output
    assert runner.invoke(main, ["documents", "import", str(path)]).exit_code == 0
    again = runner.invoke(main, ["documents", "import", str(path)])
    assert again.exit_code == 2 and "Hint: give another id with --id, or --replace" in again.output
    assign = runner.invoke(main, ["documents", "assign", "a", "tourism", "--start", "5", "--end", "500",
                                  "--coder", "AB"])
    assert assign.exit_code == 2 and "outside document 'a'" in assign.output


@pytest.mark.parametrize("command", ["import", "import-list", "list", "code", "assign", "passages", "coverage", "gaps", "themes",
                                     "agreement", "codebook", "export"])
def test_every_command_has_an_example(command):
    result = CliRunner().invoke(main, ["documents", command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output


def test_import_list_reads_a_manifest_all_or_nothing(data_dir, tmp_path):
    folder = tmp_path / "press"
    folder.mkdir()
    (folder / "one.txt").write_text(PRESS_EN, encoding="utf-8")
    (folder / "two.txt").write_text(PRESS_RU, encoding="utf-8")
    manifest = folder / "manifest.csv"
    manifest.write_text("file,kind,date,source,id\none.txt,press,2023-05-01,Kazinform,p-one\n"
                        "two.txt,press,2024-13-01,,p-two\n", encoding="utf-8")
    runner = CliRunner()
    bad = runner.invoke(main, ["documents", "import-list", str(manifest)])
    assert bad.exit_code == 2
    assert "Error: manifest.csv row 3: date '2024-13-01' is not a date" in bad.output
    assert Workspace(load_case(), data_dir).store.documents() == []  # nothing stored from a bad manifest
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("2024-13-01", "2024-01-31"), encoding="utf-8")
    good = runner.invoke(main, ["documents", "import-list", str(manifest)])
    assert good.exit_code == 0, good.output
    assert good.output == "Imported 2 documents from manifest.csv: 10 passages coded automatically.\n"
    stored = {d.document_id: d for d in Workspace(load_case(), data_dir).store.documents()}
    assert (stored["p-one"].source, stored["p-two"].language, stored["p-two"].date) == ("Kazinform", "ru",
                                                                                        "2024-01-31")
    again = runner.invoke(main, ["documents", "import-list", str(manifest)])
    assert again.exit_code == 2 and "already stored: p-one, p-two" in again.output
