"""The claim checker's own words in the reader's language: its results, its reasons and the claims' units.

The checker (``analysis/claims.py``) writes its non-numeric results in one machine form, which the CSV,
JSON and ``diaspora check`` keep: ``2000–2023: decreasing (Mann-Kendall p < 0.001); change point 2010
(Pettitt p = 0.001), segments …``, ``inconsistent: 4,500,000 (world-2024-unofficial) is below the low end
5,000,000 (world-2022-range)``, ``the statement is wider than the data: <the claim row's scope_gap>``.
A page or a report writes them for people, as ``presentation.provenance`` does for provenance cells:
each form is read here with the pattern of the f-string that wrote it, and rewritten with translated
words, the reader's numbers and names. A text of no known form is returned as it is (``None`` from the
readers below), never half translated; the adapter then shows it as the data's own English.

The words are marked here, once, for the catalogs (``tools/web_messages.py``, ``tools/report_messages.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from diaspora_observatory.presentation.kinds import PEOPLE, PLAIN
from diaspora_observatory.presentation.numbers import format_value, p_value_phrase
from diaspora_observatory.presentation.texts import N_

Translate = Callable[[str], str]

# The claims' units (the ``unit`` column of claims.csv: the checker's vocabulary, presentation/kinds.py).
UNIT_WORDS = {
    "category": N_("category"),
    "consistency": N_("consistency"),
    "country": N_("country"),
    "order": N_("order of countries"),
    "partner-years": N_("partner-years"),
    "percent": N_("percent"),
    "percentage points": N_("percentage points"),
    "periods": N_("periods"),
    "persons": N_("persons"),
    "rank": N_("rank"),
    "sign": N_("sign"),
    "stages": N_("stages"),
    "trend": N_("trend"),
}
# The checker's one-word verdicts (analysis.claims.estimates_consistent, repatriates_within_immigration).
VERDICT_WORDS = {"consistent": N_("consistent"), "inconsistent": N_("inconsistent")}
TREND_WORDS = {"increasing": N_("increasing"), "decreasing": N_("decreasing"), "no trend": N_("no trend")}

# Why a claim is judged with its tolerance, in the checker's own words (analysis.claims._tolerance); a
# claim row's own tolerance_basis is the data's, kept as written.
BASIS_WORDS = {
    "a strict lower bound: no tolerance": N_("a strict lower bound: no tolerance"),
    "a strict upper bound: no tolerance": N_("a strict upper bound: no tolerance"),
    "exact: no tolerance": N_("exact: no tolerance"),
    "the reported value is not a number, so it has no rounding":
        N_("the reported value is not a number, so it has no rounding"),
    "no basis given for this tolerance": N_("no basis given for this tolerance"),
}
_HALF_UNIT = re.compile(r"^half a unit of the last stated digit of (\S+)$")
_P = r"p (?:< 0\.001|= \d\.\d{3})"
_SEGMENT = re.compile(rf"(\d{{4}})–(\d{{4}}): (increasing|decreasing|no trend) \(Mann-Kendall ({_P})\)")
_NO_CHANGE = re.compile(rf"^(?P<whole>.+?); no significant change point \(Pettitt (?P<p>{_P})\)$")
_CHANGE = re.compile(rf"^(?P<whole>.+?); change point (?P<year>\d{{4}}) \(Pettitt (?P<p>{_P})\), "
                     rf"segments (?P<segments>.+)$")
_NUMBER = r"\d{1,3}(?:,\d{3})*"
_BEYOND = re.compile(rf"^inconsistent: ({_NUMBER}) \((\S+)\) is (below the low|above the high) end "
                     rf"({_NUMBER}) \((\S+)\)$")
_MORE_THAN = re.compile(rf"^inconsistent: about ({_NUMBER}) repatriates from ([A-Z]{{3}}) against ({_NUMBER}) "
                        rf"immigrants from \2 in (\d{{4}})$")
WIDER = "the statement is wider than the data: "
NO_DATA = "the case holds no data to recompute it"


@dataclass(frozen=True)
class Reader:
    """What a claim's words are written with: the adapter's gettext, its language and its country names."""

    translate: Translate
    language: str = "en"
    country: Callable[[str], str] = str

    def number(self, text: str) -> str:
        """A count the checker wrote with thousands commas (``4,500,000``), in the reader's signs."""
        return format_value(float(text.replace(",", "")), PEOPLE, self.language)

    def p_value(self, text: str) -> str:
        """``p < 0.001`` or ``p = 0.324`` as the checker wrote it, in the reader's signs."""
        number = float(text.rpartition(" ")[2])
        return p_value_phrase(number / 2 if text.startswith("p <") else number, self.language)


