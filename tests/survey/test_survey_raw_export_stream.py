"""The raw answers, read in arrival-blind order as the database sorts them (``SurveyStore.blind_responses`` and
``blind_page``): the export streamed a chunk of rows at a time over HTTP and by ``diaspora survey export`` is,
byte for byte, the CSV of every answer held in memory (``to_safe_csv(responses_table(...))``, what both wrote
before), and the admin page shows a page of 100 answers with "showing N–M of T" and its navigation, right at
the boundaries of its pages, in the reader's language. On real SQLite and PostgreSQL stores holding the odd
values an older definition or an import can leave."""

from __future__ import annotations

import hashlib
import html
import re

import pytest
from click.testing import CliRunner
from survey_helpers import ADMIN_TOKEN, fresh_survey_state, make_client, survey_views
from test_survey_results_sql import store_snapshot, study_form, varied

from diaspora_observatory.cli import main
from diaspora_observatory.survey import exports
from diaspora_observatory.survey.exports import responses_csv_chunks, responses_table, to_safe_csv
from diaspora_observatory.survey.statfiles import variables

ODD = [{"identity_news": 3, "gender": None, "languages_spoken": "kk"},
       {"identity_news": "9", "gender": ["male"], "languages_spoken": ["kk", "kk", "zz"]},
       {"identity_news": True, "home_language": {"a": 1}, "languages_spoken": None},
       {"identity_news": 2.5, "languages_spoken": [], "comments": "=HYPERLINK(\"x\",\"y\")"}, {},
       {"home_language": "=1+1", "gender": "Қазақ", "comments": "two\nlines, \"quoted\""}]
ANSWERS = 250 - len(ODD)  # with the odd ones: 250 answers, two full pages of 100 and one of 50


@pytest.fixture
def served(survey_session_app, database_url, monkeypatch):
    """The app with a new store on ``database_url`` holding survey "odd": 244 varied answers and the odd ones."""
    monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", ADMIN_TOKEN)
    fresh_survey_state(survey_session_app, database_url)
    store = survey_views(survey_session_app).store
    store_snapshot(store, "odd", study_form(), [varied(number) for number in range(ANSWERS)] + ODD, threshold=10)
    return survey_session_app, store


def whole_csv(store) -> str:
    """What the export wrote before: every answer in memory, sorted by Python."""
    return to_safe_csv(responses_table(store.get_survey("odd").form, store.responses("odd")))


def blind(ids: list[str]) -> list[str]:
    return sorted(ids, key=lambda submission_id: hashlib.sha256(submission_id.encode()).hexdigest())


def test_the_database_sorts_the_answers_as_the_export_did(served):
    _, store = served
    form = store.get_survey("odd").form
    stored = store.responses("odd")
    read = list(store.blind_responses("odd", batch=7))
    assert [row["submission_id"] for row in read] == blind([row["submission_id"] for row in stored])
    assert sorted(read, key=lambda row: row["submission_id"]) == sorted(stored, key=lambda row: row["submission_id"])
    for rows_per_chunk in (1, 7, 1000):
        chunks = list(responses_csv_chunks(form, store.blind_responses("odd"), rows_per_chunk))
        assert len(chunks) == 250 // rows_per_chunk + 1
        assert "".join(chunks) == whole_csv(store)
    text = whole_csv(store)
    assert "'=HYPERLINK(\"\"x\"\",\"\"y\"\")" in text and ",'=1+1," in text and '"two\nlines, ""quoted"""' in text


def test_pages_of_the_blind_order_meet_at_their_boundaries(served):
    _, store = served
    order = [row["submission_id"] for row in store.blind_responses("odd")]
    pages = [store.blind_page("odd", offset, 100) for offset in (0, 100, 200)]
    assert [total for total, _ in pages] == [250, 250, 250]
    assert [len(rows) for _, rows in pages] == [100, 100, 50]
    assert [row["submission_id"] for _, rows in pages for row in rows] == order
    assert store.blind_page("odd", 249, 100)[1][0]["submission_id"] == order[-1]
    assert store.blind_page("odd", 250, 100) == (250, [])
    assert store.blind_page("odd", 99, 2)[1] == [row for row in pages[0][1][99:]] + pages[1][1][:1]
    store.add_survey("empty", study_form())
    assert store.blind_page("empty", 0, 100) == (0, [])


