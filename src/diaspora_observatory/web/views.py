"""Request handlers: each page as HTML, CSV and JSON, the language switch, the Vega bundle.

Handlers only look up what ``pages`` assembled and format it. A served case never changes, so pages,
their HTML per language and their data files are cached in memory after the first request.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
from hashlib import sha256

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from diaspora_observatory.errors import UnknownCountry
from diaspora_observatory.extension_points import SURVEY_RESULTS
from diaspora_observatory.safety import spreadsheet_safe
from diaspora_observatory.tabular import records, to_csv
from diaspora_observatory.web.extensions import WebContext
from diaspora_observatory.web.i18n import COOKIE, LANGUAGES
from diaspora_observatory.web.pages import CaseData, Page, PageBuilder, page_paths

DATA_FORMATS = ("csv", "json")
GZIP_MIN_BYTES = 1024  # below about a packet, compressing saves nothing a reader would notice


class Site:
    """The core pages of one served case, with their caches."""

    def __init__(self, web: WebContext, computed_by: Site | None = None) -> None:
        """``computed_by``: the site of another app on an equal case (the same package read from the same
        folder, with the same rows and issues), whose analysis and built pages this one starts from instead
        of computing them again; ``create_app`` checks that the two serve the same extensions."""
        self.web: WebContext = web
        if computed_by is not None and computed_by.web.case != web.case:
            raise ValueError(f"an app on case {web.case.name!r} ({web.case.path}) cannot reuse the pages computed "
                             f"for case {computed_by.web.case.name!r} ({computed_by.web.case.path}), whose data "
                             "differ (or are read from another folder); build it without computed_by")
        self.data: CaseData = computed_by.data if computed_by is not None else CaseData(web.case)
        self._pages: dict[tuple[str, str], Page] = dict(computed_by._pages) if computed_by is not None else {}
        self._html: dict[tuple[str, str], bytes] = {}
        self._files: dict[tuple[str, str, str], bytes] = {}
        self._gzip: dict[tuple, bytes] = {}  # the compressed copies of cached pages and files
        # The overview is the first page anyone opens; its map outlines take the longest to prepare.
        for language in LANGUAGES:
            self.page("overview", language)

    def page(self, key: str, language: str) -> Page:
        cached = self._pages.get((key, language))
        if cached is None:
            survey_nav = self.web.extension_nav.get(SURVEY_RESULTS, [])
            builder = PageBuilder(self.data, language, self.web.catalogs.gettext(language), survey_nav)
            cached = builder.sources(self.used_on(language)) if key == "sources" else builder.build(key)
            self._pages[(key, language)] = cached
        return cached

    def used_on(self, language: str) -> dict[str, list[tuple[str, str]]]:
        """For each source id, the (path, title) of every page that shows something from it."""
        found: dict[str, list[tuple[str, str]]] = {}
        for path in page_paths(self.web.case):
            key = "overview" if path == "/" else path.lstrip("/")
            if key == "sources":
                continue
            page = self.page(key, language)
            for source_id in sorted(page.source_ids):
                found.setdefault(source_id, []).append((page.path, page.title))
        return found

    def alternates(self, page: Page) -> dict[str, str]:
        stem = "/overview" if page.path == "/" else page.path
        return {"csv": f"{stem}.csv", "json": f"{stem}.json"}

    async def html(self, request: Request, key: str) -> Response:
        language = self.web.language(request)
        try:
            page = self.page(key, language)
        except (UnknownCountry, KeyError):
            raise HTTPException(404) from None
        headers = {"vary": "Cookie, Accept-Language, Accept-Encoding", "content-language": language}
        body = None if self.web.dev else self._html.get((key, language))
        if body is None:
            response = self.web.render(request, "page.html", {"page": page, "site_data": self.data},
                                       alternates=self.alternates(page), language=language)
            body = bytes(response.body)
            if not self.web.dev:
                self._html[(key, language)] = body
        return self._compressed(request, ("html", key, language), body, "text/html; charset=utf-8", headers)

    def _compressed(self, request: Request, cache_key: tuple, body: bytes, media_type: str,
                    headers: dict[str, str]) -> Response:
        """The body gzip-compressed (once, then cached) when the client accepts it and it is worth it.

        Only the core pages and their data files come here: they hold no secret and reflect nothing a
        visitor sends, so compressing them cannot leak anything (BREACH needs both).
        """
        if len(body) < GZIP_MIN_BYTES or "gzip" not in request.headers.get("accept-encoding", ""):
            return Response(body, media_type=media_type, headers=headers)
        packed = None if self.web.dev else self._gzip.get(cache_key)
        if packed is None:
            packed = gzip.compress(body, compresslevel=6, mtime=0)
            if not self.web.dev:
                self._gzip[cache_key] = packed
        headers = {**headers, "content-encoding": "gzip"}
        if "etag" in headers:  # another representation of the same content: another tag
            headers["etag"] = f'{headers["etag"][:-1]}-gz"'
        return Response(packed, media_type=media_type, headers=headers)

    async def data_file(self, request: Request, key: str, output_format: str) -> Response:
        """The page's data: CSV of one table (``?table=``, default the first) or JSON of all its tables."""
        try:
            page = self.page(key, "en")
        except (UnknownCountry, KeyError):
            raise HTTPException(404) from None
        table = request.query_params.get("table", "")
        if table and table not in page.tables:
            raise HTTPException(404, f"no table {table!r} on this page; tables: {', '.join(page.tables)}")
        cache_key = (key, output_format, table)
        body = self._files.get(cache_key)
        if body is None:
            body = self._serialise(page, output_format, table)
            self._files[cache_key] = body
        stem = key.replace("/", "-") + (f"-{table}" if table else "")
        media_type = "text/csv; charset=utf-8" if output_format == "csv" else "application/json"
        headers = {"etag": f'"{sha256(body).hexdigest()[:20]}"', "vary": "Accept-Encoding"}
        if output_format == "csv":
            headers["content-disposition"] = f'attachment; filename="{stem}.csv"'
        return self._compressed(request, cache_key, body, media_type, headers)

    def _serialise(self, page: Page, output_format: str, table: str) -> bytes:
        tables = page.tables
        if output_format == "csv":
            if not tables:
                raise HTTPException(404, "this page has no data table yet")
            frame = tables[table] if table else next(iter(tables.values()))
            return to_csv(spreadsheet_safe(frame)).encode("utf-8")
        if table:
            return json.dumps(records(tables[table]), ensure_ascii=False).encode("utf-8")
        case = self.web.case
        payload = {
            "case": case.name, "page": page.key, "title": page.title,
            "tables": {name: records(frame) for name, frame in tables.items()},
            "missing": {block.id: block.missing for block in page.blocks if block.missing},
            "sources": [case.sources[s] for s in sorted(page.source_ids) if s in case.sources],
        }
        return json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")

    async def endpoint(self, request: Request, key: str | None = None) -> Response:
        """One handler for every page path: ``/flows``, ``/flows.csv``, ``/flows?format=json``, ``/``."""
        key = key or _key_from_path(request)
        output_format = request.path_params.get("format") or request.query_params.get("format", "html")
        if output_format in DATA_FORMATS:
            return await self.data_file(request, key, output_format)
        if output_format != "html":
            raise HTTPException(404, f"unknown format {output_format!r}; use csv or json")
        return await self.html(request, key)




