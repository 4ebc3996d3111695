"""The built-in questionnaire: the study's survey in English, Russian and Kazakh.

Its source is ``forms/kazakh_diaspora.yaml``; the labels of the study's items come from the built-in
case's ``survey_items.csv`` so that the form, the published figures and the results use the same words.
``diaspora survey default --out FILE.xlsx`` writes it as an XLSForm.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from diaspora_observatory.csv_guard import CsvDictRows
from diaspora_observatory.languages import CODES
from diaspora_observatory.survey.model import Choice, Form, Question

if TYPE_CHECKING:
    from diaspora_observatory.case.package import Case

SOURCE = Path(__file__).resolve().parent / "forms" / "kazakh_diaspora.yaml"
DEFAULT_SLUG = "kz"


def _case_item_labels() -> dict[str, dict[str, str]]:
    from diaspora_observatory.case.package import DEFAULT_CASE, EMBEDDED_CASES

    path = EMBEDDED_CASES / DEFAULT_CASE / "data" / "survey_items.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["item_id"]: {code: row[f"label_{code}"] for code in CODES}
                for row in CsvDictRows(handle, path.name)}


def default_form(case: Case | None = None) -> Form:
    """The study's questionnaire as a :class:`Form` (labels keyed ``English (en)``, ``Russian (ru)``,
    ``Kazakh (kk)``); for a ``case`` other than the built-in one, the same questions written for that
    case's diaspora (see :func:`_for_case`).

    >>> default_form().title
    'Kazakhs abroad: identity, language and ties with Kazakhstan'
    """
    import yaml

    from diaspora_observatory.case.package import DEFAULT_CASE

    source = yaml.load(SOURCE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if case is not None and case.name != DEFAULT_CASE:
        return _build(_for_case(source, case), {})
    return _build(source, _case_item_labels())


def _for_case(source: dict[str, Any], case: Case) -> dict[str, Any]:
    """The questionnaire's source rewritten for ``case``: its origin and hosts named in each language
    (CLDR names), the items that named Kazakhs or Kazakhstan in the template's neutral wording, the
    home-language choices as heritage language against another, the residence choices the case's hosts.

    Nothing else changes, so results of two diasporas' surveys line up question by question.
    """
    from diaspora_observatory.countries import country_name

    template = source["any_diaspora"]
    codes = list(source["languages"])
    origin = {code: country_name(case.origin, code) for code in codes}
    hosts = {code: ", ".join(country_name(host, code) for host in case.hosts) for code in codes}

    def named(texts: dict[str, str]) -> dict[str, str]:
        return {code: text.format(origin=origin[code], hosts=hosts[code]) for code, text in texts.items()}

    choices = dict(source["choices"])
    choices["home_language"] = template["choices"]["home_language"]
    choices["residence"] = [{"name": host, **{code: country_name(host, code) for code in codes}}
                            for host in case.hosts] + [{"name": "other", **template["choices"]["other_country"]}]
    choices["citizenship"] = [{"name": "origin", **named(template["choices"]["origin_citizenship"])}
                              if option["name"] == "kazakhstan" else option
                              for option in source["choices"]["citizenship"]]
    survey = [{"type": "note", "name": "about_this_survey", "label": named(template["intro"])}]
    for entry in source["survey"]:
        if entry.get("case_item"):
            entry = {key: value for key, value in entry.items() if key != "case_item"}
            entry["label"] = named(template["items"][entry["name"]])
        survey.append(entry)
    slug = re.sub(r"[^a-z0-9]+", "_", case.name.lower()).strip("_") or "case"
    settings = {**source["settings"], "form_id": f"diaspora_identity_{slug}",
                "form_title": template["form_title"].format(origin=origin["en"], hosts=hosts["en"])}
    return {**source, "settings": settings, "choices": choices, "survey": survey}


def _build(source: dict[str, Any], case_labels: dict[str, dict[str, str]]) -> Form:
    """The :class:`Form` of a questionnaire source (the YAML's layout)."""
    languages: dict[str, str] = source["languages"]

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
