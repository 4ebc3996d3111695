"""A table of the report as the reader sees it: headers in the report's language, cells written by the
presentation layer, codes as labels and countries as names (the code kept in ``<abbr title>``).

A missing value reads as a dash, never as a zero or a "no"; the CSV tables beside the report keep the
machine values and the machine column names.

In a Russian or Kazakh report nothing English is left unmarked: the observatory's own words (provenance
formulas, the claim checker's results and reasons, unit and language codes) are written in the reader's
language by the presentation layer; the data's own words (a note, a study's statement, a title, a name)
are kept as the case gives them and marked ``lang="en"``; identifiers (source, claim and document ids),
which the CSV files hold and every language shares, are marked ``translate="no"``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from babel import Locale, UnknownLocaleError
from markupsafe import Markup, escape

from diaspora_observatory.analysis.flows import ALL_PARTNERS
from diaspora_observatory.presentation.cells import HIDDEN_COLUMNS, cell_text, is_number, is_numeric_text
from diaspora_observatory.presentation.claims import basis_text, computed_text, reason_text, unit_text
from diaspora_observatory.presentation.columns import COLUMN_LABELS, column_label
from diaspora_observatory.presentation.kinds import UNIT_COLUMNS
from diaspora_observatory.presentation.numbers import MISSING
from diaspora_observatory.presentation.provenance import provenance_text
from diaspora_observatory.presentation.texts import KEY_FIGURE_LABELS
from diaspora_observatory.report.writer import Writer
from diaspora_observatory.tabular import records

COUNTRY_COLUMNS = {"country", "partner", "largest_host", "destination", "largest_destination"}
STATUS_COLUMNS = {"status", "severity", "within_tolerance"}
# Columns whose text is the data's own (a source's, the study's, the case author's words), kept as written.
DATA_TEXT_COLUMNS = {"note", "statement", "title", "name", "issuer", "publisher", "author", "city", "label",
                     "explanation", "definition", "assumptions", "tolerance_basis", "data_scope", "source",
                     "country_name", "destination_name", "concept_character", "period", "passage"}
LATIN = re.compile(r"[A-Za-z]{2}")
LONG_TEXT = 60  # characters: such a cell gets the room of a note
# A table this wide and this short reads better turned on its side: a row per column.
TRANSPOSE_COLUMNS, TRANSPOSE_ROWS = 9, 6
# A long text repeated down a column (a scenario's assumptions, a provenance formula) is written once under
# the table and marked [n] in its cells, when it has at most this share of distinct values.
REPEATED_TEXT, REPEATED_SHARE = 40, 1 / 3
# A table this narrow and this long is set in two columns on the page.
TWO_COLUMNS, TWO_COLUMN_ROWS = 6, 25


@dataclass
class Cell:
    text: str
    css: str = ""
    code: str = ""  # the machine value behind a name or a label, shown on hover and kept for readers of the HTML
    lang: str = ""  # "en" for the data's own English text in a report of another language
    literal: bool = False  # an identifier, the same in every language (translate="no")
    quote: str = ""  # the data's own words after the cell's text, e.g. a claim row's scope gap (lang="en")


@dataclass
class TableView:
    name: str
    columns: list[str]
    headers: list[str]
    rows: list[list[Cell]]
    transposed: bool = False
    constants: list[tuple[str, Cell]] = field(default_factory=list)  # (header, value) the same in every row
    footnotes: list[tuple[str, str, Cell]] = field(default_factory=list)  # (mark, header, text) of repeated texts
    two_columns: bool = False
    # A transposed table's header cells name rows of the original table: the machine value behind each
    # (a country code), kept in ``data-code`` for readers of the HTML.
    header_codes: list[str] = field(default_factory=list)


def cell(column: str, value: object, row: dict, writer: Writer) -> Cell:
    text = cell_text(column, value, writer.language, row)
    if text == "":
        return Cell(MISSING, "missing")
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return Cell(text, "bool")
    if is_number(value):
        return Cell(text, "num")
    value = str(value)
    if column in UNIT_COLUMNS and is_numeric_text(value):  # a claim's reported "71": a number, right-aligned
        return Cell(text, "num", value if text != value else "")
    if column == "note":
        return note_cell(value, writer)
    if column in COUNTRY_COLUMNS and value == ALL_PARTNERS:
        return Cell(writer._("All partners"), "country", value)
    if (column in COUNTRY_COLUMNS or column == "value") and len(value) == 3 and value.isupper() \
            and writer.country(value) != value:
        return Cell(writer.country(value), "country", value)
    if column == "source_ids" or column.endswith("source_id"):  # a list of ids, broken only between them
        return Cell("; ".join(part for part in value.split(";") if part), "ids",
                    literal=writer.language != "en")
    if column in ("id", "coder", "coder_a", "coder_b") or column.endswith("_id"):  # a coder is named by an id too
        return Cell(value, "ids", literal=writer.language != "en")
    if column == "code" and writer.label(column, value) == value:  # a documents code the case gives no label
        return Cell(value, "ids", literal=writer.language != "en")
    if column == "provenance":
        written = provenance_text(value, writer._, lambda name: column_label(name, writer._),
                                  lambda term: writer.labels.get("group", term)
                                  or (column_label(term, writer._) if term in COLUMN_LABELS else term), writer.language)
        return Cell(written, "long" if len(written) > LONG_TEXT else "", value if written != value else "")
    if column == "language":
        return Cell(language_name(value, writer.language), "", value)
    if column == "unit" and writer.label(column, value) == value and unit_text(value, writer._):
        return Cell(unit_text(value, writer._) or value, "", value)
    if column == "reason" and (reason := reason_text(value, writer._)) is not None:
        said, quote = reason
        return Cell(said, "long" if len(said) + len(quote) > LONG_TEXT else "", lang="", quote=quote)
    # the checker's own words for a tolerance; a claim row's own basis stays the data's (marked below)
    if column == "tolerance_basis" and (basis := basis_text(value, writer.claim_reader)) is not None:
        return Cell(basis, "long" if len(basis) > LONG_TEXT else "", value)
    if column in ("reported", "computed") and "statement" in row:  # a claim's values, by its unit
        claim_value = claim_value_text(value, row, writer)
        if claim_value is not None:
            return Cell(claim_value, "long" if len(claim_value) > LONG_TEXT else "", value)
    if column == "figure":  # the regional summary's figures are named like the columns that hold them
        name = KEY_FIGURE_LABELS.get(value) or COLUMN_LABELS.get(value)
        if name:
            return Cell(writer._(name), "", value)
    # A code by its label; otherwise the presentation layer's text (a claim's reported "0.21" written "0,21").
    label = writer.label(column, value)
    shown = label if label != value else text
    css = f"status status-{value}" if column in STATUS_COLUMNS else ("long" if len(shown) > LONG_TEXT else "")
    foreign = writer.language != "en" and shown == value and column in DATA_TEXT_COLUMNS and LATIN.search(value)
    return Cell(shown, css, value if shown != value else "", lang="en" if foreign else "")


def cell_html(item: Cell, marked: Callable[[str], Markup] = escape) -> Markup:
    """What a cell shows, as HTML: a country's name in ``<abbr>`` with its code, the data's own English
    words in ``lang="en"``, an identifier in ``translate="no"``; any other text through ``marked``
    (``Writer.marked``: an id or a source's name inside a translated text)."""
    text = marked(item.text)
    if item.css == "country" and item.code:
        text = Markup(f'<abbr title="{escape(item.code)}">{escape(item.text)}</abbr>')
    elif item.lang:
        text = Markup(f'<span lang="{item.lang}">{escape(item.text)}</span>')
    elif item.literal:
        text = Markup(f'<span translate="no">{escape(item.text)}</span>')
    if item.quote:
        text = Markup(f'{text} <span lang="en">{escape(item.quote)}</span>')
    return text


def row_html(row: list[Cell], marked: Callable[[str], Markup] = escape) -> Markup:
    """A table row's cells as HTML, ``<td class="…" title="…">…</td>`` each (``cell_html``'s text; the code
    behind a label in ``title``, a country's in its ``<abbr>``): one call per row from the template, where a
    loop over the cells cost a fifth of writing report.html."""
    pieces = []
    for item in row:
        css = f' class="{escape(item.css)}"' if item.css else ""
        title = f' title="{escape(item.code)}"' if item.code and item.css != "country" else ""
        pieces.append(f"<td{css}{title}>{cell_html(item, marked)}</td>")
    return Markup("".join(pieces))


def claim_value_text(value: str, row: dict, writer: Writer) -> str | None:
    """A claim's reported or computed text in the report's language: countries by name (ranked when joined
    by "+"), the checker's results in the reader's words; ``None`` for any other text."""
    if row.get("unit") in ("order", "country") and re.fullmatch(r"[A-Z]{3}(\+[A-Z]{3})*", value):
        return " > ".join(writer.country(code) for code in value.split("+"))
    return computed_text(value, writer.claim_reader)


def language_name(code: str, language: str) -> str:
    """A language code (``ru``) by its name in the reader's language (``русский``), from CLDR; the code
    itself when CLDR has no such language."""
    try:
        return Locale.parse(code).get_display_name(language) or code
    except (ValueError, UnknownLocaleError):
        return code


def note_cell(note: str, writer: Writer) -> Cell:
    """A note as the web page writes it (``web.cells.data_text``): a fixed text of the observatory in the
    report's language, the data's own as written, marked with its language when it differs (the title
    page says once, translated, that the data's own texts are given in their original language)."""
    css = "long" if len(note) > LONG_TEXT else ""
    if note.strip() and writer._(note) != note:
        return Cell(writer._(note), css)
    text_language = writer.case.text_language
    if not note.strip() or text_language == writer.language:
        return Cell(note, css)
    return Cell(note, css, lang=text_language)


def table_view(name: str, frame: pd.DataFrame, columns: list[str] | None, writer: Writer, *,
               appendix: bool = False) -> TableView:
    """``frame``'s ``columns`` (all by default) as the reader sees them. In the ``appendix`` a column
    holding one value in every row is stated once above the table, a long text repeated down a column
    once below it (marked [n]); a wide, short table is turned on its side and a narrow, long one set in
    two columns."""
    # Columns that say how to write the others (significant_digits) are read by cell_text, never shown.
    wanted = [column for column in (columns or list(frame.columns))
              if column in frame.columns and column not in HIDDEN_COLUMNS and not _named_twice(column, frame)]
    # The regional summary's rows of significant digits say how its other rows are written (as the
    # significant_digits column does elsewhere): the CSV keeps them, the reader reads the written figures.
    if "figure" in frame.columns:
        frame = frame[~frame["figure"].astype(str).str.endswith("_digits")]
    rows = records(frame)
    constants: list[tuple[str, Cell]] = []
    if appendix and len(rows) > 2:
        for column in list(wanted):
            values = {str(row[column]) for row in rows}
            if len(values) == 1 and rows[0][column] is not None:
                constants.append((column_label(column, writer._), cell(column, rows[0][column], rows[0], writer)))
                wanted.remove(column)
    cells = [[cell(column, row[column], row, writer) for column in wanted] for row in rows]
    footnotes: list[tuple[str, str, Cell]] = []
    if appendix:
        for index, column in enumerate(wanted):
            texts = [row[index].text for row in cells if row[index].css != "missing"]
            distinct = list(dict.fromkeys(texts))
            # A provenance is one of a few formulas per table even when each row's differs a little.
            repeated = len(distinct) <= max(3, len(rows) * REPEATED_SHARE) or column == "provenance"
            if texts and max(map(len, distinct)) > REPEATED_TEXT and repeated:
                marks: dict[str, str] = {}
                for row in cells:
                    text = row[index].text
                    if row[index].css != "missing" and text not in marks:
                        marks[text] = f"[{len(footnotes) + 1}]"
                        footnotes.append((marks[text], column_label(column, writer._), row[index]))
                for row in cells:
                    if row[index].css != "missing":
                        row[index] = Cell(marks[row[index].text], "mark")
    headers = [column_label(column, writer._) for column in wanted]
    view = TableView(name, wanted, headers, cells, constants=constants, footnotes=footnotes,
                     two_columns=appendix and len(wanted) <= TWO_COLUMNS and len(rows) > TWO_COLUMN_ROWS)
    if appendix and len(wanted) > TRANSPOSE_COLUMNS and len(rows) <= TRANSPOSE_ROWS:
        # The first column names the rows (a host, a partner): it becomes the header row.
        names = [row[0] for row in cells]
        view = TableView(name, wanted, [headers[0]] + [item.text for item in names],
                         [[Cell(headers[index], "rowhead", wanted[index])] + [row[index] for row in cells]
                          for index in range(1, len(wanted))], transposed=True, constants=constants,
                         footnotes=footnotes,
                         header_codes=[wanted[0]] + [item.code or item.text for item in names])
    return view


def _named_twice(column: str, frame: pd.DataFrame) -> bool:
    """A ``<code>_name`` column (``country_name``: the data's English name) beside its code column, whose
    cell already names the country in the reader's language, as the web pages leave it out."""
    code = column.removesuffix("_name")
    return column.endswith("_name") and code in COUNTRY_COLUMNS and code in frame.columns
