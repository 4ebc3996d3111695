"""Web pages for documents: coverage, gaps and agreement; reading a document and coding it by hand.

Manual coding works without JavaScript: the form offers the page's sentences to choose from, and
start/end fields for any other span. With JavaScript on, ``/coding/static/select.js`` (an external file:
the app's Content-Security-Policy forbids inline scripts) fills start and end from the text the reader
selects. POST forms refuse cross-site requests and bodies over :data:`MAX_BODY_BYTES`.

No request may hold up the server: a document is shown a page of sentences at a time
(``documents/reading.py``: linear in the text, bounded by the page), and the pages (a document's, the
index's, the index's data) are computed in worker processes of their own (``pagework.py``, ``pages.py``),
so the server's interpreter stays free for the survey, with a deadline. Past the deadline the reader gets a
clear "being prepared" page (503, Retry-After) while the work finishes and fills the cache; when too many
pages wait already, the same page at once; when the worker computing a page dies, a 503 saying so, and a new
worker. The short work that must stay in the server process (who signs in, against the attempt limit kept in
its memory; a passage saved or deleted) runs in a small thread pool, off the event loop.

Coding needs a coder's token (``diaspora documents coder add NAME``) or the survey admin token. A token
typed into the form is kept in an HttpOnly, SameSite=Strict cookie for the ``/coding`` pages, so a coder
signs in once; wrong tokens count against the client's attempt limit (see ``access.py``).
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from diaspora_observatory.documents import pages as pages_work
from diaspora_observatory.documents.pages import Drawn, Refused
from diaspora_observatory.documents.pagework import Busy, PageProcesses, TooSlow, WorkerLost
from diaspora_observatory.documents.spool import SpooledResponse, open_written
from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.safety import attempt_route, client_address, is_cross_site
from diaspora_observatory.web.pageworker import Settings, plain_scope, server_settings

NAV = [("/coding", "Document coding")]
HERE = Path(__file__).resolve().parent
MAX_BODY_BYTES = 16_384
STATIC_FILES = {"select.js": "text/javascript", "documents.css": "text/css"}
_EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
PAGE_DEADLINE_SECONDS = 10.0  # longest a request waits for its page before the "being prepared" answer
PAGE_PROCESSES = 2  # worker processes drawing pages (of one server process; one each of several: docs/web.md)
WORKERS = 2  # threads for the short work kept in the server process (sign-in checks, saving a passage)
MAX_WAITING = 8  # pages (or short jobs) running or queued; beyond, "busy" at once instead of a longer queue
SIGN_IN_COOKIE = "coding_token"
SIGN_IN_SECONDS = 12 * 3600
MAX_ID = 2**63 - 1  # SQLite's largest integer: a larger passage id can name no passage


class DocumentWork:
    """The documents' own thread pool for short work, with a bound on waiting requests and a deadline on each."""

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
    from diaspora_observatory.documents.store import DocumentNotFound
    from diaspora_observatory.documents.workspace import Workspace
    from diaspora_observatory.safety import TooManyAttempts

    web.add_template_dir(HERE / "templates")
    web.add_locale_dir(HERE / "locale")
    state: dict[str, Workspace] = {}
    work = DocumentWork()
    web.on_shutdown.append(work.close)

    server = weakref.ref(web)  # the pool holds no reference to the app: an app that is freed stops its workers

    def settings() -> Settings:
        """What a page worker needs to draw as this server would; read when the workers start, once every
        extension has added its menu entry, templates and translations. The store is made here first, so that
        the workers starting together do not race to create its tables (as in :func:`prepare_processes`)."""
        web = server()
        assert web is not None, "the workers of a freed app are not started again"
        prepare_processes(web.case, web.data_dir, 1)
        return server_settings(web)

    # with several server processes (--workers N), one page worker each: N in all, not 2N beside N servers
    pages = PageProcesses(settings, PAGE_PROCESSES if web.processes in (1, None) else 1, MAX_WAITING)
    # Started with the server (its workers then load the case and store before the first reader); an app used
    # without its lifespan (embedded in a test) starts them at its first page and stops them when it is freed.
    web.on_startup.append(pages.start)
    web.on_shutdown.append(pages.close)
    weakref.finalize(web, pages.close)

    def workspace() -> Workspace:
        if "workspace" not in state:
            state["workspace"] = Workspace(web.case, web.data_dir)
        return state["workspace"]

    def refusal(error: Exception) -> HTTPException:
        if isinstance(error, Busy):
            return HTTPException(503, "The server is preparing other document pages; reload this one in a few "
                                      "seconds.", headers={"retry-after": "5"})
        if isinstance(error, WorkerLost):
            return HTTPException(503, "The process preparing document pages stopped before this page was ready; a "
                                      "new one has started. Reload in a few seconds.", headers={"retry-after": "5"})
        return HTTPException(503, "This document is long and its page is still being prepared; reload in a few "
                                  "seconds.", headers={"retry-after": "5"})

    async def off_loop(function, *args):
        """Short work of the server process itself, in its threads."""
        try:
            return await work.run(function, *args)
        except (Busy, TooSlow) as error:
            raise refusal(error) from None

    async def in_worker(key, function, *args):
        """A page drawn by a worker process (``key``: kept under it until the store changes; None: not kept)."""
        try:
            answer = await pages.run(key, PAGE_DEADLINE_SECONDS, function, *args)
        except (Busy, TooSlow, WorkerLost) as error:
            raise refusal(error) from None
        if isinstance(answer, Refused):
            raise HTTPException(answer.status, answer.detail, headers=answer.headers)
        if isinstance(answer, Drawn):
            return Response(answer.body, status_code=answer.status, headers=dict(answer.headers))
        return answer

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
    async def cache_key(request: Request, *parts) -> tuple | None:
        """The key a page is kept under: the store's version (raised by every write, in any process), the
        chosen coder, the language and ``parts``; None with --dev (templates reload, so nothing is kept)."""
        if web.dev:
            return None
        version = await off_loop(lambda: workspace().version())
        return (*parts, version, request.query_params.get("coder", ""), web.language(request))

    async def index(request: Request) -> Response:
        raw = request.query_params.get("page", "1")
        if not (raw.isascii() and raw.isdigit()) or not 0 < len(raw) < 10 or int(raw) < 1:
            raise HTTPException(404, "There is no such page of the document list.")
        return await in_worker(await cache_key(request, "index", int(raw)), pages_work.index, plain_scope(request),
                               int(raw))

    async def index_data_export(request: Request) -> Response:
        fmt = request.path_params["format"]
        if fmt not in _EXPORT_TYPES:
            raise HTTPException(404)
        key = await cache_key(request, "export", fmt)
        for _attempt in range(2):
            # written by the worker to a file and streamed from it: the server holds a block, never the text
            written = await in_worker(key, pages_work.index_export, plain_scope(request), fmt, pages.spool())
            try:
                file, size = await off_loop(open_written, written, key is None)
            except FileNotFoundError:
                continue  # forgotten by the server between the answer and its opening: computed again
            return SpooledResponse(file, size, _EXPORT_TYPES[fmt])
        raise HTTPException(503, "The export was replaced while it was being opened; reload in a few seconds.",
                            headers={"retry-after": "5"})

    async def document_page(request: Request, document_id: str, page: int, error: str = "", status: int = 200,
                            form: dict | None = None, who: tuple[str, bool] | None = None) -> Response:
        # who signs in is checked here (the attempt limit is this process's); the page is drawn by a worker
        who = who or await off_loop(signed_in, request)
        return await in_worker(None, pages_work.document, plain_scope(request), document_id, page, error, status,
                               form or {}, who)

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
