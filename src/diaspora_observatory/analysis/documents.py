"""Policy documents and press: coverage of the codebook, gaps, themes over time, agreement between coders.

Pure functions over DataFrames. Their inputs:

- ``documents``: one row per document: document_id, title, kind, date, year, language, source_id, has_text
  (see :func:`documents_frame`);
- ``passages``: one row per coded passage: document_id, code, coder, start, end, text (and pattern);
- ``codes``: the codebook's code names to report on (usually ``codebook.leaves``).

The study's own reading of its documents (``document_themes``) enters as the coder ``study``, so that its
findings and the automatic coding can be compared like any two coders.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Iterable, Sequence
from typing import SupportsInt, TypeGuard, TypeVar, cast

import numpy as np
import pandas as pd

from diaspora_observatory.analysis.agreement import cohens_kappa, krippendorff_alpha_nominal, percent_agreement

POLICY_KINDS = ("law", "concept", "plan")
STUDY_CODER = "study"
_Value = TypeVar("_Value")
DOCUMENT_COLUMNS = ["document_id", "title", "kind", "date", "year", "language", "source_id", "source", "has_text"]


def documents_frame(case_documents: pd.DataFrame | None, stored: Iterable) -> pd.DataFrame:
    """The case's document metadata joined with the imported documents (which carry text).

    An imported document whose id equals a case document's id gives that document its text; its metadata
    fills the gaps the case leaves.
    """
    rows: dict[str, dict] = {}
    if case_documents is not None:
        for row in case_documents.to_dict(orient="records"):
            year = row.get("year")
            rows[row["document_id"]] = {"document_id": row["document_id"], "title": row["title"], "kind": row["kind"],
                                        "date": str(int(year)) if _present(year) else "",
                                        "language": row.get("language") or "", "source_id": row.get("source_id") or "",
                                        "source": row.get("issuer") or "", "has_text": False}
    for document in stored:
        known = rows.get(document.document_id, {})
        rows[document.document_id] = {
            "document_id": document.document_id, "title": document.title or known.get("title", ""),
            "kind": document.kind if document.kind != "other" or not known else known["kind"],
            "date": document.date or known.get("date", ""), "language": document.language,
            "source_id": document.source_id or known.get("source_id", ""),
            "source": document.source or known.get("source", ""), "has_text": True}
    frame = pd.DataFrame(list(rows.values()), columns=[c for c in DOCUMENT_COLUMNS if c != "year"])
    frame.insert(4, "year", pd.Series([int(d[:4]) if d else None for d in frame["date"]], index=frame.index,
                                      dtype="Int64"))
    return frame


def reference_coding(document_themes: pd.DataFrame) -> pd.DataFrame:
    """The study's reading as codings of the coder ``study``: document_id, code, coder, present, source_id, note."""
    frame = document_themes.rename(columns={"theme": "code"})
    frame = frame.assign(coder=STUDY_CODER, present=frame["present"].astype(bool))
    return frame[["document_id", "code", "coder", "present", "source_id", "note"]].reset_index(drop=True)


def coverage(documents: pd.DataFrame, passages: pd.DataFrame, codes: Sequence[str],
             coders: Sequence[str] | None = None) -> pd.DataFrame:
    """Which codes each document with text touches, and how often (long form).

    Columns: document_id, title, kind, year, code, passages (count), present, policy (law, concept or
    plan), source_id. ``coders`` limits the passages counted (default: every coder).
    """
    selected = passages if coders is None else passages[passages["coder"].isin(list(coders))]
    return coverage_from_counts(documents, selected.groupby(["document_id", "code"]).size(), codes)


