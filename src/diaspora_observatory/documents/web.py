"""Web pages for documents: coverage, gaps and agreement; reading a document and coding it by hand.

Manual coding works without JavaScript: the form offers the page's sentences to choose from, and
start/end fields for any other span. With JavaScript on, ``/coding/static/select.js`` (an external file:
the app's Content-Security-Policy forbids inline scripts) fills start and end from the text the reader
selects. POST forms refuse cross-site requests and bodies over :data:`MAX_BODY_BYTES`.

No request may hold up the server: a document is shown a page of sentences at a time
(``documents/reading.py``: linear in the text, bounded by the page), and all work on the document store
runs in a small thread pool of its own, off the event loop, with a deadline. Past the deadline the reader
gets a clear "being prepared" page (503, Retry-After) while the work finishes and fills the cache; when
too many pages wait already, the same page at once. So a long law never delays the survey's respondents.

Coding needs a coder's token (``diaspora documents coder add NAME``) or the survey admin token. A token
typed into the form is kept in an HttpOnly, SameSite=Strict cookie for the ``/coding`` pages, so a coder
signs in once; wrong tokens count against the client's attempt limit (see ``access.py``).
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.safety import attempt_route, client_address, is_cross_site

NAV = [("/coding", "Document coding")]
HERE = Path(__file__).resolve().parent
MAX_BODY_BYTES = 16_384
STATIC_FILES = {"select.js": "text/javascript", "documents.css": "text/css"}
_EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
PAGE_DEADLINE_SECONDS = 10.0  # longest a request waits for its page before the "being prepared" answer
WORKERS = 2  # threads for document work: survey requests keep the rest of the server's thread pool
MAX_WAITING = 8  # document requests running or queued; beyond, "busy" at once instead of a longer queue
PASSAGES_SHOWN = 500  # rows of the page's passages table; the CSV export has them all
DOCUMENTS_PER_PAGE = 100  # documents of one page of /coding (and their coverage, gaps, disagreements)
SIGN_IN_COOKIE = "coding_token"
SIGN_IN_SECONDS = 12 * 3600
MAX_ID = 2**63 - 1  # SQLite's largest integer: a larger passage id can name no passage


class Busy(Exception):
    """Too many document pages are being prepared already."""


class TooSlow(Exception):
    """The page was not ready by the deadline (its work goes on and fills the cache)."""


class DocumentWork:
    """The documents' own thread pool, with a bound on waiting requests and a deadline on each."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(WORKERS, thread_name_prefix="documents")
        self.waiting = 0
        self._lock = threading.Lock()

    async def run(self, function, *args):
        with self._lock:
            if self.waiting >= MAX_WAITING:
                raise Busy
            self.waiting += 1
        future = self.executor.submit(function, *args)
        future.add_done_callback(self._done)
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), PAGE_DEADLINE_SECONDS)
        except TimeoutError:
            raise TooSlow from None

    def _done(self, _future) -> None:
        with self._lock:
            self.waiting -= 1

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


def _refuse_cross_site(request: Request) -> None:
    """Reject a form post sent by another site (the browser says so in Sec-Fetch-Site or Origin)."""
    if is_cross_site(request):
        raise HTTPException(403, "Cross-site form posts are refused.")


async def _read_form(request: Request) -> dict[str, str]:
    """The url-encoded form of a POST, read up to MAX_BODY_BYTES (413 beyond)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(413, "The form is too large.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413, "The form is too large.")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, "The form could not be read.") from None
    return {key: values[0] for key, values in fields.items()}


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    if not (raw.isascii() and raw.isdigit()) or not 0 < len(raw) < 10 or int(raw) < 1:
        raise HTTPException(404, "There is no such page of this document.")
    return int(raw)


def prepare_processes(case, data_dir: Path, workers: int) -> None:
    """The extension hook run once before several server processes start (extension_points.py): the case's
    document store is created here, so that the workers' first pages do not race to create its tables. The
    store stays a SQLite file, shared by the workers through SQLite's own file locks (docs/web.md)."""
    from diaspora_observatory.documents.store import DocumentStore

    DocumentStore(case.name, data_dir).engine.dispose()


