"""Importers on small files made here: txt, md, html, docx (python-docx) and a hand-written PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from diaspora_observatory.documents.importer import DocumentImportError, read_document
from tests.documents.conftest import minimal_pdf

ENGLISH = "Repatriation of ethnic Kazakhs continues. The quotas for employers stay in force."


def test_txt_with_language_and_metadata(tmp_path: Path):
    path = tmp_path / "press item.txt"
    path.write_text("Репатриация этнических казахов продолжается.\r\n\r\n\r\nКвоты   сохраняются.", encoding="utf-8")
    document = read_document(path, kind="press", date="2024-03-01", source="Kazinform")
    assert (document.document_id, document.title, document.kind, document.date, document.year) == (
        "press-item", "press item", "press", "2024-03-01", 2024)
    assert (document.language, document.script, document.source) == ("ru", "Cyrl", "Kazinform")
    assert document.text == "Репатриация этнических казахов продолжается.\n\nКвоты сохраняются."
    assert len(document.sha256) == 64


def test_cp1251_text_is_decoded(tmp_path: Path):
    path = tmp_path / "old.txt"
    path.write_bytes("Репатриация казахов и квоты для работодателей.".encode("cp1251"))
    assert read_document(path).text == "Репатриация казахов и квоты для работодателей."


def test_markdown_title(tmp_path: Path):
    path = tmp_path / "note.md"
    path.write_text(f"# Policy note\n\n{ENGLISH}\n", encoding="utf-8")
    document = read_document(path, kind="concept")
    assert document.title == "Policy note" and document.language == "en"


def test_html_visible_text_only(tmp_path: Path):
    path = tmp_path / "article.html"
    path.write_text("<html><head><title>Qazaq tılı</title><style>p{}</style></head><body>"
                    "<h1>Qazaq tılı</h1><script>alert(1)</script><p>Qazaq tılın üirenu jäne qandastarğa kömek.</p>"
                    "<p>Bız olarmen bırgemız.</p></body></html>", encoding="utf-8")
    document = read_document(path, kind="press", date="2023")
    assert document.title == "Qazaq tılı"
    assert document.text == "Qazaq tılı\n\nQazaq tılın üirenu jäne qandastarğa kömek.\n\nBız olarmen bırgemız."
    assert (document.language, document.script) == ("kk", "Latn")


def test_docx(tmp_path: Path):
    import docx

    word = docx.Document()
    word.add_heading("Көші-қон саясаты", level=1)
    word.add_paragraph("Қандастарға әлеуметтік көмек көрсетіледі және қазақ тілін үйрену қолдау табады.")
    path = tmp_path / "concept.docx"
    word.save(str(path))
    document = read_document(path, kind="concept", date="2022-12-30")
    assert document.title == "Көші-қон саясаты"
    assert document.text == ("Көші-қон саясаты\n\nҚандастарға әлеуметтік көмек көрсетіледі және қазақ тілін үйрену "
                             "қолдау табады.")
    assert document.language == "kk"


def test_pdf_with_text_layer(tmp_path: Path):
    path = tmp_path / "law.pdf"
    path.write_bytes(minimal_pdf(["Repatriation of ethnic Kazakhs continues.", "The quotas stay in force."]))
    document = read_document(path, kind="law", date="2002")
    assert "Repatriation of ethnic Kazakhs continues." in document.text
    assert "The quotas stay in force." in document.text
    assert document.language == "en"


def test_pdf_without_text_is_refused_with_a_hint(tmp_path: Path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(minimal_pdf([]))
    with pytest.raises(DocumentImportError, match="scan.pdf has no text layer") as error:
        read_document(path)
    assert "OCR" in error.value.hint


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"kind": "novel"}, "kind 'novel' is not known"),
    ({"date": "2024-13-01"}, "date '2024-13-01' is not a date"),
    ({"language": "fr"}, "language 'fr' is not supported"),
])
def test_bad_metadata(tmp_path: Path, kwargs, message):
    path = tmp_path / "a.txt"
    path.write_text(ENGLISH, encoding="utf-8")
    with pytest.raises(DocumentImportError, match=message):
        read_document(path, **kwargs)


def test_unsupported_and_broken_files(tmp_path: Path):
    odt = tmp_path / "a.odt"
    odt.write_bytes(b"x")
    with pytest.raises(DocumentImportError, match="unsupported file type .odt"):
        read_document(odt)
    broken = tmp_path / "b.docx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(DocumentImportError, match="b.docx is not a readable .docx file"):
        read_document(broken)
    empty = tmp_path / "c.txt"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(DocumentImportError, match="c.txt contains no text"):
        read_document(empty)


def test_utf8_with_a_broken_byte_is_refused_not_read_as_cp1251(tmp_path: Path):
    # Windows-1251 decodes almost any bytes: read as such, this file would silently become other letters.
    path = tmp_path / "law.txt"
    path.write_bytes("Закон о миграции.\nСтатья 1.\n".encode() + b"\xff" + "Квота.\n".encode())
    with pytest.raises(DocumentImportError) as refused:
        read_document(path)
    assert str(refused.value) == ("law.txt: line 3 is not valid UTF-8 (byte 49 of the file), though the rest of "
                                  "the text is UTF-8; open the file in a text editor, correct or retype that line "
                                  "and save it as UTF-8")


def test_pdf_hyphenation_joined_and_soft_hyphens_removed(tmp_path: Path):
    path = tmp_path / "report.pdf"
    # WinAnsi byte 0xAD is the soft hyphen; pypdf gives it back as U+00AD
    path.write_bytes(minimal_pdf(["Labour migra-", "tion and re\xadpatriation of", "Kazakh-", "Russian families."]))
    document = read_document(path, kind="other")
    assert document.text == "Labour migration and repatriation of\nKazakh-\nRussian families."


def test_ligatures_expanded_in_every_format(tmp_path: Path):
    path = tmp_path / "note.txt"
    path.write_text("The ﬁrst oﬃcial ﬂows of ﬀ and ﬄ.", encoding="utf-8")
    assert read_document(path).text == "The first official flows of ff and ffl."


def _docx_with(tmp_path: Path, name: str, document_xml: bytes) -> Path:
    """A real python-docx file whose word/document.xml is replaced by ``document_xml``."""
    import zipfile

    import docx

    source = tmp_path / "source.docx"
    word = docx.Document()
    word.add_paragraph(ENGLISH)
    word.save(str(source))
    target = tmp_path / name
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            copy.writestr(info, document_xml if info.filename == "word/document.xml" else original.read(info))
    return target


def test_docx_with_malformed_xml_is_refused_with_its_name(tmp_path: Path):
    path = _docx_with(tmp_path, "broken.docx", b'<?xml version="1.0"?><w:document xmlns:w="urn:x"><w:body>')
    with pytest.raises(DocumentImportError) as error:
        read_document(path)
    assert error.value.message.startswith("broken.docx: its XML is not well-formed (")
    assert error.value.hint == "open it in a word processor and save it again as .docx"


def test_docx_declaring_entities_is_refused(tmp_path: Path):
    path = _docx_with(tmp_path, "lol.docx", b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaa">]><w:document/>')
    with pytest.raises(DocumentImportError) as error:
        read_document(path)
    assert error.value.message == ("lol.docx: its part word/document.xml declares a document type or entities, "
                                   "which Word never writes; it is refused so that entity expansion cannot be abused")


def test_docx_decompression_bomb_is_refused_before_parsing(tmp_path: Path):
    # 3 MB of spaces deflate to about 3 KB: a ratio near 1000, far beyond any word processor's XML
    xml = b'<?xml version="1.0"?><w:document xmlns:w="urn:x">' + b" " * 3_000_000 + b"</w:document>"
    path = _docx_with(tmp_path, "bomb.docx", xml)
    with pytest.raises(DocumentImportError) as error:
        read_document(path)
    assert error.value.message.startswith("bomb.docx: its part word/document.xml expands ")
    assert error.value.message.endswith(" times (more than 100); it looks like a decompression bomb")


def test_docx_xml_part_over_the_cap_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # the cap is 60 MB; lowered here so the test does not write a 60 MB part (the check is the same)
    import base64
    import random

    from diaspora_observatory.documents import importer

    monkeypatch.setattr(importer, "MAX_XML_BYTES", 2_000_000)
    noise = base64.b64encode(random.Random(1).randbytes(2_250_000))  # 3 MB that barely compresses
    path = _docx_with(tmp_path, "large.docx", b'<?xml version="1.0"?><w:document xmlns:w="urn:x">' + noise
                      + b"</w:document>")
    with pytest.raises(DocumentImportError) as error:
        read_document(path)
    assert error.value.message == ("large.docx: its part word/document.xml is 3 MB of XML, more than the 2 MB a "
                                   "document may have")


def test_html_over_the_cap_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from diaspora_observatory.documents import importer

    monkeypatch.setattr(importer, "MAX_HTML_BYTES", 5_000_000)
    path = tmp_path / "page.html"
    path.write_bytes(b"<p>" + b"a " * 2_600_000 + b"</p>")
    with pytest.raises(DocumentImportError) as error:
        read_document(path)
    assert error.value.message == "page.html is larger than 5 MB, more than an HTML page of a document may be"


def test_undetermined_language_is_stored_as_und(tmp_path: Path):
    path = tmp_path / "note.txt"
    path.write_text("Ministère des Affaires étrangères : la coopération avec la diaspora.", encoding="utf-8")
    document = read_document(path)
    assert (document.language, document.script) == ("und", "Latn")
