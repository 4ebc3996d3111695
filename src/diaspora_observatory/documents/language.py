"""Language and script of a text, and Kazakh in any of its three Latin alphabets turned into Cyrillic.

Languages. Automatic coding knows English, Russian and Kazakh (``en``, ``ru``, ``kk``). The detector also
recognises the neighbours most often mistaken for them — Kyrgyz (``ky``), Ukrainian (``uk``), Turkish
(``tr``), Uzbek in the Latin alphabet (``uz``), Polish (``pl``), German (``de``) — so that a document in one
of them is stored as what it is and never coded with another language's patterns; anything else is ``und``
(undetermined). The evidence is letters first, then counts of very frequent function words:

- Kazakh Cyrillic has ә ғ қ ұ һ; Kyrgyz has ң ө ү but none of ә ғ қ ұ һ і; Ukrainian has ї є ґ; Russian
  is Cyrillic with none of these. Tatar and Bashkir letters (җ ҙ ҡ ҫ), Serbian and Macedonian ones
  (ђ ј љ њ ћ џ ѓ ќ ѕ) and Bulgarian's frequent ъ make it ``und``.
- Polish has ą ć ę ł ś ź ż. Turkish has ç ğ ı ş (with ö ü and the dotted capital İ) and no q, ñ, ä, ū.
  Kazakh in the Latin alphabet has q in every paragraph and the letters of its alphabet (below); Uzbek
  has q and x, oʻ and gʻ, and its own function words (va, bilan, uchun …). German has ß or its function
  words; English its own.

It is counted over the text at once (one ``numpy.bincount`` over the code points, ``collections.Counter``
over the words), not character by character in Python: issue 15 measured the old per-character loop as the main
cost of ``documents import-list``. On a paragraph or more it is reliable; on a few words it can be
wrong, which is why the importer lets the user override it (``--language``).

The Kazakh Latin alphabets, each read with its own letter values:

- **2017** — Decree of the President of the Republic of Kazakhstan of 26 October 2017 No. 569 "On the
  translation of the Kazakh alphabet from Cyrillic to the Latin script": 32 letters with apostrophes:
  a' = ә, g' = ғ, n' = ң, o' = ө, u' = ү, y' = у, i' = и/й, s' = ш, c' = ч, while i = і, u = ұ, y = ы.
  The brief of issue 11 lists sh and ch for this alphabet; the decree as we read it writes s' and c'
  (sh and ch come from the September 2017 draft, and writers kept them), so both are read as ш and ч.
- **2018** — the same decree as amended by Decree of 19 February 2018 No. 637: acutes instead of
  apostrophes, á = ә, ǵ = ғ, ń = ң, ó = ө, ú = ү, ý = у, the digraphs sh = ш and ch = ч, and the dotless
  ı = и/й while i = і and u = ұ (Kazinform writes this alphabet).
- **2021** — the revised alphabet presented to the President in January 2021: ä = ә, ğ = ғ, ñ = ң, ö = ө,
  ş = ш, ç = ч, ū = ұ, ü = ү, ı = і, i (capital İ) = и/й, u = у, y = ы, q = қ.

So the same letters i, ı and u mean different Cyrillic letters in 2018 and 2021 (i/ı swap, u is ұ or у):
reading one alphabet with the other's values misses codes. :func:`kazakh_alphabet` tells them apart by
the letters only one of them has (apostrophe letters, acute letters, the 2021 letters). In all three, и
after a vowel stands for й (2021 üirenu = үйрену, 2018 aıtty = айтты).

The digraphs of 2017 and 2018 make the Cyrillic image shorter than the original, so the transliteration
returns an :class:`OffsetMap` that takes a position in the image back to the original text: a passage
found in the Cyrillic image points at the right span of the Latin original.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import cache
from itertools import compress

import numpy as np

# The languages a document may be stored in, kept apart so the command line reads them without numpy.
from diaspora_observatory.documents.language_names import KNOWN_LANGUAGES, LANGUAGE_NAMES  # noqa: F401
from diaspora_observatory.languages import CODES

CODED_LANGUAGES = CODES  # automatic coding has patterns in the interface languages (languages.py)
ALPHABETS = ("2017", "2018", "2021")
DETECTION_SAMPLE = 20_000  # characters the language is told from
ALPHABET_SAMPLE = 100_000  # characters whose letters tell the alphabet: a long law need not be read whole

_STOPWORDS = {
    "en": frozenset("the and of to in is for that with on as by are from this be it an was or which".split()),
    "ru": frozenset("и в не на что с по для как это из о к от то он она они его а также при".split()),
    "kk": frozenset("және мен бұл үшін туралы да де осы болып бойынша біз олар ол емес бар жоқ деп пен бен "
                    "оның бір сондай-ақ арқылы".split()),
    "ky": frozenset("жана менен бул үчүн тууралуу да дагы ушул болуп боюнча биз алар ал эмес бар жок деп "
                    "анын бир ошондой эле аркылуу же".split()),
    "uk": frozenset("і й та не на що з по для як це із від до він вона вони його також при".split()),
    "tr": frozenset("ve bir bu da de için ile olarak olan gibi daha çok en ama ne kadar sonra ise ya".split()),
    "uz": frozenset("va bilan uchun bu ham bir deb esa yoki emas boʻyicha kabi edi ular shu hamda "
                    "qilib haqida".split()),
    "pl": frozenset("i w nie na że z się do to jest jak o od po dla przez oraz także który".split()),
    "de": frozenset("der die und das ist nicht mit von zu den des im ein eine auch für sich auf dem".split()),
}
_ANY_STOPWORD = frozenset().union(*_STOPWORDS.values())
_VOWELS_CYRILLIC = "аәеоөұүыіуэюяАӘЕОӨҰҮЫІУЭЮЯ"


@dataclass(frozen=True)
class Detected:
    """``language`` is one of :data:`KNOWN_LANGUAGES`; ``script`` is Cyrl, Latn or empty; ``alphabet`` is
    the Kazakh Latin alphabet (2017, 2018, 2021) of Kazakh in Latin letters, empty when none could be told."""

    language: str
    script: str
    alphabet: str = ""


# --- the three Latin alphabets ----------------------------------------------------------------------------

def _with_capitals(letters: dict[str, str]) -> dict[str, str]:
    table = dict(letters)
    for latin, cyrillic in letters.items():
        if len(latin.upper()) == len(latin) and latin.upper() != latin:
            table.setdefault(latin.upper(), cyrillic.upper())
    return table


_COMMON = {"a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х", "j": "ж", "k": "к", "l": "л",
           "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р", "s": "с", "t": "т", "v": "в", "y": "ы",
           "z": "з", "c": "ц", "w": "у", "x": "х"}
_SINGLE = {
    "2017": _with_capitals({**_COMMON, "i": "і", "u": "ұ"}),
    "2018": _with_capitals({**_COMMON, "i": "і", "ı": "и", "u": "ұ", "á": "ә", "ǵ": "ғ", "ń": "ң", "ó": "ө",
                            "ú": "ү", "ý": "у"}),
    "2021": _with_capitals({**_COMMON, "ı": "і", "i": "и", "u": "у", "ä": "ә", "ğ": "ғ", "ñ": "ң", "ö": "ө",
                            "ş": "ш", "ç": "ч", "ū": "ұ", "ü": "ү"}),
}
# capital I: in 2021 it is the capital of ı (і) and İ that of i (и); in 2017 and 2018 I is і (2018 writes
# the capital of ı as I too, so a capital И is read as І there: a known ambiguity of that alphabet)
_SINGLE["2021"].update({"I": "І", "İ": "И"})
_SINGLE["2018"].update({"I": "І"})
_SINGLE["2017"].update({"I": "І"})
_APOSTROPHES = "'’ʼ"
_PAIRS = {
    "2017": {**{f"{latin}{mark}": cyrillic for latin, cyrillic in {"a": "ә", "g": "ғ", "n": "ң", "o": "ө", "u": "ү",
                                                                   "y": "у", "i": "и", "s": "ш", "c": "ч"}.items()
                for mark in _APOSTROPHES}, "sh": "ш", "ch": "ч"},
    "2018": {"sh": "ш", "ch": "ч"},
}
for _alphabet, _pairs in _PAIRS.items():
    for _latin, _cyrillic in list(_pairs.items()):
        _pairs.setdefault(_latin[0].upper() + _latin[1:], _cyrillic.upper())
        _pairs.setdefault(_latin.upper(), _cyrillic.upper())
_PAIR_REGEX = {alphabet: re.compile("|".join(map(re.escape, sorted(pairs, key=len, reverse=True))))
               for alphabet, pairs in _PAIRS.items()}
# The letters are replaced through arrays indexed by code point, in one pass of numpy over the whole text:
# str.translate with a table and a look-behind search for the short и looped per character, most of the cost
# of coding a Kazakh Latin article (issue 15). Every letter of the tables lies below U+0200.
_TABLE_SIZE = 0x200
_TABLES = {alphabet: np.arange(_TABLE_SIZE, dtype=np.uint32) for alphabet in _SINGLE}
for _alphabet, _letters in _SINGLE.items():
    for _latin, _cyrillic in _letters.items():
        _TABLES[_alphabet][ord(_latin)] = ord(_cyrillic)
_VOWEL = np.zeros(0x501, dtype=bool)  # Cyrillic code points, and one past them for any other character
_VOWEL[[ord(vowel) for vowel in _VOWELS_CYRILLIC]] = True
_SHORT_I = {ord("и"): ord("й"), ord("И"): ord("Й")}
# The letters of the Latin alphabets in either case: a-z, the alphabets' own letters, and the characters
# that case-insensitive matching counts as one of them (ſ as s, the Kelvin sign K as k); a test checks this
# against every code point.
_ANY_LATIN = "A-Za-zÁÄÇÑÓÖÚÜÝáäçñóöúüýĞğİıŃńŞşŪūſǴǵ\u212a"
_IS_LATIN = np.zeros(0x212C, dtype=bool)  # up to the Kelvin sign, and one past it for any other character
_IS_LATIN[[ord(ch) for ch in re.findall(f"[{_ANY_LATIN}]", "".join(map(chr, range(0x212B))))]] = True


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _from_code_points(codes: np.ndarray) -> str:
    return codes.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
# letters (and letter pairs) that only one of the alphabets has
_MARKS_2017 = re.compile(rf"[aginouyc][{_APOSTROPHES}]|s[{_APOSTROPHES}](?=[^\W\d_])", re.IGNORECASE)
_LETTERS_2018 = frozenset("áǵńóúýÁǴŃÓÚÝ")
_LETTERS_2021 = frozenset("äğñöşūüÄĞÑÖŞŪÜ")


@dataclass(frozen=True)
class OffsetMap:
    """Positions in a transliterated text taken back to the original, where digraphs made it shorter.

    ``breaks`` are the image positions from which one more original character lies behind (each digraph
    or apostrophe letter stands for two original characters). A span ``[start, end)`` of the image is
    ``[original(start), original(end))`` of the original.
    """

    breaks: tuple[int, ...] = ()

    def original(self, position: int) -> int:
        return position + bisect_right(self.breaks, position)


IDENTITY = OffsetMap()


_CODE_POINTS = 0x2100  # Latin, Cyrillic, the modifier letters (ʻ) and the letter-like symbols (ẞ)
_LATIN_LETTER = np.array([chr(i).isalpha() for i in range(0x250)])


@cache
def _positions(letters: str | frozenset) -> np.ndarray:
    """The code points of ``letters`` as an index into the counts (one array per set of letters, made once)."""
    return np.array([ord(ch) for ch in letters], dtype=np.intp)


class _Letters:
    """How often each character of ``text`` occurs, counted in one pass in C."""

    def __init__(self, text: str) -> None:
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        self.counts = np.bincount(codes[codes < _CODE_POINTS], minlength=_CODE_POINTS)

    def __getitem__(self, character: str) -> int:
        return int(self.counts[ord(character)])

    def total(self, letters: str | frozenset) -> int:
        return int(self.counts[_positions(letters)].sum())

    @property
    def cyrillic(self) -> int:
        return int(self.counts[0x400:0x500].sum())

    @property
    def latin(self) -> int:
        return int(self.counts[:0x250][_LATIN_LETTER].sum())


def kazakh_alphabet(text: str) -> str:
    """Which Kazakh Latin alphabet ``text`` is written in (2017, 2018 or 2021), empty if no letter tells.

    >>> kazakh_alphabet("Qazaqstan Respýblıkasynyń Prezıdenti")
    '2018'
    """
    return _alphabet_of(text, _Letters(text))


def is_mainly_latin(text: str) -> bool:
    """More Latin letters than Cyrillic ones: the test :func:`detect_language` uses for the script."""
    characters = _Letters(text.lower())
    return characters.latin > characters.cyrillic


def telling_letters(text: str, alphabet: str) -> list[str]:
    """The letters of ``text`` that only ``alphabet`` writes (at most five, in order of first use), to show why."""
    if alphabet == "2017":
        found = [match.group().lower() for match in _MARKS_2017.finditer(text)]
    else:
        letters = _LETTERS_2018 if alphabet == "2018" else _LETTERS_2021
        found = [character.lower() for character in text if character in letters]
    return list(dict.fromkeys(found))[:5]


def _alphabet_of(text: str, characters: _Letters) -> str:
    scores = {"2021": characters.total(_LETTERS_2021),
              "2018": characters.total(_LETTERS_2018),
              "2017": len(_MARKS_2017.findall(text)) if characters.total(_APOSTROPHES) else 0}
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] else ""


def to_cyrillic(text: str, alphabet: str = "") -> tuple[str, OffsetMap]:
    """Kazakh in a Latin alphabet (detected when not given; 2021 when no letter tells) written in Cyrillic.

    The 2021 fallback is for short texts only (codebook patterns, a Latin word in a Cyrillic text): the
    coder refuses a document in Latin letters whose alphabet is neither told nor given (see
    :mod:`~diaspora_observatory.documents.coding`).

    Returns the Cyrillic image and the :class:`OffsetMap` back to ``text``. Cyrillic and other letters are
    left as they are.

    >>> to_cyrillic("Qazaqstan Respýblıkasy")[0]
    'Қазақстан Республикасы'
    >>> image, offsets = to_cyrillic("shetel", "2018")
    >>> image, offsets.original(1)
    ('шетел', 2)
    """
    alphabet = alphabet or kazakh_alphabet(text) or "2021"
    if alphabet not in ALPHABETS:
        raise ValueError(f"unknown Kazakh Latin alphabet {alphabet!r}; use one of {', '.join(ALPHABETS)}")
    offsets = IDENTITY
    regex = _PAIR_REGEX.get(alphabet)
    if regex is not None:
        starts = [match.start() for match in regex.finditer(text)]
        if starts:
            pairs = _PAIRS[alphabet]
            text = regex.sub(lambda match: pairs[match.group()], text)
            # the k-th pair (0-based) begins at starts[k] in the original and at starts[k] - k in the image
            offsets = OffsetMap(tuple(start - k + 1 for k, start in enumerate(starts)))
    return _letters_to_cyrillic(text, alphabet), offsets


def _letters_to_cyrillic(text: str, alphabet: str) -> str:
    """Each Latin letter of ``alphabet`` replaced by its Cyrillic one, and и after a vowel by й (the pairs done)."""
    codes = _code_points(text)
    image = np.where(codes < _TABLE_SIZE, _TABLES[alphabet][np.minimum(codes, _TABLE_SIZE - 1)], codes)
    # и after a vowel is й: the vowel is looked for in the image before any и became й, as a look-behind would
    after_vowel = np.zeros(len(image), dtype=bool)
    after_vowel[1:] = _VOWEL[np.minimum(image[:-1], len(_VOWEL) - 1)]
    for short_i, letter in _SHORT_I.items():
        image[after_vowel & (image == short_i)] = letter
    return _from_code_points(image)


def latin_to_cyrillic(text: str, alphabet: str = "") -> str:
    """The Cyrillic image of Kazakh Latin text (see :func:`to_cyrillic`), without the offset map.

    >>> latin_to_cyrillic("Qazaq tılın üirenu")
    'Қазақ тілін үйрену'

    Limits: ``h`` becomes х (one letter stands for both х and һ); s+h of 2017 and 2018 (асхана) is read as
    ш; loan words spelled by sound (investisia) do not come back to their Cyrillic spelling (инвестиция),
    so give such patterns in the Latin spelling's Cyrillic image too if they matter.
    """
    return to_cyrillic(text, alphabet)[0]


def has_latin(text: str) -> bool:
    """Whether ``text`` has a letter of the Latin alphabets (one pass of numpy, not a search per character)."""
    return bool(_IS_LATIN[np.minimum(_code_points(text), len(_IS_LATIN) - 1)].any())


# --- the detector -----------------------------------------------------------------------------------------

def _share(counts: _Letters, letters: str, total: int) -> float:
    return counts.total(letters) / total if total else 0.0


def detect_language(text: str, sample: int = DETECTION_SAMPLE) -> Detected:
    """Guess the language and script of ``text`` from its first ``sample`` characters (see the module notes).

    >>> detect_language("Қазақ тілі және мәдениет")
    Detected(language='kk', script='Cyrl', alphabet='')
    >>> detect_language("Qazaq tılı jäne mädeniet")
    Detected(language='kk', script='Latn', alphabet='2021')
    >>> detect_language("Türkiye dış politikasında soydaşlarla ilişkiler önemli bir yer tutar.")
    Detected(language='tr', script='Latn', alphabet='')
    """
    head = text[:sample]
    lowered = head.lower()
    characters = _Letters(lowered)
    cyrillic, latin = characters.cyrillic, characters.latin
    if not cyrillic and not latin:
        return Detected("und", "")
    # words as split by spaces: a function word next to punctuation is not counted, which is fine for a share
    words = lowered.split()
    total_words = len(words) or 1
    # only the function words are counted (filtered in C), and each language's share from those present
    found = Counter(filter(_ANY_STOPWORD.__contains__, words))
    shares = {language: sum(map(found.__getitem__, stopwords.intersection(found))) / total_words
              for language, stopwords in _STOPWORDS.items()}
    stop = shares.__getitem__

    if cyrillic >= latin:
        return Detected(_cyrillic_language(characters, cyrillic, stop), "Cyrl")
    language, alphabet = _latin_language(head, characters, latin, stop, words)
    return Detected(language, "Latn", alphabet)


def _cyrillic_language(characters: _Letters, total: int, stop) -> str:
    if _share(characters, "җҙҡҫ", total) > 0.002:
        return "und"  # Tatar or Bashkir (which share ә ү ө ң with Kazakh): not a language the observatory codes
    # one Kazakh letter in a hundred is far above the rate of Kazakh names in Russian text
    if _share(characters, "әғқұһ", total) > 0.01 or (stop("kk") > max(stop("ru"), stop("ky")) and stop("kk") > 0):
        return "kk"
    if _share(characters, "ңөү", total) > 0.01 or stop("ky") > stop("ru"):
        return "ky" if characters["ң"] or stop("ky") > stop("ru") else "und"  # ө ү without ң: Mongolian
    if _share(characters, "їєґ", total) > 0.002 or stop("uk") > stop("ru"):
        return "uk"
    if _share(characters, "ђјљњћџѓќѕ", total) > 0.002 or characters["ъ"] / total > 0.01:
        return "und"  # Serbian, Macedonian or Bulgarian (ъ as a vowel): not Russian
    return "ru"


def _latin_language(head: str, characters: _Letters, total: int, stop, split: list[str]) -> tuple[str, str]:
    if _share(characters, "ąćęłśźż", total) > 0.003:
        return "pl", ""
    q = characters["q"] / total
    # the characters were counted in lower case, which is what the alphabets' letter sets hold too
    alphabet = _alphabet_of(head, characters)
    if q > 0.005:
        # Each distinct word once, not the whole text: the letters and letter pairs are written word by
        # word (no rule looks across a space), so the Cyrillic words and their counts are the same. Every
        # letter and pair becomes one letter, never a space (a test checks the tables), so each word's image
        # is one word, counted as often as the word it comes from.
        words = Counter(split)
        images = to_cyrillic("\n".join(words), alphabet or "2021")[0].split("\n")
        kazakh = _STOPWORDS["kk"]
        kazakh_words = sum(compress(words.values(), map(kazakh.__contains__, images))) / (len(split) or 1)
        kazakh_letters = alphabet in ("2017", "2018") or _share(characters, "äñū", total) > 0.003
        if (kazakh_letters and kazakh_words >= stop("uz")) or kazakh_words > stop("uz"):
            return "kk", alphabet
    if _share(characters, "çğış", total) > 0.005 and _share(characters, "qñäū", total) < 0.001:
        return "tr", ""
    if q > 0.003 or characters["ʻ"] or stop("uz") > max(stop("en"), stop("de")):
        if stop("uz") > 0 or characters["ʻ"]:
            return "uz", ""
    if characters["ß"] or (_share(characters, "äöü", total) > 0.003 and stop("de") > stop("en")):
        return "de", ""
    english = stop("en") >= max(stop("tr"), stop("pl"), stop("uz"), stop("de"))
    # French, Spanish … share a few short words with English; they also write accented letters, English not
    plain = int(characters.counts[0xC0:0x250][_LATIN_LETTER[0xC0:]].sum()) / total < 0.002
    if english and (stop("en") >= 0.05 or (stop("en") >= 0.02 and plain)):
        return "en", ""
    return "und", ""
