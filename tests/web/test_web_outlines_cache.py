"""The map's simplified outlines kept in the user's cache (web/geometry.py): read back equal to the computed
ones, computed again when the entry is damaged, and kept apart for another tolerance or other countries."""

from __future__ import annotations

import pytest

from diaspora_observatory.web import geometry

CODES = ("KAZ", "KGZ")


@pytest.fixture
def outlines(tmp_path, monkeypatch):
    """The outlines' cache folder, in this test's own folder; the calls that computed features, counted."""
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(tmp_path))
    computed: list[tuple] = []
    real = geometry._features

    def counted(archive, codes, tolerance):
        computed.append((codes, tolerance))
        return real(archive, codes, tolerance)

    monkeypatch.setattr(geometry, "_features", counted)
    return tmp_path / "outlines", computed


def features(codes=CODES, tolerance=geometry.SIMPLIFY_TOLERANCE):
    return geometry.country_features.__wrapped__(codes, tolerance)  # past the in-process lru_cache


def test_kept_outlines_are_read_back_as_computed(outlines):
    folder, computed = outlines
    first = features()
    assert [feature["properties"]["country"] for feature in first] == list(CODES)
    assert len(list(folder.glob("*.json"))) == 1 and computed == [(CODES, geometry.SIMPLIFY_TOLERANCE)]
    assert features() == first
    assert len(computed) == 1


@pytest.mark.parametrize("damage", [lambda data: data[:len(data) // 2],
                                    lambda data: data[:100] + bytes([data[100] ^ 1]) + data[101:],
                                    lambda data: b"not an entry"])
def test_a_damaged_entry_is_computed_again_and_replaced(outlines, damage):
    folder, computed = outlines
    first = features()
    (entry,) = folder.glob("*.json")
    entry.write_bytes(damage(entry.read_bytes()))
    assert features() == first and len(computed) == 2
    assert features() == first and len(computed) == 2  # the replaced entry is read back


def test_another_tolerance_or_other_countries_are_kept_apart(outlines):
    folder, computed = outlines
    features()
    coarse = features(tolerance=geometry.WORLD_TOLERANCE)
    features(("KGZ",))
    assert len(computed) == 3 and len(list(folder.glob("*.json"))) == 3
    assert features(tolerance=geometry.WORLD_TOLERANCE) == coarse and len(computed) == 3


def test_an_unwritable_cache_folder_only_costs_the_time(outlines, tmp_path, monkeypatch):
    _folder, computed = outlines
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(blocked))
    assert features() == features() and len(computed) == 2
