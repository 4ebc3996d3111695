"""A documents page worker's side of the page processes (``pagework.py``, on web/pageprocesses.py): what a worker
builds to draw the documents pages with (the shared web context of web/pageworker.py, and its own case's document
store), and where the pages' functions (``pages.py``) find them."""

from __future__ import annotations

import threading
from typing import Any

from diaspora_observatory.web.pageworker import Settings, start_web

__all__ = ["Settings", "start_worker", "worker_state"]  # Settings: the shared settings, named where the pool is

_worker: dict[str, Any] = {}


def start_worker(settings: Settings) -> None:
    """A worker's first step: its own web context (templates, translations, menu) and documents workspace."""
    from diaspora_observatory.documents.workspace import Workspace

    web = start_web(settings)
    space = Workspace(web.case, settings.data_dir)
    for name in ("documents_document.html", "documents_index.html", "base.html"):  # compiled before any reader
        web.environment.get_template(name)
    _worker.update(web=web, workspace=space, index={}, lock=threading.Lock())


def worker_state() -> dict[str, Any]:
    """The worker's web context, workspace and caches (see :func:`start_worker`)."""
    return _worker
