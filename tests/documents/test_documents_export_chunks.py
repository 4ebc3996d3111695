"""The coverage, gaps and passages exports written a chunk of documents at a time, counted by the database
(documents/index_tables.py, documents/exports.py), are byte for byte what the whole tables built in pandas
from every passage give (``Workspace.coverage``/``gaps``/``passages`` through ``exports.to_csv`` and
``tabular.to_json``): over HTTP (``/coding.csv``, ``/coding.json``) and through the CLI, on a real SQLite
store with chunks of three documents, so every export crosses many chunk boundaries."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from diaspora_observatory import load_case
from diaspora_observatory.analysis.documents import coverage_matrix
from diaspora_observatory.cli import main
from diaspora_observatory.documents import exports, index_tables
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.workspace import Workspace
from diaspora_observatory.tabular import to_json
from tests.documents.conftest import app_built_once, client_class

TEXT = ("Repatriates from Mongolia receive quotas and housing support. The embassy keeps a register of "
        "citizens abroad and helps with documents. Employers must hire within the quota.")
# Titles and sources a CSV writer must quote or neutralise, and text a JSON writer must escape.
ODD_TITLES = ['=HYPERLINK("http://x","y")', "+7 707 000 00 00", 'a "quoted", comma', "two\nlines", "Қазақ тілі",
              "-minus", "@at", "tab\tinside", "", "\u2028 separator"]


@pytest.fixture(scope="module")
def module_app(tmp_path_factory, computed_app):
    yield from app_built_once(tmp_path_factory, "documents-admin-token-chunks", computed_app)


@pytest.fixture(scope="module")
def space(module_app) -> Workspace:
    """The case's documents, three with a stored text (one of kind "other", which takes the case's kind),
    31 more with odd titles, ids out of date order (non-ASCII and upper case among them), undated ones,
    policy kinds among press items, and two people's hand coding."""
    space = Workspace(load_case(), module_app[1])
    documents = [
        Document(document_id="press-dkn-2024", title="", kind="other", date="", language="en", text=TEXT),
        Document(document_id="law-migration", title="Law", kind="law", date="2002-07-13", language="en", text=TEXT),
    ]
    ids = [f"item-{n:02d}" for n in range(25)] + ["Zeta", "Ärger", "äb", "z-last", "A-first", "Ωmega"]
    for n, document_id in enumerate(ids):
        documents.append(Document(
            document_id=document_id, title=ODD_TITLES[n % len(ODD_TITLES)],
            kind=("press", "plan", "press", "law", "concept")[n % 5], date="" if n % 6 == 5 else f"{2024 - n % 4}-0{1 + n % 9}-01",
            language="en", text=TEXT[:30 + 5 * n], source_id=f"=src-{n % 3}" if n % 2 else ""))
    for document in documents:
        space.import_document(document)
    space.store.add_manual("item-03", "employment_quotas", "aigerim", 0, 20)
    space.store.add_manual("item-03", "social_support", "aigerim", 20, 40)
    space.store.add_manual("Ärger", "social_support", "bolat", 0, 30)
    space.store.add_manual("law-migration", "housing", "aigerim", 0, 10)  # a code the codebook no longer has
    return space


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(index_tables, "_CHUNK", 3)


def joined(chunks) -> str:
    parts = list(chunks)
    assert parts  # at least the header or "[]"
    return "".join(parts)


# Eleven exports of a dozen chunks each, about two seconds a coder filter: the quick loop (make test-fast)
# checks every coder's passages, CI each filter too.
@pytest.mark.parametrize("coders", [None, pytest.param(["auto"], marks=pytest.mark.slow),
                                    pytest.param(["aigerim"], marks=pytest.mark.slow),
                                    pytest.param(["nobody"], marks=pytest.mark.slow)])
def test_chunked_tables_are_the_whole_tables_byte_for_byte(space, small_chunks, coders):
    long = space.coverage(coders)
    assert len(long) > 30 * len(space.codes)  # the case's documents with text and the 31 items
    assert joined(exports.coverage_export(space, coders, "csv")) == exports.to_csv(long)
    assert joined(exports.coverage_export(space, coders, "json")) == to_json(long)
    for value in ("passages", "present"):
        matrix = coverage_matrix(long, value)
        assert joined(exports.coverage_export(space, coders, "csv", value)) == exports.to_csv(matrix)
        assert joined(exports.coverage_export(space, coders, "json", value)) == to_json(matrix)
    gaps = space.gaps(coders)
    assert list(gaps["policy"]).index(False) > 0 and gaps["policy"].iloc[0]  # policy gaps first, then others
    assert joined(exports.gaps_export(space, coders, "csv")) == exports.to_csv(gaps)
    assert joined(exports.gaps_export(space, coders, "json")) == to_json(gaps)
    policy = gaps[gaps["policy"]]
    assert joined(exports.gaps_export(space, coders, "csv", policy_only=True)) == exports.to_csv(policy)
    passages = exports.passages_for_export(space.passages(coders))
    assert joined(exports.passages_export(space, coders, "csv")) == exports.to_csv(passages)
    assert joined(exports.passages_export(space, coders, "json")) == to_json(passages)


