"""Diaspora institutions per host and an identity-support profile."""

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


def institution_profile(case: Case) -> pd.DataFrame:
    """One row per host: institution counts by kind, the schooling situation, and which of the four
    supports (schooling, higher education, culture, organisation) exist; ``supports_present`` counts them."""
    institutions = case.table("institutions")
    schooling = case.table("schooling").set_index("country") if case.has("schooling") else None
    rows = []
    for host in case.hosts:
        own = institutions[institutions["country"] == host]
        row: dict = {"country": host}
        for kind in sorted(set().union(*SUPPORTS.values())):
            kind_rows = own[own["kind"] == kind]
            row[f"{kind}_count"] = int(kind_rows["count"].fillna(0).sum()) if not kind_rows.empty else 0
        status = "not_reported"
        if schooling is not None:
            status = schooling["kazakh_language_schooling"].get(host, "not_reported")
        row["kazakh_language_schooling"] = status
        for support, kinds in SUPPORTS.items():
            present = not own[own["kind"].isin(kinds)].empty
            if support == "schooling":
                present = present or status in ("kazakh_medium", "bilingual")
            row[f"has_{support}"] = present
        row["supports_present"] = sum(row[f"has_{s}"] for s in SUPPORTS)
        row["lower_bound_counts"] = ";".join(sorted(own[own["qualifier"] == "more_than"]["kind"]))
        sources = set(own["source_id"])
        if schooling is not None and host in schooling.index:
            sources.add(schooling.loc[host, "source_id"])
        row["source_ids"] = ";".join(sorted(sources))
        rows.append(row)
    return pd.DataFrame(rows)
