"""Statistics on the pages: headlined only when significant, p-values as "< 0.001", intervals named for
what they are, projections in whole persons (the audit's examples)."""

from __future__ import annotations

import html as html_module
import re

import pytest

NBSP = "\xa0"


def cards(page: str) -> list[tuple[str, str]]:
    labels = re.findall(r'<span class="figure-label">([^<]*)</span>', page)
    values = re.findall(r'<span class="figure-value">([^<]*)</span>', page)
    return [(html_module.unescape(label), value) for label, value in zip(labels, values, strict=True)]


def paragraphs(page: str) -> list[str]:
    return [html_module.unescape(text) for text in re.findall(r"<p(?: class=\"intro\")?>([^<]*)</p>", page)]


@pytest.mark.parametrize(("language", "card"), [
    ("en", ("Change in the level of immigration to Kazakhstan (Pettitt's test, p\xa0=\xa00.326)",
            "no significant change")),
    ("ru", ("Изменение уровня иммиграции в страну происхождения (Казахстан), тест Петтитта, p\xa0=\xa00,326",
            "значимого изменения нет")),
    ("kk", ("Шыққан елге (Қазақстан) иммиграция деңгейінің өзгеруі (Петтитт сынағы, p\xa0=\xa00,326)",
            "маңызды өзгеріс жоқ")),
])
def test_tajikistan_change_point_with_p_033_is_no_significant_change(client, language, card):
    """The audit: Tajikistan's profile headlined "2007: first year of a new level" for p = 0.33."""
    page = client.get("/country/TJK", params={"lang": language}).text
    assert card in cards(page)
    assert "2007" not in dict(cards(page)).values()


def test_tajikistan_profile_says_what_the_tests_find(client):
    page = client.get("/country/TJK").text
    assert ("Tajikistan, 2000–2023: no significant trend in the net flow (Mann-Kendall test, p\xa0=\xa00.602). "
            "Immigration: no significant change in level (Pettitt's test, p\xa0=\xa00.326). Emigration: a new level "
            "from 2010 (Pettitt's test, p\xa0=\xa00.003); since then no significant trend (Mann-Kendall test, "
            "p\xa0=\xa00.224). A trend, slope or change year is stated only when it is significant at the 5% level; "
            "the table keeps every test's statistic and p-value.") in paragraphs(page)


def test_a_significant_change_point_is_headlined_with_its_year(client):
    assert ("First year of a new level of immigration to Kazakhstan (Pettitt's test, p\xa0<\xa00.001)", "2013") in \
        cards(client.get("/country/UZB").text)


def test_flows_page_leads_with_the_finding_for_all_partners(client):
    page = client.get("/flows").text
    intro = html_module.unescape(re.search(r'<p class="intro">([^<]*)</p>', page).group(1))
    assert intro.startswith(
        "Yearly migration between Kazakhstan and each partner. Net is immigration minus emigration, seen from "
        "Kazakhstan. All partners, 2000–2023: the net flow is decreasing (Mann-Kendall test, p\xa0<\xa00.001); "
        "Theil-Sen slope -1,469 persons a year (95% confidence interval -2,101 to -929). Immigration: a new "
        "level from 2013 (Pettitt's test, p\xa0<\xa00.001). Emigration: a new level from 2010 (Pettitt's test, "
        "p\xa0=\xa00.001); since then no significant trend (Mann-Kendall test, p\xa0=\xa00.324).")


def test_no_p_value_prints_as_zero(client):
    page = client.get("/flows").text
    start = page.index('<caption id="flow-summary-caption">')
    # its cells carry their column's title for the phone's cards (web/columns.py CARD_BLOCKS)
    cells = re.findall(r'<td data-label="[^"]*" class="num">([^<]*)</td>', page[start:page.index("</table>", start)])
    assert "&lt;\xa00.001" in cells
    assert not {"0.0", "0.000", "0"} & set(cells)  # the old formatter wrote p = 1.4e-05 as "0.0"


def test_forecast_bounds_are_a_prediction_interval(client):
    page = client.get("/projections").text
    assert 'data-column="level" title="level">Level of the interval</th>' in page
    assert "Confidence level" not in page
    # a code with no label; the cell carries its column's title for the cards of the whole table
    assert 'title="prediction interval">prediction interval</td>' not in page
    assert '<td data-label="Interval">prediction interval</td>' in page
    russian = client.get("/projections", params={"lang": "ru"}).text
    assert '<td data-label="Интервал" title="prediction interval">интервал прогноза</td>' in russian


def test_projections_show_whole_persons(client):
    page = client.get("/projections").text
    start = page.index('<caption id="projections-caption">')
    table = page[start:page.index("</table>", start)]
    # the whole table behind its toggle, its cells titled for its cards (web/columns.py WIDE_COLUMNS)
    numbers = re.findall(r'<td data-label="[^"]*" class="num">([^<]*)</td>', table)
    assert len(numbers) > 500
    assert all(re.fullmatch(r"\d{4}|\d{1,3}(,\d{3})*", number) for number in numbers), \
        [n for n in numbers if not re.fullmatch(r"\d{4}|\d{1,3}(,\d{3})*", n)][:5]
    # Uzbekistan's 821,000 carries its rounding: the low and high paths start at 820,500 and 821,500
    assert ('<td data-label="Low" class="num">820,500</td><td data-label="Central" class="num">821,000</td>'
            '<td data-label="High" class="num">821,500</td>') in table
