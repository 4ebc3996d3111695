"""The results page counted by the database (SQL GROUP BY, survey/tallies.py) publishes exactly what the
same rules publish from the answers in memory, on real SQLite and PostgreSQL stores: every count, group,
merge, suppression, label, CSV line and chart; means, standard deviations and alpha to rounding (the
database gives each distinct answer's count, so the sums run in another order: 1e-12 relative)."""

from __future__ import annotations

import dataclasses
import itertools
import math
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, update

from diaspora_observatory.survey.default import default_form
from diaspora_observatory.survey.model import Choice, Form, Question
from diaspora_observatory.survey.results import categorical_items
from diaspora_observatory.survey.results_view import results_context
from diaspora_observatory.survey.schema import submissions, surveys
from diaspora_observatory.survey.submission import canonical
from diaspora_observatory.survey.tallies import Tallies

LANGUAGES = [Choice(name, {"": name.upper()}) for name in ("kk", "ru", "en", "uz")]


def study_form() -> Form:
    """The built-in questionnaire (four scale items on one list, single choices, free text) with a
    multiple-choice question added: the built-in one has none."""
    form = default_form()
    spoken = Question("select_multiple", "languages_spoken", "languages", labels={"": "Languages you speak"})
    return dataclasses.replace(form, questions=[*form.questions, spoken],
                               choices={**form.choices, "languages": LANGUAGES})


def store_snapshot(store: Any, slug: str, form: Form, answer_sets: list[dict], threshold: int) -> None:
    """``answer_sets`` stored as they are (no validation: the odd values of an older definition or an
    import too) and published as snapshot 1 with ``threshold``."""
    store.add_survey(slug, form)
    store.set_publication(slug, threshold=threshold)
    rows = [{"survey_slug": slug, "submission_id": f"{slug}-{number}", "answers": canonical(answers),
             "answers_hash": str(number), "received_on": date(2026, 12, 1), "origin": "api", "snapshot": 1}
            for number, answers in enumerate(answer_sets)]
    with store.engine.begin() as connection:
        if rows:
            connection.execute(insert(submissions), rows)
        connection.execute(update(surveys).where(surveys.c.slug == slug).values(
            snapshot=1, snapshot_on=date(2026, 12, 1), snapshot_size=len(rows)))  # as the store takes one


def assert_same(counted: Any, in_memory: Any, where: str = "") -> None:
    """Equal, floats to 1e-12 relative (NaN equal to NaN)."""
    if isinstance(in_memory, float) and isinstance(counted, float):
        assert (math.isnan(counted) and math.isnan(in_memory)) or math.isclose(
            counted, in_memory, rel_tol=1e-12, abs_tol=1e-12), (where, counted, in_memory)
    elif isinstance(in_memory, dict):
        assert isinstance(counted, dict) and counted.keys() == in_memory.keys(), where
        for key in in_memory:
            assert_same(counted[key], in_memory[key], f"{where}.{key}")
    elif isinstance(in_memory, list | tuple):
        assert type(counted) is type(in_memory) and len(counted) == len(in_memory), (where, counted, in_memory)
        for index, (left, right) in enumerate(zip(counted, in_memory, strict=True)):
            assert_same(left, right, f"{where}[{index}]")
    else:
        assert counted == in_memory and type(counted) is type(in_memory), (where, counted, in_memory)


def assert_published_alike(store: Any, slug: str, pairs: list[tuple[str | None, str | None]],
                           languages: tuple[str, ...] = ("en",)) -> int:
    """The page's context from the database's counts against the one from every answer in memory."""
    snapshot = store.snapshot(slug)
    state = store.snapshot_state(slug)
    names = [question.name for question in categorical_items(state.record.form)]
    tallies = Tallies(store, slug, state.number, state.size, names)
    for language, (by, row_item) in itertools.product(languages, pairs):
        in_memory = results_context(None, snapshot, language, by, row_item)
        counted = results_context(None, state, language, by, row_item, frame=tallies)
        assert counted["csv"] == in_memory["csv"]
        assert counted["charts"] == in_memory["charts"]
        for key in ("data", "items", "means", "reliability", "crosstab", "responses", "row_item", "by"):
            assert_same(counted[key], in_memory[key], key)
    return state.size


