"""The documents pages' worker processes: the shared pool of web/pageprocesses.py (a forkserver pool, a bound on
waiting pages, a deadline, a cache keyed by the store's version), with the documents' own worker start
(``pageworker.py``) and the modules its forkserver imports for them.

An export too large to send back whole is written by the worker into the pool's spool folder and kept as that
file (``spool.py``): at most FILES_KEPT of them, the others deleted, and the folder removed when the pool stops.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Hashable
from typing import Any

from diaspora_observatory.documents.pageworker import Settings, start_worker
from diaspora_observatory.documents.spool import Written
from diaspora_observatory.web import pageprocesses
from diaspora_observatory.web.pageprocesses import Busy, TooSlow, WorkerLost

__all__ = ["Busy", "PageProcesses", "TooSlow", "WorkerLost"]

FILES_KEPT = 4  # exports kept as files (up to 114 MB each at 100,000 articles: disk, not memory)
# Imported once by the forkserver, so that each worker forked from it starts with them (seconds of CPU each)
PRELOAD = ["diaspora_observatory.documents.pageworker", "diaspora_observatory.documents.pages",
           "diaspora_observatory.documents.workspace", "diaspora_observatory.documents.index_tables",
           "diaspora_observatory.documents.exports"]


class PageProcesses(pageprocesses.PageProcesses):
    """The documents pages' pool: each worker builds a documents workspace (``pageworker.start_worker``)."""

    def __init__(self, settings: Callable[[], Settings], workers: int, max_waiting: int) -> None:
        super().__init__(settings, workers, max_waiting, initializer=start_worker, name="documents", preload=PRELOAD)
        self._spool: str | None = None

    def spool(self) -> str:
        """The folder the workers write their exports into (made at the first export, removed by :meth:`close`)."""
        with self._lock:
            if self._spool is None:
                self._spool = tempfile.mkdtemp(prefix="diaspora-exports-")
            return self._spool

    def close(self) -> None:
        """Stop the workers, then forget the exported files and remove the spool folder (a file still being
        sent stays readable until it is closed)."""
        super().close()
        with self._lock:
            spool, self._spool = self._spool, None
            for key in [key for key, answer in self._done.items() if isinstance(answer, Written)]:
                del self._done[key]
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)

    def _keep(self, key: Hashable, answer: Any) -> None:
        """As the shared pool keeps answers, and the oldest file beyond FILES_KEPT is deleted."""
        if isinstance(answer, Written) and key not in self._done:
            files = [kept for kept, value in self._done.items() if isinstance(value, Written)]
            if len(files) >= FILES_KEPT:
                self._forget(files[0])
        super()._keep(key, answer)

    def _forget(self, key: Hashable) -> None:
        answer = self._done.pop(key)
        if isinstance(answer, Written):
            answer.discard()
