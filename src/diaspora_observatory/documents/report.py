"""The documents tables for the report: coverage, gaps, agreement and press themes of the coded documents.

The report adds these to its "Policy documents and press" section through the declared extension point
(pyproject.toml: ``[project.entry-points."diaspora_observatory.report"] documents = ...:coding_tables``).

Documents get text only when a user imports them, so on a fresh installation the dict holds only the
study's reference coding; nothing here reads outside the user data folder.

The database counts (issue 15): one ``GROUP BY document_id, code, coder`` over the passages gives every
table's numbers, so Python holds a count per (document, code, coder) rather than a row per passage
(4,000 press items: 74,000 passages, about 30,000 counts), and the documents' metadata as plain tuples.
The store is read with the standard library's ``sqlite3``, in one read transaction (one snapshot, even
while an import writes), and never written: the report opens no engine and runs no schema step.
The tables are those of :mod:`diaspora_observatory.analysis.documents` over the whole passages, value for
value and in the same order (tests/report/test_report_documents_counted.py compares them, CSV byte for byte).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

from diaspora_observatory.case.package import Case

if TYPE_CHECKING:
    import sqlite3

AUTO = "auto"


class StoredDocument(NamedTuple):
    """A stored document's metadata as ``analysis.documents_frame`` reads it; its text is not read."""

    document_id: str
    title: str
    kind: str
    date: str
    language: str
    source: str
    source_id: str


_STORED = f"SELECT {', '.join(StoredDocument._fields)} FROM documents ORDER BY date, document_id"
# NOT INDEXED: one pass over the table is faster than a lookup of each row through the document_id index
_COUNTS = ("SELECT document_id, code, coder, count(*), min(id) FROM passages NOT INDEXED "
           "GROUP BY document_id, code, coder")


@contextmanager
def _reading(path: Path) -> Iterator[sqlite3.Connection]:
    """The store at ``path``, read-only, in one transaction. ``mode=rw`` opens an existing file and never
    creates one; ``query_only`` refuses any write."""
    import sqlite3  # here: a report of a case with no documents store never loads it

    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None,
                                 timeout=30)
    try:
        connection.execute("PRAGMA query_only = ON")
        connection.execute("BEGIN")
        yield connection
    finally:
        connection.close()


class Counts:
    """The passages of the documents with text, counted per (document, code, coder).

    ``matrix[i, j]``: passages of every coder of the codebook's code ``codes[j]`` in document ``ids[i]``;
    ``auto[i, j]``: whether the automatic coder coded it there; ``found[coder]``: the (document, code) pairs
    each other coder coded, codes outside the codebook included (a person's passage of such a code still
    says they coded the document); ``first[code]``: the lowest passage id of the code by a person, else by
    the automatic coder (the example ``passage_examples`` shows). The rows are counted with numpy: a
    loop over them in Python was most of the documents section's time.
    """

    def __init__(self, with_text: pd.DataFrame, codes: list[str],
                 rows: Sequence[tuple[str, str, str, int, int]]) -> None:
        self.ids = with_text["document_id"].tolist()
        self.codes = codes
        documents, found_codes, coders, passages, lowest = (list(column) for column in zip(*rows)) if rows else (
            [], [], [], [], [])
        # -1: a document with no text (none: the store's foreign keys) or a code outside the codebook
        row = pd.Index(self.ids).get_indexer(pd.Index(documents))
        column = pd.Index(codes).get_indexer(pd.Index(found_codes))
        automatic = np.array([coder == AUTO for coder in coders], dtype=bool)
        cell = (row >= 0) & (column >= 0)
        flat = row * len(codes) + column
        counted = np.zeros(len(self.ids) * len(codes), dtype="int64")
        np.add.at(counted, flat[cell], np.array(passages, dtype="int64")[cell])  # a cell's coders added up
        self.matrix = counted.reshape(len(self.ids), len(codes))
        auto = np.zeros(len(self.ids) * len(codes), dtype=bool)
        auto[flat[cell & automatic]] = True
        self.auto = auto.reshape(len(self.ids), len(codes))
        self.coded_by_auto = bool((automatic & (row >= 0)).any())
        self.found: defaultdict[str, set[tuple[str, str]]] = defaultdict(set)
        for index in np.flatnonzero(~automatic & (row >= 0)).tolist():  # people's passages: few
            self.found[coders[index]].add((documents[index], found_codes[index]))
        # the lowest id per code, by hand (0) and automatic (1)
        first = np.full(2 * len(codes), np.iinfo("int64").max, dtype="int64")
        np.minimum.at(first, (column + len(codes) * automatic)[cell], np.array(lowest, dtype="int64")[cell])
        self.first: dict[str, int] = {}
        for index, code in enumerate(codes):
            for slot in (index, len(codes) + index):
                if first[slot] != np.iinfo("int64").max:
                    self.first[code] = int(first[slot])
                    break


