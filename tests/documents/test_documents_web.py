"""The documents pages through the real app (create_app + TestClient): coding a passage by hand."""

from __future__ import annotations

import re

import pytest

from diaspora_observatory import load_case
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.web import MAX_BODY_BYTES
from diaspora_observatory.documents.workspace import Workspace
from diaspora_observatory.web.app import create_app
from tests.documents.conftest import app_built_once, client_class

TEXT = "Repatriates get quotas. The embassy keeps a register. <script>alert(1)</script> ends here."
ADMIN = "documents-admin-token-0001"


@pytest.fixture(scope="module")
def module_app(tmp_path_factory, computed_app):
    """The app, built once for the module. Each test gets a document of its own in the module's data folder
    (:func:`document`), so what one test codes is never seen by another, and the store's version (which keys
    the page caches) only moves forward."""
    yield from app_built_once(tmp_path_factory, ADMIN, computed_app)


@pytest.fixture
def data_dir(module_app, monkeypatch):
    """The module app's data folder (the documents store the tests read back)."""
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(module_app[1]))
    return module_app[1]


@pytest.fixture
def document(request, data_dir, module_app, monkeypatch) -> str:
    """A new document for this test (its id from the test's name), with the automatic coding of TEXT."""
    from diaspora_observatory.safety import AttemptLimiter

    monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", ADMIN)  # coding needs a token; the admin codes under any name
    module_app[0].state.web.token_attempts = AttemptLimiter()  # as a new app's: no earlier test's attempts
    document_id = re.sub(r"[^a-z0-9]+", "-", request.node.name.removeprefix("test_").lower())[:60]
    Workspace(load_case(), data_dir).import_document(Document(
        document_id=document_id, title="Item <b>one</b>", kind="press", date="2024-03-01", language="en", text=TEXT,
        source_id="dkn-2024"))
    return document_id


@pytest.fixture
def client(module_app, document):
    return client_class()(module_app[0])


def test_index_shows_coverage_gaps_and_the_study_comparison(client, document):
    page = client.get("/coding")
    assert page.status_code == 200
    assert f'<a href="/coding/{document}">Item &lt;b&gt;one&lt;/b&gt;</a>' in page.text
    assert "<h2 id=\"coverage-heading\">Coverage</h2>" in page.text
    assert re.search(r'<td class="present" data-label="[a-z_]+">1</td>', page.text)
    assert "policy-gap" not in page.text  # a press item's gaps are listed, not marked as policy gaps
    assert "DKN World News (2024)" in page.text
    assert "<script>" not in page.text  # no inline scripts: the CSP forbids them
    data = client.get("/coding.json").json()
    assert {"document_id": document, "code": "employment_quotas", "passages": 1}.items() <= next(
        row for row in data if row["document_id"] == document and row["code"] == "employment_quotas").items()


def test_document_page_escapes_text_and_offers_sentences(client, document):
    page = client.get(f"/coding/{document}")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert" not in page.text
    assert '<option value="0-23">1. Repatriates get quotas.</option>' in page.text
    assert '<script src="/coding/static/select.js" defer></script>' in page.text
    assert client.get("/coding/static/select.js").headers["content-type"].startswith("text/javascript")
    stylesheet = re.search(r'<link rel="stylesheet" href="(/coding/static/[^"]+)">', page.text).group(1)
    assert client.get(stylesheet).headers["content-type"].startswith("text/css")
    assert client.get("/coding/static/other.js").status_code == 404
    assert client.get("/coding/nope").status_code == 404


def test_coding_a_passage_by_sentence_and_by_offsets(client, document, data_dir):
    saved = client.post(f"/coding/{document}/code", data={"coder": "A. B.", "code": "diaspora_actor",
                                                      "sentence": "24-53", "token": ADMIN}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].startswith(f"/coding/{document}?coded=")
    by_offsets = client.post(f"/coding/{document}/code", data={"coder": "C", "code": "tourism", "start": "0",
                                                           "end": "11", "sentence": "24-53"})
    assert by_offsets.status_code == 200 and "Passage saved." in by_offsets.text
    manual = Workspace(load_case(), data_dir).store.passages(document)
    manual = manual[manual["coder"] != "auto"]
    assert manual[["code", "coder", "start", "end", "text"]].values.tolist() == [
        ["tourism", "C", 0, 11, "Repatriates"], ["diaspora_actor", "A. B.", 24, 53, "The embassy keeps a register."]]
    # the page lists them and they feed the agreement table
    assert '<td data-label="Coder">A. B.</td>' in client.get(f"/coding/{document}").text
    assert '<td data-label="Coder">A. B.</td><td data-label="Coder">auto</td>' in client.get("/coding").text


def test_bad_codings_are_explained_and_nothing_is_stored(client, document, data_dir):
    outside = client.post(f"/coding/{document}/code", data={"coder": "AB", "code": "tourism", "start": "5",
                                                        "end": "5000", "token": ADMIN})
    assert outside.status_code == 400 and "passage 5-5000 is outside document" in outside.text
    assert 'value="AB"' in outside.text  # the form keeps what was typed
    nothing = client.post(f"/coding/{document}/code", data={"coder": "AB", "code": "tourism", "token": ADMIN})
    assert nothing.status_code == 400 and "choose a sentence or give the start and end" in nothing.text
    unknown = client.post("/coding/nope/code", data={"coder": "AB", "code": "tourism", "sentence": "0-5",
                                                     "token": ADMIN})
    assert unknown.status_code == 404
    passages = Workspace(load_case(), data_dir).store.passages(document)
    assert set(passages["coder"]) == {"auto"}


