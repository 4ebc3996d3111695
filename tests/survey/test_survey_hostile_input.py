"""The four inputs an independent evaluation turned into server errors (issue 12), each refused with a
clear 4xx on SQLite and on PostgreSQL: JSON nested 60,000 deep, a lone surrogate in an answer's key or
value, a path integer of 2^63 or more, a NUL in a survey's address; and bytes that are not UTF-8, refused
rather than read with replacement characters."""

from __future__ import annotations

import json

import pytest
from hostile_helpers import DATABASES, app_on
from survey_helpers import ADMIN_TOKEN, VALID_ANSWERS, make_client

from diaspora_observatory.untrusted import MAX_JSON_DEPTH, is_plain_text, json_too_deep

BAD_ADDRESS = ("The address is not valid text: it holds a NUL character or bytes that are not UTF-8. "
               "Check the link and type it again.")


@pytest.fixture(scope="module", params=DATABASES)
def app(request, tmp_path_factory, computed_app):
    """The whole app (survey and documents), its survey store on SQLite or PostgreSQL."""
    with app_on(request.param, tmp_path_factory.mktemp(request.param), computed_app) as built:
        yield built


def post_json(client, body: bytes, slug: str = "kz"):
    return client.post(f"/s/{slug}/submissions", content=body, headers={"content-type": "application/json"})


def test_json_nested_60000_deep_is_refused_before_parsing(app):
    client = make_client(app)
    # 30,000 levels fit the 64 KB body cap (60,000 would be refused by size first) and already exhaust
    # Python's recursion limit in json.loads: a RecursionError and a 500 before the depth check.
    body = b'{"submission_id": "deep-00000001", "answers": ' + b"[" * 30000 + b"]" * 30000 + b"}"
    before = app.state.web.survey_store.count("kz")
    reply = post_json(client, body)
    assert (reply.status_code, reply.json()) == (400, {"error": "the JSON nests more than 32 levels deep; "
                                                                "a submission needs three"})
    assert app.state.web.survey_store.count("kz") == before


def test_depth_scan_counts_brackets_outside_strings_only():
    assert not json_too_deep(json.dumps({"answers": {"a": ["[[[[" * 40]}}).encode())
    assert not json_too_deep(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH)
    assert json_too_deep(b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1))
    assert json_too_deep(b'{"a": "\\"", "b": ' + b"{" * 40 + b"}" * 40 + b"}")  # an escaped quote ends no string


@pytest.mark.parametrize("where", ["key", "value", "unknown question's value"])
def test_a_lone_surrogate_in_an_answer_is_a_clear_422(app, where):
    client = make_client(app)
    answers = dict(VALID_ANSWERS)
    if where == "key":
        answers["\ud800"] = "1"
    elif where == "value":
        answers["home_language"] = "\ud800"
    else:
        answers["not_a_question"] = "\ud800"
    body = json.dumps({"submission_id": "surrogate-0001", "answers": answers}).encode()  # ASCII: "\ud800"
    before = app.state.web.survey_store.count("kz")
    reply = post_json(client, body)
    expected = {"key": {"field": "\ufffd", "message": "this field is not part of the form"},
                "value": {"field": "home_language", "message": "the answer holds a character that is not text; "
                                                              "type it again"},
                "unknown question's value": {"field": "not_a_question", "message": "this field is not part of "
                                                                                   "the form"}}[where]
    assert (reply.status_code, reply.json()) == (422, {"error": "invalid answers", "problems": [expected]})
    assert app.state.web.survey_store.count("kz") == before


def test_a_surrogate_is_refused_in_russian_too(app):
    client = make_client(app)
    body = json.dumps({"submission_id": "surrogate-0002", "answers": {**VALID_ANSWERS, "gender": "\udfff"}}).encode()
    reply = client.post("/s/kz/submissions?lang=ru", content=body, headers={"content-type": "application/json"})
    assert reply.json()["problems"] == [{"field": "gender", "message": "в ответе есть символ, который не является "
                                                                       "текстом; введите ответ заново"}]