def coding_tables(case: Case, data_dir: Path | None = None) -> dict[str, pd.DataFrame]:
    """Named tables: document-coverage, document-gaps, coder-agreement, press-themes (when there is text; its
    share in percent, see ``in_percent``),
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
    path = store_path(case.name, data_dir)
    if not path.exists():
        return tables
    from diaspora_observatory.documents.codebook import load_codebook

    codes = load_codebook().leaves  # the codebook the documents pages report on (Workspace's default)
    case_documents = case.table("documents") if "documents" in case.resource_names else None
    with _reading(path) as connection:
        documents = analysis.documents_frame(case_documents, [StoredDocument(*row)
                                                              for row in connection.execute(_STORED)])
        with_text = documents[documents["has_text"].astype(bool)]
        if with_text.empty or not codes:
            return tables
        counts = Counts(with_text, codes, connection.execute(_COUNTS).fetchall())
        tables["document-coverage"] = coverage_matrix(with_text, counts)
        tables["document-gaps"] = gaps(with_text, counts)
        # agreement figures rest on the coded documents and, for the coder "study", on the study itself
        cited = sorted({s for s in with_text["source_id"].unique() if s} | ({"study"} if reference is not None
                                                                              else set()))
        tables["coder-agreement"] = agreement(counts, reference).assign(source_ids=";".join(cited))
        themes = themes_over_time(documents, counts)
        if not themes.empty:
            tables["press-themes"] = in_percent(themes)
        tables["code-coverage"] = code_coverage(counts)
        tables["passage-examples"] = passage_examples(connection, counts, tables["code-coverage"])
    return tables


def coverage_matrix(with_text: pd.DataFrame, counts: Counts) -> pd.DataFrame:
    """``analysis.coverage_matrix`` of the coverage (a row per document with text, in the documents' order,
    a column of passage counts per code), with each document's ``source_id``."""
    matrix = pd.DataFrame(counts.matrix, columns=counts.codes)
    matrix.insert(0, "document_id", counts.ids)
    matrix["source_id"] = with_text["source_id"].tolist()
    return matrix


def gaps(with_text: pd.DataFrame, counts: Counts) -> pd.DataFrame:
    """``analysis.gaps``: every (document, code) with no passage, policy documents first, then by document
    id and code. Columns: document_id, title, kind, code, policy, source_id."""
    from diaspora_observatory.analysis.documents import POLICY_KINDS

    titles, kinds, sources = (with_text[column].tolist() for column in ("title", "kind", "source_id"))
    policy = [kind in POLICY_KINDS for kind in kinds]
    rows, columns = np.nonzero(counts.matrix == 0)
    ordered = sorted((not policy[row], counts.ids[row], counts.codes[column], row)
                     for row, column in zip(rows.tolist(), columns.tolist()))
    return pd.DataFrame({"document_id": [item[1] for item in ordered],
                         "title": [titles[item[3]] for item in ordered],
                         "kind": [kinds[item[3]] for item in ordered],
                         "code": [item[2] for item in ordered],
                         "policy": pd.Series([policy[item[3]] for item in ordered], dtype=bool),
                         "source_id": [sources[item[3]] for item in ordered]})


def agreement(counts: Counts, reference: pd.DataFrame | None) -> pd.DataFrame:
    """``analysis.agreement(analysis.presence(...))``: each pair of coders over the units both decided.

    The automatic coder decided every code of every document with text, a person every code of each
    document they coded in, the study the (document, code) pairs it names (the first, where it names one
    twice). The automatic coder's units are made only for the documents another coder decided: a pair's
    units are those both decided. Each pair's decisions are listed in the order of (document, code), as
    the pivot of ``analysis.agreement`` lists them, so each statistic gets the same lists.
    """
    from diaspora_observatory.analysis.documents import AGREEMENT_COLUMNS, STUDY_CODER, agreement_row

    decided: dict[str, dict[tuple[str, str], bool]] = {}
    for coder in sorted(counts.found):
        pairs = counts.found[coder]
        decided[coder] = {(document_id, code): (document_id, code) in pairs
                          for document_id in sorted({document_id for document_id, _ in pairs})
                          for code in counts.codes}
    if reference is not None:
        known = reference[reference["code"].isin(counts.codes)]
        for document_id, code, present in zip(known["document_id"], known["code"], known["present"], strict=True):
            decided.setdefault(STUDY_CODER, {}).setdefault((document_id, code), bool(present))
    if counts.coded_by_auto:
        row_of = {document_id: index for index, document_id in enumerate(counts.ids)}
        others = sorted({document_id for units in decided.values() for document_id, _ in units} & row_of.keys())
        decided[AUTO] = {(document_id, code): bool(counts.auto[row_of[document_id], column])
                         for document_id in others for column, code in enumerate(counts.codes)}
    rows = []
    for coder_a, coder_b in itertools.combinations(sorted(decided), 2):
        a_units, b_units = decided[coder_a], decided[coder_b]
        both = sorted(a_units.keys() & b_units.keys())
        rows.append(agreement_row(coder_a, coder_b, [a_units[unit] for unit in both],
                                  [b_units[unit] for unit in both]))
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


