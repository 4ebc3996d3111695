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
    """Named tables: document-coverage, document-gaps, coder-agreement, press-themes (when there is text).

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
    cited = sorted({s for s in long["source_id"] if s} | ({"study"} if reference is not None else set()))
    units = analysis.presence(documents, passages, space.codes, reference)
    tables["coder-agreement"] = analysis.agreement(units).assign(source_ids=";".join(cited))
    themes = analysis.themes_over_time(documents, passages, space.codes)
    if not themes.empty:
        tables["press-themes"] = themes
    return tables


def _coded(space: Workspace) -> pd.DataFrame:
    """document_id, code and coder of every stored passage (the columns the report's tables count)."""
    import sqlalchemy as sa

    from diaspora_observatory.documents.store import passages_table

    c = passages_table.c
    with space.store.engine.connect() as connection:
        # plain tuples: pandas probing each SQLAlchemy row for attributes cost more than the query
        rows = [tuple(row) for row in connection.execute(sa.select(c.document_id, c.code, c.coder))]
    return pd.DataFrame(rows, columns=["document_id", "code", "coder"])
