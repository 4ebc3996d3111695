"""The summary of findings that opens the report: what the data show and what the checks found.

Written from the same computed values as the sections: the headline figures of the overview page, each
section's headline sentence, the claim checker's statuses (the same ``check_claims`` that ``diaspora check``
prints, so the summary names the same mismatches), the named checks' warnings (cross-source differences)
and the open doubts: statements that cannot be checked and values whose year or attribution is inferred.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from diaspora_observatory.case.package import Case
from diaspora_observatory.presentation.cells import cell_text
from diaspora_observatory.presentation.claims import computed_text
from diaspora_observatory.presentation.numbers import figure_text, format_percent
from diaspora_observatory.presentation.texts import KEY_FIGURE_LABELS
from diaspora_observatory.report import narrative
from diaspora_observatory.report.sections import Section
from diaspora_observatory.report.writer import Writer

CROSS_SOURCE_CHECK = "cross_source_agreement"


@dataclass
class Claim:
    """A statement the checks did not confirm, as the summary lists it."""

    id: str
    section: str
    status: str
    status_label: str
    statement: str
    figures: str


@dataclass
class Findings:
    key_figures: list[dict] = field(default_factory=list)
    shows: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    mismatches: list[Claim] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)


def key_figures(case: Case, writer: Writer) -> list[dict]:
    """The overview's headline figures as the web page's cards write them (ranges as ranges)."""
    from diaspora_observatory.analysis.overview import key_figures as figures
    from diaspora_observatory.tabular import records

    if not case.has("population"):
        return []
    found = []
    for row in records(figures(case)):
        label = KEY_FIGURE_LABELS.get(row["figure"], row["figure"])
        detail = str(row["detail"] or "")
        found.append({"label": writer._(label),
                      "detail": writer.country(detail) if len(detail) == 3 and detail.isupper() else detail,
                      "text": figure_text(row["value"], row["low"], row["high"], row["unit"], writer.language,
                                          row.get("significant_digits")),
                      "source": writer.sources([part for part in str(row["source_ids"]).split(";") if part]),
                      "provenance": writer.label("provenance", row["provenance"])})
    return found


def findings(case: Case, sections: list[Section], writer: Writer, figures: list[dict] | None = None) -> Findings:
    """The summary; ``figures``: the key figures when already computed (``key_figures``, kept with the sections
    by report/section_cache.py)."""
    _ = writer._
    result = Findings(key_figures=key_figures(case, writer) if figures is None else figures)
    result.shows = [section.headline for section in sections if section.headline and section.id != "claims"]
    errors, warnings = case.errors, case.warnings
    result.checks.append(_("Data checks: no errors in {rows} rows.").format(
        rows=writer.count(sum(len(rows) for rows in case.rows.values()))) if not errors else
        _("Data checks: {errors} errors; they must be fixed before the figures can be trusted (run diaspora "
          "check).").format(errors=writer.count(len(errors))))
    claims = next((section for section in sections if section.id == "claims"), None)
    if claims is not None:
        result.checks.append(claims.headline)
        table = claims.tables["claims"]
        for row in table[table["status"] == "mismatch"].to_dict(orient="records"):
            result.mismatches.append(_claim(row, writer))
    cross = next((section.tables["cross-source"] for section in sections if section.id == "cross-source"), None)
    if cross is not None:
        beyond = cross[cross["within_tolerance"] == False]  # noqa: E712 - a missing comparison is not a failure
        result.differences = [narrative.difference_sentence(row, writer) for _i, row in beyond.iterrows()]
    other = [issue for issue in warnings if issue.check != CROSS_SOURCE_CHECK]
    if other:
        result.differences.append(_("Other warnings of the data checks: {count} (listed by diaspora check).").format(
            count=writer.count(len(other))))
    if not result.differences:
        result.differences.append(_("No difference between sources beyond its tolerance."))
    result.doubts = _doubts(sections, writer)
    return result


def _readable(column: str, row: dict, writer: Writer) -> str | None:
    """A claim's reported or computed value in the report's language: a number written by the presentation
    layer, a code by its label, the checker's words in the reader's (``presentation.claims``); None for a
    text of no known form (the appendix has it)."""
    value = row[column]
    text = cell_text(column, value, writer.language, row) or "–"
    if row.get("unit") in ("order", "country") and text != "–":  # countries, ranked when joined by "+"
        return " > ".join(writer.country(code) for code in str(value).split("+"))
    if row.get("unit") == "percent" and text != "–":
        try:
            number = float(str(value))
        except ValueError:
            return None if writer.language != "en" else text
        # With the locale's percent sign; the study's figure keeps exactly the digits it gave.
        given = str(value).partition(".")[2] if isinstance(value, str) else None
        return (format_percent(number, writer.language, decimals=len(given)) if given is not None
                else writer.percent(number))
    label = writer.label(column, text)
    if writer.language == "en" or label != text or text == "–":
        return label
    written = computed_text(str(value), writer.claim_reader)  # the checker's own words, in the reader's
    if written is not None:
        return written
    try:
        float(str(value))
    except ValueError:
        return None
    return text


def _claim(row: dict, writer: Writer) -> Claim:
    reported, computed = _readable("reported", row, writer), _readable("computed", row, writer)
    figures = (writer._("the study: {reported}; the data: {computed}").format(reported=reported, computed=computed)
               if reported is not None and computed is not None else "")
    return Claim(str(row["id"]), str(row["section"]), str(row["status"]), writer.label("status", row["status"]),
                 str(row["statement"]), figures)


def _doubts(sections: list[Section], writer: Writer) -> list[str]:
    """Statements that cannot be checked (with why, in kinds) and values whose year or attribution is inferred."""
    _ = writer._
    doubts = []
    claims = next((section.tables["claims"] for section in sections if section.id == "claims"), None)
    if claims is not None:
        open_claims = claims[claims["status"] == "unverifiable"]
        wider = open_claims["reason"].astype(str).str.startswith("the statement is wider").sum()
        if len(open_claims):
            doubts.append(_("Statements that cannot be checked: {count}; wider than the data: {wider}, no data in "
                            "the case: {missing}. Each reason is in the appendix.").format(
                count=writer.count(len(open_claims)), wider=writer.count(wider),
                missing=writer.count(len(open_claims) - wider)))
    inferred = 0
    for section in sections:
        for frame in section.tables.values():
            if "provenance" in frame.columns:
                inferred += int(frame["provenance"].astype(str).str.contains("inferred").sum())
    if inferred:
        doubts.append(_("Rows with a value whose year or attribution the study does not state and the case infers "
                        "(marked inferred in the tables): {count}.").format(count=writer.count(inferred)))
    noted = sum(int(frame["note"].notna().sum()) for section in sections for frame in section.tables.values()
                if "note" in frame.columns and isinstance(frame, pd.DataFrame))
    if noted:
        doubts.append(_("Rows that carry a note on a doubt or a reading of the source: {count} (the note column of "
                        "the full tables).").format(count=writer.count(noted)))
    return doubts
