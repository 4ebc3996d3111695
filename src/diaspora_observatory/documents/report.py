"""The documents tables for the report: coverage, gaps, agreement and press themes of the coded documents.

The report adds these to its "Policy documents and press" section through the declared extension point
(pyproject.toml: ``[project.entry-points."diaspora_observatory.report"] documents = ...:coding_tables``).

Documents get text only when a user imports them, so on a fresh installation the dict holds only the
study's reference coding; nothing here reads outside the user data folder.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from diaspora_observatory.case.package import Case


def coding_tables(case: Case, data_dir: Path | None = None) -> dict[str, pd.DataFrame]:
    """Named tables: document-coverage, document-gaps, coder-agreement, press-themes (when there is text).

    Each row carries the ``source_id`` of its document (coverage, gaps) or the ``source_ids`` of the year's
    press items, so the report can cite them. ``coder-agreement`` compares auto, study and people.
    """
    from diaspora_observatory.analysis.documents import coverage_matrix, reference_coding
    from diaspora_observatory.documents.paths import store_path

    tables: dict[str, pd.DataFrame] = {}
    reference = None
    if "document_themes" in case.resource_names:
        reference = tables["reference-coding"] = reference_coding(case.table("document_themes"))
    # A report only reads: with no documents imported yet there is no store, and none is created.
    if not store_path(case.name, data_dir).exists():
        return tables
    from diaspora_observatory.documents.workspace import Workspace

    space = Workspace(case, data_dir)
    long = space.coverage()
    if long.empty:
        return tables
    matrix = coverage_matrix(long)
    sources = long.drop_duplicates("document_id").set_index("document_id")["source_id"]
    tables["document-coverage"] = matrix.assign(source_id=matrix["document_id"].map(sources))
    tables["document-gaps"] = space.gaps()
    # agreement figures rest on the coded documents and, for the coder "study", on the study itself
    cited = sorted({s for s in long["source_id"] if s} | ({"study"} if reference is not None else set()))
    tables["coder-agreement"] = space.agreement().assign(source_ids=";".join(cited))
    themes = space.themes_over_time()
    if not themes.empty:
        tables["press-themes"] = themes
    return tables
