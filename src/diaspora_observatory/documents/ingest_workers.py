"""Reading and coding the rows of a manifest in parallel processes, for :func:`~.ingest.import_rows`.

Reading a press article (decoding, tidying, telling its language) and coding it cost several times what
storing it does (issue 15), and each article is read and coded on its own: so the rows are cut into
chunks and read and coded by worker processes *and* by the importing process itself, which takes the next
chunk whenever the workers are busy (so the seconds a spawned worker needs to start are not lost, and a
machine whose workers never start still finishes). Results are put back in the manifest's order, so
what is stored, and in which order, does not depend on which process read what.

Workers are forked where the system can fork and no other thread runs in the importing process
(:func:`start_method`): a forked worker starts in milliseconds with the modules and the compiled codebook
already in memory, and never touches the open database it inherits (it reads files and codes text, and
ends with ``os._exit``). Elsewhere they are spawned (a fresh interpreter, which imports the reading and
coding modules again, about half a second to a second, before its first chunk). At most
:data:`MAX_WORKERS`, no more than the processors left idle beside the importing process (see
:func:`workers_for`), and only for a list long enough to pay their start. A worker's
unexpected error ends the import with that error; a row's :class:`DocumentImportError` is returned with
the row, and reported in the manifest's order by
:func:`~diaspora_observatory.documents.importer.checked_documents`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from diaspora_observatory.documents.codebook import Codebook, LanguageNotCoded
from diaspora_observatory.documents.coding import PassageRow, compile_codebook
from diaspora_observatory.documents.importer import Document, DocumentImportError, ManifestRow, read_row

CHUNK = 50  # rows a process reads and codes at a time: small enough to share the work out evenly
MAX_WORKERS = 4
PARALLEL_FROM = 1000  # rows: below this a worker's start costs more than it saves

# (document or the row's error, its automatic passages as the store's rows, why it was not coded and the
# hint; empty if coded)
Read = tuple[Document | DocumentImportError, list[PassageRow], str, str]

_codebook: Codebook | None = None  # a worker's codebook, set when it starts


def workers_for(rows: int, asked: int | None = None) -> int:
    """How many worker processes to start for ``rows`` rows (0: read them in this process).

    ``asked`` (the ``--workers`` a user gave) is used as it is, up to :data:`MAX_WORKERS`; without it, the
    processors other programs leave idle (the load average says how many are busy), less the one this
    process uses, and none for fewer than :data:`PARALLEL_FROM` rows. On a machine whose processors are
    all busy a worker only adds its start (measured: half a second to two of processor time, and no
    shorter import, on two processors under a load of 12 to 15).
    """
    if asked is not None:
        return max(0, min(asked, MAX_WORKERS))
    if rows < PARALLEL_FROM:
        return 0
    try:
        busy = int(os.getloadavg()[0])
    except (AttributeError, OSError):  # no load average on this system (Windows): count none busy
        busy = 0
    return max(0, min((os.cpu_count() or 1) - 1 - busy, MAX_WORKERS))


def start_method() -> str:
    """``fork`` where the system has it and no other thread runs in this process (a forked child would
    inherit another thread's locks held); ``spawn`` elsewhere."""
    return "fork" if hasattr(os, "fork") and threading.active_count() == 1 else "spawn"


def read_and_code(rows: list[ManifestRow], codebook: Codebook | None) -> list[Read]:
    """Each row read and, when its language has patterns, coded (the work of one chunk)."""
    results: list[Read] = []
    for row in rows:
        document = read_row(row)
        if isinstance(document, DocumentImportError) or codebook is None:
            results.append((document, [], "not coded: coding was not asked for" if codebook is None else "", ""))
            continue
        try:
            passages = compile_codebook(codebook).code_rows(document.text, document.language, document.document_id,
                                                            document.alphabet)
        except LanguageNotCoded as refusal:
            results.append((document, [], refusal.message, refusal.hint or ""))
        else:
            results.append((document, passages, "", ""))
    return results


def _start_worker(codebook: Codebook | None) -> None:
    global _codebook
    _codebook = codebook


def _worker_chunk(rows: list[ManifestRow]) -> list[Read]:
    return read_and_code(rows, _codebook)


def read_all(rows: list[ManifestRow], codebook: Codebook | None, workers: int,
             progress: Callable[[int], None] | None = None) -> list[Read]:
    """Every row read and coded, in the rows' order, by ``workers`` processes and this one.

    ``progress`` is called with the number of rows done after each chunk.
    """
    chunks = [rows[first:first + CHUNK] for first in range(0, len(rows), CHUNK)]
    done: list[list[Read] | None] = [None] * len(chunks)
    finished = 0

    def record(index: int, results: list[Read]) -> None:
        nonlocal finished
        done[index] = results
        finished += len(results)
        if progress is not None:
            progress(finished)

    if workers <= 0:
        for index, chunk in enumerate(chunks):
            record(index, read_and_code(chunk, codebook))
    else:
        try:
            _share_out(chunks, codebook, workers, record)
        except BrokenProcessPool:
            pass  # a worker could not start or died: this process reads what the workers left (below)
    for index, chunk in enumerate(chunks):
        if done[index] is None:
            record(index, read_and_code(chunk, codebook))
    return [result for results in done if results is not None for result in results]


def _share_out(chunks: list[list[ManifestRow]], codebook: Codebook | None, workers: int,
               record: Callable[[int, list[Read]], None]) -> None:
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context(start_method()), initializer=_start_worker,
                             initargs=(codebook,)) as pool:
        running: dict[Future, int] = {}
        following = 0
        while following < len(chunks) or running:
            for future in [future for future in running if future.done()]:
                record(running.pop(future), future.result())
            # two chunks queued per worker, so none waits for this process to hand it the next
            while len(running) < 2 * workers and following < len(chunks):
                running[pool.submit(_worker_chunk, chunks[following])] = following
                following += 1
            if following < len(chunks):
                record(following, read_and_code(chunks[following], codebook))
                following += 1
            elif running:
                wait(running, return_when=FIRST_COMPLETED)
