"""Coverage, gaps, themes over time and agreement as DataFrames, on a small hand-made setup."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from diaspora_observatory import load_case
from diaspora_observatory.analysis import documents as analysis
from diaspora_observatory.documents.codebook import load_codebook

CODES = ["a", "b", "c"]
DOCUMENTS = pd.DataFrame([
    {"document_id": "law", "title": "Law", "kind": "law", "date": "2002", "year": 2002, "language": "en",
     "source_id": "s1", "source": "", "has_text": True},
    {"document_id": "p1", "title": "P1", "kind": "press", "date": "2023-01-05", "year": 2023, "language": "en",
     "source_id": "s2", "source": "", "has_text": True},
    {"document_id": "p2", "title": "P2", "kind": "press", "date": "2023-06-01", "year": 2023, "language": "ru",
     "source_id": "s3", "source": "", "has_text": True},
    {"document_id": "p3", "title": "P3", "kind": "press", "date": "2024", "year": 2024, "language": "kk",
     "source_id": "", "source": "", "has_text": True},
    {"document_id": "plan", "title": "Plan", "kind": "plan", "date": "2024", "year": 2024, "language": "ru",
     "source_id": "s4", "source": "", "has_text": False},
])
PASSAGES = pd.DataFrame(
    [("law", "a", "auto"), ("law", "a", "auto"), ("p1", "a", "auto"), ("p1", "b", "auto"), ("p2", "b", "auto"),
     ("p3", "c", "auto"), ("law", "a", "AB"), ("law", "c", "AB")],
    columns=["document_id", "code", "coder"])


def test_coverage_counts_and_presence():
    long = analysis.coverage(DOCUMENTS, PASSAGES, CODES, coders=["auto"])
    matrix = analysis.coverage_matrix(long)
    assert matrix.to_dict(orient="list") == {"document_id": ["law", "p1", "p2", "p3"], "a": [2, 1, 0, 0],
                                             "b": [0, 1, 1, 0], "c": [0, 0, 0, 1]}
    assert list(long.columns) == ["document_id", "title", "kind", "year", "code", "passages", "present", "policy",
                                  "source_id"]
    every = analysis.coverage_matrix(analysis.coverage(DOCUMENTS, PASSAGES, CODES), "present")
    assert every.loc[every["document_id"] == "law", ["a", "b", "c"]].values.tolist() == [[True, False, True]]


def test_gaps_policy_documents_first():
    found = analysis.gaps(analysis.coverage(DOCUMENTS, PASSAGES, CODES, coders=["auto"]))
    assert found[["document_id", "code", "policy"]].values.tolist() == [
        ["law", "b", True], ["law", "c", True], ["p1", "c", False], ["p2", "a", False], ["p2", "c", False],
        ["p3", "a", False], ["p3", "b", False]]


def test_themes_over_time_for_the_press():
    themes = analysis.themes_over_time(DOCUMENTS, PASSAGES, CODES, coders=["auto"])
    assert themes[["year", "code", "items_with_code", "items", "share", "passages"]].values.tolist() == [
        [2023, "a", 1, 2, 0.5, 1], [2023, "b", 2, 2, 1.0, 2], [2023, "c", 0, 2, 0.0, 0],
        [2024, "a", 0, 1, 0.0, 0], [2024, "b", 0, 1, 0.0, 0], [2024, "c", 1, 1, 1.0, 1]]
    assert list(themes["source_ids"].unique()) == ["s2;s3", ""]


def test_presence_and_agreement_between_auto_person_and_study():
    reference = pd.DataFrame([{"document_id": "law", "code": "a", "coder": "study", "present": True},
                              {"document_id": "law", "code": "b", "coder": "study", "present": True},
                              {"document_id": "plan", "code": "a", "coder": "study", "present": True}])
    units = analysis.presence(DOCUMENTS, PASSAGES, CODES, reference)
    person = units[units["coder"] == "AB"]
    assert person[["document_id", "code", "present"]].values.tolist() == [
        ["law", "a", True], ["law", "b", False], ["law", "c", True]]
    table = analysis.agreement(units).set_index(["coder_a", "coder_b"])
    # AB vs auto on law: a agree, b agree (both absent), c differ
    assert table.loc[("AB", "auto"), ["units", "agree"]].tolist() == [3, 2]
    assert table.loc[("AB", "auto"), "percent_agreement"] == pytest.approx(2 / 3)
    # auto vs study on law: a agree, b differ (plan has no text, so auto did not decide it)
    assert table.loc[("auto", "study"), ["units", "agree"]].tolist() == [2, 1]
    # AB vs study: a agree, b differ; the study only ever says "present", so kappa and alpha are 0
    assert table.loc[("AB", "study"), ["units", "agree", "cohens_kappa"]].tolist() == [2, 1, 0.0]
    assert table.loc[("AB", "study"), "krippendorff_alpha"] == 0.0
    same = analysis.agreement(units[units["code"] == "a"]).set_index(["coder_a", "coder_b"])
    assert math.isnan(same.loc[("AB", "auto"), "cohens_kappa"])  # both say "present" on the one unit
    differ = analysis.disagreements(units, "auto", "study")
    assert differ.values.tolist() == [["law", "b", False, True]]


def test_the_case_reference_coding_uses_codebook_codes():
    case = load_case()
    reference = analysis.reference_coding(case.table("document_themes"))
    assert set(reference["code"]) <= set(load_codebook().leaves)
    concept = reference[reference["document_id"] == "concept-2023-2027"].set_index("code")["present"]
    assert not concept["diaspora_actor"]  # the study's main finding, kept as it is


def test_cited_sentences():
    text = "The law sets quotas (Adilet, 2024). Unrelated. The plan (Adilet, 2024; Other, 2020) adds tourism."
    spans = [(0, 35), (36, 46), (47, len(text))]
    found = analysis.cited_sentences(text, spans, {"plan-2029": "Adilet, 2024", "x": "Nobody, 1999"})
    assert found.values.tolist() == [["plan-2029", 0, 35], ["plan-2029", 47, len(text)]]


def test_report_tables(data_dir):
    from diaspora_observatory.documents.importer import Document
    from diaspora_observatory.documents.report import coding_tables
    from diaspora_observatory.documents.workspace import Workspace

    case = load_case()
    assert list(coding_tables(case, data_dir)) == ["reference-coding"]
    Workspace(case, data_dir).import_document(Document("press-dkn-2024", "DKN", "press", "2024", "en",
                                                       "Soft power of academic communities."))
    tables = coding_tables(case, data_dir)
    assert list(tables) == ["reference-coding", "document-coverage", "document-gaps", "coder-agreement",
                            "press-themes", "code-coverage", "passage-examples"]
    coverage = tables["document-coverage"].set_index("document_id")
    assert coverage.loc["press-dkn-2024", ["diaspora_actor", "science_education", "source_id"]].tolist() == [
        1, 1, "dkn-2024"]
    agreement = tables["coder-agreement"].iloc[0]
    assert (agreement["coder_a"], agreement["coder_b"], agreement["units"], agreement["agree"]) == (
        "auto", "study", 1, 1)
    assert agreement["source_ids"] == "dkn-2024;study"


def coverage_pair_by_pair(documents, passages, codes, coders=None):
    """The definition of ``coverage``, one (document, code) pair at a time: what the vectorised one must equal."""
    selected = passages if coders is None else passages[passages["coder"].isin(coders)]
    rows = []
    for document in documents[documents["has_text"].astype(bool)].itertuples(index=False):
        for code in codes:
            count = int(((selected["document_id"] == document.document_id) & (selected["code"] == code)).sum())
            rows.append({"document_id": document.document_id, "title": document.title, "kind": document.kind,
                         "year": document.year, "code": code, "passages": count, "present": count > 0,
                         "policy": document.kind in analysis.POLICY_KINDS, "source_id": document.source_id})
    return pd.DataFrame(rows, columns=["document_id", "title", "kind", "year", "code", "passages", "present",
                                       "policy", "source_id"])


@pytest.mark.parametrize("coders", [None, ["auto"], ["AB"], ["nobody"]])
def test_coverage_equals_its_definition_pair_by_pair(coders):
    """Also with a document without a year (the column keeps its type), an index that is not 0..n and a
    passage of a code outside the codebook (not counted)."""
    documents = pd.concat([DOCUMENTS, pd.DataFrame([
        {"document_id": "undated", "title": "Undated", "kind": "concept", "date": "", "year": None, "language": "ru",
         "source_id": "s5", "source": "", "has_text": True}])], ignore_index=True)
    documents["year"] = documents["year"].astype("Int64")
    documents.index = documents.index * 3 + 7
    passages = pd.concat([PASSAGES, pd.DataFrame([("undated", "b", "auto"), ("p1", "zz", "auto")],
                                                 columns=["document_id", "code", "coder"])], ignore_index=True)
    pd.testing.assert_frame_equal(analysis.coverage(documents, passages, CODES, coders),
                                  coverage_pair_by_pair(documents, passages, CODES, coders))
    assert analysis.coverage(documents, passages, [], coders).empty
    assert analysis.coverage(documents.iloc[:0], passages, CODES, coders).empty
