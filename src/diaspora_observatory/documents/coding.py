"""Automatic coding: find the codebook's patterns in a text and record every hit as an explainable passage.

How a text is coded, and why it is fast enough for a press corpus:

1. The text is lower-cased (and, for Kazakh, Latin letters are transliterated to Cyrillic with the values
   of the text's own alphabet); an offset map takes positions in the working copy back to the original.
   A language the codebook has no patterns for is refused, never coded with another language's patterns;
   so is Kazakh in Latin letters whose alphabet neither its letters tell nor the user gave (i, ı and u
   stand for different letters in 2018 and 2021, so a guess would miss or invent codes).
2. One precompiled regular expression per language holds the beginnings of the first word of every
   pattern (as a prefix tree); a word it matches is a candidate, and its stem (cached) is compared with
   the stem of the pattern's first word.
3. The working copy is cut at its spaces, and each distinct piece is searched once (step 2) and
   remembered with the patterns whose first word it holds: press text repeats its words, so most pieces
   of an article were met before and cost a dictionary look-up in C, not a search in Python. No match
   can cross a space (a pattern's words hold none, and no word character is one), and the expression
   looks back one character only, which at a piece's start is a space, as at the start of a text; so the
   pieces' matches are exactly the whole text's. Issue 15 measured the per-match Python loop of the
   whole-text search as most of ``documents import-list``'s coding time.
4. The following words of a multi-word pattern are checked on the whole working copy, with up to five
   free words where the pattern says ``...``.

Each hit is a :class:`CodedPassage` carrying its code, start and end offsets, the matched text and the
pattern that matched, so every assignment can be explained.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from itertools import accumulate, compress, count
from operator import itemgetter
from typing import NamedTuple

from diaspora_observatory.documents.codebook import LANGUAGES, Codebook, alphabet_not_told, not_coded
from diaspora_observatory.documents.language import (
    ALPHABET_SAMPLE,
    IDENTITY,
    OffsetMap,
    has_latin,
    is_mainly_latin,
    kazakh_alphabet,
    to_cyrillic,
)
from diaspora_observatory.documents.stemming import stemmer

AUTO_CODER = "auto"
GAP_WORDS = 5
# Distinct pieces remembered per language before the memory starts afresh: about 160 bytes each, so 32 MB
# at most (the 66,691 characters of the study's own article hold 2,225).
PIECES_REMEMBERED = 200_000
_NEXT_WORD = re.compile(r"[\W_]+(\w+)")
# A sentence ends after . ! ? or … (and any closing quotes or brackets) where white space follows, or at a blank
# line. The pattern starts with the mark itself rather than a look-behind for it, so the engine skips in C to
# the next candidate character instead of trying the whole pattern at every position: half the time on a
# 1.1 MB law. The mark belongs to the sentence; see sentences().
_SENTENCE_END = re.compile(r"[.!?…][\"'»”)\]]*\s+|\n\s*\n")


@dataclass(frozen=True)
class CodedPassage:
    """One coded passage: which document, which code, where (``start`` inclusive, ``end`` exclusive)."""

    document_id: str
    code: str
    start: int
    end: int
    text: str
    coder: str = AUTO_CODER
    pattern: str = ""
    language: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class _Word:
    kind: str  # "stem" (compare stems) or "prefix" (the word starts with value)
    value: str
    gap_before: bool = False


@dataclass(frozen=True)
class _Pattern:
    code: str
    source: str
    words: tuple[_Word, ...]


class _Candidate(NamedTuple):
    """A word of a piece of text that is the first word of patterns: where it is in the piece, the (code,
    pattern) of each code a one-word pattern gives it, and the patterns of more words that begin with it."""

    start: int
    end: int
    codes: tuple[tuple[str, str], ...]
    longer: tuple[_Pattern, ...]


# A passage as the store keeps it: (document_id, code, coder, start, end, text, pattern, language).
PassageRow = tuple[str, str, str, int, int, str, str, str]
_ROW_POSITION = itemgetter(3, 4, 1)  # start, end, code: the order of code_text's passages


def _common_prefix(a: str, b: str) -> str:
    length = 0
    for x, y in zip(a, b):
        if x != y:
            break
        length += 1
    return a[:length]


def _lower(text: str) -> str:
    lowered = text.lower()
    if len(lowered) != len(text):
        # a few capitals (such as the dotted İ of Kazakh Latin) lower-case to two characters; keep one
        lowered = "".join(ch.lower()[0] for ch in text)
    return lowered


def working_copy(text: str, language: str, alphabet: str = "") -> tuple[str, OffsetMap]:
    """The working copy of a text (lower case, ё as е, Kazakh Latin in Cyrillic) and the map back to ``text``.

    Kazakh in Latin letters is read with the values of its own alphabet (2017, 2018 or 2021, see
    :mod:`~diaspora_observatory.documents.language`); the digraphs of 2017 and 2018 make the copy shorter,
    which the :class:`~diaspora_observatory.documents.language.OffsetMap` undoes. ``alphabet``, when
    given, is used whatever the letters say; when neither is there, 2021 (see :func:`to_cyrillic`).
    """
    offsets = IDENTITY
    if language == "kk" and has_latin(text):
        text, offsets = to_cyrillic(text, alphabet or kazakh_alphabet(text[:ALPHABET_SAMPLE]) or "2021")
    lowered = _lower(text)
    if language in ("ru", "kk"):
        lowered = lowered.replace("ё", "е")
    return lowered, offsets


def normalise(text: str, language: str) -> str:
    """The working copy of a text, without its offset map (see :func:`working_copy`)."""
    return working_copy(text, language)[0]


def _parse(code: str, source: str, language: str) -> _Pattern | None:
    stem = stemmer(language)
    words: list[_Word] = []
    gap = False
    for raw in normalise(source, language).split():
        if raw == "...":
            gap = bool(words)
            continue
        if raw.endswith("*"):
            words.append(_Word("prefix", raw.rstrip("*"), gap))
        else:
            token = re.sub(r"[\W_]+", "", raw)
            words.append(_Word("stem", stem(token), gap))
        gap = False
    return _Pattern(code, source, tuple(words)) if words else None


def _trigger(word: _Word, surface: str) -> str:
    """The literal beginning any word matching ``word`` must have (stems may differ from the surface form)."""
    return word.value if word.kind == "prefix" else _common_prefix(surface, word.value) or word.value


def _trie_regex(prefixes: Iterable[str]) -> str:
    """A regular expression matching any of ``prefixes``, written as a prefix tree so alternatives share work."""
    trie: dict = {}
    for prefix in prefixes:
        node = trie
        for ch in prefix:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        if "" in node:
            return ""  # a shorter prefix already covers everything below it
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items())]
        return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"

    return emit(trie)


class AutoCoder:
    """The codebook compiled for fast matching; build it once with :func:`compile_codebook`."""

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self._by_language: dict[str, tuple[re.Pattern, dict[str, list[_Pattern]]]] = {}
        for language in LANGUAGES:
            by_trigger: dict[str, list[_Pattern]] = {}
            for code in codebook.codes:
                for source in code.patterns.get(language, ()):
                    pattern = _parse(code.code, source, language)
                    if pattern is None:
                        continue
                    first_surface = re.sub(r"[\W_]+", "", normalise(source, language).split()[0].rstrip("*"))
                    by_trigger.setdefault(_trigger(pattern.words[0], first_surface), []).append(pattern)
            if by_trigger:
                regex = re.compile(rf"(?<!\w){_trie_regex(by_trigger)}\w*")
                self._by_language[language] = (regex, by_trigger)
        # per language: a piece of text between two spaces -> its candidate words (see _Candidate); () for a
        # piece holding none
        self._pieces: dict[str, dict[str, tuple[_Candidate, ...]]] = {language: {} for language in self._by_language}

    def code_text(self, text: str, language: str, document_id: str = "", alphabet: str = "") -> list[CodedPassage]:
        """Every pattern hit in ``text`` (written in ``language``), in order of position.

        Raises :class:`~diaspora_observatory.documents.codebook.LanguageNotCoded` when the codebook has no
        patterns for ``language``: a text is never coded with another language's patterns; and for Kazakh
        mainly in Latin letters when ``alphabet`` is not given and the letters tell none.
        """
        return [CodedPassage(row[0], row[1], row[3], row[4], row[5], row[2], row[6], row[7])
                for row in self.code_rows(text, language, document_id, alphabet)]

    def code_rows(self, text: str, language: str, document_id: str = "", alphabet: str = "") -> list[PassageRow]:
        """The passages of :meth:`code_text` as the rows the store keeps, in the same order: (document_id, code,
        coder, start, end, text, pattern, language), without an object per passage (an import stores them as
        they are: issue 15 measured building and taking apart ~18 passage objects an article as a fifth of the
        coding time).

        Raises :class:`~diaspora_observatory.documents.codebook.LanguageNotCoded` when the codebook has no
        patterns for ``language``: a text is never coded with another language's patterns; and for Kazakh
        mainly in Latin letters when ``alphabet`` is not given and the letters tell none.
        """
        if language not in self._by_language:
            raise not_coded(self.codebook, language)
        if language == "kk" and not alphabet:
            sample = text[:ALPHABET_SAMPLE]
            # A few Latin words in a Cyrillic text (names, COVID) are read as 2021: none of them is a pattern.
            if is_mainly_latin(sample) and not kazakh_alphabet(sample):
                raise alphabet_not_told()
        working, offsets = working_copy(text, language, alphabet)
        known = self._pieces[language]
        if len(known) > PIECES_REMEMBERED:
            # a new dictionary rather than clear(): a thread coding another text keeps the one it holds
            known = self._pieces[language] = {}
        pieces = working.split(" ")
        for piece in set(pieces).difference(known):
            known[piece] = self._candidates(piece, language)
        candidates = list(map(known.__getitem__, pieces))
        # where each piece begins: the lengths of the pieces before it and one space after each
        piece_starts = list(accumulate(map(len, pieces), initial=0))
        original = offsets.original if offsets.breaks else int
        stem = stemmer(language)
        match_rest = self._match_rest
        rows: list[PassageRow] = []
        add = rows.append
        for index in compress(count(), candidates):
            piece_start = piece_starts[index] + index
            for candidate in candidates[index]:
                start = candidate.start + piece_start
                end = candidate.end + piece_start
                first = original(start)
                if candidate.codes:
                    last = original(end)
                    snippet = text[first:last]
                    for code, source in candidate.codes:
                        add((document_id, code, AUTO_CODER, first, last, snippet, source, language))
                following = _NEXT_WORD.match(working, end) if candidate.longer else None
                if following is not None:  # with no word after this one, no longer pattern matches
                    # the longer patterns' spans end after the word (a following word is part of them), so they
                    # never meet the one-word spans above, only each other: the first pattern to find a span
                    # keeps it
                    spans: set[tuple[str, int]] = set()
                    # the next word is read once for all the patterns of this word (most stop at it)
                    next_word, next_end, next_stem = following.group(1), following.end(), None
                    for pattern in candidate.longer:
                        second = pattern.words[1]
                        if second.gap_before:
                            stop = match_rest(pattern, working, end, stem)
                        else:
                            if second.kind == "prefix":
                                if not next_word.startswith(second.value):
                                    continue
                            else:
                                if next_stem is None:
                                    next_stem = stem(next_word)
                                if next_stem != second.value:
                                    continue
                            stop = next_end if len(pattern.words) == 2 else match_rest(pattern, working, next_end,
                                                                                       stem, 2)
                        if stop is not None and (pattern.code, stop) not in spans:
                            spans.add((pattern.code, stop))
                            last = original(stop)
                            add((document_id, pattern.code, AUTO_CODER, first, last, text[first:last], pattern.source,
                                 language))
        rows.sort(key=_ROW_POSITION)
        return rows

    def _candidates(self, piece: str, language: str) -> tuple[_Candidate, ...]:
        """The candidate words of one piece of text, in order, each with the patterns whose first word it is.

        The patterns of a word come in the order the whole-text search tried them: by the length of the
        beginning they were found under, then in the codebook's order. Of the one-word patterns, the first
        of each code gives the passage its pattern (it is the one a reader is shown).
        """
        regex, by_trigger = self._by_language[language]
        stem = stemmer(language)
        candidates = []
        for match in regex.finditer(piece):
            token = match.group()
            token_stem = stem(token)
            patterns = [pattern for length in range(1, len(token) + 1)
                        for pattern in by_trigger.get(token[:length], ())
                        if self._word_matches(pattern.words[0], token, token_stem)]
            if patterns:
                codes: dict[str, str] = {}
                for pattern in patterns:
                    if len(pattern.words) == 1:
                        codes.setdefault(pattern.code, pattern.source)
                candidates.append(_Candidate(match.start(), match.end(), tuple(codes.items()),
                                             tuple(pattern for pattern in patterns if len(pattern.words) > 1)))
        return tuple(candidates)

    @staticmethod
    def _word_matches(word: _Word, token: str, token_stem: str) -> bool:
        return token.startswith(word.value) if word.kind == "prefix" else token_stem == word.value

    def _match_rest(self, pattern: _Pattern, working: str, position: int, stem, done: int = 1) -> int | None:
        """Where a multi-word pattern whose first ``done`` words end at ``position`` ends, or None if it does not
        match."""
        end = position
        for word in pattern.words[done:]:
            for _ in range(GAP_WORDS + 1 if word.gap_before else 1):
                following = _NEXT_WORD.match(working, end)
                if following is None:
                    return None
                end = following.end()
                candidate = following.group(1)
                if candidate.startswith(word.value) if word.kind == "prefix" else stem(candidate) == word.value:
                    break
            else:
                return None
        return end


@lru_cache(maxsize=8)
def compile_codebook(codebook: Codebook) -> AutoCoder:
    """The compiled matcher of a codebook (cached: compiling takes a few milliseconds)."""
    return AutoCoder(codebook)


def code_text(text: str, language: str, codebook: Codebook, document_id: str = "",
              alphabet: str = "") -> list[CodedPassage]:
    """Code one text automatically with ``codebook``; see :class:`AutoCoder`."""
    return compile_codebook(codebook).code_text(text, language, document_id, alphabet)


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of a text, for coding sentence by sentence (no JavaScript needed)."""
    spans = []
    start = 0
    for boundary in _SENTENCE_END.finditer(text):
        # a boundary that begins with the sentence's final mark begins one character in (a blank line,
        # with "\n", begins where it is): the mark stays in the sentence, as the look-behind used to keep it
        end = boundary.start() + (text[boundary.start()] != "\n")
        span = _trim(text, start, end)
        if span[0] < span[1]:  # not only white space (the same test as str.strip(), without copying the span)
            spans.append(span)
        start = boundary.end()
    span = _trim(text, start, len(text))
    if span[0] < span[1]:
        spans.append(span)
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
