"""The documents tables for the report: coverage, gaps, agreement and press themes of the coded documents.

The report adds these to its "Policy documents and press" section through the declared extension point
(pyproject.toml: ``[project.entry-points."diaspora_observatory.report"] documents = ...:coding_tables``).

Documents get text only when a user imports them, so on a fresh installation the dict holds only the
study's reference coding; nothing here reads outside the user data folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from diaspora_observatory.case.package import Case

if TYPE_CHECKING:
    from diaspora_observatory.documents.workspace import Workspace


def coding_tables(case: Case, data_dir: Path | None = None) -> dict[str, pd.DataFrame]:
    """Named tables: document-coverage, document-gaps, coder-agreement, press-themes (when there is text),
    code-coverage and passage-examples (the section's summary: see ``code_coverage``, ``passage_examples``).

    Each row carries the ``source_id`` of its document (coverage, gaps) or the ``source_ids`` of the year's
    press items, so the report can cite them. ``coder-agreement`` compares auto, study and people.
    """
    from diaspora_observatory.analysis import documents as analysis
    from diaspora_observatory.documents.paths import store_path

    tables: dict[str, pd.DataFrame] = {}
    reference = None
    if "document_themes" in case.resource_names:
        reference = tables["reference-coding"] = analysis.reference_coding(case.table("document_themes"))
    # A report only reads: with no documents imported yet there is no store, and none is created.
    if not store_path(case.name, data_dir).exists():
        return tables
    from diaspora_observatory.documents.workspace import Workspace

    space = Workspace(case, data_dir)
    # Each table computed once from one read of the documents and of who coded what where: the passages'
    # texts, most of what the store holds, are not needed for counts (4,000 articles: 74,000 passages).
    documents = space.documents()
    passages = _coded(space)
    long = analysis.coverage(documents, passages, space.codes)
    if long.empty:
        return tables
    matrix = analysis.coverage_matrix(long)
    sources = long.drop_duplicates("document_id").set_index("document_id")["source_id"]
    tables["document-coverage"] = matrix.assign(source_id=matrix["document_id"].map(sources))
    tables["document-gaps"] = analysis.gaps(long)
    # agreement figures rest on the coded documents and, for the coder "study", on the study itself
    cited = sorted({s for s in long["source_id"].unique() if s} | ({"study"} if reference is not None else set()))
    units = analysis.presence(documents, passages, space.codes, reference)
    tables["coder-agreement"] = analysis.agreement(units).assign(source_ids=";".join(cited))
    themes = analysis.themes_over_time(documents, passages, space.codes)
    if not themes.empty:
        tables["press-themes"] = themes
    tables["code-coverage"] = code_coverage(long, space.codes)
    tables["passage-examples"] = passage_examples(space, passages, tables["code-coverage"])
    return tables


EXAMPLE_CODES = 10  # the most often coded codes that get an example passage in the report


def code_coverage(long: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Per code, in the codebook's order: how many coded documents touch it, of how many, what share, and
    its passages (every coder). The report shows this instead of the document-by-code matrix, whose size
    grows with the documents; a code no document touches is a gap of the whole collection.

    Columns: code, documents_with_code, documents, share_pct, passages.
    """
    documents = long["document_id"].nunique()
    touched = long[long["present"].astype(bool)].groupby("code")["document_id"].nunique()
    passages = long.groupby("code")["passages"].sum()
    with_code = [int(touched.get(code, 0)) for code in codes]
    return pd.DataFrame({"code": codes, "documents_with_code": with_code, "documents": documents,
                         "share_pct": [100 * count / documents for count in with_code],
                         "passages": [int(passages.get(code, 0)) for code in codes]})


def passage_examples(space: Workspace, passages: pd.DataFrame, coverage: pd.DataFrame) -> pd.DataFrame:
    """One passage for each of the ``EXAMPLE_CODES`` codes found in most documents: a person's first
    passage of the code when someone coded it by hand, else the automatic coder's first (lowest id, the
    earliest stored), with the sentence around it. Counts say how much a code was found; a passage in its
    sentence shows what was found under it, so the reader can judge whether the code means what its name
    says without opening the files. Only these few passages and a window of text around each are read.

    Columns: code, document_id, coder, passage (the passage's sentence; "…" where the window cut it),
    source_id.
    """
    import sqlalchemy as sa

    from diaspora_observatory.documents.store import documents_table, passages_table

    columns = ["code", "document_id", "coder", "passage", "source_id"]
    found = coverage[coverage["documents_with_code"] > 0]
    top = found.sort_values("documents_with_code", ascending=False, kind="stable").head(EXAMPLE_CODES)
    if top.empty:
        return pd.DataFrame([], columns=columns)
    chosen = passages[passages["code"].isin(list(top["code"]))]
    chosen = chosen.assign(automatic=chosen["coder"] == "auto").sort_values(["automatic", "id"], kind="stable")
    ids = chosen.drop_duplicates("code").set_index("code")["id"]
    p, d = passages_table.c, documents_table.c
    first = sa.case((p.start > CONTEXT, p.start - CONTEXT), else_=0)  # characters, 0-based: substr counts from 1
    with space.store.engine.connect() as connection:
        rows = {row.id: row for row in connection.execute(
            sa.select(p.id, p.document_id, p.coder, p.start, p.end, d.source_id, first.label("first"),
                      sa.func.substr(d.text, first + 1, p.end - first + CONTEXT).label("window"))
            .join(documents_table, d.document_id == p.document_id).where(p.id.in_([int(i) for i in ids])))}
    examples = []
    for code in top["code"]:
        row = rows.get(int(ids[code])) if code in ids.index else None
        if row is not None:
            examples.append((code, row.document_id, row.coder,
                             _sentence(row.window, row.start - row.first, row.end - row.first, row.first > 0,
                                       len(row.window) == row.end - row.first + CONTEXT), row.source_id))
    return pd.DataFrame(examples, columns=columns)


CONTEXT = 300  # characters read on each side of an example passage to find its sentence


def _sentence(window: str, start: int, end: int, cut_before: bool, cut_after: bool) -> str:
    """The sentence(s) of ``window`` holding the passage at ``start:end``, "…" where the window cut one."""
    from diaspora_observatory.documents.coding import sentences

    spans = [(a, b) for a, b in sentences(window) if a < end and b > start] or [(start, end)]
    first, last = spans[0][0], spans[-1][1]
    text = window[first:last]
    if first == 0 and cut_before:  # the window began inside a sentence
        text = f"…{text}"
    if last == len(window.rstrip()) and cut_after:
        text = f"{text}…"
    return text


def _coded(space: Workspace) -> pd.DataFrame:
    """id, document_id, code and coder of every stored passage (the columns the report's tables count)."""
    import sqlalchemy as sa

    from diaspora_observatory.documents.store import passages_table

    c = passages_table.c
    with space.store.engine.connect() as connection:
        # plain tuples: pandas probing each SQLAlchemy row for attributes cost more than the query
        rows = [tuple(row) for row in connection.execute(sa.select(c.id, c.document_id, c.code, c.coder))]
    return pd.DataFrame(rows, columns=["id", "document_id", "code", "coder"])
