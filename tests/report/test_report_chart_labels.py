"""Chart labels are never cut off: a category or legend label too long for its room is written over
several lines, broken between words, in every language of the report (and of the web pages, which draw
the same specs)."""

from __future__ import annotations

import re
from html import escape, unescape

import pytest
from unmarked_latin import LATIN_ALLOWED, LATIN_WORDS

from diaspora_observatory.charts import specs
from diaspora_observatory.charts.render import to_svg
from diaspora_observatory.report.build import on_paper, without_subtitle
from diaspora_observatory.report.sections import build_sections

TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)
LINE = re.compile(r"<tspan\b[^>]*>(.*?)</tspan>", re.S)


TITLE = re.compile(r'<g class="mark-text role-title-text"[^>]*>(.*?)</g>', re.S)


def drawn_titles(svg: str) -> list[str]:
    """The titles of a drawn chart (its own and its panels'), in the order drawn, lines joined by a space:
    read from the drawing, since the SVG no longer carries Vega's "Title text '…'" labels (charts/aria.py)."""
    return [" ".join(unescape(part) for part in re.findall(r">([^<]+)<", body)) for body in TITLE.findall(svg)]


def drawn_texts(svg: str) -> list[list[str]]:
    """Every text of a drawn chart, as its lines (one for a text without ``<tspan>``)."""
    return [[unescape(line) for line in LINE.findall(body)] or [unescape(body)] for body in TEXT.findall(svg)]


@pytest.fixture(scope="module", params=["en", "ru", "kk"])
def drawn(request, case) -> dict[str, list[list[str]]]:
    figures = [figure for section in build_sections(case, request.param) for figure in section.figures]
    assert len(figures) >= 8  # every chart of the built-in case
    return {figure.name: drawn_texts(to_svg(without_subtitle(on_paper(figure.spec))[0])) for figure in figures}


def test_no_label_is_shortened(drawn):
    shortened = {name: [" ".join(lines) for lines in texts if lines[-1].endswith("…")]
                 for name, texts in drawn.items()}
    assert {name: found for name, found in shortened.items() if found} == {}


def test_long_labels_are_wrapped_between_words(drawn):
    """The education levels, the supports of identity and the survey's statements take two lines where
    one would not fit; each line ends at a word, and the lines together are the whole label."""
    wrapped = {name: [lines for lines in texts if len(lines) > 1] for name, texts in drawn.items()}
    assert wrapped["survey-items"] and wrapped["education-comparison"]
    for name, texts in wrapped.items():
        for lines in texts:
            assert all(line == line.strip() and line for line in lines), (name, lines)


def test_russian_labels_that_were_cut(case):
    """In Russian the education level and the supports were cut mid-word (``среднее профессионально
    образо…``, ``Школьное обуче…``); they are now whole, on two lines where needed."""
    figures = {figure.name: figure for section in build_sections(case, "ru") for figure in section.figures}
    education = drawn_texts(to_svg(figures["education-comparison"].spec))
    assert ["среднее профессиональное", "образование"] in education
    supports = drawn_texts(to_svg(figures["institution-supports"].spec))
    assert ["Школьное обучение"] in supports and ["Общественная", "организация"] in supports


def test_the_room_is_computed_from_the_width():
    room = specs.WIDTH * specs.LABEL_SHARE
    axis = specs.wrapped_labels(["высшее образование", "среднее профессиональное образование"], room)
    assert axis["labelLimit"] == int(room)
    assert axis["labelExpr"] == ('({"среднее профессиональное образование": ["среднее профессиональное", '
                                 '"образование"]})[datum.label] || datum.label')
    # a narrower room takes more lines; a word longer than the room keeps its line (Vega ends it with "…",
    # the tooltip and the table hold it whole)
    assert specs.wrapped_lines("среднее профессиональное образование", 80) == ["среднее", "профессиональное",
                                                                              "образование"]
    assert specs.wrapped_lines("Donaudampfschifffahrtsgesellschaft", 60) == ["Donaudampfschifffahrtsgesellschaft"]
    assert "labelExpr" not in specs.wrapped_labels(["short", "labels"], room)


ARIA = re.compile(r'\s(role|aria-[a-z]+)="([^"]*)"')
READ_ALOUD = {"aria-label", "aria-roledescription", "aria-description"}  # texts, not tokens such as "img"


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_a_drawn_chart_is_one_image_named_in_the_readers_language(case, language):
    """Vega wrote English ARIA texts into every SVG whatever its language (``X-axis titled 'Процент' for a
    linear scale``, ``group mark container``, ``Title text '…'``); each chart is now one image named by its
    title in the report's language, and no attribute inside it says anything in English."""
    figures = [figure for section in build_sections(case, language) for figure in section.figures]
    assert len(figures) >= 8
    for figure in figures:
        for spec in (on_paper(figure.spec), without_subtitle(on_paper(figure.spec))[0]):  # the files, the inline
            svg = to_svg(spec)
            attributes = ARIA.findall(svg)
            assert attributes[:2] == [("role", "img"), ("aria-label", escape(figure.spec["title"]["text"]))], figure.name
            assert {attribute for attribute in attributes[2:]} == {("aria-hidden", "true")}, figure.name
            assert "mark container" not in svg and "-axis titled" not in svg and "Title text" not in svg
            if language != "en":
                read = [value for name, value in attributes if name in READ_ALOUD]
                latin = [run.group(0) for value in read for run in LATIN_WORDS.finditer(unescape(value))]
                assert [run for run in latin if run not in LATIN_ALLOWED] == [], figure.name


def colour_domain(spec: dict) -> list | None:
    """The domain of a chart's colour scale (of its first layer's, for the fans), None without one."""
    inner = spec.get("spec", spec)
    colour = inner.get("encoding", {}).get("color") or (inner.get("layer") or [{}])[0].get("encoding", {}).get("color")
    return (colour or {}).get("scale", {}).get("domain")


def test_each_category_keeps_its_colour_in_every_language(case):
    """Vega gives colours in the order of a scale's domain, by default the alphabet of the labels: in Russian
    the diaspora's two shares swapped colours with the English chart, the scenarios too. Every chart with a
    colour legend names its domain in the data's order, so position (and colour) is the same in each language."""
    domains = {language: {figure.name: colour_domain(figure.spec)
                          for section in build_sections(case, language) for figure in section.figures
                          if "legend" in str(figure.spec)}
               for language in ("en", "ru", "kk")}
    assert [name for name, domain in domains["en"].items() if not domain] == []
    assert set(domains["en"]) == set(domains["ru"]) == set(domains["kk"])
    assert len(domains["en"]) >= 6
    assert {name: len(domain) for name, domain in domains["ru"].items()} == {
        name: len(domain) for name, domain in domains["en"].items()}
    assert domains["en"]["diaspora-shares"] == ["share of total population", "share of other groups"]
    assert domains["ru"]["diaspora-shares"] == ["доля во всём населении", "доля среди других групп"]
    assert domains["en"]["projection-fans"] == ["recent migration continues", "natural change only",
                                                "repatriation doubled"]
    assert domains["ru"]["projection-fans"] == ["миграция как в последние годы", "только естественное движение",
                                                "репатриация вдвое больше"]
