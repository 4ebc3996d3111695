"""Reading policy documents and press items: txt, md, html, docx and pdf (with a text layer).

:func:`read_document` returns a :class:`Document` (text plus metadata, language detected); storing it is
the job of :mod:`diaspora_observatory.documents.store`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from datetime import date as Date
from html.parser import HTMLParser
from pathlib import Path

from diaspora_observatory.documents.language import detect_language
from diaspora_observatory.errors import DiasporaError

KINDS = ("law", "concept", "plan", "press", "other")
POLICY_KINDS = ("law", "concept", "plan")
FORMATS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
           ".docx": "docx", ".pdf": "pdf"}
MAX_BYTES = 50_000_000


class DocumentImportError(DiasporaError):
    """A document file that cannot be read, or metadata that is not valid."""


@dataclass
class Document:
    """A document's text and metadata. ``date`` is ISO (YYYY, YYYY-MM or YYYY-MM-DD); ``year`` comes from it."""

    document_id: str
    title: str
    kind: str
    date: str
    language: str
    text: str
    script: str = ""
    source: str = ""
    source_id: str = ""
    filename: str = ""
    sha256: str = ""

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    def as_dict(self) -> dict:
        return {**asdict(self), "year": self.year}


class _HTMLText(HTMLParser):
    """Visible text of an HTML page, with a paragraph break after every block element."""

    _BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "blockquote"}
    _SKIP = {"script", "style", "noscript", "template", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        elif tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)


def _tidy(text: str) -> str:
    """Spaces collapsed within lines and at most one blank line between paragraphs."""
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# A well-formed UTF-8 sequence of two to four bytes: a file holding one is UTF-8 text, even if some
# other byte of it is broken.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _decode(raw: bytes, path: Path) -> str:
    """The text of ``raw``: UTF-8, or Windows-1251 for an older Russian file with no UTF-8 in it at all.

    A UTF-8 file with a broken byte is refused with its line, never re-read as Windows-1251 (which
    decodes nearly any bytes, so the whole text would silently turn into other letters)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if _UTF8_MULTIBYTE.search(raw):
            line = raw[:error.start].count(b"\n") + 1
            raise DocumentImportError(f"{path.name}: line {line} is not valid UTF-8 (byte {error.start + 1} of the "
                                      "file), though the rest of the text is UTF-8",
                                      "open the file in a text editor, correct or retype that line and save it "
                                      "as UTF-8") from None
    try:
        return raw.decode("cp1251")
    except UnicodeDecodeError:
        raise DocumentImportError(f"{path.name}: the text is neither UTF-8 nor Windows-1251",
                                  "save the file as UTF-8 and import it again") from None


def _read_docx(path: Path) -> tuple[str, str]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as error:
        raise DocumentImportError(f"{path.name} is not a readable .docx file ({error.__class__.__name__})",
                                  "open it in a word processor and save it again as .docx") from None
    paragraphs = [p.text for p in document.paragraphs]
    headings = (p.text for p in document.paragraphs
                if p.style is not None and p.style.name.startswith(("Title", "Heading")) and p.text.strip())
    title = document.core_properties.title or next(headings, "")
    return "\n\n".join(paragraphs), title


def _read_pdf(path: Path) -> tuple[str, str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or ""
    except (PdfReadError, ValueError, KeyError) as error:
        raise DocumentImportError(f"{path.name} is not a readable PDF ({error})",
                                  "check that the file is a complete PDF") from None
    text = "\n\n".join(pages)
    if not text.strip():
        raise DocumentImportError(f"{path.name} has no text layer (it is probably a scan)",
                                  "run OCR on it first (for example with ocrmypdf) and import the result")
    return text, title


def read_text(path: Path) -> tuple[str, str]:
    """The plain text of a document file and the title it declares (empty if none)."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DocumentImportError(f"{path.name}: unsupported file type {path.suffix or '(none)'}",
                                  f"import one of: {', '.join(sorted(FORMATS))}")
    if fmt == "docx":
        return _read_docx(path)
    if fmt == "pdf":
        return _read_pdf(path)
    text = _decode(path.read_bytes(), path)
    if fmt == "html":
        parser = _HTMLText()
        parser.feed(text)
        return "".join(parser.parts), parser.title.strip()
    if fmt == "md":
        heading = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
        return text, heading.group(1).strip() if heading else ""
    return text, ""


