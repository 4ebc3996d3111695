"""Stemmers for the three languages: Snowball for English and Russian, a small own one for Kazakh.

Kazakh has no Snowball stemmer. ``kazakh_stem`` strips, from the end of a word, at most one case
ending, then at most one possessive ending, then at most one plural ending, and undoes the voicing of a
final consonant that a suffix caused (мектебі -> мектеп). Its limits, on purpose:

- only nominal inflection is handled: verb forms, derivational suffixes (-шы, -лық, -шіл …) and
  the question and negation particles stay on the word;
- it knows no dictionary, so a word whose root happens to end like a suffix can be over-stripped
  (білім -> біл, ғылым -> ғыл). Patterns are stemmed by the same function, so a pattern still finds its
  own inflected forms; the cost is that two different roots may meet in one stem;
- the pass is repeated until the word stops changing (at most three times), so a root that looks
  inflected is cut the same way in every form;
- only the longest matching ending of each kind is tried, and a stem keeps at least two letters with a
  vowel among them, so short roots such as ел and тіл survive.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache

_VOWELS = frozenset("аәеиоөұүыіэюяуё")
_CASE = sorted("""ның нің дың дің тың тің ға ге қа ке на не ны ні ды ді ты ті да де та те нда нде дан ден тан тен
нан нен мен бен пен ша ше ндағы ндегі дағы дегі тағы тегі н""".split(), key=len, reverse=True)
_POSSESSIVE = sorted("ымыз іміз мыз міз ыңыз іңіз ңыз ңіз ым ім ың ің сы сі ы і м ң".split(), key=len, reverse=True)
_PLURAL = ["лар", "лер", "дар", "дер", "тар", "тер"]
_DEVOICE = str.maketrans({"б": "п", "г": "к", "ғ": "қ"})


def _strip_one(word: str, endings: list[str]) -> str | None:
    for ending in endings:
        if word.endswith(ending):
            stem = word[: -len(ending)]
            if len(stem) >= 2 and any(ch in _VOWELS for ch in stem):
                return stem
            return None  # only the longest matching ending is tried; see the module's limits
    return None


def kazakh_stem(word: str) -> str:
    """The stem of a lower-case Kazakh word in Cyrillic.

    >>> [kazakh_stem(w) for w in ["тілінде", "қазақтардың", "қандастарға", "мектебі", "ел"]]
    ['тіл', 'қазақ', 'қандас', 'мектеп', 'ел']
    """
    stem = word
    # Repeating the pass until nothing changes makes the stem of an inflected form equal the stem of the
    # bare form even where the bare form itself looks inflected (білімі -> білім -> біл, as білім -> біл).
    for _ in range(3):
        before = stem
        for endings in (_CASE, _POSSESSIVE, _PLURAL):
            stripped = _strip_one(stem, endings)
            if stripped is not None:
                stem = stripped
        if stem == before:
            break
    if stem != word and stem[-1] in "бгғ":
        stem = stem[:-1] + stem[-1].translate(_DEVOICE)
    return stem


@cache
def stemmer(language: str) -> Callable[[str], str]:
    """A function stemming one lower-case word of ``language`` (en, ru or kk), with a cache.

    Inflected forms repeat a great deal in running text, so the cache saves most of the stemming work.
    """
    if language == "kk":
        base = kazakh_stem
    else:
        import snowballstemmer

        base = snowballstemmer.stemmer({"en": "english", "ru": "russian"}[language]).stemWord
    return lru_cache(maxsize=200_000)(base)
