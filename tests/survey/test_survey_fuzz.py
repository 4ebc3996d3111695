"""Whatever a client sends, the app answers with a page or a clear 4xx: never a server error, never a
trace, never a half-checked answer stored. Hypothesis generates the requests against the real app, with
its survey store on a real SQLite file and on the test PostgreSQL server (``postgres`` mark).

Two kinds of fuzzing:

- the survey's own submissions (JSON API and the HTML form), mostly valid answers with a few changed,
  so that many are stored and each stored one is checked against the form again;
- every route of the app, taken from its own route table (``app.routes``: the core pages, the survey's
  and the documents' extension routes, the static mount), with each path parameter filled with hostile
  values (NUL, bytes that are not UTF-8, encoded surrogates, integers beyond 64 bits, very long text),
  each method the route accepts and one it does not, and bodies as JSON (nested far too deep, lone
  surrogates, huge integers, NUL), form posts and raw bytes.

The ``slow`` variant sends 600 requests per database (``DIASPORA_FUZZ_REQUESTS=N`` for N) and prints what it saw.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from hostile_helpers import DATABASES, app_on
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Mount, Route
from survey_helpers import ADMIN_TOKEN, VALID_ANSWERS, make_client

from diaspora_observatory.survey.default import default_form
from diaspora_observatory.survey.steps import plan_steps
from diaspora_observatory.survey.validation import validate_answers

FORM = default_form()
LAST_STEP = str(len(plan_steps(FORM)) - 1)  # the page whose post stores the answers
NAMES = [question.name for question in FORM.answer_questions()]
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROUTE_REQUESTS = 300  # per database in the default run: a few seconds each
SEED_TEXT = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "kazakh-diaspora-central-asia.txt"
DOCUMENT_ID = "study-excerpt"

# Text as a hostile client can put it in JSON: any code point, lone surrogates included ("\ud800"),
# NUL and the control characters, besides the answers the form expects.
any_text = st.text(st.characters(exclude_categories=()), max_size=40)
hostile_strings = st.sampled_from(["\ud800", "\udfff", "a\ud83c", "\x00", "kz\x00", "\u202e", "\ufeff", "",
                                   "=HYPERLINK(\"x\")", "<script>", "1" * 5000])
huge_integers = st.sampled_from([2**63 - 1, 2**63, -(2**63) - 1, 10**30, 10**40]) | st.integers()
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | huge_integers
    | st.floats(allow_nan=False, allow_infinity=False) | any_text | hostile_strings
    | st.sampled_from(["1", "5", "9", "mainly_kazakh", "KGZ"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=8)
answer_sets = st.dictionaries(st.sampled_from(NAMES) | any_text, json_values, max_size=14)
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
# Valid answers with one hostile value or key: a lone surrogate, NUL, an integer beyond 64 bits.
hostile_mutated = st.builds(
    lambda name, value, as_key: {**VALID_ANSWERS, **({value: "1"} if as_key and isinstance(value, str) else {name: value})},
    st.sampled_from(NAMES), hostile_strings | huge_integers.filter(lambda number: abs(number) > 2**62)
    | st.lists(hostile_strings, min_size=1, max_size=3), st.booleans())
submitted_answers = st.integers(0, 5).flatmap(
    lambda pick: answer_sets if pick == 0 else hostile_mutated if pick < 3 else mutated)
odd_ids = st.one_of(any_text, st.integers(), st.none(), hostile_strings)
submission_ids = st.integers(0, 9).flatmap(  # seven in ten valid: fresh, or one sent again (replay or conflict)
    lambda pick: st.builds(lambda: uuid.uuid4().hex) if pick < 5
    else st.sampled_from(["fuzz-replay-0001", "fuzz-replay-0002"]) if pick < 7 else odd_ids)


def nested(depth: int) -> bytes:
    """A submission whose answer is ``depth`` arrays deep."""
    return b'{"submission_id": "deep-0000001", "answers": {"gender": ' + b"[" * depth + b"]" * depth + b"}}"


deep_bodies = st.sampled_from([1, 29, 31, 32, 33, 200, 30000]).map(nested)
# Bytes that are not UTF-8 (a lone continuation byte, a truncated sequence, an encoded surrogate, an
# overlong NUL) where the JSON expects text.
not_utf8 = st.sampled_from([b"\xff", b"\xc3(", b"\xed\xa0\x80", b"\xc0\x80", b"\xe2\x82", b"\x80abc"])
bad_utf8_bodies = not_utf8.map(lambda raw: b'{"submission_id": "bytes-0000001", "answers": {"gender": "' + raw
                               + b'"}}')


@pytest.fixture(scope="module", params=DATABASES)
def fuzz_app(request, tmp_path_factory, computed_app):
    """The app with one real document to code (the study's opening paragraphs) and the built-in survey."""
    from diaspora_observatory import load_case
    from diaspora_observatory.documents.importer import Document
    from diaspora_observatory.documents.workspace import Workspace

    folder = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    excerpt = SEED_TEXT.read_text(encoding="utf-8")[:3000]
    Workspace(load_case(), folder / "data").import_document(Document(
        document_id=DOCUMENT_ID, title="The study, opening paragraphs", kind="press", date="2024-01-01",
        language="ru", text=excerpt, source_id=""))
    with app_on(request.param, folder, computed_app) as app:
        yield app


def stored_answers(app, submission_id: str):
    return next((row["answers"] for row in app.state.web.survey_store.responses("kz")
                 if row["submission_id"] == submission_id), None)


def assert_every_stored_submission_passes_the_form(app) -> int:
    rows = app.state.web.survey_store.responses("kz")
    for row in rows:
        assert validate_answers(FORM, row["answers"]) == row["answers"], row["submission_id"]
    return len(rows)


def assert_no_trace(reply) -> None:
    assert reply.status_code < 500, (reply.status_code, reply.text[:300])
    assert "Traceback" not in reply.text and 'File "' not in reply.text, reply.text[:300]


@FUZZ
@given(answers=submitted_answers, submission_id=submission_ids, extra=st.sampled_from([False, False, False, True]))
def test_any_json_submission_is_stored_valid_or_refused_clearly(fuzz_app, answers, submission_id, extra):
    client = make_client(fuzz_app)
    store = fuzz_app.state.web.survey_store
    before = store.count("kz")
    payload = {"submission_id": submission_id, "answers": answers, **({"ip": "10.0.0.1"} if extra else {})}
    # ensure_ascii: a lone surrogate travels as the escape "\ud800", as a hostile client would send it.
    reply = client.post("/s/kz/submissions", content=json.dumps(payload).encode(),
                        headers={"content-type": "application/json"})
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
@given(body=st.binary(max_size=300) | deep_bodies | bad_utf8_bodies,
       content_type=st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", "",
                                     "multipart/form-data"]))
