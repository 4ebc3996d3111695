"""A code that is neither an ISO country code nor one of the World Bank's own is named, not silently filed
with the aggregates (issue 12: "a mistyped WDI code silently moved to aggregates"). Real files: the World
Bank's download and the datasets/population package in ../shared/data."""

from __future__ import annotations

import pytest
from sources_files import SHARED, WDI_SHARED

from diaspora_observatory.importers.errors import MalformedSource
from diaspora_observatory.importers.wdi import read_wdi

DOWNLOAD = SHARED / "wdi-download" / "API_SP.POP.TOTL_DS2_en_csv_v2_246068.csv"


def _strange(imported) -> list[str]:
    return [text for text in imported.report.notices if "neither ISO country codes nor World Bank" in text]


def test_the_real_files_have_no_code_outside_iso_and_the_world_banks():
    for path in (DOWNLOAD, WDI_SHARED):
        imported = read_wdi(path)
        assert _strange(imported) == [], path.name
        assert len(imported.aggregates) > 0  # the regions and income groups are there, kept apart


def test_a_mistyped_country_code_is_named_with_its_country(tmp_path):
    text = DOWNLOAD.read_text(encoding="utf-8-sig")
    assert text.count('"Kazakhstan","KAZ"') == 1
    mistyped = tmp_path / DOWNLOAD.name
    mistyped.write_text(text.replace('"Kazakhstan","KAZ"', '"Kazakhstan","KZA"'), encoding="utf-8")
    imported = read_wdi(mistyped)
    assert "KAZ" not in set(imported.table["country"]) and "KZA" in set(imported.aggregates["code"])
    assert _strange(imported) == [
        "1 code(s) are neither ISO country codes nor World Bank aggregates and were kept apart with the "
        "aggregates: KZA (Kazakhstan); if one is a mistyped country code, correct it in the file and import "
        "again (its rows are not in the case)"]


def test_a_year_heading_two_columns_is_refused_naming_both(tmp_path):
    """Found by the mutation sweep (seed 3): a year column renamed to another year gave every country two
    values for that year, the later one silently kept. Now the header is refused, row and columns named."""
    lines = DOWNLOAD.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    assert lines[4].startswith('"Country Name","Country Code"') and lines[4].count('"2014"') == 1
    lines[4] = lines[4].replace('"2014"', '"1990"')
    edited = tmp_path / DOWNLOAD.name
    edited.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(MalformedSource) as refused:
        read_wdi(edited)
    # A-D name the rows, E is 1960: 1990 is column AI, 2014 column BG
    assert str(refused.value) == (f"{DOWNLOAD.name}, row 5, column BG (1990): '1990' heads 2 columns (AI, BG); "
                                  "give each year and each name column once; download the file again if it was "
                                  "edited")


def test_a_name_column_given_twice_is_refused(tmp_path):
    lines = DOWNLOAD.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    lines[4] = lines[4].replace('"2014"', '"Country Code"')
    edited = tmp_path / DOWNLOAD.name
    edited.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(MalformedSource, match="'Country Code' heads 2 columns"):
        read_wdi(edited)
