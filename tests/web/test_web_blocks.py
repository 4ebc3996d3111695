"""Edges the type checker found in the page blocks and the number formatting of templates."""

from __future__ import annotations

import pytest

from diaspora_observatory.web.i18n import format_number
from diaspora_observatory.web.pages import CaseData, PageBuilder


@pytest.fixture(scope="module")
def builder(case) -> PageBuilder:
    return PageBuilder(CaseData(case), "en", lambda text: text)


def test_a_block_whose_chart_result_is_missing_says_so(builder):
    def chart(frame, source):
        raise AssertionError("no chart is drawn without its data")

    block = builder.block("flows", "Flows", "flows", chart=chart, chart_frame="no-such-result")
    assert block.frame is None and block.spec is None
    assert block.missing == (
        "This case has no data for this part yet: the resource “no-such-result” is empty or absent. To add it, put "
        "the rows in data/no-such-result.csv of the case, declare the resource in its datapackage.json (see "
        "docs/data.md), then run “diaspora check”.")


def test_a_block_draws_its_chart_from_the_named_result(builder):
    drawn = []

    def chart(frame, source):
        drawn.append(list(frame.columns))
        return {"title": {"text": "Flow summary"}}

    block = builder.block("flows", "Flows", "flows", chart=chart, chart_frame="flow-summary")
    assert block.missing == ""
    assert drawn and "net_trend" in drawn[0]
    assert block.frame is not None and "net" in block.frame.columns


def test_format_number_takes_a_kind_or_a_number_of_decimals_never_a_bool():
    assert format_number(1234.567, "en", 2) == "1,234.57"
    with pytest.raises(TypeError, match=r"^format_number: kind True is neither a kind nor a number of decimals$"):
        format_number(1234.567, "en", True)
