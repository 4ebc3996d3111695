"""Random mutations of every real file in ../shared/data, fed to its importer: each outcome is a clean import
or a refusal naming the file (a DiasporaError), never a traceback, and never a value other rows did not say.

Mutations: one cell changed, a row dropped, a row duplicated, a header cell renamed, the bytes cut short
(and for the World Bank's zip, one bit of it flipped).
What "no silent change" means for each:
- a row dropped: every value imported is the original's (a subset of the original import);
- a row duplicated: refused, or the same import (a blank or repeated-region row);
- a cell changed in row r: every value the file gives without row r is imported unchanged (the import of
  the file with row r removed is contained in it); row r's own values are the new cell's, as read;
- a header renamed: refused, or the same values under the same keys (an indicator's name may change with its
  column's name; a renamed column that matched nothing is named in the report);
- bytes cut short: refused, or a subset of the original in which at most the last value read may be cut
  inside its digits (a CSV cut inside its last number cannot be told from a shorter number; the checksum in
  the provenance sidecar is what stops such a file from replacing a stored import without --replace).
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sources_files import SHARED, UNDESA_SHARED, WDI_SHARED
from undesa_layouts import destination_and_origin_workbook

from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.importers.owid import read_owid
from diaspora_observatory.importers.undesa import read_undesa
from diaspora_observatory.importers.wdi import read_wdi

# A sweep of random mutations over every real file: minutes on a loaded machine, so `make test-fast`
# leaves it to `make test` (CI), which runs it whole.
pytestmark = pytest.mark.slow

CELL_TEXTS = st.one_of(st.sampled_from(["", "..", "~", "—", "12,5", "1,234", "-5", "0", "1e400", "abc", "B", "C R",
                                        "X", "900", "398", "KAZ", "Selected country", "1990", "2024", "nan"]),
                       st.integers(-10, 10**9).map(str), st.text(max_size=6))
# A workbook cell cannot hold control characters (Excel and openpyxl refuse them).
SHEET_TEXTS = st.one_of(CELL_TEXTS.filter(lambda t: t.isprintable()), st.integers(0, 10**8),
                        st.floats(allow_nan=False, allow_infinity=False))
# A deeper sweep than CI's: DIASPORA_MUTATIONS_SCALE=20 runs twenty times the examples of each file.
SCALE = max(1, int(os.environ.get("DIASPORA_MUTATIONS_SCALE", "1")))
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
                database=None)

CSV_FILES = {  # file -> (importer, header row index, examples)
    "undesa-ims-2024-bilateral-iso2.csv": (read_undesa, 0, 12),
    "undesa-2019-matrix/UN_MigrantStockByOriginAndDestination_2019_clean.csv": (read_undesa, 0, 4),
    "wdi-download/API_SP.POP.TOTL_DS2_en_csv_v2_246068.csv": (read_wdi, 4, 10),
    "wdi-population/population.csv": (read_wdi, 0, 6),
    "owid/owid-migrant-stock-total.csv": (read_owid, 0, 12),
    "owid/owid-migration-flows-export.csv": (read_owid, 0, 12),
}


def values_of(imported) -> dict:
    """Every value imported, by its key (countries and aggregates); a repeated key would fail the test."""
    found: dict = {}

    def put(key, value):
        assert key not in found, f"two values for {key}"
        found[key] = value

    table, aggregates = imported.table, imported.aggregates
    if imported.kind == "migrant_stock":
        for row in table.itertuples(index=False):
            put((row.destination, row.origin, row.year, row.sex, None), (row.stock, row.data_type))
        for row in aggregates.itertuples(index=False):
            put(("agg", str(row.destination_code), str(row.origin_code), row.destination_name if
                 str(row.destination_code) == "" else "", row.year, row.sex, None), (row.stock, row.data_type))
    else:  # the indicator's name (which a renamed column changes) is the key's last part
        value = "population" if imported.kind == "population" else "value"
        for row in table.to_dict("records"):
            put((row["country"], row["year"], row.get("indicator")), row[value])
        for row in aggregates.to_dict("records"):
            put(("agg", row["code"] or row["name"], row["year"], row["name"] if str(row["code"]).isdigit() else "",
                 row.get("indicator")), row[value])
    return found


def outcome(importer, path: Path):
    """The import's values, or None when refused with a DiasporaError naming the file."""
    try:
        return values_of(importer(path))
    except DiasporaError as error:
        assert str(error).startswith(path.name), str(error)
        return None


