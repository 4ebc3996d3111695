"""The ``diaspora survey`` commands through click's runner, on a temporary data folder."""

from __future__ import annotations

import gc
import json
import sys

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from survey_helpers import ADMIN_TOKEN, POSTGRES_URL, reset_postgres
from test_survey_imports import KOBO
from test_survey_xlsform import REAL_FORMS, needs_real_forms

from diaspora_observatory.cli import main


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env={"DIASPORA_DATABASE_URL": "", **(env or {})})


@pytest.mark.slow  # the whole CLI round
def test_default_add_list_import_results_export(tmp_path):
    data = str(tmp_path / "data")
    out = tmp_path / "q.xlsx"
    assert run("survey", "default", "--out", str(out)).exit_code == 0
    assert load_workbook(out).sheetnames == ["survey", "choices", "settings"]
    assert run("survey", "check", str(out)).output.endswith("languages: English (en), Russian (ru), Kazakh (kk); OK\n")
    added = run("survey", "add", str(out), "--slug", "wave2", "--data-dir", data)
    assert added.exit_code == 0, added.output
    export_file = tmp_path / "kobo.csv"
    export_file.write_text(KOBO.replace(";Рахмет;", ";=1+1;"), encoding="utf-8")
    imported = run("survey", "import-responses", "wave2", str(export_file), "--format", "kobo", "--data-dir", data)
    assert imported.output == (
        "kobo.csv: 2 rows read: 2 new, 0 already stored\nColumns matched to questions: 12\n"
        "Not stored (platform metadata; the observatory keeps no precise times, devices or user names): start, end, "
        "today, deviceid, meta/instanceID, _id, _uuid, _submission_time, _validation_status, _notes, _status, "
        "_submitted_by, __version__, _tags, _index\n")
    assert run("survey", "list", "--data-dir", data).output.startswith("wave2\topen\t2\t")
    results = json.loads(run("survey", "results", "wave2", "--format", "json", "--data-dir", data).output)
    assert results["responses"] == 0 and results["snapshot"]["number"] == 0  # 2 answers: nothing published yet
    assert all(row["count"] is None for item in results["items"] for row in item["groups"])
    plain = run("survey", "results", "wave2", "--format", "csv", "--data-dir", data).output
    for_excel = run("survey", "results", "wave2", "--format", "csv", "--bom", "--data-dir", data).output
    assert for_excel == "\ufeff" + plain and plain.startswith("item,group,categories,label,count")
    refused = run("survey", "export", "wave2", "--out", str(tmp_path / "a.csv"), "--data-dir", data,
                  "--token", "wrong", env={"DIASPORA_ADMIN_TOKEN": ADMIN_TOKEN})
    assert refused.exit_code == 2 and "needs the survey admin token" in refused.output
    exported = run("survey", "export", "wave2", "--out", str(tmp_path / "a.csv"), "--data-dir", data,
                   "--token", ADMIN_TOKEN, env={"DIASPORA_ADMIN_TOKEN": ADMIN_TOKEN})
    assert exported.exit_code == 0, exported.output
    assert ",'=1+1\n" in (tmp_path / "a.csv").read_text()
    closed = run("survey", "close", "wave2", "--data-dir", data, env={"DIASPORA_ADMIN_TOKEN": ADMIN_TOKEN})
    assert closed.output == "Survey 'wave2' is now closed\n"
    deleted = run("survey", "delete", "wave2", "--yes", "--data-dir", data, env={"DIASPORA_ADMIN_TOKEN": ADMIN_TOKEN})
    assert deleted.output == "Deleted survey 'wave2' and 2 answers\n"


@needs_real_forms
def test_bad_form_is_an_error_not_a_trace(tmp_path):
    result = run("survey", "check", str(REAL_FORMS / "group.xlsx"))
    assert result.exit_code == 2
    assert "sheet 'survey', row 4, column 'type': 'phone number' asks the respondent for their phone number" \
        in result.output
    assert "Traceback" not in result.output


def test_every_command_has_an_example():
    for command in ("default", "check", "add", "list", "import-responses", "results", "export", "set", "close",
                    "delete"):
        shown = run("survey", command, "--help").output
        assert "Example:" in shown or "Examples:" in shown, command


