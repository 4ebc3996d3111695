"""Manual coding in real headless Chromium against a real server: select text, the form fills, save."""

from __future__ import annotations

import pytest
from services import chromium_executable
from serving import serving

from diaspora_observatory import load_case
from diaspora_observatory.documents.coders import add_coder
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.workspace import Workspace

pytestmark = pytest.mark.browser
TEXT = "Repatriates get quotas. The embassy keeps a register of compatriots abroad."
# Characters beyond U+FFFF before the selection: two UTF-16 code units each in the browser, one code point
# each on the server (an emoji, a flag of two regional indicators, mathematical letters)
ASTRAL = "Emoji 😀 first. Then 𝔸𝔹 and the embassy keeps 🇰🇿 ties."


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("browser") / "data"
    workspace = Workspace(load_case(), data_dir)
    workspace.import_document(Document("press-1", "Item", "press", "2024", "en", TEXT))
    workspace.import_document(Document("press-2", "Astral", "press", "2024", "en", ASTRAL))
    token = add_coder(data_dir, "A. B.")
    with serving(data_dir, probe="/coding") as running:
        yield running.base, data_dir, token


def launch(playwright):
    return playwright.chromium.launch(executable_path=chromium_executable(), args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"])


def test_select_text_fills_offsets_and_saves(server):
    from playwright.sync_api import sync_playwright

    base, data_dir, token = server
    with sync_playwright() as playwright:
        browser = launch(playwright)
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


def select(page, element_id: str, start, end) -> tuple[str, str]:
    """Select in the sentence ``element_id`` from ``start`` to ``end`` (each a substring of the sentence, whose
    start or end in UTF-16 code units the browser finds, or a child index of the sentence element); returns
    the form's (start, end) once the page's script filled them."""
    page.evaluate("""([id, start, end]) => {
        const sentence = document.getElementById(id);
        const node = sentence.firstChild;
        document.getElementById('start').value = '';
        const range = document.createRange();
        if (typeof start === 'number') { range.setStart(sentence, start); range.setEnd(sentence, end); }
        else { range.setStart(node, node.data.indexOf(start)); range.setEnd(node, node.data.indexOf(end) + end.length); }
        const selection = window.getSelection();
        selection.removeAllRanges(); selection.addRange(range);
    }""", [element_id, start, end])
    page.wait_for_function("document.getElementById('start').value !== ''")
    return page.input_value("#start"), page.input_value("#end")


def test_offsets_are_code_points_as_the_server_counts_them(server):
    from playwright.sync_api import sync_playwright

    base, data_dir, token = server
    second = ASTRAL.index("Then")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
            page.goto(f"{base}/coding/press-2")
            assert page.get_attribute("#s2", "data-start") == str(second)
            # in the sentence, "embassy" starts at UTF-16 offset 18 for the browser, at code point 16 for the server
            assert page.evaluate("document.getElementById('s2').firstChild.data.indexOf('embassy')") == 18
            assert ASTRAL.index("embassy") - second == 16
            assert select(page, "s2", "embassy", "embassy") == (str(ASTRAL.index("embassy")),
                                                                 str(ASTRAL.index("embassy") + 7))
            assert select(page, "s2", "𝔸", "🇰🇿") == (str(ASTRAL.index("𝔸")), str(ASTRAL.index("🇰🇿") + 2))
            # the whole sentence element (its one text node, by child index): ends after its last code point
            assert select(page, "s2", 0, 1) == (str(second), str(len(ASTRAL)))
            select(page, "s2", "𝔸", "🇰🇿")
            page.fill("#token", token)
            page.fill("#coder", "A. B.")
            page.select_option("#code", "consular_support")
            page.click("button[type=submit]")
            page.wait_for_url("**/coding/press-2?coded=*")
            assert "Passage saved." in page.content()
            assert problems == []
        finally:
            browser.close()
    manual = Workspace(load_case(), data_dir).store.passages("press-2", coder="A. B.")
    assert manual[["start", "end", "text"]].values.tolist() == [
        [ASTRAL.index("𝔸"), ASTRAL.index("🇰🇿") + 2, "𝔸𝔹 and the embassy keeps 🇰🇿"]]


@pytest.mark.parametrize("width", [360, 1280])
def test_coding_pages_scroll_nothing_sideways(server, width):
    """The coding pages' tables (documents, coverage, agreement, press themes, a document's passages) fit their
    boxes in each language: on a phone as cards, on a wide screen as tables whose long texts wrap."""
    from page_boxes import scrolling_boxes
    from playwright.sync_api import sync_playwright

    base, _data_dir, _token = server
    found = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.set_default_navigation_timeout(90000)
            for language in ("en", "ru", "kk"):
                for path in ("/coding", "/coding/press-1"):
                    page.goto(f"{base}{path}?lang={language}")
                    assert page.locator("table").count() >= (4 if path == "/coding" else 1), path
                    boxes = scrolling_boxes(page)
                    if boxes["shown"] or boxes["opened"]:
                        found[f"{language} {path}"] = boxes
                    assert page.evaluate("document.scrollingElement.scrollWidth") <= width, (language, path)
                    page.screenshot(path=f"/tmp/diaspora-coding-{language}{path.replace('/', '-')}-{width}.png",
                                    full_page=True)
        finally:
            browser.close()
    assert found == {}
