"""The results page's CSV and JSON twins over HTTP, and ``diaspora survey results --format csv|json``, come
from the database's counts (survey/tallies.py) and say what the same rules say from every answer in
memory: the CSV byte for byte, the JSON value for value (means, sds and alpha to 1e-12: the database's
sums of distinct answers run in another order), on real SQLite and PostgreSQL stores holding the odd
values an older definition or an import can leave. The CLI prints exactly what the server sends."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from survey_helpers import fresh_survey_state, make_client, survey_views
from test_survey_results_sql import assert_same, store_snapshot, study_form, varied

from diaspora_observatory.case.package import load_case
from diaspora_observatory.cli import main
from diaspora_observatory.survey.results_view import results_context

ODD = [{"identity_news": 3, "gender": None, "languages_spoken": "kk"},
       {"identity_news": "9", "gender": ["male"], "languages_spoken": ["kk", "kk", "zz"]},
       {"identity_news": True, "home_language": {"a": 1}, "languages_spoken": None},
       {"identity_news": 2.5, "languages_spoken": [], "comments": "=HYPERLINK(\"x\")"}, {},
       {"home_language": "=1+1", "gender": "Қазақ"}]
# Each query is a second or so of audits (the cross-tabulations' joint disclosure checks) on each side; the
# quick loop (make test-fast) checks a table and a cross-tabulation, CI every one.
QUERIES = [("en", None, None), pytest.param("ru", None, None, marks=pytest.mark.slow),
           ("kk", "gender", "identity_news"),
           pytest.param("en", "identity_news", "home_language", marks=pytest.mark.slow),
           pytest.param("en", "age_band", "gender", marks=pytest.mark.slow)]


@pytest.fixture
def served(survey_session_app, database_url, monkeypatch):
    """The app with a new survey store on ``database_url`` holding snapshot 1 of survey "odd": 40 varied
    answer sets and the odd ones three times, stored as they are (no validation)."""
    monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    fresh_survey_state(survey_session_app, database_url)
    store = survey_views(survey_session_app).store
    store_snapshot(store, "odd", study_form(), [varied(number) for number in range(40)] + ODD * 3, threshold=10)
    return survey_session_app, store


@pytest.mark.parametrize(("language", "by", "row_item"), QUERIES)
def test_results_csv_and_json_over_http_are_what_the_answers_in_memory_publish(served, language, by, row_item):
    app, store = served
    client = make_client(app)
    snapshot = store.snapshot("odd")  # every answer in memory: what the page published before it counted by SQL
    assert len(snapshot.responses) == 58
    query = f"?lang={language}" + (f"&by={by}&row={row_item}" if by else "")
    expected = results_context(load_case(), snapshot, language, by, row_item, app.state.web.catalogs.gettext(language))
    csv_response = client.get(f"/s/odd/results.csv{query}")
    assert csv_response.status_code == 200
    assert csv_response.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv_response.content == expected["csv"].encode("utf-8")
    assert client.get(f"/s/odd/results.csv{query}&bom=1").content == ("\ufeff" + expected["csv"]).encode("utf-8")
    json_response = client.get(f"/s/odd/results.json{query}")
    assert json_response.status_code == 200
    assert_same(json_response.json(), json.loads(json.dumps(expected["data"])), f"{query} json")


def test_odd_stored_values_are_not_published(served):
    app, _store = served
    text = make_client(app).get("/s/odd/results.csv?by=gender&row=identity_news").text
    assert "\nidentity_news x gender," in text and "'=1+1" not in text  # a stored choice outside the list: no row
    assert "=HYPERLINK" not in text  # free text is never published


def test_the_cli_prints_what_the_server_sends(served, database_url, tmp_path, monkeypatch):
    app, store = served
    client = make_client(app)
    if database_url.startswith("postgresql"):
        monkeypatch.setenv("DIASPORA_DATABASE_URL", database_url)
        data_dir = tmp_path / "cli-data"
    else:
        data_dir = tmp_path  # the SQLite file the store was made on: tmp_path / survey.sqlite3
        monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    for language in ("en", "ru", "kk"):  # the page's labels ("No answer") in each language, from its catalogs
        printed = CliRunner().invoke(main, ["survey", "results", "odd", "--format", "csv", "--lang", language,
                                            "--data-dir", str(data_dir)])
        assert printed.exit_code == 0, printed.output
        assert printed.output == client.get(f"/s/odd/results.csv?lang={language}").text
        printed = CliRunner().invoke(main, ["survey", "results", "odd", "--format", "json", "--lang", language,
                                            "--data-dir", str(data_dir)])
        assert printed.exit_code == 0, printed.output
        assert json.loads(printed.output) == client.get(f"/s/odd/results.json?lang={language}").json()
    table = CliRunner().invoke(main, ["survey", "results", "odd", "--data-dir", str(data_dir)])
    taken_on = store.snapshot("odd").taken_on.isoformat()  # the day the fixture took it
    assert table.output.startswith("Kazakhs abroad: identity, language and ties with Kazakhstan: Snapshot 1, taken on "
                                   f"{taken_on}: 58 answers.\nNo group of fewer than 10 respondents is shown. ")


def test_the_cli_table_says_no_answer_in_the_readers_language(served, database_url, tmp_path, monkeypatch):
    app, store = served
    if database_url.startswith("postgresql"):
        monkeypatch.setenv("DIASPORA_DATABASE_URL", database_url)
        data_dir = tmp_path / "cli-data"
    else:
        data_dir = tmp_path
        monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    # the results page's words from its catalogs; the CLI shows no cross-tabulation, so no "Total" here
    for language, no_answer in (("ru", "Нет ответа: 15 (25,9\xa0%)"), ("kk", "Жауап жоқ: 15 (25,9%)")):
        table = CliRunner().invoke(main, ["survey", "results", "odd", "--lang", language, "--data-dir", str(data_dir)])
        assert table.exit_code == 0, table.output
        assert f"\n  {no_answer}\n" in table.output and "No answer" not in table.output  # percent as CLDR writes it
    russian = CliRunner().invoke(main, ["survey", "results", "odd", "--lang", "ru", "--data-dir", str(data_dir)])
    assert ("\nМне важно следить за новостями и событиями в Казахстане\n"
            "  Совсем не важно – Скорее не важно (объединено): 20 (34,5\xa0%)\n  Отчасти важно: 13 (22,4\xa0%)\n"
            "  Важно – Очень важно (объединено): 10 (17,2\xa0%)\n  Нет ответа: 15 (25,9\xa0%)\n") in russian.output
    # the page's sentences too: the snapshot and the rule (survey_results.html), and its hidden cells
    assert "Kazakhstan: Срез 1 от " in russian.output and "\n  EN: скрыто\n" in russian.output
    assert "merged" not in russian.output and "hidden" not in russian.output