def _key_from_path(request: Request) -> str:
    if "code" in request.path_params:
        return f"country/{request.path_params['code'].upper()}"
    stem = request.path_params.get("page", "")
    return "overview" if stem in ("", "overview") else stem


def switch_language(request: Request) -> Response:
    """``/lang/ru?next=/flows``: remember the language in a cookie and go back to the page."""
    language = request.path_params["code"]
    if language not in LANGUAGES:
        raise HTTPException(404)
    target = request.query_params.get("next", "/")
    # Only paths of this site: never an absolute or scheme-relative address (no open redirect).
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, language, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


_BUNDLE_SCRIPT = "import sys, vl_convert; sys.stdout.write(vl_convert.javascript_bundle())"
_bundle_lock = threading.Lock()
_bundle: tuple[bytes, str] | None = None
_bundle_gzip: bytes | None = None
_maker: subprocess.Popen | None = None  # the child producing the bundle, while it runs (stop_bundle_maker)
_maker_lock = threading.Lock()
_makers_stopped = False


class BundleMakerStopped(Exception):
    """The server is stopping: the bundle's child was ended, and none is started (nor the engine loaded here)."""


def vega_bundle() -> tuple[bytes, str]:
    """Vega, Vega-Lite and vega-embed from the installed vl-convert package, read once: (body, digest).

    vl-convert starts a JavaScript engine to produce the bundle, which would stay in the server's memory
    (about 120 MB); a short-lived child process produces it instead and only the 900 kB text is kept.
    """
    global _bundle
    with _bundle_lock:
        if _bundle is None:
            try:
                body = _bundle_from_child()
            except (OSError, subprocess.SubprocessError):
                if _makers_stopped:
                    raise BundleMakerStopped from None
                from diaspora_observatory.charts.render import javascript_bundle

                body = javascript_bundle().encode("utf-8")
            return _keep_bundle(body)
        return _bundle


