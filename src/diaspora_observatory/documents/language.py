"""Language and script of a text (en, ru, kk), and Kazakh Latin script turned into Cyrillic.

The detector is deliberately small: it looks at the script (Cyrillic or Latin letters), at the letters
only Kazakh uses (ә ғ қ ң ө ұ ү һ і in Cyrillic; ä ğ ñ ö ş ū ü ı q in the 2021 Latin alphabet) and at
counts of very frequent function words. It tells these three languages apart on a paragraph or more; on a
few words it can be wrong, which is why the importer lets the user override it (``--language``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[^\W\d_]+")
_KK_CYRILLIC = frozenset("әғқңөұүһі")
_KK_LATIN = frozenset("äğñöşūüıq")
_STOPWORDS = {
    "en": frozenset("the and of to in is for that with on as by are from this be it an was or which".split()),
    "ru": frozenset("и в не на что с по для как это из о к от то он она они его а также при".split()),
    "kk": frozenset("және мен бұл үшін туралы да де осы болып бойынша біз олар ол емес бар жоқ деп пен бен "
                    "оның бір сондай-ақ арқылы".split()),
    "kk-latn": frozenset("jäne men būl üşın turaly da de osy bolyp boiynşa bız olar ol emes bar joq dep pen "
                         "ben onyñ bır arqyly".split()),
}

# The 2021 Kazakh Latin alphabet (ı = і, y = ы, i = и or й, u = у, ū = ұ, ü = ү), letter by letter, plus
# the acute letters of the 2018 version that do not clash with it. Every letter maps to exactly one
# Cyrillic letter, so offsets in the transliterated text are offsets in the original: a passage found in
# the Cyrillic form points at the same span of the Latin one.
_LATIN_TO_CYRILLIC = {
    "a": "а", "ä": "ә", "b": "б", "c": "ц", "ç": "ч", "d": "д", "e": "е", "f": "ф", "g": "г", "ğ": "ғ",
    "h": "х", "ı": "і", "i": "и", "j": "ж", "k": "к", "l": "л", "m": "м", "n": "н", "ñ": "ң", "o": "о",
    "ö": "ө", "p": "п", "q": "қ", "r": "р", "s": "с", "ş": "ш", "t": "т", "u": "у", "ū": "ұ", "ü": "ү",
    "v": "в", "w": "у", "x": "х", "y": "ы", "z": "з",
    "á": "ә", "ǵ": "ғ", "ń": "ң", "ó": "ө", "ú": "ү", "ý": "у",
}
_UPPER = {k.upper(): v.upper() for k, v in _LATIN_TO_CYRILLIC.items() if len(k.upper()) == 1}
_TRANSLITERATION = str.maketrans({**_LATIN_TO_CYRILLIC, **_UPPER, "İ": "И"})
# after a vowel the letter i stands for й (üirenu = үйрену), elsewhere for и (investisia = инвестисиа)
_SHORT_I = re.compile(r"(?<=[аәеоөұүыіуэюя])и", re.IGNORECASE)
_SHORT_I_LOWER = re.compile(r"(?<=[аәеоөұүыіуэюя])и")
_ANY_LATIN = re.compile(r"[a-zäçğıñöşūüáǵńóúý]", re.IGNORECASE)


@dataclass(frozen=True)
class Detected:
    """``language`` is en, ru, kk or und (undetermined); ``script`` is Cyrl, Latn or empty."""

    language: str
    script: str


def detect_language(text: str, sample: int = 20000) -> Detected:
    """Guess the language (en, ru, kk) and script of ``text`` from its first ``sample`` characters.

    >>> detect_language("Қазақ тілі және мәдениет")
    Detected(language='kk', script='Cyrl')
    >>> detect_language("Qazaq tılı jäne mädeniet")
    Detected(language='kk', script='Latn')
    """
    words = _WORD.findall(text[:sample].lower())
    if not words:
        return Detected("und", "")
    cyrillic = latin = kk_cyrillic = kk_latin = 0
    counts = dict.fromkeys(_STOPWORDS, 0)
    for word in words:
        if "а" <= word[0] <= "я" or word[0] in "ёәғқңөұүһі":
            cyrillic += len(word)
            kk_cyrillic += sum(1 for ch in word if ch in _KK_CYRILLIC)
        else:
            latin += len(word)
            kk_latin += sum(1 for ch in word if ch in _KK_LATIN)
        for language, stopwords in _STOPWORDS.items():
            if word in stopwords:
                counts[language] += 1
    if cyrillic >= latin:
        # one Kazakh letter in a hundred is far above the rate of loan words in Russian text
        if kk_cyrillic / cyrillic > 0.01 or counts["kk"] > counts["ru"]:
            return Detected("kk", "Cyrl")
        return Detected("ru", "Cyrl")
    if kk_latin / latin > 0.02 or counts["kk-latn"] > counts["en"]:
        return Detected("kk", "Latn")
    return Detected("en", "Latn")


def latin_to_cyrillic(text: str) -> str:
    """Kazakh in the Latin alphabet written in Cyrillic, one letter for one letter (same length).

    >>> latin_to_cyrillic("Qazaq tılın üirenu")
    'Қазақ тілін үйрену'

    Limits: digraphs of the 2017 apostrophe alphabet (a', sh, ch) and of the 2018 one (sh, ch) are not
    recognised; ``h`` becomes х (one letter stands for both х and һ); loan words spelled by sound
    (investisia) do not come back to their Cyrillic spelling (инвестиция), so give such patterns in the
    Latin spelling's Cyrillic image too if they matter.
    """
    return _SHORT_I.sub(lambda m: "й" if m.group() == "и" else "Й", text.translate(_TRANSLITERATION))


def latin_to_cyrillic_lower(text: str) -> str:
    """:func:`latin_to_cyrillic` for text already in lower case, faster: nothing to do without Latin letters."""
    if not _ANY_LATIN.search(text):
        return text
    return _SHORT_I_LOWER.sub("й", text.translate(_TRANSLITERATION))
