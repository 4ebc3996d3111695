"""The coding index counted by the database (documents/index_tables.py) gives the same tables as the pandas
functions over every passage (analysis/documents.py), page by page, on a real SQLite store of the case."""

from __future__ import annotations

import pandas as pd
import pytest

from diaspora_observatory import load_case
from diaspora_observatory.analysis import documents as analysis
from diaspora_observatory.documents import index_tables
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.workspace import Workspace

TEXT = ("Repatriates from Mongolia receive quotas and housing support. The embassy keeps a register of "
        "citizens abroad and helps with documents. Employers must hire within the quota.")


@pytest.fixture(scope="module")
def space(tmp_path_factory) -> Workspace:
    """The case's documents, three of them with a stored text (one of kind "other", which takes the case's
    kind), press items over three years (one undated), a law, and two people's hand coding."""
    space = Workspace(load_case(), tmp_path_factory.mktemp("data"))
    documents = [
        Document(document_id="press-dkn-2024", title="", kind="other", date="", language="en", text=TEXT),
        Document(document_id="law-migration", title="Law", kind="law", date="2002-07-13", language="en",
                 text=TEXT, source_id=""),
        Document(document_id="press-sattarov-2022", title="Press", kind="press", date="2022-05-01", language="ru",
                 text=TEXT[:60], source_id="own-source"),
    ]
    documents += [Document(document_id=f"item-{n:02d}", title=f"Item {n}", kind="press" if n % 4 else "plan",
                           date="" if n == 5 else f"{2021 + n % 3}-0{1 + n % 9}-01", language="en",
                           text=TEXT[:40 + 7 * n], source_id=f"src-{n % 3}" if n % 2 else "") for n in range(14)]
    for document in documents:
        space.import_document(document)
    space.store.add_manual("item-03", "employment_quotas", "aigerim", 0, 20)
    space.store.add_manual("item-03", "social_support", "aigerim", 20, 40)
    space.store.add_manual("law-migration", "housing", "aigerim", 0, 10)  # a code the codebook no longer has
    space.store.add_manual("item-03", "social_support", "bolat", 0, 30)
    space.store.add_manual("item-07", "employment_quotas", "bolat", 0, 30)
    return space


def same(counted: pd.DataFrame, whole: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(counted.reset_index(drop=True), whole.reset_index(drop=True))


@pytest.mark.parametrize("per_page", [3, 100])
@pytest.mark.parametrize("coders", [None, ["auto"], ["aigerim"]])
def test_every_page_has_the_rows_of_the_whole_tables(space, per_page, coders):
    documents = space.documents()
    long = space.coverage(coders)
    matrix, gaps = analysis.coverage_matrix(long), analysis.gaps(long)
    pages = -(-len(documents) // per_page)
    assert pages == (7 if per_page == 3 else 1)  # 6 case documents and 14 others
    for page in range(1, pages + 1):
        shown, total, sources = index_tables.page_documents(space, page, per_page)
        expected = documents.iloc[(page - 1) * per_page:page * per_page]
        pd.testing.assert_frame_equal(shown, expected)
        assert total == len(documents) and sources == {s for s in documents["source_id"] if s}
        ids = set(expected["document_id"])
        counted = index_tables.page_coverage(space, shown, coders)
        # "year" holds Python ints or None, so its dtype is object in a table with an undated document and
        # int64 in one without: the same values (the page shows no year from it)
        same(counted.astype({"year": object}), long[long["document_id"].isin(ids)].astype({"year": object}))
        same(analysis.coverage_matrix(counted), matrix[matrix["document_id"].isin(ids)])
        same(analysis.gaps(counted), gaps[gaps["document_id"].isin(ids)])


@pytest.mark.parametrize("coders", [None, ["auto"], ["bolat"]])
def test_press_themes_counted_by_year_and_code_are_the_whole_table(space, coders):
    counted = index_tables.themes_over_time(space, coders)
    same(counted, space.themes_over_time("press", coders))
    assert sorted(set(counted["year"])) == [2021, 2022, 2023, 2024]


def test_agreement_and_the_study_disagreements_are_the_whole_tables(space):
    agreement, disagreements = index_tables.agreement_and_disagreements(space)
    same(agreement, space.agreement())
    assert list(agreement["coder_a"] + "/" + agreement["coder_b"]) == [
        "aigerim/auto", "aigerim/bolat", "aigerim/study", "auto/bolat", "auto/study", "bolat/study"]
    same(disagreements, space.disagreements("auto", "study"))
    assert not disagreements.empty
