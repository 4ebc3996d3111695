"""The claims table's "Reported" column aligns every number to the right and every text to the left, on
the /claims page and in the report (issue 14): a value the study wrote as a number whose writing changed
its signs ("0.21" -> "0,21", "20000000" -> "20,000,000") was right-aligned on the page, and one written as
it is ("71", "5") left-aligned beside it; the report aligned none of them. A text (a country, a ranking, a
direction such as "decreasing") stays left-aligned."""

from __future__ import annotations

import re

import pytest

from diaspora_observatory.report.build import build_report

NUMBER = re.compile(r"-?\d[\d\u00a0 ,.]*")


def reported_cells(table_html: str) -> list[tuple[str, str]]:
    """(class attribute, text) of each body cell in the table's "reported" column."""
    headers = re.findall(r"<th[^>]*?data-column=\"(\w+)\"", table_html)
    column = headers.index("reported")
    cells = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table_html, re.S):
        found = re.findall(r"<t([dh])([^>]*)>(.*?)</t[dh]>", row, re.S)
        if len(found) != len(headers) or all(kind == "h" for kind, _a, _t in found):
            continue  # the header row
        _kind, attributes, text = found[column]
        css = re.search(r'class="([^"]*)"', attributes)
        cells.append((css.group(1) if css else "", re.sub(r"<[^>]+>", "", text).strip()))
    return cells


def stated_as_numbers(case) -> int:
    """How many of the study's claims state their value as a number (not a code, a word or a ranking)."""
    count = 0
    for value in case.table("claims")["reported"].astype(str):
        try:
            float(value)
        except ValueError:
            continue
        count += 1
    return count


def assert_aligned(cells: list[tuple[str, str]]) -> None:
    right = [text for css, text in cells if "num" in css.split()]
    left = [text for css, text in cells if "num" not in css.split()]
    assert right and all(NUMBER.fullmatch(text) for text in right), right
    assert left and not any(NUMBER.fullmatch(text) for text in left), left


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_the_claims_page_aligns_every_reported_number_right(client, case, language):
    html = client.get("/claims", params={"lang": language}).text
    tables = [table for table in re.findall(r"<table.*?</table>", html, re.S) if 'data-column="reported"' in table]
    assert len(tables) == 2  # the claims that lead the page, and every claim below them
    for table in tables:
        cells = reported_cells(table)
        assert_aligned(cells)
    assert len(cells) == len(case.table("claims"))
    assert sum("num" in css.split() for css, _text in cells) == stated_as_numbers(case)


@pytest.mark.slow  # the report in three languages
@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_the_reports_claims_tables_align_every_reported_number_right(tmp_path, case, language):
    build_report(case, tmp_path, language=language)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    tables = re.findall(r'<table data-table="claims">.*?</table>', html, re.S)
    assert len(tables) == 2  # the section's mismatches and the appendix's every claim
    for table in tables:
        assert_aligned(reported_cells(table))
    assert sum("num" in css.split() for css, _text in reported_cells(tables[1])) == stated_as_numbers(case)