def test_the_formulas_are_neutralised_in_the_chunks(space, small_chunks):
    text = joined(exports.coverage_export(space, None, "csv"))
    assert "'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")" in text and ",'=src-1\n" in text
    assert "\n=" not in text and ",=" not in text and ",+7" not in text


def test_coding_csv_and_json_over_http_are_the_whole_tables(space, module_app, small_chunks, monkeypatch):
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(module_app[1]))
    client = client_class()(module_app[0])
    for query, coders in (("", None), ("?coder=aigerim", ["aigerim"]), ("?coder=unknown", None)):
        long = space.coverage(coders)
        csv_response = client.get(f"/coding.csv{query}")
        assert csv_response.status_code == 200
        assert csv_response.headers["content-type"] == "text/csv; charset=utf-8"
        assert csv_response.content == exports.to_csv(long).encode("utf-8")
        json_response = client.get(f"/coding.json{query}")
        assert json_response.headers["content-type"] == "application/json"
        assert json_response.content == to_json(long).encode("utf-8")
    assert client.get("/coding.xml").status_code == 404


def test_an_empty_store_exports_the_header_and_an_empty_list(tmp_path, small_chunks):
    from diaspora_observatory.case.package import Case

    space = Workspace(load_case(), tmp_path / "data")
    case = space.case
    assert isinstance(case, Case)
    long = space.coverage()
    # the built-in case's documents have no text until imported: no coverage row at all
    assert long.empty
    assert joined(exports.coverage_export(space, None, "csv")) == exports.to_csv(long) == (
        "document_id,title,kind,year,code,passages,present,policy,source_id\n")
    assert joined(exports.coverage_export(space, None, "json")) == to_json(long) == "[]"
    assert joined(exports.gaps_export(space, None, "csv")) == exports.to_csv(space.gaps()) == (
        "document_id,title,kind,code,policy,source_id\n")
    assert joined(exports.passages_export(space, None, "json")) == "[]"
    assert joined(exports.passages_export(space, None, "csv")) == "id,document,code,coder,start,end,text\n"


def test_a_passage_saved_during_an_export_is_in_it_or_not_never_half(space, small_chunks):
    """The chunks are read in one snapshot: a passage saved after the first chunk (the case's first three
    documents) is not in the export, though its document is in the next chunk (the case's next three)."""
    before = exports.to_csv(space.coverage())
    chunks = exports.coverage_export(space, None, "csv")
    first = next(chunks)
    assert "\nlaw-migration," in first and "press-dkn-2024" not in first
    passage = space.store.add_manual("press-dkn-2024", "employment_quotas", "bolat", 0, 10)
    try:
        assert first + "".join(chunks) == before
        assert exports.to_csv(space.coverage()) != before
    finally:
        space.store.delete_passage(passage)


@pytest.mark.parametrize("command", [
    ["coverage"], ["coverage", "--long"], ["coverage", "--presence"], ["gaps"], ["gaps", "--policy-only"],
    ["passages"], ["passages", "item-03"], ["passages", "--coder", "aigerim"]])
@pytest.mark.parametrize("output_format", ["csv", "json"])
def test_the_cli_writes_the_whole_tables(space, module_app, small_chunks, command, output_format):
    # Only the command's own table is built (each is a few queries and a pandas table over the whole store).
    whole = {
        ("coverage",): lambda: coverage_matrix(space.coverage()), ("coverage", "--long"): space.coverage,
        ("coverage", "--presence"): lambda: coverage_matrix(space.coverage(), "present"), ("gaps",): space.gaps,
        ("gaps", "--policy-only"): lambda: (gaps := space.gaps())[gaps["policy"]],
        ("passages",): lambda: exports.passages_for_export(space.passages()),
        ("passages", "item-03"): lambda: exports.passages_for_export(
            (passages := space.passages())[passages["document_id"] == "item-03"]),
        ("passages", "--coder", "aigerim"): lambda: exports.passages_for_export(space.passages(["aigerim"]))}
    expected = whole[tuple(command)]()
    result = CliRunner().invoke(main, ["documents", *command, "--format", output_format,
                                       "--data-dir", str(module_app[1])])
    assert result.exit_code == 0, result.output
    assert result.output == (exports.to_csv(expected) if output_format == "csv" else to_json(expected) + "\n")