@pytest.mark.parametrize("number", ["9223372036854775808", "99999999999999999999999", "1" * 400])
def test_a_path_integer_beyond_64_bits_is_no_page(app, number):
    reply = make_client(app).post(f"/coding/law-2023/passages/{number}/delete", data={})
    assert reply.status_code == 404 and "Traceback" not in reply.text
    assert "<title>Page not found" in reply.text


def test_an_integer_answer_beyond_64_bits_is_refused(app):
    from diaspora_observatory.survey.model import Form, Question

    store = app.state.web.survey_store
    years = Form("years", "Years", [Question("integer", "years", labels={"": "Years abroad"})], {})
    store.add_survey("years", years, replace=True)
    client = make_client(app)
    reply = post_json(client, json.dumps({"submission_id": "years-000001", "answers": {"years": 2**63}}).encode(),
                      "years")
    assert reply.json()["problems"] == [{"field": "years", "message": "the number is too large"}]
    assert post_json(client, json.dumps({"submission_id": "years-000002", "answers": {"years": 2**63 - 1}}).encode(),
                     "years").status_code == 201


@pytest.mark.parametrize("path", ["/s/k%00z", "/s/k%00z/results", "/s/k%00z/results.json", "/s/kz%00/share",
                                  "/s/%ff", "/s/kz?lang=%00", "/country/KAZ?lang=%c3%28", "/coding/%ed%a0%80"])
def test_nul_or_bytes_that_are_not_utf8_in_the_address_are_a_400(app, path):
    reply = make_client(app).get(path)
    assert reply.status_code == 400
    if ".json" in path:
        assert reply.json() == {"error": "Bad request", "status": 400, "detail": BAD_ADDRESS}
    else:
        assert "<title>Bad request" in reply.text and BAD_ADDRESS in reply.text
    assert reply.headers["x-content-type-options"] == "nosniff"


def test_nul_in_a_slug_never_reaches_the_database(app):
    reply = make_client(app).post("/s/k%00z/submissions", json={"submission_id": "nul-slug-0001", "answers": {}})
    assert (reply.status_code, reply.json()) == (400, {"error": "Bad request", "status": 400, "detail": BAD_ADDRESS})
    from diaspora_observatory.survey.errors import SurveyNotFound

    with pytest.raises(SurveyNotFound, match="no survey 'k\x00z'"):
        app.state.web.survey_store.get_survey("k\x00z")  # the store refuses it before a query, too


def test_a_slug_outside_the_pattern_is_not_found_without_a_query(app):
    client = make_client(app)
    for slug in ["KZ", "-kz", "k_z", "a" * 65, "қаз"]:
        assert client.get(f"/s/{slug}").status_code == 404, slug
        reply = client.post(f"/s/{slug}/submissions", json={"submission_id": "slug-test-001", "answers": {}})
        assert (reply.status_code, reply.json()["error"]) == (404, f"no survey '{slug}'")


@pytest.mark.parametrize("body", [b"home_language=%ff", b"home_language=%ed%a0%80", b"%c3=mainly_kazakh"])
def test_a_form_post_that_is_not_utf8_is_refused_not_read_as_replacement_characters(app, body):
    reply = make_client(app).post("/s/kz", content=body,
                                  headers={"content-type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 400 and "The answers could not be read." in reply.text


def test_an_admin_post_that_is_not_utf8_is_refused(app):
    reply = make_client(app).post("/s/kz/admin", content=b"token=" + ADMIN_TOKEN.encode() + b"%ff",
                                  headers={"content-type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 400 and "The answers could not be read." in reply.text


def test_plain_text_is_unicode_scalar_values_without_nul():
    assert is_plain_text("Қазақ тілі 🇰🇿") and is_plain_text("")
    assert not any(is_plain_text(text) for text in ["\x00", "a\ud800", "\udc00b", "\ud83c"])


def test_a_coding_post_that_is_not_utf8_is_refused(app):
    reply = make_client(app).post("/coding/any-document/code", content=b"code=language&coder=%ff",
                                  headers={"content-type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 400 and "The form could not be read." in reply.text
