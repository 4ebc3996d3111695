"""Table cells for HTML: numbers in the reader's locale, country codes as names, sources as links.

On a Russian or Kazakh page nothing English is left unmarked, as in the report (``report/cells.py``): the
observatory's own words (provenance formulas, the claim checker's results and reasons, units) are written
in the reader's language by the presentation layer; the data's own words (a title, a name, a statement, a
definition) are kept as the case gives them and marked ``lang="en"``; identifiers (source, claim,
document and scenario ids), the same in every language, are marked ``translate="no"``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping

from markupsafe import Markup, escape

from diaspora_observatory.analysis.flows import ALL_PARTNERS
from diaspora_observatory.case.labels import ValueLabels
from diaspora_observatory.countries import country_name
from diaspora_observatory.presentation.cells import HIDDEN_COLUMNS, cell_text, is_number, is_numeric_text, yes_no
from diaspora_observatory.presentation.claims import Reader, basis_text, computed_text, reason_text, unit_text
from diaspora_observatory.presentation.columns import COLUMN_LABELS, column_label
from diaspora_observatory.presentation.kinds import UNIT_COLUMNS
from diaspora_observatory.presentation.provenance import provenance_text
from diaspora_observatory.presentation.texts import KEY_FIGURE_LABELS, NOTE_LANGUAGE, language_name

COUNTRY_COLUMNS = {"country", "partner", "largest_host", "destination", "largest_destination"}
STATUS_COLUMNS = {"status", "severity"}
# Columns holding the case's own free texts, written in its text language (``Case.text_language``).
DATA_TEXT_COLUMNS = frozenset({"note"})
# Columns whose text is the data's own (a source's, the study's, the case author's words), kept as written
# and marked ``lang="en"`` on a page in another language; the report marks the same columns.
QUOTED_COLUMNS = frozenset({"statement", "title", "name", "issuer", "publisher", "author", "city", "label",
                            "explanation", "definition", "assumptions", "tolerance_basis", "data_scope",
                            "source", "concept_character", "period", "coverage", "method", "model"})
LATIN = re.compile(r"[A-Za-z]{2}")
# The map table's roles (``web.map``), by the words its legend uses.
ROLE_WORDS = {"host": "host country", "origin": "country of origin"}
# Columns of the validator's issues naming a check, a resource, a field or a file: identifiers.
CODE_COLUMNS = frozenset({"check", "resource", "field", "path"})


def N_(message: str) -> str:
    """Mark ``message`` for the web catalogs; it is translated when the cell is written."""
    return message


# The key figures' formulas (``analysis.overview.key_figures``' ``formula``): the observatory's own words,
# each read with the pattern of the f-string that wrote it. A formula of no known form is shown as the
# data's English (marked ``lang="en"``), never half translated.
FORMULAS = [
    (re.compile(r"sum of the diaspora counts of the (?P<hosts>\d+) hosts"),
     N_("sum of the diaspora counts of the {hosts} hosts")),
    (re.compile(r"100 × the largest host's diaspora count / the sum over the hosts"),
     N_("100 × the largest host's diaspora count / the sum over the hosts")),
    (re.compile(r"100 × the sum over the hosts / the high and the low world estimate"),
     N_("100 × the sum over the hosts / the high and the low world estimate")),
    (re.compile(r"sum of immigration − emigration over (?P<partners>\d+) partners × (?P<years>\d+) years "
                r"\((?P<rows>\d+) partner-years\)"),
     N_("sum of immigration − emigration over {partners} partners × {years} years ({rows} partner-years)")),
]


# Other fixed texts the analysis writes into its tables' cells (``analysis.definitions``' ``coverage``): the
# observatory's own words, translated like the page's; the CSV and JSON keep them in English.
FIXED_TEXTS = frozenset({
    N_("Sum over the countries of residence the imported file lists (for the built-in case: UN member states "
       "with a count above zero); areas that are not member states are not in it."),
})


def formula_text(text: str, translate: Callable[[str], str]) -> str | None:
    """A key figure's formula in the reader's words; ``None`` for a formula of no known form."""
    for pattern, message in FORMULAS:
        if (match := pattern.fullmatch(text)) is not None:
            return translate(message).format(**match.groupdict())
    return None


def data_text(text: str, language: str, text_language: str, translate: Callable[[str], str] | None) -> Markup:
    """A note of the case as a reader of ``language`` reads it. A fixed text of the observatory (a message of
    the catalogs, such as ``presentation.texts.OBSERVATORY_NOTES``) is given in the reader's language; the
    data's own text stays as written, and on a page in another language it carries its language (``lang``,
    for screen readers and hyphenation) and a label naming it, so that it never passes for the page's own."""
    if not text.strip():  # gettext("") is the catalog's header, not a translation
        return Markup(escape(text))
    if translate is not None and translate(text) != text:
        return Markup(escape(translate(text)))
    if translate is None or text_language == language:
        return Markup(escape(text))
    label = translate(NOTE_LANGUAGE).format(
        language=language_name(text_language, language))
    return Markup(f'<span lang="{escape(text_language)}">{escape(text)}</span> '
                  f'<span class="text-language">{escape(label)}</span>')


