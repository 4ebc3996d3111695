"""What each value is, said in the page's language: provenance cells and source lines on the real app.

A provenance cell is machine text in the data (``derived: titular_population (0.85 * total); inferred: …``,
kept so in CSV and JSON); a page writes it with the catalogs' words and the column titles, in English,
Russian and Kazakh alike. A figure drawn from computed values (the map's shares) is credited as computed
from its sources, never as a source's own.
"""

from __future__ import annotations

import html
import re

import pytest

# Turkmenistan's population row (Table 1): the titular count is 85% of the total, the other groups the rest;
# total and diaspora counts are the study's figures with an inferred attribution.
MACHINE = ("derived: titular_population (0.85 * total), other_population (total - titular - diaspora); "
           "inferred: total_population, diaspora_population")
WRITTEN = {
    "en": "computed: Population of the titular nation (0.85 × whole population); Population of the other groups "
          "(whole population − titular nation − diaspora). inferred (not stated by the source): Total population; "
          "Diaspora members",
    "ru": "вычислено: Численность титульной нации (0,85 × всё население); Численность других групп "
          "(всё население − титульная нация − диаспора). выведено (в источнике не указано): Численность населения; "
          "Представители диаспоры",
    "kk": "есептелген: Титулдық ұлттың саны (0,85 × бүкіл халық); Басқа топтардың саны "
          "(бүкіл халық − титулды ұлт − диаспора). болжанған (дереккөзде көрсетілмеген): Халық саны; "
          "Диаспора өкілдері",
}
FLOWS = {"ru": "приведено в источнике: Эмиграция; Иммиграция. вычислено: Сальдо",
         "kk": "дереккөзде келтірілген: Эмиграция; Иммиграция. есептелген: Сальдо"}
MAP_CAPTION = {"en": "The diaspora as a share of each host country's population. Computed from: The Astana Times",
               "ru": "Доля диаспоры в населении каждой принимающей страны. Вычислено по: The Astana Times",
               "kk": "Диаспораның әр қабылдаушы ел халқындағы үлесі. Есептелген дереккөздер: The Astana Times"}
PROVENANCE_CELL = re.compile(r'<td(?: data-label="[^"]*")? title="((?:reported|derived|inferred)[^"]*)">([^<]*)</td>')


def provenance_cells(page: str) -> dict[str, str]:
    """Each provenance cell of ``page``: machine text (in ``title``) -> the text a reader sees."""
    return {html.unescape(machine): html.unescape(shown) for machine, shown in PROVENANCE_CELL.findall(page)}


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_a_provenance_cell_is_written_in_the_pages_language(client, language):
    cells = provenance_cells(client.get("/country/TKM", params={"lang": language}).text)
    assert cells[MACHINE] == WRITTEN[language]


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_no_provenance_cell_is_left_in_english(client, language):
    seen = 0
    for path in ("/", "/flows", "/country/TKM", "/country/UZB", "/projections", "/definitions"):
        cells = provenance_cells(client.get(path, params={"lang": language}).text)
        seen += len(cells)
        for shown in cells.values():
            assert not re.search(r"reported|derived|inferred|computed|[a-z]+_[a-z]+", shown), (path, shown)
    assert seen >= 10  # the pages really hold provenance cells
    flows = provenance_cells(client.get("/flows", params={"lang": language}).text)
    assert flows["reported: emigration, immigration; derived: net"] == FLOWS[language]


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_the_map_credits_its_shares_as_computed(client, language):
    page = client.get("/", params={"lang": language}).text
    start = page.index('id="chart-map"')
    # the sources' names are marked as the data's English (<span lang="en">) on a Russian or Kazakh page
    caption = html.unescape(re.sub(r"</?span[^>]*>", "", page[page.index("<figcaption>", start) + len("<figcaption>"):
                                                           page.index("</figcaption>", start)]))
    assert caption.startswith(MAP_CAPTION[language])
    # the line under its table too: the heading of the source line for what the map shades
    meta = page.index('<p class="block-meta">', start)
    heading = MAP_CAPTION[language].split(". ", 1)[1]
    assert html.unescape(re.sub(r"</?span[^>]*>", "", page[meta + len('<p class="block-meta">'):])).startswith(heading)


def test_downloads_keep_the_machine_text(client):
    csv_text = client.get("/country/TKM.csv", params={"table": "population", "lang": "ru"}).text
    assert f'"{MACHINE}"' in csv_text
    assert "вычислено" not in csv_text
