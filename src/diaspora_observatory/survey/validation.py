"""Check a submission against its form on the server: an allow-list of fields, types, choices,
``required``, ``relevant`` and ``constraint``. The browser's checks are a convenience, never trusted."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

from diaspora_observatory.survey.errors import Problem, SubmissionInvalid
from diaspora_observatory.survey.expressions import Node, evaluate, parse
from diaspora_observatory.survey.model import Choice, Form, Question
from diaspora_observatory.survey.ranges import range_value
from diaspora_observatory.untrusted import is_plain_text

MAX_TEXT = 2000
MAX_SUBMISSION_ID = 64
# ASCII letters and digits, '-' and '_' (one match instead of a test per character, on every submission)
SUBMISSION_ID = re.compile(rf"[A-Za-z0-9_-]{{8,{MAX_SUBMISSION_ID}}}")
# Whole numbers are kept within a signed 64-bit integer, what both databases and pandas hold exactly.
MAX_INTEGER = 2**63 - 1


def _values(raw: Any) -> list[str]:
    """An answer as a list of strings: form posts give lists, JSON gives a scalar or a list."""
    if raw is None:
        return []
    if isinstance(raw, list | tuple):
        return [str(item).strip() for item in raw if item is not None and str(item).strip() != ""]
    if isinstance(raw, bool):
        return [str(raw).lower()]
    text = str(raw).strip()
    return [text] if text else []


def _shown(name: Any) -> str:
    """A field name sent by a client, safe to show back: at most 40 characters, a NUL or a lone
    surrogate replaced by U+FFFD (the reply is UTF-8 JSON or HTML, which cannot carry them)."""
    text = str(name)[:40]
    return text if is_plain_text(text) else "".join(char if is_plain_text(char) else "\ufffd" for char in text)


def _problem(name: str, template: str, **params: object) -> Problem:
    return Problem(name, template, tuple((key, str(value)) for key, value in params.items()))


def options_for(form: Form, question: Question, answers: Mapping[str, Any]) -> list[Choice]:
    """The choices ``question`` offers given earlier ``answers``: those its ``choice_filter`` keeps,
    evaluated per choice with the choice's columns (``name``, ``cf`` …); the ``or_other`` choice stays."""
    options = form.options(question)
    if not question.choice_filter.strip():
        return options
    node = parse(question.choice_filter, columns=form.filter_columns(question))
    listed = {id(choice) for choice in form.choices.get(question.list_name or "", [])}
    return [choice for choice in options if id(choice) not in listed
            or bool(evaluate(node, answers, choice={**choice.columns, "name": choice.name}))]


def _convert(form: Form, question: Question, values: list[str],
             answers: Mapping[str, Any] | None = None,
             allowed: Collection[str] | None = None) -> tuple[Any, Problem | None]:
    """``allowed``: the names of the question's choices when they depend on no answer (no choice
    filter), computed once per form by :class:`AnswerChecker`."""
    name = question.name
    if question.kind == "select_multiple":
        if allowed is None:
            allowed = {choice.name for choice in options_for(form, question, answers or {})}
        chosen = []
        for value in values:
            for part in value.split():
                if part not in allowed:
                    return None, _problem(name, "'{value}' is not one of the choices", value=part[:40])
                if part not in chosen:
                    chosen.append(part)
        return chosen, None
    if len(values) > 1:
        return None, _problem(name, "only one answer is allowed")
    value = values[0]
    if question.kind == "select_one":
        if allowed is None:
            allowed = {choice.name for choice in options_for(form, question, answers or {})}
        if value not in allowed:
            return None, _problem(name, "'{value}' is not one of the choices", value=value[:40])
        return value, None
    if question.kind == "range":
        number, template, params = range_value(question.parameters, value)
        return (number, None) if template == "" else (None, _problem(name, template, **params))
    if question.kind == "integer":
        try:
            number = int(value)
        except ValueError:
            return None, _problem(name, "enter a whole number")
        if abs(number) > MAX_INTEGER:
            return None, _problem(name, "the number is too large")
        return number, None
    if question.kind == "decimal":
        try:
            number = float(value)
        except ValueError:
            return None, _problem(name, "enter a number")
        if number != number or number in (float("inf"), float("-inf")):
            return None, _problem(name, "enter a number")
        return number, None
    if len(value) > MAX_TEXT:
        return None, _problem(name, "the text is longer than {limit} characters", limit=MAX_TEXT)
    return value, None