def assert_subset(part: dict, whole: dict) -> None:
    extra = {k: v for k, v in part.items() if whole.get(k, object()) != v}
    assert not extra, f"values that the original did not give: {list(extra.items())[:3]}"


def assert_cut_subset(part: dict, whole: dict) -> None:
    differing = [k for k, v in part.items() if whole.get(k, object()) != v]
    assert len(differing) <= 1, differing[:3]
    for key in differing:
        assert key in whole, key
        cut, full = part[key], whole[key]
        cut, full = (cut[0], full[0]) if isinstance(cut, tuple) else (cut, full)
        assert str(int(full)).startswith(str(int(cut))), (key, cut, full)


def without_indicator(found: dict) -> dict:
    return {k[:-1]: v for k, v in found.items()}


def read_csv(path: Path) -> tuple[list[list[str]], str]:
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""))), "\r\n" if b"\r\n" in raw[:4096] else "\n"


def write_rows(path: Path, rows: list[list[str]], ending: str) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator=ending).writerows(rows)
    return path


@pytest.fixture(scope="module")
def originals():
    return {}


def original_values(originals: dict, key: str, importer, path: Path) -> dict:
    if key not in originals:
        originals[key] = values_of(importer(path))
    return originals[key]


def check_csv_mutation(name: str, data, tmp_path: Path, originals: dict) -> None:
    importer, header_index, _ = CSV_FILES[name]
    source = SHARED / name
    original = original_values(originals, name, importer, source)
    rows, ending = read_csv(source)
    kind = data.draw(st.sampled_from(["cell", "drop", "duplicate", "header", "truncate"]), label="mutation")
    target = tmp_path / Path(name).name
    if kind == "truncate":
        raw = source.read_bytes()
        target.write_bytes(raw[:data.draw(st.integers(0, len(raw) - 1), label="cut at")])
        found = outcome(importer, target)
        if found is not None:
            assert_cut_subset(found, original)
        return
    if kind == "header":
        row = header_index
        column = data.draw(st.integers(0, len(rows[row]) - 1), label="column")
        rows[row][column] = data.draw(CELL_TEXTS, label="new name")
        found = outcome(importer, write_rows(target, rows, ending))
        if found is not None:
            assert_subset(without_indicator(found), without_indicator(original))
        return
    row = data.draw(st.integers(0, len(rows) - 1), label="row")
    if kind == "drop":
        found = outcome(importer, write_rows(target, rows[:row] + rows[row + 1:], ending))
        if found is not None:
            assert_subset(found, original)
        return
    if kind == "duplicate":
        found = outcome(importer, write_rows(target, rows[:row + 1] + rows[row:], ending))
        if found is not None:
            assert found == original
        return
    column = data.draw(st.integers(0, max(len(rows[row]) - 1, 0)), label="column")
    dropped = outcome(importer, write_rows(tmp_path / f"without-{target.name}", rows[:row] + rows[row + 1:], ending))
    if rows[row]:
        rows[row][column] = data.draw(CELL_TEXTS, label="new text")
    found = outcome(importer, write_rows(target, rows, ending))
    if found is not None and dropped is not None:
        assert_subset(dropped, found)


def _csv_test(name: str):
    examples = CSV_FILES[name][2]

    @pytest.mark.skipif(not (SHARED / name).is_file(), reason=f"shared data file {name} is not beside the checkout")
    @settings(max_examples=examples * SCALE, **SETTINGS)
    @given(data=st.data())
    def test(tmp_path_factory, originals, data):
        check_csv_mutation(name, data, Path(tmp_path_factory.mktemp("mutated")), originals)

    test.__name__ = f"test_mutations_of_{Path(name).stem.replace('-', '_').replace('.', '_')}"
    return test


for _name in CSV_FILES:
    globals()[_csv_test(_name).__name__] = _csv_test(_name)


# --- workbooks and the zip --------------------------------------------------------------------------------------

WORKBOOKS = {"undesa-workbooks/undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx": "xl/worksheets/sheet2.xml",
             "undesa-workbooks/undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx": "xl/worksheets/sheet2.xml"}
_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?(?:/>|>.*?</c>)', re.DOTALL)


def read_destination(path: Path):
    return read_undesa(path, destination_tables=True)


