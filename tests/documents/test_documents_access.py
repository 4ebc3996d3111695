"""Who may code: coders' tokens issued by the CLI, the admin token, the sign-in cookie, the attempt limit."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from diaspora_observatory import load_case
from diaspora_observatory.access import digest
from diaspora_observatory.cli import main
from diaspora_observatory.documents.coders import add_coder, coder_for_token, tokens_file
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.workspace import Workspace
from tests.documents.conftest import app_built_once, client_class

ADMIN = "documents-admin-token-0002"
TEXT = "Repatriates get quotas. The embassy keeps a register."
REFUSED = ("Coding needs a coder&#39;s token or the admin token. Ask the person running this server for one "
           "(diaspora documents coder add NAME).")


@pytest.fixture(scope="module")
def module_app(tmp_path_factory, computed_app):
    """The app, built once for the module; :func:`app` gives each test the state of a new one."""
    yield from app_built_once(tmp_path_factory, ADMIN, computed_app)


@pytest.fixture
def app(module_app, monkeypatch):
    """The module's app as a new one is for the tests here: no coders' tokens, no wrong-token attempts
    counted, and a document of the test's own (:func:`document`), so no test sees another's passages."""
    from diaspora_observatory.safety import AttemptLimiter

    app, data_dir = module_app
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", ADMIN)
    tokens_file(data_dir).unlink(missing_ok=True)
    app.state.web.token_attempts = AttemptLimiter()
    return app


@pytest.fixture
def document(request, app, module_app) -> str:
    document_id = re.sub(r"[^a-z0-9]+", "-", request.node.name.removeprefix("test_").lower())[:60]
    Workspace(load_case(), module_app[1]).import_document(Document(document_id, "Item", "press", "2024", "en", TEXT))
    return document_id


@pytest.fixture
def coding_dir(module_app) -> Path:
    """The module app's data folder, where its coders' tokens and documents are."""
    return module_app[1]


def manual(data_dir, document):
    passages = Workspace(load_case(), data_dir).store.passages(document)
    return passages[passages["coder"] != "auto"][["id", "code", "coder"]].values.tolist()


def test_coder_add_prints_a_token_once_and_keeps_only_its_hash(data_dir):
    runner = CliRunner()
    added = runner.invoke(main, ["documents", "coder", "add", "A. Bekova"])
    assert added.exit_code == 0, added.output
    heading, token, _ = added.output.split("\n")
    assert heading == f"Token for coder 'A. Bekova' (shown once; only its hash is kept in {tokens_file(data_dir)}):"
    assert len(token) == 32
    stored = tokens_file(data_dir)
    assert json.loads(stored.read_text()) == {"A. Bekova": digest(token)} and token not in stored.read_text()
    assert stored.stat().st_mode & 0o777 == 0o600
    assert coder_for_token(data_dir, token) == "A. Bekova" and coder_for_token(data_dir, token[:-1]) is None
    again = runner.invoke(main, ["documents", "coder", "add", "A. Bekova"])
    assert again.exit_code == 2 and "Error: coder 'A. Bekova' already has a token" in again.output
    assert "Hint: pass --replace to give them a new one (the old one stops working)" in again.output
    reserved = runner.invoke(main, ["documents", "coder", "add", "auto"])
    assert "Error: the coder name 'auto' is reserved for automatic coding" in reserved.output
    assert runner.invoke(main, ["documents", "coder", "list"]).output == "A. Bekova\n"
    removed = runner.invoke(main, ["documents", "coder", "remove", "A. Bekova"])
    assert removed.output == "Coder 'A. Bekova' can no longer code on the web page.\n"
    assert coder_for_token(data_dir, token) is None


def test_coding_without_a_token_is_refused_and_nothing_is_stored(app, document, coding_dir):
    client = client_class()(app)
    form = {"coder": "AB", "code": "tourism", "sentence": "0-23"}
    for token in ("", "not-a-token-of-anyone"):
        refused = client.post(f"/coding/{document}/code", data={**form, "token": token})
        assert refused.status_code == 403 and REFUSED in refused.text
    assert manual(coding_dir, document) == []
    page = client.get(f"/coding/{document}").text
    assert '<input id="token" name="token" type="password" required' in page
    assert "/delete" not in page


def test_a_coder_token_codes_under_its_own_name_and_signs_in(app, document, coding_dir):
    token = add_coder(coding_dir, "AB")
    client = client_class()(app)
    other_name = client.post(f"/coding/{document}/code", data={"token": token, "coder": "CD", "code": "tourism",
                                                           "sentence": "0-23"})
    assert other_name.status_code == 400
    assert ("This token belongs to coder &#39;AB&#39;; passages are saved under that name. Leave the coder field "
            "empty or type &#39;AB&#39;.") in other_name.text
    saved = client.post(f"/coding/{document}/code", data={"token": token, "code": "tourism", "sentence": "0-23"},
                        follow_redirects=False)
    assert saved.status_code == 303
    cookie = saved.headers["set-cookie"]
    assert cookie.startswith(f"coding_token={token};") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/coding" in cookie
    # signed in: the page says so, asks no token, and a second coding needs none
    page = client.get(f"/coding/{document}").text
    assert "Signed in as coder <strong>AB</strong>." in page and 'name="token"' not in page
    assert client.post(f"/coding/{document}/code", data={"code": "diaspora_actor", "sentence": "24-53"}).status_code == 200
    assert [row[1:] for row in manual(coding_dir, document)] == [["tourism", "AB"], ["diaspora_actor", "AB"]]
    signed_out = client.post("/coding/sign-out", data={}, follow_redirects=False)
    assert signed_out.status_code == 303 and 'coding_token=""' in signed_out.headers["set-cookie"]


def test_only_the_passage_s_coder_or_the_admin_deletes_it(app, document, coding_dir):
    ab, cd = add_coder(coding_dir, "AB"), add_coder(coding_dir, "CD")
    client = client_class()(app)
    client.post(f"/coding/{document}/code", data={"token": ab, "code": "tourism", "sentence": "0-23"})
    [[passage_id, _, _]] = manual(coding_dir, document)
    client.cookies.clear()
    by_other = client.post(f"/coding/{document}/passages/{passage_id}/delete", data={"token": cd})
    assert by_other.status_code == 403
    assert "This passage was coded by &#39;AB&#39;; only they or the admin may delete it." in by_other.text
    client.cookies.clear()
    assert client.post(f"/coding/{document}/passages/{passage_id}/delete", data={}).status_code == 403
    assert manual(coding_dir, document) == [[passage_id, "tourism", "AB"]]
    gone = client.post(f"/coding/{document}/passages/{passage_id}/delete", data={"token": ADMIN},
                       follow_redirects=False)
    assert gone.status_code == 303 and manual(coding_dir, document) == []


def test_passage_ids_beyond_sqlite_integers_are_not_found(app, document):
    client = client_class()(app)
    # Path integers of more than 18 digits match no route (web/request_guard.py): the ordinary 404 page.
    for passage_id in (2**63, 2**64 + 5, 10**30):
        response = client.post(f"/coding/{document}/passages/{passage_id}/delete", data={"token": ADMIN})
        assert response.status_code == 404 and "There is no page at this address." in response.text
    response = client.post(f"/coding/{document}/passages/999999999999999999/delete", data={"token": ADMIN})
    assert response.status_code == 404 and "There is no such passage." in response.text


def test_wrong_tokens_are_limited_per_client_then_429(app, document, coding_dir):
    client = client_class()(app)
    form = {"code": "tourism", "sentence": "0-23", "coder": "AB"}
    for _ in range(10):
        assert client.post(f"/coding/{document}/code", data={**form, "token": "wrong-token-guess-0000"}).status_code == 403
    blocked = client.post(f"/coding/{document}/code", data={**form, "token": ADMIN})
    assert blocked.status_code == 429 and 0 < int(blocked.headers["retry-after"]) <= 60
    assert "too many wrong tokens from this address; try again in" in blocked.text
    # the survey's admin form shares the limit: guessing there is no way around it
    survey = client.post("/s/kz/admin", data={"token": ADMIN})
    assert survey.status_code == 429 and "retry-after" in survey.headers
    assert manual(coding_dir, document) == []
