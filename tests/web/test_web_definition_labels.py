"""A new case's definition labels in the reader's language (issue 10): built from the case's structure (the
definition and the origin's country name, through a translated pattern), not looked up as English strings;
a label the case translates itself wins."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from diaspora_observatory import load_case
from diaspora_observatory.analysis.definitions import LABEL_PATTERNS
from diaspora_observatory.cli import main
from diaspora_observatory.presentation.definitions import TRANSLATED_PATTERNS
from diaspora_observatory.report.writer import Writer
from diaspora_observatory.web.app import create_app


@pytest.fixture(scope="module")
def kyrgyz(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIASPORA_DATA_DIR", str(data))
        assert CliRunner().invoke(main, ["case", "new", "kyrgyz", "--origin", "KGZ"]).exit_code == 0
        yield data


def label_cells(html: str, definition: str) -> set[str]:
    """The label cells of the definitions table's rows of ``definition``."""
    html = re.search(r'<section class="block" id="definitions".*?</section>', html, re.S).group(0)
    html = re.sub(r' data-label="[^"]*"', "", html)  # each cell's column title, for the phone's cards
    return set(re.findall(rf'<td title="{definition}">[^<]*</td><td( title="[^"]*")?>([^<]*|<span lang="en">[^<]*'
                          r"</span>)</td>", html))


@pytest.mark.parametrize(("language", "titular", "born", "citizens"), [
    ("ru", "Титульная национальность страны Киргизия", "Уроженцы страны Киргизия", "Граждане страны Киргизия"),
    ("kk", "Қырғызстан елінің титулдық ұлты", "Қырғызстан елінде туғандар", "Қырғызстан азаматтары"),
])
def test_a_new_cases_definition_labels_are_written_in_the_readers_language(kyrgyz, language, titular, born,
                                                                           citizens):
    client = TestClient(create_app("kyrgyz", data_dir=kyrgyz, extensions=False))
    html = client.get(f"/definitions?lang={language}").text
    assert label_cells(html, "ethnicity") == {(' title="The titular ethnic group of Kyrgyzstan"', titular)}
    assert label_cells(html, "birthplace") == {(' title="People born in Kyrgyzstan"', born)}
    assert label_cells(html, "citizenship") == {(' title="Citizens of Kyrgyzstan"', citizens)}
    # the report writes its tables with the same labels
    writer = Writer(load_case("kyrgyz", data_dir=kyrgyz), language)
    assert writer.label("label", "People born in Kyrgyzstan") == born


def test_the_english_page_keeps_the_analysis_labels(kyrgyz):
    html = TestClient(create_app("kyrgyz", data_dir=kyrgyz, extensions=False)).get("/definitions?lang=en").text
    assert label_cells(html, "birthplace") == {("", "People born in Kyrgyzstan")}


def test_the_case_own_translation_wins_and_a_group_word_stays_the_datas(client):
    # The built-in case translates "People born in Kazakhstan" and "Ethnic Kazakhs" in its value_labels.
    html = client.get("/definitions?lang=ru").text
    assert label_cells(html, "birthplace") == {(' title="People born in Kazakhstan"', "Уроженцы Казахстана")}
    assert label_cells(html, "ethnicity") == {(' title="Ethnic Kazakhs"', "Этнические казахи")}


def test_the_translated_patterns_are_the_analysis_own():
    assert {key: LABEL_PATTERNS[key] for key in TRANSLATED_PATTERNS} == TRANSLATED_PATTERNS
