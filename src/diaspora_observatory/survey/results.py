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
  suppression, its margins being the one-way counts (public anyway), the same cells in either order,
  withheld when the joint audit (:mod:`~diaspora_observatory.analysis.crosstab_audit`: this table, the
  margins and both questions' tables with each third question, by a reader who knows the rule) finds
  a hidden cell with one possible value;
* free-text answers never.

Each function takes the snapshot's answers either as a frame (one row per respondent: the CLI, tests)
or as :class:`~diaspora_observatory.survey.tallies.Tallies` (the database's counts of each distinct
answer: the web page, whatever the snapshot's size). Only the counting differs between the two; the
rules above are applied once, to the counts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from diaspora_observatory.analysis.crosstab_audit import Published, audit
from diaspora_observatory.analysis.disclosure import (
    THRESHOLD,
    merge_groups,
    suppression_pattern,
    with_margins,
)
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


def crosstab_axis(form: Form, frame: Answers, question: Question, threshold: int = THRESHOLD
                  ) -> tuple[list[list[str]], pd.Series] | None:
    """The published groups a cross-tabulation of ``question`` uses (a zero no-answer group left out: a
    known zero line), with their counts; None when the question has fewer than two such groups."""
    counts = category_counts(form, frame, question)
    groups = [group for group in merge_groups(counts, threshold, ordered=is_scale(form, question),
                                              unordered=(NO_ANSWER,))
              if sum(counts[name] for name in group) > 0]
    if int(counts.sum()) < threshold or len(groups) < 2:
        return None
    totals = pd.Series({"+".join(group): int(sum(counts[name] for name in group)) for group in groups}, dtype="int64")
    return groups, totals


def _group_codes(frame: pd.DataFrame, question: Question, groups: list[list[str]]) -> np.ndarray:
    """Each respondent's group number on ``question`` (-1 for a category outside ``groups``)."""
    lookup = {name: number for number, group in enumerate(groups) for name in group}
    return np.fromiter((lookup.get(NO_ANSWER if value is None or value != value else str(value), -1)
                        for value in frame[question.name]), dtype=np.int64, count=len(frame))


def _group_number(value: Any, lookup: dict[str, int]) -> int:
    return lookup.get(NO_ANSWER if value is None or value != value else str(value), -1)


def _counted_group_table(frame: Tallies, row_item: str, column_item: str, row_groups: list[list[str]],
                         column_groups: list[list[str]]) -> np.ndarray:
    """The database's counts of each pair of answers, added up by the published groups (an answer
    outside the groups left out, as :func:`_group_codes` leaves it out)."""
    row_lookup = {name: number for number, group in enumerate(row_groups) for name in group}
    column_lookup = {name: number for number, group in enumerate(column_groups) for name in group}
    counts = np.zeros((len(row_groups), len(column_groups)), dtype=np.int64)
    for (row_value, column_value), count in frame.combinations([row_item, column_item]):
        row, column = _group_number(row_value, row_lookup), _group_number(column_value, column_lookup)
        if row >= 0 and column >= 0:
            counts[row, column] += count
    return counts


def _group_table(form: Form, frame: Answers, row_item: str, column_item: str,
                 row_groups: list[list[str]], column_groups: list[list[str]]) -> pd.DataFrame:
    if isinstance(frame, Tallies):
        counts = _counted_group_table(frame, row_item, column_item, row_groups, column_groups)
    else:
        rows = _group_codes(frame, form.question(row_item), row_groups)
        columns = _group_codes(frame, form.question(column_item), column_groups)
        inside = (rows >= 0) & (columns >= 0)
        counts = np.bincount(rows[inside] * len(column_groups) + columns[inside], minlength=len(row_groups)
                             * len(column_groups)).reshape(len(row_groups), len(column_groups))
    return pd.DataFrame(counts.astype("int64"),
                        index=pd.Index(["+".join(group) for group in row_groups], name=row_item),
                        columns=pd.Index(["+".join(group) for group in column_groups], name=column_item))


def crosstab_rule(form: Form, frame: Answers, row_item: str, column_item: str,
                  threshold: int = THRESHOLD) -> Callable[[np.ndarray], np.ndarray]:
    """The suppression rule of the cross-tabulation of two questions, as a reader who knows it can run it
    on any candidate interior: primary and greedy secondary suppression with the margins known, and every
    cell hidden for two items of a scale whose alpha is published when any would be."""
    same_scale = next((items for items in scale_groups(form).values()
                       if row_item in items and column_item in items), None)
    all_or_nothing = bool(same_scale) and alpha_published(form, frame, same_scale or [], threshold)

    def rule(interior: np.ndarray) -> np.ndarray:
        rows, columns = interior.shape
        full = np.zeros((rows + 1, columns + 1))
        full[:-1, :-1] = interior
        full[:-1, -1] = interior.sum(axis=1)
        full[-1, :] = full[:-1, :].sum(axis=0)
        known = np.zeros(full.shape, dtype=bool)
        known[-1, :] = known[:, -1] = True
        mask = suppression_pattern(full, threshold, known)[:-1, :-1]
        return np.ones_like(mask) if all_or_nothing and mask.any() else mask

    return rule


@dataclass
class CrosstabRelease:
    """A cross-tabulation as published: the table with margins (``<NA>`` where hidden) and, when its
    interior is withheld by the joint audit, the reason (the cells it found a reader could work out)."""

    table: pd.DataFrame
    withheld: bool = False
    leaks: list[tuple[str, str]] = field(default_factory=list)


def _greedy(form: Form, frame: Answers, first: str, second: str, threshold: int,
            axes: tuple[tuple[list[list[str]], pd.Series], tuple[list[list[str]], pd.Series]]
            ) -> tuple[pd.DataFrame, Callable[[np.ndarray], np.ndarray]]:
    table = _group_table(form, frame, first, second, axes[0][0], axes[1][0])
    rule = crosstab_rule(form, frame, first, second, threshold)
    published = with_margins(table).astype("Int64")
    interior_mask = rule(table.to_numpy())
    mask = np.zeros(published.shape, dtype=bool)
    mask[:-1, :-1] = interior_mask
    return published.mask(mask), rule


def _interior(published: pd.DataFrame) -> np.ndarray:
    return published.iloc[:-1, :-1].astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def crosstab_release(form: Form, frame: Answers, row_item: str, column_item: str,
                     threshold: int = THRESHOLD) -> CrosstabRelease | None:
    """Respondents by the published groups of two single-choice questions, with margins, interior cells
    under primary and secondary suppression, then audited jointly (:mod:`~diaspora_observatory.analysis.
    crosstab_audit`). None when either question has fewer than two groups (the table would only repeat
    the other's counts).

    The margins are the questions' one-way counts, so they are fixed (never hidden, never relied on to
    hide). The pattern is chosen on the questions in the form's order and turned for the other order, so
    that the two orders publish the same cells. Two items of one scale whose alpha is published are
    cross-tabulated only when no cell is hidden (alpha with the other pairs' tables gives their
    covariance). The audit solves for every hidden cell from this table, the questions' margins and the
    cross-tabulation of each of the two with every third single-choice question (all published by the
    same rule), knowing the rule; if it finds a hidden cell with one possible value, the interior is
    withheld (every cell hidden), with the reason.
    """
    single = [question.name for question in categorical_items(form) if question.kind == "select_one"]
    first, second = sorted((row_item, column_item), key=lambda name: single.index(name) if name in single else -1)
    axes = (crosstab_axis(form, frame, form.question(first), threshold),
            crosstab_axis(form, frame, form.question(second), threshold))
    if axes[0] is None or axes[1] is None:
        return None
    published, rule = _greedy(form, frame, first, second, threshold, (axes[0], axes[1]))
    leaks = _joint_leaks(form, frame, first, second, threshold, published, rule, (axes[0], axes[1]), single)
    release = CrosstabRelease(published)
    if leaks:
        withheld = published.copy()
        withheld.iloc[:-1, :-1] = pd.NA
        release = CrosstabRelease(withheld, True, [(published.index[row], published.columns[column])
                                                   for row, column in leaks])
    if first != row_item:
        release.table = release.table.T
        release.leaks = [(column, row) for row, column in release.leaks]
    return release


def _joint_leaks(form: Form, frame: Answers, first: str, second: str, threshold: int,
                 published: pd.DataFrame, rule: Callable[[np.ndarray], np.ndarray],
                 axes: tuple[tuple[list[list[str]], pd.Series], tuple[list[list[str]], pd.Series]],
                 single: list[str]) -> list[tuple[int, int]]:
    """The hidden interior cells of ``published`` (the table of ``first`` by ``second``) that the joint
    audit finds determined: over this table alone, then with each third question's two tables."""
    interior = _interior(published)
    if not np.isnan(interior).any():
        return []
    margins = [axes[0][1].to_numpy(), axes[1][1].to_numpy()]
    focus = Published((0, 1), interior, rule)
    leaks = set(audit(margins, [focus], 0).leaks)
    for third in single:
        if third in (first, second) or leaks:
            continue
        third_axis = crosstab_axis(form, frame, form.question(third), threshold)
        if third_axis is None:
            continue
        tables = [focus]
        for own, position in ((first, 0), (second, 1)):
            pair = sorted((own, third), key=single.index)
            pair_axes = (axes[position], third_axis) if pair[0] == own else (third_axis, axes[position])
            other, other_rule = _greedy(form, frame, pair[0], pair[1], threshold, pair_axes)
            tables.append(Published((position, 2) if pair[0] == own else (2, position), _interior(other), other_rule))
        leaks |= set(audit([*margins, third_axis[1].to_numpy()], tables, 0).leaks)
    return sorted(leaks)


def crosstab_published(form: Form, frame: Answers, row_item: str, column_item: str,
                       threshold: int = THRESHOLD) -> pd.DataFrame | None:
    """The table of :func:`crosstab_release` (None when there is none)."""
    release = crosstab_release(form, frame, row_item, column_item, threshold)
    return None if release is None else release.table


def published_beside(case: Any, form: Form, language: str = "en") -> pd.DataFrame:
    """The study's published figures for the items this form shares with it (by name), with sources."""
    from diaspora_observatory.analysis.survey import published_survey

    names = {question.name for question in form.answer_questions()}
    published = published_survey(case, language)
    return published[published["item_id"].isin(names)].reset_index(drop=True)