def themes_over_time(documents: pd.DataFrame, counts: Counts, kind: str = "press") -> pd.DataFrame:
    """``analysis.themes_over_time``: per year and code, the dated items of ``kind`` with text that touch the
    code, of how many, their share and passages. Columns: year, code, items_with_code, items, share,
    passages, source_ids (;-separated)."""
    items = documents[(documents["kind"] == kind) & documents["has_text"].astype(bool) & documents["year"].notna()]
    row_of = {document_id: index for index, document_id in enumerate(counts.ids)}
    years: defaultdict[int, list[int]] = defaultdict(list)
    sources: defaultdict[int, set[str]] = defaultdict(set)
    for document_id, year, source_id in zip(items["document_id"].tolist(), items["year"].astype("int64").tolist(),
                                            items["source_id"].tolist(), strict=True):
        years[int(year)].append(row_of[document_id])
        if source_id:
            sources[int(year)].add(source_id)
    rows = []
    for year in sorted(years):
        in_year = counts.matrix[years[year]]
        with_code, passages = (in_year > 0).sum(axis=0).tolist(), in_year.sum(axis=0).tolist()
        shown = ";".join(sorted(sources[year]))
        for index, code in enumerate(counts.codes):
            rows.append({"year": year, "code": code, "items_with_code": with_code[index], "items": len(years[year]),
                         "share": with_code[index] / len(years[year]), "passages": passages[index],
                         "source_ids": shown})
    return pd.DataFrame(rows, columns=["year", "code", "items_with_code", "items", "share", "passages", "source_ids"])


def in_percent(themes: pd.DataFrame) -> pd.DataFrame:
    """``themes`` as the report shows and files them: the year's share of items in percent,
    ``items_share_pct``, in the place of the 0-1 ``share`` that ``analysis.documents.themes_over_time`` and
    the /coding page's downloads keep. The ``_pct`` name makes it a percentage (``presentation.kinds``), so
    the report, the /coding page and ``diaspora documents themes`` write it alike: a share of counted items,
    exact, so with the three significant digits that are the presentation layer's ceiling
    (``analysis.precision.MAX_DIGITS``; one of three items is 33.3); tables/press-themes.csv says by the
    name what its numbers are."""
    shown = themes.assign(share=100 * themes["items_with_code"] / themes["items"])
    return shown.rename(columns={"share": "items_share_pct"})


EXAMPLE_CODES = 10  # the most often coded codes that get an example passage in the report


def code_coverage(counts: Counts) -> pd.DataFrame:
    """Per code, in the codebook's order: how many coded documents touch it, of how many, what share, and
    its passages (every coder). The report shows this instead of the document-by-code matrix, whose size
    grows with the documents; a code no document touches is a gap of the whole collection.

    Columns: code, documents_with_code, documents, share_pct, passages.
    """
    documents = len(counts.ids)
    with_code = (counts.matrix > 0).sum(axis=0).tolist()
    return pd.DataFrame({"code": counts.codes, "documents_with_code": with_code, "documents": documents,
                         "share_pct": [100 * count / documents for count in with_code],
                         "passages": counts.matrix.sum(axis=0).tolist()})


def passage_examples(connection: sqlite3.Connection, counts: Counts, coverage: pd.DataFrame) -> pd.DataFrame:
    """One passage for each of the ``EXAMPLE_CODES`` codes found in most documents: a person's first
    passage of the code when someone coded it by hand, else the automatic coder's first (lowest id, the
    earliest stored), with the sentence around it. Counts say how much a code was found; a passage in its
    sentence shows what was found under it, so the reader can judge whether the code means what its name
    says without opening the files. Only these few passages and a window of text around each are read.

    Columns: code, document_id, coder, passage (the passage's sentence; "…" where the window cut it),
    source_id.
    """
    columns = ["code", "document_id", "coder", "passage", "source_id"]
    found = coverage[coverage["documents_with_code"] > 0]
    top = list(found.sort_values("documents_with_code", ascending=False, kind="stable").head(EXAMPLE_CODES)["code"])
    if not top:
        return pd.DataFrame([], columns=columns)
    ids = [counts.first[code] for code in top]
    # a window of CONTEXT characters each side of the passage (0-based in Python, 1-based in substr)
    begin = "CASE WHEN p.start > ? THEN p.start - ? ELSE 0 END"
    query = (f'SELECT p.id, p.document_id, p.coder, p.start, p."end", d.source_id, {begin}, '
             f'substr(d.text, {begin} + 1, p."end" - {begin} + ?) '
             "FROM passages AS p JOIN documents AS d ON d.document_id = p.document_id "
             f"WHERE p.id IN ({', '.join('?' * len(ids))})")
    rows = {row[0]: row for row in connection.execute(query, [CONTEXT] * 7 + ids)}
    examples = []
    for code in top:
        row = rows.get(counts.first[code])
        if row is not None:
            _id, document_id, coder, start, end, source_id, first, window = row
            examples.append((code, document_id, coder,
                             _sentence(window, start - first, end - first, first > 0,
                                       len(window) == end - first + CONTEXT), source_id))
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