def test_the_export_over_http_is_the_whole_csv_sent_in_chunks(served, monkeypatch):
    app, store = served
    chunked = []
    original = exports.responses_csv_chunks

    def recorded(form, responses, rows_per_chunk=1000):
        for chunk in original(form, responses, 60):
            chunked.append(chunk)
            yield chunk

    monkeypatch.setattr(exports, "responses_csv_chunks", recorded)
    response = make_client(app).post("/s/odd/admin/export", data={"token": ADMIN_TOKEN})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="odd-responses.csv"'
    assert response.headers["cache-control"] == "no-store"
    assert response.content == whole_csv(store).encode("utf-8")
    assert len(chunked) == 5  # 250 rows, 60 at a time: the server held a chunk, not the table


def test_the_cli_export_writes_the_whole_csv(served, tmp_path, monkeypatch):
    app, store = served
    monkeypatch.setenv("DIASPORA_DATABASE_URL", store.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", ADMIN_TOKEN)
    out = tmp_path / "answers.csv"
    result = CliRunner().invoke(main, ["survey", "export", "odd", "--out", str(out), "--bom",
                                       "--data-dir", str(app.state.web.data_dir)])
    assert result.exit_code == 0, result.output
    counted = len(variables(store.get_survey("odd").form))  # as export_answers counted them
    assert result.output == f"Wrote {out} (csv: 250 answers, {counted} variables)\n"
    assert out.read_bytes() == ("\ufeff" + whole_csv(store)).encode("utf-8")


def admin_page(client, page: str | None = None, language: str = "en"):
    data = {"token": ADMIN_TOKEN, **({"page": page} if page is not None else {})}
    return client.post(f"/s/odd/admin?lang={language}", data=data)


def shown_ids(text: str) -> list[str]:
    return re.findall(r"<tr><td>(odd-\d+)</td>", text)


def test_the_admin_page_shows_a_page_of_answers_and_where_it_is(served):
    app, store = served
    client = make_client(app)
    order = [row["submission_id"] for row in store.blind_responses("odd")]
    first = admin_page(client)
    assert first.status_code == 200
    assert "responses: 250</p>" in first.text
    assert "Showing answers 1–100 of 250, in an order that says nothing of when each arrived." in first.text
    assert "Page 1 of 3" in first.text and "Next page" in first.text and "Previous page" not in first.text
    assert shown_ids(first.text) == order[:100]
    second = admin_page(client, "2")
    assert "Showing answers 101–200 of 250" in second.text and "Previous page" in second.text
    assert shown_ids(second.text) == order[100:200]
    last = admin_page(client, "3")
    assert "Showing answers 201–250 of 250" in last.text and "Page 3 of 3" in last.text
    assert "Next page" not in last.text and '<input type="hidden" name="page" value="2">' in last.text
    assert shown_ids(last.text) == order[200:]
    # the page shows the answers as given (no apostrophe before a formula; the HTML escapes it)
    odd = admin_page(client, str(order.index(f"odd-{ANSWERS + 5}") // 100 + 1)).text
    assert f"<td>{html.escape('=1+1')}</td>" in odd and "<td>Қазақ</td>" in odd
    for wrong in ("4", "0", "-1", "two", "1" * 12, "２"):
        refused = admin_page(client, wrong)
        assert refused.status_code == 404, wrong
        assert "There is no such page of the raw answers." in refused.text
    russian = admin_page(client, "3", "ru").text
    assert "Показаны ответы 201–250 из 250, в порядке, не связанном со временем их получения." in russian
    assert "Страница 3 из 3" in russian and "Предыдущая страница" in russian
    assert "Бастапқы жауаптардың мұндай беті жоқ." in admin_page(client, "9", "kk").text


def test_a_survey_of_one_page_has_no_navigation_and_an_empty_one_says_so(served):
    app, store = served
    store.add_survey("few", study_form())
    client = make_client(app)
    empty = client.post("/s/few/admin", data={"token": ADMIN_TOKEN})
    assert empty.status_code == 200 and "No answers yet." in empty.text and "Next page" not in empty.text
    assert "Әзірге жауап жоқ." in client.post("/s/few/admin?lang=kk", data={"token": ADMIN_TOKEN}).text
    for number in range(3):
        store.submit("few", f"few-answer-{number}", varied(number), check_open=False)
    page = client.post("/s/few/admin", data={"token": ADMIN_TOKEN}).text
    assert "Showing answers 1–3 of 3" in page and "Page 1 of" not in page and "Next page" not in page
    assert "Showing answers 1–3 of 3" in client.post("/s/few/admin", data={"token": ADMIN_TOKEN, "page": ""}).text
