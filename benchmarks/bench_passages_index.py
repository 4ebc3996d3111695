"""The passages' counts index (documents store, schema step 5): the counting queries with and without it.

A store of ``--documents`` documents with ``--passages`` automatic passages each (a third of them also coded by
a person) is made with the store's own steps, in a temporary folder. Then each query is run with the index and
without it (dropped and made again in the same store), in turns, ``--rounds`` times, and its CPU time
(``time.process_time``: the machine is shared, see benchmarks/results) is kept at its lowest. The queries are
the statements the observatory runs, written out here with their plans (``EXPLAIN QUERY PLAN``):

- coverage: ``index_tables._counted_coverage`` (the /coding page's coverage, the coverage and gaps exports),
  passages of 500 documents counted by document and code, for the automatic coder;
- themes: ``index_tables.themes_over_time`` (press themes by year), passages joined to their documents;
- report: ``documents/report.py``'s ``_COUNTS`` as it is (``NOT INDEXED``: one pass over the table) and with the
  planner free to use the index;
- one document: ``DocumentStore.passages(document_id)`` (the /coding page of one document), its passages
  ordered by start.

Run: ``PYTHONPATH=src python benchmarks/bench_passages_index.py [--documents 4000 --passages 50]``
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from diaspora_observatory.documents.store import PASSAGE_COUNTS_INDEX, DocumentStore

CODES = [f"code_{number}" for number in range(12)]
TEXT = "The Kazakh diaspora keeps its language at home; the state supports the return of kandas. " * 3


def make_store(folder: Path, documents: int, passages: int, seed: int = 7) -> Path:
    store = DocumentStore("bench", folder)
    store.engine.dispose()
    rng = random.Random(seed)
    connection = sqlite3.connect(store.path)
    with connection:
        connection.executemany(
            "INSERT INTO documents (document_id, title, kind, date, language, script, source, source_id, filename, "
            "sha256, text, alphabet) VALUES (?, ?, 'press', ?, 'en', '', '', '', '', '', ?, '')",
            [(f"doc-{number:06d}", f"Item {number}", f"{2005 + number % 20}", TEXT * 10)
             for number in range(documents)])
        rows = []
        for number in range(documents):
            for index in range(passages):
                coder = "auto" if index % 3 else "aigerim"
                start = index * 40
                rows.append((f"doc-{number:06d}", rng.choice(CODES), coder, start, start + 200, TEXT[:200], "", "en",
                             "2026-12-02T00:00:00+00:00"))
        connection.executemany('INSERT INTO passages (document_id, code, coder, start, "end", text, pattern, '
                               "language, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    connection.execute("ANALYZE")
    connection.close()
    return store.path


def queries(documents: int) -> dict[str, tuple[str, tuple]]:
    chunk = [f"doc-{number:06d}" for number in range(0, min(documents, 500))]
    marks = ", ".join("?" * len(chunk))
    return {
        "coverage (500 documents, coder auto)": (
            f"SELECT document_id, code, count(*) FROM passages WHERE document_id IN ({marks}) AND coder IN ('auto') "
            "GROUP BY document_id, code", tuple(chunk)),
        "themes (press by year and code, every coder)": (
            "SELECT substr(documents.date, 1, 4), passages.code, count(DISTINCT passages.document_id), count(*) "
            "FROM passages JOIN documents ON passages.document_id = documents.document_id "
            "WHERE documents.kind = 'press' AND documents.date != '' GROUP BY substr(documents.date, 1, 4), "
            "passages.code", ()),
        "report counts, NOT INDEXED (as it is)": (
            "SELECT document_id, code, coder, count(*), min(id) FROM passages NOT INDEXED "
            "GROUP BY document_id, code, coder", ()),
        "report counts, planner free": (
            "SELECT document_id, code, coder, count(*), min(id) FROM passages GROUP BY document_id, code, coder", ()),
        "one document's passages": (
            "SELECT * FROM passages WHERE document_id = ? ORDER BY document_id, start, id", (chunk[len(chunk) // 2],)),
    }


def cpu(connection: sqlite3.Connection, sql: str, parameters: tuple, repeat: int) -> float:
    started = time.process_time()
    for _ in range(repeat):
        connection.execute(sql, parameters).fetchall()
    return (time.process_time() - started) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=4000)
    parser.add_argument("--passages", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as temporary:
        path = make_store(Path(temporary), arguments.documents, arguments.passages)
        connection = sqlite3.connect(path)
        total = connection.execute("SELECT count(*) FROM passages").fetchone()[0]
        print(f"store: {arguments.documents:,} documents, {total:,} passages, {path.stat().st_size / 1e6:.0f} MB")
        best: dict[tuple[str, bool], float] = {}
        plans: dict[tuple[str, bool], str] = {}
        for _round in range(arguments.rounds):
            for indexed in (False, True):
                if indexed:
                    connection.execute(f"CREATE INDEX IF NOT EXISTS {PASSAGE_COUNTS_INDEX} "
                                       "ON passages (document_id, code, coder)")
                else:
                    connection.execute(f"DROP INDEX IF EXISTS {PASSAGE_COUNTS_INDEX}")
                connection.execute("ANALYZE")
                for name, (sql, parameters) in queries(arguments.documents).items():
                    connection.execute(sql, parameters).fetchall()  # warm the page cache
                    repeat = 20 if "one document" in name or "coverage" in name else 3
                    seconds = cpu(connection, sql, parameters, repeat)
                    best[name, indexed] = min(seconds, best.get((name, indexed), seconds))
                    plans[name, indexed] = "; ".join(row[3] for row in
                                                     connection.execute(f"EXPLAIN QUERY PLAN {sql}", parameters))
        connection.close()
    print("| query | without: CPU ms | plan | with the index: CPU ms | plan | with / without |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in queries(arguments.documents):
        without, with_index = best[name, False], best[name, True]
        print(f"| {name} | {without * 1000:.2f} | {plans[name, False]} | {with_index * 1000:.2f} | "
              f"{plans[name, True]} | {with_index / without:.2f} |")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
