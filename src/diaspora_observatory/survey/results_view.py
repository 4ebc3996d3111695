"""What the results page, its JSON and CSV twins and its chart show: one snapshot's published figures only.

Everything here is computed from a :class:`~diaspora_observatory.survey.storage.Snapshot`, never from the
live answers, so the page and its alternates change only when a new snapshot is taken. The web page
gives the snapshot as the database's counts (:mod:`~diaspora_observatory.survey.tallies`), so its cost
and memory do not grow with the number of answers; the CLI gives the answers themselves.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any
from weakref import WeakKeyDictionary

import pandas as pd

from diaspora_observatory.survey.charts import diverging_bars_svg
from diaspora_observatory.survey.exports import to_safe_csv
from diaspora_observatory.survey.results import (
    SOURCE_ID,
    Answers,
    categorical_items,
    crosstab_release,
    is_scale,
    published_beside,
    published_groups,
    responses_frame,
    scale_means,
    scale_reliability,
    snapshot_size,
)
from diaspora_observatory.survey.tallies import Tallies

CSV_COLUMNS = ["item", "group", "categories", "label", "count", "share", "ci_low", "ci_high", "n", "merged",
               "snapshot", "source"]


def _plain(value: Any) -> Any:
    """A JSON-ready value: missing and hidden numbers become null."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, list):
        return value
    if hasattr(value, "item"):
        return value.item()
    return value


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(column): _plain(value) for column, value in row.items()}
            for row in table.astype(object).to_dict("records")]


def _identity(text: str) -> str:
    return text


def results_context(case: Any, snapshot: Any, language: str, by: str | None = None, row_item: str | None = None,
                    translate: Callable[[str], str] = _identity, frame: Answers | None = None) -> dict[str, Any]:
    """Everything the results page shows, as tables and as JSON/CSV, under disclosure control.

    ``frame`` is the snapshot's answers as a frame (:func:`~diaspora_observatory.survey.results.categorical_frame`)
    or counted by the database (:class:`~diaspora_observatory.survey.tallies.Tallies`, the web page);
    without it, ``snapshot.responses``."""
    record = snapshot.record
    form, threshold = record.form, record.threshold
    if frame is None:
        frame = responses_frame(form, snapshot.responses)
    size = snapshot_size(frame)
    items, long_rows = [], []
    for question in categorical_items(form):
        table = published_groups(form, frame, question, language, threshold, translate)
        records = _records(table)
        items.append({"name": question.name, "label": form.text(question.labels, language),
                      "scale": is_scale(form, question), "multiple": question.kind == "select_multiple",
                      "hidden": all(row["count"] is None for row in records),
                      "merged": [row["label"] for row in records if row["merged"]], "records": records})
        for entry in records:
            long_rows.append({"item": question.name, **entry, "categories": " ".join(entry["categories"]),
                              "snapshot": snapshot.number, "source": SOURCE_ID})
    means = scale_means(form, frame, language, threshold)
    reliability = scale_reliability(form, frame, threshold)
    single = [question.name for question in categorical_items(form) if question.kind == "select_one"]
    row_item = row_item if row_item in single else (single[0] if single else None)
    crosstab, release = None, None
    if row_item is not None and by in single and row_item != by:
        release = crosstab_release(form, frame, row_item, by, threshold)
        crosstab = release.table if release is not None else None
    published = published_beside(case, form, language) if case is not None else pd.DataFrame()
    taken_on = snapshot.taken_on.isoformat() if snapshot.taken_on else None
    about = {"number": snapshot.number, "taken_on": taken_on, "responses": size}
    data = {"survey": record.slug, "title": record.title, "threshold": threshold, "publish": record.publish,
            "snapshot": about, "responses": size, "source": SOURCE_ID,
            "items": [{"item": item["name"], "label": item["label"], "merged": item["merged"],
                       "groups": item["records"]} for item in items],
            "means": _records(means), "reliability": _records(reliability),
            "published": _records(published) if len(published) else []}
    crosstab_view = None
    if by in single and row_item != by:
        data["crosstab"] = {"rows": row_item, "columns": by, "cells": None, "withheld": False}
    if crosstab is not None and release is not None:
        data["crosstab"]["cells"] = {str(index): {str(column): _plain(value) for column, value in row.items()}
                                     for index, row in crosstab.astype(object).iterrows()}
        data["crosstab"]["withheld"] = release.withheld
        # The cross-tabulation asked for is in the CSV too, one row per cell (hidden cells empty).
        for index, row in crosstab.astype(object).iterrows():
            for column, value in row.items():
                long_rows.append({"item": f"{row_item} x {by}", "group": f"{index} x {column}",
                                  "categories": "", "label": "", "count": _plain(value), "share": None,
                                  "ci_low": None, "ci_high": None, "n": size, "merged": False,
                                  "snapshot": snapshot.number, "source": SOURCE_ID})
        labels = {}
        for item in items:
            for row in item["records"]:
                labels[(item["name"], row["group"])] = row["label"]

        def label(item_name: str | None, key: Hashable) -> str:
            return translate("Total") if key == "Total" else str(labels.get((item_name, key), key))

        crosstab_view = {"columns": [label(by, column) for column in crosstab.columns],
                         "rows": [(label(row_item, index), [_plain(value) for value in row])
                                  for index, row in crosstab.astype(object).iterrows()]}
    return {"record": record, "snapshot": about, "items": items, "means": _records(means),
            "reliability": _records(reliability), "published": _records(published) if len(published) else [],
            "crosstab": crosstab_view, "crosstab_asked": by in single and row_item != by,
            "crosstab_withheld": release is not None and release.withheld,
            "single_items": [(name, form.text(form.question(name).labels, language)) for name in single],
            "by": by, "row_item": row_item, "responses": size,
            "threshold": threshold, "data": data, "has_scales": any(item["scale"] for item in items),
            "charts": {layout: scale_chart_svg(snapshot, language, translate(
                "not drawn: too few answers for two groups"), layout, translate, frame)
                for layout in ("wide", "narrow")},
            "csv": to_safe_csv(_long_table(long_rows))}


