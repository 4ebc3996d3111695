"""The labels of the diaspora's definitions in the reader's language, built from their structure.

``analysis.definitions`` names each definition in English from the case's structured fields: "People born
in Kyrgyzstan" is the pattern ``People born in {origin}`` with the origin's name. A page or a report in
Russian or Kazakh writes the same pattern through its catalog, with the origin named by Babel's country
names (``countries.country_name``): "Уроженцы страны Киргизия". A label the case translates itself (its
``value_labels``, as the built-in case does for "People born in Kazakhstan") wins, since its author can
decline the name where a pattern cannot. A label made from the case's own word for its group ("Ethnic
{group}", the group a data text) is left to the case's labels, and otherwise shown as the data's English.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from diaspora_observatory.analysis.definitions import DEFINITIONS, definition_label, label_pattern
from diaspora_observatory.case.labels import ValueLabels, value_labels
from diaspora_observatory.countries import country_name
from diaspora_observatory.presentation.texts import N_

if TYPE_CHECKING:
    from diaspora_observatory.case.package import Case


# The patterns of analysis.definitions.LABEL_PATTERNS that carry only the origin's name (tests keep them equal).
TRANSLATED_PATTERNS = {
    "titular": N_("The titular ethnic group of {origin}"),
    "birthplace": N_("People born in {origin}"),
    "citizenship": N_("Citizens of {origin}"),
}


def definition_labels(case: Case, language: str, translate: Callable[[str], str]) -> dict[str, str]:
    """Each definition's English label (as the analysis writes it) -> its label in ``language``, for the
    definitions whose label is built from the origin's name alone."""
    found = {}
    for definition in DEFINITIONS:
        key, fields = label_pattern(case, definition)
        if key in TRANSLATED_PATTERNS:
            found[definition_label(case, definition)] = translate(TRANSLATED_PATTERNS[key]).format(
                origin=country_name(fields["origin"], language))
    return found


def labels_with_definitions(case: Case, language: str, translate: Callable[[str], str]) -> ValueLabels:
    """The case's value labels in ``language``, and the definitions' labels written in it where the case
    does not translate them itself (its own label wins)."""
    labels = value_labels(case, language)
    if language == "en":
        return labels
    built = {("label", english): text for english, text in definition_labels(case, language, translate).items()
             if labels.get("label", english) is None}
    return labels.with_defaults(built) if built else labels
