"""Issue 11's "done when", walked file by file: every file of ../shared/data (each named in its README)
imports with values spot-checked against the file as the test reads it itself (csv, openpyxl, the zip), or
is refused with a message that says what to do. The detailed checks of each layout live in the test files
named in each check's docstring; this one makes sure no file is left without one.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sources_files import SHARED

from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.importers.owid import read_owid
from diaspora_observatory.importers.undesa import read_undesa
from diaspora_observatory.importers.wdi import read_wdi

README = SHARED / "README.md"
pytestmark = pytest.mark.skipif(not README.is_file(), reason=f"shared data not found at {SHARED}")


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def csv_rows(name: str) -> list[list[str]]:
    return rows_of((SHARED / name).read_text(encoding="utf-8"))


def one(frame, **where):
    for column, wanted in where.items():
        frame = frame[frame[column] == wanted]
    assert len(frame) == 1, (where, len(frame))
    return frame.iloc[0]


def refused(read, path, *expected: str) -> str:
    """The refusal's message and hint, which must name the file and say what to give instead."""
    with pytest.raises(DiasporaError) as raised:
        read(path)
    text = f"{raised.value.message}\nHint: {raised.value.hint}"
    assert raised.value.message.startswith(path.name) or raised.value.message.startswith(str(path)), text
    for part in expected:
        assert part in text, text
    return text


# --- migration data (tests/sources/test_sources_real_files.py, test_sources_mutations.py) --------------------

def check_bilateral(name):
    imported = read_undesa(SHARED / name)
    header, *rows = csv_rows(name)
    assert header == ["destination", "origin", "stock_2024"] and len(rows) == 8413
    assert len(imported.table) == 8413
    kazakhstan_from_uzbekistan = next(r for r in rows if r[:2] == ["KZ", "UZ"])
    assert one(imported.table, destination="KAZ", origin="UZB", year=2024).stock == int(kazakhstan_from_uzbekistan[2])


def check_matrix_2019(name):
    imported = read_undesa(SHARED / name)
    header, *rows = csv_rows(name)
    row = next(r for r in rows if r[0] == "2019" and r[1] == "Kazakhstan")
    stock = int(float(row[header.index("Uzbekistan")]))
    assert one(imported.table, destination="KAZ", origin="UZB", year=2019).stock == stock


def check_destination_workbook(name):
    path = SHARED / name
    imported = read_undesa(path, destination_tables=True)
    book = openpyxl.load_workbook(path, read_only=True)  # read-only keeps the file open until closed
    try:
        sheet = book["Table 1"]
        header = [cell for cell in next(sheet.iter_rows(min_row=11, max_row=11, values_only=True))]
        code_column = header.index("Location code")
        row = next(r for r in sheet.iter_rows(min_row=12, values_only=True) if r[code_column] == 398)
    finally:
        book.close()
    both_2020 = row[header.index(2020)]
    assert one(imported.table, country="KAZ", year=2020,
               indicator="International migrant stock at mid-year, both sexes combined").value == both_2020
    assert imported.details["data_type_of"]["KAZ"] == "B R"


def check_wdi_csv(name):
    imported = read_wdi(SHARED / name)
    rows = csv_rows(name)
    if name.startswith("wdi-population"):
        kazakhstan = next(r for r in rows if r[1] == "KAZ" and r[2] == "2020")
        expected = int(kazakhstan[3])
    else:  # the World Bank's own wide layout: 4 preamble lines, then Country Name, Country Code, ..., years
        header = rows[4]
        expected = int(next(r for r in rows if len(r) > 1 and r[1] == "KAZ")[header.index("2020")])
    assert one(imported.table, country="KAZ", year=2020).population == expected


def check_wdi_zip(name):
    imported = read_wdi(SHARED / name)
    with zipfile.ZipFile(SHARED / name) as archive:
        data = next(n for n in archive.namelist() if n.startswith("API_"))
        rows = rows_of(archive.read(data).decode("utf-8-sig"))
    expected = int(next(r for r in rows if len(r) > 1 and r[1] == "KAZ")[rows[4].index("2020")])
    assert one(imported.table, country="KAZ", year=2020).population == expected