class AnswerChecker:
    """The checks of one form, with what depends on the form alone worked out once: the allow-list of
    fields, each question's choices when no choice filter makes them depend on answers, and the parsed
    ``relevant`` and ``constraint`` expressions. A web submission builds one per answer
    (:func:`check_answers`); an import builds one per file, which made its rows checked 2-3 times faster
    (issue 15: the per-row work was most of an import's time)."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.answerable = {question.name for question in form.answer_questions()}
        self.allowed = {question.name: {choice.name for choice in form.options(question)}
                        for question in form.questions
                        if question.kind in ("select_one", "select_multiple") and not question.choice_filter.strip()}
        self._parsed: dict[str, Node] = {}
        # Each row of the form with what the loop reads of it (attribute and property look-ups per question
        # and row were a third of an import's checking time).
        self.steps = [(question, question.kind, question.name, question.answers, question.relevant,
                       self.allowed.get(question.name)) for question in form.questions]

    def _holds(self, text: str, answers: Mapping[str, Any], current: Any = None) -> bool:
        """:func:`holds`, each expression parsed once."""
        if not text or not str(text).strip():
            return True
        node = self._parsed.get(text)
        if node is None:
            node = self._parsed[text] = parse(text)
        return bool(evaluate(node, answers, current))

    def check(self, raw_answers: Mapping[str, Any], only: Collection[str] | None = None,
              language: str | Callable[[], str] = "en") -> tuple[dict[str, Any], list[Problem], list[bool]]:
        """See :func:`check_answers`; ``language`` may also be a function giving it, called only when a form's
        own constraint message is written (the web's JSON API: choosing a request's language costs more than
        checking most submissions, which need no message)."""
        form = self.form
        problems: list[Problem] = []
        for name in raw_answers:
            if name not in self.answerable:
                problems.append(_problem(_shown(name), "this field is not part of the form"))
        answers: dict[str, Any] = {}
        applies: list[bool] = []
        hidden_groups: list[bool] = []
        hidden = 0  # how many of hidden_groups are True (any() of the stack for every question cost most of a row)
        for question, kind, name, takes_answer, relevant_if, allowed in self.steps:
            if kind == "end_group":
                if hidden_groups:
                    hidden -= hidden_groups.pop()
                applies.append(True)
                continue
            relevant = not hidden and (not relevant_if or self._holds(relevant_if, answers))
            applies.append(relevant)
            if kind == "begin_group":
                hidden_groups.append(not relevant)
                hidden += not relevant
                continue
            if not takes_answer or not relevant or (only is not None and name not in only):
                continue
            raw = raw_answers.get(name)
            if type(raw) is str:  # the usual case, as _values reads it
                raw = raw.strip()
                values = [raw] if raw else []
            else:
                values = _values(raw)
            if not values:
                if question.required:
                    problems.append(_problem(name, "this question needs an answer"))
                continue
            if not (is_plain_text(values[0]) if len(values) == 1 else all(is_plain_text(value) for value in values)):
                # A NUL or a lone surrogate (JSON's "\\ud800"): no database, page or export can hold it.
                problems.append(_problem(name, "the answer holds a character that is not text; type it again"))
                continue
            if kind == "select_one" and allowed is not None and len(values) == 1 and values[0] in allowed:
                value: Any = values[0]  # what _convert returns for it, without the call
            else:
                value, problem = _convert(form, question, values, answers, allowed)
                if problem:
                    problems.append(problem)
                    continue
            if question.constraint and not self._holds(question.constraint, answers, value):
                chosen = language if isinstance(language, str) else language()
                message = form.text(question.constraint_messages, chosen) or "this answer is not allowed here"
                problems.append(_problem(name, message.replace("{", "{{").replace("}", "}}")))
                continue
            answers[name] = value
        return answers, problems, applies

    def validate(self, raw_answers: Mapping[str, Any], language: str | Callable[[], str] = "en") -> dict[str, Any]:
        """See :func:`validate_answers`."""
        answers, problems, _ = self.check(raw_answers, language=language)
        if problems:
            raise SubmissionInvalid(problems)
        return answers


def check_answers(form: Form, raw_answers: Mapping[str, Any], only: Collection[str] | None = None,
                  language: str = "en") -> tuple[dict[str, Any], list[Problem], list[bool]]:
    """Clean answers, problems and, for every row of ``form.questions``, whether it applies.

    ``language`` (a code such as ``ru``) picks the form's own constraint message in that language.

    ``only`` limits the checks to those questions (the pages of a stepped form sent so far); answers to
    the other questions of the form are allowed in ``raw_answers`` but not looked at. Unknown fields are
    problems either way (allow-list).
    """
    return AnswerChecker(form).check(raw_answers, only, language)


def validate_answers(form: Form, raw_answers: Mapping[str, Any], language: str = "en") -> dict[str, Any]:
    """Clean answers for ``form`` from raw field values, or raise :class:`SubmissionInvalid`.

    Unknown fields and answers to notes are refused (allow-list); answers to questions that are not
    relevant are dropped, as ODK does; a relevant required question must be answered.
    """
    return AnswerChecker(form).validate(raw_answers, language)


def valid_submission_id(value: Any) -> str | None:
    """A client submission id (a UUID or similar: letters, digits, ``-`` and ``_``, at most 64), or None."""
    text = str(value or "").strip()
    return text if SUBMISSION_ID.fullmatch(text) else None
