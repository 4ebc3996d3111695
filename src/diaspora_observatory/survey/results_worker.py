"""The survey results page computed in a page worker process (web/pageprocesses.py), as the documents pages are:
the snapshot's counts asked of the database, the figures under disclosure control, the chart and the page's HTML,
all outside the server's interpreter, so that a first view of a large snapshot holds up no other visitor
(benchmarks/results/growth.md).

The server reads the snapshot's state itself (taking a due snapshot is a write, and stays with the server's store)
and sends it here with the database's URL; the worker only reads. It answers with the whole results context
(results_view.py) and the page drawn from it, which the server keeps until a new snapshot is taken.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from starlette.requests import Request

from diaspora_observatory.web.pageworker import Settings, start_web

# Imported once by the forkserver, so that each worker forked from it starts with them (results_view imports
# pandas, the analysis and the charts: most of a first view's fixed cost)
PRELOAD = ["diaspora_observatory.survey.results_worker", "diaspora_observatory.survey.results_view",
           "diaspora_observatory.survey.tallies", "diaspora_observatory.survey.storage"]
DATABASES_KEPT = 4  # engines a worker keeps open, one per database URL it was sent (one, outside the tests)
TALLIES_KEPT = 8  # snapshots whose counts a worker keeps, shared by their languages and cross-tabulations

_worker: dict[str, Any] = {}


class _Database:
    """The survey's database as the counts read it (tallies.Tallies): an engine, no migrations, no writes."""

    def __init__(self, url: str) -> None:
        from diaspora_observatory.survey.storage import make_engine

        self.engine = make_engine(url, pool_size=2)


def start_worker(settings: Settings) -> None:
    """A worker's first step: the shared web context, the survey's label filters (as survey/web.py adds them to
    the server's), and the results template compiled before any reader asks."""
    from diaspora_observatory.survey.markdown import label_html, label_text

    web = start_web(settings)
    web.environment.filters.update(markdown=label_html, markdown_plain=label_text)
    for name in ("survey_results.html", "base.html"):
        web.environment.get_template(name)
    _worker.update(web=web, databases=OrderedDict(), tallies=OrderedDict(), lock=threading.Lock())


def _counts(cache: int, url: str, state: Any) -> Any:
    """The snapshot's counts (tallies.Tallies), made once per snapshot, creation and definition of the server's
    cache ``cache`` (a number naming one store object of the server: two stores never share counts, even on one
    URL; a survey deleted and added again under its slug is a new creation, its snapshot 1 not the old one's)."""
    from diaspora_observatory.survey.results import categorical_items
    from diaspora_observatory.survey.tallies import Tallies

    databases, kept = _worker["databases"], _worker["tallies"]
    with _worker["lock"]:
        database = databases.get(url)
        if database is None:
            database = databases[url] = _Database(url)
            while len(databases) > DATABASES_KEPT:
                databases.popitem(last=False)[1].engine.dispose()
        key = (cache, url, state.record.slug, state.number, state.creation, state.definition)
        tallies = kept.get(key)
        if tallies is None:
            names = [question.name for question in categorical_items(state.record.form)]
            tallies = kept[key] = Tallies(database, state.record.slug, state.number, state.size, names)
            while len(kept) > TALLIES_KEPT:
                kept.popitem(last=False)
        return tallies


def results_page(cache: int, url: str, state: Any, language: str, by: str | None, row_item: str | None,
                 scope: dict) -> dict[str, Any]:
    """The results context of snapshot ``state`` (survey/results_view.py) and, under ``"rendered"``, the page
    drawn from it (its body and headers) for the request ``scope`` (the page's own path)."""
    from diaspora_observatory.survey.results_view import results_context

    web = _worker["web"]
    slug = state.record.slug
    context = results_context(web.case, state, language, by, row_item, web.catalogs.gettext(language),
                              _counts(cache, url, state))
    response = web.render(Request(scope), "survey_results.html", context, language=language,
                          alternates={"json": f"/s/{slug}/results.json", "csv": f"/s/{slug}/results.csv"})
    context["rendered"] = (bytes(response.body), dict(response.headers))
    return context