def counted_context(case: Any, store: Any, slug: str, language: str, by: str | None = None,
                    row_item: str | None = None, translate: Callable[[str], str] = _identity) -> dict[str, Any]:
    """:func:`results_context` of ``slug``'s published snapshot counted by ``store``'s database (the CLI's
    ``survey results``): the figures, CSV and JSON of the page, in memory that does not grow with the
    number of answers (:class:`ResultsCache` does the same for the page, and keeps it)."""
    state = store.snapshot_state(slug)
    names = [question.name for question in categorical_items(state.record.form)]
    tallies = Tallies(store, slug, state.number, state.size, names)
    return results_context(case, state, language, by, row_item, translate, tallies)


def _long_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The CSV's rows, counts as whole numbers (a hidden one empty, never a float's 36.0)."""
    table = pd.DataFrame(rows, columns=CSV_COLUMNS)
    for column in ("count", "n"):
        table[column] = pd.array([row[column] for row in rows], dtype="Int64")
    return table


def scale_chart_svg(snapshot: Any, language: str, hidden_text: str, layout: str = "wide",
                    translate: Callable[[str], str] = _identity, frame: Answers | None = None) -> str:
    """The diverging stacked bars of the form's scale items sharing the first scale's choice list."""
    record = snapshot.record
    form = record.form
    if frame is None:
        frame = responses_frame(form, snapshot.responses)
    scales = [question for question in form.answer_questions() if is_scale(form, question)]
    if not scales:
        return diverging_bars_svg([], [], hidden_text, layout=layout)
    list_name = scales[0].list_name
    chosen = [question for question in scales if question.list_name == list_name]
    options = form.options(chosen[0])
    legend = [form.text(choice.labels, language) or choice.name for choice in options]
    positions = {choice.name: index for index, choice in enumerate(options)}
    bars = [(form.text(question.labels, language),
             published_groups(form, frame, question, language, record.threshold, translate)) for question in chosen]
    return diverging_bars_svg(bars, legend, hidden_text, positions, layout)


class ResultsCache:
    """Computed results pages of one store, keyed by what they depend on: the survey and which creation of
    its slug it is (one deleted and added again starts its snapshots at 1 again), its snapshot number,
    its definition and threshold (a coordinator may change either between snapshots), the language and
    the cross-tabulation asked for. A snapshot never changes once taken, so an entry is right until a new
    snapshot is taken; then the survey's older entries are dropped. A repeated view is a dictionary
    lookup; a first view is computed elsewhere (the web page: in a page worker process, survey/results_worker.py,
    which asks the database for the snapshot's counts: one scan for every question's answers, one more for each
    scale's and cross-tabulation's combinations; never a row per answer in Python) and kept here with
    :meth:`keep`. ``token`` names this cache (and so its store object) in the workers' own keys, unique in the
    process: two stores on one database URL (a PostgreSQL database emptied and filled again) never share one."""

    def __init__(self, store: Any, limit: int = 64) -> None:
        self.store = store
        self.limit = limit
        self.entries: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
        self.lock = threading.Lock()
        self.token = next(_tokens)
        self.computed = 0  # how many contexts were computed (tests read it to tell a hit from a miss)

    def state_and_key(self, slug: str, language: str, by: str | None,
                      row_item: str | None) -> tuple[Any, tuple[Any, ...]]:
        """``slug``'s published snapshot state and the key of its page (blocking: call it on a worker thread;
        it takes a due snapshot first: a few indexed counts). The key holds only real questions for ``by`` and
        ``row_item`` (its space stays bounded): ``key[-2:]`` are the ones to compute with."""
        state = self.store.snapshot_state(slug)
        record = state.record
        single = [question.name for question in categorical_items(record.form) if question.kind == "select_one"]
        by = by if by in single else None
        row_item = row_item if row_item in single else None
        return state, (slug, state.number, state.creation, state.definition, record.threshold, record.title,
                       record.publish, language, by, row_item)

    def cached(self, key: tuple[Any, ...]) -> dict[str, Any] | None:
        """The kept context of ``key``, or None (then compute it and :meth:`keep` it)."""
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
            return None

    def keep(self, key: tuple[Any, ...], context: dict[str, Any]) -> dict[str, Any]:
        """Keep the context computed for ``key`` (its survey's entries of other snapshots or of another creation
        go) and return the one kept: a context computed for the same key meanwhile is the same page, and the
        first one stays."""
        with self.lock:
            if key in self.entries:
                return self.entries[key]
            self.computed += 1
            for old in [old for old in self.entries if old[0] == key[0] and old[1:3] != key[1:3]]:
                del self.entries[old]
            self.entries[key] = context
            while len(self.entries) > self.limit:
                self.entries.popitem(last=False)
            return context


_tokens = itertools.count(1)
_caches: WeakKeyDictionary[Any, ResultsCache] = WeakKeyDictionary()
_caches_lock = threading.Lock()


def results_cache(store: Any) -> ResultsCache:
    """The results cache of ``store`` (one per store object, gone with it)."""
    with _caches_lock:
        cache = _caches.get(store)
        if cache is None:
            cache = _caches[store] = ResultsCache(store)
        return cache
