"""Storing read documents with their automatic coding: one transaction per batch, each document whole.

:func:`ingest` codes each document in memory (:func:`import_rows` reads and codes a manifest's rows first,
in parallel processes when the list is long, see :mod:`~diaspora_observatory.documents.ingest_workers`),
then stores a batch of documents with their passages in one transaction
(:meth:`~diaspora_observatory.documents.store.DocumentStore.add_coded`). So a document is never stored
without the coding it was imported with — a killed import leaves every document either absent or
complete — and a press corpus costs one durable commit per batch instead of two commits and a re-read per
document (issue 15 measured those as most of the time of ``documents import-list``).

A document in a language the codebook has no patterns for (Turkish, an undetermined language, or any
language with a REFI-QDA codebook, which carries no patterns) is stored without passages, and its
:class:`Outcome` says why; it is never coded with another language's patterns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from diaspora_observatory.documents.codebook import Codebook, LanguageNotCoded
from diaspora_observatory.documents.coding import CodedPassage, compile_codebook
from diaspora_observatory.documents.importer import Document, DocumentImportError, ManifestRow, checked_documents
from diaspora_observatory.documents.ingest_workers import read_all, workers_for
from diaspora_observatory.documents.store_schema import DocumentExists, already_stored

if TYPE_CHECKING:  # the store's module imports SQLAlchemy, which import-list does without (import_store.py)
    from diaspora_observatory.documents.import_store import ImportStore
    from diaspora_observatory.documents.store import DocumentStore

BATCH_SIZE = 200


@dataclass(frozen=True)
class Outcome:
    """What happened to one document: stored with ``passages`` automatic passages, or stored uncoded and why."""

    document_id: str
    language: str
    passages: int
    not_coded: str = ""
    hint: str = ""

    @property
    def coded(self) -> bool:
        return not self.not_coded


def code_document(document: Document, codebook: Codebook | None) -> tuple[list[CodedPassage], Outcome]:
    """The automatic passages of one document and its outcome (uncoded, with the reason, when refused)."""
    if codebook is None:
        return [], Outcome(document.document_id, document.language, 0, "not coded: coding was not asked for")
    try:
        passages = compile_codebook(codebook).code_text(document.text, document.language, document.document_id,
                                                        document.alphabet)
    except LanguageNotCoded as refusal:
        return [], Outcome(document.document_id, document.language, 0, refusal.message, refusal.hint or "")
    return passages, Outcome(document.document_id, document.language, len(passages))


def ingest(store: DocumentStore, codebook: Codebook | None, documents: Iterable[Document], *, replace: bool = False,
           batch_size: int = BATCH_SIZE, progress: Callable[[int, int], None] | None = None,
           waiting: Callable[[], None] | None = None) -> list[Outcome]:
    """Code and store ``documents`` in batches of ``batch_size``, each batch in one transaction.

    Every id is checked against the store before the first batch, so a clash stores nothing; the check and
    the batches are under the store's import lock (:meth:`DocumentStore.importing`, ``waiting()`` told when
    another import holds it), so that another import cannot store one of the ids in between. ``progress``
    is called with (documents stored, documents in all) after each batch.
    """
    documents = list(documents)
    outcomes: list[Outcome] = []
    with store.importing(waiting):
        _refuse_clashes(store, documents, replace)
        for first in range(0, len(documents), batch_size):
            batch = documents[first:first + batch_size]
            coded = [code_document(document, codebook) for document in batch]
            store.add_coded([(document, passages) for document, (passages, _) in zip(batch, coded)],
                            replace=replace)
            outcomes.extend(outcome for _, outcome in coded)
            if progress is not None:
                progress(len(outcomes), len(documents))
    return outcomes


def import_rows(store: DocumentStore | ImportStore, codebook: Codebook | None,
                rows: list[ManifestRow | DocumentImportError], *, replace: bool = False, workers: int | None = None,
                batch_size: int = BATCH_SIZE,
                progress: Callable[[int, int], None] | None = None,
                reading: Callable[[int, int], None] | None = None,
                waiting: Callable[[], None] | None = None) -> tuple[list[Document], list[Outcome]]:
    """Read, code and store the rows of a manifest (:func:`~.importer.manifest_rows`): all or nothing on a bad row.

    Every row is read and coded first (in ``workers`` worker processes and this one, see
    :mod:`~diaspora_observatory.documents.ingest_workers`; by default as many as pay their start), and
    checked: a bad row or a repeated id raises its error, the first in the manifest's order, before anything
    is stored. The documents are then stored in the manifest's order as :func:`ingest` stores them, in
    batches of ``batch_size``, each in one transaction; ``progress`` is called after each batch with
    (documents stored, documents in all), and ``reading`` with (rows read, rows in all) as they are read.
    The check and the batches are under the store's import lock, as in :func:`ingest` (``waiting()`` is told
    when another import holds it): the rows are read and coded before it, beside the other import.
    """
    readable = [row for row in rows if isinstance(row, ManifestRow)]

    def read(done: int) -> None:
        if reading is not None:
            reading(done, len(readable))

    results = read_all(readable, codebook, workers_for(len(readable), workers), read)
    # an unreadable row ends the rows (see manifest_rows), after every row before it
    unreadable = [row for row in rows[len(readable):] if isinstance(row, DocumentImportError)]
    documents = checked_documents(rows, [*(result[0] for result in results), *unreadable])
    outcomes = [Outcome(document.document_id, document.language, len(passages), not_coded, hint)
                for document, (_, passages, not_coded, hint) in zip(documents, results)]
    with store.importing(waiting):
        _refuse_clashes(store, documents, replace)
        for first in range(0, len(documents), batch_size):
            store.add_coded_rows([(document, passages) for document, (_, passages, _, _)
                                  in zip(documents[first:first + batch_size], results[first:first + batch_size])],
                                 replace=replace)
            if progress is not None:
                progress(min(first + batch_size, len(documents)), len(documents))
    return documents, outcomes


def _refuse_clashes(store: DocumentStore | ImportStore, documents: list[Document], replace: bool) -> None:
    """Every id checked against the store before the first batch, so that a clash stores nothing."""
    if replace:
        return
    clashes = store.stored_ids([d.document_id for d in documents])
    if len(clashes) == 1:
        raise DocumentExists(already_stored(clashes),
                             "give another id with --id, or --replace to overwrite it and its codings")
    if clashes:
        raise DocumentExists(already_stored(clashes),
                             "give other ids, or --replace to overwrite them and their codings")
