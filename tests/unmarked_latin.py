"""Runs of Latin-script words a reader of a Russian or Kazakh page or report sees unmarked (issues 10 and
14): read by tests/report/test_report_catalogs.py and tests/web/test_web_no_unmarked_english.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Latin-script words a Russian or Kazakh page may show unmarked, each with its reason.
LATIN_ALLOWED = {
    "Diaspora Observatory": "the software's own name",
    "CSV": "a file format's name",
    "p": "the symbol of a p-value, Latin in Russian and Kazakh statistics too",
    "n": "the symbol of the number of respondents, likewise",
}
LATIN_WORDS = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*(?:[\s,.;:()/]+[A-Za-z]+(?:['’-][A-Za-z]+)*)*")
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class UnmarkedLatin(HTMLParser):
    """Runs of Latin-script words in what a reader sees, outside an element marked ``lang="en"`` (the
    data's own English words), ``translate="no"`` (identifiers and file names, the same in every
    language) and outside ``<style>`` and ``<script>``; the charts' SVG texts are read too."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.runs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID_ELEMENTS:
            return
        attributes = dict(attrs)
        exempt = (attributes.get("lang") == "en" or attributes.get("translate") == "no"
                  or tag in ("style", "script") or bool(self.stack and self.stack[-1][1]))
        self.stack.append((tag, exempt))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]):
            self.runs += [match.group(0) for match in LATIN_WORDS.finditer(data)]


def unmarked_runs(html: str, allowed: dict[str, str] = LATIN_ALLOWED) -> list[str]:
    """Every unmarked run of Latin words in ``html``, in order, except those ``allowed`` (word: reason)."""
    reader = UnmarkedLatin()
    reader.feed(html)
    return [run for run in reader.runs if run not in allowed]
