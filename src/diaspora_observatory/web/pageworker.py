"""A page worker's side of ``pageprocesses.py``, shared by the extensions whose pages are computed there: the
plain :class:`Settings` a worker is started with, the first steps every worker takes (a lower CPU priority, the
server's settings, a web context drawing as the server's would), and the request's plain parts a page is drawn
from. What each extension's workers build on top (documents/pageworker.py: a documents workspace;
survey/results_worker.py: the survey's database) is theirs."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.requests import Request

    from diaspora_observatory.web.extensions import WebContext

NICENESS = 10  # added to a page worker's nice value (a ninth of the server's CPU weight under Linux's scheduler)
SCOPE_KEYS = ("type", "http_version", "method", "scheme", "path", "raw_path", "root_path", "query_string",
              "headers", "server", "client")


@dataclass(frozen=True)
class Settings:
    """What a worker needs to draw the pages the server would: plain values, sent once when it starts."""

    case_path: Path
    data_dir: Path
    dev: bool
    processes: int | None
    nav: list[tuple[str, str]]
    template_dirs: list[Path]
    locale_dirs: list[Path]
    environment: dict[str, str] = field(default_factory=dict)  # DIASPORA_* settings of the server process


def server_settings(web: WebContext) -> Settings:
    """The settings of ``web``'s server for its page workers; read when the workers start, once every extension
    has added its menu entry, templates and translations."""
    return Settings(case_path=web.case.path, data_dir=web.data_dir, dev=web.dev, processes=web.processes,
                    nav=list(web.nav), template_dirs=list(web.template_dirs), locale_dirs=list(web.locale_dirs),
                    environment={k: v for k, v in os.environ.items() if k.startswith("DIASPORA_")})


def start_web(settings: Settings) -> WebContext:
    """A worker's first steps, whoever's pages it draws: Ctrl+C left to the server, a lower CPU priority, the
    server's settings, and a web context (case, templates, translations, menu) that draws as the server's does."""
    from diaspora_observatory.case.package import load_case
    from diaspora_observatory.web.extensions import WebContext

    # Ctrl+C reaches the whole process group; the server stops its workers itself, without their tracebacks
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A lower CPU priority: when the cores are contended (a loaded machine), the server's own work (a survey
    # answer, a static page) runs first and a page waits, never the other way round.
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    os.environ.update(settings.environment)
    case = load_case(settings.case_path, data_dir=settings.data_dir)
    web = WebContext(case, settings.data_dir, dev=settings.dev, processes=settings.processes)
    web.environment.auto_reload = settings.dev
    for folder in settings.template_dirs:
        web.add_template_dir(folder)
    for folder in settings.locale_dirs:
        web.add_locale_dir(folder)
    web.nav.extend(settings.nav)
    return web


def ready_worker() -> int:
    """A built worker's process id (the pool is ready when every worker has answered once)."""
    time.sleep(0.05)  # long enough for the pool to hand the other workers their own
    return os.getpid()


def plain_scope(request: Request, path: str | None = None) -> dict:
    """The parts of a request's scope a page reads (path, query, headers), which pickle: no app, no state.
    ``path``: the page's own path instead of the request's (a page drawn for its JSON twin's request)."""
    scope = {key: request.scope[key] for key in SCOPE_KEYS if key in request.scope}
    if path is not None:
        scope.update(path=path, raw_path=path.encode())
    return scope
