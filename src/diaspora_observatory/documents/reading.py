"""A document as the coding page reads it: spans (sentences), pages of spans, and the codes marking each span.

The page used to test every passage against every sentence, O(sentences × passages): 22 s for a 200 KB
document, and minutes for a law, all on the server's event loop. Here everything is linear, or n log n,
in what is read:

- the spans are found once per stored text (one regular-expression pass) and kept as two integer arrays,
  16 bytes a span, whatever the text's size; a "sentence" longer than :data:`MAX_SPAN_CHARS` (a text
  without punctuation) is cut at a space, so no span, and so no page, grows with the document;
- for a text of at least :data:`STORED_SPANS_CHARS` characters the spans are found at import and stored
  with the document (``documents/store.py``), so that no page view splits a long law: finding them takes
  about 20 ms of interpreter time a megabyte, which the server's other visitors would share with the page
  (its threads hold one interpreter lock; see docs/security.md, "What is measured");
- a page holds at most :data:`PAGE_SPANS` spans and about :data:`PAGE_CHARS` characters;
- the marks of a page come from one sweep over the page's spans and the passages that touch it, sorted
  by start, with a heap of the open passages ordered by end (see :func:`span_marks`).
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from diaspora_observatory.documents.coding import sentences

PAGE_SPANS = 100
PAGE_CHARS = 20_000
MAX_SPAN_CHARS = 2_000
STORED_SPANS_CHARS = 100_000  # texts this long have their spans stored at import (shorter ones split in 2 ms)
# What the stored spans were found with: change it whenever sentences() or split_long() would find other
# spans, so that spans stored before are not used (they are found again from the text instead)
SPANS_METHOD = f"sentences 1; spans of at most {MAX_SPAN_CHARS} characters"


def split_long(text: str, spans: Iterable[tuple[int, int]], limit: int = MAX_SPAN_CHARS) -> list[tuple[int, int]]:
    """``spans`` with every span longer than ``limit`` cut into pieces of at most ``limit`` characters.

    A piece ends after the last space before the limit (or at the limit when there is none), so words
    stay whole wherever the text allows it. Offsets stay offsets in ``text``.
    """
    out: list[tuple[int, int]] = []
    for start, end in spans:
        while end - start > limit:
            cut = text.rfind(" ", start + 1, start + limit)
            cut = cut + 1 if cut > start else start + limit
            out.append((start, cut))
            start = cut
        out.append((start, end))
    return out


def page_starts(starts: np.ndarray, ends: np.ndarray, per_page: int = PAGE_SPANS,
                chars: int = PAGE_CHARS) -> np.ndarray:
    """Index of the first span of each page: a page closes at ``per_page`` spans or once it holds ``chars``."""
    firsts = [0] if len(starts) else []
    first = 0
    for index in range(1, len(starts)):
        if index - first >= per_page or ends[index] - starts[first] > chars:
            firsts.append(index)
            first = index
    return np.asarray(firsts, dtype=np.int64)


@dataclass(frozen=True)
class Reading:
    """The spans and pages of one stored text; build it with :func:`read_text`."""

    length: int
    starts: np.ndarray
    ends: np.ndarray
    firsts: np.ndarray  # index of the first span of each page

    @property
    def pages(self) -> int:
        return max(len(self.firsts), 1)

    def page_spans(self, page: int) -> list[tuple[int, int]]:
        """The spans of page ``page`` (1-based; the caller checks the range)."""
        if not len(self.firsts):
            return []
        first = int(self.firsts[page - 1])
        last = int(self.firsts[page]) if page < len(self.firsts) else len(self.starts)
        return list(zip(self.starts[first:last].tolist(), self.ends[first:last].tolist()))

    def page_of(self, offset: int) -> int:
        """The page (1-based) holding the span that contains ``offset``, or the nearest span before it."""
        if not len(self.firsts):
            return 1
        span = max(int(np.searchsorted(self.starts, offset, side="right")) - 1, 0)
        return int(np.searchsorted(self.firsts, span, side="right"))


def read_text(text: str) -> Reading:
    """The :class:`Reading` of ``text``: one pass to find the sentences, one to cut the long ones."""
    starts, ends = text_spans(text)
    return reading_of(len(text), starts, ends)


def text_spans(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The starts and ends of the spans of ``text`` (what is stored for a long text, see :data:`SPANS_METHOD`)."""
    spans = split_long(text, sentences(text))
    starts = np.fromiter((s for s, _ in spans), dtype=np.int64, count=len(spans))
    ends = np.fromiter((e for _, e in spans), dtype=np.int64, count=len(spans))
    return starts, ends


def reading_of(length: int, starts: np.ndarray, ends: np.ndarray) -> Reading:
    """The :class:`Reading` of a text of ``length`` characters from its spans (found now or stored)."""
    return Reading(length, starts, ends, page_starts(starts, ends))


def span_marks(spans: list[tuple[int, int]], passages: Iterable[tuple[int, int, str]]) -> list[list[str]]:
    """For each span (sorted, not overlapping) the sorted codes of the passages that overlap it.

    A passage ``(start, end, code)`` overlaps a span when ``start < span_end`` and ``end > span_start``.
    Sweep: walking the spans in order, passages are opened once their start falls before the span's end
    and closed (a heap ordered by end) once they end at or before the span's start; the codes open are
    the span's marks. O((P + S) log P + S × C) for P passages, S spans and C codes open at once.
    """
    ordered = sorted(passages)
    open_codes: Counter[str] = Counter()
    closing: list[tuple[int, int, str]] = []
    marks: list[list[str]] = []
    next_passage = 0
    for span_start, span_end in spans:
        while next_passage < len(ordered) and ordered[next_passage][0] < span_end:
            start, end, code = ordered[next_passage]
            heapq.heappush(closing, (end, next_passage, code))
            open_codes[code] += 1
            next_passage += 1
        while closing and closing[0][0] <= span_start:
            _, _, code = heapq.heappop(closing)
            open_codes[code] -= 1
            if not open_codes[code]:
                del open_codes[code]
        marks.append(sorted(open_codes))
    return marks
