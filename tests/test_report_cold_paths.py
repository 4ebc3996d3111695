"""The shortcuts a cold report takes (issue 15 item 3) give what the longer ways gave: the cells' type
checks without the ABC, Babel's numbers with the locale and pattern parsed once, a table row's HTML in
one call instead of the template's loop, the case's memo handing out shallow copies under pandas' copy
on write, and the CLI's report leaving the cycle collector as it found it."""

from __future__ import annotations

import gc
import math
import numbers
from decimal import Decimal
from fractions import Fraction

import jinja2
import numpy as np
import pandas as pd
import pytest
from babel.numbers import format_decimal
from babel.numbers import format_percent as babel_percent
from click.testing import CliRunner

from diaspora_observatory.case.package import load_case
from diaspora_observatory.cli import main
from diaspora_observatory.presentation import numbers as presentation_numbers
from diaspora_observatory.presentation.cells import is_number
from diaspora_observatory.report.cells import cell_html, row_html
from diaspora_observatory.report.section_cache import report_contents
from diaspora_observatory.report.writer import Writer

VALUES = [0.0, -0.0, 1.5, float("nan"), float("inf"), -float("inf"), 0, 7, -3, True, False, "", "7", "nan", None,
          np.float64("nan"), np.float64(2.5), np.int64(4), np.bool_(True), pd.NA, Decimal("1.5"), Decimal("NaN"),
          Fraction(1, 3), [1], {"a": 1}, object()]


def _missing_by_abc(value: object) -> bool:
    if value is None:
        return True
    try:
        return isinstance(value, numbers.Real) and math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def value_id(value) -> str:
    """A test id the same in every process (pytest-xdist compares them): a bare object's repr holds its address."""
    return "object()" if type(value) is object else repr(value)


@pytest.mark.parametrize("value", VALUES, ids=value_id)
def test_missing_and_number_checks_agree_with_the_abc(value):
    assert presentation_numbers._is_missing(value) is _missing_by_abc(value)
    assert is_number(value) is (isinstance(value, numbers.Real) and not isinstance(value, bool)
                                and not _missing_by_abc(value))


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_numbers_are_babels_own(language):
    for value in [0.0, 1234567.891, -978400.0, 0.000123, 12.5, 99.9997, 2.04, 1e-7, 123456789012.0]:
        for pattern in ["#,##0", "#,##0.0", "#,##0.000", "#,##0.###", "#,##0.##"]:
            presentation_numbers._written.cache_clear()
            assert presentation_numbers._written(value, pattern, language) == format_decimal(
                value, format=pattern, locale=language, decimal_quantization=True)
        for decimals in range(4):
            pattern = presentation_numbers._percent_pattern(language, decimals)
            number = round(value, decimals) / 100
            assert presentation_numbers.format_percent(value, language, decimals=decimals) == babel_percent(
                number, format=pattern, locale=language, decimal_quantization=True)


# The loop the report's table template ran over a row's cells before row_html.
CELL_LOOP = jinja2.Environment(autoescape=True).from_string(
    "{% for item in row %}<td{% if item.css %} class=\"{{ item.css }}\"{% endif %}"
    "{% if item.code and item.css != 'country' %} title=\"{{ item.code }}\"{% endif %}>{{ cell_html(item) }}</td>"
    "{% endfor %}")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_rows_html_is_the_template_loops(case, language, tmp_path, monkeypatch):
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(tmp_path))
    writer = Writer(case, language)
    _, _, views = report_contents(case, writer)
    rows = [row for view in views.values() for table in [view.compact, *(t for _, t in view.summaries),
                                                         *(a.view for a in view.appendix)]
            if table is not None for row in table.rows]
    assert len(rows) > 300
    assert any(item.code and item.css == "country" for row in rows for item in row)
    assert any(item.code and item.css != "country" for row in rows for item in row)
    for row in rows:
        assert row_html(row, writer.marked) == CELL_LOOP.render(
            row=row, cell_html=lambda item: cell_html(item, writer.marked))


def test_the_memo_hands_out_copies_whose_edits_stay_theirs():
    case = load_case()
    first = case.table("population")
    before = first.copy(deep=True)
    first.loc[first.index[0], "population"] = -1
    first["group"] = "edited"
    first.columns = [f"renamed_{column}" for column in first.columns]
    again = case.table("population")
    pd.testing.assert_frame_equal(again, before)
    series = case.memo(("a series",), lambda: pd.Series([1.0, 2.0]))
    series.iloc[0] = 9.0
    assert case.memo(("a series",), lambda: None).tolist() == [1.0, 2.0]


def test_the_report_command_leaves_the_collector_on(tmp_path, monkeypatch):
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(tmp_path / "cache"))
    assert gc.isenabled()
    result = CliRunner().invoke(main, ["report", "--out", str(tmp_path / "report")])
    assert result.exit_code == 0, result.output
    assert gc.isenabled()


@pytest.mark.parametrize("value", VALUES, ids=value_id)
def test_format_value_writes_each_type_as_before(value):
    # the text for a value that is no real number, or the number's: as the ABC's check decided
    if not _missing_by_abc(value) and (isinstance(value, bool) or not isinstance(value, numbers.Real)):
        assert presentation_numbers.format_value(value) == str(value)
    else:
        assert presentation_numbers.format_value(value) == presentation_numbers.format_value(
            float(value) if not _missing_by_abc(value) else None)
