"""The documents pages' heavy work, as run in a page worker process (``pagework.py``): the coding index, a page
of one document and the index's data, each from the request's plain parts (its ASGI scope without the app).

Each function answers with plain data the server turns back into a response: :class:`Drawn` (the page's
bytes, status and headers) or :class:`Refused` (the HTTP error to show), never an object of the worker's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request

from diaspora_observatory.documents.pageworker import worker_state
from diaspora_observatory.documents.spool import Written, write_text
from diaspora_observatory.errors import DiasporaError

PASSAGES_SHOWN = 500  # rows of the page's passages table; the CSV export has them all
DOCUMENTS_PER_PAGE = 100  # documents of one page of /coding (and their coverage, gaps, disagreements)
SUMMARIES_KEPT = 16  # the index's summaries kept by a worker (store versions and coders together)


@dataclass(frozen=True)
class Drawn:
    body: bytes
    status: int
    headers: list[tuple[str, str]]


@dataclass(frozen=True)
class Refused:
    status: int
    detail: str
    headers: dict[str, str] | None = None


def _drawn(response) -> Drawn:
    return Drawn(bytes(response.body), response.status_code, list(response.headers.items()))


def _refusing(function: Callable[..., Any]) -> Callable[..., Any]:
    """A page's HTTP error (404 for a page past the last…) answered as plain data. The server sends the
    worker the function by its name, which ``wraps`` keeps."""
    @wraps(function)
    def answer(*args: Any) -> Any:
        try:
            return function(*args)
        except HTTPException as refused:
            return Refused(refused.status_code, str(refused.detail), dict(refused.headers or {}) or None)
    return answer


def chosen_coder(request: Request) -> tuple[str, list[str] | None]:
    """The coder chosen with ?coder= (empty: every coder); an unknown name is simply not offered."""
    coder = request.query_params.get("coder", "")
    return (coder, [coder]) if coder in worker_state()["workspace"].coders() else ("", None)


def index_data(coders: list[str] | None) -> dict:
    """The index's whole summaries (agreement, the study's disagreements, press themes, coders), counted by
    the database (index_tables.py) and kept by the worker until a document or passage changes: the pages of
    the index are drawn from them."""
    from diaspora_observatory.documents import index_tables

    state = worker_state()
    space, cache = state["workspace"], state["index"]
    version = (space.version(), tuple(coders) if coders else None)
    with state["lock"]:
        if version not in cache:
            if len(cache) >= SUMMARIES_KEPT:
                cache.clear()
            agreement, disagreements = index_tables.agreement_and_disagreements(space, "auto", "study")
            cache[version] = {"agreement": agreement, "disagreements": disagreements,
                              "themes": index_tables.themes_over_time(space, coders, "press"),
                              "codes": space.codes, "coders": space.coders()}
        return cache[version]


def index_page_data(coders: list[str] | None, page: int) -> dict:
    """One page of the index: its documents and their rows of the per-document tables (coverage, gaps,
    disagreements), counted by the database for those documents only, so a page's size, memory and
    rendering stay the same whatever the number of documents; the summaries (agreement, themes) are whole."""
    from diaspora_observatory.analysis.documents import coverage_matrix, gaps
    from diaspora_observatory.documents import index_tables

    data = index_data(coders)
    space = worker_state()["workspace"]
    shown, total, sources = index_tables.page_documents(space, page, DOCUMENTS_PER_PAGE)
    count = max(1, -(-total // DOCUMENTS_PER_PAGE))
    if page > count:
        raise HTTPException(404, "There is no such page of the document list.")
    long = index_tables.page_coverage(space, shown, coders)
    differ = data["disagreements"]
    return {**data, "documents": shown, "matrix": coverage_matrix(long), "gaps": gaps(long),
            "disagreements": differ[differ["document_id"].isin(set(shown["document_id"]))],
            "page": page, "pages": count, "documents_total": total, "source_ids": sources}


@_refusing
def index(scope: dict, page: int) -> Drawn:
    """A page of ``/coding`` (the server keeps it until the store changes)."""
    request = Request(scope)
    coder, coders = chosen_coder(request)
    query = f"?coder={quote(coder)}" if coder else ""
    return _drawn(worker_state()["web"].render(
        request, "documents_index.html", {**index_page_data(coders, page), "coder": coder},
        alternates={"csv": f"/coding.csv{query}", "json": f"/coding.json{query}"}))


@_refusing
def index_export(scope: dict, fmt: str, folder: str) -> Written:
    """Every document's coverage (the page shows its own; the data hold them all), counted by the database a
    chunk of documents at a time (exports.coverage_export) and written a chunk at a time into a file of
    ``folder`` (the server's spool, ``spool.py``), so the worker holds one chunk, never the whole text, and
    answers with the file's name and size; the server streams the file to the reader and keeps it per store
    version, coder and format."""
    from diaspora_observatory.documents.exports import coverage_export

    chunks = coverage_export(worker_state()["workspace"], chosen_coder(Request(scope))[1], fmt)
    return write_text(folder, f".{fmt}", chunks)


def page_data(document_id: str, page: int) -> dict:
    """Everything one page of a document shows; bounded by the page, whatever the document's length."""
    from diaspora_observatory.documents.reading import span_marks

    space = worker_state()["workspace"]
    try:
        document = space.about(document_id)
        reading = space.reading(document_id)
    except DiasporaError:
        raise HTTPException(404, f"No document {document_id!r} has text here.") from None
    if page > reading.pages:
        raise HTTPException(404, f"Document {document_id!r} has {reading.pages} pages.")
    spans = reading.page_spans(page)
    window = (spans[0][0], spans[-1][1]) if spans else (0, 0)
    text = space.text_between(document_id, *window) if spans else ""
    passages = space.passages_between(document_id, *window) if spans else []
    marks = span_marks(spans, [(p["start"], p["end"], p["code"]) for p in passages])
    first = int(reading.firsts[page - 1]) if spans else 0
    return {"document": document, "page": page, "pages": reading.pages, "first_number": first + 1,
            # each sentence with the text between it and the one before (spaces, paragraph breaks, closing
            # quotes), shown outside the sentence so that the page reads as the document does
            "sentences": [(s, e, text[s - window[0]:e - window[0]], m,
                           text[spans[i - 1][1] - window[0]:s - window[0]] if i else "")
                          for i, ((s, e), m) in enumerate(zip(spans, marks))],
            "passages": passages[:PASSAGES_SHOWN], "passages_touching": len(passages),
            "passages_total": space.passage_count(document_id), "source_ids": {document.source_id} - {""}}


@_refusing
def document(scope: dict, document_id: str, page: int, error: str, status: int, form: dict,
             who: tuple[str, bool] | None) -> Drawn:
    """A page of one document with its coding form; ``who`` is the signed-in coder the server identified."""
    request = Request(scope)
    state = worker_state()
    return _drawn(state["web"].render(request, "documents_document.html", {
        **page_data(document_id, page), "codebook": state["workspace"].codebook, "error": error, "form": form,
        "coded": request.query_params.get("coded", ""), "coder_name": who[0] if who else "",
        "signed_in": who is not None, "is_admin": bool(who and who[1])}, status_code=status))
