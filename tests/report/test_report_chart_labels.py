"""Chart labels are never cut off: a category or legend label too long for its room is written over
several lines, broken between words, in every language of the report (and of the web pages, which draw
the same specs)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from diaspora_observatory.charts import specs
from diaspora_observatory.charts.render import to_svg
from diaspora_observatory.report.build import on_paper, without_subtitle
from diaspora_observatory.report.sections import build_sections

TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)
LINE = re.compile(r"<tspan\b[^>]*>(.*?)</tspan>", re.S)


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