def whole_workbook(sheets: dict, path):
    """The workbook as ``exports.write_xlsx`` built it before it wrote chunks: openpyxl's ordinary workbook,
    every table whole in memory (the code as it was, kept here as the reference)."""
    from openpyxl import Workbook

    from diaspora_observatory.safety import neutralise

    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(title=name[:31])
        sheet.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            sheet.append([None if v is None or v is pd.NA or (isinstance(v, float) and v != v)
                          else neutralise(v.item() if hasattr(v, "item") else v) for v in row])
        sheet.freeze_panes = "A2"
    workbook.save(path)
    return path


def cells(path) -> dict[str, list[list]]:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return {name: [[(cell.value, cell.data_type) for cell in row] for row in book[name].iter_rows()]
            for name in book.sheetnames}


@pytest.mark.parametrize("coders", [None, ["aigerim"]])
def test_coverage_xlsx_holds_the_whole_tables_written_a_chunk_at_a_time(space, module_app, small_chunks, tmp_path,
                                                                        coders):
    """``documents export`` writes coverage.xlsx through openpyxl's write-only sheets from chunks of three
    documents; every sheet holds, cell for cell, the whole table the workbook was built from before."""
    from openpyxl import load_workbook

    out = tmp_path / "export"
    arguments = ["documents", "export", "--out", str(out), "--data-dir", str(module_app[1])]
    result = CliRunner().invoke(main, arguments + [option for coder in coders or [] for option in ("--coder", coder)])
    assert result.exit_code == 0, result.output
    long = space.coverage(coders)
    expected = {"coverage": coverage_matrix(long), "coverage (long)": long, "gaps": space.gaps(coders),
                "agreement": space.agreement()}
    assert len(long) > 30 * len(space.codes) and len(expected["agreement"]) >= 3  # auto, study and two people
    before = cells(whole_workbook(expected, tmp_path / "before.xlsx"))
    after = cells(out / "coverage.xlsx")
    assert list(after) == list(expected)
    for name in expected:
        assert after[name] == before[name], name
    assert sum(len(rows) for rows in after.values()) > 600
    book = load_workbook(out / "coverage.xlsx")
    assert all(book[name].freeze_panes == "A2" for name in expected)
    titles = {row[1] for row in after["coverage (long)"]}
    assert ("'=HYPERLINK(\"http://x\",\"y\")", "s") in titles  # a title: text, never a formula
    assert all(kind != "f" for rows in after.values() for row in rows for _, kind in row)


def test_coverage_xlsx_of_an_empty_store_has_the_headers(tmp_path, small_chunks):

    space = Workspace(load_case(), tmp_path / "data")
    path = exports.write_coverage_xlsx(space, None, tmp_path / "coverage.xlsx")
    long = space.coverage()
    before = whole_workbook({"coverage": coverage_matrix(long), "coverage (long)": long, "gaps": space.gaps(),
                             "agreement": space.agreement()}, tmp_path / "before.xlsx")
    assert cells(path) == cells(before)
    assert cells(path)["coverage"] == [[("document_id", "s")]]


def test_a_sheet_longer_than_a_spreadsheet_holds_is_refused_and_the_csv_files_are_written(space, module_app,
                                                                                        tmp_path, monkeypatch):
    """Excel and LibreOffice open at most 1,048,576 rows of a sheet and drop the others (the long coverage
    table passes it at about 55,000 articles); here the limit is lowered to 100 rows to show the refusal."""
    from openpyxl.worksheet import _writer

    monkeypatch.setattr(exports, "SHEET_ROWS", 100)
    out = tmp_path / "export"
    out.mkdir()
    (out / "coverage.xlsx").write_bytes(b"an earlier export's workbook")
    temporary = list(_writer.ALL_TEMP_FILES)
    result = CliRunner().invoke(main, ["documents", "export", "--out", str(out), "--data-dir", str(module_app[1])])
    assert result.exit_code == 2
    assert result.output == ("Error: sheet 'coverage (long)' would have more than 99 rows, the most a spreadsheet "
                             "sheet holds\nHint: use the CSV file of the same table, which has every row\n")
    assert sorted(path.name for path in out.iterdir()) == ["codebook.qdc", "coverage.csv", "gaps.csv", "passages.csv"]
    assert _writer.ALL_TEMP_FILES == temporary  # openpyxl's files of the refused sheets removed
