"""The report in Russian and Kazakh: complete catalogs, the web's translations for the texts both show, and
no English sentence of the report's own left in a translated report."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from tooling import tool
from unmarked_latin import unmarked_runs

from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.ingest import ingest
from diaspora_observatory.documents.workspace import Workspace
from diaspora_observatory.report.build import build_report
from diaspora_observatory.report.i18n import catalog_path

report_messages = tool("report_messages")
PLACEHOLDER = re.compile(r"\{\w+\}")
# Message ids that read the same in every language (codes and the observatory's own name).
SAME_IN_EVERY_LANGUAGE = {"Case"}


def catalog(path, language) -> dict[str, str]:
    with path.open("rb") as handle:
        return {message.id: message.string for message in read_po(handle, locale=language) if message.id}


@pytest.fixture(scope="module")
def messages() -> dict[str, list[str]]:
    found = report_messages.extract_messages()
    assert len(found) > 150  # the report's code and templates, the chart texts, the column headers
    return found


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_every_message_is_translated(messages, language):
    translated = catalog(catalog_path(language), language)
    assert [message for message in messages if not translated.get(message)] == []
    for message in messages:
        assert set(PLACEHOLDER.findall(translated[message])) == set(PLACEHOLDER.findall(message)), message
        assert translated[message] != message or message in SAME_IN_EVERY_LANGUAGE, message


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_texts_shared_with_the_web_pages_are_translated_alike(messages, language):
    """Chart texts and column headers have one translation, whichever adapter shows them."""
    web = catalog(report_messages.WEB_LOCALE_DIR / language / "LC_MESSAGES" / "messages.po", language)
    report = catalog(catalog_path(language), language)
    shared = [message for message in messages if web.get(message)]
    assert len(shared) > 100
    assert {message: report[message] for message in shared} == {message: web[message] for message in shared}


class ReaderText(HTMLParser):
    """The text a reader reads as the report's own words: generated paragraphs and lists, headings, table
    headers, captions and the charts' texts; a quotation of the study (``lang="en"``) is left out."""

    OWN = {"h1", "h2", "h3", "th", "figcaption", "text"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        own = tag in self.OWN or "generated" in (attributes.get("class") or "").split()
        if attributes.get("lang") == "en":
            own = False
        inherited = self.stack[-1][1] if self.stack else False
        quoted = attributes.get("lang") == "en" or (self.stack and self.stack[-1][0] == "quoted")
        self.stack.append(("quoted" if quoted else tag, (own or inherited) and not quoted))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] in (tag, "quoted"):
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1][1] and self.stack[-1][0] != "quoted":
            self.texts.append(data)


# Coded press items, so that the report has its documents tables (coverage, gaps, agreement, press themes
# over time) and the codes of the codebook's later branches (digital engagement, protection) among them.
PRESS_ITEMS = ["Repatriation of ethnic families continued under the quotas.",
               "Consular registration of labour migrants moved online.",
               "The weather was mild in the capital."]


