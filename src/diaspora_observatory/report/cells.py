"""A table of the report as the reader sees it: headers in the report's language, cells written by the
presentation layer, codes as labels and countries as names (the code kept in ``<abbr title>``).

A missing value reads as a dash, never as a zero or a "no"; the CSV tables beside the report keep the
machine values and the machine column names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from diaspora_observatory.analysis.flows import ALL_PARTNERS
from diaspora_observatory.presentation.cells import HIDDEN_COLUMNS, cell_text, is_number
from diaspora_observatory.presentation.numbers import MISSING
from diaspora_observatory.presentation.texts import KEY_FIGURE_LABELS, NOTE_LANGUAGE, language_name
from diaspora_observatory.report.columns import HEADERS, header
from diaspora_observatory.report.writer import Writer
from diaspora_observatory.tabular import records

COUNTRY_COLUMNS = {"country", "partner", "largest_host", "destination", "largest_destination"}
STATUS_COLUMNS = {"status", "severity", "within_tolerance"}
DATA_TEXT_COLUMNS = {"note"}  # the case's own free texts, in its text language (Case.text_language)
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
    # A note of the data in another language than the report's: its language (``lang``) and a label naming it.
    lang: str = ""
    label: str = ""


@dataclass
class TableView:
    name: str
    columns: list[str]
    headers: list[str]
    rows: list[list[Cell]]
    transposed: bool = False
    constants: list[tuple[str, str]] = field(default_factory=list)  # (header, value) the same in every row
    footnotes: list[tuple[str, str, str]] = field(default_factory=list)  # (mark, header, text) of repeated texts
    # mark -> (language, label) of a footnote that is a note of the data in another language than the report's
    footnote_languages: dict[str, tuple[str, str]] = field(default_factory=dict)
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
    if column in DATA_TEXT_COLUMNS:
        return note_cell(value, writer)
    if column in COUNTRY_COLUMNS and value == ALL_PARTNERS:
        return Cell(writer._("All partners"), "country", value)
    if (column in COUNTRY_COLUMNS or column == "value") and len(value) == 3 and value.isupper() \
            and writer.country(value) != value:
        return Cell(writer.country(value), "country", value)
    if column == "source_ids" or column.endswith("source_id"):  # a list of ids, broken only between them
        return Cell("; ".join(part for part in value.split(";") if part), "ids")
    if column == "figure":  # the regional summary's figures are named like the columns that hold them
        name = KEY_FIGURE_LABELS.get(value) or HEADERS.get(value)
        if name:
            return Cell(writer._(name), "", value)
    # A code by its label; otherwise the presentation layer's text (a claim's reported "0.21" written "0,21").
    label = writer.label(column, value)
    shown = label if label != value else text
    css = f"status status-{value}" if column in STATUS_COLUMNS else ("long" if len(shown) > LONG_TEXT else "")
    return Cell(shown, css, value if shown != value else "")


def note_cell(note: str, writer: Writer) -> Cell:
    """A note as the web page writes it (``web.cells.data_text``): a fixed text of the observatory in the
    report's language, the data's own as written, marked with its language and a label when it differs."""
    css = "long" if len(note) > LONG_TEXT else ""
    if note.strip() and writer._(note) != note:
        return Cell(writer._(note), css)
    text_language = writer.case.text_language
    if not note.strip() or text_language == writer.language:
        return Cell(note, css)
    return Cell(note, css, lang=text_language,
                label=writer._(NOTE_LANGUAGE).format(language=language_name(text_language, writer.language)))


def table_view(name: str, frame: pd.DataFrame, columns: list[str] | None, writer: Writer, *,
               appendix: bool = False) -> TableView:
    """``frame``'s ``columns`` (all by default) as the reader sees them. In the ``appendix`` a column
    holding one value in every row is stated once above the table, a long text repeated down a column
    once below it (marked [n]); a wide, short table is turned on its side and a narrow, long one set in
    two columns."""
    # Columns that say how to write the others (significant_digits) are read by cell_text, never shown.
    wanted = [column for column in (columns or list(frame.columns))
              if column in frame.columns and column not in HIDDEN_COLUMNS]
    rows = records(frame)
    constants: list[tuple[str, str]] = []
    if appendix and len(rows) > 2:
        for column in list(wanted):
            values = {str(row[column]) for row in rows}
            # a note marked with the data's language stays in its cells, where it carries the mark
            if len(values) == 1 and rows[0][column] is not None and not cell(column, rows[0][column], rows[0],
                                                                             writer).lang:
                constants.append((header(column, writer._), cell(column, rows[0][column], rows[0], writer).text))
                wanted.remove(column)
    cells = [[cell(column, row[column], row, writer) for column in wanted] for row in rows]
    footnotes: list[tuple[str, str, str]] = []
    footnote_languages: dict[str, tuple[str, str]] = {}
    if appendix:
        for index, column in enumerate(wanted):
            texts = [row[index].text for row in cells if row[index].css != "missing"]
            distinct = list(dict.fromkeys(texts))
            # A provenance is one of a few formulas per table even when each row's differs a little.
            repeated = len(distinct) <= max(3, len(rows) * REPEATED_SHARE) or column == "provenance"
            if texts and max(map(len, distinct)) > REPEATED_TEXT and repeated:
                marks = {}
                for text in distinct:
                    marks[text] = f"[{len(footnotes) + 1}]"
                    footnotes.append((marks[text], header(column, writer._), text))
                    marked = next(row[index] for row in cells if row[index].text == text)
                    if marked.lang:  # the footnote carries the note's language as its cell did
                        footnote_languages[marks[text]] = (marked.lang, marked.label)
                for row in cells:
                    if row[index].css != "missing":
                        row[index] = Cell(marks[row[index].text], "mark")
    headers = [header(column, writer._) for column in wanted]
    view = TableView(name, wanted, headers, cells, constants=constants, footnotes=footnotes,
                     footnote_languages=footnote_languages,
                     two_columns=appendix and len(wanted) <= TWO_COLUMNS and len(rows) > TWO_COLUMN_ROWS)
    if appendix and len(wanted) > TRANSPOSE_COLUMNS and len(rows) <= TRANSPOSE_ROWS:
        # The first column names the rows (a host, a partner): it becomes the header row.
        names = [row[0] for row in cells]
        view = TableView(name, wanted, [headers[0]] + [item.text for item in names],
                         [[Cell(headers[index], "rowhead", wanted[index])] + [row[index] for row in cells]
                          for index in range(1, len(wanted))], transposed=True, constants=constants,
                         footnotes=footnotes, footnote_languages=footnote_languages,
                         header_codes=[wanted[0]] + [item.code or item.text for item in names])
    return view