def coverage_from_counts(documents: pd.DataFrame, counts: pd.Series | dict[tuple[str, str], int],
                         codes: Sequence[str]) -> pd.DataFrame:
    """:func:`coverage` from the passages already counted per (document_id, code) (a Series on that
    MultiIndex, or a dict): the coding index has the database count one page's documents."""
    with_text = documents[documents["has_text"].astype(bool)]
    columns = ["document_id", "title", "kind", "year", "code", "passages", "present", "policy", "source_id"]
    if with_text.empty or not codes:
        return pd.DataFrame([], columns=columns)
    # Every (document, code) pair in the documents' order, then the codes' order, counted by one reindex
    # (a lookup per pair took 20 s for 4,000 documents).
    codes = list(codes)
    repeated = with_text.iloc[np.arange(len(with_text)).repeat(len(codes))]
    pairs = pd.MultiIndex.from_arrays([repeated["document_id"].to_numpy(), codes * len(with_text)])
    if isinstance(counts, dict):
        passage_counts = np.array([counts.get(pair, 0) for pair in pairs], dtype="int64")
    else:
        passage_counts = counts.reindex(pairs, fill_value=0).to_numpy(dtype="int64")
    frame = pd.DataFrame({
        "document_id": repeated["document_id"].to_numpy(), "title": repeated["title"].to_numpy(),
        # the years as objects, so that a missing one leaves the column typed as before (not float)
        "kind": repeated["kind"].to_numpy(), "year": list(repeated["year"].astype(object)),
        "code": codes * len(with_text), "passages": passage_counts})
    frame["present"] = frame["passages"] > 0
    frame["policy"] = frame["kind"].isin(POLICY_KINDS)
    frame["source_id"] = repeated["source_id"].to_numpy()
    return frame[columns]


def coverage_matrix(long: pd.DataFrame, value: str = "passages") -> pd.DataFrame:
    """Documents as rows, codes as columns; cells hold passage counts (or presence with ``value='present'``)."""
    if long.empty:
        return pd.DataFrame(columns=["document_id"])
    codes = list(dict.fromkeys(long["code"]))
    wide = long.pivot(index="document_id", columns="code", values=value)[codes]
    order = list(dict.fromkeys(long["document_id"]))
    wide = wide.loc[order].reset_index()
    wide.columns.name = None
    return wide


def gaps(long: pd.DataFrame) -> pd.DataFrame:
    """Codes a document never touches, policy documents first (these are the gaps the study looks for).

    Columns: document_id, title, kind, code, policy, source_id.
    """
    missing = long[~long["present"].astype(bool)]
    missing = missing.sort_values(["policy", "document_id", "code"], ascending=[False, True, True], kind="stable")
    return missing[["document_id", "title", "kind", "code", "policy", "source_id"]].reset_index(drop=True)


def themes_over_time(documents: pd.DataFrame, passages: pd.DataFrame, codes: Sequence[str], kind: str = "press",
                     coders: Sequence[str] | None = None) -> pd.DataFrame:
    """For each year and code: how many items of ``kind`` (press by default) touch the code, and what share.

    Columns: year, code, items_with_code, items, share, passages, source_ids (;-separated).
    """
    items = documents[(documents["kind"] == kind) & documents["has_text"].astype(bool) & documents["year"].notna()]
    selected = passages if coders is None else passages[passages["coder"].isin(list(coders))]
    selected = selected[selected["document_id"].isin(items["document_id"])]
    rows = []
    for year, group in items.groupby("year"):
        ids = set(group["document_id"])
        in_year = selected[selected["document_id"].isin(ids)]
        sources = ";".join(sorted({s for s in group["source_id"] if s}))
        for code in codes:
            hits = in_year[in_year["code"] == code]
            with_code = hits["document_id"].nunique()
            rows.append({"year": int(cast(SupportsInt, year)), "code": code, "items_with_code": with_code,
                         "items": len(ids), "share": with_code / len(ids), "passages": len(hits),
                         "source_ids": sources})
    return pd.DataFrame(rows, columns=["year", "code", "items_with_code", "items", "share", "passages", "source_ids"])


