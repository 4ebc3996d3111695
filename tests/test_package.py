"""The data package: standard Frictionless, every value sourced, and a lossless round trip."""

import csv
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diaspora_observatory import load_case
from diaspora_observatory.case.package import EMBEDDED_CASES, list_cases
from diaspora_observatory.case.writer import save_case
from diaspora_observatory.languages import CODES, TRANSLATED


def test_builtin_package_is_valid_frictionless():
    from frictionless import Package, system

    with system.use_context(trusted=True):
        report = Package(str(EMBEDDED_CASES / "kazakh-central-asia" / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_every_data_row_has_a_source_that_resolves(case):
    for name, rows in case.rows.items():
        fields = [f["name"] for f in case.resource(name)["schema"]["fields"]]
        if "source_id" not in fields:
            continue
        assert rows, name
        for row in rows:
            assert row["source_id"] in case.sources, (name, row["_row"])


def test_every_resource_is_read(case):
    assert all(case.rows[name] for name in case.resource_names)
    assert len(case.rows["flows"]) == 96 and len(case.rows["population"]) == 20


def test_figure_one_is_recorded_unavailable_not_invented(case):
    figure = [r for r in case.rows["survey_results"] if r["item_id"] == "state_support_rating"]
    assert [(r["status"], r["value"]) for r in figure] == [("unavailable", None)]


def test_list_cases_includes_user_cases(tmp_path):
    shutil.copytree(EMBEDDED_CASES / "kazakh-central-asia", tmp_path / "cases" / "my-copy")
    names = [c["name"] for c in list_cases(tmp_path)]
    assert names == ["kazakh-central-asia", "my-copy"]


def write_flows(folder: Path, table: list[tuple[str, int, int, int]]) -> None:
    with (folder / "data" / "flows.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["partner", "year", "emigration", "immigration", "source_id", "note"])
        for partner, year, emigration, immigration in table:
            writer.writerow([partner, year, emigration, immigration, "bns-2024a", ""])


flow_tables = st.lists(st.tuples(st.sampled_from(["KGZ", "TJK", "TKM", "UZB"]), st.integers(1950, 2030),
                                 st.integers(0, 10**7), st.integers(0, 10**7)),
                       min_size=1, max_size=40, unique_by=lambda row: (row[0], row[1]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flow_tables)
def test_flows_round_trip_through_the_package(case_copy, table):
    write_flows(case_copy, table)
    reloaded = load_case(case_copy)
    assert [(r["partner"], r["year"], r["emigration"], r["immigration"]) for r in reloaded.rows["flows"]] == table
    assert not [i for i in reloaded.issues if i.resource == "flows" and i.check != "years_continuous"]


def strip_rows(case):
    return {name: [{k: v for k, v in row.items() if k != "_row"} for row in rows] for name, rows in case.rows.items()}


def test_builtin_case_round_trips_through_save_and_load(case, tmp_path):
    copy = load_case(save_case(case, tmp_path / "copy"))
    assert copy.descriptor == case.descriptor
    assert strip_rows(copy) == strip_rows(case)
    assert copy.issues == case.issues


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(notes=st.lists(texts, min_size=1, max_size=96), values=st.lists(st.integers(0, 10**9), min_size=1, max_size=96))
def test_any_notes_and_counts_round_trip(tmp_path_factory, notes, values):
    case = load_case()  # a fresh copy: this test edits rows in memory
    for index, (note, value) in enumerate(zip(notes, values)):
        case.rows["flows"][index].update(note=note or None, immigration=value)
    copy = load_case(save_case(case, tmp_path_factory.mktemp("rt")))
    assert strip_rows(copy)["flows"] == strip_rows(case)["flows"]


def test_every_code_of_the_builtin_case_has_a_label_in_each_language(case):
    """Every enum value of the schema, and the codes of columns without an enum that pages show, is named
    in English, Russian and Kazakh; a label differs from the bare code in at least one language."""
    from diaspora_observatory.analysis import claims
    from diaspora_observatory.case.labels import value_labels
    from diaspora_observatory.documents.codebook import load_codebook

    codes = {(field["name"], value) for resource in case.descriptor["resources"]
             for field in resource["schema"]["fields"] for value in field.get("constraints", {}).get("enum", [])}
    codes |= {("category", row["category"]) for row in case.rows["repatriation"]}
    codes |= {("category", row["category"]) for row in case.rows["survey_results"] if row["category"]}
    codes |= {("theme", row["theme"]) for row in case.rows["document_themes"]}
    codes |= {("status", status) for status in claims.check_claims(case)["status"]}
    codes |= {("code", code) for code in load_codebook().leaves}  # the codes a documents table names
    for language in CODES:  # every registered language (languages.py) has a label for every code
        labels = value_labels(case, language)
        missing = sorted(code for code in codes if not labels.get(*code))
        assert missing == [], (language, missing)
    english, russian = value_labels(case, "en"), value_labels(case, "ru")
    assert english("education", "secondary_vocational") == "secondary vocational education"
    assert russian("group", "total") == "всё население" and russian("dimension", "total") == "всего"  # field wins
    assert russian("note", "higher") == "higher"  # free text is never taken for a code
    assert russian("label", "Negative migration balance again") == "Снова отрицательное сальдо миграции"  # by field
    periods = {row["label"] for row in case.rows["periods"]}
    assert all(value_labels(case, "kk").get("label", label) for label in periods)
    assert russian("education", "not-a-code") == "not-a-code" and russian("year", 2024) == 2024
    assert value_labels(case, "en")("comparator", "gt") == ">"


def test_texts_the_analysis_writes_are_labelled_as_it_writes_them(case):
    """Free texts are labelled by exact match: a change of wording in the analysis must be seen here."""
    from diaspora_observatory.analysis.projections import FORECAST_ASSUMPTIONS
    from diaspora_observatory.case.labels import value_labels
    from diaspora_observatory.tables import build_table

    assert value_labels(case, "ru").get("assumptions", FORECAST_ASSUMPTIONS).startswith("Случайное блуждание")
    assert value_labels(case, "kk").get("assumptions", FORECAST_ASSUMPTIONS).startswith("Дрейфі бар")
    written = {("explanation", text) for text in build_table(case, "definitions")["explanation"]}
    written |= {("coverage", text) for text in build_table(case, "birthplace-summary")["coverage"]}
    written |= {("label", text) for text in build_table(case, "definitions")["label"]}
    for language in TRANSLATED:
        assert [text for field, text in written if not value_labels(case, language).get(field, text)] == []
