"""Fixtures for the web app: the app in-process, and a real uvicorn server for browser tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from services import chromium_executable
from serving import free_port, serving
from web_helpers import TestClient, make_client

from diaspora_observatory.web.app import create_app

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def web_app(tmp_path_factory, computed_app):
    return create_app(data_dir=tmp_path_factory.mktemp("data"), computed_by=computed_app)


@pytest.fixture
def client(web_app) -> TestClient:
    """A fresh client (no cookies) on the shared app."""
    return make_client(web_app)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """``diaspora serve`` in a real process on a free loopback port; yields its base URL once /countries
    answers and the server has printed its line (waited for as long as the process lives, up to
    serving.START_SECONDS: a loaded machine starts slowly; a server that exits fails at once with its output)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    expected = f"Diaspora Observatory: serving case 'kazakh-central-asia' at {base}/ (press Ctrl+C to stop)"
    # Extensions may print their own lines first (the survey module shows its admin token once).
    with serving(tmp_path_factory.mktemp("live-data"), probe="/countries", port=port,
                 ready=lambda output: expected in [line.rstrip("\n") for line in output]):
        yield base


@pytest.fixture(scope="module")
def browser():
    # Per module, not per session: Playwright's sync API keeps an event loop running in the main thread while
    # it is open, and a session-wide one would make every later asyncio.run() or sync_playwright() fail.
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = chromium_executable()
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
