"""Which column of a response export holds which answer of the form.

Survey platforms write one header per answer, shaped by their export settings. Instead of guessing
from a header's look, every header each platform can write for each question is built from the form
(names and labels in every language, with and without group paths) and a column is matched only when
its header is exactly one of them (compared with runs of spaces squeezed). A header that two questions
could have written (two questions with the same label) is refused, never decided by order.

KoboToolbox (help article "Exporting and downloading your data"): headers are XML names or labels (in
any of the form's languages); with "include groups in headers" each is prefixed by its groups, joined by
the chosen group separator (``/`` by default); a ``select_multiple`` has a joined column and, with
"separate columns", one column per choice, ``question/choice``, holding 1 or 0.
ODK Central (its CSV export, as its own test suite expects it): names only, groups joined by ``-``
(``g1-q2``) and split ``select_multiple`` columns ``g1-q2/x``.
LimeSurvey (manual, "Exporting results", headings "Question code"): codes hold letters and digits only
(a question ``age_band`` is written ``ageband``); an array's items are ``Q[SQ001]``, a multiple choice's
choices ``Q[choice]`` (``Y`` when chosen), and the text of an "other" option ``Q[other]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from diaspora_observatory.survey.model import OTHER, Form, Question

# Separators KoboToolbox offers between groups (``/`` by default) and ODK Central's ``-``.
GROUP_SEPARATORS = ("/", "-", ".", ":")
ANSWER, CHOICE, OTHER_TEXT = "answer", "choice", "other_text"


@dataclass(frozen=True)
class ColumnMatch:
    """One column of an export mapped to the form: the answer to ``question`` (``role`` answer), one
    choice of a ``select_multiple`` (``role`` choice, 1/0 or Y), or the text of an "other" option."""

    question: str
    role: str = ANSWER
    choice: str = ""
    by: str = "name"  # name, label or map (given with --map)


def squeeze(text: str) -> str:
    """A header or value compared as written, with runs of white space (line breaks included) made one space."""
    return " ".join(text.split())


def squash(text: str) -> str:
    """LimeSurvey codes are letters and digits only: compare names without other characters."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _groups(form: Form) -> dict[str, list[Question]]:
    """The groups enclosing each question, outermost first."""
    enclosing: dict[str, list[Question]] = {}
    stack: list[Question] = []
    for question in form.questions:
        if question.kind == "begin_group":
            stack.append(question)
        elif question.kind == "end_group":
            if stack:
                stack.pop()
        else:
            enclosing[question.name] = list(stack)
    return enclosing


def _spellings(form: Form, question: Question, groups: list[Question]) -> list[tuple[str, str]]:
    """Every header KoboToolbox or ODK Central may write for ``question``: (header, name|label)."""
    found = [(question.name, "name")]
    for separator in GROUP_SEPARATORS:
        if groups:
            found.append((separator.join([*(group.name for group in groups), question.name]), "name"))
    for language in form.label_languages(question):
        label = squeeze(question.labels.get(language, ""))
        if not label:
            continue
        found.append((label, "label"))
        if groups:
            # A group without a label is written with its name, as KoboToolbox does.
            path = [squeeze(group.labels.get(language, "")) or group.name for group in groups]
            for separator in GROUP_SEPARATORS:
                found.append((separator.join([*path, label]), "label"))
    return found


def kobo_headers(form: Form) -> dict[str, set[ColumnMatch]]:
    """Every header of a KoboToolbox or ODK Central export of ``form`` -> what it may hold."""
    headers: dict[str, set[ColumnMatch]] = {}
    enclosing = _groups(form)
    for question in form.answer_questions():
        spellings = _spellings(form, question, enclosing.get(question.name, []))
        for header, by in spellings:
            headers.setdefault(header, set()).add(ColumnMatch(question.name, ANSWER, by=by))
        if question.kind != "select_multiple":
            continue
        for header, by in spellings:
            for choice in form.options(question):
                names = [choice.name] if by == "name" else [squeeze(text) for text in choice.labels.values() if text]
                for separator in {"/", *GROUP_SEPARATORS}:
                    for written in names:
                        headers.setdefault(f"{header}{separator}{written}", set()).add(
                            ColumnMatch(question.name, CHOICE, choice.name, by))
    return headers


def match_kobo(header: str, table: dict[str, set[ColumnMatch]]) -> set[ColumnMatch]:
    """What a KoboToolbox/ODK column may hold (several: ambiguous; none: it matches no question)."""
    return table.get(squeeze(header), set())


_LIMESURVEY = re.compile(r"^([A-Za-z0-9_]+)(?:\[([^\[\]]+)\])?$")


def match_limesurvey(form: Form, header: str) -> set[ColumnMatch]:
    """What a LimeSurvey column (headings "Question code") may hold, matched through the form."""
    parsed = _LIMESURVEY.match(header.strip())
    if not parsed:
        return set()
    code, item = squash(parsed.group(1)), parsed.group(2)
    enclosing = _groups(form)
    questions = form.answer_questions()
    found: set[ColumnMatch] = set()
    if item is None:
        return {ColumnMatch(question.name) for question in questions if squash(question.name) == code}
    for question in questions:
        if squash(question.name) != code:
            continue
        if squash(item) == OTHER and question.kind in ("select_one", "select_multiple"):
            found.add(ColumnMatch(question.name, OTHER_TEXT))
        elif question.kind == "select_multiple":
            found |= {ColumnMatch(question.name, CHOICE, choice.name) for choice in form.options(question)
                      if squash(choice.name) == squash(item)}
    if found:
        return found
    # An array: one question of the form per item, named code+item or item inside a group named code.
    for question in questions:
        groups = enclosing.get(question.name, [])
        if squash(question.name) == code + squash(item) or \
                (squash(question.name) == squash(item) and any(squash(group.name) == code for group in groups)):
            found.add(ColumnMatch(question.name))
    return found


def mapped(form: Form, spec: str) -> tuple[str, ColumnMatch]:
    """A ``--map COLUMN=QUESTION`` (or ``COLUMN=QUESTION/CHOICE`` for one choice of a select_multiple)."""
    column, separator, target = spec.rpartition("=")
    if not separator or not column.strip() or not target.strip():
        raise ValueError(f"'{spec}' is not COLUMN=QUESTION")
    name, _, choice = target.strip().partition("/")
    try:
        question = form.question(name)
    except KeyError:
        raise ValueError(f"'{name}' (in --map {spec}) is not a question of the form") from None
    if not question.answers:
        raise ValueError(f"'{name}' (in --map {spec}) is a {question.kind}, which takes no answer")
    if choice:
        if question.kind != "select_multiple" or choice not in {option.name for option in form.options(question)}:
            raise ValueError(f"'{choice}' (in --map {spec}) is not a choice of the select_multiple '{name}'")
        return squeeze(column), ColumnMatch(name, CHOICE, choice, "map")
    return squeeze(column), ColumnMatch(name, ANSWER, by="map")
