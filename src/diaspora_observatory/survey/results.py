"""Published survey results: every figure from one snapshot of the answers, under disclosure control.

The rule (docs/survey.md, "Published results and disclosure control"), for a survey's threshold T:

* every question is published as groups of its categories over all N respondents of the snapshot, each
  group holding at least T (:func:`~diaspora_observatory.analysis.disclosure.merge_groups`); "no answer"
  is a category for a question that may be skipped, merged by the same rule (on a scale, counted with
  the last run), so N minus the number who answered is no more exact than any other small count; and a
  merge is published only when a reader who knows the rule still has two values for every merged
  category (:mod:`~diaspora_observatory.analysis.merge_audit`), else the question is one group;
* a mean, standard deviation and interval only for a scale item shown without any merge: then they are
  functions of the published counts and add nothing; with a merge they would pin the hidden split;
* Cronbach's alpha only for a scale of at least three items all shown without merges;
* a cross-tabulation on the questions' published groups, interior cells under primary and secondary
  suppression, its margins being the one-way counts (public anyway);
* free-text answers never.

Each function takes the snapshot's answers either as a frame (one row per respondent: the CLI, tests)
or as :class:`~diaspora_observatory.survey.tallies.Tallies` (the database's counts of each distinct
answer: the web page, whatever the snapshot's size). Only the counting differs between the two; the
rules above are applied once, to the counts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from diaspora_observatory.analysis.disclosure import THRESHOLD, margins_known, merge_groups, suppress
from diaspora_observatory.analysis.likert import (
    counted_cronbach_alpha,
    counted_item_mean,
    cronbach_alpha,
    item_means,
    wilson_interval,
)
from diaspora_observatory.survey.model import Form, Question
from diaspora_observatory.survey.tallies import Tallies

# A snapshot's answers: one row per respondent, or the database's counts of each distinct answer.
Answers = pd.DataFrame | Tallies

SOURCE_ID = "survey-collected"
NO_ANSWER = "_no_answer"
GROUP_COLUMNS = ["group", "categories", "label", "count", "share", "ci_low", "ci_high", "n", "merged"]


def _groups_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The rows as a table whose counts stay whole numbers (``<NA>`` when hidden)."""
    table = pd.DataFrame(rows, columns=GROUP_COLUMNS)
    for column in ("count", "n"):
        table[column] = pd.array([row[column] for row in rows], dtype="Int64")
    return table


