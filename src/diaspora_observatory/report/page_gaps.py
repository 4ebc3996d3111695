"""report.page_gaps: the pages a printed report leaves partly blank, and the block that left each gap.

A figure never splits and a short table is kept whole (``break-inside: avoid``), so when one does not
fit in what is left of a page, Chromium moves it to the next page and leaves the rest of this one blank: a
figure more than half a page tall (the projections' four panels) could leave a third of a page empty.
Print has no floats (CSS page floats are not implemented in Chromium), so the report does what a
typesetter's float does, from the first print's pages: a figure that jumped is placed after its section's
table, which may then break across the pages (its header repeats) and fill the gap, and a kept table
that jumped is let break. The appendix starts a page of its own, unless the page before it would be
mostly blank (``PART_MOST_BLANK``: the last rows of a table that broke, or a whole table that jumped, with
nothing after them): then it goes on right after on that page. ``build.py`` prints again with those
placements (at most ``LAYOUT_PRINTS``).

A page's blank is measured in the PDF itself (pypdf's text positions): the distance from the lowest line
of text above the page's bottom margin to that margin, as a share of the page's text area. Every block
of the report ends with text (a figure with its caption, a table with its source line), so the lowest
line is where the page's content ends.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

POINTS_PER_MM = 72 / 25.4
# The stylesheet's @page (templates/report.html): A4, margins 13 mm at the top and 15 mm at the bottom.
PAGE_HEIGHT = 297 * POINTS_PER_MM
TOP_MARGIN = 13 * POINTS_PER_MM
BOTTOM_MARGIN = 15 * POINTS_PER_MM
TEXT_HEIGHT = PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN
# A page may end this much short of its margin: the room a heading kept with its text, a few table rows or
# the last lines of a paragraph (widows) take; a block that jumped leaves more.
MOST_BLANK = 0.2
# The page before a part that starts a page (the appendix) may end this short of its margin, as a chapter's
# last page does; one blanker than this holds a few lines left over (the built-in case's page 7 in English
# held the last row of the claims table and was 93% blank), and the part goes on right after instead.
PART_MOST_BLANK = 0.5
LAYOUT_PRINTS = 3  # prints that may move blocks, before the last one with the contents' page numbers


@dataclass
class Page:
    """One printed page: its text without whitespace (markers are found in it whatever the line breaks)
    and the share of its text area left blank below its last line."""

    text: str
    blank: float


@dataclass
class Placement:
    """Where the report puts its blocks: figures set after their section's table, tables let break, and
    whether the appendix goes on from the page before rather than starting a page."""

    figures_after: set[str] = field(default_factory=set)
    unkept: set[str] = field(default_factory=set)
    appendix_follows: bool = False


def printed_pages(pdf_path: Path) -> list[Page]:
    """Every page of ``pdf_path``, with its text and its blank (see the module's docstring)."""
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(pdf_path).pages:
        lowest: list[float] = []

        def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: object,
                  found: list[float] = lowest) -> None:
            if text.strip():
                # the text's origin in page space: the text matrix's offset through the current matrix
                found.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])

        text = page.extract_text(visitor_text=visit)
        # the page number and the title in the bottom margin are not content
        body = [y for y in lowest if y > BOTTOM_MARGIN - 2]
        blank = (min(body) - BOTTOM_MARGIN) / TEXT_HEIGHT if body else 1.0
        pages.append(Page(unicodedata.normalize("NFKC", "".join(text.split())), max(0.0, blank)))
    return pages


def gaps(pages: list[Page], part_starts: set[int]) -> list[int]:
    """The indexes (from 0) of the pages more than ``MOST_BLANK`` blank that are followed by a page going
    on with the same part: neither the last page nor one before a part that starts a page (``part_starts``,
    numbers from 1, as the appendix, whose heading breaks the page)."""
    return [index for index, page in enumerate(pages[:-1])
            if page.blank > MOST_BLANK and index + 2 not in part_starts]


def fill_gaps(pages: list[Page], part_starts: set[int], figures: dict[str, str | None], kept: set[str],
              placement: Placement) -> Placement:
    """``placement`` with, for each gap, the block that opens the next page moved or let break.

    ``figures``: each figure's name and its section's table (None when the section has none; such a figure
    stays where it is, there being nothing to flow into the gap); ``kept``: the tables kept whole. A block
    is found by its file's name (``figures/NAME.svg`` in a figure's caption, ``tables/NAME.csv`` in a
    table's source line), the first found on the page after the gap. A page before a part that starts a
    page, more than ``PART_MOST_BLANK`` blank, has the part (the appendix) go on right after it; once it
    does, the part starts no page and ``part_starts`` excuses no page."""
    moved = Placement(set(placement.figures_after), set(placement.unkept), placement.appendix_follows)
    if placement.appendix_follows:
        part_starts = set()
    elif any(2 <= start <= len(pages) and pages[start - 2].blank > PART_MOST_BLANK for start in part_starts):
        moved.appendix_follows = True
    markers: list[tuple[str, str, str]] = [(f"figures/{name}.svg", name, table) for name, table in figures.items()
                                           if table is not None]
    markers += [(f"tables/{name}.csv", "", name) for name in kept]
    for index in gaps(pages, part_starts):
        following = pages[index + 1].text
        found = [(following.find(marker), figure, table) for marker, figure, table in markers
                 if marker in following]
        if not found:
            continue
        _position, figure, table = min(found)
        if figure:  # after its section's table, which may now break across the pages and fill the gap
            moved.figures_after.add(figure)
        moved.unkept.add(table)
    return moved
