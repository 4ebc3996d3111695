"""The study's own text as the demo document: read from ../shared/seed beside the clone, never shipped."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from diaspora_observatory import load_case
from diaspora_observatory.cli import main
from diaspora_observatory.documents.workspace import Workspace
from tests.documents.conftest import SEED_TEXT

pytestmark = pytest.mark.skipif(not SEED_TEXT.is_file(),
                                reason=f"the study's text is not at {SEED_TEXT} (shared/ must sit beside the clone)")


def test_study_text_is_coded_and_compared_with_the_study_reading(data_dir):
    runner = CliRunner()
    result = runner.invoke(main, ["documents", "import", str(SEED_TEXT), "--date", "2025", "--accounts"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Imported 'kazakh-diaspora-central-asia' (other, en, ")
    assert "concept-2023-2027: 3 citing sentence(s)" in result.output
    space = Workspace(load_case(), data_dir)
    coverage = space.coverage(["auto"]).set_index(["document_id", "code"])
    study = coverage.loc["kazakh-diaspora-central-asia"]
    assert study["present"].all()  # the study itself touches every code of the codebook
    assert study.loc["repatriation_kandas", "passages"] > 10
    # every press item the study cites gets its citing sentences as text
    documents = space.documents().set_index("document_id")
    assert documents.loc[["press-sattarov-2022", "press-astana-times-2023", "press-dkn-2024"], "has_text"].all()
    agreement = space.agreement().set_index(["coder_a", "coder_b"]).loc[("auto", "study")]
    assert agreement["units"] == 15  # the study's 15 (document, theme) judgements
    differ = space.disagreements("auto", "study")
    assert not differ.empty  # shown, not hidden: the automatic coding of the citing sentences misses themes
    assert set(differ["document_id"]) <= set(documents.index)
    # the study's own finding that the concept ignores the diaspora as an actor is matched by the auto coding
    assert not coverage.loc[("concept-2023-2027", "diaspora_actor"), "present"]


def test_the_report_tables_are_the_workspace_tables(data_dir):
    """The report reads who coded what where without the passages' texts and computes coverage once; its
    tables are still those the documents pages and CLI compute from the whole passages (the study's text,
    its citing sentences as press items, and one person's passage)."""
    import pandas as pd

    from diaspora_observatory.analysis.documents import coverage_matrix
    from diaspora_observatory.documents.report import coding_tables, in_percent

    result = CliRunner().invoke(main, ["documents", "import", str(SEED_TEXT), "--date", "2025", "--accounts"])
    assert result.exit_code == 0, result.output
    space = Workspace(load_case(), data_dir)
    space.store.add_manual("kazakh-diaspora-central-asia", "diaspora_actor", "AB", 0, 40)
    tables = coding_tables(load_case(), data_dir)
    assert set(tables) == {"reference-coding", "document-coverage", "document-gaps", "coder-agreement",
                           "press-themes", "code-coverage", "passage-examples"}
    pd.testing.assert_frame_equal(tables["document-gaps"], space.gaps())
    pd.testing.assert_frame_equal(tables["document-coverage"].drop(columns="source_id"),
                                  coverage_matrix(space.coverage()))
    pd.testing.assert_frame_equal(tables["coder-agreement"].drop(columns="source_ids"), space.agreement())
    assert list(tables["coder-agreement"]["coder_a"]) == ["AB", "AB", "auto"]
    pd.testing.assert_frame_equal(tables["press-themes"], in_percent(space.themes_over_time()))