def responses_frame(form: Form, responses: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per response, one column per question that takes an answer (missing answers empty)."""
    names = [question.name for question in form.answer_questions()]
    return pd.DataFrame([{name: response["answers"].get(name) for name in names} for response in responses],
                        columns=names, dtype=object)


def categorical_frame(form: Form, answers: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """The answers to the form's choice questions, one row per response, read from ``answers`` one at a
    time (a stream from the store): what :func:`responses_frame` gives for those columns, without
    holding every response (with its free text) at once. Equal strings are kept once, so a large
    snapshot costs a pointer per cell."""
    names = [question.name for question in categorical_items(form)]
    columns: dict[str, list[Any]] = {name: [] for name in names}
    known: dict[str, str] = {}
    for answer in answers:
        for name in names:
            value = answer.get(name)
            if isinstance(value, str):
                value = known.setdefault(value, value)
            columns[name].append(value)
    return pd.DataFrame(columns, columns=names, dtype=object)


def is_scale(form: Form, question: Question) -> bool:
    """A single-choice item whose choice names are all whole numbers (a Likert or rating scale)."""
    options = form.options(question)
    return (question.kind == "select_one" and bool(options)
            and all(choice.name.lstrip("-").isdigit() for choice in options))


def categorical_items(form: Form) -> list[Question]:
    return [question for question in form.answer_questions() if question.kind in ("select_one", "select_multiple")]


def snapshot_size(answers: Answers) -> int:
    return answers.size if isinstance(answers, Tallies) else len(answers)


def _missing(value: Any) -> bool:
    """What ``Series.isna`` says of one answer: none given (``None``; NaN cannot come from JSON)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def may_be_skipped(question: Question, some_missing: bool) -> bool:
    """Whether "no answer" is a category of the question: it is optional, depends on another answer, or
    some respondent of the snapshot did not answer it."""
    return not question.required or bool(question.relevant) or some_missing


def category_counts(form: Form, frame: Answers, question: Question) -> pd.Series:
    """Respondents per category of a single-choice question over the whole snapshot, every category
    listed (zeros kept), ``NO_ANSWER`` last when the question may be skipped."""
    names = [choice.name for choice in form.options(question)]
    if isinstance(frame, Tallies):
        pairs = [(str(value), count) for value, count in frame.values(question.name) if not _missing(value)]
        counts = pd.Series({name: sum(count for value, count in pairs if value == name) for name in names},
                           dtype="int64")
        if may_be_skipped(question, sum(count for _, count in pairs) < frame.size):
            known = set(names)
            counts[NO_ANSWER] = frame.size - sum(count for value, count in pairs if value in known)
        return counts
    values = frame[question.name]
    answered = values.dropna().astype(str)
    counts = pd.Series({name: int((answered == name).sum()) for name in names}, dtype="int64")
    if may_be_skipped(question, bool(values.isna().any())):
        counts[NO_ANSWER] = int(len(values) - (answered.isin(names)).sum())
    return counts


def _category_label(form: Form, question: Question, name: str, language: str, translate: Callable[[str], str]) -> str:
    return translate("No answer") if name == NO_ANSWER else form.choice_label(question, name, language)


def group_label(form: Form, question: Question, group: list[str], language: str,
                translate: Callable[[str], str] = str) -> str:
    """A group's name: the category's label; a run of scale points as "first – last"; a pool as a list."""
    inside = [name for name in group if name != NO_ANSWER]
    labels = [_category_label(form, question, name, language, translate) for name in inside]
    if is_scale(form, question) and len(labels) > 2:
        labels = [f"{labels[0]} – {labels[-1]}"]
    elif is_scale(form, question) and len(labels) == 2:
        labels = [f"{labels[0]} – {labels[1]}"]
    if NO_ANSWER in group:
        labels.append(translate("No answer"))
    return ", ".join(labels)


def item_groups(form: Form, frame: Answers, question: Question, language: str = "en",
                threshold: int = THRESHOLD, translate: Callable[[str], str] = str) -> pd.DataFrame:
    """A single-choice question as published: one row per group of categories.

    Columns: group (the category names joined by "+"), categories (list), label, count, share (of all
    respondents of the snapshot), ci_low, ci_high (Wilson), n (respondents of the snapshot), merged (more
    than one category). With fewer than ``threshold`` respondents there is one group and every number is
    missing.
    """
    counts = category_counts(form, frame, question)
    total = int(counts.sum())
    groups = merge_groups(counts, threshold, ordered=is_scale(form, question), unordered=(NO_ANSWER,))
    rows = []
    for group in groups:
        count = int(sum(counts[name] for name in group))
        shown = total >= threshold
        low, high = wilson_interval(count, total) if shown and total else (math.nan, math.nan)
        rows.append({"group": "+".join(group), "categories": group,
                     "label": group_label(form, question, group, language, translate),
                     "count": count if shown else None, "share": count / total if shown and total else math.nan,
                     "ci_low": low, "ci_high": high, "n": total if shown else None, "merged": len(group) > 1})
    return _groups_table(rows)


def _chose(value: Any, name: str) -> bool:
    return name in (value if isinstance(value, list) else [value])


def choice_counts(form: Form, frame: Answers, question: Question, language: str = "en",
                  threshold: int = THRESHOLD) -> pd.DataFrame:
    """A multiple-choice question: each category is its own yes/no question over all respondents; a
    count is shown only when both those who chose it and those who did not number at least ``threshold``."""
    total = snapshot_size(frame)
    rows = []
    for choice in form.options(question):
        if isinstance(frame, Tallies):
            count = sum(number for value, number in frame.values(question.name)
                        if not _missing(value) and _chose(value, choice.name))
        else:
            count = sum(1 for value in frame[question.name].dropna() if _chose(value, choice.name))
        shown = count >= threshold and total - count >= threshold
        low, high = wilson_interval(count, total) if shown else (math.nan, math.nan)
        rows.append({"group": choice.name, "categories": [choice.name],
                     "label": form.choice_label(question, choice.name, language),
                     "count": count if shown else None, "share": count / total if shown else math.nan,
                     "ci_low": low, "ci_high": high, "n": total if total >= threshold else None, "merged": False})
    return _groups_table(rows)


def published_groups(form: Form, frame: Answers, question: Question, language: str = "en",
                     threshold: int = THRESHOLD, translate: Callable[[str], str] = str) -> pd.DataFrame:
    if question.kind == "select_multiple":
        return choice_counts(form, frame, question, language, threshold)
    return item_groups(form, frame, question, language, threshold, translate)


def unmerged(form: Form, frame: Answers, question: Question, threshold: int = THRESHOLD) -> bool:
    """Whether the question is published category by category (no group merges two)."""
    counts = category_counts(form, frame, question)
    groups = merge_groups(counts, threshold, ordered=is_scale(form, question), unordered=(NO_ANSWER,))
    return int(counts.sum()) >= threshold and all(len(group) == 1 for group in groups)


def _numeric(values: list[Any]) -> np.ndarray:
    """Answers as numbers the way :func:`~diaspora_observatory.analysis.likert.item_means` reads them
    (``pd.to_numeric``, anything else NaN)."""
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)


