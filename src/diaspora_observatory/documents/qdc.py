"""REFI-QDA codebooks (``.qdc``) read as codebooks: the observatory's own export, ATLAS.ti's, QualCoder's.

The REFI-QDA codebook exchange standard 1.0 (www.qdasoftware.org; schema in ``../shared/data/refi-qda``)
writes a ``CodeBook`` root in the ``urn:QDA-XML:codebook:1.0`` namespace holding ``Codes``, and every
``Code`` has ``guid``, ``name`` and ``isCodable`` attributes, an optional ``Description`` and its child
codes nested inside it. A project file's ``Project`` root (``urn:QDA-XML:project:1.0``, the
``project.qde`` inside a ``.qdpx``) holds the same ``CodeBook``; both are read.

The standard has no place for search patterns, so a code read from a ``.qdc`` has none — and automatic
coding with such a codebook is refused with a message — unless its description follows the convention
the observatory's export writes (:func:`~diaspora_observatory.documents.exports.codebook_qdc`): after the
description, a blank line, a line ``Patterns``, then one line per language, ``en: pattern; pattern``.

Code names in QDA tools are free text ("Return migration"); the observatory's codes are identifiers, so a
name is made one by replacing every run of spaces and punctuation with ``_`` ("Return_migration"); two
names that become the same identifier are refused.

The file is parsed with the standard library's XML parser, and only after two checks that keep hostile
files out: at most :data:`MAX_QDC_BYTES`, and no document type or entity declaration (a codebook needs
neither, and entity expansion is how XML bombs work).
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as ET

from diaspora_observatory.documents.codebook_model import LANGUAGES, Code, Codebook, CodebookInvalid

MAX_QDC_BYTES = 20_000_000
CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_PATTERN_LINE = re.compile(r"^\s*([a-z]{2,3})\s*:\s*(.*)$")


def _identifier(name: str) -> str:
    return re.sub(r"[^\w-]+", "_", name.strip()).strip("_")


def _split_description(text: str) -> tuple[str, dict[str, tuple[str, ...]]]:
    """The description proper and the patterns a ``Patterns`` block after a blank line gives (if any)."""
    head, marker, block = text.partition("\n\nPatterns\n")
    if not marker:
        return text.strip(), {}
    patterns: dict[str, tuple[str, ...]] = {}
    for line in block.splitlines():
        match = _PATTERN_LINE.match(line)
        if match and match.group(1) in LANGUAGES:
            patterns[match.group(1)] = tuple(p.strip() for p in match.group(2).split(";") if p.strip())
        elif line.strip():
            # not our convention after all: keep the text as it was written
            return text.strip(), {}
    return head.strip(), patterns


def read_qdc(path: Path) -> Codebook:
    """Read a REFI-QDA codebook (or project) file into a :class:`Codebook`; errors name the file and code."""
    if path.stat().st_size > MAX_QDC_BYTES:
        raise CodebookInvalid(f"{path.name} is larger than {MAX_QDC_BYTES // 1_000_000} MB, too large for a codebook",
                              "export the codebook alone (.qdc) from your QDA program")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CodebookInvalid(f"{path.name} is not UTF-8 text", "REFI-QDA files are UTF-8: export it again") from None
    if _DECLARATION.search(text):
        raise CodebookInvalid(f"{path.name} declares a document type or entities, which a REFI-QDA codebook never "
                              "needs; it is refused so that entity expansion cannot be abused",
                              "export the codebook again from your QDA program")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        raise CodebookInvalid(f"{path.name} is not well-formed XML ({error})",
                              "export the codebook again from your QDA program") from None
    if root.tag == f"{{{PROJECT_NAMESPACE}}}Project":
        namespace = PROJECT_NAMESPACE
        codebook = root.find(f"{{{namespace}}}CodeBook")
        if codebook is None:
            raise CodebookInvalid(f"{path.name} is a REFI-QDA project without a CodeBook", "export its codebook")
        root = codebook
    elif root.tag == f"{{{CODEBOOK_NAMESPACE}}}CodeBook":
        namespace = CODEBOOK_NAMESPACE
    else:
        raise CodebookInvalid(f"{path.name}: the root element is {root.tag!r}, not a REFI-QDA CodeBook "
                              f"(namespace {CODEBOOK_NAMESPACE})", "give a .qdc codebook exported by a QDA program")
    codes: list[Code] = []
    names: dict[str, str] = {}

    def read(element: ET.Element, parent: str) -> None:
        raw_name = element.get("name", "")
        name = _identifier(raw_name)
        if not name:
            raise CodebookInvalid(f"{path.name}: a Code (guid {element.get('guid', '?')}) has no usable name",
                                  "give every code a name in your QDA program")
        if name in names:
            raise CodebookInvalid(f"{path.name}: codes {names[name]!r} and {raw_name!r} both become the code "
                                  f"name {name!r}", "rename one of them in your QDA program")
        names[name] = raw_name
        description_element = element.find(f"{{{namespace}}}Description")
        description, patterns = _split_description(description_element.text or "" if description_element is not None
                                                    else "")
        codes.append(Code(name, parent, description, patterns))
        for child in element.findall(f"{{{namespace}}}Code"):
            read(child, name)

    container = root.find(f"{{{namespace}}}Codes")
    for element in container.findall(f"{{{namespace}}}Code") if container is not None else ():
        read(element, "")
    if not codes:
        raise CodebookInvalid(f"{path.name} holds no codes", "export a codebook with at least one code")
    origin = root.get("origin", "")
    return Codebook(path.stem, f"{path.stem} ({origin})" if origin else path.stem, tuple(codes), origin="REFI-QDA")