def test_any_bytes_are_refused_without_a_server_error(fuzz_app, body, content_type):
    client = make_client(fuzz_app)
    before = fuzz_app.state.web.survey_store.count("kz")
    reply = client.post("/s/kz/submissions", content=body, headers={"content-type": content_type})
    assert reply.status_code in (400, 415, 422), (reply.status_code, reply.text)
    assert json.loads(reply.text)["error"] and fuzz_app.state.web.survey_store.count("kz") == before


# Form fields as they travel: percent-encoded UTF-8, or escapes that are not UTF-8 / are NUL.
form_text = st.text(max_size=30).map(lambda text: quote(text, safe="")) | st.sampled_from(
    ["%00", "%ff", "%ed%a0%80", "%c3%28", "mainly_kazakh%00", "%E2%80%AE", "9" * 30])


@FUZZ
@given(fields=st.lists(st.tuples(st.sampled_from([*NAMES, "__step", "__nav", "submission_id", "lang"]) | form_text,
                                 form_text | st.sampled_from(sum(OPTIONS.values(), []))), max_size=14))
def test_any_form_post_gets_a_page_not_a_server_error(fuzz_app, fields):
    client = make_client(fuzz_app)
    body = "&".join(f"{name}={value}" for name, value in fields).encode()
    reply = client.post("/s/kz", content=body, headers={"content-type": "application/x-www-form-urlencoded"},
                        follow_redirects=False)
    assert reply.status_code in (200, 303, 400, 409, 415, 422), (reply.status_code, reply.text[:300])
    assert reply.headers["cache-control"] == "no-store"
    assert_no_trace(reply)
    if reply.status_code != 303:
        assert "<script>" not in reply.text.replace('<script type="module" src="/static/', "")


