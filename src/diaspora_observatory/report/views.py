"""What the report shows of one section's tables: its compact table, its summary tables and its entries in
the appendix, each as the reader sees it (``cells.table_view``).

A section's views depend on the section and the report's language alone, so report/section_cache.py keeps
them with the sections it keeps; only the appendix's numbering, which depends on the sections before,
is added when the report is written (``build._context``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from diaspora_observatory.presentation.columns import column_label
from diaspora_observatory.report.cells import TableView, table_view
from diaspora_observatory.report.sections import APPENDIX_COLUMNS, LISTED_IN_FILES, TABLE_TITLES, Section
from diaspora_observatory.report.writer import Writer


@dataclass
class AppendixTable:
    """One full table of the appendix: ``view`` is None for a per-document list named with its file."""

    name: str
    title: str
    rows: int
    rows_text: str
    left_out: list[str]
    view: TableView | None


@dataclass
class SectionViews:
    compact: TableView | None
    summaries: list[tuple[str, TableView]] = field(default_factory=list)
    appendix: list[AppendixTable] = field(default_factory=list)


def section_views(section: Section, writer: Writer) -> SectionViews:
    """The compact table, the summary tables (with their titles) and the appendix's tables of ``section``."""
    _ = writer._
    appendix = []
    for name, frame in section.tables.items():
        title = _(TABLE_TITLES[name]) if name in TABLE_TITLES else name
        columns = APPENDIX_COLUMNS.get(name)
        left_out = [column_label(column, _) for column in frame.columns if columns and column not in columns]
        # A per-document list is named with its file, not reprinted (sections.LISTED_IN_FILES).
        listed = name in LISTED_IN_FILES
        appendix.append(AppendixTable(name, title, len(frame), writer.count(len(frame)), [] if listed else left_out,
                                      None if listed else table_view(name, frame, columns, writer, appendix=True)))
    compact = (table_view(section.compact.name, section.compact.frame, section.compact.columns, writer)
               if section.compact is not None else None)
    summaries = [(_(TABLE_TITLES[item.name]), table_view(item.name, item.frame, item.columns, writer))
                 for item in section.summaries]
    return SectionViews(compact, summaries, appendix)