def check_date(value: str) -> str:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD), checked; raises DocumentImportError otherwise."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        if re.fullmatch(r"\d{4}", value):
            Date(int(value), 1, 1)
        elif re.fullmatch(r"\d{4}-\d{2}", value):
            Date(int(value[:4]), int(value[5:]), 1)
        else:
            Date.fromisoformat(value)
    except ValueError:
        raise DocumentImportError(f"date {value!r} is not a date", "write it as YYYY, YYYY-MM or YYYY-MM-DD") from None
    return value


def slug(text: str) -> str:
    """A document id made from a title or file name: lower case letters, digits and hyphens."""
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-")[:60] or "document"


def read_document(path: str | Path, *, kind: str = "other", date: str = "", title: str = "", source: str = "",
                  source_id: str = "", language: str = "", document_id: str = "") -> Document:
    """Read a document file into a :class:`Document`, detecting its language unless ``language`` is given.

    Example: ``read_document("law.txt", kind="law", date="2023-06-01")``.
    """
    path = Path(path)
    if not path.is_file():
        raise DocumentImportError(f"no file at {path}", "check the path")
    if path.stat().st_size > MAX_BYTES:
        raise DocumentImportError(f"{path.name} is larger than {MAX_BYTES // 1_000_000} MB",
                                  "split it into smaller documents")
    if kind not in KINDS:
        raise DocumentImportError(f"kind {kind!r} is not known", f"use one of: {', '.join(KINDS)}")
    if language and language not in ("en", "ru", "kk"):
        raise DocumentImportError(f"language {language!r} is not supported", "use en, ru or kk")
    text, declared_title = read_text(path)
    text = _tidy(text)
    if not text:
        raise DocumentImportError(f"{path.name} contains no text", "check that the file is not empty")
    detected = detect_language(text)
    if not language and detected.language == "und":
        raise DocumentImportError(f"{path.name}: the language could not be detected",
                                  "give it with --language en, ru or kk")
    final_title = title or declared_title or path.stem
    return Document(
        document_id=document_id or slug(final_title if title else path.stem), title=final_title, kind=kind,
        date=check_date(date), language=language or detected.language,
        script=detected.script if not language or language == detected.language else "",
        text=text, source=source, source_id=source_id, filename=path.name,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest())


MANIFEST_COLUMNS = ("file", "kind", "date", "title", "source", "source_id", "language", "id")


def read_manifest(path: str | Path) -> list[Document]:
    """Read every document a manifest CSV lists; any bad row stops the whole import before anything is stored.

    Columns: ``file`` (required; relative to the manifest's folder), and optionally ``kind``, ``date``,
    ``title``, ``source``, ``source_id``, ``language``, ``id``. Errors name the manifest row and column.
    """
    import csv

    path = Path(path)
    if not path.is_file():
        raise DocumentImportError(f"no manifest at {path}", "check the path")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        unknown = set(reader.fieldnames or []) - set(MANIFEST_COLUMNS)
        if "file" not in (reader.fieldnames or []) or unknown:
            raise DocumentImportError(f"{path.name}: columns must include 'file' and be among "
                                      f"{', '.join(MANIFEST_COLUMNS)}" + (f" (unknown: {', '.join(sorted(unknown))})"
                                                                         if unknown else ""),
                                      "fix the header row of the manifest")
        documents: list[Document] = []
        seen: dict[str, int] = {}
        for row in reader:
            where = f"{path.name} row {reader.line_num}"
            values = {k: (v or "").strip() for k, v in row.items() if k}
            if not values.get("file"):
                raise DocumentImportError(f"{where}, column file: empty", "give the document's file name")
            try:
                document = read_document(path.parent / values["file"], kind=values.get("kind") or "other",
                                         date=values.get("date", ""), title=values.get("title", ""),
                                         source=values.get("source", ""), source_id=values.get("source_id", ""),
                                         language=values.get("language", ""), document_id=values.get("id", ""))
            except DocumentImportError as error:
                raise DocumentImportError(f"{where}: {error.message}", error.hint) from None
            if document.document_id in seen:
                raise DocumentImportError(f"{where}, column id: {document.document_id!r} is also the id of row "
                                          f"{seen[document.document_id]}", "give each document its own id")
            seen[document.document_id] = reader.line_num
            documents.append(document)
    return documents
