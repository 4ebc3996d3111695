"""The documents pages are drawn in worker processes (documents/pagework.py): started with the server, stopped
with it, replaced when one dies, and a page whose worker died answers a clear 503, never a 500."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest
from pageworkers import alive, answer_while_the_workers_die

from diaspora_observatory import load_case
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.pagework import PageProcesses, WorkerLost
from diaspora_observatory.documents.pageworker import Settings
from diaspora_observatory.documents.workspace import Workspace
from diaspora_observatory.web.app import create_app
from tests.documents.conftest import client_class

TEXT = "Repatriates get quotas. The embassy keeps a register. Quotas are set every year."
LOST = ("The process preparing document pages stopped before this page was ready; a new one has started. Reload "
        "in a few seconds.")


def page_processes(app) -> PageProcesses:
    """The app's pool of page workers (its start is one of the server's startup steps)."""
    return next(step.__self__ for step in app.state.web.on_startup if isinstance(getattr(step, "__self__", None),
                                                                                 PageProcesses))


@pytest.fixture
def app(data_dir, monkeypatch, computed_app):
    monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", "processes-admin-token-0001")
    Workspace(load_case(), data_dir).import_document(Document("item", "Item one", "press", "2024-03-01", "en", TEXT))
    return create_app(data_dir=data_dir, computed_by=computed_app)


def test_the_workers_start_with_the_server_draw_the_pages_and_stop_with_it(app):
    pool = page_processes(app)
    assert pool.pids() == []  # an app not yet started has no workers
    with client_class()(app) as client:  # the server's startup and, on leaving, its shutdown (its lifespan)
        deadline = time.monotonic() + 60
        while len(pool.pids()) < 2 and time.monotonic() < deadline:  # started at startup, not by a page
            time.sleep(0.05)
        workers = pool.pids()
        assert len(workers) == 2 and os.getpid() not in workers and all(alive(pid) for pid in workers)
        page = client.get("/coding/item")
        assert page.status_code == 200 and '<option value="0-23">1. Repatriates get quotas.</option>' in page.text
        assert client.get("/coding").status_code == 200
        assert client.get("/coding/item?page=2").status_code == 404
        # drawn by a worker: the server's own template environment never compiled the documents' pages
        compiled = {name for _, name in app.state.web.environment.cache}
        assert not compiled & {"documents_document.html", "documents_index.html"}
        assert pool.pids() == workers
    assert not any(alive(pid) for pid in workers)  # stopped and waited for at shutdown: none left behind


def test_a_worker_that_dies_is_replaced_and_its_waiting_page_answers_503(app):
    with client_class()(app) as client:
        pool = page_processes(app)
        assert client.get("/coding/item").status_code == 200
        # both workers busy for a few seconds, so that the page asked for next waits in the queue
        lost, before = answer_while_the_workers_die(pool, 2, lambda: client.get("/coding/item"))
        assert lost.status_code == 503 and lost.headers["retry-after"] == "5" and LOST in lost.text
        again = client.get("/coding/item")
        assert again.status_code == 200 and "Repatriates get quotas." in again.text
        assert pool.pids() and not set(pool.pids()) & set(before)


def test_work_that_kills_its_worker_is_answered_worker_lost_and_the_next_goes_to_a_new_one(app):
    pool = page_processes(app)
    try:
        with pytest.raises(WorkerLost):
            # the worker kills itself (signal.raise_signal is sent by name; os._exit is not, where coverage wraps it)
            asyncio.run(pool.run(None, 30, signal.raise_signal, signal.SIGKILL))
        pid = asyncio.run(pool.run(None, 30, os.getpid))
        assert pid != os.getpid() and pid in pool.pids()
    finally:
        pool.close()
    assert not alive(pid)


def test_workers_that_cannot_start_leave_the_server_starting_and_their_pages_answer_worker_lost(tmp_path, caplog):
    settings = Settings(case_path=tmp_path / "no-such-case", data_dir=tmp_path / "data", dev=False, processes=1,
                        nav=[], template_dirs=[], locale_dirs=[])
    pool = PageProcesses(lambda: settings, 1, 8)
    try:
        pool.start()  # a worker's case cannot be loaded: it stops in its first step
        assert "the documents page workers could not start; their pages answer 503 until they can" in caplog.text
        with pytest.raises(WorkerLost):
            asyncio.run(pool.run(None, 30, os.getpid))
    finally:
        pool.close()
    assert pool.pids() == []