def test_cross_site_posts_and_large_bodies_are_refused(client, document, data_dir):
    form = {"coder": "AB", "code": "tourism", "sentence": "0-23", "token": ADMIN}
    assert client.post(f"/coding/{document}/code", data=form, headers={"sec-fetch-site": "cross-site"}).status_code == 403
    assert client.post(f"/coding/{document}/code", data=form, headers={"origin": "https://evil.example"}).status_code == 403
    assert client.post(f"/coding/{document}/code", data=form, headers={"origin": "http://testserver",
                                                                   "sec-fetch-site": "same-origin"}).status_code == 200
    big = client.post(f"/coding/{document}/code", data={**form, "coder": "x" * (MAX_BODY_BYTES + 1)})
    assert big.status_code == 413
    passages = Workspace(load_case(), data_dir).store.passages(document)
    assert list(passages[passages["coder"] != "auto"]["coder"]) == ["AB"]


def test_delete_a_manual_passage(client, document, data_dir):
    client.post(f"/coding/{document}/code", data={"coder": "AB", "code": "tourism", "sentence": "0-23", "token": ADMIN})
    store = Workspace(load_case(), data_dir).store
    passage_id = int(store.passages(document, coder="AB")["id"].iloc[0])
    client.post(f"/coding/other/passages/{passage_id}/delete", data={})  # wrong document: nothing happens
    assert not store.passages(document, coder="AB").empty
    gone = client.post(f"/coding/{document}/passages/{passage_id}/delete", data={}, follow_redirects=False)
    assert gone.status_code == 303
    assert store.passages(document, coder="AB").empty


def test_pages_in_russian_and_kazakh(client, document):
    assert "Кодирование документов" in client.get("/coding?lang=ru").text
    assert "Құжаттарды кодтау" in client.get("/coding?lang=kk").text


@pytest.mark.slow  # builds its own app on another case
def test_a_case_without_documents_still_has_a_coding_page(case_copy, tmp_path, monkeypatch):
    import json

    descriptor_path = case_copy / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] not in ("documents", "document_themes")]
    descriptor_path.write_text(json.dumps(descriptor), encoding="utf-8")
    data_dir = tmp_path / "data"  # a data folder of its own: no test's documents in it
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(data_dir))
    client = client_class()(create_app(case_copy, data_dir=data_dir))
    page = client.get("/coding")
    assert page.status_code == 200
    assert "No document has text yet, so nothing is coded." in page.text
    assert "Fewer than two coders have coded the same documents." in page.text


def test_coverage_for_one_coder(client, document):
    client.post(f"/coding/{document}/code", data={"coder": "AB", "code": "tourism", "sentence": "0-23", "token": ADMIN})
    page = client.get("/coding?coder=AB")
    assert '<option value="AB" selected>AB</option>' in page.text
    assert "Coded passages per document and code, coder: AB" in page.text
    assert '<link rel="alternate" type="text/csv" href="/coding.csv?coder=AB">' in page.text
    rows = {row["code"]: row["passages"] for row in client.get("/coding.json?coder=AB").json()
            if row["document_id"] == document}
    assert rows["tourism"] == 1 and rows["employment_quotas"] == 0
    every = {row["code"]: row["passages"] for row in client.get("/coding.json?coder=nobody").json()
             if row["document_id"] == document}
    assert every["employment_quotas"] == 1 and every["tourism"] == 1  # unknown coder: every coder


@pytest.mark.slow  # builds its own app (about 1.5 s)
def test_the_index_lists_its_documents_a_page_at_a_time(data_dir, monkeypatch):
    """250 coded press items (stored in one transaction, as the growth benchmark does): the index shows
    100 documents and their coverage rows per page, with the count and links; the JSON has every one."""
    from diaspora_observatory.documents.coding import CodedPassage
    from diaspora_observatory.documents.pages import DOCUMENTS_PER_PAGE

    monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", ADMIN)
    space = Workspace(load_case(), data_dir)
    space.store.add_coded([(Document(document_id=f"item-{number:04d}", title=f"Item {number}", kind="press",
                                     date="2024-03-01", language="en", text=TEXT),
                            [CodedPassage(f"item-{number:04d}", "employment_quotas", 0, 22, TEXT[:22])])
                           for number in range(250)])
    total = len(space.documents())
    pages = -(-total // DOCUMENTS_PER_PAGE)
    assert DOCUMENTS_PER_PAGE == 100 and total >= 250 and pages >= 3
    client = client_class()(create_app(data_dir=data_dir))
    listed = []
    for page in range(1, pages + 1):
        html = client.get(f"/coding?page={page}" if page > 1 else "/coding").text
        table = html.split('id="documents-caption"')[1].split("</table>")[0]
        rows = re.findall(r'<tr>\n<td class="long" data-label="Document">(.*?)</td>', table)  # a title, linked when stored
        assert len(rows) == (DOCUMENTS_PER_PAGE if page < pages else total - DOCUMENTS_PER_PAGE * (pages - 1))
        assert f"<span>Page {page} / {pages} · Documents in all: {total}</span>" in html
        assert ('rel="next"' in html) == (page < pages) and ('rel="prev"' in html) == (page > 1)
        coverage = re.findall(r'<tr><th scope="row"><a href="/coding/([^"]+)">', html)
        assert coverage and all(f'<a href="/coding/{document_id}">' in table for document_id in coverage)
        listed += rows
    assert len(listed) == len(set(listed)) == total  # every document once, on one page
    assert sum(1 for row in client.get("/coding.json").json() if row["code"] == "employment_quotas") >= 250
    for page in (str(pages + 1), "0", "x", "1" * 12):
        missing = client.get(f"/coding?page={page}")
        assert missing.status_code == 404 and "There is no such page of the document list." in missing.text
    assert "Барлық құжаттар саны:" in client.get("/coding?page=2&lang=kk").text
