"""Security by default: headers on every response, no inline code, refused methods, safe error pages."""

from __future__ import annotations

import pytest
from web_helpers import make_client, read_page

from diaspora_observatory.web.app import create_app

EXPECTED_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
                "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
PATHS = ["/", "/flows", "/country/TJK", "/flows.csv", "/claims.json", "/static/style.css", "/nowhere",
         "/static/vega-bundle.js"]


@pytest.mark.parametrize("path", PATHS)
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    assert response.headers["content-security-policy"] == EXPECTED_CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"
    assert "server" not in response.headers or "uvicorn" not in response.headers["server"]


@pytest.mark.parametrize("path", ["/", "/flows", "/country/UZB", "/claims", "/sources", "/survey", "/nowhere"])
def test_pages_have_no_inline_script_or_style(client, path):
    page = read_page(client.get(path).text)
    assert page.inline_script_bodies == []
    assert page.style_attributes == 0
    assert page.style_elements == 0
    assert all(script.get("src", "").startswith("/static/") or script.get("type") == "application/json"
               for script in page.scripts)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_unused_methods_are_refused(client, method):
    response = client.request(method, "/flows")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}
    assert read_page(response.text).h1 == ["Method not allowed (405)"]
    assert response.headers["content-security-policy"] == EXPECTED_CSP


def test_head_is_answered(client):
    response = client.head("/flows")
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json", "/schema", "/_dev/routes"])
def test_no_api_docs_or_schema_outside_dev(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.slow  # builds its own app
def test_dev_mode_lists_routes(tmp_path):
    client = make_client(create_app(data_dir=tmp_path, dev=True))
    listed = client.get("/_dev/routes").json()
    assert {"path": "/flows", "methods": ["GET", "HEAD"]} in listed


def test_language_switch_never_redirects_off_site(client):
    for target in ("https://example.org/", "//example.org/", "/\\example.org"):
        response = client.get("/lang/ru", params={"next": target}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/"
    assert client.get("/lang/xx", follow_redirects=False).status_code == 404


@pytest.mark.slow  # builds its own app
def test_server_error_page_has_no_trace(tmp_path):
    app = create_app(data_dir=tmp_path)
    site = app.state.site

    def broken(key, language):
        raise RuntimeError("secret internal detail")

    site.page = broken  # a page that fails while being drawn
    client = make_client(app)
    response = client.get("/flows", headers={"accept-language": "ru"})
    assert response.status_code == 500
    assert read_page(response.text).h1 == ["Что-то пошло не так (500)"]
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["content-security-policy"] == EXPECTED_CSP
    data = client.get("/flows.json")
    assert data.status_code == 500
    assert data.json() == {"error": "Something went wrong", "status": 500, "detail": (
        "The server could not answer this request. The error has been logged; please try again or report it.")}


@pytest.mark.slow  # builds its own app on an edited case
def test_downloaded_csv_cannot_run_as_a_spreadsheet_formula(case_copy, tmp_path):
    institutions = case_copy / "data" / "institutions.csv"
    row = "UZB,bilingual_school,Schools teaching in Uzbek and Kazakh,370,exact,2024,,embassy-uz-2024,"
    text = institutions.read_text(encoding="utf-8")
    assert text.count(row + "\n") == 1
    institutions.write_text(text.replace(row + "\n", row + '"=HYPERLINK(""http://example.org"")"\n'),
                            encoding="utf-8")
    client = make_client(create_app(case_copy, data_dir=tmp_path / "data"))
    body = client.get("/institutions.csv", params={"table": "institutions-list"}).text
    assert '"\'=HYPERLINK(""http://example.org"")"' in body
    assert "\n=" not in body and ",=" not in body
    # JSON keeps the text as it is: it is data, not a spreadsheet
    listed = client.get("/institutions.json", params={"table": "institutions-list"}).json()
    assert listed[0]["note"] == '=HYPERLINK("http://example.org")'


def test_spreadsheet_safe_leaves_numbers_alone():
    import pandas as pd

    from diaspora_observatory.web.views import spreadsheet_safe

    frame = pd.DataFrame({"net": [-5, 7], "note": ["-1 or so", "plain"], "other": ["@home", None]})
    safe = spreadsheet_safe(frame)
    assert safe["net"].tolist() == [-5, 7]
    assert safe["note"].tolist() == ["'-1 or so", "plain"]
    assert safe["other"].tolist()[0] == "'@home"


@pytest.mark.slow  # builds its own app
def test_host_allow_list_in_process(tmp_path):
    from diaspora_observatory.web.security import allowed_hosts_for, host_name

    assert [host_name(h) for h in ("[::1]:8000", "LocalHost:80", "example.org.", "::1")] == [
        "::1", "localhost", "example.org", "::1"]
    assert allowed_hosts_for("0.0.0.0", ["survey.example.org"]) == ["127.0.0.1", "localhost", "::1",
                                                                     "survey.example.org"]
    assert allowed_hosts_for("192.0.2.10") == ["127.0.0.1", "localhost", "::1", "192.0.2.10"]
    client = make_client(create_app(data_dir=tmp_path, allowed_hosts=allowed_hosts_for("127.0.0.1")))
    assert client.get("/flows", headers={"host": "localhost:8000"}).status_code == 200
    refused = client.get("/flows", headers={"host": "attacker.example"})
    assert refused.status_code == 400 and refused.text.startswith(
        "This server does not answer for the host 'attacker.example'. It serves only: 127.0.0.1, localhost, ::1.")
    assert refused.headers["content-security-policy"] == EXPECTED_CSP


@pytest.mark.slow  # builds its own app
def test_forwarded_addresses_are_ignored_without_a_trusted_proxy(tmp_path, monkeypatch):
    monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", "security-admin-token-01")
    client = make_client(create_app(data_dir=tmp_path))
    for number in range(10):
        response = client.post("/s/kz/admin", data={"token": "wrong-guess-0000000"},
                               headers={"x-forwarded-for": f"198.51.100.{number}"})
        assert response.status_code == 403
    # every guess came from the same peer, whatever the header said: that peer is now blocked
    blocked = client.post("/s/kz/admin", data={"token": "security-admin-token-01"},
                          headers={"x-forwarded-for": "198.51.100.99"})
    assert blocked.status_code == 429 and 0 < int(blocked.headers["retry-after"]) <= 60


@pytest.mark.slow  # builds its own app
def test_user_set_admin_tokens_need_16_characters(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from diaspora_observatory.access import check_admin_token
    from diaspora_observatory.cli import main

    monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", "short-token")
    assert not check_admin_token(tmp_path, "short-token")
    result = CliRunner().invoke(main, ["serve", "--data-dir", str(tmp_path), "--port", "18199"])
    assert result.exit_code == 2
    assert ("Error: DIASPORA_ADMIN_TOKEN has 11 characters; an admin token needs at least 16, so that it cannot "
            "be guessed by trying") in result.output
    assert "Hint: choose a longer one, or unset DIASPORA_ADMIN_TOKEN to have a random token generated" in result.output
