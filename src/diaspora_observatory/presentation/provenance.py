"""A table's provenance cell in the reader's language: what each value is, said with the page's words.

An analysis table writes each row's provenance in one machine form (``analysis.provenance.describe``):
``reported: total_population; derived: other_population (total - titular - diaspora)``; CSV and JSON keep
it so. A page writes it for people: the kind in the reader's language (*reported by the source*,
*computed*, *inferred*), each column by its title and a formula's terms by their labels, so that a
Russian or Kazakh page shows no English machine text. The adapter gives its gettext, its column titles
and its value labels; the words themselves are marked here, once, for the catalogs.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from diaspora_observatory.analysis.provenance import KINDS
from diaspora_observatory.presentation.texts import N_

Translate = Callable[[str], str]

# The kinds as a reader reads them (docs/truth.md says what each means).
KIND_WORDS = {
    "reported": N_("reported by the source"),
    "derived": N_("computed"),
    "inferred": N_("inferred (not stated by the source)"),
}
# The heading of a figure's source line, by the figure's kind: a computed figure is credited as computed
# from its inputs' sources, never as a source's own.
SOURCE_HEADINGS = {
    "reported": N_("Source"),
    "derived": N_("Computed from"),
    "inferred": N_("Source (attribution inferred)"),
}
# Words an analysis writes inside a formula (analysis/repatriation.py), translated as one phrase.
FORMULA_PHRASES = {"the sum of its group": N_("the sum of its group")}
TERM = re.compile(r"[a-z_]+")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def source_heading(kind: str, translate: Translate = str) -> str:
    """``Source``, ``Computed from`` or ``Source (attribution inferred)`` in the reader's language."""
    return translate(SOURCE_HEADINGS.get(kind, SOURCE_HEADINGS["reported"]))


def _split_top(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside parentheses (a formula may hold the separator)."""
    parts, depth, current = [], 0, ""
    index = 0
    while index < len(text):
        char = text[index]
        depth += (char == "(") - (char == ")")
        if depth == 0 and text.startswith(separator, index):
            parts.append(current)
            current, index = "", index + len(separator)
            continue
        current += char
        index += 1
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


def provenance_text(text: str, translate: Translate = str, column_title: Callable[[str], str] = str,
                    term_label: Callable[[str], str] = str, language: str = "en") -> str:
    """``text`` (a provenance cell) for readers: kinds translated, columns by their titles (separated by
    semicolons, since a title may hold a comma), a formula's terms by their labels and its numbers in the
    reader's signs. A cell of another form is returned as it is, never half translated.

    >>> provenance_text("reported: emigration, immigration; derived: net (immigration - emigration)",
    ...                 column_title=str.upper)
    'reported by the source: EMIGRATION; IMMIGRATION. computed: NET (immigration − emigration)'
    >>> provenance_text("derived: titular (0.85 * total)", language="ru")
    'computed: titular (0,85 × total)'
    >>> provenance_text("derived"), provenance_text("free text")
    ('computed', 'free text')
    """
    if text.strip() in KINDS:
        return translate(KIND_WORDS[text.strip()])
    written = []
    for part in _split_top(text, ";"):
        kind, colon, items = part.partition(":")
        if not colon or kind.strip() not in KINDS:
            return text
        named = []
        for item in _split_top(items, ","):
            column, _, formula = item.partition("(")
            title = column_title(column.strip())
            named.append(f"{title} ({_formula(formula.removesuffix(')'), term_label, language, translate)})" if formula
                         else title)
        written.append(f"{translate(KIND_WORDS[kind.strip()])}: {'; '.join(named)}")
    return ". ".join(written)


def _formula(formula: str, term_label: Callable[[str], str], language: str, translate: Translate = str) -> str:
    """A formula as a reader reads it: the data's codes by their labels (total, titular…), an analysis's
    phrases (``FORMULA_PHRASES``) translated, numbers in the reader's signs, and the signs of arithmetic
    for ``-`` and ``*``."""
    from diaspora_observatory.presentation.numbers import format_value

    def number(match: re.Match) -> str:
        decimals = len(match.group(0).partition(".")[2])
        return format_value(float(match.group(0)), "plain", language, decimals=decimals)

    formula = NUMBER.sub(number, formula)
    pieces = re.split(f"({'|'.join(map(re.escape, FORMULA_PHRASES))})", formula)
    formula = "".join(translate(FORMULA_PHRASES[piece]) if piece in FORMULA_PHRASES
                      else TERM.sub(lambda match: term_label(match.group(0)), piece) for piece in pieces)
    return formula.replace(" - ", " − ").replace(" * ", " × ")
