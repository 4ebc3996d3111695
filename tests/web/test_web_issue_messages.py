"""The validator's findings in the page's language (issue 10): a message made from a known shape is written
from the web catalogs, its numbers in the reader's signs and the names of data marked translate="no"; a
message without a shape stays English, marked lang="en"; ``diaspora check`` keeps its English."""

from __future__ import annotations

import re
from html import unescape

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient
from unmarked_latin import unmarked_runs

from diaspora_observatory.cli import main
from diaspora_observatory.web.app import create_app
from diaspora_observatory.web.issues import SHAPES, _bare


def issue_section(html: str) -> str:
    return re.search(r'<section class="block" id="issues".*?</section>', html, re.S).group(0)


def message_cells(html: str) -> list[str]:
    return re.findall(r'<td data-label="[^"]*" class="long">(.*?)</td>', issue_section(html))


def text_of(cell: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", cell))


@pytest.mark.parametrize(("language", "turkmenistan"), [
    ("ru", "country=TKM, year=2024: 6\xa0516\xa0100 (wb-2024) отличается от значения 7\xa0494\xa0498 в "
           "reference_population (wb-wdi-population) на -978\xa0400 (-13,1\xa0%), больше допуска 5\xa0%"),
    ("kk", "country=TKM, year=2024: 6\xa0516\xa0100 (wb-2024) мәні reference_population ішіндегі 7\xa0494\xa0498 "
           "(wb-wdi-population) мәнінен -978\xa0400 (-13,1%) айырмашылықпен ерекшеленеді, бұл 5% рұқсат шегінен "
           "көп"),
])
def test_the_built_in_cases_warnings_are_in_the_readers_language(client, language, turkmenistan):
    html = client.get(f"/claims?lang={language}").text
    cells = message_cells(html)
    assert turkmenistan in [text_of(cell) for cell in cells]
    assert all('lang="en"' not in cell for cell in cells)
    assert unmarked_runs(issue_section(html).split("<tbody>", 1)[1].split("</tbody>", 1)[0]) == []


@pytest.fixture
def broken(case_copy):
    """The built-in case with a source id no source has and a required year left empty."""
    flows = case_copy / "data" / "flows.csv"
    lines = flows.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("bns-2024a", "bns-2042")    # UZB 2000: an unknown source
    lines[2] = lines[2].replace("KGZ,2000,", "KGZ,,")         # KGZ 2000: no year
    lines[3] = lines[3].replace("TJK,2000,76,", "TJK,2000,seventy,")  # TJK 2000: not a number
    flows.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return case_copy


def test_a_broken_case_shows_each_shaped_error_translated_and_the_rest_marked(broken):
    html = TestClient(create_app(str(broken), extensions=False)).get("/claims?lang=ru").text
    cells = message_cells(html)
    texts = [text_of(cell) for cell in cells]
    assert "источника 'bns-2042' нет в sources.csv; добавьте его туда или исправьте идентификатор" in texts
    assert "значение отсутствует; это поле обязательно" in texts
    # the type error's message has no shape (it quotes the reader of the value): the data's English, marked
    typed = [cell for cell in cells if "seventy" in cell]
    assert typed and all(cell.startswith('<span lang="en">') for cell in typed)
    assert unmarked_runs(issue_section(html).split("<tbody>", 1)[1].split("</tbody>", 1)[0]) == []
    # the command line keeps the English messages
    checked = CliRunner().invoke(main, ["check", "--case", str(broken)])
    assert "source 'bns-2042' is not in sources.csv; add it there or fix the id" in checked.output
    assert "value is missing; this field is required" in checked.output


def test_every_shape_is_one_the_case_layer_writes():
    """The shapes the page knows are the case layer's own patterns (a shape nobody writes would never show,
    and one written but unknown would stay English)."""
    import ast
    import inspect

    from diaspora_observatory.case import checks, schema

    written = {_bare(node.args[4].value) for module in (checks, schema)
               for node in ast.walk(ast.parse(inspect.getsource(module)))
               if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "shaped"}
    assert written == SHAPES