def cells_of(sheet_xml: bytes) -> list[tuple[str, int, int, int]]:
    """(column letters, row, start, end) of every cell element of a worksheet's XML."""
    return [(m.group(1).decode(), int(m.group(2)), m.start(), m.end()) for m in _CELL.finditer(sheet_xml)]


def edited_workbook(source: Path, sheet: str, changes: dict, target: Path) -> Path:
    """A copy of the workbook with cells replaced in the sheet's XML: {(letters, row): value or None}.

    Editing the XML keeps every other byte of UN DESA's file (styles, shared strings, other sheets) as
    published; None removes the cell (an empty cell), text becomes an inline string.
    """
    from xml.sax.saxutils import escape

    with zipfile.ZipFile(source) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    xml = dict((info.filename, content) for info, content in members)[sheet]
    for letters, row, start, end in reversed(cells_of(xml)):
        if (letters, row) not in changes:
            continue
        new = changes[(letters, row)]
        if new is None:
            element = b""
        elif isinstance(new, (int, float)):
            element = f'<c r="{letters}{row}"><v>{new!r}</v></c>'.encode()
        else:
            element = f'<c r="{letters}{row}" t="inlineStr"><is><t>{escape(new)}</t></is></c>'.encode()
        xml = xml[:start] + element + xml[end:]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in members:
            archive.writestr(info, xml if info.filename == sheet else content)
    return target


@pytest.mark.parametrize("name", list(WORKBOOKS))
@settings(max_examples=6 * SCALE, **SETTINGS)
@given(data=st.data())
def test_mutations_of_undesa_by_destination_workbooks(name, tmp_path_factory, originals, data):
    source = SHARED / name
    if not source.is_file():
        pytest.skip(f"shared data file {name} is not beside the checkout")
    folder = Path(tmp_path_factory.mktemp("mutated"))
    target = folder / source.name
    original = original_values(originals, name, read_destination, source)
    kind = data.draw(st.sampled_from(["cell", "header", "truncate"]), label="mutation")
    if kind == "truncate":
        raw = source.read_bytes()
        target.write_bytes(raw[:data.draw(st.integers(0, len(raw) - 1), label="cut at")])
        assert outcome(read_destination, target) is None  # a cut zip never opens
        return
    sheet = WORKBOOKS[name]
    with zipfile.ZipFile(source) as archive:
        cells = cells_of(archive.read(sheet))
    rows = sorted({row for _, row, _, _ in cells if row >= 12})
    row = 11 if kind == "header" else data.draw(st.sampled_from(rows), label="row")
    letters = data.draw(st.sampled_from(sorted({c for c, r, _, _ in cells if r == row})), label="column")
    new = data.draw(st.one_of(st.none(), SHEET_TEXTS), label="new value")
    found = outcome(read_destination, edited_workbook(source, sheet, {(letters, row): new}, target))
    if found is None:
        return
    if kind == "header":
        assert_subset(without_indicator(found), without_indicator(original))
        return
    blank = {(c, r): None for c, r, _, _ in cells if r == row}
    dropped = outcome(read_destination, edited_workbook(source, sheet, blank, folder / f"without-{source.name}"))
    if dropped is not None:
        assert_subset(dropped, found)


@pytest.mark.parametrize("edition", ["2024", "2020"])
@settings(max_examples=15 * SCALE, **SETTINGS)
@given(data=st.data())
def test_mutations_of_destination_and_origin_workbooks(edition, tmp_path_factory, data):
    from undesa_layouts import sheet_rows

    folder = Path(tmp_path_factory.mktemp("mutated"))
    rows = sheet_rows(edition)
    original = values_of(read_undesa(destination_and_origin_workbook(folder, edition)))
    kind = data.draw(st.sampled_from(["cell", "drop", "duplicate", "header"]), label="mutation")
    mutated = folder / "m"
    mutated.mkdir()
    if kind == "drop":
        row = data.draw(st.integers(0, len(rows) - 1), label="row")
        found = outcome(read_undesa, destination_and_origin_workbook(mutated, edition, rows[:row] + rows[row + 1:]))
        if found is not None:
            assert_subset(found, original)
        return
    if kind == "duplicate":
        row = data.draw(st.integers(0, len(rows) - 1), label="row")
        found = outcome(read_undesa, destination_and_origin_workbook(mutated, edition, rows[:row + 1] + rows[row:]))
        if found is not None:
            assert found == original
        return
    row = 10 if kind == "header" else data.draw(st.integers(0, len(rows) - 1), label="row")
    column = data.draw(st.integers(0, len(rows[10]) - 1), label="column")
    dropped = outcome(read_undesa, destination_and_origin_workbook(folder / "m", edition, rows[:row] + rows[row + 1:]))
    rows[row] = list(rows[row]) + [None] * (len(rows[10]) - len(rows[row]))
    rows[row][column] = data.draw(SHEET_TEXTS, label="new value")
    found = outcome(read_undesa, destination_and_origin_workbook(mutated, edition, rows))
    if found is None:
        return
    if kind == "header":
        assert_subset(found, original)
    elif dropped is not None:
        assert_subset(dropped, found)


