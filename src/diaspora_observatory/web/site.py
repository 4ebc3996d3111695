"""The observatory as a static website: every page in each language, its data files, charts and assets.

``write_site`` asks the real app for every page (an ASGI call in the same process, no network and no
server), starting from each language's overview and following every link, and writes what it gets as
plain files: ``en/``, ``ru/`` and ``kk/`` hold the pages (``index.html``, ``flows.html``,
``country/KGZ.html``…), ``data/`` the CSV and JSON alternates (the same in every language), ``static/``
the style sheet, scripts and the Vega bundle. Every link is rewritten to a relative path that names its
file, so the site works from any static host and straight from disk (``file://``), where a folder link
would not open its ``index.html``. The pages are exactly those ``diaspora serve`` shows: there is one
renderer, so the site and the server cannot disagree.

Pages that need a server — the survey's collection and results, manual coding — are left out. Their links
point to ``server-only.html`` in the page's language, which says so and how to run them.
"""

from __future__ import annotations

import asyncio
import html
import posixpath
import re
import shutil
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.web.i18n import LANGUAGES

DATA_SUFFIXES = (".csv", ".json")
# Links the static site cannot serve: they need the running app (answers, tokens, coding by hand).
SERVER_ONLY_PAGE = "server-only.html"
SERVER_ONLY_PATH = "/server-only"  # base.html links here when the pages are written as a static site
_LINK = re.compile(r'(?P<attribute>\b(?:href|src|action)=")(?P<url>/[^"]*)"')
# Browsers refuse module scripts from file:// (their origin is null), so the site loads each script as a
# classic deferred script wrapped in a strict function: the same order, strictness and private scope.
_MODULE_SCRIPT = '<script type="module" src='
_CLASSIC_SCRIPT = '<script defer src='


class SiteError(DiasporaError):
    """The site could not be written (a page the app refused, a folder that cannot be used)."""


@dataclass
class SiteReport:
    """What ``write_site`` wrote: file counts by kind and where the server-only links pointed."""

    folder: Path
    pages: int = 0
    data_files: int = 0
    assets: int = 0
    server_only: set[str] = field(default_factory=set)

    def summary(self) -> str:
        left_out = f"; left out (need a server): {', '.join(sorted(self.server_only))}" if self.server_only else ""
        return (f"Wrote {self.pages} pages in {len(LANGUAGES)} languages, {self.data_files} data files and "
                f"{self.assets} assets to {self.folder}{left_out}. Open {self.folder / 'index.html'} or put "
                "the folder on any static host.")


async def _get(app, path: str, query: str = "") -> tuple[int, dict[str, str], bytes]:
    """One GET through the ASGI app, as a loopback browser would send it."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": query.encode(),
             "headers": [(b"host", b"127.0.0.1"), (b"accept-language", b"en")],
             "client": ("127.0.0.1", 0), "server": ("127.0.0.1", 80)}
    status, headers, body = 500, {}, bytearray()
    requested, done = False, asyncio.Event()

    async def receive():
        nonlocal requested
        if not requested:  # the (empty) request body, then nothing until the response is complete
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = {key.decode().lower(): value.decode() for key, value in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    await app(scope, receive, send)
    return status, headers, bytes(body)


class _Crawler:
    """Fetches pages and files through the app and decides each internal link's file in the site."""

    def __init__(self, app, served: Callable[[str], bool]) -> None:
        self.app = app
        self.served = served  # is this path one the static site has (not a survey or coding page)?
        self.files: dict[str, bytes] = {}  # site path -> content
        self.report_left_out: set[str] = set()

    def target(self, url: str, language: str) -> tuple[str, str, str] | None:
        """(kind, app path, query) a link stands for, in the language of the page it is on; None: not ours."""
        parts = urlsplit(url)
        path, query = parts.path, parts.query
        if path.startswith("/lang/"):
            code = path.removeprefix("/lang/")
            following = dict(parse_qsl(query)).get("next", "/")
            if code in LANGUAGES and following.startswith("/"):
                return ("page", urlsplit(following).path, code)
            return None
        if path.startswith("/static/"):
            return ("asset", path, "")
        if path.endswith(DATA_SUFFIXES) or dict(parse_qsl(query)).get("format") in ("csv", "json"):
            return ("data", path, query)
        if path == SERVER_ONLY_PATH:  # the footer's link to the page that says what needs a server
            return ("server-only", path, language)
        if not self.served(path):
            self.report_left_out.add(path)
            return ("server-only", path, language)
        return ("page", path, language)

    @staticmethod
    def site_path(kind: str, path: str, detail: str) -> str:
        """The file a target is written to (``detail``: the language of a page, the query of a data file)."""
        if kind == "page":
            stem = "index" if path in ("", "/") else path.strip("/")
            return f"{detail}/{stem}.html"
        if kind == "server-only":
            return f"{detail}/{SERVER_ONLY_PAGE}"
        if kind == "asset":
            return path.lstrip("/")
        query = dict(parse_qsl(detail))
        stem, dot, suffix = path.strip("/").rpartition(".")
        if not dot or f".{suffix}" not in DATA_SUFFIXES:
            stem, suffix = path.strip("/"), query.pop("format", "json")
        query.pop("format", None)
        extra = "".join(f"-{value}" for _key, value in sorted(query.items()))
        return f"data/{stem.replace('/', '-')}{extra}.{suffix}"

    async def fetch(self, path: str, query: str) -> bytes:
        status, _headers, body = await _get(self.app, path, query)
        if status != 200:
            shown = f"{path}?{query}" if query else path
            raise SiteError(f"the observatory answered {status} for {shown} while writing the site",
                            "run `diaspora check` and `diaspora serve --dev` to see what is wrong with the page")
        return body

    async def crawl(self) -> None:
        queue: deque[tuple[str, str, str]] = deque(("page", "/", code) for code in LANGUAGES)
        seen: set[str] = set()
        while queue:
            kind, path, detail = queue.popleft()
            where = self.site_path(kind, path, detail)
            if where in seen:
                continue
            seen.add(where)
            if kind == "server-only":
                continue  # written afterwards, one per language
            if kind == "asset":
                content = await self.fetch(path, "")
                if where.endswith(".js"):
                    content = b'(function () {\n"use strict";\n' + content + b"\n})();\n"
                self.files[where] = content
                continue
            if kind == "data":
                self.files[where] = await self.fetch(path, detail)
                continue
            body = (await self.fetch(path, urlencode({"lang": detail}))).decode("utf-8")
            for match in _LINK.finditer(body):
                found = self.target(html.unescape(match["url"]), detail)
                if found is not None:
                    queue.append(found)
            self.files[where] = body.encode("utf-8")

    def rewrite(self, where: str, body: str, language: str) -> str:
        """The page with every internal link made relative to its own file."""
        folder = posixpath.dirname(where)

        def relative(match: re.Match) -> str:
            found = self.target(html.unescape(match["url"]), language)
            if found is None:
                return match[0]
            goal = self.site_path(*found)
            return f'{match["attribute"]}{html.escape(posixpath.relpath(goal, folder or "."))}"'

        return _LINK.sub(relative, body).replace(_MODULE_SCRIPT, _CLASSIC_SCRIPT)


