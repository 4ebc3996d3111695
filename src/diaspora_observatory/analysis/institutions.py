"""Diaspora institutions per host and an identity-support profile, with three states of evidence.

The study names what exists in each host; it rarely says what does not. So each support of identity
is ``present`` (a source names one), ``absent`` (a source says there is none) or ``not_reported``
(the sources say nothing). Silence is not absence: a host is never scored down for what its sources
leave out, and a count nobody gave stays empty instead of becoming 0.
"""

from __future__ import annotations

import pandas as pd

from diaspora_observatory.case.package import Case

# The four supports of identity the study looks for in each host, and the institution kinds behind each.
SUPPORTS = {
    "schooling": ["kazakh_school", "bilingual_school"],
    "higher_education": ["university_program", "university_branch"],
    "culture": ["cultural_centre", "cultural_programme"],
    "organisation": ["association"],
}
PRESENT, ABSENT, NOT_REPORTED = "present", "absent", "not_reported"
EVIDENCE_STATES = (PRESENT, ABSENT, NOT_REPORTED)
# Schooling situations (schooling resource) that are evidence of a support, and of its absence.
SCHOOLING_PRESENT = {"kazakh_medium", "bilingual"}
SCHOOLING_ABSENT = {"absent"}


def _kind_count(rows: list[dict], schooling_absent: bool, kind: str) -> int | None:
    """The number of institutions of ``kind``: their sum when every row gives a count, 0 when a source
    says there are none, None when no source counts them (no row, or a row with no count)."""
    if not rows:
        return 0 if schooling_absent and kind in SUPPORTS["schooling"] else None
    counts = [row["count"] for row in rows]
    if any(count is None for count in counts):
        return None
    return int(sum(counts))


def _support_state(rows: list[dict], schooling_status: str, support: str) -> str:
    if rows:
        # A row with an exact count of 0 is a source saying there is none.
        if any(not (row["count"] == 0 and row["qualifier"] == "exact") for row in rows):
            return PRESENT
        return ABSENT
    if support == "schooling":
        if schooling_status in SCHOOLING_PRESENT:
            return PRESENT
        if schooling_status in SCHOOLING_ABSENT:
            return ABSENT
    return NOT_REPORTED


def _rows(table: pd.DataFrame) -> list[dict]:
    """The institutions as plain rows, a missing count as None: a few dozen rows, filtered in Python for
    each host and kind (pandas' boolean indexing, five times per host and kind, was 40 ms of a report)."""
    names = ["country", "kind", "count", "qualifier", "source_id"]
    return [{**dict(zip(names, values, strict=True)), "count": None if pd.isna(values[2]) else values[2]}
            for values in zip(*(table[name].tolist() for name in names), strict=True)]


def institution_profile(case: Case) -> pd.DataFrame:
    """One row per host: institution counts by kind, the schooling situation, and the state of each of
    the four supports (schooling, higher education, culture, organisation).

    Columns: ``country``, ``<kind>_count`` (None where no source gives a count),
    ``kazakh_language_schooling``, ``support_<support>`` (``present``, ``absent`` or ``not_reported``),
    ``supports_present``, ``supports_absent``, ``supports_not_reported``, ``supports_reported``
    (present + absent: what a comparison between hosts may use), ``unknown_counts`` and
    ``lower_bound_counts`` (kinds whose count is unknown or a lower bound), ``provenance``, ``source_ids``.
    """
    institutions = _rows(case.table("institutions"))
    schooling = case.table("schooling").set_index("country") if case.has("schooling") else None
    rows = []
    for host in case.hosts:
        own = [row for row in institutions if row["country"] == host]
        status = NOT_REPORTED
        if schooling is not None:
            status = schooling["kazakh_language_schooling"].get(host, NOT_REPORTED)
        row: dict = {"country": host}
        for kind in sorted(set().union(*SUPPORTS.values())):
            row[f"{kind}_count"] = _kind_count([item for item in own if item["kind"] == kind],
                                               status in SCHOOLING_ABSENT, kind)
        row["kazakh_language_schooling"] = status
        for support, kinds in SUPPORTS.items():
            row[f"support_{support}"] = _support_state([item for item in own if item["kind"] in kinds], status,
                                                       support)
        states = [row[f"support_{support}"] for support in SUPPORTS]
        row["supports_present"] = states.count(PRESENT)
        row["supports_absent"] = states.count(ABSENT)
        row["supports_not_reported"] = states.count(NOT_REPORTED)
        row["supports_reported"] = row["supports_present"] + row["supports_absent"]
        row["unknown_counts"] = ";".join(sorted(item["kind"] for item in own if item["count"] is None))
        row["lower_bound_counts"] = ";".join(sorted(item["kind"] for item in own if item["qualifier"] == "more_than"))
        sources = {item["source_id"] for item in own}
        if schooling is not None and host in schooling.index:
            sources.add(schooling.loc[host, "source_id"])
        counted = [f"{kind}_count" for kind in sorted(set().union(*SUPPORTS.values()))
                   if row[f"{kind}_count"] is not None]
        # Counts are the sources' (or a sum of them); the states and tallies are the observatory's reading.
        row["provenance"] = "; ".join(filter(None, [
            f"reported: {', '.join(counted)}" if counted else "",
            "derived: " + ", ".join([*(f"support_{support}" for support in SUPPORTS), "supports_present",
                                     "supports_absent", "supports_not_reported", "supports_reported"])]))
        row["source_ids"] = ";".join(sorted(sources))
        rows.append(row)
    frame = pd.DataFrame(rows)
    # Object columns keep whole numbers whole and an unknown count empty (None), not 0 or 370.0.
    for column in (name for name in frame.columns if name.endswith("_count")):
        frame[column] = pd.Series([row[column] for row in rows], index=frame.index, dtype=object)
    return frame
