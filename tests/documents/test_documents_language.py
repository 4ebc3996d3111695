"""Languages and Kazakh Latin alphabets: detected by their letters, read with their own values, never coded
with another language's patterns; offsets of passages found in a shorter Cyrillic image point at the original."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from diaspora_observatory import load_case
from diaspora_observatory.cli import main
from diaspora_observatory.documents.codebook import LanguageNotCoded, load_codebook
from diaspora_observatory.documents.coding import code_text, working_copy
from diaspora_observatory.documents.language import (
    Detected,
    detect_language,
    kazakh_alphabet,
    latin_to_cyrillic,
    to_cyrillic,
)
from diaspora_observatory.documents.workspace import Workspace

# the same Kazakh sentence in the three alphabets (letter values as in the module docstring)
KK_2017 = "Ulttyq biregei'lik pen qazaq tilinin' ma'selesi. S'etelden kelgen qandastarg'a a'ley'mettik ko'mek."
KK_2018 = "Ulttyq biregeılik pen qazaq tiliniń máselesi. Shetelden kelgen qandastarǵa áleýmettik kómek."
KK_2021 = "Ūlttyq bıregeilık pen qazaq tılınıñ mäselesı. Şetelden kelgen qandastarğa äleumettık kömek."
KK_CYRILLIC = "Ұлттық бірегейлік пен қазақ тілінің мәселесі. Шетелден келген қандастарға әлеуметтік көмек."

TURKISH = ("Türkiye Cumhuriyeti dış politikasında yurt dışındaki soydaşlarla ilişkiler önemli bir yer tutar ve "
           "İstanbul'da çok sayıda göçmen yaşar.")
UZBEK = ("Oʻzbekiston Respublikasi Prezidenti xorijdagi vatandoshlar bilan hamkorlik toʻgʻrisida qaror qabul "
         "qildi va bu qaror muhim.")
KYRGYZ = "Өкмөт чет өлкөлөрдөгү мекендештерге жардам көрсөтүү боюнча жаңы мыйзамды кабыл алды жана бул маанилүү."
POLISH = "Rząd wspiera repatriację Polaków z Kazachstanu i ich integrację w społeczeństwie."
GERMAN = "Die Bundesregierung unterstützt die Rückkehr von Spätaussiedlern und ihre Integration in die Gesellschaft."
UKRAINIAN = "Уряд підтримує повернення етнічних українців та їхню інтеграцію у суспільство."


@pytest.mark.parametrize(("text", "expected"), [
    (KK_2017, Detected("kk", "Latn", "2017")),
    (KK_2018, Detected("kk", "Latn", "2018")),
    (KK_2021, Detected("kk", "Latn", "2021")),
    (KK_CYRILLIC, Detected("kk", "Cyrl")),
    (TURKISH, Detected("tr", "Latn")),
    (UZBEK, Detected("uz", "Latn")),
    (KYRGYZ, Detected("ky", "Cyrl")),
    (POLISH, Detected("pl", "Latn")),
    (GERMAN, Detected("de", "Latn")),
    (UKRAINIAN, Detected("uk", "Cyrl")),
    ("Ministère des Affaires étrangères : la coopération avec la diaspora.", Detected("und", "Latn")),
    ("Татарстан Республикасы җитәкчелеге белән очрашу булды.", Detected("und", "Cyrl")),
])
def test_languages_told_apart_by_letters_and_function_words(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize(("text", "alphabet"), [(KK_2017, "2017"), (KK_2018, "2018"), (KK_2021, "2021"),
                                                 ("Qazaqstan", "")])
def test_each_alphabet_is_read_with_its_own_letter_values(text, alphabet):
    assert kazakh_alphabet(text) == alphabet
    if alphabet:
        assert latin_to_cyrillic(text) == KK_CYRILLIC


def test_kazinform_2018_is_not_read_with_the_2021_values():
    # read with the 2021 values (the old behaviour), i/ı and u swap: ұлттық becomes улттық, тілінің тилиниң
    assert latin_to_cyrillic("Ulttyq tiliniń", "2021") == "Улттық тилиниń"
    assert latin_to_cyrillic("Ulttyq tiliniń", "2018") == "Ұлттық тілінің"
    assert latin_to_cyrillic("aıtty úırený", "2018") == "айтты үйрену"
    assert latin_to_cyrillic("Qasym-Jomart Toqaev Respýblıka", "2018") == "Қасым-Жомарт Тоқаев Республика"


@pytest.mark.parametrize("latin", [KK_2017, KK_2018, KK_2021])
def test_the_three_alphabets_get_the_same_codes(codebook, latin):
    cyrillic = [(p.code, p.pattern) for p in code_text(KK_CYRILLIC, "kk", codebook)]
    assert [(p.code, p.pattern) for p in code_text(latin, "kk", codebook)] == cyrillic
    assert cyrillic == [("unity_identity", "ұлттық бірегейлік"), ("unity_identity", "бірегейлік"),
                        ("native_language_education", "қазақ тілі"), ("repatriation_kandas", "қандас*"),
                        ("social_support", "әлеуметтік көмек")]


def test_offsets_after_digraphs_point_at_the_original_span(codebook):
    # every sh and every apostrophe letter makes the Cyrillic image one character shorter than the original
    text = "Shyǵys shekarasy arqyly kelgen qandastarǵa áleýmettik kómek kórsetildi."
    image, offsets = working_copy(text, "kk")
    assert image == "шығыс шекарасы арқылы келген қандастарға әлеуметтік көмек көрсетілді."
    assert len(text) - len(image) == 2 and offsets.breaks == (1, 7)
    passages = [(p.code, p.start, p.end, p.text) for p in code_text(text, "kk", codebook)]
    start = text.index("qandastarǵa")
    help_start = text.index("áleýmettik")
    assert passages == [("repatriation_kandas", start, start + 11, "qandastarǵa"),
                        ("social_support", help_start, help_start + 16, "áleýmettik kómek")]
    text_2017 = "S'ekarasy arqyly kelgen qandastarg'a a'ley'mettik ko'mek."
    passages = [(p.code, p.start, p.end, p.text) for p in code_text(text_2017, "kk", codebook)]
    assert passages == [("repatriation_kandas", 24, 36, "qandastarg'a"),
                        ("social_support", 37, 56, "a'ley'mettik ko'mek")]


def test_offset_map_of_a_long_2018_text_is_exact():
    text = " ".join(["shash", "ashana", "chempıon", "kósh"] * 50)
    image, offsets = to_cyrillic(text, "2018")
    assert image.startswith("шаш ашана чемпион көш шаш ")
    assert len(text) - len(image) == 5 * 50

    def word_spans(value: str) -> list[tuple[int, int]]:
        spans, position = [], 0
        for word in value.split(" "):
            spans.append((position, position + len(word)))
            position += len(word) + 1
        return spans

    mapped = [(offsets.original(start), offsets.original(end)) for start, end in word_spans(image)]
    assert mapped == word_spans(text)
    assert [offsets.original(p) for p in range(5)] == [0, 2, 3, 5, 6]


@pytest.mark.parametrize(("text", "language", "message"), [
    (TURKISH, "tr", "not coded: the text is in Turkish (tr), and automatic coding has patterns for en, ru, kk only"),
    (KYRGYZ, "ky", "not coded: the text is in Kyrgyz (ky), and automatic coding has patterns for en, ru, kk only"),
    ("xyz", "und", "not coded: the language could not be determined"),
])
def test_coding_a_language_without_patterns_is_refused(codebook, text, language, message):
    with pytest.raises(LanguageNotCoded) as error:
        code_text(text, language, codebook)
    assert error.value.message == message


def test_turkish_import_is_stored_not_coded_and_says_why(data_dir, tmp_path: Path):
    path = tmp_path / "haber.txt"
    path.write_text(TURKISH, encoding="utf-8")
    result = CliRunner().invoke(main, ["documents", "import", str(path), "--kind", "press", "--date", "2024"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Imported 'haber' (press, tr, {len(TURKISH)} characters), stored but not coded: the text is in Turkish "
        "(tr), and automatic coding has patterns for en, ru, kk only.\n"
        "  code it by hand in the web app; if the language was mis-detected, give it with --language and import "
        "again with --replace\n")
    workspace = Workspace(load_case(), data_dir)
    assert workspace.store.get("haber").language == "tr"
    assert workspace.store.passages("haber").empty


def test_polish_is_not_coded_as_english(data_dir, tmp_path: Path):
    # "integrację" and "repatriację" would match the English patterns integration* and repatriat* if coded as en
    path = tmp_path / "artykul.txt"
    path.write_text(POLISH, encoding="utf-8")
    result = CliRunner().invoke(main, ["documents", "import", str(path), "--kind", "press"])
    assert result.exit_code == 0, result.output
    assert "(press, pl, 81 characters), stored but not coded: the text is in Polish (pl)" in result.output
    assert Workspace(load_case(), data_dir).store.passages("artykul").empty


def test_import_names_the_alphabet_read(data_dir, tmp_path: Path):
    path = tmp_path / "kazinform.txt"
    path.write_text(KK_2018, encoding="utf-8")
    result = CliRunner().invoke(main, ["documents", "import", str(path), "--kind", "press"])
    assert result.output == (f"Imported 'kazinform' (press, kk, Latin alphabet of 2018, {len(KK_2018)} characters): "
                             "5 passages coded automatically.\n")


def test_code_command_reports_uncoded_documents(data_dir, tmp_path: Path):
    path = tmp_path / "haber.txt"
    path.write_text(TURKISH, encoding="utf-8")
    runner = CliRunner()
    runner.invoke(main, ["documents", "import", str(path)])
    result = runner.invoke(main, ["documents", "code", "haber"])
    assert result.exit_code == 0
    assert result.output.startswith("haber: not coded: the text is in Turkish (tr)")


def test_default_codebook_has_the_three_languages():
    assert load_codebook().pattern_languages == ["en", "ru", "kk"]