def _run_to_completion(coroutine_function) -> None:
    """Run an async function to its end, also when the caller already runs an event loop (a notebook, a
    test): then in a thread of its own, with its own loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coroutine_function())
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(coroutine_function())).result()


def _server_only_page(app, language: str) -> str:
    web = app.state.web
    translate = web.catalogs.gettext(language)
    title = translate("This page needs the observatory's server")
    text = translate("This is a static copy of the observatory. The questionnaire, its collected results and "
                     "manual coding of documents need a running server: install the observatory and run "
                     "`diaspora serve`.")
    back = translate("Back to the overview")
    return (f'<!doctype html>\n<html lang="{language}">\n<head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(title)}</title><link rel="stylesheet" href="../static/style.css"></head>\n'
            f'<body><main id="main"><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>'
            f'<p><a href="index.html">{html.escape(back)}</a></p></main></body>\n</html>\n')


def _root_index(app) -> str:
    web = app.state.web
    links = "".join(f'<li><a href="{code}/index.html" hreflang="{code}" lang="{code}">{html.escape(name)}</a></li>'
                    for code, name in LANGUAGES.items())
    title = html.escape(web.case.title)
    return ('<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta http-equiv="refresh" content="0; url=en/index.html">'
            f'<title>{title}</title><link rel="stylesheet" href="static/style.css"></head>\n'
            f'<body><main id="main"><h1>{title}</h1><ul>{links}</ul></main></body>\n</html>\n')


def write_site(out: Path, case_name_or_path: str | Path | None = None, *, data_dir: Path | None = None,
               overwrite: bool = False) -> SiteReport:
    """Write the observatory of a case as static files into ``out`` (see the module's docstring).

    ``out`` must be empty or absent unless ``overwrite`` is true (then it is replaced whole).
    """
    from diaspora_observatory.web.app import create_app
    from diaspora_observatory.web.pages import page_paths

    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise SiteError(f"{out} is not empty", "choose an empty folder, or pass --overwrite to replace it")
        if not (out / "index.html").is_file() or not (out / "static").is_dir():
            raise SiteError(f"{out} does not look like a site written by `diaspora site`, so it is not replaced",
                            "choose an empty folder")
    app = create_app(case_name_or_path, data_dir=data_dir, extensions=False)
    app.state.web.static_site = True
    core = set(page_paths(app.state.web.case))

    def served(path: str) -> bool:
        return path in core or path in ("/", "/overview") or path.startswith("/country/")

    crawler = _Crawler(app, served)
    _run_to_completion(crawler.crawl)
    staging = out.with_name(f".{out.name}.writing")
    shutil.rmtree(staging, ignore_errors=True)
    report = SiteReport(out, server_only=crawler.report_left_out)
    for where, content in crawler.files.items():
        target = staging / where
        target.parent.mkdir(parents=True, exist_ok=True)
        if where.endswith(".html"):
            language = where.split("/", 1)[0]
            target.write_text(crawler.rewrite(where, content.decode("utf-8"), language), encoding="utf-8")
            report.pages += 1
        else:
            target.write_bytes(content)
            if where.startswith("data/"):
                report.data_files += 1
            else:
                report.assets += 1
    for code in LANGUAGES:
        (staging / code).mkdir(parents=True, exist_ok=True)
        (staging / code / SERVER_ONLY_PAGE).write_text(_server_only_page(app, code), encoding="utf-8")
    (staging / "index.html").write_text(_root_index(app), encoding="utf-8")
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)
    return report
