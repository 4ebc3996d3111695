"""The survey results page is computed in a page worker process (survey/results_worker.py, on
web/pageprocesses.py), as the documents pages are: never in the server's interpreter, kept until a new snapshot
is taken, recomputed for that snapshot (never the old page), the same figures as computed in-process, translated."""

from __future__ import annotations

import asyncio
import os

import pytest
from pageworkers import alive, answer_while_the_workers_die
from survey_helpers import ADMIN_TOKEN, VALID_ANSWERS, make_client

from diaspora_observatory.survey.results_view import counted_context, results_cache


def varied(number: int) -> dict:
    return {**VALID_ANSWERS, "identity_news": str(1 + number % 5), "gender": ("male", "female")[number % 2]}


@pytest.fixture
def app(tmp_path, monkeypatch, computed_app):
    """A new app (not the session's): its server process has drawn no results page before this test (it
    reuses only the session's computed analysis and pages, not its survey store, results cache or workers)."""
    from diaspora_observatory.web.app import create_app

    monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", ADMIN_TOKEN)
    monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    monkeypatch.setenv("DIASPORA_SURVEY_RATE_LIMIT", "1000")
    built = create_app(data_dir=tmp_path / "data", computed_by=computed_app)
    yield built
    built.state.web.survey_store.close()


def results_pool(app):
    from survey_helpers import survey_views

    return survey_views(app).pages


def test_the_first_view_is_computed_in_a_worker_process_and_a_new_snapshot_is_recomputed(app):
    web = app.state.web
    store = web.survey_store
    pool = results_pool(app)
    cache = results_cache(store)
    with make_client(app) as client:  # the server's lifespan: the worker starts with it and stops with it
        for number in range(10):
            store.submit("kz", f"worker-{number:04d}", varied(number))
        first = client.get("/s/kz/results.json")
        assert first.status_code == 200
        assert (first.json()["snapshot"]["number"], first.json()["responses"]) == (1, 10)
        workers = pool.pids()
        assert len(workers) == 1 and os.getpid() not in workers
        # the work ran there: the pool holds the entry it computed, under this store's cache and the page's key
        assert [key[1:3] for key in pool._done] == [("kz", 1)] and all(key[0] == cache.token for key in pool._done)
        assert asyncio.run(pool.run(None, 30, os.getpid)) == workers[0]
        page = client.get("/s/kz/results")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        assert page.headers["content-language"] == "en"
        # drawn by the worker: the server's own template environment never compiled the results page
        assert "survey_results.html" not in {name for _, name in web.environment.cache}
        assert "<h2>Answers by question</h2>" in page.text
        computed = cache.computed
        assert client.get("/s/kz/results.json").json() == first.json() and cache.computed == computed
        # the figures are those computed in this process from the same snapshot, value for value
        here = counted_context(web.case, store, "kz", "en")
        assert first.json() == here["data"] and client.get("/s/kz/results.csv").text == here["csv"]
        assert client.get("/s/kz/likert.svg").text == here["charts"]["wide"]
        russian = client.get("/s/kz/results?lang=ru")
        assert "<h2>Ответы по вопросам</h2>" in russian.text and cache.computed == computed + 1

        # a new snapshot (10 more answers: the threshold) is a new page, never the old one
        for number in range(10, 20):
            store.submit("kz", f"worker-{number:04d}", varied(number))
        second = client.get("/s/kz/results.json").json()
        assert (second["snapshot"]["number"], second["responses"]) == (2, 20)
        assert second == counted_context(web.case, store, "kz", "en")["data"] != first.json()
        assert cache.computed == computed + 2 and all(key[1] == 2 for key in cache.entries)
        assert client.get("/s/kz/results").text != page.text
        assert pool.pids() == workers  # the same worker, kept between views
    assert pool.pids() == [] and not alive(workers[0])  # stopped and waited for with the server


def test_a_worker_that_dies_is_replaced_and_the_page_answers_503_meanwhile_never_500(app):
    store = app.state.web.survey_store
    pool = results_pool(app)
    with make_client(app) as client:
        for number in range(10):
            store.submit("kz", f"lost-{number:04d}", varied(number))
        # the worker busy for a few seconds, so that the first view waits behind it, then killed
        lost, before = answer_while_the_workers_die(pool, 1, lambda: client.get("/s/kz/results"))
        assert lost.status_code == 503 and lost.headers["retry-after"] == "5"
        assert ("The process preparing the results stopped before they were ready; a new one has started. Reload "
                "in a few seconds.") in lost.text
        again = client.get("/s/kz/results.json")
        assert again.status_code == 200 and again.json()["responses"] == 10
        assert pool.pids() and not set(pool.pids()) & set(before)
