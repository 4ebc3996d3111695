"""report.page_gaps.fill_gaps on pages as the PDF reader gives them: which block a gap moves, and when the
appendix goes on from the page before instead of starting a page (the printed report: test_report_pdf.py)."""

from __future__ import annotations

from diaspora_observatory.report.page_gaps import MOST_BLANK, PART_MOST_BLANK, Page, Placement, fill_gaps

FIGURES = {"claims-by-status": "claims", "survey-items": None}
KEPT = {"claims", "demography"}


def pages(*blanks: float, texts: dict[int, str] | None = None) -> list[Page]:
    return [Page((texts or {}).get(index, f"page{index}"), blank) for index, blank in enumerate(blanks)]


def test_a_mostly_blank_page_before_the_appendix_has_the_appendix_follow():
    """The built-in case's English page 7: the claims table's last row, 93% blank, then the appendix's page."""
    before = pages(0.03, 0.06, 0.93, 0.01, texts={3: "Appendix:fulltablesFile:tables/demography.csv"})
    placed = fill_gaps(before, {4}, FIGURES, KEPT, Placement())
    # the appendix goes on after the row; the page that opens it is not searched for a block to move
    assert placed == Placement(appendix_follows=True)


def test_a_page_before_the_appendix_ending_early_as_a_chapter_does_keeps_the_page_break():
    blank = (MOST_BLANK + PART_MOST_BLANK) / 2
    assert fill_gaps(pages(0.03, blank, 0.01), {3}, FIGURES, KEPT, Placement()) == Placement()


def test_once_the_appendix_follows_its_page_excuses_no_gap():
    """Printed again with the appendix going on, the appendix's heading page no longer starts a page: a gap
    on the page before it is a gap like any other, and the block opening the next page is moved."""
    printed = pages(0.02, 0.3, 0.01, texts={2: "Data:figures/claims-by-status.svgIDSection"})
    placed = fill_gaps(printed, {3}, FIGURES, KEPT, Placement(appendix_follows=True))
    assert placed == Placement({"claims-by-status"}, {"claims"}, appendix_follows=True)
    # the same pages with the appendix starting page 3: page 2 is its part's last page, not a gap
    assert fill_gaps(printed, {3}, FIGURES, KEPT, Placement()) == Placement()


def test_a_gap_before_a_kept_table_lets_it_break_and_keeps_the_other_placements():
    printed = pages(0.4, 0.01, 0.01, texts={1: "IDSectionReportedSource:Authors.Full:tables/claims.csv"})
    placed = fill_gaps(printed, set(), FIGURES, KEPT, Placement({"survey-items"}))
    assert placed == Placement({"survey-items"}, {"claims"})
