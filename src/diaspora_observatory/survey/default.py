"""The built-in questionnaire: the study's survey in English, Russian and Kazakh.

Its source is ``forms/kazakh_diaspora.yaml``; the labels of the study's items come from the built-in
case's ``survey_items.csv`` so that the form, the published figures and the results use the same words.
``diaspora survey default --out FILE.xlsx`` writes it as an XLSForm.
"""

from __future__ import annotations

import csv
from pathlib import Path

from diaspora_observatory.languages import CODES
from diaspora_observatory.survey.model import Choice, Form, Question

SOURCE = Path(__file__).resolve().parent / "forms" / "kazakh_diaspora.yaml"
DEFAULT_SLUG = "kz"


def _case_item_labels() -> dict[str, dict[str, str]]:
    from diaspora_observatory.case.package import DEFAULT_CASE, EMBEDDED_CASES

    path = EMBEDDED_CASES / DEFAULT_CASE / "data" / "survey_items.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["item_id"]: {code: row[f"label_{code}"] for code in CODES}
                for row in csv.DictReader(handle)}


def default_form() -> Form:
    """The study's questionnaire as a :class:`Form` (labels keyed ``English (en)``, ``Russian (ru)``,
    ``Kazakh (kk)``)."""
    import yaml

    source = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    languages: dict[str, str] = source["languages"]
    case_labels = _case_item_labels()

    def keyed(texts: dict[str, str] | None) -> dict[str, str]:
        return {languages[code]: str(text) for code, text in (texts or {}).items()}

    choices = {list_name: [Choice(str(option["name"]), keyed({code: option[code] for code in languages}))
                           for option in options]
               for list_name, options in source["choices"].items()}
    questions = []
    for entry in source["survey"]:
        kind, _, list_name = entry["type"].partition(" ")
        if entry["type"] in ("begin group", "end group"):
            kind, list_name = entry["type"].replace(" ", "_"), ""
        labels = case_labels[entry["name"]] if entry.get("case_item") else entry.get("label")
        questions.append(Question(kind=kind, name=entry["name"], list_name=list_name or None,
                                  labels=keyed(labels) if kind != "end_group" else {},
                                  hints=keyed(entry.get("hint")), required=bool(entry.get("required")),
                                  relevant=entry.get("relevant", ""), constraint=entry.get("constraint", ""),
                                  constraint_messages=keyed(entry.get("constraint_message"))))
    settings = source["settings"]
    return Form(form_id=settings["form_id"], title=settings["form_title"], questions=questions, choices=choices,
                version=str(settings["version"]), default_language=settings["default_language"])
