"""Stemmers, the Kazakh Latin-to-Cyrillic transliteration and the language detector."""

from __future__ import annotations

import pytest

from diaspora_observatory.documents.language import Detected, detect_language, latin_to_cyrillic
from diaspora_observatory.documents.stemming import kazakh_stem, stemmer


@pytest.mark.parametrize("forms", [
    ["мигрант", "мигранта", "мигрантов", "мигрантами"],
    ["репатриация", "репатриации", "репатриацию", "репатриацией"],
    ["казахский", "казахского", "казахскому", "казахскими"],
])
def test_russian_inflections_share_a_stem(forms):
    stem = stemmer("ru")
    assert len({stem(word) for word in forms}) == 1


@pytest.mark.parametrize(("word", "expected"), [
    ("тіл", "тіл"), ("тілі", "тіл"), ("тілін", "тіл"), ("тілінде", "тіл"), ("тілдің", "тіл"),
    ("қазақтар", "қазақ"), ("қазақтардың", "қазақ"), ("қандастарға", "қандас"),
    ("мектебі", "мектеп"), ("мектептері", "мектеп"),          # voicing of the final consonant undone
    ("ел", "ел"), ("елге", "ел"), ("ана", "ана"), ("ананың", "ана"), ("қала", "қала"),
    ("білім", "біл"), ("білімі", "біл"),                         # over-stripped, but the same way in both forms
])
def test_kazakh_suffix_stripping(word, expected):
    assert kazakh_stem(word) == expected


def test_english_stems_with_snowball():
    stem = stemmer("en")
    assert stem("repatriates") == stem("repatriation") == "repatri"


@pytest.mark.parametrize(("latin", "cyrillic"), [
    ("Qazaqstan", "Қазақстан"), ("tılın üirenu", "тілін үйрену"), ("jäne", "және"), ("būl", "бұл"),
    ("äleumettık kömek", "әлеуметтік көмек"), ("ŞYM", "ШЫМ"), ("Ğylym", "Ғылым"), ("oñtüstık", "оңтүстік"),
])
def test_latin_to_cyrillic_letter_for_letter(latin, cyrillic):
    assert latin_to_cyrillic(latin) == cyrillic
    assert len(latin_to_cyrillic(latin)) == len(latin)


@pytest.mark.parametrize(("text", "expected"), [
    ("The government supports the return of ethnic Kazakhs and their integration.", Detected("en", "Latn")),
    ("Правительство поддерживает возвращение этнических казахов и их интеграцию.", Detected("ru", "Cyrl")),
    ("Үкімет этникалық қазақтардың елге оралуын және бейімделуін қолдайды.", Detected("kk", "Cyrl")),
    ("Ükımet etnikalyq qazaqtardyñ elge oraluyn jäne beiımdeluın qoldaidy.", Detected("kk", "Latn", "2021")),
    ("12345 !!!", Detected("und", "")),
])
def test_language_detection(text, expected):
    assert detect_language(text) == expected
