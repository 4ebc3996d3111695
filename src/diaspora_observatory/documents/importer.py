"""Reading policy documents and press items: txt, md, html, docx and pdf (with a text layer).

:func:`read_document` returns a :class:`Document` (text plus metadata, language detected); storing it is
the job of :mod:`diaspora_observatory.documents.store`.

Text is normalised the same way for every format, so that patterns match what a reader sees: the Unicode
ligatures ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ are expanded and soft hyphens (U+00AD) removed. PDF text also has its line-end
hyphenation joined: a letter, a hyphen, a line break and a lower-case letter become one word
("migra-\ntion" → "migration"). That rule is simple on purpose; its cost is that a compound broken at its
own hyphen ("self-\ngoverning") loses the hyphen, which changes no code match, since patterns match words.

Hostile files are refused with a message rather than allowed to exhaust memory: a DOCX's XML parts are
capped in decompressed size (:data:`MAX_XML_BYTES`) and compression ratio (:data:`MAX_ZIP_RATIO`), must
declare no document type or entities, and must be well-formed; an HTML page is capped at
:data:`MAX_HTML_BYTES` (Python's HTML parser expands only the standard character references).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, fields
from datetime import date as Date
from html.parser import HTMLParser
from pathlib import Path

from diaspora_observatory.csv_guard import CsvDictRows, CsvRefused
from diaspora_observatory.documents.language import (
    ALPHABET_SAMPLE,
    ALPHABETS,
    CODED_LANGUAGES,
    DETECTION_SAMPLE,
    KNOWN_LANGUAGES,
    detect_language,
    is_mainly_latin,
    kazakh_alphabet,
    telling_letters,
)
from diaspora_observatory.errors import DiasporaError

KINDS = ("law", "concept", "plan", "press", "other")
POLICY_KINDS = ("law", "concept", "plan")
FORMATS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
           ".docx": "docx", ".pdf": "pdf"}
MAX_BYTES = 50_000_000
# a press article or a law is a few MB of XML at most; python-docx holds the whole tree in memory (about
# ten times the XML's size), so a part beyond this is refused instead of exhausting the machine
MAX_XML_BYTES = 60_000_000
# word processors' XML deflates about 5 to 20 times; a part far beyond that is a decompression bomb
MAX_ZIP_RATIO = 100
MAX_HTML_BYTES = 20_000_000
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st",
                            "\u00ad": None})
_LIGATURES_AND_SOFT_HYPHEN = "\u00ad\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06"
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])-[ \t]*\n[ \t]*(?=([^\W\d_]))")


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
    # The Kazakh Latin alphabet (2017, 2018, 2021) of a Kazakh text in Latin letters, told by its letters or
    # given with --alphabet; empty otherwise, and for a text whose letters tell none (which is then not coded).
    alphabet: str = ""

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    def as_dict(self) -> dict:
        # every field is a string: a shallow dict is asdict's result without its deep copy of each text
        return {**{name: getattr(self, name) for name in _DOCUMENT_FIELDS}, "year": self.year}

    def as_row(self) -> tuple[str, ...]:
        """The values of the store's ``documents`` row, in the order of :data:`DOCUMENT_COLUMNS`."""
        return (self.document_id, self.title, self.kind, self.date, self.language, self.script, self.source,
                self.source_id, self.filename, self.sha256, self.text, self.alphabet)


_DOCUMENT_FIELDS = tuple(field.name for field in fields(Document))
# the store's columns of a document (store.py), which are its fields
DOCUMENT_COLUMNS = ("document_id", "title", "kind", "date", "language", "script", "source", "source_id", "filename",
                    "sha256", "text", "alphabet")


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


def join_hyphenation(text: str) -> str:
    r"""Line-end hyphenation of PDF text joined: "migra-\ntion" → "migration" (only before a lower-case letter).

    >>> join_hyphenation("labour migra-\ntion and Kazakh-\nRussian ties")
    'labour migration and Kazakh-\nRussian ties'
    """
    return _LINE_END_HYPHEN.sub(lambda match: "" if match.group(1).islower() else match.group(), text)