def quoted(text: object, language: str) -> Markup:
    """The data's own English words (a source's name, a title, a licence) inside a page of ``language``:
    marked ``lang="en"`` when the page is in another language and the text has Latin-script words."""
    text = "" if text is None else str(text)
    if language == "en" or not LATIN.search(text):
        return Markup(escape(text))
    return Markup(f'<span lang="en">{escape(text)}</span>')


CODES = re.compile(r"[“«]([A-Za-z][\w./ -]*)[”»]|(?<![\w/])((?:data/)?[\w.-]+\.(?:csv|json|md)|data/[\w{}.-]+"
                   r"|\b[A-Z]{3}\b)")


def with_codes(text: object, language: str) -> Markup:
    """A sentence of the page (a "data missing" hint) with the commands, resources, columns, file names and
    country codes it names (“diaspora check”, data/flows.csv, KGZ) marked ``translate="no"``: the same in
    every language."""
    text = str(text)
    if language == "en":
        return Markup(escape(text))
    pieces, last = [], 0
    for match in CODES.finditer(text):
        start, end = match.span(1) if match.group(1) else match.span(2)
        pieces += [escape(text[last:start]), identifier(text[start:end])]
        last = end
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)


IDENTIFIER = re.compile(r"(?<![\w-])[a-z0-9]+(?:-[a-z0-9]+)+(?![\w-])")


def with_ids(text: str, language: str) -> Markup:
    """A translated text naming identifiers (a scenario's ``recent-migration``, a claim's
    ``world-2024-unofficial``) with each marked ``translate="no"`` on a page of another language."""
    return _marked(text, IDENTIFIER, language)


def with_names(text: str, names: Iterable[str], language: str) -> Markup:
    """A translated sentence naming identifiers that are plain words (the coders ``auto`` and ``study``),
    each marked ``translate="no"`` on a page of another language."""
    return _marked(text, re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(name) for name in names) + r")(?![\w-])"),
                   language)


def _marked(text: str, pattern: re.Pattern[str], language: str) -> Markup:
    """``text`` escaped, each match of ``pattern`` marked as an identifier on a page of another language."""
    if language == "en":
        return Markup(escape(text))
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces += [escape(text[last:match.start()]), identifier(match.group(0))]
        last = match.end()
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)


def identifier(text: object) -> Markup:
    """An identifier (a source id, the case's name), the same in every language: ``translate="no"``."""
    return Markup(f'<span translate="no">{escape(str(text))}</span>')


def _titled(label: str | None, code: str) -> str:
    return f' title="{escape(code)}"' if label else ""


def _is_source_column(column: str) -> bool:
    return column == "source_ids" or column.endswith("source_id")


def _is_id_column(column: str) -> bool:
    """A column of identifiers (a claim's, a document's, a scenario's, a coder's): the same in every language."""
    return column in ("id", "coder", "scenario") or column.endswith("_id")


def _long(text: str) -> str:
    return ' class="long"' if len(text) > 40 else ""


def claim_cell(column: str, text: str, row: Mapping[str, object], language: str,
               translate: Callable[[str], str]) -> Markup | None:
    """A claim's reported or computed value, reason or unit in the reader's words, as the report writes
    it (``report.cells.claim_value_text``): countries by name (ranked when joined by "+"), the checker's
    results and reasons through ``presentation.claims``; ``None`` for a text of no known form."""
    if column in ("reported", "computed"):
        shown: str | None
        if row.get("unit") in ("order", "country") and re.fullmatch(r"[A-Z]{3}(\+[A-Z]{3})*", text):
            shown = " > ".join(country_name(code, language) for code in text.split("+"))
        else:
            shown = computed_text(text, Reader(translate, language, lambda code: country_name(code, language)))
        if shown is not None:
            return Markup(f'<td{_long(shown)} title="{escape(text)}">{with_ids(shown, language)}</td>')
    if column == "reason" and (reason := reason_text(text, translate)) is not None:
        said, quote = reason
        quoted = f' <span lang="en">{escape(quote)}</span>' if quote else ""
        return Markup(f"<td{_long(said + quote)}>{escape(said)}{quoted}</td>")
    if column == "tolerance_basis" and (basis := basis_text(text, Reader(translate, language))) is not None:
        return Markup(f'<td{_long(basis)} title="{escape(text)}">{escape(basis)}</td>')
    if column == "unit" and (unit := unit_text(text, translate)) is not None:
        return Markup(f'<td title="{escape(text)}">{escape(unit)}</td>')
    return None