def _bundle_from_child() -> bytes:
    """The bundle as a child process writes it (``subprocess.run`` with its handle kept, so that a server that
    stops meanwhile ends the child and waits for it: :func:`stop_bundle_maker`)."""
    global _maker
    with _maker_lock:
        if _makers_stopped:
            raise BundleMakerStopped
        _maker = subprocess.Popen([sys.executable, "-c", _BUNDLE_SCRIPT], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
    try:
        out, err = _maker.communicate(timeout=120)
        if _maker.returncode:
            raise subprocess.CalledProcessError(_maker.returncode, _maker.args, out, err)
        return out
    except subprocess.TimeoutExpired:
        _maker.kill()
        _maker.wait()
        raise
    finally:
        with _maker_lock:
            _maker = None


def stop_bundle_maker() -> None:
    """End the bundle's child if it runs, and wait for it; none is started after this (a server's exit)."""
    global _makers_stopped
    with _maker_lock:
        _makers_stopped = True
        maker = _maker
    if maker is not None:
        maker.kill()
        maker.wait()


def allow_bundle_makers() -> None:
    """Undo :func:`stop_bundle_maker` for a process that goes on after its server stopped (``serve`` called
    in a process that keeps running, as tests and scripts do): its next app can make the bundle again."""
    global _makers_stopped
    with _maker_lock:
        _makers_stopped = False


def _keep_bundle(body: bytes) -> tuple[bytes, str]:
    global _bundle, _bundle_gzip
    # compressed once: 900 kB becomes 300 kB for a phone on the local network
    _bundle_gzip = gzip.compress(body, compresslevel=9, mtime=0)
    _bundle = (body, sha256(body).hexdigest()[:20])
    return _bundle


def use_vega_bundle(body: bytes) -> None:
    """Serve ``body`` as the bundle, produced by another process of the same server (web/workers.py: the
    parent of several workers makes it once instead of each worker spending seconds of CPU on it)."""
    with _bundle_lock:
        _keep_bundle(body)


def warm_vega_bundle() -> None:
    """Produce the bundle in the background, so that the first page with a chart does not wait for it."""
    def warm() -> None:
        try:
            vega_bundle()
        except BundleMakerStopped:  # the server stopped while it was being made
            pass

    threading.Thread(target=warm, name="vega-bundle", daemon=True).start()


async def vega_script(request: Request) -> Response:
    body, digest = _bundle if _bundle is not None else await run_in_threadpool(vega_bundle)
    headers = {"etag": f'"{digest}"', "cache-control": "public, max-age=86400", "vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == f'"{digest}"':
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", "") and _bundle_gzip is not None:
        return Response(_bundle_gzip, media_type="text/javascript; charset=utf-8",
                        headers={**headers, "content-encoding": "gzip"})
    return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)
