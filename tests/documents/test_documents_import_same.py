"""The fast import stores exactly what the import stored before issue 15 made it fast.

The oracle is ``coding_before``: the pipeline in the straightforward form it had (see that module). The
texts are the benchmark's generated press articles (``benchmarks/bench_documents.py``: English, Russian,
Kazakh in Cyrillic and in the 2021 Latin alphabet), the study's own article whole and paragraph by
paragraph, the Russian and Kazakh of the documents pages' catalogs, and the texts the other documents
tests use; hypothesis adds texts made of their words, odd letters and every kind of white space.
"""

from __future__ import annotations

import importlib.util
import random
import re
import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tests.documents.coding_before as before
from diaspora_observatory.cli import main
from diaspora_observatory.documents import coding, language
from diaspora_observatory.documents.codebook import LanguageNotCoded, load_codebook
from diaspora_observatory.documents.coding import AutoCoder, working_copy
from diaspora_observatory.documents.importer import _tidy
from diaspora_observatory.documents.language import ALPHABETS, detect_language, has_latin, to_cyrillic
from diaspora_observatory.documents.store import DocumentStore
from tests.documents.conftest import REPO, SEED_TEXT
from tests.documents.test_documents_coding import VOCABULARY
from tests.documents.test_documents_language import (
    GERMAN,
    KK_2017,
    KK_2018,
    KK_2021,
    KK_CYRILLIC,
    KK_UNTOLD,
    KYRGYZ,
    POLISH,
    TURKISH,
    UKRAINIAN,
    UZBEK,
)

CATALOGS = REPO / "src" / "diaspora_observatory" / "documents" / "locale"
TEST_TEXTS = [GERMAN, KK_2017, KK_2018, KK_2021, KK_CYRILLIC, KK_UNTOLD, KYRGYZ, POLISH, TURKISH, UKRAINIAN, UZBEK,
              "Repatriation of ethnic Kazakhs continues. The quotas for employers stay in force.",
              "Repatriates get quotas. Cooperation with the Kazakh diaspora grows; remittances of labour migrants rose.",
              "Изучение казахского языка и консульский учёт трудовых мигрантов.",
              "Поддержка казахов, возвращающихся на историческую родину.",
              "Қандастарға әлеуметтік көмек және қазақ тілін үйрену.",
              "Qandastarğa äleumettık kömek jäne qazaq tılın üirenu.",
              "Shyǵys shekarasy arqyly kelgen qandastarǵa áleýmettik kómek kórsetildi.",
              "S'ekarasy arqyly kelgen qandastarg'a a'ley'mettik ko'mek."]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_documents", REPO / "benchmarks" / "bench_documents.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generated_articles(count: int) -> list[str]:
    """The benchmark's first ``count`` articles (seed 1), a quarter in each of its four kinds, as it makes them."""
    bench = _bench()
    rng = random.Random(1)
    kinds = [("en", False), ("ru", False), ("kk", False), ("kk", True)]
    return [bench.article(rng, *kinds[number % 4]) for number in range(count)]


def real_texts() -> list[str]:
    seed = SEED_TEXT.read_text(encoding="utf-8")
    catalogs = [" ".join(re.findall(r'^msgstr "(.+)"$', path.read_text(encoding="utf-8"), re.MULTILINE))
                for path in sorted(CATALOGS.glob("*/LC_MESSAGES/messages.po"))]
    assert len(catalogs) == 2 and all(catalogs)
    paragraphs = [paragraph for paragraph in seed.split("\n\n") if paragraph.strip()]
    assert len(paragraphs) > 20
    return [seed, *catalogs, *paragraphs, *TEST_TEXTS]


def _rows(database: Path, table: str, leave_out: tuple[str, ...] = ()) -> list[tuple]:
    with sqlite3.connect(database) as connection:
        columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})") if row[1] not in leave_out]
        rows = connection.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid").fetchall()
    connection.close()
    return [tuple(zip(columns, row)) for row in rows]


@pytest.mark.parametrize("workers", ["0", "2"])
def test_import_list_stores_what_the_import_before_stored(tmp_path: Path, data_dir: Path, workers: str):
    # with worker processes too: what is stored, and in which order, does not depend on who read what
    texts = generated_articles(200) + real_texts()
    folder = tmp_path / "corpus"
    folder.mkdir()
    lines = ["file,kind,date,id"]
    for number, text in enumerate(texts):
        (folder / f"t{number}.txt").write_text(text, encoding="utf-8")
        lines.append(f"t{number}.txt,press,2024,item-{number}")
    (folder / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["documents", "import-list", str(folder / "manifest.csv"), "--workers", workers])
    assert result.exit_code == 0, result.output

    # the store as the import before the change made it: the same documents and passages, in the same order
    reference = DocumentStore("reference", tmp_path / "reference")
    coder = AutoCoder(load_codebook())
    items = []
    for number in range(len(texts)):
        document = before.read_txt(folder / f"t{number}.txt", f"item-{number}", "press", "2024")
        try:
            passages = before.code_text(coder, document.text, document.language, document.document_id,
                                        document.alphabet)
        except LanguageNotCoded:
            passages = []
        items.append((document, passages))
    for first in range(0, len(items), 200):
        reference.add_coded(items[first:first + 200])
    reference.engine.dispose()

    [stored] = (data_dir / "documents").glob("*.sqlite")
    for table, leave_out in (("documents", ()), ("passages", ("created",))):
        assert _rows(stored, table, leave_out) == _rows(reference.path, table, leave_out)
    assert len(_rows(stored, "documents")) == len(texts)
    assert len(_rows(stored, "passages")) > 3_000  # the corpus is coded, not only stored
    languages = {dict(row)["language"] for row in _rows(stored, "documents")}
    assert {"en", "ru", "kk", "tr", "uz", "ky", "pl", "de", "uk"} <= languages