def check_owid_stock(name):
    imported = read_owid(SHARED / name)
    kazakhstan = next(r for r in csv_rows(name) if r[1] == "KAZ" and r[2] == "2024")
    assert one(imported.table, country="KAZ", year=2024).value == float(kazakhstan[3])


def check_owid_flows(name):
    imported = read_owid(SHARED / name)
    iran = next(r for r in csv_rows(name) if r[1] == "IRN" and r[2] == "2024")
    assert one(imported.table, destination="IRN", origin="AFG", year=2024).stock == int(iran[3])


def check_sidecar(name):
    """A descriptor beside a data file is not itself a table: refused, saying which file to give."""
    read = read_wdi if name.startswith("wdi") else read_owid
    refused(read, SHARED / name, "CSV")


# --- surveys (tests/survey/test_survey_xlsform*.py, test_survey_imports*.py) ---------------------------------

def check_xlsform(name):
    from diaspora_observatory.survey.errors import XLSFormError
    from diaspora_observatory.survey.xlsform import read_xlsform_with_notices

    path = SHARED / name
    sheet = openpyxl.load_workbook(path)["survey"]
    header = [str(cell.value or "").strip().lower() for cell in sheet[1]]
    written = [str(row[header.index("name")] or "") for row in sheet.iter_rows(min_row=2, values_only=True)
               if any(v not in (None, "") for v in row)]
    try:
        form, notices = read_xlsform_with_notices(path)
    except XLSFormError as error:
        assert error.issues and all(str(issue).startswith(f"sheet '{issue.sheet}'") for issue in error.issues)
        assert any(issue.row for issue in error.issues) and error.hint
        return
    # read: every row written is a question of the form, or a Kobo metadata row left out with a notice
    asked = [q.name for q in form.questions if not q.added_for and q.kind != "end_group"]
    assert asked == [n for n in written if n not in {notice.message.split("(")[1].split(")")[0] for notice in notices}
                     and n in asked]
    assert len([q for q in form.questions if not q.added_for]) + len(notices) == len(written)
    assert len(form.answer_questions()) >= 3


def check_odk_export(name, tmp_path):
    from diaspora_observatory.survey.imports import import_responses
    from diaspora_observatory.survey.storage import SurveyStore

    forms = {"central_backend_test_simple.csv": ("simple", "age"),
             "central_backend_test_selectMultiple_split.csv": ("selectMultiple", "q1")}
    from test_survey_imports import odk_forms  # the forms these exports were made from (getodk/central-backend)

    form = odk_forms()[name.split("/")[-1]]
    store = SurveyStore(f"sqlite:///{tmp_path / 'survey.sqlite3'}")
    store.add_survey("odk", form)
    summary = import_responses(store, "odk", SHARED / name, "odk")
    header, *rows = csv_rows(name)
    assert summary.stored == len(rows) > 0
    question = forms[name.split("/")[-1]][1]
    first = rows[0]
    instance = first[header.index("meta-instanceID")]
    # stored under the export's instance id, with the importer's prefix (test_survey_imports checks it whole)
    stored = {row["submission_id"].rpartition("-")[2]: row["answers"] for row in store.responses("odk")}
    if question == "age":
        assert stored[instance]["age"] == int(first[header.index("age")])
    else:  # the split columns q1/a, q1/b (1 or 0) become the answer's list of names
        chosen = [choice for choice in ("a", "b") if first[header.index(f"q1/{choice}")] == "1"]
        assert sorted(stored[instance].get("q1", [])) == chosen


# --- documents (tests/documents/test_documents_qdc.py) --------------------------------------------------------