def varied(number: int) -> dict[str, Any]:
    """A complete, valid answer set that varies with ``number`` (scale points, optional answers left out)."""
    answers: dict[str, Any] = {
        "identity_family_language": str(1 + number % 5), "identity_holidays": str(1 + (number * 3) % 5),
        "identity_news": str(1 + (number * 7) % 4), "identity_dress": str(5 - number % 3),
        "home_language": ("mainly_kazakh", "mainly_russian", "both", "other")[number % 4],
        "contact_frequency": ("daily", "weekly", "monthly", "rarely")[(number // 2) % 4],
        "age_band": ("age_18_29", "age_30_44", "age_45_59", "age_60_plus")[number % 4],
        "country_of_residence": ("KGZ", "UZB", "TJK", "TKM", "other")[number % 5],
        "comments": f"free text {number}",
        "languages_spoken": [["kk"], ["kk", "ru"], ["ru"], ["kk", "en"], ["uz", "ru", "kk"]][number % 5]}
    if number % 3:
        answers["state_support_rating"] = str(1 + number % 5)
    if number % 4:
        answers["gender"] = ("male", "female", "other")[number % 3]
    if number % 7 == 0:
        answers["citizenship"] = "both"
    return answers


@pytest.mark.slow  # about 2 s
def test_the_database_counts_publish_what_the_answers_in_memory_publish(store):
    """240 answers through the store's own submit path, on SQLite and PostgreSQL: in each language, and
    cross-tabulations covering every single-choice question (merges and suppressed cells among them)."""
    form = study_form()
    store.add_survey("study", form)
    for number in range(240):
        store.submit("study", f"answer-{number:04d}", varied(number), origin="api")
    store.set_publication("study", threshold=10)
    single = [question.name for question in categorical_items(form) if question.kind == "select_one"]
    assert assert_published_alike(store, "study", [(None, None)], ("en", "ru", "kk")) == 240
    pairs = [("gender", "identity_news"), ("identity_news", "identity_holidays"), ("age_band", "home_language"),
             ("state_support_rating", "citizenship"), ("country_of_residence", "contact_frequency")]
    assert set(single) == {name for pair in pairs for name in pair} | {"identity_family_language", "identity_dress"}
    assert assert_published_alike(store, "study", pairs) == 240
    tallies = Tallies(store, "study", 1, 240, [question.name for question in categorical_items(form)])
    assert {" ".join(value): count for value, count in tallies.values("languages_spoken")} == {
        "kk": 48, "kk ru": 48, "ru": 48, "kk en": 48, "uz ru kk": 48}
    assert dict(tallies.values("gender")) == {"female": 60, "male": 60, "other": 60, None: 60}


@pytest.mark.slow  # about 2 s
def test_odd_stored_values_are_counted_as_the_rules_count_them_in_memory(store):
    """Values a changed definition or an import can leave: a choice no longer listed, a JSON null, a
    number, a list for a single choice, a string for a multiple choice, a key missing altogether."""
    form = study_form()
    odd = [{"identity_news": 3, "gender": None, "languages_spoken": "kk"},
           {"identity_news": "9", "gender": ["male"], "languages_spoken": ["kk", "kk", "zz"]},
           {"identity_news": True, "home_language": {"a": 1}, "languages_spoken": None},
           {"identity_news": 2.5, "languages_spoken": []}, {}]
    answer_sets = [varied(number) for number in range(40)] + odd * 3
    store_snapshot(store, "odd", form, answer_sets, threshold=10)
    assert assert_published_alike(store, "odd", [(None, None), ("gender", "identity_news"),
                                                 ("identity_news", "home_language")]) == 55


def answer_value(kind: str, names: list[str]) -> st.SearchStrategy:
    valid = st.sampled_from(names)
    odd = st.one_of(st.none(), st.just("unknown"), st.integers(1, 5), st.lists(valid, max_size=2))
    if kind == "select_multiple":
        return st.one_of(st.lists(st.sampled_from([*names, "unknown"]), max_size=4), valid, odd)
    return st.one_of(valid, valid, valid, odd)


FORM = study_form()
QUESTIONS = [(question.name, question.kind, [choice.name for choice in FORM.options(question)])
             for question in categorical_items(FORM)]
ANSWER_SET = st.fixed_dictionaries({}, optional={name: answer_value(kind, names) for name, kind, names in QUESTIONS})
SLUGS = itertools.count()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer_sets=st.lists(ANSWER_SET, max_size=80), threshold=st.integers(10, 14),
       by=st.sampled_from(["gender", "identity_news", "age_band"]))
def test_random_answer_sets_publish_alike(store, answer_sets, threshold, by):
    slug = f"random-{next(SLUGS)}"
    store_snapshot(store, slug, FORM, answer_sets, threshold)
    assert assert_published_alike(store, slug, [(by, "home_language")]) == len(answer_sets)
