"""English, Russian and Kazakh: complete catalogs, the language switch, locale-aware numbers and names."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po
from tooling import tool
from web_helpers import read_page

from diaspora_observatory.languages import TRANSLATED
from diaspora_observatory.web.i18n import LOCALE_DIR, format_number, format_percent

extract_messages = tool("web_messages").extract_messages

PLACEHOLDER = re.compile(r"\{\w+\}")


@pytest.fixture(scope="module")
def messages() -> dict[str, list[str]]:
    found = extract_messages()
    assert len(found) > 100  # the extractor sees templates and code
    return found


@pytest.mark.parametrize("language", TRANSLATED)  # the registry: a new language needs its catalog
def test_every_message_is_translated(messages, language):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    translated = {message.id: message.string for message in catalog if message.id}
    untranslated = [m for m in messages if not translated.get(m)]
    assert untranslated == []
    for message_id in messages:
        assert set(PLACEHOLDER.findall(translated[message_id])) == set(PLACEHOLDER.findall(message_id)), message_id
        assert translated[message_id] != message_id or message_id in ("Case", "Repatriation"), message_id


@pytest.mark.parametrize(("language", "title", "headings"), [
    ("ru", "Обзор", ["Ключевые показатели", "Профили принимающих стран", "Карта принимающих стран",
                     "Доля диаспоры по принимающим странам", "Источники этой страницы"]),
    ("kk", "Шолу", ["Негізгі көрсеткіштер", "Қабылдаушы елдердің профильдері", "Қабылдаушы елдер картасы",
                    "Қабылдаушы елдер бойынша диаспора үлесі", "Осы беттің дереккөздері"]),
])
def test_overview_in_each_language(client, language, title, headings):
    page = read_page(client.get("/", params={"lang": language}).text)
    assert page.lang == language
    assert page.h1 == [title]
    assert page.h2 == headings


def test_language_switch_persists_in_a_cookie(client):
    response = client.get("/lang/kk", params={"next": "/flows"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/flows"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("lang=kk;")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    for path, title in (("/flows", "Көші-қон ағындары"), ("/country/UZB", "Өзбекстан"), ("/nowhere", "Бет табылмады (404)")):
        page = read_page(client.get(path).text)
        assert page.h1 == [title]
        assert page.lang == "kk"
    client.get("/lang/en", follow_redirects=False)
    assert read_page(client.get("/flows").text).h1 == ["Migration flows"]


def test_accept_language_picks_the_first_offered_language(client):
    page = read_page(client.get("/survey", headers={"accept-language": "de-DE,ru;q=0.8,en;q=0.5"}).text)
    assert page.h1 == ["Анкетный опрос"]
    assert read_page(client.get("/survey", headers={"accept-language": "fr"}).text).h1 == ["Questionnaire survey"]


def test_menu_and_language_links(client):
    page = read_page(client.get("/claims", params={"lang": "ru"}).text)
    anchors = [(a["href"], a["text"]) for a in page.anchors]
    start = anchors.index(("/", "Обзор"))
    assert anchors[start:start + 11] == [
        ("/", "Обзор"), ("/countries", "Страны"), ("/definitions", "Определения"), ("/flows", "Потоки"),
        ("/projections", "Прогнозы"), ("/repatriation", "Репатриация"),
        ("/institutions", "Институты"), ("/survey", "Результаты опроса"), ("/documents", "Политика и пресса"),
        ("/claims", "Утверждения и качество данных"), ("/sources", "Источники")]
    assert [a for a in page.anchors if a["href"] == "/claims"][0]["aria-current"] == "page"
    languages = [(a["href"], a["text"], a.get("aria-current")) for a in page.anchors if a["href"].startswith("/lang/")]
    assert languages == [("/lang/en?next=/claims", "English", None), ("/lang/ru?next=/claims", "Русский", "true"),
                         ("/lang/kk?next=/claims", "Қазақша", None)]


def test_numbers_and_country_names_follow_the_language(client):
    html = client.get("/", params={"lang": "ru"}).text
    assert '<span class="figure-value">867\xa0000</span>' in html  # 867,200 known to the thousands
    # 867,200 of 5 to 7 million: the world estimate's one significant digit leaves the whole percent
    assert '<span class="figure-value">12\xa0%–17\xa0%</span>' in html
    assert '<td data-label="Страна"><abbr title="KGZ">Киргизия</abbr></td>' in html
    kazakh = client.get("/", params={"lang": "kk"}).text
    assert '<span class="figure-value">94,7%</span>' in kazakh
    assert '<td data-label="Ел"><abbr title="UZB">Өзбекстан</abbr></td>' in kazakh


@pytest.mark.parametrize(("language", "number", "percent"), [
    ("en", "1,234,567", "12.5%"), ("ru", "1\xa0234\xa0567", "12,5\xa0%"), ("kk", "1\xa0234\xa0567", "12,5%")])
def test_format_helpers(language, number, percent):
    assert format_number(1234567, language) == number
    assert format_percent(12.5, language) == percent
    assert format_number(None, language) == "–"


def test_missing_data_notes_are_translated(client):
    html = client.get("/country/KGZ", params={"lang": "ru"}).text
    # the resource, the file, the country code and the command are the same in every language: translate="no"
    assert ('<p><strong>Данных нет.</strong> В ресурсе «<span translate="no">diaspora_estimates</span>» нет строк '
            'для страны Киргизия. Чтобы добавить их, внесите строки с кодом страны <span translate="no">KGZ</span> '
            'в файл <span translate="no">data/diaspora_estimates.csv</span> кейса и запустите '
            '«<span translate="no">diaspora check</span>».</p>') in html


def test_map_tooltips_are_written_in_the_language(client):
    import json

    html = client.get("/", params={"lang": "ru"}).text
    marker = '<script type="application/json" id="spec-map">'
    start = html.index(marker) + len(marker)
    spec = json.loads(html[start:html.index("</script>", start)])
    tips = {entry["properties"]["country"]: entry["properties"]["tip"] for layer in spec["layer"][:2]
            for entry in layer["data"]["values"]}
    assert tips["UZB"] == {"name": "Узбекистан", "share": "2,21", "population": "821\xa0000"}
    assert tips["KAZ"] == {"name": "Казахстан"}
    assert [field["title"] for field in spec["layer"][1]["encoding"]["tooltip"]] == [
        "Страна", "Доля в населении, %", "Представители диаспоры"]
    assert spec["title"]["text"] == "Доля диаспоры в населении каждой принимающей страны"


@pytest.mark.parametrize(("language", "higher", "kandas"), [
    ("en", "higher education", "repatriates (kandas)"),
    ("ru", "высшее образование", "репатрианты (кандасы)"),
    ("kk", "жоғары білім", "қандастар"),
])
def test_codes_are_shown_by_their_label_and_exported_as_codes(client, language, higher, kandas):
    import json

    html = client.get("/repatriation", params={"lang": language}).text
    # each cell with its column's title, the card's on a phone
    assert re.search(f'<td data-label="[^"]+" title="higher">{higher}</td>', html)
    assert re.search(f'<td data-label="[^"]+" title="kandas">{re.escape(kandas)}</td>', html)
    spec = json.loads(re.search(r'<script type="application/json" id="spec-education">(.*?)</script>', html,
                                re.S).group(1))
    shown = [row["education"] for row in spec["data"]["values"]]
    assert shown[0] == higher and "higher" not in shown  # the chart names levels too, highest first
    assert client.get("/repatriation.csv", params={"lang": language}).text.splitlines()[1].startswith("higher,")


def test_case_title_in_the_readers_language(client):
    for language, title in (("en", "The Kazakh diaspora in Central Asia"), ("ru", "Казахская диаспора в Центральной Азии"),
                            ("kk", "Орталық Азиядағы қазақ диаспорасы")):
        html = client.get("/flows", params={"lang": language}).text
        assert f'<span class="case-title">{title}</span>' in html and f" · {title}</title>" in html


def test_tables_name_countries_in_the_readers_language_only(client):
    html = client.get("/definitions", params={"lang": "ru"}).text
    assert '<abbr title="DEU">Германия</abbr>' in html and ">Germany<" not in html  # no English name column
    assert 'data-column="destination_name"' not in html and 'data-column="country_name"' not in html
    assert '<td data-label="Принимающая страна" class="bool">✓<span class="visually-hidden"> да</span></td>' in html
    # The case's own sentences for this page, translated in its value labels.
    assert "где бы они ни родились.</td>" in html and "Этнические казахи</td>" in html
    download = client.get("/definitions.csv", params={"table": "birthplace-destinations"}).text
    assert download.splitlines()[0].startswith("rank,destination,destination_name,")  # downloads keep it


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_no_two_catalogs_translate_the_same_message_differently(language):
    """The web app merges the core's catalog with each extension's (survey, documents): a message id in
    two of them with different translations would be shown one way or the other depending on the order
    the extensions load in, as "Share" once was ("Поделиться", the verb, in a results column meant "Доля")."""
    from pathlib import Path

    package = Path(LOCALE_DIR).parent.parent
    catalogs = {}
    for part in ("web", "survey", "documents", "report"):
        with (package / part / "locale" / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalogs[part] = {message.id: message.string for message in read_po(handle) if message.id}
    disagreements = [(message, first, catalogs[first][message], second, catalogs[second][message])
                     for index, first in enumerate(catalogs) for second in list(catalogs)[index + 1:]
                     for message in sorted(set(catalogs[first]) & set(catalogs[second]))
                     if catalogs[first][message] != catalogs[second][message]]
    assert disagreements == []
