"""One case's documents work in one place: its metadata, the imported texts, the codebook and the codings.

The CLI and the web app both go through :class:`Workspace`, so they show the same coverage, gaps and
agreement; the computing itself is in :mod:`diaspora_observatory.analysis.documents`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from diaspora_observatory.analysis import documents as analysis
from diaspora_observatory.case.package import Case
from diaspora_observatory.documents.codebook import Codebook, load_codebook
from diaspora_observatory.documents.coding import code_text
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.store import DocumentStore


@dataclass
class Workspace:
    case: Case
    data_dir: Path | None = None
    codebook: Codebook = field(default_factory=load_codebook)

    def __post_init__(self) -> None:
        self.store = DocumentStore(self.case.name, self.data_dir)

    @property
    def codes(self) -> list[str]:
        return self.codebook.leaves

    def documents(self) -> pd.DataFrame:
        """Case documents (metadata) and imported documents (with text); see ``analysis.documents_frame``."""
        case_documents = self.case.table("documents") if "documents" in self.case.resource_names else None
        return analysis.documents_frame(case_documents, self.store.documents())

    def import_document(self, document: Document, *, replace: bool = False, code: bool = True) -> int:
        """Store a document and (by default) code it automatically, in one transaction; returns the number of
        auto passages (0 for a language the codebook has no patterns for: see :mod:`..ingest`)."""
        from diaspora_observatory.documents.ingest import ingest

        return ingest(self.store, self.codebook if code else None, [document], replace=replace)[0].passages

    def code(self, document_id: str) -> int:
        """Code one stored document automatically, replacing its earlier automatic passages."""
        document = self.store.get(document_id)
        return self.store.replace_auto(document_id, code_text(document.text, document.language, self.codebook,
                                                              document_id))

    def code_all(self) -> dict[str, int]:
        return {d.document_id: self.code(d.document_id) for d in self.store.documents()}

    def passages(self, coders: list[str] | None = None) -> pd.DataFrame:
        frame = self.store.passages()
        return frame if coders is None else frame[frame["coder"].isin(coders)].reset_index(drop=True)

    def reference(self) -> pd.DataFrame | None:
        if "document_themes" not in self.case.resource_names:
            return None
        return analysis.reference_coding(self.case.table("document_themes"))

    def coverage(self, coders: list[str] | None = None) -> pd.DataFrame:
        return analysis.coverage(self.documents(), self.store.passages(), self.codes, coders)

    def gaps(self, coders: list[str] | None = None) -> pd.DataFrame:
        return analysis.gaps(self.coverage(coders))

    def themes_over_time(self, kind: str = "press", coders: list[str] | None = None) -> pd.DataFrame:
        return analysis.themes_over_time(self.documents(), self.store.passages(), self.codes, kind, coders)

    def units(self) -> pd.DataFrame:
        return analysis.presence(self.documents(), self.store.passages(), self.codes, self.reference())

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
_CITATION = re.compile(r"\s?\([^()]*\b(?:19|20)\d\d[a-z]?\)")
