"""The validator's findings in the page's language.

``diaspora check`` writes each data issue in English (the command line has no language). An issue made
from a message shape (``DataIssue.shaped``: the named checks' and the schema's row errors) keeps that shape
and its values, so a page in Russian or Kazakh writes the shape from its catalog and the numbers in the
reader's signs (``presentation.numbers``). The values that name things in the data (a field, a code, a
source id, ``country=TKM, year=2024``) are kept as written and marked ``translate="no"``. A message without
a shape, or with one the catalogs do not know, stays the data's English, marked ``lang="en"``.
"""

from __future__ import annotations

import numbers
import re
import string
from collections.abc import Callable

from markupsafe import Markup, escape

from diaspora_observatory.errors import DataIssue
from diaspora_observatory.presentation.numbers import format_value


def N_(message: str) -> str:
    """Marks a text for the web catalogs without translating it here."""
    return message


# Each shape as the case layer writes it (a str.format pattern); the catalogs translate the shape without
# its format specifications, which the page's number formats replace.
SHAPES = {
    N_("{where}: no row for {missing}"),
    N_("{where}: {parts} = {parts_sum} but {total} is {total_value} (difference {difference}); correct the part "
       "or the total"),
    N_("share {value} is outside 0-100"),
    N_("{where}: shares add up to {total}, not 100"),
    N_("{where}: shares add up to {total}, more than 100"),
    N_("{where}: no row for {gaps} between {first_year} and {last_year}"),
    N_("{low_field} {low} is above {high_field} {high}"),
    N_("{code} is not an ISO 3166-1 alpha-3 country code (such as KAZ or UZB)"),
    N_("source {source_id} is not in sources.csv; add it there or fix the id"),
    N_("{where}: {case_value} ({case_source_id}) differs from {reference}'s {reference_value} "
       "({reference_source_id}) by {difference} ({difference_pct}%), more than the tolerance of {tolerance_pct}%"),
    N_("value is missing; this field is required"),
    N_("{value} already appears in row {first_row}"),
    N_("the key ({key}) is empty; give this row its key"),
    N_("{key_values} already appears in row {first_row}"),
    N_("{values} is not a {fields} of {target}; add it there or fix the value"),
}
# Values that are counts, years or rows: written in the reader's signs. Others name data and stay as written.
NUMBER_KINDS = {"parts_sum": "people", "total_value": "people", "difference": "people", "case_value": "people",
                "reference_value": "people", "low": "plain", "high": "plain", "total": "plain", "value": "plain",
                "difference_pct": "plain", "tolerance_pct": "plain", "first_year": "year", "last_year": "year",
                "first_row": "count"}
SPEC = re.compile(r"\{(\w+)(![rsa])?(:[^}]*)?\}")


def _bare(template: str) -> str:
    """The shape without conversions and format specifications: ``{total:g}`` -> ``{total}``."""
    return SPEC.sub(r"{\1}", template)


def _specs(template: str) -> dict[str, tuple[str, str]]:
    return {match.group(1): (match.group(2) or "", match.group(3) or "") for match in SPEC.finditer(template)}


def _as_written(value: float) -> int:
    """The decimals the English message writes a measure with: all of its shortest form (a share of
    105.25 is written 105.25, never rounded in a message that asks the reader to find it)."""
    text = repr(float(value))
    return 0 if float(value).is_integer() or "e" in text else len(text.partition(".")[2])


def _value(name: str, value: object, conversion: str, spec: str, language: str) -> Markup:
    if name in NUMBER_KINDS and isinstance(value, numbers.Real) and not isinstance(value, bool):
        kind = NUMBER_KINDS[name]
        decimals = (1 if spec.endswith(".1f") else _as_written(float(value))) if kind == "plain" else None
        text = format_value(value, kind, language, decimals=decimals)
        # a signed difference keeps its plus sign, as the English writes it
        return Markup(escape(f"+{text}" if "+" in spec and float(value) > 0 else text))
    text = repr(value) if conversion == "!r" else str(value)
    return Markup(f'<span translate="no">{escape(text)}</span>')


def issue_html(issue: DataIssue, language: str, translate: Callable[[str], str]) -> Markup | None:
    """``issue``'s message in ``language`` as HTML, or None when it has no shape the catalogs know."""
    if language == "en" or not issue.template or _bare(issue.template) not in SHAPES:
        return None
    translated = translate(_bare(issue.template))
    if translated == _bare(issue.template):
        return None  # not translated yet: the page marks the English instead
    values = dict(issue.values)
    specs = _specs(issue.template)
    fields = {name for _text, name, _spec, _conversion in string.Formatter().parse(translated) if name}
    if fields - set(values):
        return None
    written = {name: _value(name, values[name], *specs.get(name, ("", "")), language) for name in fields}
    return Markup("").join(_literal(text) + (written[name] if name else Markup(""))
                           for text, name, _spec, _conversion in string.Formatter().parse(translated))


# A Latin-script run inside a translated shape is a name that reads the same in every language (ISO 3166-1
# alpha-3, KAZ, sources.csv): marked translate="no", as the values that name data are.
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*(?:[ -][A-Za-z0-9][A-Za-z0-9_.-]*)*")


def _literal(text: str) -> Markup:
    parts, position = [], 0
    for match in LATIN_RUN.finditer(text):
        parts.append(escape(text[position:match.start()]))
        parts.append(Markup(f'<span translate="no">{escape(match.group(0))}</span>'))
        position = match.end()
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def issue_index(issues: list[DataIssue]) -> dict[tuple[object, object, object], DataIssue]:
    """The case's issues by what a table row of them holds (check, resource, message)."""
    return {(issue.check, issue.resource, issue.message): issue for issue in issues}


def issue_cell(index: dict[tuple[object, object, object], DataIssue], column: str, value: object,
               row: dict | None, language: str, translate: Callable[[str], str]) -> Markup | None:
    """The ``<td>`` of an issue's message in the page's language, or None (the cell is written as usual)."""
    if column != "message" or row is None or language == "en":
        return None
    issue = index.get((row.get("check"), row.get("resource"), value))
    written = issue_html(issue, language, translate) if issue is not None else None
    if written is None:
        return None
    return Markup(f'<td class="long">{written}</td>')
