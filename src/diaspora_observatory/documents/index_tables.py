"""The coding index's tables for one page of documents, counted by the database (issue 15).

The pandas functions of :mod:`diaspora_observatory.analysis.documents` take every passage of the store;
at 100,000 articles (200,000 passages) building their tables took 145 s and 900 MB for a page that shows
100 documents. Here the database counts: coverage and gaps with one ``GROUP BY document_id, code`` over
the page's documents, press themes with a ``GROUP BY`` year and code, and agreement from the units each
pair of coders decided, where the automatic coder's decisions are read only for the documents a person
or the study decided. Python holds a page, the years, and the people's (hand-made, so few) passages.

The tables are the same as those functions' (tests/documents/test_documents_index_tables.py compares
them on a store of the case): a page's documents, coverage matrix and gaps are the rows of that page in
the whole tables, and the agreement and themes are the whole ones.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from diaspora_observatory.analysis import documents as analysis
from diaspora_observatory.analysis.agreement import cohens_kappa, krippendorff_alpha_nominal, percent_agreement
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.store import documents_table, passages_table

if TYPE_CHECKING:
    from diaspora_observatory.documents.workspace import Workspace

AUTO = "auto"
_CHUNK = 500  # ids per IN list: SQLite's limit on bound parameters is far above, and a statement stays short
_META = [c for c in documents_table.columns if c.name != "text"]


def _chunks(ids: Sequence[str]):
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start:start + _CHUNK])


def _case_documents(space: Workspace) -> pd.DataFrame | None:
    return space.case.table("documents") if "documents" in space.case.resource_names else None


def _stored(connection: sa.Connection, ids: Sequence[str]) -> dict[str, Document]:
    found = {}
    for part in _chunks(ids):
        for row in connection.execute(sa.select(*_META).where(documents_table.c.document_id.in_(part))):
            found[row.document_id] = Document(**row._mapping, text="")
    return found


def page_documents(space: Workspace, page: int, per_page: int) -> tuple[pd.DataFrame, int, set[str]]:
    """The documents of ``page`` as ``analysis.documents_frame`` orders them all (the case's documents in
    the case's order, then the other stored ones by date and id), how many there are in all, and every
    document's source id. Only the page's documents are read whole."""
    case_documents = _case_documents(space)
    case_ids = list(dict.fromkeys(case_documents["document_id"])) if case_documents is not None else []
    first, last = (page - 1) * per_page, page * per_page
    c = documents_table.c
    others = c.document_id.not_in(case_ids) if case_ids else sa.true()
    with space.store.engine.connect() as connection:
        total = len(case_ids) + int(connection.execute(sa.select(sa.func.count()).where(others)).scalar_one())
        on_page = case_ids[first:last]
        stored = list(_stored(connection, on_page).values())
        if last > len(case_ids):
            offset = max(0, first - len(case_ids))
            query = (sa.select(*_META).where(others).order_by(c.date, c.document_id)
                     .offset(offset).limit(last - max(first, len(case_ids))))
            stored += [Document(**row._mapping, text="") for row in connection.execute(query)]
        # every source id: a stored document's own, else its case document's
        sources = {s for s in connection.execute(sa.select(c.source_id).where(others, c.source_id != "")
                                                 .distinct()).scalars()}
        case_stored = _stored(connection, case_ids)
    if case_documents is not None:
        for row in case_documents.to_dict(orient="records"):
            own = case_stored.get(row["document_id"])
            source_id = (own.source_id if own is not None else "") or row.get("source_id") or ""
            if source_id:
                sources.add(source_id)
        case_documents = case_documents[case_documents["document_id"].isin(on_page)]
    frame = analysis.documents_frame(case_documents, stored)
    frame.index = pd.RangeIndex(first, first + len(frame))
    return frame, total, sources


def _coder_filter(coders: Sequence[str] | None):
    return passages_table.c.coder.in_(list(coders)) if coders is not None else sa.true()


def page_coverage(space: Workspace, documents: pd.DataFrame, coders: Sequence[str] | None) -> pd.DataFrame:
    """``analysis.coverage`` of the page's documents, their passages counted by the database."""
    with space.store.engine.connect() as connection:
        return _counted_coverage(connection, space, documents, coders)


def _counted_coverage(connection: sa.Connection, space: Workspace, documents: pd.DataFrame,
                      coders: Sequence[str] | None) -> pd.DataFrame:
    p = passages_table.c
    ids = list(documents.loc[documents["has_text"].astype(bool), "document_id"])
    counts: dict[tuple[str, str], int] = {}
    for part in _chunks(ids):
        query = (sa.select(p.document_id, p.code, sa.func.count()).where(p.document_id.in_(part),
                                                                          _coder_filter(coders))
                 .group_by(p.document_id, p.code))
        counts.update({(row[0], row[1]): int(row[2]) for row in connection.execute(query)})
    return analysis.coverage_from_counts(documents, counts, space.codes)


# Whole tables a chunk of documents at a time (the CSV and JSON exports) ------------------------------------
# An export lists every document with text, so its size grows with the store; what it holds in memory must
# not. Each chunk is the rows of the whole table for _CHUNK documents, counted by the database, and every
# chunk of one export is read in one snapshot of the store (one read transaction), so an export written
# while a coder saves a passage is the store before or after that passage, never half of each.


def _snapshot(connection: sa.Connection) -> None:
    """Begin the read transaction now: Python's sqlite3 begins one only before a write, and without it each
    query of an export would see the store as it is at that query."""
    connection.exec_driver_sql("BEGIN")


def _in_case_order(connection: sa.Connection, space: Workspace) -> Iterator[pd.DataFrame]:
    """``analysis.documents_frame`` of every document, in its order (the case's documents in the case's
    order, then the other stored ones by date and id), a chunk at a time."""
    case_documents = _case_documents(space)
    case_ids = list(dict.fromkeys(case_documents["document_id"])) if case_documents is not None else []
    for part in _chunks(case_ids):
        assert case_documents is not None
        yield analysis.documents_frame(case_documents[case_documents["document_id"].isin(part)],
                                       _stored(connection, part).values())
    c = documents_table.c
    others = c.document_id.not_in(case_ids) if case_ids else sa.true()
    result = connection.execute(sa.select(*_META).where(others).order_by(c.date, c.document_id))
    while rows := result.fetchmany(_CHUNK):
        yield analysis.documents_frame(None, [Document(**row._mapping, text="") for row in rows])


def _by_id(connection: sa.Connection, space: Workspace) -> Iterator[pd.DataFrame]:
    """``analysis.documents_frame`` of every document, a chunk at a time, the chunks in the order of their
    ids (as ``analysis.gaps`` sorts them): the case's ids (few, sorted here) merged with the stored ones
    the database sorts.
    SQLite compares text by its UTF-8 bytes, which orders as Python compares the strings."""
    case_documents = _case_documents(space)
    case_ids = sorted(set(case_documents["document_id"])) if case_documents is not None else []
    c = documents_table.c
    others = c.document_id.not_in(case_ids) if case_ids else sa.true()
    result = connection.execute(sa.select(*_META).where(others).order_by(c.document_id))
    stored_rows = ((row.document_id, row) for row in result)
    merged = heapq.merge(((document_id, None) for document_id in case_ids), stored_rows, key=lambda pair: pair[0])
    while batch := list(itertools.islice(merged, _CHUNK)):
        own = [document_id for document_id, row in batch if row is None]
        stored = [*_stored(connection, own).values(),
                  *(Document(**row._mapping, text="") for _, row in batch if row is not None)]
        chosen = case_documents[case_documents["document_id"].isin(own)] if case_documents is not None else None
        yield analysis.documents_frame(chosen, stored)  # the case's first: analysis.gaps sorts them by id


def coverage_chunks(space: Workspace, coders: Sequence[str] | None) -> Iterator[pd.DataFrame]:
    """``analysis.coverage`` of every document (``Workspace.coverage``), in its rows' order, as consecutive
    chunks of rows (chunks of documents without text are left out)."""
    with space.store.engine.connect() as connection:
        _snapshot(connection)
        for documents in _in_case_order(connection, space):
            long = _counted_coverage(connection, space, documents, coders)
            if len(long):
                yield long


def gaps_chunks(space: Workspace, coders: Sequence[str] | None) -> Iterator[pd.DataFrame]:
    """``analysis.gaps`` of every document (``Workspace.gaps``) as consecutive chunks of rows: its order is
    policy documents first, each part by document id, then code, so the documents are read twice by id,
    the policy documents' gaps kept the first time and the others' the second."""
    with space.store.engine.connect() as connection:
        _snapshot(connection)
        for policy in (True, False):
            for documents in _by_id(connection, space):
                gaps = analysis.gaps(_counted_coverage(connection, space, documents, coders))
                gaps = gaps[gaps["policy"] == policy]
                if len(gaps):
                    yield gaps


def themes_over_time(space: Workspace, coders: Sequence[str] | None, kind: str = "press") -> pd.DataFrame:
    """``analysis.themes_over_time`` of every document, counted per year and code by the database. A stored
    document of the case takes its kind and date as ``documents_frame`` merges them (few: done here)."""
    case_documents = _case_documents(space)
    case_ids = list(dict.fromkeys(case_documents["document_id"])) if case_documents is not None else []
    c, p = documents_table.c, passages_table.c
    year = sa.func.substr(c.date, 1, 4)
    others = [c.document_id.not_in(case_ids)] if case_ids else []
    items: defaultdict[int, int] = defaultdict(int)
    sources: defaultdict[int, set[str]] = defaultdict(set)
    with_code: defaultdict[tuple[int, str], int] = defaultdict(int)
    passages: defaultdict[tuple[int, str], int] = defaultdict(int)
    with space.store.engine.connect() as connection:
        chosen = [c.kind == kind, c.date != "", *others]
        for label, count in connection.execute(sa.select(year, sa.func.count()).where(*chosen).group_by(year)):
            items[int(label)] += int(count)
        for label, source_id in connection.execute(sa.select(year, c.source_id)
                                                   .where(*chosen, c.source_id != "").distinct()):
            sources[int(label)].add(source_id)
        query = (sa.select(year, p.code, sa.func.count(sa.distinct(p.document_id)), sa.func.count())
                 .select_from(passages_table.join(documents_table, p.document_id == c.document_id))
                 .where(*chosen, _coder_filter(coders)).group_by(year, p.code))
        for label, code, documents, count in connection.execute(query):
            with_code[int(label), code] += int(documents)
            passages[int(label), code] += int(count)
        case_stored = _stored(connection, case_ids)
        merged = analysis.documents_frame(case_documents, case_stored.values()) if case_ids else None
        if merged is not None:
            merged = merged[(merged["kind"] == kind) & merged["has_text"].astype(bool) & merged["year"].notna()]
            years = dict(zip(merged["document_id"], (int(y) for y in merged["year"]), strict=True))
            for document_id, source_id in zip(merged["document_id"], merged["source_id"], strict=True):
                items[years[document_id]] += 1
                if source_id:
                    sources[years[document_id]].add(source_id)
            hits: defaultdict[tuple[int, str], int] = defaultdict(int)
            for part in _chunks(list(years)):
                query = (sa.select(p.document_id, p.code, sa.func.count()).where(p.document_id.in_(part),
                                                                                  _coder_filter(coders))
                         .group_by(p.document_id, p.code))
                for document_id, code, count in connection.execute(query):
                    with_code[years[document_id], code] += 1
                    hits[years[document_id], code] += int(count)
            for key, count in hits.items():
                passages[key] += count
    rows = []
    for label in sorted(items):
        shown = ";".join(sorted(sources[label]))
        for code in space.codes:
            found = with_code.get((label, code), 0)
            rows.append({"year": label, "code": code, "items_with_code": found, "items": items[label],
                         "share": found / items[label], "passages": passages.get((label, code), 0),
                         "source_ids": shown})
    return pd.DataFrame(rows, columns=["year", "code", "items_with_code", "items", "share", "passages", "source_ids"])


def _decisions(space: Workspace) -> tuple[dict[str, dict[tuple[str, str], bool]], bool]:
    """Every coder's decided units but the automatic coder's (``analysis.presence``: a person decided
    every code of a document they coded in, the study the pairs it names), and whether the automatic
    coder coded anything (it then decided every code of every document with text)."""
    p = passages_table.c
    codes = space.codes
    decided: dict[str, dict[tuple[str, str], bool]] = {}
    with space.store.engine.connect() as connection:
        found: defaultdict[str, set[tuple[str, str]]] = defaultdict(set)
        for coder, document_id, code in connection.execute(
                sa.select(p.coder, p.document_id, p.code).where(p.coder != AUTO).distinct()):
            found[coder].add((document_id, code))
        auto = connection.execute(sa.select(p.id).where(p.coder == AUTO).limit(1)).first() is not None
    for coder, pairs in found.items():
        documents = sorted({document_id for document_id, _ in pairs})
        decided[coder] = {(document_id, code): (document_id, code) in pairs for document_id in documents
                          for code in codes}
    reference = space.reference()
    if reference is not None:
        known = reference[reference["code"].isin(list(codes))]
        study: dict[tuple[str, str], bool] = decided.setdefault(analysis.STUDY_CODER, {})
        for document_id, code, present in zip(known["document_id"], known["code"], known["present"], strict=True):
            study.setdefault((document_id, code), bool(present))  # the first, as the pivot takes it
        if not study:
            del decided[analysis.STUDY_CODER]
    return decided, auto


def _auto_units(space: Workspace, documents: set[str]) -> dict[tuple[str, str], bool]:
    """The automatic coder's decisions on the given documents that have text."""
    p = passages_table.c
    with space.store.engine.connect() as connection:
        with_text = set(_stored(connection, sorted(documents)))
        present: set[tuple[str, str]] = set()
        for part in _chunks(sorted(with_text)):
            present.update((row[0], row[1]) for row in connection.execute(
                sa.select(p.document_id, p.code).where(p.coder == AUTO, p.document_id.in_(part)).distinct()))
    return {(document_id, code): (document_id, code) in present for document_id in with_text for code in space.codes}


def agreement_and_disagreements(space: Workspace, coder_a: str = AUTO,
                                coder_b: str = analysis.STUDY_CODER) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``analysis.agreement`` of every pair of coders and ``analysis.disagreements`` of ``coder_a`` and
    ``coder_b``, over the units both decided. The statistics depend only on the pair's 2x2 table, so the
    lists given to them are that table's (the same values as the units' own lists in another order)."""
    decided, auto = _decisions(space)
    if auto:
        others = {document_id for units in decided.values() for document_id, _ in units}
        decided[AUTO] = _auto_units(space, others)
    rows = []
    differ: pd.DataFrame | None = None
    names = sorted(decided)
    for index, first in enumerate(names):
        for second in names[index + 1:]:
            a_units, b_units = decided[first], decided[second]
            both = sorted(set(a_units) & set(b_units))
            table: defaultdict[tuple[bool, bool], int] = defaultdict(int)
            for unit in both:
                table[a_units[unit], b_units[unit]] += 1
            a = [x for (x, _), n in table.items() for _ in range(n)]
            b = [y for (_, y), n in table.items() for _ in range(n)]
            rows.append({"coder_a": first, "coder_b": second, "units": len(both),
                         "agree": table[True, True] + table[False, False],
                         "percent_agreement": percent_agreement(a, b) if a else math.nan,
                         "krippendorff_alpha": krippendorff_alpha_nominal([a, b]) if a else math.nan,
                         "cohens_kappa": cohens_kappa(a, b) if a else math.nan})
    agreement = pd.DataFrame(rows, columns=["coder_a", "coder_b", "units", "agree", "percent_agreement",
                                            "krippendorff_alpha", "cohens_kappa"])
    if coder_a in decided and coder_b in decided:
        a_units, b_units = decided[coder_a], decided[coder_b]
        both = sorted(set(a_units) & set(b_units))
        found = [(d, c, a_units[d, c], b_units[d, c]) for d, c in both if a_units[d, c] != b_units[d, c]]
        differ = pd.DataFrame(found, columns=["document_id", "code", coder_a, coder_b]).astype(
            {coder_a: bool, coder_b: bool})
    else:
        differ = pd.DataFrame(columns=["document_id", "code", coder_a, coder_b])
    return agreement, differ


def passages_chunks(space: Workspace, coders: Sequence[str] | None = None,
                    document_id: str | None = None) -> Iterator[pd.DataFrame]:
    """``Workspace.passages`` (every stored passage, ordered by document, start and id; those of ``coders``
    and of ``document_id`` when given) as consecutive chunks of rows, read in one snapshot."""
    p = passages_table.c
    columns = [column for column in passages_table.columns if column.name != "created"]
    query = sa.select(*columns).order_by(p.document_id, p.start, p.id).where(_coder_filter(coders))
    if document_id is not None:
        query = query.where(p.document_id == document_id)
    with space.store.engine.connect() as connection:
        _snapshot(connection)
        result = connection.execute(query)
        while rows := result.fetchmany(_CHUNK):
            yield pd.DataFrame([tuple(row) for row in rows], columns=[column.name for column in columns])
