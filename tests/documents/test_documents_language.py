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
    assert result.output == (f"Imported 'kazinform' (press, kk, Latin alphabet of 2018 (told by its letters), "
                             f"{len(KK_2018)} characters): 5 passages coded automatically.\n")


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


# --- a Kazakh Latin text whose letters tell no alphabet: refused rather than guessed ---------------------------

# Kazakh as a 2018 writer (Kazinform's alphabet) writes it, with none of the letters only one alphabet has
# (no acute letters, no apostrophes, none of ä ğ ñ ö ş ū ü): "Қандастар мен олар Қазақстанда тұрады. Бұл
# жерде ұлттық бірлік пен қазақ тілі бар." Read with the 2021 values, u is у and i is и: тұрады becomes
# турады, бірлік бирлик, тілі тили, and two of the three codes are missed.
KK_UNTOLD = "Qandastar men olar Qazaqstanda turady. Bul jerde ulttyq birlik pen qazaq tili bar."
UNTOLD_REFUSAL = ("stored but not coded: the text is Kazakh in Latin letters, and none of its letters tells whether "
                  "it is the 2017, 2018 or 2021 alphabet (i, ı and u are different letters in each).\n"
                  "  give it with --alphabet 2017, 2018 or 2021 and import again with --replace "
                  "(docs/documents.md tells the alphabets apart)\n")


def test_a_text_whose_letters_tell_no_alphabet_is_stored_but_not_coded(data_dir, tmp_path: Path):
    assert detect_language(KK_UNTOLD) == Detected("kk", "Latn", "")
    path = tmp_path / "qandastar.txt"
    path.write_text(KK_UNTOLD, encoding="utf-8")
    result = CliRunner().invoke(main, ["documents", "import", str(path), "--kind", "press"])
    assert result.exit_code == 0, result.output
    assert result.output == (f"Imported 'qandastar' (press, kk, Latin alphabet not told by its letters, "
                             f"{len(KK_UNTOLD)} characters), {UNTOLD_REFUSAL}")
    workspace = Workspace(load_case(), data_dir)
    assert workspace.store.get("qandastar").alphabet == ""
    assert workspace.store.passages("qandastar").empty
    coded = CliRunner().invoke(main, ["documents", "code", "qandastar"])
    assert coded.output.startswith("qandastar: not coded: the text is Kazakh in Latin letters, and none")


@pytest.mark.parametrize(("alphabet", "codes"), [
    ("2018", ["repatriation_kandas", "unity_identity", "native_language_education"]),
    ("2017", ["repatriation_kandas", "unity_identity", "native_language_education"]),
    ("2021", ["repatriation_kandas"]),
])
def test_alphabet_given_reads_the_text_with_its_values_and_is_kept(data_dir, tmp_path: Path, alphabet, codes):
    path = tmp_path / "qandastar.txt"
    path.write_text(KK_UNTOLD, encoding="utf-8")
    result = CliRunner().invoke(main, ["documents", "import", str(path), "--kind", "press", "--alphabet", alphabet])
    assert result.output == (f"Imported 'qandastar' (press, kk, Latin alphabet of {alphabet} (as given), "
                             f"{len(KK_UNTOLD)} characters): {len(codes)} passages coded automatically.\n")
    workspace = Workspace(load_case(), data_dir)
    assert workspace.store.get("qandastar").alphabet == alphabet
    passages = workspace.store.passages("qandastar")
    assert list(passages["code"]) == codes
    if alphabet == "2018":
        assert list(passages["text"]) == ["Qandastar", "birlik", "qazaq tili"]  # spans of the Latin original
    # coding again (`documents code`) reads the stored alphabet, not a guess
    assert CliRunner().invoke(main, ["documents", "code", "qandastar"]).output == f"qandastar: {len(codes)} passages\n"


def test_an_alphabet_that_the_letters_contradict_is_refused(data_dir, tmp_path: Path):
    path = tmp_path / "kazinform.txt"
    path.write_text(KK_2018, encoding="utf-8")
    result = CliRunner().invoke(main, ["documents", "import", str(path), "--alphabet", "2021"])
    assert result.exit_code == 2
    assert result.output == ("Error: kazinform.txt: --alphabet 2021 was given, but the text writes letters of the 2018 "
                             "alphabet (ń á ǵ ý ó)\nHint: give --alphabet 2018, or leave --alphabet out so the letters "
                             "decide\n")
    assert Workspace(load_case(), data_dir).store.documents() == []


def test_an_alphabet_for_a_text_not_in_kazakh_latin_is_refused(data_dir, tmp_path: Path):
    path = tmp_path / "kk.txt"
    path.write_text(KK_CYRILLIC, encoding="utf-8")
    result = CliRunner().invoke(main, ["documents", "import", str(path), "--alphabet", "2018"])
    assert result.exit_code == 2
    assert result.output == ("Error: kk.txt: --alphabet 2018 was given, but an alphabet is for Kazakh in Latin "
                             "letters, and this text reads as Kazakh in Cyrillic\nHint: leave --alphabet out (or give "
                             "the language kk if the text is Kazakh in Latin letters)\n")


def test_import_list_takes_the_alphabet_from_its_row_or_the_option(data_dir, tmp_path: Path):
    for name, text in (("untold.txt", KK_UNTOLD), ("told.txt", KK_2021), ("ru.txt", "Правительство помогает "
                                                                           "соотечественникам вернуться.")):
        (tmp_path / name).write_text(text, encoding="utf-8")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,kind,alphabet\nuntold.txt,press,\ntold.txt,press,\nru.txt,press,\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["documents", "import-list", str(manifest), "--alphabet", "2018"])
    assert result.exit_code == 0, result.output
    store = Workspace(load_case(), data_dir).store
    # the option fills only the Kazakh Latin text whose letters tell none; told letters and Russian keep theirs
    assert {d.document_id: d.alphabet for d in store.documents()} == {"untold": "2018", "told": "2021", "ru": ""}
    manifest.write_text("file,kind,alphabet\ntold.txt,press,2018\n", encoding="utf-8")
    refused = CliRunner().invoke(main, ["documents", "import-list", str(manifest), "--replace"])
    assert refused.exit_code == 2
    assert refused.output == ("Error: manifest.csv row 2: told.txt: the alphabet column says 2018, but the text "
                              "writes letters of the 2021 alphabet (ū ñ ä ş ğ)\nHint: write 2021 in the alphabet "
                              "column, or leave the alphabet column empty so the letters decide\n")


def test_a_store_made_before_alphabets_were_kept_opens_and_gets_the_column(tmp_path: Path):
    import sqlite3

    from diaspora_observatory.documents.store import DocumentStore, store_path

    path = store_path("old", tmp_path)
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as connection:  # the documents table as it was before this column
        connection.execute("CREATE TABLE documents (document_id VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, kind "
                           "VARCHAR NOT NULL, date VARCHAR NOT NULL, language VARCHAR NOT NULL, script VARCHAR NOT "
                           "NULL, source VARCHAR NOT NULL, source_id VARCHAR NOT NULL, filename VARCHAR NOT NULL, "
                           "sha256 VARCHAR NOT NULL, text TEXT NOT NULL)")
        connection.execute("INSERT INTO documents VALUES ('a', 'A', 'press', '2024', 'kk', 'Latn', '', '', 'a.txt', "
                           f"'', '{KK_2018}')")
    document = DocumentStore("old", tmp_path).get("a")
    assert (document.text, document.alphabet) == (KK_2018, "")
