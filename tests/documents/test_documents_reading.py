"""A document read page by page: spans, pages and the marks of each span, exactly, and through the real app."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diaspora_observatory import load_case
from diaspora_observatory.documents import web as documents_web
from diaspora_observatory.documents.coding import _trim, sentences
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.reading import (
    PAGE_SPANS,
    STORED_SPANS_CHARS,
    page_starts,
    read_text,
    span_marks,
    split_long,
)
from diaspora_observatory.documents.store import spans_table
from diaspora_observatory.documents.workspace import Workspace
from diaspora_observatory.web.app import create_app
from tests.documents.conftest import SEED_TEXT, client_class


def brute_force_marks(spans, passages):
    """The definition the page used before: every passage against every span."""
    return [sorted({code for start, end, code in passages if start < span_end and end > span_start})
            for span_start, span_end in spans]


def test_marks_on_a_small_example():
    spans = [(0, 10), (11, 20), (21, 30), (31, 40)]
    passages = [(2, 5, "b"), (8, 12, "a"), (12, 15, "a"), (20, 21, "c"), (25, 60, "d"), (40, 45, "e")]
    # (8, 12) straddles spans 1 and 2; (20, 21) sits in the gap between spans 2 and 3 and marks neither;
    # (25, 60) runs on past the last span; (40, 45) starts where the last span ends and marks nothing
    assert span_marks(spans, passages) == [["a", "b"], ["a"], ["d"], ["d"]]


@given(st.lists(st.integers(1, 6), min_size=0, max_size=12),
       st.lists(st.tuples(st.integers(0, 60), st.integers(1, 20), st.sampled_from("abc")), max_size=15))
def test_marks_agree_with_the_definition(lengths, raw_passages):
    spans, position = [], 0
    for length in lengths:
        spans.append((position, position + length))
        position += length + 1
    passages = [(start, start + width, code) for start, width, code in raw_passages]
    assert span_marks(spans, passages) == brute_force_marks(spans, passages)


def test_long_spans_are_cut_at_spaces_and_pages_close_at_their_limits():
    text = "aaaa bbbb cccc dddd"
    assert split_long(text, [(0, 19)], limit=10) == [(0, 10), (10, 19)]
    assert split_long("abcdefghij" * 2, [(0, 20)], limit=8) == [(0, 8), (8, 16), (16, 20)]  # no space: hard cut
    import numpy as np

    starts = np.array([0, 10, 20, 30, 40]), np.array([9, 19, 29, 39, 49])
    assert page_starts(*starts, per_page=2, chars=1000).tolist() == [0, 2, 4]
    assert page_starts(*starts, per_page=10, chars=25).tolist() == [0, 2, 4]
    reading = read_text("One. Two. Three.")
    assert (reading.pages, reading.page_spans(1), reading.page_of(6)) == (1, [(0, 4), (5, 9), (10, 16)], 1)
    assert read_text("").pages == 1 and read_text("").page_spans(1) == []


SENTENCE = "Students get quotas."


@pytest.fixture
def long_document(data_dir, monkeypatch):
    """A press item of 250 sentences: three pages, each sentence automatically coded employment_quotas."""
    monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", "reading-admin-token-0001")
    text = " ".join(f"{SENTENCE[:-1]} {number}." for number in range(250))
    workspace = Workspace(load_case(), data_dir)
    workspace.import_document(Document("long-1", "Long item", "press", "2024", "en", text))
    return client_class()(create_app(data_dir=data_dir)), workspace, text


@pytest.mark.slow  # builds its own app
def test_a_long_document_is_shown_a_page_at_a_time_with_exact_marks(long_document):
    client, workspace, text = long_document
    auto = workspace.store.passages("long-1")
    assert len(auto) == 250 and set(auto["code"]) == {"employment_quotas"}
    # a manual passage from inside sentence 100 (page 1) to inside sentence 102 (page 2)
    start = text.index("quotas 99.") + 3
    end = text.index("quotas 101.")
    form = {"token": "reading-admin-token-0001", "coder": "AB", "code": "tourism", "start": str(start),
            "end": str(end)}
    saved = client.post("/coding/long-1/code", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/coding/long-1?coded=251#passages"
    later = {**form, "start": str(text.index("quotas 150.")), "end": str(text.index("quotas 150.") + 6)}
    assert client.post("/coding/long-1/code", data=later, follow_redirects=False).headers["location"] == (
        "/coding/long-1?coded=252&page=2#passages")  # the reader is taken to the page of the passage

    first = client.get("/coding/long-1").text
    assert "Page 1 / 3" in first and '<a href="/coding/long-1?page=2" rel="next">Next page →</a>' in first
    assert 'rel="prev"' not in first
    shown = re.findall(r'<span class="sentence" data-start="(\d+)" id="s(\d+)">([^<]*)</span>'
                       r'(?: <span class="marks">\[([^\]]*)\]</span>)?', first)
    assert len(shown) == PAGE_SPANS and shown[0][1:3] == ("1", f"{SENTENCE[:-1]} 0.")
    marks = {int(number): mark for _, number, _, mark in shown}
    assert marks[1] == "employment_quotas" and marks[99] == "employment_quotas"
    assert marks[100] == "employment_quotas, tourism"  # the manual passage starts in sentence 100

    second = client.get("/coding/long-1?page=2").text
    shown = re.findall(r'id="s(\d+)">[^<]*</span>(?: <span class="marks">\[([^\]]*)\]</span>)?', second)
    assert [int(n) for n, _ in shown] == list(range(101, 201))
    assert dict(shown)["101"] == "employment_quotas, tourism" and dict(shown)["102"] == "employment_quotas, tourism"
    assert dict(shown)["103"] == "employment_quotas"
    assert '<a href="/coding/long-1" rel="prev">← Previous page</a>' in second
    # only the passages touching the page are listed: its 100 automatic ones and the manual one
    assert "Passages touching this page: 102; in the whole document: 252." in second
    assert f'<option value="{text.index(SENTENCE[:-1] + " 100.")}-' in second  # the form offers this page's sentences

    third = client.get("/coding/long-1?page=3").text
    assert len(re.findall(r'class="sentence"', third)) == 50
    for bad in ("4", "0", "x", "²", "1" * 40):
        assert client.get(f"/coding/long-1?page={bad}").status_code == 404


@pytest.mark.slow  # builds its own app
def test_a_page_not_ready_by_its_deadline_answers_clearly_then_comes(long_document, monkeypatch):
    client, _, _ = long_document
    monkeypatch.setattr(documents_web, "PAGE_DEADLINE_SECONDS", 0.0)
    waiting = client.get("/coding/long-1?page=2")
    assert waiting.status_code == 503 and waiting.headers["retry-after"] == "5"
    assert "This document is long and its page is still being prepared; reload in a few seconds." in waiting.text
    monkeypatch.setattr(documents_web, "PAGE_DEADLINE_SECONDS", 10.0)
    assert client.get("/coding/long-1?page=2").status_code == 200


# The sentence rule as first written: a look-behind for the final mark, tried at every position of the text.
# Kept here to prove that the faster pattern (which starts with the mark) finds exactly the same spans.
LOOK_BEHIND = re.compile(r"(?<=[.!?…])[\"'»”)\]]*\s+|\n\s*\n")


def look_behind_sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for boundary in LOOK_BEHIND.finditer(text):
        if text[start:boundary.start()].strip():
            spans.append(_trim(text, start, boundary.start()))
        start = boundary.end()
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return spans


def test_the_study_has_the_sentences_the_first_rule_found():
    study = SEED_TEXT.read_text(encoding="utf-8")
    assert sentences(study) == look_behind_sentences(study) and len(sentences(study)) == 383
    long = "\n\n".join([study] * 16)  # the latency test's 1.1 MB document
    assert sentences(long) == look_behind_sentences(long) and len(sentences(long)) == 16 * 383


@given(st.text(st.sampled_from(list("ab .!?…\"'»”)]\n\t\u00a0\u2028")), max_size=60))
def test_sentences_agree_with_the_first_rule(text):
    assert sentences(text) == look_behind_sentences(text)


def spans_of(workspace: Workspace, document_id: str):
    with workspace.store.engine.connect() as connection:
        return connection.execute(spans_table.select().where(spans_table.c.document_id == document_id)).first()


@pytest.mark.slow  # imports a long text and builds its own app (about 2 s)
def test_a_long_text_has_its_spans_stored_at_import_and_its_pages_show_the_same(data_dir, monkeypatch):
    monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", "reading-admin-token-0001")
    study = SEED_TEXT.read_text(encoding="utf-8")
    long = "\n\n".join([study] * 2)
    assert len(study) < STORED_SPANS_CHARS <= len(long)
    workspace = Workspace(load_case(), data_dir)
    workspace.import_document(Document("long", "The study twice", "law", "2024", "en", long))
    workspace.import_document(Document("short", "The study", "law", "2024", "en", study))
    assert spans_of(workspace, "short") is None  # split when shown: 2 ms
    stored = spans_of(workspace, "long")
    assert (stored.text_chars, stored.text_bytes, len(stored.starts)) == (len(long), len(long.encode()), 766 * 8)

    def pages(document_id: str, count: int) -> list[str]:
        client = client_class()(create_app(data_dir=data_dir))  # a new app: nothing kept in memory
        return [client.get(f"/coding/{document_id}?page={page}").text for page in range(1, count + 1)]

    # the text itself is not read to find the spans: the page reads the stored ones
    real_get = workspace.store.get
    monkeypatch.setattr(type(workspace.store), "get", lambda self, document_id: pytest.fail("the text was read"))
    from_store = pages("long", 8)
    monkeypatch.setattr(type(workspace.store), "get", lambda self, document_id: real_get(document_id))
    assert "Page 8 / 8" in from_store[-1] and "Page 9" not in from_store[-1]
    assert len(re.findall(r'class="sentence"', "".join(from_store))) == 766
    # spans found by another method are not used: the pages then come from the text, and are the same
    with workspace.store.engine.begin() as connection:
        connection.execute(spans_table.update().values(method="an older rule"))
    assert workspace.store.stored_spans("long", len(long.encode())) is None
    assert pages("long", 8) == from_store
    reading, fresh = Workspace(load_case(), data_dir).reading("long"), read_text(long)
    assert (reading.starts.tolist(), reading.firsts.tolist()) == (fresh.starts.tolist(), fresh.firsts.tolist())

    # replaced by another text, the document's spans are those of the new text; deleted, they go with it
    workspace.import_document(Document("long", "The study three times", "law", "2024", "en", long + "\n\n" + study),
                              replace=True)
    assert spans_of(workspace, "long").text_chars == len(long) + 2 + len(study)
    workspace.store.delete("long")
    assert spans_of(workspace, "long") is None
