"""One case's documents work in one place: its metadata, the imported texts, the codebook and the codings.

The CLI and the web app both go through :class:`Workspace`, so they show the same coverage, gaps and
agreement; the computing itself is in :mod:`diaspora_observatory.analysis.documents`.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from diaspora_observatory.analysis import documents as analysis
from diaspora_observatory.case.package import Case
from diaspora_observatory.documents.codebook import Codebook, load_codebook
from diaspora_observatory.documents.coding import code_text
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.reading import Reading, read_text, reading_of
from diaspora_observatory.documents.store import DocumentNotFound, DocumentStore, documents_table, passages_table


@dataclass
class Workspace:
    case: Case
    data_dir: Path | None = None
    codebook: Codebook = field(default_factory=load_codebook)

    def __post_init__(self) -> None:
        self.store = DocumentStore(self.case.name, self.data_dir)
        # document_id -> ((sha256, length in bytes), Reading): spans of a text are found once, not on every page view
        self._readings: dict[str, tuple[tuple[str, int], Reading]] = {}
        self._passages: tuple[tuple, pd.DataFrame] | None = None
        self._passages_lock = threading.Lock()
        self._coders: tuple[tuple, list[str]] | None = None

    @property
    def codes(self) -> list[str]:
        return self.codebook.leaves

    def documents(self) -> pd.DataFrame:
        """Case documents (metadata) and imported documents (with text); see ``analysis.documents_frame``."""
        case_documents = self.case.table("documents") if "documents" in self.case.resource_names else None
        return analysis.documents_frame(case_documents, self.stored_documents())

    def stored_documents(self) -> list[Document]:
        """The stored documents' metadata, texts left out (``text`` empty): listing a 30 MB law reads no text."""
        columns = [c for c in documents_table.columns if c.name != "text"]
        with self.store.engine.connect() as connection:
            rows = connection.execute(sa.select(*columns).order_by(documents_table.c.date,
                                                                   documents_table.c.document_id))
            return [Document(**row._mapping, text="") for row in rows]

    def import_document(self, document: Document, *, replace: bool = False, code: bool = True) -> int:
        """Store a document and (by default) code it automatically, in one transaction; returns the number of
        auto passages (0 for a language the codebook has no patterns for: see :mod:`..ingest`)."""
        from diaspora_observatory.documents.ingest import ingest

        return ingest(self.store, self.codebook if code else None, [document], replace=replace)[0].passages

    def code(self, document_id: str) -> int:
        """Code one stored document automatically, replacing its earlier automatic passages."""
        document = self.store.get(document_id)
        return self.store.replace_auto(document_id, code_text(document.text, document.language, self.codebook,
                                                              document_id, document.alphabet))

    def passages(self, coders: list[str] | None = None) -> pd.DataFrame:
        frame = self.store.passages()
        return frame if coders is None else frame[frame["coder"].isin(coders)].reset_index(drop=True)

    # reading one document page by page (the coding page) ----------------------------------------------
    def reading(self, document_id: str) -> Reading:
        """The spans and pages of a stored text, kept while its checksum and length stay the same."""
        with self.store.engine.connect() as connection:
            # the length in bytes (of the text cast to a blob) is known without decoding the text, which
            # length() of a text would do: a change detector at a fraction of the cost for a long law
            in_bytes = sa.func.length(sa.cast(documents_table.c.text, sa.LargeBinary))
            row = connection.execute(sa.select(documents_table.c.sha256, in_bytes)
                                     .where(documents_table.c.document_id == document_id)).first()
        if row is None:
            raise DocumentNotFound(f"no document {document_id!r} in {self.store.path.name}",
                                   "list them with `diaspora documents list`")
        key = (row[0], int(row[1]))
        cached = self._readings.get(document_id)
        if cached and cached[0] == key:
            return cached[1]
        stored = self.store.stored_spans(document_id, key[1])
        # a long text's spans were found at import; a short one (or one stored before step 3) is split now
        reading = reading_of(*stored) if stored else read_text(self.store.get(document_id).text)
        if len(self._readings) >= READINGS_KEPT:
            self._readings.pop(next(iter(self._readings)))
        self._readings[document_id] = (key, reading)
        return reading

    def text_between(self, document_id: str, start: int, end: int) -> str:
        """``text[start:end]`` of a stored document, read without loading the whole text."""
        with self.store.engine.connect() as connection:
            return connection.execute(sa.select(sa.func.substr(documents_table.c.text, start + 1, end - start))
                                      .where(documents_table.c.document_id == document_id)).scalar_one()

    def passages_between(self, document_id: str, start: int, end: int) -> list[dict]:
        """The passages touching ``[start, end)``, by position: id, code, coder, start, end, text, pattern."""
        c = passages_table.c
        touching = sa.and_(c.document_id == document_id, c.start < end, c.end > start)
        with self.store.engine.connect() as connection:
            rows = connection.execute(sa.select(c.id, c.code, c.coder, c.start, c.end, c.text, c.pattern)
                                      .where(touching).order_by(c.start, c.id))
            return [dict(row._mapping) for row in rows]

    def passage(self, passage_id: int) -> dict | None:
        """One stored passage (id, document_id, code, coder, start, end), or None."""
        c = passages_table.c
        with self.store.engine.connect() as connection:
            row = connection.execute(sa.select(c.id, c.document_id, c.code, c.coder, c.start, c.end)
                                     .where(c.id == passage_id)).first()
        return dict(row._mapping) if row else None

    def about(self, document_id: str) -> Document:
        """A stored document's metadata, its text left out (``text`` is empty): for pages of long texts."""
        columns = [c for c in documents_table.columns if c.name != "text"]
        with self.store.engine.connect() as connection:
            row = connection.execute(sa.select(*columns).where(documents_table.c.document_id == document_id)).first()
        if row is None:
            raise DocumentNotFound(f"no document {document_id!r} in {self.store.path.name}",
                                   "list them with `diaspora documents list`")
        return Document(**row._mapping, text="")

    def passage_count(self, document_id: str) -> int:
        c = passages_table.c
        with self.store.engine.connect() as connection:
            return int(connection.execute(sa.select(sa.func.count()).where(c.document_id == document_id))
                       .scalar_one())

    def all_passages(self) -> pd.DataFrame:
        """Every stored passage (``store.passages()``), read once per :meth:`version` rather than once per table:
        the coding index draws four tables from them, and a 30 MB law alone has 150,000."""
        version = self.version()
        with self._passages_lock:
            if self._passages is None or self._passages[0] != version:
                self._passages = (version, self.store.passages())
            return self._passages[1]

    def version(self) -> tuple:
        """A value that changes whenever a document or passage is added, replaced or deleted (for caches)."""
        return (self.store.version(),)

    def coders(self) -> list[str]:
        """Every coder with a stored passage, sorted: one query per :meth:`version` (every view of the coding
        index asks; without an index on the coder it reads every passage: 200,000 for 100,000 articles)."""
        version = self.version()
        cached = self._coders
        if cached is not None and cached[0] == version:
            return cached[1]
        with self.store.engine.connect() as connection:
            coders = sorted(connection.execute(sa.select(passages_table.c.coder).distinct()).scalars())
        self._coders = (version, coders)
        return coders

    def reference(self) -> pd.DataFrame | None:
        if "document_themes" not in self.case.resource_names:
            return None
        return analysis.reference_coding(self.case.table("document_themes"))

    def coverage(self, coders: list[str] | None = None) -> pd.DataFrame:
        return analysis.coverage(self.documents(), self.all_passages(), self.codes, coders)

    def gaps(self, coders: list[str] | None = None) -> pd.DataFrame:
        return analysis.gaps(self.coverage(coders))

    def themes_over_time(self, kind: str = "press", coders: list[str] | None = None) -> pd.DataFrame:
        return analysis.themes_over_time(self.documents(), self.all_passages(), self.codes, kind, coders)

    def units(self) -> pd.DataFrame:
        return analysis.presence(self.documents(), self.all_passages(), self.codes, self.reference())

    def agreement(self) -> pd.DataFrame:
        return analysis.agreement(self.units())

    def disagreements(self, coder_a: str, coder_b: str) -> pd.DataFrame:
        return analysis.disagreements(self.units(), coder_a, coder_b)

    def import_accounts(self, document_id: str) -> pd.DataFrame:
        """Give each case document without text the sentences of a stored text that cite it, and code them.

        The sentences of a study that cite a document (author-year) are the study's account of that
        document. Stored as that document's text (marked in ``source``), they let the study's own reading
        (coder ``study``) be compared with the automatic coding of its account (coder ``auto``). Documents
        that already have a text of their own are left alone. Returns document_id, sentences, passages.
        """
        from diaspora_observatory.documents.coding import sentences

        study_text = self.store.get(document_id)
        if "documents" not in self.case.resource_names:
            return pd.DataFrame(columns=["document_id", "sentences", "passages"])
        case_documents = self.case.table("documents")
        labels = analysis.citation_labels(case_documents, self.case.sources)
        cited = analysis.cited_sentences(study_text.text, sentences(study_text.text), labels)
        own = {d.document_id: d for d in self.store.documents()}
        marker = f"{ACCOUNT_MARK} {document_id}"
        rows = []
        for row in case_documents.to_dict(orient="records"):
            target = row["document_id"]
            spans = cited[cited["document_id"] == target]
            if spans.empty or (target in own and not own[target].source.startswith(ACCOUNT_MARK)):
                continue
            # the citations themselves (names of ministries and so on) are not what the study says of the document
            text = "\n\n".join(_CITATION.sub("", study_text.text[s:e]) for s, e in zip(spans["start"], spans["end"]))
            account = Document(document_id=target, title=row["title"], kind=row["kind"], date=str(row["year"]),
                               language=study_text.language, text=text, script=study_text.script,
                               source=f"{marker} citing {labels[target]}", source_id=row.get("source_id") or "",
                               filename=study_text.filename)
            rows.append({"document_id": target, "sentences": len(spans),
                         "passages": self.import_document(account, replace=True)})
        return pd.DataFrame(rows, columns=["document_id", "sentences", "passages"])


ACCOUNT_MARK = "sentences of"
READINGS_KEPT = 8  # texts whose spans are kept in memory (16 bytes a span)
_CITATION = re.compile(r"\s?\([^()]*\b(?:19|20)\d\d[a-z]?\)")
