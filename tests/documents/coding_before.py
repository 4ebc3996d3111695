"""The import pipeline as it was before issue 15 made it fast, kept as the oracle the fast one must agree with.

These are the straightforward forms the code had at commit 7aa9b40 (``documents/importer.py``,
``language.py`` and ``coding.py``): a text tidied with one alternation searched at every position, letters
counted one by one (here with a Counter of characters), Kazakh Latin turned into Cyrillic with
``str.translate`` and a look-behind search for the short и, and a text coded by one search of the whole
working copy with a Python loop over every candidate word. Only the tables (alphabets, function words,
the compiled codebook) are shared with the package: they are data, not the ways of reading them that were
changed. A fast version is right when it gives, for every text, exactly what these give.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

from diaspora_observatory.documents import language as lang
from diaspora_observatory.documents.codebook import alphabet_not_told, not_coded
from diaspora_observatory.documents.coding import AUTO_CODER, GAP_WORDS, AutoCoder, CodedPassage
from diaspora_observatory.documents.importer import _LIGATURES, Document, _alphabet, _decode, check_date
from diaspora_observatory.documents.language import ALPHABET_SAMPLE, IDENTITY, Detected, OffsetMap
from diaspora_observatory.documents.stemming import stemmer

_SPACE_RUNS = re.compile(r"[ \t\u00a0]{2,}|[\t\u00a0]")
_ANY_LATIN = re.compile(r"[a-zäçğıñöşūüáǵńóúýİ]", re.IGNORECASE)
_SHORT_I = re.compile(rf"(?<=[{lang._VOWELS_CYRILLIC}])[иИ]")
_TABLES = {alphabet: str.maketrans(letters) for alphabet, letters in lang._SINGLE.items()}
_NEXT_WORD = re.compile(r"[\W_]+(\w+)")


def tidy(text: str) -> str:
    collapsed = _SPACE_RUNS.sub(" ", text.replace("\r\n", "\n"))
    lines = [line.strip() for line in collapsed.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class Letters:
    """How often each character below U+2100 occurs, counted one by one."""

    def __init__(self, text: str) -> None:
        self.counts = Counter(ch for ch in text if ord(ch) < 0x2100)

    def __getitem__(self, character: str) -> int:
        return self.counts[character]

    def total(self, letters) -> int:
        return sum(self.counts[ch] for ch in letters)

    @property
    def cyrillic(self) -> int:
        return sum(n for ch, n in self.counts.items() if 0x400 <= ord(ch) < 0x500)

    @property
    def latin(self) -> int:
        return sum(n for ch, n in self.counts.items() if ord(ch) < 0x250 and ch.isalpha())

    @property
    def accented(self) -> int:
        return sum(n for ch, n in self.counts.items() if 0xC0 <= ord(ch) < 0x250 and ch.isalpha())


def alphabet_of(text: str, characters: Letters) -> str:
    scores = {"2021": characters.total(lang._LETTERS_2021),
              "2018": characters.total(lang._LETTERS_2018),
              "2017": len(lang._MARKS_2017.findall(text)) if characters.total(lang._APOSTROPHES) else 0}
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] else ""


def kazakh_alphabet(text: str) -> str:
    return alphabet_of(text, Letters(text))


def is_mainly_latin(text: str) -> bool:
    characters = Letters(text.lower())
    return characters.latin > characters.cyrillic


def has_latin(text: str) -> bool:
    return _ANY_LATIN.search(text) is not None


def to_cyrillic(text: str, alphabet: str = "") -> tuple[str, OffsetMap]:
    alphabet = alphabet or kazakh_alphabet(text) or "2021"
    offsets = IDENTITY
    regex = lang._PAIR_REGEX.get(alphabet)
    if regex is not None:
        starts = [match.start() for match in regex.finditer(text)]
        if starts:
            pairs = lang._PAIRS[alphabet]
            text = regex.sub(lambda match: pairs[match.group()], text)
            offsets = OffsetMap(tuple(start - k + 1 for k, start in enumerate(starts)))
    image = text.translate(_TABLES[alphabet])
    return _SHORT_I.sub(lambda match: "й" if match.group() == "и" else "Й", image), offsets


def _share(counts: Letters, letters: str, total: int) -> float:
    return counts.total(letters) / total if total else 0.0


def detect_language(text: str, sample: int = 20000) -> Detected:
    head = text[:sample]
    lowered = head.lower()
    characters = Letters(lowered)
    cyrillic, latin = characters.cyrillic, characters.latin
    if not cyrillic and not latin:
        return Detected("und", "")
    words = Counter(lowered.split())
    total_words = sum(words.values()) or 1
    shares = {language: sum(map(words.__getitem__, stopwords)) / total_words
              for language, stopwords in lang._STOPWORDS.items()}
    stop = shares.__getitem__
    if cyrillic >= latin:
        return Detected(_cyrillic_language(characters, cyrillic, stop), "Cyrl")
    language, alphabet = _latin_language(head, characters, latin, stop, words)
    return Detected(language, "Latn", alphabet)


def _cyrillic_language(characters: Letters, total: int, stop) -> str:
    if _share(characters, "җҙҡҫ", total) > 0.002:
        return "und"
    if _share(characters, "әғқұһ", total) > 0.01 or (stop("kk") > max(stop("ru"), stop("ky")) and stop("kk") > 0):
        return "kk"
    if _share(characters, "ңөү", total) > 0.01 or stop("ky") > stop("ru"):
        return "ky" if characters["ң"] or stop("ky") > stop("ru") else "und"
    if _share(characters, "їєґ", total) > 0.002 or stop("uk") > stop("ru"):
        return "uk"
    if _share(characters, "ђјљњћџѓќѕ", total) > 0.002 or characters["ъ"] / total > 0.01:
        return "und"
    return "ru"


def _latin_language(head: str, characters: Letters, total: int, stop, words: Counter) -> tuple[str, str]:
    if _share(characters, "ąćęłśźż", total) > 0.003:
        return "pl", ""
    q = characters["q"] / total
    alphabet = alphabet_of(head, characters)
    if q > 0.005:
        distinct = list(words)
        image: Counter = Counter()
        for word, cyrillic in zip(distinct, to_cyrillic("\n".join(distinct), alphabet or "2021")[0].split("\n"),
                                  strict=True):
            for piece in cyrillic.split():
                image[piece] += words[word]
        kazakh_words = sum(image[w] for w in lang._STOPWORDS["kk"]) / (sum(image.values()) or 1)
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
    plain = characters.accented / total < 0.002
    if english and (stop("en") >= 0.05 or (stop("en") >= 0.02 and plain)):
        return "en", ""
    return "und", ""


def _lower(text: str) -> str:
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(ch.lower()[0] for ch in text)
    return lowered


def working_copy(text: str, language: str, alphabet: str = "") -> tuple[str, OffsetMap]:
    offsets = IDENTITY
    if language == "kk" and has_latin(text):
        text, offsets = to_cyrillic(text, alphabet or kazakh_alphabet(text[:ALPHABET_SAMPLE]) or "2021")
    lowered = _lower(text)
    if language in ("ru", "kk"):
        lowered = lowered.replace("ё", "е")
    return lowered, offsets


def code_text(coder: AutoCoder, text: str, language: str, document_id: str = "",
              alphabet: str = "") -> list[CodedPassage]:
    """``text`` coded with the codebook ``coder`` compiled, by one search of the whole working copy."""
    if language not in coder._by_language:
        raise not_coded(coder.codebook, language)
    if language == "kk" and not alphabet:
        sample = text[:ALPHABET_SAMPLE]
        if is_mainly_latin(sample) and not kazakh_alphabet(sample):
            raise alphabet_not_told()
    regex, by_trigger = coder._by_language[language]
    stem = stemmer(language)
    working, offsets = working_copy(text, language, alphabet)
    found: dict[tuple[str, int, int], CodedPassage] = {}
    for match in regex.finditer(working):
        token = match.group()
        token_stem = stem(token)
        for length in range(1, len(token) + 1):
            for pattern in by_trigger.get(token[:length], ()):
                end = _match_rest(pattern, working, token, token_stem, match.end(), stem)
                if end is not None:
                    key = (pattern.code, match.start(), end)
                    if key not in found:
                        start, stop = offsets.original(match.start()), offsets.original(end)
                        found[key] = CodedPassage(document_id, pattern.code, start, stop, text[start:stop],
                                                  AUTO_CODER, pattern.source, language)
    return sorted(found.values(), key=lambda p: (p.start, p.end, p.code))


def _word_matches(word, token: str, token_stem: str) -> bool:
    return token.startswith(word.value) if word.kind == "prefix" else token_stem == word.value


def _match_rest(pattern, working: str, token: str, token_stem: str, position: int, stem) -> int | None:
    if not _word_matches(pattern.words[0], token, token_stem):
        return None
    end = position
    for word in pattern.words[1:]:
        for _ in range(GAP_WORDS + 1 if word.gap_before else 1):
            following = _NEXT_WORD.match(working, end)
            if following is None:
                return None
            end = following.end()
            candidate = following.group(1)
            if _word_matches(word, candidate, stem(candidate)):
                break
        else:
            return None
    return end


def read_txt(path: Path, document_id: str, kind: str, date: str) -> Document:
    """A .txt file read the way ``read_document`` read it (title from the name, language and alphabet from the
    text, its letters asked separately whether they are mainly Latin)."""
    raw = path.read_bytes()
    text = tidy(_decode(raw, path).translate(_LIGATURES))
    detected = detect_language(text)
    mainly_latin = is_mainly_latin(text[:ALPHABET_SAMPLE])
    return Document(document_id=document_id, title=path.stem, kind=kind, date=check_date(date),
                    language=detected.language, script=detected.script, text=text, filename=path.name,
                    sha256=hashlib.sha256(raw).hexdigest(),
                    alphabet=_alphabet(path, text, detected.language, "", "", True, mainly_latin))
