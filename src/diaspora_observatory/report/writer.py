"""What a report needs to write a value or a name in its language: one object handed to every section.

Numbers go through the presentation layer (``presentation.numbers``, by kind), codes through the case's
value labels, countries through ``countries.country_name``, sources through ``presentation.citations``;
the report adds no formatting of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from markupsafe import Markup, escape

from diaspora_observatory.case.labels import ValueLabels
from diaspora_observatory.case.package import Case
from diaspora_observatory.countries import country_name
from diaspora_observatory.presentation.citations import source_label
from diaspora_observatory.presentation.claims import Reader
from diaspora_observatory.presentation.definitions import labels_with_definitions
from diaspora_observatory.presentation.kinds import COUNT, PEOPLE, PERCENT, YEAR
from diaspora_observatory.presentation.numbers import (
    format_percent,
    format_range,
    format_value,
    p_value_phrase,
)
from diaspora_observatory.report.i18n import translator

IDENTIFIER = r"(?:tables|figures)/[\w.-]*|[a-z0-9]+(?:[-_][a-z0-9]+)+"


@dataclass
class Writer:
    """The case and the language of one report, with the helpers its texts are written with."""

    case: Case
    language: str
    _: Callable[[str], str] = field(init=False)
    labels: ValueLabels = field(init=False)

    def __post_init__(self) -> None:
        self._ = translator(self.language)
        # the case's labels, and its definitions' labels built in the report's language (presentation.definitions)
        self.labels = labels_with_definitions(self.case, self.language, self._)

    def country(self, code: object) -> str:
        return country_name(str(code), self.language)

    @property
    def origin(self) -> str:
        return self.country(self.case.origin)

    @property
    def claim_reader(self) -> Reader:
        """What the claim checker's own words are rewritten with (``presentation.claims``)."""
        return Reader(self._, self.language, self.country)

    def people(self, value: object, digits: int | None = None) -> str:
        """A count of people, whole; a derived one (``digits`` from its row's ``significant_digits``) down to
        the place its inputs justify, as the tables write it (867,200 known to the thousands: 867,000)."""
        return format_value(value, PEOPLE, self.language, digits=digits)

    def count(self, value: object) -> str:
        return format_value(value, COUNT, self.language)

    def percent(self, value: object, digits: int | None = None) -> str:
        """A share with the locale's percent sign (``12.4%``, ``12,4 %``): the digits of the table's cell
        (``digits``, the significant digits its inputs justify, from the row's ``significant_digits``;
        else three, trailing zeros dropped, so a tolerance of 5 reads ``5%``, not ``5.00%``)."""
        written = format_value(value, PERCENT, self.language, digits=digits)
        separator = "." if self.language == "en" else ","
        decimals = len(written.partition(separator)[2]) if separator in written else 0
        return format_percent(value, self.language, decimals=decimals)

    def number(self, value: object, kind: str) -> str:
        return format_value(value, kind, self.language)

    def decimals(self, value: object, decimals: int) -> str:
        return format_value(value, "plain", self.language, decimals=decimals)

    def p(self, value: object) -> str:
        return p_value_phrase(value, self.language)

    def years(self, first: object, last: object) -> str:
        return format_range(first, last, YEAR, self.language)

    def share_range(self, low: object, high: object, digits: int | None = None) -> str:
        low_text, high_text = self.percent(low, digits), self.percent(high, digits)
        return low_text if low_text == high_text else f"{low_text}–{high_text}"

    def people_range(self, low: object, high: object) -> str:
        return format_range(low, high, PEOPLE, self.language)

    def label(self, column: str, code: object) -> str:
        return str(self.labels(column, code))

    def sources(self, source_ids: set[str] | list[str]) -> str:
        return source_label(self.case, source_ids)

    def source_line(self, source_ids: set[str] | list[str]) -> str:
        """``Source: X (2024); Y (2022)``, or what the figure rests on when no source is named."""
        label = self.sources(source_ids)
        return (self._("Source: {source}").format(source=label) if label
                else self._("Source: the case's own data (no source named)"))

    @cached_property
    def _marks(self) -> re.Pattern[str]:
        """The case's English names (its sources' authors, titles and publishers), longest first, and any
        identifier or file name, as one pattern. An identifier is a hyphenated or underscored code
        (``bns-2024a``, ``tjk-share-of-total``, a scenario's ``recent-migration`` inside a label), which
        no sentence of the report's language holds; an id that is a plain word (the source ``study``) is
        left alone, since it reads as the word."""
        names = {str(source.get(key)) for source in self.case.sources.values()
                 for key in ("author", "title", "publisher") if source.get(key)}
        alternatives = "|".join([*(re.escape(name) for name in sorted(names, key=len, reverse=True)), IDENTIFIER])
        return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")

    def marked(self, text: object) -> Markup:
        """``text`` as HTML with, in a report of another language than English, the case's English names
        marked ``lang="en"`` (a source named in a sentence of the report's language) and identifiers and
        file names ``translate="no"``."""
        text = str(text)
        if self.language == "en":  # every word of an English report is English: nothing to mark
            return escape(text)
        pieces, last = [], 0
        for match in self._marks.finditer(text):
            found = match.group(0)
            attribute = 'translate="no"' if re.fullmatch(IDENTIFIER, found) else 'lang="en"'
            pieces += [escape(text[last:match.start()]), Markup(f"<span {attribute}>{escape(found)}</span>")]
            last = match.end()
        pieces.append(escape(text[last:]))
        return Markup("").join(pieces)

    def quoted(self, text: str) -> str:
        """A name or a short text inside the language's quotation marks."""
        return f"«{text}»" if self.language in ("ru", "kk") else f"“{text}”"


