"""Table cells for HTML: numbers in the reader's locale, country codes as names, sources as links."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping

from markupsafe import Markup, escape

from diaspora_observatory.case.labels import ValueLabels
from diaspora_observatory.countries import country_name
from diaspora_observatory.presentation.cells import HIDDEN_COLUMNS, cell_text, is_number, yes_no
from diaspora_observatory.presentation.columns import column_label
from diaspora_observatory.presentation.kinds import UNIT_COLUMNS
from diaspora_observatory.presentation.provenance import provenance_text
from diaspora_observatory.presentation.texts import NOTE_LANGUAGE, language_name

COUNTRY_COLUMNS = {"country", "partner", "largest_host", "destination", "largest_destination"}
STATUS_COLUMNS = {"status", "severity"}
# Columns holding the case's own free texts, written in its text language (``Case.text_language``).
DATA_TEXT_COLUMNS = frozenset({"note"})


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


def _titled(label: str | None, code: str) -> str:
    return f' title="{escape(code)}"' if label else ""


def _is_source_column(column: str) -> bool:
    return column == "source_ids" or column.endswith("source_id")


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
    if column in COUNTRY_COLUMNS and len(text) == 3 and text.isupper():
        name = country_name(text, language)
        return Markup(f'<td><abbr title="{escape(text)}">{escape(name)}</abbr></td>')
    if column in DATA_TEXT_COLUMNS and text_language is not None:
        css_class = ' class="long"' if len(text) > 40 else ""
        return Markup(f"<td{css_class}>{data_text(text, language, text_language, translate)}</td>")
    if _is_source_column(column):
        links = ", ".join(f'<a href="/sources#source-{escape(part)}">{escape(part)}</a>'
                          for part in text.split(";") if part)
        return Markup(f'<td class="links">{links}</td>')
    label = labels.get(column, text) if labels is not None else None
    if column == "provenance" and translate is not None and label is None:
        label = provenance_text(text, translate, lambda name: column_label(name, translate),
                                lambda term: (labels.get("group", term) if labels is not None else None) or term,
                                language)
    label = None if label == text else label
    if column in STATUS_COLUMNS:
        return Markup(f'<td><span class="status status-{escape(text)}"{_titled(label, text)}>'
                      f"{escape(label or text)}</span></td>")
    if label:
        return Markup(f'<td title="{escape(text)}">{escape(label)}</td>')
    # Long texts (notes, statements) get a readable width instead of squeezing every other column.
    css_class = ' class="long"' if len(text) > 40 else ""
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
