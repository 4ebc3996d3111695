"""Published survey results: every figure from the answers, under disclosure control.

Counts under the threshold (10 respondents) are hidden with enough others that totals do not give them
away (:mod:`diaspora_observatory.analysis.disclosure`); a mean, interval or alpha is shown only when at
least the threshold of respondents stands behind it. Free-text answers are never published.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from diaspora_observatory.analysis.disclosure import THRESHOLD, TOTAL, suppress, suppress_counts
from diaspora_observatory.analysis.likert import cronbach_alpha, crosstab, distribution, item_means
from diaspora_observatory.survey.model import Form, Question

SOURCE_ID = "survey-collected"


def responses_frame(form: Form, responses: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per response, one column per question that takes an answer (missing answers empty)."""
    names = [question.name for question in form.answer_questions()]
    return pd.DataFrame([{name: response["answers"].get(name) for name in names} for response in responses],
                        columns=names, dtype=object)


def is_scale(form: Form, question: Question) -> bool:
    """A single-choice item whose choice names are all whole numbers (a Likert or rating scale)."""
    options = form.options(question)
    return (question.kind == "select_one" and bool(options)
            and all(choice.name.lstrip("-").isdigit() for choice in options))


def categorical_items(form: Form) -> list[Question]:
    return [question for question in form.answer_questions() if question.kind in ("select_one", "select_multiple")]


def item_distribution(form: Form, frame: pd.DataFrame, question: Question, language: str = "en",
                      threshold: int = THRESHOLD) -> pd.DataFrame:
    """The categories of one choice item: count, share and Wilson interval, hidden where disclosive.

    Columns: category, label, count (``<NA>`` when hidden), share, ci_low, ci_high, n, suppressed.
    """
    categories = [choice.name for choice in form.options(question)]
    table = distribution(frame[question.name], categories)
    counts = table.set_index("category")["count"]
    if question.kind == "select_multiple":
        # Each category of a multiple choice is its own yes/no question: no total to protect, only the cell.
        published = counts.astype("Int64").mask(counts < threshold)
        n_shown = int(table["n"].iloc[0]) if int(table["n"].iloc[0]) >= threshold else None
    else:
        published_with_total = suppress_counts(counts, threshold)
        published = published_with_total.drop(TOTAL)
        n_shown = None if pd.isna(published_with_total[TOTAL]) else int(published_with_total[TOTAL])
    hidden = published.isna().to_numpy()
    table["label"] = [form.choice_label(question, name, language) for name in categories]
    table["count"] = pd.array(published.to_numpy(), dtype="Int64")
    for column in ("share", "ci_low", "ci_high"):
        table[column] = table[column].mask(hidden)
    table["n"] = n_shown
    table["suppressed"] = hidden
    return table[["category", "label", "count", "share", "ci_low", "ci_high", "n", "suppressed"]]


def scale_means(form: Form, frame: pd.DataFrame, language: str = "en", threshold: int = THRESHOLD) -> pd.DataFrame:
    """Mean and 95 % interval of each numeric scale item; hidden (NaN) when fewer than ``threshold`` answered."""
    items = [question for question in form.answer_questions() if is_scale(form, question)]
    means = item_means(frame, [question.name for question in items])
    means.insert(1, "label", [form.text(question.labels, language) for question in items])
    small = means["n"] < threshold
    for column in ("mean", "sd", "ci_low", "ci_high"):
        means[column] = means[column].mask(small)
    means["suppressed"] = small
    return means


def scale_reliability(form: Form, frame: pd.DataFrame, threshold: int = THRESHOLD) -> pd.DataFrame:
    """Cronbach's alpha of each group of two or more scale items sharing one choice list."""
    groups: dict[str, list[str]] = {}
    for question in form.answer_questions():
        if is_scale(form, question):
            groups.setdefault(question.list_name or "", []).append(question.name)
    rows = []
    for list_name, items in groups.items():
        if len(items) < 2:
            continue
        alpha, n = cronbach_alpha(frame[items])
        rows.append({"scale": list_name, "items": ", ".join(items), "n": n,
                     "alpha": alpha if n >= threshold else math.nan, "suppressed": n < threshold})
    return pd.DataFrame(rows, columns=["scale", "items", "n", "alpha", "suppressed"])


def crosstab_published(form: Form, frame: pd.DataFrame, row_item: str, column_item: str,
                       threshold: int = THRESHOLD) -> pd.DataFrame:
    """Respondents by two single-choice items, with margins, under primary and secondary suppression."""
    row_question, column_question = form.question(row_item), form.question(column_item)
    table = crosstab(frame, row_item, column_item, [choice.name for choice in form.options(row_question)],
                     [choice.name for choice in form.options(column_question)])
    return suppress(table, threshold)


def published_beside(case: Any, form: Form, language: str = "en") -> pd.DataFrame:
    """The study's published figures for the items this form shares with it (by name), with sources."""
    from diaspora_observatory.analysis.survey import published_survey

    names = {question.name for question in form.answer_questions()}
    published = published_survey(case, language)
    return published[published["item_id"].isin(names)].reset_index(drop=True)