@pytest.fixture(scope="module")
def translated_reports(tmp_path_factory, case) -> dict[str, str]:
    """The Russian and Kazakh reports of the built-in case with nine coded press items (2021-2023), and the
    English one (its numbers against the Russian)."""
    data = tmp_path_factory.mktemp("data")
    written = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIASPORA_DATA_DIR", str(data))
        space = Workspace(case, data)
        ingest(space.store, space.codebook, [Document(f"item-{number}", f"Item {number}", "press", str(2021 + number // 3),
                                                      "en", PRESS_ITEMS[number % 3]) for number in range(9)])
        for language in ("ru", "kk", "en"):
            out = tmp_path_factory.mktemp(f"report-{language}")
            build_report(case, out, language=language)
            written[language] = (out / "report.html").read_text(encoding="utf-8")
    return written


@pytest.mark.slow  # builds the report in Russian and Kazakh (about 6 s)
@pytest.mark.parametrize("language", ["ru", "kk"])
def test_translated_report_has_no_english_text_of_its_own(messages, translated_reports, language):
    reader = ReaderText()
    reader.feed(translated_reports[language])
    text = " ".join(" ".join(reader.texts).split())
    assert len(text) > 10_000
    # Each English message's literal pieces of three words or more, e.g. "members of the diaspora live in".
    pieces = {piece.strip(" ,;:.()") for message in messages for piece in PLACEHOLDER.split(message)}
    english = sorted(piece for piece in pieces if len(piece.split()) >= 3 and piece in text)
    assert english == []
    assert "Что показывают данные" in text if language == "ru" else "Деректер нені көрсетеді" in text


@pytest.mark.slow  # the translated reports
def test_russian_summary_writes_each_mismatch_in_russian(translated_reports):
    html = translated_reports["ru"]
    assert ('<li data-claim="tjk-share-of-total"><span class="claim-id" translate="no">tjk-share-of-total</span> (раздел 3.2, '
            '<span class="status status-mismatch">расхождение</span>): <q lang="en">Kazakhs are 0.21% of '
            "Tajikistan&#39;s population</q>; <span class=\"generated\">в исследовании: 0,21\xa0%; по данным: "
            "0,0217\xa0%</span>.</li>") in html
    assert ("в исследовании: Узбекистан &gt; Киргизия &gt; Таджикистан &gt; Туркменистан; по данным: Узбекистан &gt; "
            "Киргизия &gt; Туркменистан &gt; Таджикистан") in html
    # The checker's own result is written in Russian too (presentation/claims.py), never mixed in English.
    assert '<li data-claim="emigration-declining">' in html
    assert "по данным: 2000–2023: decreasing" not in html
    assert ("по данным: 2000–2023: снижение (критерий Манна — Кендалла, p\xa0&lt;\xa00,001); точка перелома — 2010 "
            "(критерий Петтитта, p\xa0=\xa00,001); отрезки: 2000–2009: снижение") in html


def unmarked_latin(html: str) -> list[str]:
    return sorted(set(unmarked_runs(html)))


def test_the_latin_reader_finds_unmarked_english():
    assert unmarked_latin('<p>Источник: World Bank (2024); <span lang="en">The Astana Times</span></p>') == [
        "World Bank"]
    assert unmarked_latin('<td><span translate="no">bns-2024a</span></td><td>consistent</td><br><p>p = 0,5</p>') == [
        "consistent"]
    assert unmarked_latin('<svg><text>Source: x</text></svg><style>p { color: red }</style>') == ["Source: x"]


@pytest.mark.slow  # the translated reports
@pytest.mark.parametrize("language", ["ru", "kk"])
def test_translated_report_shows_no_unmarked_english(translated_reports, language):
    """What the observatory writes is translated; what the data say in English is marked as such, and the
    report says so once in its language."""
    html = translated_reports[language]
    assert unmarked_latin(html) == []
    assert html.count('lang="en"') > 100  # source names, titles, statements, notes: really marked
    note = {"ru": "Названия и заглавия источников, утверждения исследования и примечания к данным кейса приведены "
                  "на языке оригинала — английском.",
            "kk": "Дереккөздердің атаулары мен тақырыптары, зерттеудің тұжырымдары және кейс деректеріне "
                  "ескертпелер түпнұсқа тілінде — ағылшын тілінде берілген."}[language]
    assert html.count(note) == 1
    assert '<span lang="en">Bureau of National Statistics of the Republic of Kazakhstan</span>' in html


@pytest.mark.slow  # the translated reports (three report builds, about 6 s)
@pytest.mark.parametrize(("language", "headers", "labels"), [
    ("ru", ["Год", "Код", "Материалов прессы с кодом", "Доля материалов прессы за год, %", "Фрагменты"],
     ["цифровое взаимодействие", "консульская поддержка", "трудовые мигранты"]),
    ("kk", ["Жыл", "Код", "Кодпен белгіленген баспасөз материалдары",
            "Жылдағы баспасөз материалдарының үлесі, %", "Үзінділер"],
     ["цифрлық өзара іс-қимыл", "консулдық қолдау", "еңбек мигранттары"])])
def test_the_documents_tables_are_titled_and_labelled(translated_reports, language, headers, labels):
    """The press themes' columns have titles (they showed ``items_with_code``, ``share``), the column every
    row shares is named by its title too, and the codebook's later codes by their labels, not their codes."""
    html = translated_reports[language]
    table = re.search(r'<table data-table="press-themes">.*?</table>', html, re.S)
    assert table is not None
    assert re.findall(r'<th scope="col" data-column="\w+">(.*?)</th>', table.group(0)) == headers
    year = {"ru": "Материалов прессы за год", "kk": "Жылдағы баспасөз материалдары"}[language]
    assert f"{year}: 3;" in html
    for code, label in zip(["digital_engagement", "consular_support", "labour_migrants"], labels, strict=True):
        assert f'<td title="{code}">{label}</td>' in html
        assert f'<span translate="no">{code}</span>' not in html


@pytest.mark.slow  # the translated reports
def test_the_press_themes_share_is_a_percentage(translated_reports):
    """Written as a percentage, as the /coding page shows it (it was the 0-1 fraction, 0.333), under a title
    that says so: one of the year's three items touches the code."""
    for language, header, label, share in (
            ("en", "Share of the year&#39;s press items, %", "repatriation of kandas", "33.3"),
            ("ru", "Доля материалов прессы за год, %", "репатриация кандасов", "33,3")):
        table = re.search(r'<table data-table="press-themes">.*?</table>', translated_reports[language], re.S)
        assert table is not None
        assert f'<th scope="col" data-column="items_share_pct">{header}</th>' in table.group(0)
        assert (f'<tr><td class="num">2021</td><td title="repatriation_kandas">{label}</td><td class="num">1</td>'
                f'<td class="num">{share}</td><td class="num">1</td></tr>') in table.group(0)
        assert "0.333" not in table.group(0) and "0,333" not in table.group(0)
