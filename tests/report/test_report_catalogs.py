"""The report in Russian and Kazakh: complete catalogs, the web's translations for the texts both show, and
no English sentence of the report's own left in a translated report."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from tooling import tool

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


@pytest.fixture(scope="module")
def translated_reports(tmp_path_factory, case) -> dict[str, str]:
    written = {}
    for language in ("ru", "kk"):
        out = tmp_path_factory.mktemp(f"report-{language}")
        build_report(case, out, language=language)
        written[language] = (out / "report.html").read_text(encoding="utf-8")
    return written


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


def test_russian_summary_writes_each_mismatch_in_russian(translated_reports):
    html = translated_reports["ru"]
    assert ('<li data-claim="tjk-share-of-total"><span class="claim-id">tjk-share-of-total</span> (раздел 3.2, '
            '<span class="status status-mismatch">расхождение</span>): <q lang="en">Kazakhs are 0.21% of '
            "Tajikistan&#39;s population</q>; <span class=\"generated\">в исследовании: 0,21\xa0%; по данным: "
            "0,0217\xa0%</span>.</li>") in html
    assert ("в исследовании: Узбекистан &gt; Киргизия &gt; Таджикистан &gt; Туркменистан; по данным: Узбекистан &gt; "
            "Киргизия &gt; Туркменистан &gt; Таджикистан") in html
    # A sentence the checker wrote in English is not mixed into the Russian one; the appendix keeps it.
    assert '<li data-claim="emigration-declining">' in html
    assert "по данным: 2000–2023: decreasing" not in html
