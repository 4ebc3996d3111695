"""``survey import-responses`` stores its rows in batches (one INSERT statement per batch) inside one
transaction, telling its progress after each batch, and stays all or nothing: a conflict on a row after
several batches were written rolls every one of them back and names that row. On real SQLite and
PostgreSQL stores, with a KoboToolbox export in the layout of test_survey_imports.KOBO (documented there)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from test_survey_imports import KOBO

from diaspora_observatory.survey import imports
from diaspora_observatory.survey.errors import ResponsesImportError
from diaspora_observatory.survey.imports import import_responses

HEADER, FIRST_ROW = KOBO.splitlines()[:2]
UUID = "0b2f6c2e-1111-4c39-9b0e-5d0c2a7f0001"


def uuid(number: int) -> str:
    return f"0b2f6c2e-1111-4c39-9b0e-{number:012d}"


def export(rows: int, comment: str = "Рахмет") -> str:
    """A KoboToolbox export of ``rows`` answers, each under its own id (file rows 2 … rows + 1)."""
    lines = [FIRST_ROW.replace(UUID, uuid(number)).replace("Рахмет", comment) for number in range(rows)]
    return "\n".join([HEADER, *lines]) + "\n"


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(imports, "BATCH_ROWS", 4)


def test_rows_are_stored_in_batches_with_progress(store, tmp_path, small_batches):
    path = tmp_path / "kobo.csv"
    path.write_text(export(25), encoding="utf-8")
    told: list[tuple[int, int]] = []
    summary = import_responses(store, "kz", path, "kobo", progress=lambda done, total: told.append((done, total)))
    assert (summary.read, summary.stored, summary.already_stored) == (25, 25, 0)
    assert told == [(4, 25), (8, 25), (12, 25), (16, 25), (20, 25), (24, 25), (25, 25)]
    stored = store.responses("kz")
    assert sorted(row["submission_id"] for row in stored) == sorted(f"kobo-{uuid(n)}" for n in range(25))
    assert {row["origin"] for row in stored} == {"import:kobo"}
    told.clear()
    again = import_responses(store, "kz", path, "kobo", progress=lambda done, total: told.append((done, total)))
    assert (again.stored, again.already_stored) == (0, 25) and told[-1] == (25, 25)
    assert store.count("kz") == 25


def test_a_conflict_after_several_batches_stores_nothing_and_names_its_row(store, tmp_path, small_batches):
    earlier = tmp_path / "earlier.csv"
    earlier.write_text("\n".join([HEADER, FIRST_ROW.replace(UUID, uuid(21))]) + "\n", encoding="utf-8")
    import_responses(store, "kz", earlier, "kobo")
    assert store.count("kz") == 1
    path = tmp_path / "later.csv"
    path.write_text(export(25, comment="Рахмет!"), encoding="utf-8")
    told: list[tuple[int, int]] = []
    with pytest.raises(ResponsesImportError) as raised:
        import_responses(store, "kz", path, "kobo", progress=lambda done, total: told.append((done, total)))
    # uuid(21) is on file row 23 (the header is row 1), after five batches were written
    assert raised.value.message == (f"later.csv row 23: submission {uuid(21)} was imported before with other "
                                    "answers; nothing was stored")
    assert told == [(4, 25), (8, 25), (12, 25), (16, 25), (20, 25)]
    assert [row["submission_id"] for row in store.responses("kz")] == [f"kobo-{uuid(21)}"]
    summary = import_responses(store, "kz", path, "kobo", replace=True)
    assert (summary.stored, summary.replaced) == (24, 1) and store.count("kz") == 25


def test_the_cli_tells_its_progress_on_stderr(tmp_path, monkeypatch, small_batches):
    from diaspora_observatory.cli import main
    from diaspora_observatory.survey.default import default_form
    from diaspora_observatory.survey.storage import SurveyStore

    monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    store = SurveyStore.for_data_dir(tmp_path / "data")
    try:
        store.add_survey("kz", default_form())
    finally:
        store.close()
    path = tmp_path / "kobo.csv"
    path.write_text(export(9), encoding="utf-8")
    result = CliRunner().invoke(main, ["survey", "import-responses", "kz", str(path), "--format", "kobo",
                                       "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    assert result.stderr == ("  4 of 9 rows written (kept only when every row is: one transaction)\n"
                             "  8 of 9 rows written (kept only when every row is: one transaction)\n"
                             "  9 of 9 rows written (kept only when every row is: one transaction)\n")
    assert result.stdout.startswith("kobo.csv: 9 rows read: 9 new, 0 already stored\n")
