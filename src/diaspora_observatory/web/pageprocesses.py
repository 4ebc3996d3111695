"""Pages computed in worker processes of their own, so that the server's interpreter stays free.

A thread keeps a page off the event loop, but not off the interpreter: a page's Python work (reading a
document's passages, counting a survey's results, drawing the HTML) shares the interpreter lock with the
server's other requests a few milliseconds at a time, and the survey's answers waited 78-177 ms behind the
first page of a long document (benchmarks/results/latency.md); ``/`` waited up to 87 ms behind the first view
of a large survey's results (benchmarks/results/growth.md). Here such pages are computed by a small pool of
processes started with ``forkserver`` (or ``spawn`` where there is no forkserver; never a plain fork of a
threaded server). Each worker builds what it draws with (a case, a store, a template environment: see
``pageworker.py`` and the extension's own start step, such as documents/pageworker.py or
survey/results_worker.py) from plain settings, and answers with plain data: a page's HTML bytes, its status and
headers, a context, or the error to show.

The server side (:class:`PageProcesses`) keeps what the pages had in threads: a bound on waiting requests
(:class:`Busy`), a deadline after which the reader gets the "being prepared" answer while the work goes on
(:class:`TooSlow`), and a cache of finished pages keyed by the store's version, filled by late work too, so the
reload after "being prepared" finds its page. A worker that dies (killed, out of memory) takes its pool's
waiting pages with it: they are answered :class:`WorkerLost` (a 503, never a 500) and a new pool is started.
Used by the documents pages (documents/pagework.py) and the survey's results page (survey/web.py): both
extensions reach it through the web layer they extend, neither through the other.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
import time
import weakref
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from diaspora_observatory.web.pageworker import Settings, ready_worker

logger = logging.getLogger("diaspora_observatory.web")
PAGES_KEPT = 64  # finished pages kept by a pool (every store version, coder, page and language together)
READY_SECONDS = 60.0  # longest the server's start waits for its page workers before it serves without them
# Imported once by the forkserver, so that each worker forked from it starts with them (seconds of CPU each).
# Each pool adds its own modules (its ``preload``) before the first pool starts: there is one forkserver per
# server process, and it imports what was asked for by the time it starts.
_PRELOAD: list[str] = ["diaspora_observatory.web.extensions", "diaspora_observatory.case.package"]


_POOLS: weakref.WeakSet[PageProcesses] = weakref.WeakSet()  # every pool of this process (stop_all)


class Busy(Exception):
    """Too many pages of one pool are being prepared already."""


class TooSlow(Exception):
    """The page was not ready by the deadline (its work goes on and fills the cache)."""


class WorkerLost(Exception):
    """The process computing the page stopped before answering (a new one has been started)."""


def _context() -> multiprocessing.context.BaseContext:
    """forkserver where the platform has it: its server process imports this module (and with it pandas,
    SQLAlchemy and Jinja) once, and each worker forks from it in milliseconds; spawn elsewhere."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, *_PRELOAD])
        return context
    return multiprocessing.get_context("spawn")