def routes(web) -> list[BaseRoute]:
    """The documents pages, for the app's extension interface (see web/extensions.py)."""
    from diaspora_observatory.access import check_admin_token
    from diaspora_observatory.documents.coders import coder_for_token
    from diaspora_observatory.documents.reading import span_marks
    from diaspora_observatory.documents.store import DocumentNotFound
    from diaspora_observatory.documents.workspace import Workspace
    from diaspora_observatory.safety import TooManyAttempts

    web.add_template_dir(HERE / "templates")
    web.add_locale_dir(HERE / "locale")
    state: dict[str, Workspace] = {}
    work = DocumentWork()
    web.on_shutdown.append(work.close)

    def warm() -> None:
        """The codebook parsed and the document page's template compiled before the first visitor (about
        65 ms of interpreter time, once a process), not in the first reader's request while the survey's
        respondents share the interpreter lock with it (benchmarks/bench_latency.py)."""
        from diaspora_observatory.documents.codebook import load_codebook

        load_codebook()
        for name in ("documents_document.html", "base.html"):  # the page and the layout it extends
            web.environment.get_template(name)

    web.on_startup.append(warm)

    def workspace() -> Workspace:
        if "workspace" not in state:
            state["workspace"] = Workspace(web.case, web.data_dir)
        return state["workspace"]

    async def off_loop(function, *args):
        try:
            return await work.run(function, *args)
        except Busy:
            raise HTTPException(503, "The server is preparing other document pages; reload this one in a "
                                     "few seconds.", headers={"retry-after": "5"}) from None
        except TooSlow:
            raise HTTPException(503, "This document is long and its page is still being prepared; reload in a "
                                     "few seconds.", headers={"retry-after": "5"}) from None

    # who is coding ------------------------------------------------------------------------------------
    def identify(token: str) -> tuple[str, bool] | None:
        """(coder name, is admin) for a token; the admin token codes under any name ("")."""
        if check_admin_token(web.data_dir, token):
            return "", True
        name = coder_for_token(web.data_dir, token)
        return (name, False) if name else None

    def signed_in(request: Request) -> tuple[str, bool] | None:
        """Who the sign-in cookie names (for drawing the page: a blocked client is simply not signed in)."""
        token = request.cookies.get(SIGN_IN_COOKIE, "")
        if not token:
            return None
        key = client_address(request)
        try:
            web.token_attempts.check(key)
        except TooManyAttempts:
            return None
        who = identify(token)
        if who is None:
            web.token_attempts.failed(key, attempt_route(request))
        return who

    def authenticate(request: Request, form: dict[str, str]) -> tuple[tuple[str, bool], str]:
        """Who posts (from the form's token, a Bearer header or the cookie) and the token used; 403 or 429."""
        token = (form.get("token", "").strip() or request.headers.get("authorization", "").removeprefix("Bearer ")
                 .strip() or request.cookies.get(SIGN_IN_COOKIE, ""))
        key = client_address(request)
        try:
            web.token_attempts.check(key)
        except TooManyAttempts as error:
            raise HTTPException(429, error.message, headers={"retry-after": str(error.retry_after)}) from None
        who = identify(token) if token else None
        if who is None:
            if token:
                web.token_attempts.failed(key, attempt_route(request))
            raise HTTPException(403, "Coding needs a coder's token or the admin token. Ask the person running "
                                     "this server for one (diaspora documents coder add NAME).")
        return who, token

    def remember(response: Response, request: Request, token: str) -> Response:
        response.set_cookie(SIGN_IN_COOKIE, token, max_age=SIGN_IN_SECONDS, path="/coding", httponly=True,
                            samesite="strict", secure=request.url.scheme == "https")
        return response

    # pages --------------------------------------------------------------------------------------------
    def chosen_coder(request: Request) -> tuple[str, list[str] | None]:
        """The coder chosen with ?coder= (empty: every coder); an unknown name is simply not offered."""
        coder = request.query_params.get("coder", "")
        return (coder, [coder]) if coder in workspace().coders() else ("", None)

    index_cache: dict = {}
    index_lock = threading.Lock()

    def index_data(coders: list[str] | None) -> dict:
        """The index's whole summaries (agreement, the study's disagreements, press themes, coders), counted by
        the database (index_tables.py) and kept until a document or passage changes, with the pages drawn
        from them: with a large store they take longer than the deadline, and the "being prepared" answer
        must lead to a page on the next try."""
        from diaspora_observatory.documents import index_tables

        version = (workspace().version(), tuple(coders) if coders else None)
        with index_lock:  # a second request waits for the first's tables instead of computing them again
            if version not in index_cache:
                if len(index_cache) > 16:
                    index_cache.clear()
                space = workspace()
                agreement, disagreements = index_tables.agreement_and_disagreements(space, "auto", "study")
                index_cache[version] = {"agreement": agreement, "disagreements": disagreements,
                                        "themes": index_tables.themes_over_time(space, coders, "press"),
                                        "codes": space.codes, "coders": space.coders(), "pages": {}}
            return index_cache[version]

    def index_page(coders: list[str] | None, page: int) -> dict:
        """One page of the index: its documents and their rows of the per-document tables (coverage, gaps,
        disagreements), counted by the database for those documents only, so a page's size, memory and
        rendering stay the same whatever the number of documents; the summaries (agreement, themes) are
        whole. Kept with the summaries until the store changes."""
        from diaspora_observatory.analysis.documents import coverage_matrix, gaps
        from diaspora_observatory.documents import index_tables

        data = index_data(coders)
        with index_lock:
            pages = data["pages"]
            if page not in pages:
                space = workspace()
                shown, total, sources = index_tables.page_documents(space, page, DOCUMENTS_PER_PAGE)
                count = max(1, -(-total // DOCUMENTS_PER_PAGE))
                if page > count:
                    raise HTTPException(404, "There is no such page of the document list.")
                long = index_tables.page_coverage(space, shown, coders)
                differ = data["disagreements"]
                pages[page] = {**data, "documents": shown, "matrix": coverage_matrix(long), "gaps": gaps(long),
                               "disagreements": differ[differ["document_id"].isin(set(shown["document_id"]))],
                               "page": page, "pages": count, "documents_total": total, "source_ids": sources}
            return pages[page]

    async def index(request: Request) -> Response:
        raw = request.query_params.get("page", "1")
        if not (raw.isascii() and raw.isdigit()) or not 0 < len(raw) < 10 or int(raw) < 1:
            raise HTTPException(404, "There is no such page of the document list.")

        def draw() -> Response:
            coder, coders = chosen_coder(request)
            data = index_page(coders, int(raw))
            # Rendered once per page and language until the store changes (the page is cached with its
            # tables); --dev reloads templates, so it renders every time.
            language = web.language(request)
            rendered = data.setdefault("rendered", {}).get(language)
            if rendered is None or web.dev:
                query = f"?coder={quote(coder)}" if coder else ""
                response = web.render(request, "documents_index.html", {**data, "coder": coder},
                                      alternates={"csv": f"/coding.csv{query}", "json": f"/coding.json{query}"})
                rendered = data["rendered"][language] = (response.body, dict(response.headers))
            return Response(rendered[0], headers=rendered[1])

        return await off_loop(draw)

    async def index_data_export(request: Request) -> Response:
        from diaspora_observatory.documents.exports import coverage_export

        fmt = request.path_params["format"]
        if fmt not in _EXPORT_TYPES:
            raise HTTPException(404)
        # Every document's coverage (the page shows its own; the data hold them all), counted by the database
        # a chunk of documents at a time and sent as it is written (exports.coverage_export), so the server
        # holds one chunk whatever the number of documents. Each chunk is made on the documents' own threads:
        # the first under the pages' bound and deadline (a 503 before any byte is sent), the others after it.
        def chunks():  # a generator: even the coder's lookup runs on a documents thread, at the first chunk
            yield from coverage_export(workspace(), chosen_coder(request)[1], fmt)

        produced = chunks()
        first = await off_loop(next, produced, None)

        async def body():
            try:
                chunk = first
                while chunk is not None:
                    yield chunk
                    chunk = await asyncio.wrap_future(work.executor.submit(next, produced, None))
            finally:
                # a client gone mid-way: the export's read transaction ends now (unless a documents thread is
                # inside the generator at this moment; then it ends when the generator is collected)
                if not produced.gi_running:
                    produced.close()

        return StreamingResponse(body(), media_type=_EXPORT_TYPES[fmt])

    def page_data(document_id: str, page: int) -> dict:
        """Everything one page of a document shows; bounded by the page, whatever the document's length."""
        space = workspace()
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

    async def document_page(request: Request, document_id: str, page: int, error: str = "", status: int = 200,
                            form: dict | None = None, who: tuple[str, bool] | None = None) -> Response:
        def draw(who: tuple[str, bool] | None) -> Response:
            # drawn in the documents' thread too: a page of a long text takes the event loop no time at all
            who = who or signed_in(request)
            return web.render(request, "documents_document.html", {
                **page_data(document_id, page), "codebook": workspace().codebook, "error": error,
                "form": form or {}, "coded": request.query_params.get("coded", ""),
                "coder_name": who[0] if who else "", "signed_in": who is not None, "is_admin": bool(who and who[1])},
                status_code=status)

        return await off_loop(draw, who)

    async def read(request: Request) -> Response:
        return await document_page(request, request.path_params["document_id"], _page_number(request))

    async def code(request: Request) -> Response:
        _refuse_cross_site(request)
        form = await _read_form(request)
        document_id = request.path_params["document_id"]
        page = _page_number(request)
        try:
            who, token = await off_loop(authenticate, request, form)
        except HTTPException as refused:
            if refused.status_code != 403:
                raise
            return await document_page(request, document_id, page, error=str(refused.detail), status=403,
                                       form=form)
        name, is_admin = who
        typed = form.get("coder", "").strip()
        if not is_admin and typed and typed != name:
            return await document_page(request, document_id, page, status=400, form=form, who=who,
                                       error=f"This token belongs to coder {name!r}; passages are saved under that "
                                             f"name. Leave the coder field empty or type {name!r}.")
        space = workspace()

        def save() -> tuple[int, int]:
            start, end = _offsets(form)
            passage_id = space.store.add_manual(document_id, form.get("code", ""), typed if is_admin else name,
                                                start, end, space.codebook.names)
            return passage_id, space.reading(document_id).page_of(start)

        try:
            passage_id, saved_page = await off_loop(save)
        except DiasporaError as error:
            if isinstance(error, DocumentNotFound):
                raise HTTPException(404, error.message) from None
            return await document_page(request, document_id, page, error=str(error), status=400, form=form,
                                       who=who)
        at_page = f"&page={saved_page}" if saved_page > 1 else ""
        return remember(RedirectResponse(f"/coding/{quote(document_id)}?coded={passage_id}{at_page}#passages",
                                         status_code=303), request, token)

    async def delete(request: Request) -> Response:
        _refuse_cross_site(request)
        form = await _read_form(request)
        document_id = request.path_params["document_id"]
        passage_id = request.path_params["passage_id"]
        if passage_id > MAX_ID:
            raise HTTPException(404, "There is no such passage.")
        (name, is_admin), token = await off_loop(authenticate, request, form)
        passage = await off_loop(workspace().passage, passage_id)
        if passage is None or passage["document_id"] != document_id:
            raise HTTPException(404, "There is no such passage.")
        if not is_admin and passage["coder"] != name:
            raise HTTPException(403, f"This passage was coded by {passage['coder']!r}; only they or the admin may "
                                     "delete it.")
        await off_loop(workspace().store.delete_passage, passage_id, document_id)
        page = await off_loop(lambda: workspace().reading(document_id).page_of(passage["start"]))
        at_page = f"?page={page}" if page > 1 else ""
        return remember(RedirectResponse(f"/coding/{quote(document_id)}{at_page}#passages", status_code=303),
                        request, token)

    async def sign_out(request: Request) -> Response:
        _refuse_cross_site(request)
        await _read_form(request)
        response = RedirectResponse("/coding", status_code=303)
        response.delete_cookie(SIGN_IN_COOKIE, path="/coding", httponly=True, samesite="strict")
        return response

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC_FILES:
            raise HTTPException(404)
        return FileResponse(HERE / "static" / name, media_type=STATIC_FILES[name])

    return [
        Route("/coding", index, methods=["GET"], name="coding"),
        Route("/coding.{format}", index_data_export, methods=["GET"]),
        Route("/coding/static/{name}", static, methods=["GET"]),
        Route("/coding/sign-out", sign_out, methods=["POST"]),
        Route("/coding/{document_id}", read, methods=["GET"], name="coding-document"),
        Route("/coding/{document_id}/code", code, methods=["POST"]),
        Route("/coding/{document_id}/passages/{passage_id:int}/delete", delete, methods=["POST"]),
    ]


def _offsets(form: dict[str, str]) -> tuple[int, int]:
    """Start and end from the form: the start/end fields when filled, else the chosen sentence ("start-end")."""
    from diaspora_observatory.documents.store import PassageInvalid

    start, end = form.get("start", "").strip(), form.get("end", "").strip()
    if not (start and end):
        start, _, end = form.get("sentence", "").partition("-")
    if not (f"{start}{end}".isascii() and start.isdigit() and end.isdigit() and len(start) < 19 and len(end) < 19):
        raise PassageInvalid("choose a sentence or give the start and end of the passage",
                             "select text in the document, or pick a sentence from the list")
    return int(start), int(end)
