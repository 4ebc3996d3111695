"""What the results page, its JSON and CSV twins and its chart show: published (suppressed) figures only."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from diaspora_observatory.analysis.disclosure import THRESHOLD
from diaspora_observatory.survey.charts import diverging_bars_svg
from diaspora_observatory.survey.exports import to_safe_csv
from diaspora_observatory.survey.results import (
    SOURCE_ID,
    categorical_items,
    crosstab_published,
    is_scale,
    item_distribution,
    published_beside,
    responses_frame,
    scale_means,
    scale_reliability,
)


def _plain(value: Any) -> Any:
    """A JSON-ready value: missing and hidden numbers become null."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [{column: _plain(value) for column, value in row.items()} for row in table.astype(object).to_dict("records")]


def results_context(case: Any, record: Any, responses: list[dict[str, Any]], language: str,
                    by: str | None = None, row_item: str | None = None) -> dict[str, Any]:
    """Everything the results page shows, as tables and as JSON/CSV, under disclosure control."""
    form = record.form
    frame = responses_frame(form, responses)
    items = []
    long_rows = []
    for question in categorical_items(form):
        table = item_distribution(form, frame, question, language)
        items.append({"name": question.name, "label": form.text(question.labels, language),
                      "scale": is_scale(form, question), "table": table, "records": _records(table)})
        for entry in _records(table):
            long_rows.append({"item": question.name, **entry, "source": SOURCE_ID})
    means = scale_means(form, frame, language)
    reliability = scale_reliability(form, frame)
    single = [question.name for question in categorical_items(form) if question.kind == "select_one"]
    crosstab = None
    if by in single and (row_item or single[0]) in single and (row_item or single[0]) != by:
        crosstab = crosstab_published(form, frame, row_item or single[0], by)
    published = published_beside(case, form, language) if case is not None else pd.DataFrame()
    data = {"survey": record.slug, "title": record.title, "responses": len(responses), "threshold": THRESHOLD,
            "as_of": dt.date.today().isoformat(), "source": SOURCE_ID,
            "items": [{"item": item["name"], "label": item["label"], "categories": item["records"]} for item in items],
            "means": _records(means), "reliability": _records(reliability),
            "published": _records(published) if len(published) else []}
    if crosstab is not None:
        data["crosstab"] = {"rows": crosstab.index.name, "columns": crosstab.columns.name,
                            "cells": {str(index): {str(column): _plain(value) for column, value in row.items()}
                                      for index, row in crosstab.astype(object).iterrows()}}
    crosstab_view = None
    if crosstab is not None:
        row_question, column_question = form.question(crosstab.index.name), form.question(crosstab.columns.name)

        def label(question: Any, name: str) -> str:
            return name if name == "Total" else form.choice_label(question, name, language)

        crosstab_view = {"columns": [label(column_question, column) for column in crosstab.columns],
                         "rows": [(label(row_question, index), [_plain(value) for value in row])
                                  for index, row in crosstab.astype(object).iterrows()]}
    return {"record": record, "items": items, "means": _records(means), "reliability": _records(reliability),
            "published": _records(published) if len(published) else [], "crosstab": crosstab_view,
            "single_items": [(name, form.text(form.question(name).labels, language)) for name in single],
            "by": by, "row_item": row_item or (single[0] if single else None), "responses": len(responses),
            "threshold": THRESHOLD, "data": data, "has_scales": any(item["scale"] for item in items),
            "csv": to_safe_csv(pd.DataFrame(long_rows, columns=["item", "category", "label", "count", "share", "ci_low",
                                                               "ci_high", "n", "suppressed", "source"]))}


def scale_chart_svg(record: Any, responses: list[dict[str, Any]], language: str, hidden_text: str) -> str:
    """The diverging stacked bars of the form's scale items sharing the first scale's choice list."""
    form = record.form
    frame = responses_frame(form, responses)
    scales = [question for question in form.answer_questions() if is_scale(form, question)]
    if not scales:
        return diverging_bars_svg([], [], hidden_text)
    list_name = scales[0].list_name
    chosen = [question for question in scales if question.list_name == list_name]
    legend = [form.text(choice.labels, language) or choice.name for choice in form.options(chosen[0])]
    bars = [(form.text(question.labels, language), item_distribution(form, frame, question, language))
            for question in chosen]
    return diverging_bars_svg(bars, legend, hidden_text)