def test_catalogs_cover_every_template_text():
    import re
    from pathlib import Path

    from tooling import tool

    TRANSLATIONS = tool("survey_translations").TRANSLATIONS

    templates = Path(__file__).resolve().parents[2] / "src" / "diaspora_observatory" / "survey" / "templates"
    found = set()
    for template in templates.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        found |= set(re.findall(r'_\("((?:[^"\\]|\\.)*)"\)', text)) | set(re.findall(r"_\('((?:[^'\\]|\\.)*)'\)", text))
    assert found and not found - set(TRANSLATIONS)


def test_catalogs_cover_every_message_a_respondent_can_see():
    """Validation problems and the error pages of the form are shown in the respondent's language too."""
    import ast
    from pathlib import Path

    from tooling import tool

    TRANSLATIONS = tool("survey_translations").TRANSLATIONS

    source = Path(__file__).resolve().parents[2] / "src" / "diaspora_observatory" / "survey"
    found = set()
    for name, wanted in (("validation.py", {"_problem": [1]}), ("web.py", {"error": [2, 3]})):
        for node in ast.walk(ast.parse((source / name).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                called = getattr(node.func, "attr", getattr(node.func, "id", ""))
                found |= {node.args[index].value for index in wanted.get(called, [])
                          if isinstance(node.args[index], ast.Constant)}
            if isinstance(node, ast.BoolOp) and name == "validation.py":  # the fallback constraint message
                found |= {value.value for value in node.values if isinstance(value, ast.Constant) and value.value}
    assert len(found) > 20
    assert sorted(found - set(TRANSLATIONS)) == []


@pytest.mark.slow  # waits for a refused connection (about 2 s)
def test_a_bad_database_url_is_a_clear_error_without_its_password(tmp_path):
    data = str(tmp_path / "data")
    hint = "set DIASPORA_DATABASE_URL to sqlite:///PATH/survey.sqlite3 or postgresql+psycopg://USER:PASSWORD@HOST/DB"
    cases = {
        "mysql://u:secret@db.example/x": "the survey database URL 'mysql://u:***@db.example/x' uses 'mysql', which "
                                         "the observatory does not support",
        "postgresql://u:secret@db.example:notaport/x": "the survey database URL 'postgresql://…' cannot be read",
        "postgresql+psycopg://u:secret@127.0.0.1:1/x": "cannot open the survey database "
                                                       "postgresql+psycopg://u:***@127.0.0.1:1/x: connection failed",
    }
    for url, message in cases.items():
        for command in (["survey", "list"], ["serve", "--port", "1"]):
            result = run(*command, "--data-dir", data, env={"DIASPORA_DATABASE_URL": url})
            assert result.exit_code == 2, (url, command, result.output)
            assert f"Error: {message}" in result.output and hint in result.output
            assert "secret" not in result.output and "Traceback" not in result.output


def test_listing_no_survey_says_how_to_add_one(tmp_path):
    result = run("survey", "list", "--data-dir", str(tmp_path / "data"))
    assert result.exit_code == 0 and "No survey yet: `diaspora serve` adds the study's questionnaire" in result.output


def test_add_onto_an_existing_survey_needs_replace(tmp_path):
    data = str(tmp_path / "data")
    out = tmp_path / "q.xlsx"
    assert run("survey", "default", "--out", str(out)).exit_code == 0
    assert run("survey", "add", str(out), "--slug", "wave2", "--data-dir", data).exit_code == 0
    again = run("survey", "add", str(out), "--slug", "wave2", "--data-dir", data)
    assert again.exit_code != 0
    assert again.output == ("Error: a survey 'wave2' (Kazakhs abroad: identity, language and ties with Kazakhstan) "
                            "already exists; nothing was changed\nHint: add --replace to replace its definition "
                            "(its answers are kept), or choose another --slug\n")
    assert run("survey", "add", str(out), "--slug", "wave2", "--replace", "--data-dir", data).exit_code == 0


def test_token_reset_recovers_a_lost_token(tmp_path):
    from diaspora_observatory.access import check_admin_token, ensure_admin_token, generated_token_file

    data = tmp_path / "data"
    old = ensure_admin_token(data, announce=False)
    reset = run("survey", "token", "--reset", "--data-dir", str(data), env={"DIASPORA_ADMIN_TOKEN": ""})
    assert reset.exit_code == 0, reset.output
    path = generated_token_file(data)
    assert reset.output == (f"New admin token written to {path} (readable only by you); the old token no longer "
                            f"works. Move it to a safe place and delete the file.\n")
    new = path.read_text(encoding="utf-8").strip()
    assert (path.stat().st_mode & 0o777) == 0o600 and new not in reset.output
    assert check_admin_token(data, new) and not check_admin_token(data, old)
    refused = run("survey", "token", "--reset", "--data-dir", str(data), env={"DIASPORA_ADMIN_TOKEN": ADMIN_TOKEN})
    assert refused.exit_code != 0 and refused.output.startswith(
        "Error: the admin token is set in DIASPORA_ADMIN_TOKEN, so there is no generated token to reset\n")
    assert check_admin_token(data, new)  # nothing was replaced by the refusal


def test_check_all_lists_every_problem_and_a_bad_slug_is_named(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    for number in range(7):
        sheet.append(["geopoint_wrong", f"q{number}", f"Question {number}"])
    path = tmp_path / "many.xlsx"
    workbook.save(path)
    short = run("survey", "check", str(path))
    assert short.exit_code != 0 and f"(and 2 more: `diaspora survey check --all {path}` lists them all)" in short.output
    full = run("survey", "check", "--all", str(path))
    assert full.exit_code != 0
    problems = [line for line in full.output.splitlines() if line.startswith("Problem: ")]
    assert len(problems) == 7 and problems[-1].startswith("Problem: sheet 'survey', row 8, column 'type': the question type ")
    assert f"Error: {path}: 7 problems (listed above); " in full.output
    bad = run("survey", "add", str(path), "--slug", "Wave 2")
    assert bad.output.startswith("Error: --slug 'Wave 2' is not a short name a link can carry\n")


@pytest.mark.postgres
def test_every_survey_command_closes_its_postgres_store(tmp_path, monkeypatch):
    """An engine left open keeps its connections until the process ends, and warns (a ResourceWarning from
    the garbage collector, raised in no test in particular): each command closes its store, also when it
    stops with an error."""
    if not POSTGRES_URL:
        pytest.skip("DIASPORA_TEST_POSTGRES_URL is not set (CI's .ci/run starts a PostgreSQL server)")
    reset_postgres(POSTGRES_URL)
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    env = {"DIASPORA_DATABASE_URL": POSTGRES_URL, "DIASPORA_ADMIN_TOKEN": ADMIN_TOKEN}
    data = str(tmp_path / "data")
    form, export_file, changed = tmp_path / "q.xlsx", tmp_path / "kobo.csv", tmp_path / "changed.csv"
    export_file.write_text(KOBO, encoding="utf-8")
    changed.write_text(KOBO.replace(";Рахмет;", ";Рахмет!;"), encoding="utf-8")
    assert run("survey", "default", "--out", str(form)).exit_code == 0
    steps = [(("add", str(form), "--slug", "wave2"), 0),
             (("add", str(form), "--slug", "wave2"), 2),  # refused: it exists
             (("import-responses", "wave2", str(export_file), "--format", "kobo"), 0),
             (("import-responses", "wave2", str(changed), "--format", "kobo"), 2),  # refused: other answers, same ids
             (("import-responses", "nosuch", str(export_file), "--format", "kobo"), 2),
             (("list",), 0), (("results", "wave2"), 0), (("results", "nosuch"), 2),
             (("export", "wave2", "--out", str(tmp_path / "a.csv")), 0),
             (("set", "wave2", "--threshold", "12"), 0), (("close", "wave2"), 0),
             (("delete", "wave2", "--yes"), 0)]
    for arguments, exit_code in steps:
        result = run("survey", *arguments, "--data-dir", data, env=env)
        assert result.exit_code == exit_code, (arguments, result.output)  # 2: the error message, no traceback
        gc.collect()  # an engine nobody closed is collected here, and its connections warn
        assert [str(found.exc_value) for found in unraisable] == [], arguments
