"""The observatory's validator is at least as strict as Table Schema: a differential test against frictionless-py.

Hypothesis mutates cells, rows and headers of a copy of the built-in package (types, empty cells, NaN and
INF, duplicated keys, values outside an enum, signs, spaces, long numbers, renamed, swapped and repeated
columns, short, long and blank rows) and both validators read the result. Whenever frictionless-py finds an
error in a resource, ``load_case`` must find one in the same resource. The converse is not asked: the
observatory is stricter on purpose (NaN, INF, ``+5``, `` 7`` and ``1_000`` are refused; see case/schema.py).

frictionless-py takes about 0.1 s per resource, so each example gives it only the mutated resources and
``sources`` (which their foreign keys need), and the example count is kept to a few dozen.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diaspora_observatory import load_case
from diaspora_observatory.case.package import EMBEDDED_CASES

BUILTIN = EMBEDDED_CASES / "kazakh-central-asia"
DESCRIPTOR = json.loads((BUILTIN / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in DESCRIPTOR["resources"]}


def read_table(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


TABLES = {name: read_table(BUILTIN / r["path"]) for name, r in RESOURCES.items()}
ENUMS = sorted({str(v) for r in RESOURCES.values() for f in r["schema"]["fields"]
                for v in f.get("constraints", {}).get("enum", [])})
# Cells that a reader might wrongly accept, by the type of the column they are put in.
SUSPECT = {
    "integer": ["", " ", "1.5", "-1", "+5", " 7", "7 ", "1_000", "12 345", "1,5", "1e30", "0x10", "20220", "-0",
                "99999999999999999999", "True", "NaN", "1.0"],
    "number": ["", "NaN", "nan", "INF", "-inf", "Infinity", "1e400", "1,5", "12 345", ".5", "1.", "1e30", "-1", "0x10",
               "True", "1_000.5", "5%"],
    "boolean": ["", "yes", "no", "Yes", "Y", "N", "t", "f", "True", "FALSE", "0", "1", "2", "on", "off", "true "],
    "string": ["", " ", "zzz", "KAZZ", "kaz", "N/A", "..", "\"", "a,b", "line\nbreak", "2024-01-01"],
}
ENUMS = sorted({str(v) for r in RESOURCES.values() for f in r["schema"]["fields"]
                for v in f.get("constraints", {}).get("enum", [])})
FIELDS_BY_TYPE = {kind: [(name, index) for name, r in RESOURCES.items()
                         for index, f in enumerate(r["schema"]["fields"]) if f.get("type", "string") == kind]
                  for kind in SUSPECT}
WITH_KEYS = sorted(name for name, r in RESOURCES.items()
                   if r["schema"].get("primaryKey") or any(f.get("constraints", {}).get("unique")
                                                           for f in r["schema"]["fields"]))
anything = st.one_of(st.sampled_from(ENUMS), st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
                     st.integers(-10**12, 10**12).map(str), st.floats(allow_nan=True).map(str))


@st.composite
def mutation(draw):
    """(resource, kind, row, column, other row, other column, value): one change to the package.

    Cell changes choose the column's type first (so the one boolean column is as likely as the many
    strings) and then a value suspect for that type or any value; key changes choose among resources
    with a primary key or a unique field."""
    kind = draw(st.sampled_from(["cell"] * 6 + ["copy_cell", "duplicate_row", "duplicate_row", "short_row",
                                                  "long_row", "blank_row", "rename_column", "swap_columns",
                                                  "repeat_column", "upper_column"]))
    if kind == "cell":
        field_type = draw(st.sampled_from(sorted(SUSPECT)))
        name, column = draw(st.sampled_from(FIELDS_BY_TYPE[field_type]))
        value = draw(st.one_of(st.sampled_from(SUSPECT[field_type]), anything))
    else:
        name = draw(st.sampled_from(WITH_KEYS if kind in ("copy_cell", "duplicate_row") else sorted(TABLES)))
        column, value = draw(st.integers(0, len(TABLES[name][0]) - 1)), None
    last = max(1, len(TABLES[name]) - 1)
    row, other_row = draw(st.integers(1, last)), draw(st.integers(1, last))
    other_column = draw(st.integers(0, len(TABLES[name][0]) - 1))
    return name, kind, row, column, other_row, other_column, value


def apply(table: list[list[str]], change) -> None:
    _, kind, row, column, other_row, other_column, value = change
    if len(table) < 2 and kind not in ("rename_column", "swap_columns", "repeat_column", "upper_column"):
        table.append([""] * len(table[0]))
    if kind == "cell":
        table[row][column] = value
    elif kind == "copy_cell":  # a key or unique value repeated from another row
        table[row][column] = table[other_row][column]
    elif kind == "duplicate_row":
        table.append(list(table[row]))
    elif kind == "short_row":
        table[row] = table[row][:-1]
    elif kind == "long_row":
        table[row] = [*table[row], "extra"]
    elif kind == "blank_row":
        table.insert(row, [""] * len(table[0]))
    elif kind == "rename_column":
        table[0][column] += "x"
    elif kind == "swap_columns":
        table[0][column], table[0][other_column] = table[0][other_column], table[0][column]
    elif kind == "repeat_column":
        table[0][column] = table[0][other_column]
    elif kind == "upper_column":
        table[0][column] = table[0][column].capitalize()


def frictionless_errors(folder: Path, names: set[str]) -> dict[str, list]:
    """The errors frictionless-py finds in resources ``names`` (with ``sources``, for their foreign keys)."""
    from frictionless import Package, system

    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor.pop("checks")  # the observatory's extensions are not Frictionless properties
    descriptor.pop("diaspora")
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] in names | {"sources"}]
    (folder / "frictionless.json").write_text(json.dumps(descriptor), encoding="utf-8")
    with system.use_context(trusted=True):
        report = Package(str(folder / "frictionless.json")).validate()
    assert not report.errors, report.errors  # the package itself is read, only its data is wrong
    return {task.name: [f"{e.type} row {getattr(e, 'row_number', None)}: {e.note}" for e in task.errors]
            for task in report.tasks if not task.valid}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("differential") / "template"
    shutil.copytree(BUILTIN, folder)
    return folder


def test_frictionless_and_the_observatory_agree_on_the_unmutated_package(template):
    assert frictionless_errors(template, set(RESOURCES)) == {}
    assert load_case(template).errors == []


@settings(max_examples=36, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(changes=st.lists(mutation(), min_size=1, max_size=4))
def test_no_error_frictionless_finds_is_missed(template, tmp_path_factory, changes):
    folder = tmp_path_factory.mktemp("mutated") / "case"
    shutil.copytree(template, folder)
    tables = {}
    for change in changes:
        name = change[0]
        tables.setdefault(name, [list(r) for r in TABLES[name]])
        apply(tables[name], change)
    for name, table in tables.items():
        with (folder / RESOURCES[name]["path"]).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(table)
    theirs = frictionless_errors(folder, set(tables))
    ours = {issue.resource for issue in load_case(folder).errors}
    missed = {name: errors for name, errors in theirs.items() if name not in ours}
    assert missed == {}, (changes, missed)