def format_cell(column: str, value: object, language: str, labels: ValueLabels | None = None,
                row: Mapping[str, object] | None = None, translate: Callable[[str], str] | None = None,
                text_language: str | None = None) -> Markup:
    """One ``<td>`` for ``value`` of ``column`` in ``language``; every text is escaped. With ``labels`` (the
    case's value labels in ``language``) a code is shown by its label, the code itself in ``title``.
    Numbers are written by the presentation layer for the column's kind (``row`` gives a ``unit``). With
    ``translate`` (the page's gettext) a provenance cell is written in the reader's words, the machine
    text kept in ``title``; with ``text_language`` (the case's) a note is written by ``data_text``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Markup('<td class="empty"><span class="visually-hidden">–</span></td>')
    if isinstance(value, bool):
        said = yes_no(value, language)
        return Markup(f'<td class="bool">{"✓" if value else "✗"}<span class="visually-hidden"> {said}</span></td>')
    if is_number(value):
        return Markup(f'<td class="num">{escape(cell_text(column, value, language, row))}</td>')
    text = str(value)
    if row is not None and column in UNIT_COLUMNS:
        # A number kept as the study wrote it (a claim's reported value, "20000000") is written by the
        # presentation layer in the reader's signs, as the CLI and the report write it.
        shown = cell_text(column, text, language, row)
        if shown != text:
            return Markup(f'<td class="num" title="{escape(text)}">{escape(shown)}</td>')
        if is_numeric_text(text):  # written as it is ("71"), still a number: right-aligned as the others
            return Markup(f'<td class="num">{escape(text)}</td>')
    if translate is not None and row is not None and "statement" in row:  # a claim's row
        claimed = claim_cell(column, text, row, language, translate)
        if claimed is not None:
            return claimed
    if text in FIXED_TEXTS and translate is not None:
        return Markup(f"<td{_long(translate(text))}>{escape(translate(text))}</td>")
    if column == "formula" and translate is not None and (formula := formula_text(text, translate)) is not None:
        return Markup(f'<td{_long(formula)} title="{escape(text)}">{escape(formula)}</td>')
    if column == "figure" and translate is not None and text in KEY_FIGURE_LABELS:
        return Markup(f'<td title="{escape(text)}">{escape(translate(KEY_FIGURE_LABELS[text]))}</td>')
    if column == "detail" and len(text) == 3 and text.isupper():  # a key figure's country
        return Markup(f'<td><abbr title="{escape(text)}">{escape(country_name(text, language))}</abbr></td>')
    if column == "language" and language != "en" and len(text) == 2 and text.isalpha():
        return Markup(f'<td title="{escape(text)}">{escape(language_name(text, language))}</td>')
    if column == "role" and translate is not None and text in ROLE_WORDS:  # the map's host or origin
        return Markup(f'<td title="{escape(text)}">{escape(translate(ROLE_WORDS[text]))}</td>')
    if column in COUNTRY_COLUMNS and text == ALL_PARTNERS and translate is not None and language != "en":
        # as a country is named: the code kept in <abbr title>, as the report writes it
        return Markup(f'<td><abbr title="{escape(text)}">{escape(translate("All partners"))}</abbr></td>')
    if column in COUNTRY_COLUMNS and len(text) == 3 and text.isupper():
        name = country_name(text, language)
        return Markup(f'<td><abbr title="{escape(text)}">{escape(name)}</abbr></td>')
    if column in DATA_TEXT_COLUMNS and text_language is not None:
        css_class = ' class="long"' if len(text) > 40 else ""
        return Markup(f"<td{css_class}>{data_text(text, language, text_language, translate)}</td>")
    if _is_source_column(column):
        links = ", ".join(f'<a href="/sources#source-{escape(part)}" translate="no">{escape(part)}</a>'
                          for part in text.split(";") if part)
        return Markup(f'<td class="links">{links}</td>')
    label = labels.get(column, text) if labels is not None else None
    if column == "provenance" and translate is not None and label is None:
        label = provenance_text(text, translate, lambda name: column_label(name, translate),
                                lambda term: (labels.get("group", term) if labels is not None else None)
                                or (column_label(term, translate) if term in COLUMN_LABELS else term), language)
    label = None if label == text else label
    if column in STATUS_COLUMNS:
        return Markup(f'<td><span class="status status-{escape(text)}"{_titled(label, text)}>'
                      f"{escape(label or text)}</span></td>")
    if label:
        return Markup(f'<td title="{escape(text)}">{with_ids(label, language)}</td>')
    # Long texts (notes, statements) get a readable width instead of squeezing every other column.
    css_class = _long(text)
    if language != "en" and (_is_id_column(column) or column in CODE_COLUMNS):
        return Markup(f'<td{css_class} translate="no">{escape(text)}</td>')
    if language != "en" and (column in QUOTED_COLUMNS or column == "message" or column == "formula") \
            and LATIN.search(text):
        # ``message``: a validator's finding whose shape the catalogs do not translate (web/issues.py writes the rest)
        return Markup(f'<td{css_class}><span lang="en">{escape(text)}</span></td>')
    return Markup(f"<td{css_class}>{escape(text)}</td>")


def shown_columns(columns: Iterable[object]) -> list[str]:
    """The columns a table shows: a ``<code>_name`` column (``country_name``, ``destination_name``) is left
    out when its code column is there, since that cell already names the country in the reader's
    language; ``significant_digits`` is left out too, since each number is already written with those
    digits. Downloads keep every column."""
    names = [str(column) for column in columns if str(column) not in HIDDEN_COLUMNS]
    present = set(names)
    return [name for name in names if not (name.endswith("_name") and name.removesuffix("_name") in present
                                           and name.removesuffix("_name") in COUNTRY_COLUMNS)]