def _counted_means(frame: Tallies, names: list[str]) -> pd.DataFrame:
    rows = []
    for name in names:
        pairs = frame.values(name)
        values = _numeric([value for value, _ in pairs])
        counts = np.array([count for _, count in pairs], dtype=float)
        kept = ~np.isnan(values)
        rows.append({"item": name, **counted_item_mean(values[kept], counts[kept])})
    return pd.DataFrame(rows, columns=["item", "n", "mean", "sd", "ci_low", "ci_high"])


def scale_means(form: Form, frame: Answers, language: str = "en", threshold: int = THRESHOLD) -> pd.DataFrame:
    """Mean, sd and 95 % interval of each scale item over those who answered it, published only for an
    item shown without merges (otherwise they, with the group counts, would give the hidden split away)."""
    items = [question for question in form.answer_questions() if is_scale(form, question)]
    names = [question.name for question in items]
    means = _counted_means(frame, names) if isinstance(frame, Tallies) else item_means(frame, names)
    means.insert(1, "label", [form.text(question.labels, language) for question in items])
    hidden = pd.Series([not unmerged(form, frame, question, threshold) or n < threshold
                        for question, n in zip(items, means["n"], strict=True)], dtype=bool)
    for column in ("mean", "sd", "ci_low", "ci_high"):
        means[column] = means[column].mask(hidden)
    means["n"] = pd.Series([None if hide else int(n) for hide, n in zip(hidden, means["n"], strict=True)],
                           dtype=object)
    means["suppressed"] = hidden
    return means


def scale_groups(form: Form) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for question in form.answer_questions():
        if is_scale(form, question):
            groups.setdefault(question.list_name or "", []).append(question.name)
    return groups


def alpha_published(form: Form, frame: Answers, items: list[str], threshold: int = THRESHOLD) -> bool:
    return len(items) >= 3 and all(unmerged(form, frame, form.question(name), threshold) for name in items)


def _alpha(frame: Answers, items: list[str]) -> tuple[float, int]:
    if not isinstance(frame, Tallies):
        return cronbach_alpha(frame[items])
    combinations = frame.combinations(items)
    values = np.column_stack([_numeric([row[index] for row, _ in combinations]) for index in range(len(items))])
    counts = np.array([count for _, count in combinations], dtype=float)
    complete = ~np.isnan(values).any(axis=1)
    return counted_cronbach_alpha(values[complete], counts[complete])


def scale_reliability(form: Form, frame: Answers, threshold: int = THRESHOLD) -> pd.DataFrame:
    """Cronbach's alpha of each group of scale items sharing one choice list: published for three or
    more items all shown without merges, answered completely by at least ``threshold`` respondents."""
    rows = []
    for list_name, items in scale_groups(form).items():
        if len(items) < 2:
            continue
        alpha, n = _alpha(frame, items)
        shown = alpha_published(form, frame, items, threshold) and n >= threshold
        rows.append({"scale": list_name, "items": ", ".join(items), "n": n if shown else None,
                     "alpha": alpha if shown else math.nan, "suppressed": not shown})
    return pd.DataFrame(rows, columns=["scale", "items", "n", "alpha", "suppressed"])


