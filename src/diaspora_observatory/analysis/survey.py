"""The study's published survey aggregates (Table 3 and the text); collected responses come later."""

from __future__ import annotations

import pandas as pd

from diaspora_observatory.case.package import Case


def published_survey(case: Case, language: str = "en") -> pd.DataFrame:
    """Every published survey figure with its item's label; unavailable values stay empty with status."""
    results = case.table("survey_results")
    items = case.table("survey_items")[["item_id", "kind", f"label_{language}"]].rename(
        columns={f"label_{language}": "label"})
    return results.merge(items, on="item_id", how="left")[
        ["item_id", "label", "kind", "statistic", "category", "value", "n", "status", "source_id", "note"]]


def share_sum(case: Case, item_id: str) -> float:
    results = case.table("survey_results")
    rows = results[(results["item_id"] == item_id) & (results["statistic"] == "share_pct")]
    return float(rows["value"].sum())
