"""Fixtures for the web app: the app in-process, and a real uvicorn server for browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from services import chromium_executable
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """``diaspora serve`` in a real process on a free loopback port; yields its base URL."""
    port = free_port()
    data_dir = tmp_path_factory.mktemp("live-data")
    command = [sys.executable, "-m", "diaspora_observatory.cli", "serve", "--port", str(port),
               "--data-dir", str(data_dir)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    expected = f"Diaspora Observatory: serving case 'kazakh-central-asia' at {base}/ (press Ctrl+C to stop)"
    output: list[str] = []
    try:
        # Extensions may print their own lines first (the survey module shows its admin token once).
        for line in process.stdout:
            output.append(line.rstrip("\n"))
            if line.strip() == expected or len(output) > 20:
                break
        assert expected in output, output
        # keep reading so that the server never blocks on a full pipe
        threading.Thread(target=lambda: [output.append(line) for line in process.stdout], daemon=True).start()
        deadline = time.monotonic() + 60  # a loaded machine starts slowly
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/countries", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not answer within 60 s")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        process.stdout.close()


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