def test_every_real_and_generated_text_is_tidied_detected_and_coded_as_before(codebook):
    coder = AutoCoder(codebook)
    for text in generated_articles(40) + real_texts():
        assert _tidy(text) == before.tidy(text)
        assert detect_language(text) == before.detect_language(text)
        for code in ("en", "ru", "kk"):
            for alphabet in ("", *ALPHABETS):
                assert _coded(coder.code_text, text, code, alphabet) == _coded(
                    lambda *arguments: before.code_text(coder, *arguments), text, code, alphabet)


def _coded(code, text: str, language: str, alphabet: str):
    try:
        return code(text, language, "doc", alphabet)
    except LanguageNotCoded as refusal:
        return refusal.message


SPACES = [" ", "  ", "\t", "\u00a0", " \u00a0 ", "\r\n", "\n", "\n\n", "\n\n\n\n", " \n ", "\u2028", ", ", ". ",
          " — ", "-", "'", "’", "«", "»", "(", ")", "…", ""]
LETTERS = "aäçğıiİIñöşūüáǵńóúýqQxXʻ'ſKßұқғәһіңөүйиИёЁъэыjӘҚ ђљ җ"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(VOCABULARY), st.text(alphabet=LETTERS, max_size=8), st.text(max_size=4)),
                max_size=40),
       st.lists(st.sampled_from(SPACES), min_size=40, max_size=40),
       st.sampled_from(["en", "ru", "kk"]), st.sampled_from(["", *ALPHABETS]))
def test_made_up_texts_are_tidied_detected_and_coded_as_before(codebook, words, spaces, code, alphabet):
    text = "".join(word + space for word, space in zip(words, spaces))
    assert _tidy(text) == before.tidy(text)
    assert detect_language(text) == before.detect_language(text)
    assert has_latin(text) == before.has_latin(text)
    assert language.kazakh_alphabet(text) == before.kazakh_alphabet(text)
    assert language.is_mainly_latin(text) == before.is_mainly_latin(text)
    for each in ALPHABETS:
        assert to_cyrillic(text, each) == before.to_cyrillic(text, each)
    assert working_copy(text, code, alphabet) == before.working_copy(text, code, alphabet)
    coder = coding.compile_codebook(codebook)
    assert _coded(coder.code_text, text, code, alphabet) == _coded(
        lambda *arguments: before.code_text(coder, *arguments), text, code, alphabet)


def test_pieces_remembered_start_afresh_without_changing_a_code(codebook, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(coding, "PIECES_REMEMBERED", 50)
    coder = AutoCoder(codebook)
    texts = generated_articles(12)
    for text, code in zip(texts, ["en", "ru", "kk", "kk"] * 3):
        assert coder.code_text(text, code, "doc", "2021") == before.code_text(coder, text, code, "doc", "2021")
        assert len(coder._pieces[code]) <= 50 + len(set(working_copy(text, code, "2021")[0].split(" ")))


def test_latin_letters_are_told_as_case_insensitive_matching_told_them():
    # the explicit class of has_latin holds every character the case-insensitive class of before matched
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    matched = before._ANY_LATIN.findall(every)
    assert all(has_latin(character) for character in matched)
    assert not has_latin(before._ANY_LATIN.sub("", every))
    assert len(matched) == 84 and "ſ" in matched and "\u212a" in matched  # ſ and the Kelvin sign K


def test_every_letter_and_pair_becomes_one_letter():
    # the detector counts each Latin word's Cyrillic image as one word: no table may make a space or nothing
    for alphabet, letters in language._SINGLE.items():
        assert all(len(cyrillic) == 1 and cyrillic.isalpha() for cyrillic in letters.values()), alphabet
    for alphabet, pairs in language._PAIRS.items():
        assert all(len(latin) == 2 and len(cyrillic) == 1 and cyrillic.isalpha()
                   for latin, cyrillic in pairs.items()), alphabet


def test_passages_come_in_order_of_position_then_code_whatever_the_codebook_order():
    # one word coded by two codes listed out of alphabetical order, and longer patterns of one code whose
    # spans end at different words, listed longest first: the passages still come as before, sorted
    from diaspora_observatory.documents.codebook_model import Code, Codebook

    book = Codebook("order", "order", (
        Code("zeta", "", "", {"en": ("diaspora", "diaspora ... policy", "diaspora office")}),
        Code("alpha", "", "", {"en": ("diaspora", "diaspora* office ... policy")}),
    ))
    coder = AutoCoder(book)
    text = "The diaspora office of the new policy. A diaspora policy; diaspora office."
    passages = coder.code_text(text, "en", "doc")
    assert passages == before.code_text(coder, text, "en", "doc")
    assert [(p.start, p.end, p.code) for p in passages] == sorted((p.start, p.end, p.code) for p in passages)
    assert [p.code for p in passages[:2]] == ["alpha", "zeta"] and len(passages) >= 6
