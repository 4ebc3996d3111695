"""Manual coding in real headless Chromium against a real server: select text, the form fills, save."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from services import chromium_executable

from diaspora_observatory import load_case
from diaspora_observatory.documents.coders import add_coder
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.workspace import Workspace

pytestmark = pytest.mark.browser
TEXT = "Repatriates get quotas. The embassy keeps a register of compatriots abroad."


@pytest.fixture
def server(tmp_path: Path):
    import httpx

    data_dir = tmp_path / "data"
    Workspace(load_case(), data_dir).import_document(Document("press-1", "Item", "press", "2024", "en", TEXT))
    token = add_coder(data_dir, "A. B.")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "diaspora_observatory.cli", "serve", "--port", str(port),
                                "--data-dir", str(data_dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/coding", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not answer within 20 s")
        yield base, data_dir, token
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_select_text_fills_offsets_and_saves(server):
    from playwright.sync_api import sync_playwright

    base, data_dir, token = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable(), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
            page.goto(f"{base}/coding/press-1")
            # select "embassy" inside the second sentence (document offsets 28-35)
            page.evaluate("""() => {
                const node = document.getElementById('s2').firstChild;
                const range = document.createRange();
                range.setStart(node, 4); range.setEnd(node, 11);
                const selection = window.getSelection();
                selection.removeAllRanges(); selection.addRange(range);
            }""")
            page.wait_for_function("document.getElementById('start').value !== ''")
            assert (page.input_value("#start"), page.input_value("#end")) == ("28", "35")
            page.fill("#token", token)
            page.fill("#coder", "A. B.")
            page.select_option("#code", "consular_support")
            page.click("button[type=submit]")
            page.wait_for_url("**/coding/press-1?coded=*")
            assert "Passage saved." in page.content()
            assert problems == []  # CSP violations show up as console errors
        finally:
            browser.close()
    manual = Workspace(load_case(), data_dir).store.passages("press-1", coder="A. B.")
    assert manual[["code", "start", "end", "text"]].values.tolist() == [["consular_support", 28, 35, "embassy"]]