def group_of(groups: list[list[str]]) -> dict[str, str]:
    return {name: "+".join(group) for group in groups for name in group}


def _group_key(value: Any, lookup: dict[str, str]) -> str | None:
    return lookup.get(NO_ANSWER if value is None or value != value else str(value))


def _counted_crosstab(frame: Tallies, row_item: str, column_item: str, row_lookup: dict[str, str],
                      column_lookup: dict[str, str]) -> pd.DataFrame:
    cells: dict[tuple[str, str], int] = {}
    for (row_value, column_value), count in frame.combinations([row_item, column_item]):
        row_key, column_key = _group_key(row_value, row_lookup), _group_key(column_value, column_lookup)
        if row_key is not None and column_key is not None:  # as pd.crosstab leaves out unmatched answers
            cells[(row_key, column_key)] = cells.get((row_key, column_key), 0) + count
    rows = sorted({row for row, _ in cells})
    columns = sorted({column for _, column in cells})
    return pd.DataFrame([[cells.get((row, column), 0) for column in columns] for row in rows],
                        index=pd.Index(rows, dtype=object), columns=pd.Index(columns, dtype=object), dtype="int64")


def crosstab_published(form: Form, frame: Answers, row_item: str, column_item: str,
                       threshold: int = THRESHOLD) -> pd.DataFrame | None:
    """Respondents by the published groups of two single-choice questions, with margins, interior cells
    under primary and secondary suppression. The margins are the questions' one-way counts, so they are
    fixed (never hidden, and never relied on to hide). None when either question has fewer than two
    groups (the table would only repeat the other's counts).

    Two items of one scale whose alpha is published are cross-tabulated only when no cell is hidden:
    alpha with the other pairs' tables gives their covariance, one more equation on the hidden cells.
    """
    row_question, column_question = form.question(row_item), form.question(column_item)
    axes = []
    for question in (row_question, column_question):
        counts = category_counts(form, frame, question)
        groups = [group for group in merge_groups(counts, threshold, ordered=is_scale(form, question),
                                                  unordered=(NO_ANSWER,))
                  if sum(counts[name] for name in group) > 0]  # a zero no-answer group: a known zero line
        if int(counts.sum()) < threshold or len(groups) < 2:
            return None
        axes.append(groups)
    row_groups, column_groups = axes

    if isinstance(frame, Tallies):
        counted = _counted_crosstab(frame, row_item, column_item, group_of(row_groups), group_of(column_groups))
    else:
        def keys(question: Question, groups: list[list[str]]) -> pd.Series:
            lookup = group_of(groups)
            values = frame[question.name].map(
                lambda value: NO_ANSWER if value is None or value != value else str(value))
            return values.map(lookup)

        both = pd.DataFrame({"row": keys(row_question, row_groups), "column": keys(column_question, column_groups)})
        counted = pd.crosstab(both["row"], both["column"])
    table = counted.reindex(
        index=["+".join(group) for group in row_groups], columns=["+".join(group) for group in column_groups],
        fill_value=0).astype("int64")
    table.index.name, table.columns.name = row_item, column_item
    published = suppress(table, threshold, margins_known(table))
    same_scale = next((items for items in scale_groups(form).values()
                       if row_item in items and column_item in items), None)
    if same_scale and alpha_published(form, frame, same_scale, threshold) and published.isna().to_numpy().any():
        published.iloc[:-1, :-1] = pd.NA
    return published


def published_beside(case: Any, form: Form, language: str = "en") -> pd.DataFrame:
    """The study's published figures for the items this form shares with it (by name), with sources."""
    from diaspora_observatory.analysis.survey import published_survey

    names = {question.name for question in form.answer_questions()}
    published = published_survey(case, language)
    return published[published["item_id"].isin(names)].reset_index(drop=True)
