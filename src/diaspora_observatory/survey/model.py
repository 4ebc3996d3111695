"""The definition of a questionnaire, independent of XLSForm: questions, choices, languages.

Labels are keyed by the XLSForm language suffix (``"Russian (ru)"``; ``""`` for a plain ``label``
column); :meth:`Form.text` picks the label for an interface language code such as ``ru``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

# Question kinds the observatory collects and analyses; everything else is refused on import.
ANSWER_KINDS = ("select_one", "select_multiple", "integer", "decimal", "range", "text")
KINDS = (*ANSWER_KINDS, "note", "begin_group", "end_group")
OTHER = "other"
# Labels of what ``or_other`` adds, in the observatory's languages (others get the English, as pyxform writes).
OTHER_LABELS = {"en": "Other", "ru": "Другое", "kk": "Басқа"}
SPECIFY_OTHER = {"en": "Specify other.", "ru": "Укажите другое.", "kk": "Басқасын көрсетіңіз."}


def added_label(texts: dict[str, str], language_key: str) -> str:
    """The label of an ``or_other`` addition for an XLSForm language key (``"Russian (ru)"``)."""
    return texts.get(language_code(language_key), texts["en"])
_LANGUAGE_CODE = re.compile(r"\(([A-Za-z-]{2,})\)\s*$")


def language_code(language_key: str) -> str:
    """The code in an XLSForm language suffix: ``"Russian (ru)"`` -> ``"ru"``; otherwise the key itself."""
    found = _LANGUAGE_CODE.search(language_key)
    return found.group(1).lower() if found else language_key.strip().lower()


@dataclass
class Choice:
    """One answer option of a choice list."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)
    # Other columns of the choices sheet (``cf``, ``pastel``, media …): read by choice filters, kept for export.
    columns: dict[str, str] = field(default_factory=dict)


@dataclass
class Question:
    """One row of the survey sheet (groups are a ``begin_group``/``end_group`` pair of rows)."""

    kind: str
    name: str
    list_name: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)
    required: bool = False
    relevant: str = ""
    constraint: str = ""
    constraint_messages: dict[str, str] = field(default_factory=dict)
    appearance: str = ""
    row: int | None = None
    choice_filter: str = ""
    # ``select_one LIST or_other``: the list gains the choice ``other`` (see :meth:`Form.options`).
    or_other: bool = False
    # The select question whose ``or_other`` added this text question on import (export writes it back
    # as ``or_other`` instead of the question).
    added_for: str = ""
    # Presentation columns that change nothing stored or checked (image, audio, media::…, required_message …),
    # header -> value, kept for export.
    presentation: dict[str, str] = field(default_factory=dict)
    # ``range`` questions: start, end and step as written in the ``parameters`` column (see ranges.py).
    parameters: dict[str, str] = field(default_factory=dict)

    @property
    def answers(self) -> bool:
        """Whether the question takes an answer (notes and group markers do not)."""
        return self.kind in ANSWER_KINDS


@dataclass
class Form:
    """A questionnaire: its questions in order, its choice lists and settings."""

    form_id: str
    title: str
    questions: list[Question]
    choices: dict[str, list[Choice]] = field(default_factory=dict)
    version: str = ""
    default_language: str = ""
    # settings ``allow_choice_duplicates``: the same choice name may appear twice in a list (choice filters).
    allow_choice_duplicates: bool = False

    @property
    def languages(self) -> list[str]:
        """The language keys used by any label, in first-seen order."""
        seen: dict[str, None] = {}
        for question in self.questions:
            for key in (*question.labels, *question.hints, *question.constraint_messages):
                seen.setdefault(key, None)
        for options in self.choices.values():
            for choice in options:
                for key in choice.labels:
                    seen.setdefault(key, None)
        return list(seen)

    def language_names(self) -> dict[str, str]:
        """Code -> name of each language the form's labels are written in, as its column headers name them
        (``label::German (de)`` gives ``de``: ``German``). Plain ``label`` columns are in the settings'
        ``default_language`` when one is given (``Deutsch``), and in no stated language otherwise.

        >>> note = Question("note", "a", labels={"German (de)": "Hallo", "Russian (ru)": "Привет"})
        >>> Form("f", "F", [note]).language_names()
        {'de': 'German', 'ru': 'Russian'}
        """
        names: dict[str, str] = {}
        for key in self.languages:
            named = key or self.default_language
            if named:
                names.setdefault(language_code(named), _LANGUAGE_CODE.sub("", named).strip() or named)
        return names

    def answer_questions(self) -> list[Question]:
        return [question for question in self.questions if question.answers]

    def question(self, name: str) -> Question:
        for question in self.questions:
            if question.name == name and question.kind != "end_group":
                return question
        raise KeyError(name)

    def options(self, question: Question) -> list[Choice]:
        """The question's choices; with ``or_other`` the list ends with ``other`` (as pyxform adds it)."""
        options = self.choices.get(question.list_name or "", [])
        if question.or_other and not any(choice.name == OTHER for choice in options):
            options = [*options, Choice(OTHER, {language: added_label(OTHER_LABELS, language)
                                            for language in self.label_languages(question)})]
        return options

    def filter_columns(self, question: Question) -> set[str]:
        """The columns a choice filter may name for ``question``'s list: ``name`` and the list's other columns."""
        found = {"name"}
        for choice in self.choices.get(question.list_name or "", []):
            found |= set(choice.columns)
        return found

    def label_languages(self, question: Question) -> list[str]:
        """The language keys of a question's labels (``[""]`` for a plain label)."""
        return list(question.labels) or [""]

    def text(self, labels: dict[str, str], language: str) -> str:
        """The label for ``language`` (a code like ``ru``): that language, the form's default, English,
        the plain label, then any label."""
        by_code = {language_code(key): value for key, value in labels.items() if value}
        for code in (language, language_code(self.default_language), "en", ""):
            if code in by_code:
                return by_code[code]
        return next(iter(by_code.values()), "")

    def choice_label(self, question: Question, name: str, language: str) -> str:
        for choice in self.options(question):
            if choice.name == name:
                return self.text(choice.labels, language) or name
        return name

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Form:
        questions = [Question(**question) for question in data["questions"]]
        choices = {name: [Choice(**choice) for choice in options] for name, options in data.get("choices", {}).items()}
        return cls(form_id=data["form_id"], title=data["title"], questions=questions, choices=choices,
                   version=data.get("version", ""), default_language=data.get("default_language", ""),
                   allow_choice_duplicates=data.get("allow_choice_duplicates", False))
