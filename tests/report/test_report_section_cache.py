"""The report's sections kept in the user's cache (report/section_cache.py, issue 15 item 3): the report is
byte for byte the same with the cache empty, warm or unusable, with no documents and with documents; a kept
entry is used only for the same case, language, code and libraries; the documents section is computed every
time; a damaged entry is computed again."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import pandas as pd
import pytest

from diaspora_observatory import load_case
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.ingest import ingest
from diaspora_observatory.documents.workspace import Workspace
from diaspora_observatory.report import section_cache, sections
from diaspora_observatory.report.build import build_report
from diaspora_observatory.report.writer import Writer
from tests.test_charts_cache import same_tree


@pytest.fixture
def computed(monkeypatch, tmp_path, chart_cache) -> list[str]:
    """The names of the section builders called, in order; the cache in this test's own folder, but for the
    drawn charts, shared with the session (tests/test_charts_cache.py tests those)."""
    (chart_cache / "charts").mkdir(exist_ok=True)
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "charts").symlink_to(chart_cache / "charts", target_is_directory=True)
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(tmp_path / "data"))
    calls: list[str] = []
    for name, builder in list(sections.BUILDERS.items()):
        monkeypatch.setitem(sections.BUILDERS, name,
                            lambda case, writer, name=name, builder=builder: calls.append(name) or builder(case, writer))
    return calls


KEPT = [name for name in sections.BUILDERS if name not in sections.READS_THE_STORE]


def entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "sections").glob("*.pickle"))


def import_items(data: Path, first: int, count: int) -> None:
    space = Workspace(load_case(), data)
    ingest(space.store, space.codebook, [Document(f"item-{number:04d}", f"Item {number}", "press",
                                                  str(2015 + number % 10), "en",
                                                  "Repatriation of ethnic families continued under the quotas.")
                                         for number in range(first, first + count)])
    space.store.engine.dispose()


@pytest.mark.slow  # builds the report three times (about 1.5 s each); the cache's entries are tested fast below
@pytest.mark.parametrize("documents", [0, 40])
def test_the_report_is_the_same_with_the_cache_empty_warm_or_unusable(computed, tmp_path, monkeypatch, documents):
    if documents:
        import_items(tmp_path / "data", 0, documents)
    build_report(load_case(), tmp_path / "empty")
    assert sorted(computed) == sorted(sections.BUILDERS) and len(entries(tmp_path)) == 1
    computed.clear()
    build_report(load_case(), tmp_path / "warm")
    assert computed == ["documents"]  # the others read back
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(blocked))
    computed.clear()
    build_report(load_case(), tmp_path / "no-cache")
    assert sorted(computed) == sorted(sections.BUILDERS)
    assert same_tree(tmp_path / "empty", tmp_path / "warm") == []
    assert same_tree(tmp_path / "empty", tmp_path / "no-cache") == []
    if documents:
        assert (f"Coded documents: {documents}; codes: 15; coded passages: {2 * documents}."
                in (tmp_path / "warm" / "report.html").read_text(encoding="utf-8"))


@pytest.mark.slow  # builds the report three times
def test_the_documents_section_is_computed_every_time(computed, tmp_path, monkeypatch):
    import_items(tmp_path / "data", 0, 10)
    build_report(load_case(), tmp_path / "first")
    import_items(tmp_path / "data", 10, 5)
    computed.clear()
    build_report(load_case(), tmp_path / "warm")
    assert computed == ["documents"]
    html = (tmp_path / "warm" / "report.html").read_text(encoding="utf-8")
    assert "Coded documents: 15; codes: 15; coded passages: 30." in html
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(tmp_path / "another-cache"))
    build_report(load_case(), tmp_path / "empty")
    assert same_tree(tmp_path / "warm", tmp_path / "empty") == []


def damage_by_truncating(data: bytes) -> bytes:
    return data[:len(data) // 2]


def damage_one_byte(data: bytes) -> bytes:
    return data[:100] + bytes([data[100] ^ 1]) + data[101:]


def not_a_pickle_with_its_digest(data: bytes) -> bytes:
    return hashlib.sha256(b"not a pickle").digest() + b"not a pickle"


def another_layout_with_its_digest(data: bytes) -> bytes:
    payload = pickle.dumps(({"demography": None}, []))
    return hashlib.sha256(payload).digest() + payload


def contents(language: str = "en") -> tuple[list, list, dict]:
    return section_cache.report_contents(load_case(), Writer(load_case(), language))


def same_contents(left: tuple[list, list, dict], right: tuple[list, list, dict]) -> None:
    """The same sections (every table, text and chart spec), key figures and views."""
    assert [section.id for section in left[0]] == [section.id for section in right[0]]
    for first, second in zip(left[0], right[0], strict=True):
        assert list(first.tables) == list(second.tables)
        for name in first.tables:
            pd.testing.assert_frame_equal(first.tables[name], second.tables[name])
        assert (first.paragraphs, first.figures, first.source_ids) == (second.paragraphs, second.figures,
                                                                     second.source_ids)
    assert left[1:] == right[1:]


@pytest.fixture(scope="module")
def first_entry(tmp_path_factory) -> tuple[tuple[list, list, dict], str, bytes]:
    """The contents computed once for the module in a cache of its own, with the name and bytes of the entry
    they were kept in: each damage test starts from a copy of that entry rather than computing it again."""
    cache = tmp_path_factory.mktemp("sections-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIASPORA_CACHE_DIR", str(cache))
        patch.setenv("DIASPORA_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        first = contents()
    (entry,) = sorted((cache / "sections").glob("*.pickle"))
    return first, entry.name, entry.read_bytes()


@pytest.mark.parametrize("damage", [damage_by_truncating, damage_one_byte, not_a_pickle_with_its_digest,
                                    another_layout_with_its_digest])
def test_a_damaged_entry_is_computed_again_and_replaced(first_entry, computed, tmp_path, damage):
    first, name, data = first_entry
    (tmp_path / "cache" / "sections").mkdir()
    (tmp_path / "cache" / "sections" / name).write_bytes(damage(data))
    computed.clear()
    second = contents()
    assert sorted(computed) == sorted(sections.BUILDERS)
    assert [path.name for path in entries(tmp_path)] == [name]  # the damaged entry replaced, none added
    same_contents(first, second)
    computed.clear()
    same_contents(first, contents())
    assert computed == ["documents"]


def test_an_entry_is_used_only_for_its_case_language_code_and_libraries(tmp_path, monkeypatch, case_copy):
    case = load_case()
    key = section_cache.contents_key(case, "en")
    assert section_cache.contents_key(load_case(), "en") == key  # the same case loaded again
    assert section_cache.contents_key(case, "ru") != key
    flows = case_copy / "data" / "flows.csv"
    text = flows.read_text(encoding="utf-8")
    first_row = text.splitlines()[1]
    flows.write_text(text.replace(first_row, first_row.replace(",", ",1", 1), 1), encoding="utf-8")
    assert section_cache.contents_key(load_case(case_copy), "en") != key
    monkeypatch.setattr(section_cache, "_version", lambda name: "0.0" if name == "pandas" else "1")
    assert section_cache.contents_key(case, "en") != key


def test_the_package_digest_covers_every_file_but_compiled_bytecode(tmp_path):
    package = tmp_path / "package"
    (package / "analysis" / "__pycache__").mkdir(parents=True)
    (package / "analysis" / "flows.py").write_text("SLOPE = 1\n", encoding="utf-8")
    (package / "report" / "locale" / "ru").mkdir(parents=True)
    (package / "report" / "locale" / "ru" / "messages.po").write_text('msgid "a"\nmsgstr "б"\n', encoding="utf-8")
    digest = section_cache._package_digest.__wrapped__(package)
    (package / "analysis" / "__pycache__" / "flows.cpython-311.pyc").write_bytes(b"compiled")
    assert section_cache._package_digest.__wrapped__(package) == digest
    (package / "report" / "locale" / "ru" / "messages.po").write_text('msgid "a"\nmsgstr "в"\n', encoding="utf-8")
    changed = section_cache._package_digest.__wrapped__(package)
    assert changed != digest
    (package / "analysis" / "flows.py").write_text("SLOPE = 2\n", encoding="utf-8")
    assert section_cache._package_digest.__wrapped__(package) not in (digest, changed)


def test_only_the_most_recently_used_entries_are_kept(computed, tmp_path, monkeypatch):
    monkeypatch.setattr(section_cache, "ENTRIES_KEPT", 2)
    for language in ("en", "ru", "kk"):
        contents(language)
    kept = entries(tmp_path)
    assert len(kept) == 2
    assert {path.name for path in kept} == {f"{section_cache.contents_key(load_case(), language)}.pickle"
                                            for language in ("ru", "kk")}