# Every route of the app, from its own route table.

def route_table(app) -> list[tuple[str, dict, list[str]]]:
    """(path template, convertors, methods) for every route and mount of ``app``: what the fuzzer covers."""
    table = []
    for route in app.routes:
        if isinstance(route, Route):
            table.append((route.path, route.param_convertors, sorted(route.methods or ["GET"])))
        elif isinstance(route, Mount):
            table.append((route.path + "/{path:path}", {"path": None}, ["GET", "HEAD"]))
    return table


# What a path parameter can be: the values the app knows (so that real pages and real writes are
# reached), and hostile ones, already percent-encoded as they appear in an address.
KNOWN = {"slug": ["kz"], "document_id": [DOCUMENT_ID], "passage_id": ["1", "2"], "code": ["KAZ", "KGZ", "ru"],
         "format": ["json", "csv", "html"], "action": ["view", "export"], "name": ["select.js", "documents.css"],
         "path": ["style.css", "app.js"]}
HOSTILE = ["%00", "kz%00", "%ff", "%c3%28", "%ed%a0%80", "%ed%b0%80", "%c0%80", "9223372036854775807",
           "9223372036854775808", "9" * 40, "-1", "0", "1e309", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "a" * 300,
           "%F0%9F%87%B0%F0%9F%87%BF", "%E2%80%AE", "%20", "kz%20", "KZ", "%25", "%u0000", "%3Cscript%3E"]

def path_value(known: list[str]):
    """Half the time a value the app knows (real pages, real writes), else a hostile one or any text."""
    return st.integers(0, 3).flatmap(lambda pick: st.sampled_from(known) if pick < 2 else st.sampled_from(HOSTILE)
                                     if pick == 2 else st.text(max_size=12).map(lambda text: quote(text, safe="")))


path_values = {name: path_value(known) for name, known in KNOWN.items()}
hostile_queries = st.sampled_from([
    "", "lang=ru", "lang=kk", "lang=%00", "lang=%ff", "by=gender", "by=%ed%a0%80", "row=x", "by=age_band&row=gender",
    "coder=%00", "coder=auto", "format=json", "coded=1", "lang=" + "x" * 2000, "by=" + "%00" * 10,
]) | form_text.map(lambda text: f"by={text}")
queries = st.integers(0, 2).flatmap(lambda pick: st.sampled_from(["", "lang=ru", "lang=kk"]) if pick == 0 else
                                    hostile_queries)
json_bodies = st.one_of(
    st.builds(lambda submission_id, answers: json.dumps({"submission_id": submission_id, "answers": answers}).encode(),
              submission_ids, submitted_answers),
    deep_bodies, bad_utf8_bodies, json_values.map(lambda value: json.dumps(value).encode()))
form_bodies = st.lists(st.tuples(st.sampled_from(["code", "coder", "start", "end", "sentence", "confirm", "token",
                                                  *NAMES]) | form_text,
                                 form_text | st.sampled_from(["language", "auto", "0", "5", "0-40", ADMIN_TOKEN])),
                       max_size=8).map(lambda fields: "&".join(f"{name}={value}" for name, value in fields).encode())
as_json = st.tuples(st.just("application/json"), json_bodies)
as_form = st.tuples(st.just("application/x-www-form-urlencoded"), form_bodies)
as_bytes = st.tuples(st.sampled_from(["text/plain", "", "multipart/form-data; boundary=x", "application/json"]),
                     st.binary(max_size=200))
survey_form = st.tuples(st.just("application/x-www-form-urlencoded"), st.builds(
    lambda answers, changed: "&".join(f"{name}={quote(str(value), safe='')}" for name, value in
                                      {**answers, "__step": LAST_STEP, **changed}.items()).encode(),
    st.just(VALID_ANSWERS), st.dictionaries(st.sampled_from(NAMES), form_text, max_size=2)))


def bodies_for(template: str):
    """Mostly the body the route expects (so real writes happen), else any of the others."""
    expected = as_json if template.endswith("/submissions") else survey_form if template == "/s/{slug}" else as_form
    return st.integers(0, 3).flatmap(lambda pick: expected if pick < 2 else st.one_of(as_json, as_form, as_bytes))