class PageProcesses:
    """The server side: a pool of worker processes, a bound on waiting pages, a deadline and a page cache.

    ``initializer(settings())`` is each worker's first step (what it builds to draw with); ``name`` says whose
    pages they are in the log; ``preload``: modules the forkserver imports for them (see ``_PRELOAD``)."""

    def __init__(self, settings: Callable[[], Settings], workers: int, max_waiting: int, *,
                 initializer: Callable[[Settings], None], name: str, preload: Iterable[str] = ()) -> None:
        self._settings = settings  # read when the pool starts: the menu is complete only once every extension is in
        self._initializer = initializer
        self.name = name
        self.workers = workers
        self.max_waiting = max_waiting
        _PRELOAD.extend(module for module in preload if module not in _PRELOAD)
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self.waiting = 0
        self._pending: dict[Hashable, Future] = {}
        self._done: dict[Hashable, Any] = {}
        self._starter: threading.Thread | None = None  # see start_in_background
        _POOLS.add(self)

    # the pool ----------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the workers now (at server start) and wait until each has built its case, store and templates
        (at most READY_SECONDS), so that the first reader does not wait for them."""
        executor = self._current()
        ready: set[int] = set()
        deadline = time.monotonic() + READY_SECONDS
        try:
            while len(ready) < self.workers and time.monotonic() < deadline:
                # each submission starts a worker, up to the pool's size; a worker answers once it is built
                answers = [executor.submit(ready_worker) for _ in range(self.workers)]
                done, _ = wait(answers, timeout=max(0.0, deadline - time.monotonic()))
                if any(isinstance(answer.exception(), BrokenProcessPool) for answer in done):
                    raise BrokenProcessPool
                ready |= {answer.result() for answer in done if answer.exception() is None}
        except BrokenProcessPool:
            # a worker could not start (its case or store unreadable): the server starts all the same, and
            # each of the pool's pages tries a new pool, answering 503 while none can start
            logger.error(f"the {self.name} page workers could not start; their pages answer 503 until they can")
            self._replace(executor)

    def start_in_background(self) -> None:
        """Start the workers (:meth:`start`) in a thread of their own: the server takes requests at once, and a
        page asked for before they are built waits for them within its deadline. For a pool whose pages are
        rare and whose reader can reload (the survey's results), so that the server's start is not held up by
        it. :meth:`close` waits for the start to finish before it stops the workers."""
        def starting() -> None:
            try:
                self.start()
            except Exception:  # the server stopped while they were being built: close() stops what started
                logger.info(f"the {self.name} page workers were stopped while starting")

        self._starter = threading.Thread(target=starting, name=f"{self.name} page workers", daemon=True)
        self._starter.start()

    def _current(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(self.workers, mp_context=_context(), initializer=self._initializer,
                                                     initargs=(self._settings(),))
            return self._executor

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """A new pool for the next page, if ``broken`` is still the current one (a second failed page finds
        it replaced already)."""
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)

    def pids(self) -> list[int]:
        """The worker processes' ids (for tests and benchmarks)."""
        executor = self._executor
        return sorted(getattr(executor, "_processes", None) or {}) if executor else []

    def close(self) -> None:
        """Stop the workers and wait for them (at server shutdown): no process is left behind. (A page asked
        for later starts new ones, as a server started again would.)"""
        if self._starter is not None:  # a start in the background builds its pool first: then it is stopped
            self._starter.join(READY_SECONDS)
            self._starter = None
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    # one page ----------------------------------------------------------------------------------------
    async def run(self, key: Hashable | None, deadline: float, function: Callable, *args: Any) -> Any:
        """``function(*args)`` in a worker, waited for at most ``deadline`` seconds. With a ``key``, the
        answer is kept (the key must name the store version it depends on) and a second request for the
        same key waits for the first one's work instead of starting its own."""
        with self._lock:
            if key is not None and key in self._done:
                return self._done[key]
            future = self._pending.get(key) if key is not None else None
            if future is None:
                if self.waiting >= self.max_waiting:
                    raise Busy
                self.waiting += 1
        if future is None:
            try:
                if self._executor is None:
                    # no pool yet (an app used without its startup) or a new one after a crash: its workers are
                    # started and built first, so that the page's deadline counts the page, not their start
                    await asyncio.to_thread(self.start)
                executor = self._current()
                try:
                    future = executor.submit(function, *args)
                except BrokenProcessPool:  # a worker died while the pool was idle: this page goes to a new pool
                    self._replace(executor)
                    executor = self._current()
                    future = executor.submit(function, *args)
            except BaseException as error:
                with self._lock:
                    self.waiting -= 1
                if isinstance(error, BrokenProcessPool):  # the new pool broke at once too
                    raise WorkerLost from None
                raise
            if key is not None:
                with self._lock:
                    self._pending[key] = future
            future.add_done_callback(lambda done: self._finished(key, done, executor))
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), deadline)
        except TimeoutError:
            raise TooSlow from None
        except BrokenProcessPool:
            raise WorkerLost from None

    def _finished(self, key: Hashable | None, future: Future, executor: ProcessPoolExecutor) -> None:
        """Called in the pool's thread when a page's work ends, in time or late."""
        failed = future.cancelled() or future.exception() is not None
        with self._lock:
            self.waiting -= 1
            if key is not None:
                self._pending.pop(key, None)
                if not failed:
                    self._keep(key, future.result())
        if not future.cancelled() and isinstance(future.exception(), BrokenProcessPool):
            self._replace(executor)

    def _keep(self, key: Hashable, answer: Any) -> None:
        """Keep a finished answer (under the lock); the oldest goes beyond PAGES_KEPT."""
        if key in self._done:
            self._forget(key)
        if len(self._done) >= PAGES_KEPT:
            self._forget(next(iter(self._done)))
        self._done[key] = answer

    def _forget(self, key: Hashable) -> None:
        """Drop a kept answer (under the lock); a pool whose answers hold files deletes them here."""
        self._done.pop(key)


def stop_all() -> None:
    """Close every pool of this process, then stop the helper processes multiprocessing started for them (the
    forkserver the workers fork from, and its resource tracker), waiting for each: for a server process about
    to exit, so that none of its processes outlives it (a later pool would need a new forkserver, seconds of
    imports). Without it a forkserver still importing its preload when the server stopped went on running
    after the server had exited, until it next looked at the pipe that tells it the server is gone.

    The two stops are CPython's own (``_stop``: private, the standard library's tests call them); where a
    Python has neither, the helpers end as before, once they notice that the server has gone."""
    for pool in list(_POOLS):
        pool.close()
    from multiprocessing import forkserver, resource_tracker

    for helper in (getattr(forkserver, "_forkserver", None), getattr(resource_tracker, "_resource_tracker", None)):
        stop = getattr(helper, "_stop", None)
        if stop is not None:
            try:
                stop()
            except (OSError, ChildProcessError):  # already ended and reaped
                pass