@pytest.mark.skipif(not (SHARED / "wdi-download" / "Population.zip").is_file(), reason="shared zip not found")
@settings(max_examples=8 * SCALE, **SETTINGS)
@given(data=st.data())
def test_mutations_of_the_world_bank_zip(tmp_path_factory, originals, data):
    source = SHARED / "wdi-download" / "Population.zip"
    folder = Path(tmp_path_factory.mktemp("mutated"))
    original = original_values(originals, "Population.zip", read_wdi, source)
    target = folder / "Population.zip"
    kind = data.draw(st.sampled_from(["cut", "flip", "cell"]), label="mutation")
    if kind == "cut":
        raw = source.read_bytes()
        target.write_bytes(raw[:data.draw(st.integers(0, len(raw) - 1), label="cut at")])
        assert outcome(read_wdi, target) is None
        return
    if kind == "flip":  # a byte changed on the way: refused (zlib, the CRC, a cell), or a header field unused
        raw = bytearray(source.read_bytes())
        raw[data.draw(st.integers(0, len(raw) - 1), label="byte")] ^= 1 << data.draw(st.integers(0, 7), label="bit")
        target.write_bytes(bytes(raw))
        found = outcome(read_wdi, target)
        assert found is None or found == original
        return
    with zipfile.ZipFile(source) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    data_name = next(n for n in members if n.startswith("API_"))
    text = members[data_name].decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    row = data.draw(st.integers(5, len(rows) - 1), label="row")
    column = data.draw(st.integers(0, len(rows[row]) - 1), label="column")
    rows[row][column] = data.draw(CELL_TEXTS, label="new text")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, buffer.getvalue().encode("utf-8") if name == data_name else content)
    found = outcome(read_wdi, target)
    if found is not None:
        changed = {k for k in set(found) | set(original) if found.get(k) != original.get(k)}
        place = rows[row][1]
        assert all(place in k or rows[row][column] in map(str, k) for k in changed), sorted(changed)[:3]


@pytest.mark.skipif(not (SHARED / "wdi-download" / "Population.zip").is_file(), reason="shared zip not found")
def test_a_flipped_byte_inside_the_world_bank_zip_is_refused_not_a_traceback(tmp_path):
    """Found by the flip mutation: zlib's own error escaped from inside the data CSV's member."""
    raw = bytearray((SHARED / "wdi-download" / "Population.zip").read_bytes())
    raw[700] ^= 1 << 3  # inside the compressed data CSV, which starts at byte 577
    (tmp_path / "Population.zip").write_bytes(bytes(raw))
    with pytest.raises(DiasporaError) as raised:
        read_wdi(tmp_path / "Population.zip")
    assert raised.value.message == ("Population.zip, member API_SP.POP.TOTL_DS2_en_csv_v2_246068.csv: cannot be "
                                    "unpacked (zlib.error: the zip is damaged)")
    assert raised.value.hint == "download the file again"


def test_the_shared_files_are_all_exercised():
    """Every CSV, workbook and zip in ../shared/data's migration folders has a mutation test above."""
    if not UNDESA_SHARED.is_file() or not WDI_SHARED.is_file():
        pytest.skip("shared data not beside the checkout")
    covered = {*CSV_FILES, *WORKBOOKS, "wdi-download/Population.zip"}
    files = {str(p.relative_to(SHARED)) for folder in ("undesa-workbooks", "undesa-2019-matrix", "wdi-download",
                                                       "wdi-population", "owid")
             for p in (SHARED / folder).iterdir() if p.suffix in {".csv", ".xlsx", ".zip"}}
    files.add(UNDESA_SHARED.name)
    assert files == covered