def unit_text(unit: str, translate: Translate) -> str | None:
    """A claim's unit in the reader's words, or ``None`` for a unit the checker does not know."""
    word = UNIT_WORDS.get(unit)
    return translate(word) if word else None


def _segment(text: str, reader: Reader) -> str | None:
    match = _SEGMENT.fullmatch(text)
    if match is None:
        return None
    first, last, trend, p_text = match.groups()
    return reader.translate(N_("{first}–{last}: {trend} (Mann-Kendall test, {p})")).format(
        first=first, last=last, trend=reader.translate(TREND_WORDS[trend]), p=reader.p_value(p_text))


def computed_text(text: str, reader: Reader) -> str | None:
    """A computed value the checker wrote as text, in the reader's words; ``None`` when of no known form.

    >>> trend = computed_text("2000–2023: decreasing (Mann-Kendall p < 0.001); no significant change point "
    ...                       "(Pettitt p = 0.512)", Reader(str, "ru"))
    >>> trend.split("; ")[1]
    'no significant change point (Pettitt test, p\\xa0=\\xa00,512)'
    >>> computed_text("inconsistent: 4,500,000 (b) is below the low end 5,000,000 (a)", Reader(str, "ru"))
    'inconsistent: 4\\xa0500\\xa0000 (b) is below the low end 5\\xa0000\\xa0000 (a)'
    """
    if text in VERDICT_WORDS:
        return reader.translate(VERDICT_WORDS[text])
    if (match := _CHANGE.fullmatch(text)) is not None:
        whole = _segment(match["whole"], reader)
        segments = [_segment(part, reader) for part in match["segments"].split("; ")]
        if whole is None or None in segments:
            return None
        return reader.translate(N_("{whole}; change point {year} (Pettitt test, {p}); segments: {segments}")).format(
            whole=whole, year=match["year"], p=reader.p_value(match["p"]),
            segments="; ".join(part for part in segments if part))
    if (match := _NO_CHANGE.fullmatch(text)) is not None:
        whole = _segment(match["whole"], reader)
        if whole is None:
            return None
        return reader.translate(N_("{whole}; no significant change point (Pettitt test, {p})")).format(
            whole=whole, p=reader.p_value(match["p"]))
    if (match := _BEYOND.fullmatch(text)) is not None:
        value, later, side, end, earlier = match.groups()
        message = (N_("inconsistent: {value} ({later}) is below the low end {end} ({earlier})")
                   if side.startswith("below") else
                   N_("inconsistent: {value} ({later}) is above the high end {end} ({earlier})"))
        return reader.translate(message).format(value=reader.number(value), later=later,
                                                end=reader.number(end), earlier=earlier)
    if (match := _MORE_THAN.fullmatch(text)) is not None:
        repatriates, partner, immigrants, year = match.groups()
        return reader.translate(N_("inconsistent: about {repatriates} repatriates from {partner} against "
                                   "{immigrants} immigrants from {partner} in {year}")).format(
            repatriates=reader.number(repatriates), partner=reader.country(partner),
            immigrants=reader.number(immigrants), year=year)
    return _segment(text, reader)


def reason_text(text: str, translate: Translate) -> tuple[str, str] | None:
    """Why a claim is unverifiable, as (the checker's words translated, the claim row's own words kept as
    they are: its ``scope_gap``, empty when it has none); ``None`` for a reason of no known form."""
    if text == NO_DATA:
        return translate(N_("the case holds no data to recompute it")), ""
    if text.startswith(WIDER):
        return translate(N_("the statement is wider than the data:")), text.removeprefix(WIDER)
    return None


def basis_text(text: str, reader: Reader) -> str | None:
    """Why a claim has its tolerance, in the reader's words (the study's number in the reader's signs with
    the digits it gave: ``0.21`` as ``0,21``); ``None`` for a basis the claim row gives itself (the data's
    own words).

    >>> basis_text("half a unit of the last stated digit of 0.21", Reader(str, "ru"))
    'half a unit of the last stated digit of 0,21'
    """
    if text in BASIS_WORDS:
        return reader.translate(BASIS_WORDS[text])
    if (match := _HALF_UNIT.fullmatch(text)) is None:
        return None
    reported = match[1]
    if re.fullmatch(r"-?\d+(?:\.\d+)?", reported):
        reported = format_value(float(reported), PLAIN, reader.language, decimals=len(reported.partition(".")[2]))
    return reader.translate(N_("half a unit of the last stated digit of {reported}")).format(reported=reported)