def requests_for(table, index: int):
    """A hypothesis strategy of (route index, method, path params, query, (content type, body)) for the
    route ``table[index]``."""
    template, convertors, methods = table[index]
    names = re.findall(r"{(\w+)(?::\w+)?}", template)
    filled = st.fixed_dictionaries({name: path_values.get(name, st.sampled_from(HOSTILE)) for name in names})
    return st.tuples(st.just(index), st.sampled_from([*methods * 3, "PUT", "DELETE"]), filled, queries,
                     bodies_for(template))


def send(client, table, spec):
    index, method, params, query, (content_type, body) = spec
    template = table[index][0]
    path = re.sub(r"{(\w+)(?::\w+)?}", lambda found: params[found.group(1)], template)
    if "/admin/" in template and params.get("action") not in KNOWN["action"]:
        # Never the admin token with an action that closes or deletes the survey the fuzzer writes to.
        body = body.replace(ADMIN_TOKEN.encode(), b"wrong-token")
    headers = {"content-type": content_type} if content_type else {}
    url = f"{path}?{query}" if query else path
    if method in ("GET", "HEAD", "DELETE"):
        return client.request(method, url, follow_redirects=False)
    return client.request(method, url, content=body, headers=headers, follow_redirects=False)


def fuzz_every_route(app, requests: int) -> dict:
    """Send about ``requests`` generated requests spread evenly over every route of ``app`` (those that
    take a body get three times as many); assert no 5xx and no trace."""
    client = make_client(app)
    table = route_table(app)
    seen: Counter = Counter()
    statuses: Counter = Counter()
    share = requests / sum(3 if "POST" in methods else 1 for _, _, methods in table)
    for index, (_, _, methods) in enumerate(table):
        @settings(max_examples=max(2, round(share * (3 if "POST" in methods else 1))), deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(spec=requests_for(table, index))
        def run(spec):
            reply = send(client, table, spec)
            seen[table[spec[0]][0]] += 1
            statuses[reply.status_code] += 1
            assert_no_trace(reply)
            if reply.status_code == 201:
                stored = stored_answers(app, reply.json()["submission_id"])
                assert stored is not None and validate_answers(FORM, stored) == stored

        run()
    return {"routes": len(table), "covered": len(seen), "requests": sum(seen.values()), "statuses": statuses,
            "table": table, "seen": seen}


def test_every_route_of_the_app_is_in_the_fuzzed_table(fuzz_app):
    templates = {template for template, _, _ in route_table(fuzz_app)}
    for expected in ("/", "/country/{code}", "/lang/{code}", "/s/{slug}", "/s/{slug}/submissions",
                     "/s/{slug}/admin/{action:str}", "/coding/{document_id}/code",
                     "/coding/{document_id}/passages/{passage_id:int}/delete", "/static/{path:path}"):
        assert expected in templates
    assert len(templates) == len(fuzz_app.routes)


@pytest.mark.slow  # about 100 requests over every route
def test_no_route_gives_a_server_error_to_hostile_requests(fuzz_app):
    found = fuzz_every_route(fuzz_app, ROUTE_REQUESTS)
    assert found["covered"] == found["routes"], found["seen"]
    assert set(found["statuses"]) & {200, 201, 303} and set(found["statuses"]) & {400, 404}
    assert_every_stored_submission_passes_the_form(fuzz_app)


@pytest.mark.slow
def test_a_big_run_over_every_route(fuzz_app):
    # 600 requests a database in CI (about half a minute); DIASPORA_FUZZ_REQUESTS=N for a longer run by hand
    found = fuzz_every_route(fuzz_app, int(os.environ.get("DIASPORA_FUZZ_REQUESTS", "600")))
    stored = assert_every_stored_submission_passes_the_form(fuzz_app)
    print(f"\n{found['requests']} requests over {found['covered']} of {found['routes']} routes; "
          f"statuses {dict(sorted(found['statuses'].items()))}; {stored} submissions stored and valid")
    assert found["covered"] == found["routes"], set(t for t, _, _ in found["table"]) - set(found["seen"])
