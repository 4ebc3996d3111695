"""Whatever a client sends, the survey answers with a clear 4xx or stores a valid submission: never a
server error, never a half-checked answer. Hypothesis generates the submissions (JSON API and the HTML
form) against the real app on a real SQLite file."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from survey_helpers import ADMIN_TOKEN, VALID_ANSWERS, make_client

from diaspora_observatory.survey.default import default_form
from diaspora_observatory.survey.validation import validate_answers

FORM = default_form()
NAMES = [question.name for question in FORM.answer_questions()]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40) | st.sampled_from(["1", "5", "9", "mainly_kazakh", "KGZ", "=HYPERLINK(\"x\")", "<script>"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8)
answer_sets = st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=12), json_values, max_size=14)
OPTIONS = {question.name: [choice.name for choice in FORM.options(question)] or ["a text answer"]
           for question in FORM.answer_questions()}


def a_change(name: str):
    """One answer replaced: mostly by another of the question's own choices, sometimes by anything."""
    return st.tuples(st.just(name), st.integers(0, 3).flatmap(
        lambda pick: json_values if pick == 0 else st.sampled_from(OPTIONS[name])))


# Mostly complete valid answers with a few changed or dropped, so that many submissions pass the checks.
mutated = st.builds(lambda changes, dropped: {**{k: v for k, v in VALID_ANSWERS.items() if k not in dropped},
                                              **dict(changes)},
                    st.lists(st.sampled_from(NAMES).flatmap(a_change), max_size=2),
                    st.sets(st.sampled_from(NAMES), max_size=1))
odd_ids = st.one_of(st.text(max_size=70), st.integers(), st.none())
submission_ids = st.integers(0, 9).flatmap(  # seven in ten valid: fresh, or one sent again (replay or conflict)
    lambda pick: st.builds(lambda: uuid.uuid4().hex) if pick < 5
    else st.sampled_from(["fuzz-replay-0001", "fuzz-replay-0002"]) if pick < 7 else odd_ids)


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    import os

    from diaspora_observatory.web.app import create_app

    saved = {name: os.environ.get(name) for name in ("DIASPORA_ADMIN_TOKEN", "DIASPORA_DATABASE_URL",
                                                      "DIASPORA_SURVEY_RATE_LIMIT")}
    os.environ.update({"DIASPORA_ADMIN_TOKEN": ADMIN_TOKEN, "DIASPORA_SURVEY_RATE_LIMIT": "0"})
    os.environ.pop("DIASPORA_DATABASE_URL", None)
    app = create_app(data_dir=tmp_path_factory.mktemp("fuzz") / "data")
    yield app
    app.state.web.survey_store.close()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def stored_answers(app, submission_id: str):
    return next((row["answers"] for row in app.state.web.survey_store.responses("kz")
                 if row["submission_id"] == submission_id), None)


@FUZZ
@given(answers=st.integers(0, 3).flatmap(lambda pick: answer_sets if pick == 0 else mutated),
       submission_id=submission_ids, extra=st.sampled_from([False, False, False, True]))
def test_any_json_submission_is_stored_valid_or_refused_clearly(fuzz_app, answers, submission_id, extra):
    client = make_client(fuzz_app)
    store = fuzz_app.state.web.survey_store
    before = store.count("kz")
    payload = {"submission_id": submission_id, "answers": answers, **({"ip": "10.0.0.1"} if extra else {})}
    reply = client.post("/s/kz/submissions", json=payload)
    assert reply.status_code in (201, 400, 409, 422), (reply.status_code, reply.text)
    assert reply.headers["cache-control"] == "no-store" and reply.headers["content-type"] == "application/json"
    body = reply.json()
    if reply.status_code == 201:
        stored = stored_answers(fuzz_app, body["submission_id"])
        assert stored is not None and validate_answers(FORM, stored) == stored  # what is kept passes the form
        assert store.count("kz") == before + (reply.headers["x-replayed"] == "false")
    else:
        assert isinstance(body["error"], str) and body["error"]
        assert store.count("kz") == before


@FUZZ
@given(body=st.binary(max_size=300), content_type=st.sampled_from(["application/json", "application/json; charset=utf-8",
                                                                  "text/plain", "", "multipart/form-data"]))
def test_any_bytes_are_refused_without_a_server_error(fuzz_app, body, content_type):
    client = make_client(fuzz_app)
    before = fuzz_app.state.web.survey_store.count("kz")
    reply = client.post("/s/kz/submissions", content=body, headers={"content-type": content_type})
    assert reply.status_code in (400, 415, 422), (reply.status_code, reply.text)
    assert json.loads(reply.text)["error"] and fuzz_app.state.web.survey_store.count("kz") == before


@FUZZ
@given(fields=st.dictionaries(st.sampled_from([*NAMES, "__step", "__nav", "submission_id", "lang"]) | st.text(max_size=10),
                              st.text(max_size=30) | st.lists(st.text(max_size=10), max_size=3), max_size=14))
def test_any_form_post_gets_a_page_not_a_server_error(fuzz_app, fields):
    client = make_client(fuzz_app)
    reply = client.post("/s/kz", data=fields, follow_redirects=False)
    assert reply.status_code in (200, 303, 400, 409, 415, 422), (reply.status_code, reply.text[:300])
    assert reply.headers["cache-control"] == "no-store"
    if reply.status_code != 303:
        assert "<script>" not in reply.text.replace('<script type="module" src="/static/', "")
