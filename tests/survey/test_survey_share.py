"""Sharing a survey: the share page's link and QR codes (SVG for the screen, PNG to print), the public base
URL, ``diaspora serve --share`` and the submission limits a meeting needs (docs/survey.md, "Share" and
"Limits")."""

from __future__ import annotations

import struct

import pytest
from click.testing import CliRunner
from survey_helpers import ADMIN_TOKEN, VALID_ANSWERS, make_client


def api(client, slug, submission_id):
    return client.post(f"/s/{slug}/submissions", json={"submission_id": submission_id, "answers": VALID_ANSWERS})


def make_app(tmp_path, monkeypatch, **environment):
    from diaspora_observatory.web.app import create_app

    monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", ADMIN_TOKEN)
    monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    for name in ("DIASPORA_SURVEY_RATE_LIMIT", "DIASPORA_SURVEY_RATE_TOTAL", "DIASPORA_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return create_app(data_dir=tmp_path / "data")


def test_qr_svg_is_a_standalone_svg_document(client):
    qr = client.get("/s/kz/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    # Without the namespace a browser shows nothing (the image loads 0 px wide).
    assert qr.text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" ')


def test_qr_png_to_print(client):
    share = client.get("/s/kz/share")
    assert '<a href="/s/kz/qr.png" download="kz-qr.png">QR code as an image to print (PNG)</a>' in share.text
    png = client.get("/s/kz/qr.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png.content[16:24])  # IHDR: the first chunk
    # "http://testserver/s/kz" fits a version 2 code (25 modules) at level M; 10 px a module, 4 modules of border.
    assert (width, height) == (330, 330)
    assert client.get("/s/nope/qr.png").status_code == 404


@pytest.mark.slow  # builds its own app
def test_loopback_link_says_how_phones_reach_it(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch)
    from starlette.testclient import TestClient

    client = TestClient(app, base_url="http://127.0.0.1:8000")
    share = client.get("/s/kz/share").text
    assert 'value="http://127.0.0.1:8000/s/kz"' in share
    assert ("This link works only on this computer. To reach phones in the room, start the server with: "
            "diaspora serve --share") in share
    app.state.web.survey_store.close()


@pytest.mark.slow  # builds its own app
def test_public_url_is_in_the_link_and_the_qr_code(tmp_path, monkeypatch):
    import segno

    app = make_app(tmp_path, monkeypatch, DIASPORA_PUBLIC_URL="https://survey.example.org/community")
    client = make_client(app)
    share = client.get("/s/kz/share").text
    assert 'value="https://survey.example.org/community/s/kz"' in share
    assert "works only on this computer" not in share
    # The code holds the public link: its size is that of this link's code, larger than the test server's.
    width, _ = segno.make("https://survey.example.org/community/s/kz", error="m").symbol_size(scale=10, border=4)
    assert width == 370 and client.get("/s/kz/qr.png").content[16:24] == struct.pack(">II", width, width)
    app.state.web.survey_store.close()


@pytest.mark.slow  # builds its own app
def test_rate_limit_lets_a_room_of_50_answer_and_stops_a_flood(tmp_path, monkeypatch):
    app = make_app(tmp_path, monkeypatch)  # the defaults: 120 a minute per address and survey
    client = make_client(app)  # every request from one address, as a room behind one connection
    codes = [api(client, "kz", f"room-{n:04d}").status_code for n in range(121)]
    assert codes[:120] == [201] * 120 and codes[120] == 429
    assert api(client, "kz", "room-0121").json() == {"error": "too many submissions from this client; wait a minute"}
    app.state.web.survey_store.close()


@pytest.mark.slow  # builds its own app
def test_rate_limits_per_address_and_survey_and_per_survey(tmp_path, monkeypatch):
    from diaspora_observatory.survey.default import default_form

    app = make_app(tmp_path, monkeypatch, DIASPORA_SURVEY_RATE_LIMIT="2", DIASPORA_SURVEY_RATE_TOTAL="3")
    app.state.web.survey_store.add_survey("wave2", default_form())
    client = make_client(app)
    assert [api(client, "kz", f"per-address-{n}").status_code for n in range(3)] == [201, 201, 429]
    # Another survey from the same address has its own count.
    assert [api(client, "wave2", f"other-survey-{n}").status_code for n in range(2)] == [201, 201]
    app.state.web.survey_store.close()
    app = make_app(tmp_path / "total", monkeypatch, DIASPORA_SURVEY_RATE_LIMIT="0", DIASPORA_SURVEY_RATE_TOTAL="3")
    client = make_client(app)
    assert [api(client, "kz", f"total-limit-{n}").status_code for n in range(4)] == [201, 201, 201, 429]
    app.state.web.survey_store.close()


@pytest.mark.slow  # builds its own app
def test_a_rate_that_is_not_a_number_is_named(tmp_path, monkeypatch):
    from diaspora_observatory.errors import DiasporaError

    with pytest.raises(DiasporaError) as raised:
        make_app(tmp_path, monkeypatch, DIASPORA_SURVEY_RATE_LIMIT="fifty")
    assert raised.value.message == "DIASPORA_SURVEY_RATE_LIMIT='fifty' is not a whole number"
    assert raised.value.hint == "set it to a whole number, or unset it for the default (120)"


def test_local_addresses_are_never_loopback():
    from diaspora_observatory.web.lan import local_addresses

    addresses = local_addresses()
    assert all(not address.startswith(("127.", "169.254.")) for address in addresses)
    assert len(addresses) == len(set(addresses))


def run_serve(monkeypatch, tmp_path, *arguments):
    """``diaspora serve`` up to the point where it would listen: uvicorn.run is replaced by a recorder,
    because a test on a shared machine must not open a port on the local network (0.0.0.0)."""
    import uvicorn

    from diaspora_observatory.cli import main

    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(app=app, **options))
    monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", ADMIN_TOKEN)
    monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    for name in ("DIASPORA_PUBLIC_URL", "DIASPORA_SURVEY_RATE_LIMIT", "DIASPORA_SURVEY_RATE_TOTAL"):
        monkeypatch.setenv(name, "")  # recorded, so that what serve sets is undone after the test
        monkeypatch.delenv(name)
    result = CliRunner().invoke(main, ["serve", "--data-dir", str(tmp_path / "data"), *arguments])
    if "app" in started:
        started["app"].state.web.survey_store.close()
    return result, started


@pytest.mark.slow  # builds its own app through serve
def test_serve_share_listens_on_the_network_and_warns(monkeypatch, tmp_path):
    from diaspora_observatory.web import lan

    monkeypatch.setattr(lan, "local_addresses", lambda: ["192.168.1.20", "10.0.0.5"])  # this machine's are unknown
    result, started = run_serve(monkeypatch, tmp_path, "--share", "--port", "19001")
    assert result.exit_code == 0, result.output
    assert started["host"] == "0.0.0.0" and started["port"] == 19001
    assert "Answering for the hosts: 127.0.0.1, localhost, ::1, 192.168.1.20, 10.0.0.5 (add others" in result.output
    assert ("Warning: sharing on the local network. Anyone on this network can open every page of the observatory "
            "and answer the surveys (admin pages still need the token). Stop the server (Ctrl+C) when the "
            "collection ends.\nPhones on the same network can open: http://192.168.1.20:19001/s, "
            "http://10.0.0.5:19001/s") in result.output
    assert "Share links and QR codes use http://192.168.1.20:19001" in result.output
    client = make_client(started["app"])
    share = client.get("/s/kz/share", headers={"host": "192.168.1.20:19001"})
    assert share.status_code == 200 and 'value="http://192.168.1.20:19001/s/kz"' in share.text
    assert client.get("/s/kz", headers={"host": "evil.example"}).status_code == 400


def test_serve_share_without_a_network_refuses(monkeypatch, tmp_path):
    from diaspora_observatory.web import lan

    monkeypatch.setattr(lan, "local_addresses", lambda: [])
    result, started = run_serve(monkeypatch, tmp_path, "--share")
    assert result.exit_code != 0 and not started
    assert "--share found no network address on this machine: phones could not reach it" in result.output


@pytest.mark.slow  # builds two apps through serve
def test_serve_public_url(monkeypatch, tmp_path):
    result, started = run_serve(monkeypatch, tmp_path, "--public-url", "https://survey.example.org/")
    assert result.exit_code == 0, result.output
    assert started["host"] == "127.0.0.1"
    assert "Share links and QR codes use https://survey.example.org\n" in result.output
    client = make_client(started["app"])
    share = client.get("/s/kz/share", headers={"host": "survey.example.org"})
    assert 'value="https://survey.example.org/s/kz"' in share.text
    bad, started = run_serve(monkeypatch, tmp_path, "--public-url", "survey.example.org")
    assert bad.exit_code != 0 and not started
    assert "--public-url 'survey.example.org' is not a base address such as https://survey.example.org" in bad.output


def test_respondent_pages_have_no_observatory_menu(client):
    form = client.get("/s/kz?lang=kk")
    assert form.status_code == 200 and 'class="main-nav"' not in form.text and 'class="languages"' in form.text
    assert client.get("/s/kz/thanks").text.count('class="main-nav"') == 0
    assert client.post("/s/kz/admin/close", data={"token": ADMIN_TOKEN}).status_code == 200
    closed = client.get("/s/kz?lang=ru")
    assert closed.status_code == 410 and 'class="main-nav"' not in closed.text
    assert "<h1>Опрос закрыт</h1>" in closed.text
    missing = client.get("/s/nope")
    assert missing.status_code == 404 and 'class="main-nav"' not in missing.text
    assert 'class="main-nav"' in client.get("/s/kz/share").text  # the coordinator's pages keep the menu