def _tidy(text: str) -> str:
    """Spaces collapsed within lines and at most one blank line between paragraphs."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    # One pass over the whole text, and only over the runs that change: a lone space between words, nearly
    # every match of the per-line pattern this replaces, is left as it is (the result is the same). Most
    # texts have no run to change at all, which str's own search tells at C speed.
    if "  " in text or "\t" in text or "\u00a0" in text:
        text = _SPACE_RUNS.sub(" ", text)
    lines = [line.strip() for line in text.split("\n")]
    joined = "\n".join(lines)
    return (_BLANK_LINES.sub("\n\n", joined) if "\n\n\n" in joined else joined).strip()


# Two or more spaces, tabs or no-break spaces, or one tab or no-break space. Written to begin with the
# character class (rather than as an alternation of two) so the engine skips in C to the next such character
# instead of trying both alternatives at every position: half the time of the alternation.
_SPACE_RUNS = re.compile(r"[ \t\u00a0](?:[ \t\u00a0]+|(?<=[\t\u00a0]))")
_BLANK_LINES = re.compile(r"\n{3,}")


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


def _check_docx_parts(path: Path) -> None:
    """Refuse a DOCX whose XML would exhaust memory or expand entities, before python-docx parses it."""
    import zipfile

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise DocumentImportError(f"{path.name} is not a readable .docx file (not a zip archive)",
                                  "open it in a word processor and save it again as .docx") from None
    with archive:
        for info in archive.infolist():
            if not info.filename.endswith((".xml", ".rels")):
                continue
            if info.file_size > MAX_XML_BYTES:
                raise DocumentImportError(f"{path.name}: its part {info.filename} is {info.file_size / 1e6:,.0f} MB "
                                          f"of XML, more than the {MAX_XML_BYTES // 1_000_000} MB a document may have",
                                          "split the document into smaller files, or save it as .txt")
            if info.file_size > 1_000_000 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                raise DocumentImportError(f"{path.name}: its part {info.filename} expands {ratio:,} "
                                          f"times (more than {MAX_ZIP_RATIO}); it looks like a decompression bomb",
                                          "open it in a word processor and save it again as .docx")
            try:
                head = archive.read(info)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
                raise DocumentImportError(f"{path.name}: its part {info.filename} cannot be read ({error})",
                                          "open it in a word processor and save it again as .docx") from None
            if re.search(rb"<!\s*(?:DOCTYPE|ENTITY)", head, re.IGNORECASE):
                raise DocumentImportError(f"{path.name}: its part {info.filename} declares a document type or "
                                          "entities, which Word never writes; it is refused so that entity "
                                          "expansion cannot be abused",
                                          "open it in a word processor and save it again as .docx")


def _read_docx(path: Path) -> tuple[str, str]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError

    _check_docx_parts(path)
    try:
        document = docx.Document(str(path))
        paragraphs = [p.text for p in document.paragraphs]
        headings = (p.text for p in document.paragraphs
                    if p.style is not None and p.style.name.startswith(("Title", "Heading")) and p.text.strip())
        title = document.core_properties.title or next(headings, "")
    except LxmlError as error:
        raise DocumentImportError(f"{path.name}: its XML is not well-formed ({error})",
                                  "open it in a word processor and save it again as .docx") from None
    except (PackageNotFoundError, KeyError, ValueError) as error:
        raise DocumentImportError(f"{path.name} is not a readable .docx file ({error.__class__.__name__})",
                                  "open it in a word processor and save it again as .docx") from None
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
    text = join_hyphenation("\n\n".join(pages))
    if not text.strip():
        raise DocumentImportError(f"{path.name} has no text layer (it is probably a scan)",
                                  "run OCR on it first (for example with ocrmypdf) and import the result")
    return text, title


def read_text(path: Path, raw: bytes | None = None) -> tuple[str, str]:
    """The plain text of a document file and the title it declares (empty if none), ligatures expanded.

    ``raw`` is the file's content when the caller has read it already (txt, md, html).
    """
    text, title = _read_text(path, raw)
    # str.translate with a table costs about a millisecond per article; most texts have nothing to expand,
    # which eight searches for one character tell faster than one search for a class of them (str's own
    # search skips through memory; the class is tried character by character)
    if any(character in text or character in title for character in _LIGATURES_AND_SOFT_HYPHEN):
        return text.translate(_LIGATURES), title.translate(_LIGATURES)
    return text, title


def _read_text(path: Path, raw: bytes | None) -> tuple[str, str]:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DocumentImportError(f"{path.name}: unsupported file type {path.suffix or '(none)'}",
                                  f"import one of: {', '.join(sorted(FORMATS))}")
    if fmt == "docx":
        return _read_docx(path)
    if fmt == "pdf":
        return _read_pdf(path)
    raw = path.read_bytes() if raw is None else raw
    if fmt == "html" and len(raw) > MAX_HTML_BYTES:
        raise DocumentImportError(f"{path.name} is larger than {MAX_HTML_BYTES // 1_000_000} MB, more than an HTML "
                                  "page of a document may be", "save the page's text as .txt and import that")
    text = _decode(raw, path)
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
                  source_id: str = "", language: str = "", document_id: str = "", alphabet: str = "",
                  default_alphabet: str = "", in_manifest: bool = False) -> Document:
    """Read a document file into a :class:`Document`, detecting its language unless ``language`` is given.

    ``alphabet`` states the Kazakh Latin alphabet of a Kazakh text in Latin letters (2017, 2018 or 2021):
    it is refused for any other text and when the text's own letters are another alphabet's.
    ``default_alphabet`` is the same for a list of documents: used only for Kazakh Latin texts whose
    letters tell no alphabet (``in_manifest``: ``alphabet`` is a manifest's column, for the messages).
    Without either, a text whose letters tell none is stored with no alphabet and
    not coded (the letters i, ı and u mean different sounds in 2018 and 2021: a guess would miss codes).

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
    for option, value in (("--alphabet", alphabet), ("--alphabet", default_alphabet)):
        if value and value not in ALPHABETS:
            raise DocumentImportError(f"{option} {value!r} is not a Kazakh Latin alphabet",
                                      f"use one of {', '.join(ALPHABETS)} (docs/documents.md tells them apart)")
    if language and language not in KNOWN_LANGUAGES:
        raise DocumentImportError(f"language {language!r} is not supported",
                                  f"use one of {', '.join(KNOWN_LANGUAGES)} (only {', '.join(CODED_LANGUAGES)} "
                                  "are coded automatically)")
    raw = path.read_bytes()
    text, declared_title = read_text(path, raw)
    text = _tidy(text)
    if not text:
        raise DocumentImportError(f"{path.name} contains no text", "check that the file is not empty")
    # a language that is not coded (or undetermined) is stored as such; the import says it was not coded
    detected = detect_language(text)
    final_title = title or declared_title or path.stem
    final_language = language or detected.language
    return Document(
        document_id=document_id or slug(final_title if title else path.stem), title=final_title, kind=kind,
        date=check_date(date), language=final_language,
        script=detected.script if not language or language == detected.language else "",
        text=text, source=source, source_id=source_id, filename=path.name,
        sha256=hashlib.sha256(raw).hexdigest(),
        alphabet=_alphabet(path, text, final_language, alphabet, default_alphabet, in_manifest,
                           # the detector read the same letters when it read the whole text: no second count
                           detected.script == "Latn" if len(text) <= DETECTION_SAMPLE else None))


def _alphabet(path: Path, text: str, language: str, given: str, default: str, in_manifest: bool,
              mainly_latin: bool | None = None) -> str:
    """The Kazakh Latin alphabet of the text: told by its letters, or given; refused when the two disagree."""
    sample = text[:ALPHABET_SAMPLE]
    stated = f"the alphabet column says {given}" if in_manifest else f"--alphabet {given} was given"
    leave = "leave the alphabet column empty" if in_manifest else "leave --alphabet out"
    if language != "kk" or not (is_mainly_latin(sample) if mainly_latin is None else mainly_latin):
        if given:
            raise DocumentImportError(f"{path.name}: {stated}, but an alphabet is for Kazakh in Latin letters, and "
                                      f"this text reads as {'Kazakh in Cyrillic' if language == 'kk' else language}",
                                      f"{leave} (or give the language kk if the text is Kazakh in Latin letters)")
        return ""
    told = kazakh_alphabet(sample)
    if given and told and given != told:
        letters = " ".join(telling_letters(sample, told))
        fix = f"write {told} in the alphabet column" if in_manifest else f"give --alphabet {told}"
        raise DocumentImportError(f"{path.name}: {stated}, but the text writes letters of the {told} alphabet "
                                  f"({letters})", f"{fix}, or {leave} so the letters decide")
    return given or told or default


MANIFEST_COLUMNS = ("file", "kind", "date", "title", "source", "source_id", "language", "id", "alphabet")


def read_manifest(path: str | Path, *, alphabet: str = "") -> list[Document]:
    """Read every document a manifest CSV lists; any bad row stops the whole import before anything is stored.

    Columns: ``file`` (required; relative to the manifest's folder), and optionally ``kind``, ``date``,
    ``title``, ``source``, ``source_id``, ``language``, ``id``, ``alphabet`` (as ``read_document``'s).
    ``alphabet`` is the Kazakh Latin alphabet of the Kazakh Latin rows whose letters tell none and whose
    ``alphabet`` cell is empty. Errors name the manifest row and column.
    """
    rows = manifest_rows(path, alphabet=alphabet)
    return checked_documents(rows, [read_row(row) if isinstance(row, ManifestRow) else row for row in rows])


@dataclass(frozen=True)
class ManifestRow:
    """One row of a manifest: where it is (``where``, for messages), its file and the options to read it with."""

    line: int
    where: str
    path: Path
    options: dict


def manifest_rows(path: str | Path, *, alphabet: str = "") -> list[ManifestRow | DocumentImportError]:
    """The rows of a manifest CSV, not yet read; a row that cannot be read at all is its error, and ends the list.

    The header is checked here (its errors are raised); see :func:`read_manifest` for the columns.
    """
    path = Path(path)
    if not path.is_file():
        raise DocumentImportError(f"no manifest at {path}", "check the path")
    rows: list[ManifestRow | DocumentImportError] = []
    try:
        _manifest_rows(path, alphabet, rows)
    except CsvRefused as error:
        if not rows:
            raise DocumentImportError(error.message, error.hint) from None
        rows.append(DocumentImportError(error.message, error.hint))
    except UnicodeDecodeError:
        undecoded = DocumentImportError(f"{path.name} is not UTF-8 text", "save the manifest as CSV UTF-8")
        if not rows:
            raise undecoded from None
        rows.append(undecoded)
    return rows


def _manifest_rows(path: Path, alphabet: str, rows: list[ManifestRow | DocumentImportError]) -> None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = CsvDictRows(handle, path.name)
        unknown = set(reader.fieldnames or []) - set(MANIFEST_COLUMNS)
        if "file" not in (reader.fieldnames or []) or unknown:
            raise DocumentImportError(f"{path.name}: columns must include 'file' and be among "
                                      f"{', '.join(MANIFEST_COLUMNS)}" + (f" (unknown: {', '.join(sorted(unknown))})"
                                                                         if unknown else ""),
                                      "fix the header row of the manifest")
        for row in reader:
            where = f"{path.name} row {reader.line_num}"
            values = {k: (v or "").strip() for k, v in row.items() if k}
            if not values.get("file"):
                rows.append(DocumentImportError(f"{where}, column file: empty", "give the document's file name"))
                return
            rows.append(ManifestRow(reader.line_num, where, path.parent / values["file"], {
                "kind": values.get("kind") or "other", "date": values.get("date", ""),
                "title": values.get("title", ""), "source": values.get("source", ""),
                "source_id": values.get("source_id", ""), "language": values.get("language", ""),
                "document_id": values.get("id", ""), "alphabet": values.get("alphabet", ""),
                "default_alphabet": alphabet, "in_manifest": True}))


def read_row(row: ManifestRow) -> Document | DocumentImportError:
    """The document of one manifest row, or the error that names the row (returned, so rows read in other
    processes or out of order are reported in the manifest's order by :func:`checked_documents`)."""
    try:
        return read_document(row.path, **row.options)
    except DocumentImportError as error:
        return DocumentImportError(f"{row.where}: {error.message}", error.hint)


def checked_documents(rows: list[ManifestRow | DocumentImportError],
                      read: list[Document | DocumentImportError]) -> list[Document]:
    """The documents read from ``rows``, or the first error in the manifest's order (a bad row or a repeated id)."""
    documents: list[Document] = []
    seen: dict[str, int] = {}
    for row, document in zip(rows, read, strict=True):
        if isinstance(document, DocumentImportError):
            raise document
        assert isinstance(row, ManifestRow)  # an unreadable row is its own error, met above
        if document.document_id in seen:
            raise DocumentImportError(f"{row.where}, column id: {document.document_id!r} is also the id of row "
                                      f"{seen[document.document_id]}", "give each document its own id")
        seen[document.document_id] = row.line
        documents.append(document)
    return documents
