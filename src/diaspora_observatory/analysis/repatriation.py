"""Repatriation and emigration profiles: who returns (kandas) and who leaves, by age and education.

Each row carries its ``provenance``: the value's kind as the data give it (the kandas figures are
``inferred`` because the study states no year for them, and the year shown is the source's), and the
``share_pct`` computed here from counts is ``derived``. Each row's ``significant_digits`` says how many digits
its share carries (``analysis.precision``): a percentage as many as it was written with, a share of counts the
fewer of its count's and of the group sum's (Taylor 1997, sections 2.8 and 3.3).
"""

from __future__ import annotations

import pandas as pd

from diaspora_observatory.analysis import precision
from diaspora_observatory.analysis.provenance import DERIVED, kinds_column
from diaspora_observatory.case.package import Case

PROFILE_COLUMNS = ["year", "population", "dimension", "category", "value", "unit", "share_pct", "provenance",
                   "source_id", "note", "significant_digits"]


def repatriation_profile(case: Case) -> pd.DataFrame:
    """Every repatriation and emigration figure with a ``share_pct`` column: percentages as given,
    person counts turned into shares of their (population, dimension, year) group."""
    return case.memo(("repatriation_profile",), lambda: _repatriation_profile(case))  # claims ask nine times


def _repatriation_profile(case: Case) -> pd.DataFrame:
    table = case.table("repatriation").copy()
    table["share_pct"] = table["value"].where(table["unit"] == "percent")
    counts = table[(table["unit"] == "persons") & (table["dimension"] != "total")]
    group_totals = counts.groupby(["year", "population", "dimension"])["value"].transform("sum")
    table.loc[counts.index, "share_pct"] = 100 * counts["value"] / group_totals
    kinds = kinds_column(table)
    computed = table.index.isin(counts.index)
    table["provenance"] = [
        f"{kind}: value; {DERIVED}: share_pct (100 × value / the sum of its group)" if is_computed
        else f"{kind}: value" + (", share_pct" if pd.notna(share) else "")
        for kind, is_computed, share in zip(kinds, computed, table["share_pct"], strict=True)]
    table["significant_digits"] = _share_digits(table, counts)
    return table[PROFILE_COLUMNS]


def _share_digits(table: pd.DataFrame, counts: pd.DataFrame) -> list[str]:
    """Each row's ``significant_digits``: a stated percentage keeps the digits it was written with (59: two,
    31.1: three); a share of counts has the fewer of its count's and of its group sum's, whose last
    significant place is the coarsest of its terms'; a count alone declares none (people are whole numbers)."""
    keys = ["year", "population", "dimension"]
    group_places = counts.groupby(keys)["value"].agg(
        lambda values: precision.sum_place(precision.stated_place(value) for value in values))
    group_sums = counts.groupby(keys)["value"].sum()
    texts = []
    for index, row in table.iterrows():
        if row["unit"] == "percent" and pd.notna(row["value"]):
            digits = precision.stated_digits(row["value"])
            texts.append(precision.digits_text({"value": digits, "share_pct": digits}))
        elif index in counts.index:
            key = tuple(row[key] for key in keys)
            group = precision.digits_at(group_sums[key], group_places[key])
            texts.append(precision.digits_text(
                {"share_pct": precision.quotient_digits(precision.stated_digits(row["value"]), group)}))
        else:
            texts.append("")
    return texts


def education_comparison(case: Case) -> pd.DataFrame:
    """Repatriates (kandas) against emigrants by level of education, as shares in percent.

    Only the levels that either group reports appear; a level one group does not report is empty
    (the study gives only the kandas' share with higher education)."""
    profile = repatriation_profile(case)
    education = profile[(profile["dimension"] == "education") & profile["population"].isin(["kandas", "emigrants"])]
    wide = education.pivot_table(index="category", columns="population", values="share_pct", aggfunc="first")
    wide = wide.reindex(columns=["kandas", "emigrants"])
    order = ["higher", "secondary_vocational", "general_secondary", "basic_secondary"]
    wide = wide.reindex([c for c in order if c in wide.index] + [c for c in wide.index if c not in order])
    wide.columns = ["kandas_share_pct", "emigrants_share_pct"]
    wide = wide.reset_index().rename(columns={"category": "education"})
    sources = education.groupby("population")["source_id"].first()
    wide["kandas_source_id"] = sources.get("kandas")
    wide["emigrants_source_id"] = sources.get("emigrants")
    # The kind of each share, read from the profile row it comes from (percent as given, or computed).
    kinds = {(str(row.population), str(row.category)): str(row.provenance).split(";")[-1].split(":")[0].strip()
             for row in education.itertuples()}
    wide["provenance"] = [
        "; ".join(f"{kinds[(population, level)]}: {population}_share_pct"
                  for population in ("kandas", "emigrants") if (population, level) in kinds)
        for level in wide["education"]]
    # Each share with the digits of the profile row it comes from.
    digits = {(str(row.population), str(row.category)): precision.read_digits(row.significant_digits).get("share_pct")
              for row in education.itertuples()}
    wide["significant_digits"] = [
        precision.digits_text({f"{population}_share_pct": digits.get((population, level))
                               for population in ("kandas", "emigrants")})
        for level in wide["education"]]
    return wide


def category_share(case: Case, population: str, dimension: str, year: int, categories: list[str]) -> float:
    """Combined share (percent) of ``categories`` within one population's distribution."""
    profile = repatriation_profile(case)
    rows = profile[(profile["population"] == population) & (profile["dimension"] == dimension)
                   & (profile["year"] == year)]
    return float(rows[rows["category"].isin(categories)]["share_pct"].sum())


def largest_category(case: Case, population: str, dimension: str, year: int) -> str:
    profile = repatriation_profile(case)
    rows = profile[(profile["population"] == population) & (profile["dimension"] == dimension)
                   & (profile["year"] == year)]
    return str(rows["category"].iloc[int(rows["share_pct"].argmax())])  # the first largest, as idxmax
