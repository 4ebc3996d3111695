"""A documents page worker's side of ``pagework.py``: how a worker process builds what it draws with (its own web
context, case and document store, from plain :class:`Settings`), and where the pages' functions
(``pages.py``) find them."""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NICENESS = 10  # added to a page worker's nice value (a ninth of the server's CPU weight under Linux's scheduler)


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


_worker: dict[str, Any] = {}


def start_worker(settings: Settings) -> None:
    """A worker's first step: its own web context (templates, translations, menu) and documents workspace."""
    from diaspora_observatory.case.package import load_case
    from diaspora_observatory.documents.workspace import Workspace
    from diaspora_observatory.web.extensions import WebContext

    # Ctrl+C reaches the whole process group; the server stops its workers itself, without their tracebacks
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A lower CPU priority: when the cores are contended (a loaded machine), the server's own work (a survey
    # answer) runs first and a page waits, never the other way round.
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
    space = Workspace(case, settings.data_dir)
    for name in ("documents_document.html", "documents_index.html", "base.html"):  # compiled before any reader
        web.environment.get_template(name)
    _worker.update(web=web, workspace=space, index={}, lock=threading.Lock())


def ready_worker() -> int:
    """A built worker's process id (the pool is ready when every worker has answered once)."""
    time.sleep(0.05)  # long enough for the pool to hand the other workers their own
    return os.getpid()


def worker_state() -> dict[str, Any]:
    """The worker's web context, workspace and caches (see :func:`start_worker`)."""
    return _worker
