"""The report's documents tables counted by the database (documents/report.py, issue 15) are the tables the
pandas functions of analysis/documents.py compute from every stored passage: the same CSV, byte for byte,
on real SQLite stores of the built-in case; and the report reads the store without writing to it."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from diaspora_observatory import load_case
from diaspora_observatory.analysis import documents as analysis
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.report import coding_tables, in_percent
from diaspora_observatory.documents.workspace import Workspace
from diaspora_observatory.tabular import to_csv

TEXT = ("Repatriates from Mongolia receive quotas and housing support. The embassy keeps a register of "
        "citizens abroad and helps with documents. Employers must hire within the quota.")


def whole_tables(space: Workspace) -> dict[str, pd.DataFrame]:
    """The report's tables as the documents pages compute them: the pandas functions over every passage."""
    reference = space.reference()
    documents, passages = space.documents(), space.all_passages()
    long = analysis.coverage(documents, passages, space.codes)
    matrix = analysis.coverage_matrix(long)
    sources = long.drop_duplicates("document_id").set_index("document_id")["source_id"]
    cited = sorted({s for s in long["source_id"].unique() if s} | ({"study"} if reference is not None else set()))
    # the per-code summary as the report computed it from the long coverage before it counted in SQL
    touched = long[long["present"].astype(bool)].groupby("code")["document_id"].nunique()
    passages_per_code = long.groupby("code")["passages"].sum()
    with_code = [int(touched.get(code, 0)) for code in space.codes]
    documents_count = long["document_id"].nunique()
    per_code = pd.DataFrame({"code": space.codes, "documents_with_code": with_code, "documents": documents_count,
                             "share_pct": [100 * count / documents_count for count in with_code],
                             "passages": [int(passages_per_code.get(code, 0)) for code in space.codes]})
    return {"reference-coding": reference,
            "document-coverage": matrix.assign(source_id=matrix["document_id"].map(sources)),
            "document-gaps": analysis.gaps(long),
            "coder-agreement": analysis.agreement(analysis.presence(documents, passages, space.codes, reference))
            .assign(source_ids=";".join(cited)),
            "press-themes": in_percent(analysis.themes_over_time(documents, passages, space.codes)),
            "code-coverage": per_code}


@pytest.fixture
def space(tmp_path: Path) -> Workspace:
    """Three of the case's documents with a stored text (one of kind "other", which takes the case's kind),
    press items over three years (one undated), a plan, and people's hand coding: a code the codebook does
    not have, a person who codes one document only, and a person named like the study's coder."""
    space = Workspace(load_case(), tmp_path / "data")
    documents = [
        Document(document_id="press-dkn-2024", title="", kind="other", date="", language="en", text=TEXT),
        Document(document_id="law-migration", title="Law", kind="law", date="2002-07-13", language="en", text=TEXT),
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
    space.store.add_manual("law-migration", "housing", "aigerim", 0, 10)  # a code the codebook does not have
    space.store.add_manual("item-03", "social_support", "bolat", 0, 30)
    space.store.add_manual("item-07", "employment_quotas", "bolat", 0, 30)
    space.store.add_manual("item-09", "employment_quotas", "study", 0, 30)
    yield space
    space.store.engine.dispose()


def checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_counted_tables_are_the_whole_tables(space):
    expected = whole_tables(space)
    counted = coding_tables(load_case(), space.data_dir)
    assert list(counted) == ["reference-coding", "document-coverage", "document-gaps", "coder-agreement",
                             "press-themes", "code-coverage", "passage-examples"]
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(counted[name], frame, obj=name)
        assert to_csv(counted[name]) == to_csv(frame), name
    themes = counted["press-themes"]  # the share in percent, as the report prints it and tables/*.csv file it
    assert list(themes.columns) == ["year", "code", "items_with_code", "items", "items_share_pct", "passages",
                                    "source_ids"]
    assert themes["items_share_pct"].head(3).tolist() == [100.0, 100.0, 100 / 3]
    assert "social_support,1,3,33.33333333333333" in to_csv(themes)  # the file keeps every digit, in percent
    # six coders' pairs: the person named "study" and the study's own reading count as one coder
    assert counted["coder-agreement"][["coder_a", "coder_b", "units"]].values.tolist() == [
        ["aigerim", "auto", 30], ["aigerim", "bolat", 15], ["aigerim", "study", 4], ["auto", "bolat", 30],
        ["auto", "study", 21], ["bolat", "study", 0]]


def test_the_example_passage_is_a_persons_else_the_automatic_coders_first(space):
    examples = coding_tables(load_case(), space.data_dir)["passage-examples"]
    passages = space.all_passages()
    for row in examples.itertuples():
        of_code = passages[passages["code"] == row.code]
        people = of_code[of_code["coder"] != "auto"]
        first = (people if not people.empty else of_code).sort_values("id").iloc[0]
        assert (row.document_id, row.coder) == (first["document_id"], first["coder"])
    assert examples.set_index("code").loc["employment_quotas", ["document_id", "coder", "passage"]].tolist() == [
        "item-03", "aigerim", "Repatriates from Mongolia receive quotas and housing support."]


def test_a_store_with_documents_but_no_passage(tmp_path):
    space = Workspace(load_case(), tmp_path / "data")
    space.import_document(Document(document_id="item-x", title="X", kind="press", date="2020", language="en",
                                   text="The weather was mild."))
    space.import_document(Document(document_id="law-y", title="Y", kind="law", date="2019-02", language="en",
                                   text="Nothing here at all."))
    expected = whole_tables(space)
    space.store.engine.dispose()
    counted = coding_tables(load_case(), tmp_path / "data")
    for name, frame in expected.items():
        assert to_csv(counted[name]) == to_csv(frame), name
    assert len(counted["document-gaps"]) == 2 * len(space.codes)
    assert counted["coder-agreement"].empty and counted["passage-examples"].empty


def test_an_empty_store_gives_the_reference_coding_only(tmp_path):
    Workspace(load_case(), tmp_path / "data").store.engine.dispose()
    assert list(coding_tables(load_case(), tmp_path / "data")) == ["reference-coding"]


def test_the_report_reads_the_store_without_writing_to_it(space):
    """No schema step, no version bump, no byte of the file changed: a report only reads."""
    path = space.store.path
    space.store.engine.dispose()
    before = checksum(path)
    with sqlite3.connect(path) as connection:
        version = connection.execute("SELECT version FROM store_version").fetchall()
    connection.close()
    coding_tables(load_case(), space.data_dir)
    assert checksum(path) == before
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version FROM store_version").fetchall() == version
    connection.close()
