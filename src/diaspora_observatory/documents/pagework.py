"""The documents pages' worker processes: the shared pool of web/pageprocesses.py (a forkserver pool, a bound on
waiting pages, a deadline, a cache keyed by the store's version), with the documents' own worker start
(``pageworker.py``) and the modules its forkserver imports for them."""

from __future__ import annotations

from collections.abc import Callable

from diaspora_observatory.documents.pageworker import Settings, start_worker
from diaspora_observatory.web import pageprocesses
from diaspora_observatory.web.pageprocesses import Busy, TooSlow, WorkerLost

__all__ = ["Busy", "PageProcesses", "TooSlow", "WorkerLost"]

# Imported once by the forkserver, so that each worker forked from it starts with them (seconds of CPU each)
PRELOAD = ["diaspora_observatory.documents.pageworker", "diaspora_observatory.documents.pages",
           "diaspora_observatory.documents.workspace", "diaspora_observatory.documents.index_tables",
           "diaspora_observatory.documents.exports"]


class PageProcesses(pageprocesses.PageProcesses):
    """The documents pages' pool: each worker builds a documents workspace (``pageworker.start_worker``)."""

    def __init__(self, settings: Callable[[], Settings], workers: int, max_waiting: int) -> None:
        super().__init__(settings, workers, max_waiting, initializer=start_worker, name="documents", preload=PRELOAD)
