"""The import contract's report: counts, reasons, unmatched columns, notices, and no empty import."""

from __future__ import annotations

import pytest

from diaspora_observatory.importers.errors import NothingMatched
from diaspora_observatory.importers.report import ImportReport


def test_render_names_counts_reasons_columns_and_notices():
    report = ImportReport("stock.csv")
    report.read, report.stored = 5, 3
    report.skip("missing value ('..')")
    report.skip("missing value ('..')")
    report.unmatched("World region according to OWID")
    report.notice("OWID region codes kept apart as aggregates")
    assert report.render().splitlines() == [
        "stock.csv: 5 rows read, 3 stored, 2 skipped",
        "  skipped 2: missing value ('..')",
        "  columns that matched nothing (ignored): 'World region according to OWID'",
        "  note: OWID region codes kept apart as aggregates"]
    assert report.as_dict()["skipped"] == {"missing value ('..')": 2}


def test_nothing_matched_is_refused_with_what_did_not_match():
    report = ImportReport("answers.csv", unit="submissions")
    report.read = 4
    report.skip("no question matched", 4)
    report.unmatched("Q1")
    with pytest.raises(NothingMatched) as error:
        report.require_matches("map the columns to the form's questions")
    assert str(error.value) == ("answers.csv: nothing to store: 4 submissions read, none matched; skipped: 4 no "
                                "question matched; columns that matched nothing: 'Q1'; map the columns to the "
                                "form's questions")
    report.stored = 1
    report.require_matches()