def check_refi_schema(name):
    """The REFI-QDA schema is not imported: it validates the observatory's own .qdc export (and a .qdc given as
    --codebook is read by the same elements; test_documents_qdc.py reads the ATLAS.ti and QualCoder layouts)."""
    from test_documents_qdc import SCHEMA, assert_valid

    from diaspora_observatory.documents.codebook import load_codebook
    from diaspora_observatory.documents.exports import codebook_qdc

    assert SCHEMA.resolve() == (SHARED / name).resolve()
    assert_valid(codebook_qdc(load_codebook()))


CHECKS = {
    "undesa-ims-2024-bilateral-iso2.csv": check_bilateral,
    "undesa-2019-matrix/UN_MigrantStockByOriginAndDestination_2019_clean.csv": check_matrix_2019,
    "undesa-workbooks/undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx": check_destination_workbook,
    "undesa-workbooks/undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx": check_destination_workbook,
    "wdi-population/population.csv": check_wdi_csv,
    "wdi-population/datapackage.json": check_sidecar,
    "wdi-download/API_SP.POP.TOTL_DS2_en_csv_v2_246068.csv": check_wdi_csv,
    "wdi-download/Population.zip": check_wdi_zip,
    "owid/owid-migrant-stock-total.csv": check_owid_stock,
    "owid/owid-migrant-stock-total.metadata.json": check_sidecar,
    "owid/owid-migration-flows-export.csv": check_owid_flows,
    "odk-exports/central_backend_test_simple.csv": check_odk_export,
    "odk-exports/central_backend_test_selectMultiple_split.csv": check_odk_export,
    **{f"xlsform/{name}": check_xlsform for name in ("UCL_Biomass_Plot_Form.xlsx", "choice_filter_test.xlsx",
                                                     "group.xlsx", "or_other.xlsx", "xlsform_spec_test.xlsx")},
    **{f"xlsform-more/{name}": check_xlsform for name in ("correlaid_testA.xlsx", "correlaid_testB.xlsx",
                                                          "correlaid_all_types_survey.xlsx")},
    "refi-qda/refi_Project_1.0.xsd": check_refi_schema,
}


def test_every_file_on_disk_and_in_the_readme_has_a_check():
    on_disk = {str(p.relative_to(SHARED)) for p in SHARED.rglob("*") if p.is_file() and p.name != "README.md"}
    assert on_disk == set(CHECKS)
    readme = README.read_text(encoding="utf-8")
    named = {token.lstrip("…+ ").strip() for token in re.findall(r"`([^`]+)`", readme)}
    headings = set(re.findall(r"^## ([\w.-]+/?)$", readme, re.MULTILINE))  # a file's or a folder's section
    for path in CHECKS:  # named in full, by an abbreviation (`…selectMultiple_split.csv`), or by its section
        assert any(path.endswith(token) for token in named) or any(
            path == heading or (heading.endswith("/") and path.startswith(heading)) for heading in headings), path
    # and the other way: every file the README names is here and checked
    # (a path whose folder is not one of ours, as `inst/refi.xsd`, is where a file comes from, not a file here)
    files = {token for token in named if re.search(r"\.(csv|xlsx|zip|json|xsd)$", token)
             and ("/" not in token or (SHARED / token.split("/")[0]).is_dir())}
    assert files and all(any(path.endswith(token) for path in CHECKS) for token in files), files


# The largest files take seconds each to read: left out of make test-fast.
HEAVY = {"xlsform/xlsform_spec_test.xlsx", "undesa-2019-matrix/UN_MigrantStockByOriginAndDestination_2019_clean.csv",
         "xlsform/UCL_Biomass_Plot_Form.xlsx", "xlsform-more/correlaid_testB.xlsx"}


@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.slow) if name in HEAVY else name
                                  for name in sorted(CHECKS)])
def test_each_shared_file_imports_right_or_is_refused_clearly(name, tmp_path, monkeypatch):
    check = CHECKS[name]
    for folder in ("survey", "documents"):  # helpers of the tests that check these layouts in detail
        monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / folder))
    if check is check_odk_export:
        check(name, tmp_path)
    else:
        check(name)
