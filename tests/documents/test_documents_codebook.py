"""The codebook: the default one, a CSV codebook, and clear errors for broken ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from diaspora_observatory.documents.codebook import CodebookInvalid, load_codebook
from diaspora_observatory.documents.codebook_model import UnknownCode
from diaspora_observatory.documents.coding import code_text


def test_default_codebook_has_patterns_in_three_languages_for_every_leaf(codebook):
    for name in codebook.leaves:
        code = codebook.get(name)
        assert code.description and all(code.patterns.get(lang) for lang in ("en", "ru", "kk")), name
    assert codebook.children("identity") == ["native_language_education", "unity_identity"]
    assert list(codebook.table().columns) == ["code", "parent", "description", "patterns_en", "patterns_ru",
                                              "patterns_kk"]
    with pytest.raises(UnknownCode, match="no code named 'nope'"):
        codebook.get("nope")


def test_csv_codebook(tmp_path: Path):
    path = tmp_path / "mine.csv"
    path.write_text("code,parent,description,patterns_en,patterns_ru,patterns_kk\n"
                    "mobility,,Group,,,\n"
                    "students,mobility,Students abroad,student; exchange programme,студент,студент\n",
                    encoding="utf-8")
    book = load_codebook(path)
    assert book.leaves == ["students"]
    assert [p.text for p in code_text("Students joined the exchange programmes.", "en", book)] == [
        "Students", "exchange programmes"]
    assert [p.text for p in code_text("Студентов стало больше.", "ru", book)] == ["Студентов"]


@pytest.mark.parametrize(("content", "suffix", "message"), [
    ("codes:\n  - code: a\n  - code: a\n", ".yaml", "code 'a' is defined twice"),
    ("codes:\n  - code: a\n    parent: b\n", ".yaml", "parent 'b' is not a code"),
    ("codes:\n  - code: a\n    patterns: {de: [x]}\n", ".yaml", "unknown language"),
    ("codes: [\n", ".yaml", "is not valid YAML"),
    ("title: x\n", ".yaml", "has no list of codes"),
    ("name,parent\nx,\n", ".csv", "has no 'code' column"),
    ("code,parent\n,\n", ".csv", "row 2, column code: empty"),
])
def test_broken_codebooks(tmp_path: Path, content, suffix, message):
    path = tmp_path / f"book{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CodebookInvalid, match=message):
        load_codebook(path)


def test_the_codebook_and_the_survey_form_read_alike_with_libyaml_and_with_pure_python():
    import yaml

    from diaspora_observatory.documents.codebook import DEFAULT_CODEBOOK
    from diaspora_observatory.survey.default import SOURCE

    for path in (DEFAULT_CODEBOOK, SOURCE):
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) == yaml.safe_load(text)