def presence(documents: pd.DataFrame, passages: pd.DataFrame, codes: Sequence[str],
             reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each coder's decision per (document, code) unit. Columns: document_id, code, coder, present.

    The automatic coder has decided every code of every document with text. A person has decided every code
    of a document in which they coded at least one passage (what they did not code there, they judged
    absent). The study has decided only the (document, theme) pairs it names in ``reference``.
    """
    rows: list[dict[Hashable, object]] = []
    text_ids = set(documents.loc[documents["has_text"].astype(bool), "document_id"])
    for coder, own in passages[passages["document_id"].isin(text_ids)].groupby("coder"):
        found = set(zip(own["document_id"], own["code"]))
        decided = text_ids if coder == "auto" else set(own["document_id"])
        for document_id in sorted(decided):
            rows.extend({"document_id": document_id, "code": code, "coder": coder,
                         "present": (document_id, code) in found} for code in codes)
    if reference is not None:
        known = reference[reference["code"].isin(list(codes))]
        rows.extend(known[["document_id", "code", "coder", "present"]].to_dict(orient="records"))
    return pd.DataFrame(rows, columns=["document_id", "code", "coder", "present"])


def agreement(units: pd.DataFrame, coders: Sequence[str] | None = None) -> pd.DataFrame:
    """Agreement of each pair of coders over the (document, code) units both decided.

    Columns: coder_a, coder_b, units, agree, percent_agreement, krippendorff_alpha, cohens_kappa.
    Alpha and kappa are NaN when undefined (for example when both coders always say the same one value).
    """
    wide = units.pivot_table(index=["document_id", "code"], columns="coder", values="present", aggfunc="first")
    names = [c for c in (coders or sorted(wide.columns)) if c in wide.columns]
    rows = []
    for coder_a, coder_b in itertools.combinations(names, 2):
        both = wide[[coder_a, coder_b]].dropna()
        rows.append(agreement_row(coder_a, coder_b, [bool(v) for v in both[coder_a]],
                                  [bool(v) for v in both[coder_b]]))
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


AGREEMENT_COLUMNS = ["coder_a", "coder_b", "units", "agree", "percent_agreement", "krippendorff_alpha",
                     "cohens_kappa"]


def agreement_row(coder_a: str, coder_b: str, a: list[bool], b: list[bool]) -> dict:
    """One row of :func:`agreement`: two coders' decisions ``a`` and ``b`` on the same units, in the same order
    (the report's documents section, counted by the database, builds its rows with it too)."""
    return {"coder_a": coder_a, "coder_b": coder_b, "units": len(a), "agree": sum(x == y for x, y in zip(a, b)),
            "percent_agreement": percent_agreement(a, b) if a else math.nan,
            "krippendorff_alpha": krippendorff_alpha_nominal([a, b]) if a else math.nan,
            "cohens_kappa": cohens_kappa(a, b) if a else math.nan}


def disagreements(units: pd.DataFrame, coder_a: str, coder_b: str) -> pd.DataFrame:
    """The units two coders decided differently. Columns: document_id, code, and one column per coder."""
    wide = units.pivot_table(index=["document_id", "code"], columns="coder", values="present", aggfunc="first")
    if coder_a not in wide.columns or coder_b not in wide.columns:
        return pd.DataFrame(columns=["document_id", "code", coder_a, coder_b])
    both = wide[[coder_a, coder_b]].dropna()
    differ = both[both[coder_a].astype(bool) != both[coder_b].astype(bool)].reset_index()
    differ.columns.name = None
    return differ.astype({coder_a: bool, coder_b: bool})


def _present(value: _Value | None) -> TypeGuard[_Value]:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and value is not pd.NA


def citation_labels(case_documents: pd.DataFrame, sources: dict[str, dict]) -> dict[str, str]:
    """How a text cites each case document, author-year style: ``{document_id: "Adilet, 2024"}``."""
    labels = {}
    for row in case_documents.to_dict(orient="records"):
        source = sources.get(row.get("source_id") or "")
        if source and source.get("author") and _present(source.get("year")):
            labels[row["document_id"]] = f"{source['author']}, {int(source['year'])}"
    return labels


def cited_sentences(text: str, spans: Sequence[tuple[int, int]], labels: dict[str, str]) -> pd.DataFrame:
    """The sentences of ``text`` that cite each document (contain its author-year label).

    This is how a study's own account of a document it analyses can be coded when the document's text is
    not at hand. Columns: document_id, start, end.
    """
    rows = [{"document_id": document_id, "start": start, "end": end}
            for document_id, label in labels.items() for start, end in spans if label in text[start:end]]
    return pd.DataFrame(rows, columns=["document_id", "start", "end"])
