"""Static charts are drawn once per spec: a report whose data did not change reads them back, a changed spec
or a damaged entry is drawn again, and the report is byte for byte the same with and without the cache."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest

from diaspora_observatory.charts import render
from diaspora_observatory.report.build import build_report

SPEC = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "data": {"values": [{"x": 1, "y": 2}]},
        "mark": "point", "encoding": {"x": {"field": "x", "type": "quantitative"},
                                      "y": {"field": "y", "type": "quantitative"}}}
BARS = {**SPEC, "mark": "bar"}


@pytest.fixture
def drawn(monkeypatch, tmp_path):
    """The batches handed to the engine, each a list of specs; the cache in this test's own folder."""
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(tmp_path))
    batches: list[list[dict]] = []
    real = render._draw_all

    def counting(specs):
        batches.append(specs)
        return real(specs)

    monkeypatch.setattr(render, "_draw_all", counting)
    return batches


def entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "charts").iterdir())


@pytest.mark.slow  # starts the chart engine on an empty cache
def test_an_unchanged_chart_is_read_back(drawn, tmp_path):
    first = render.to_svg(SPEC)
    assert first.startswith("<svg") and drawn == [[SPEC]]
    assert render.to_svg(SPEC) == first and drawn == [[SPEC]]
    assert [path.suffix for path in entries(tmp_path)] == [".svg"]


def test_a_changed_spec_is_drawn_again(drawn):
    points = render.to_svg(SPEC)
    bars = render.to_svg(BARS)
    assert drawn == [[SPEC], [BARS]]
    assert "<svg" in bars and bars != points


def test_the_charts_missing_from_the_cache_are_drawn_in_one_batch(drawn):
    render.to_svg(SPEC)
    wide = {**SPEC, "width": 120}
    svgs = render.to_svgs([SPEC, BARS, wide, BARS])
    assert drawn == [[SPEC], [BARS, wide]]  # the cached one read back, the repeated one drawn once
    assert svgs[1] == svgs[3] and len(set(svgs)) == 3


def test_a_new_renderer_version_draws_again(drawn, monkeypatch):
    render.to_svg(SPEC)
    monkeypatch.setattr(render, "_renderer_version", lambda: "999.0")
    render.to_svg(SPEC)
    assert drawn == [[SPEC], [SPEC]]


@pytest.mark.parametrize("damage", ["cut short", "flipped", "header lost", "empty", "not utf-8"])
def test_a_damaged_entry_is_ignored_and_rebuilt(drawn, tmp_path, damage):
    svg = render.to_svg(SPEC)
    [entry] = entries(tmp_path)
    kept = entry.read_bytes()
    damaged = {"cut short": kept[: len(kept) // 2], "header lost": kept.partition(b"\n")[2], "empty": b"",
               "flipped": kept.replace(b"<svg", b"<svh", 1), "not utf-8": kept[:60] + b"\xff\xfe" + kept[62:]}[damage]
    assert damaged != kept
    entry.write_bytes(damaged)
    assert render.to_svg(SPEC) == svg
    assert drawn == [[SPEC], [SPEC]]
    assert entry.read_bytes() == kept  # rebuilt in place
    assert render.to_svg(SPEC) == svg and len(drawn) == 2


def test_an_unwritable_cache_only_costs_time(drawn, tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(blocked))
    assert render.to_svg(SPEC).startswith("<svg")
    assert render.to_svg(SPEC).startswith("<svg")
    assert len(drawn) == 2


def same_tree(left: Path, right: Path) -> list[str]:
    """Files that differ between two report folders (by content), or exist in one only."""
    names = sorted({p.relative_to(left) for p in left.rglob("*") if p.is_file()}
                   | {p.relative_to(right) for p in right.rglob("*") if p.is_file()})
    return [str(name) for name in names
            if not ((left / name).is_file() and (right / name).is_file()
                    and filecmp.cmp(left / name, right / name, shallow=False))]


@pytest.mark.slow  # builds the report twice
def test_the_report_is_the_same_with_and_without_the_cache(case, tmp_path, monkeypatch):
    """Drawn into an empty cache, read back from it, and drawn with no usable cache: the same files."""
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(tmp_path / "cache"))
    batches: list[int] = []
    real = render._draw_all
    monkeypatch.setattr(render, "_draw_all", lambda specs: batches.append(len(specs)) or real(specs))
    build_report(case, tmp_path / "empty-cache")
    build_report(case, tmp_path / "warm-cache")
    figures = len(list((tmp_path / "empty-cache" / "figures").iterdir()))
    # every chart drawn in one batch, then all read back: twice each, the file with its source line and
    # the report's inline copy without it (the report sets that line as the figure's caption)
    assert figures >= 8 and batches == [2 * figures]
    assert len(list((tmp_path / "cache" / "templates").iterdir())) == 3  # report.html, report.md, _table.html
    blocked = tmp_path / "no-cache"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(blocked))
    build_report(case, tmp_path / "no-cache-report")
    assert batches == [2 * figures, 2 * figures]
    assert same_tree(tmp_path / "empty-cache", tmp_path / "warm-cache") == []
    assert same_tree(tmp_path / "empty-cache", tmp_path / "no-cache-report") == []


@pytest.mark.slow  # compiles the chart templates again
def test_a_damaged_template_cache_is_compiled_again(case, tmp_path, monkeypatch):
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(tmp_path / "cache"))
    build_report(case, tmp_path / "first")
    for entry in (tmp_path / "cache" / "templates").iterdir():
        entry.write_bytes(entry.read_bytes()[:40])
    build_report(case, tmp_path / "second")
    assert same_tree(tmp_path / "first", tmp_path / "second") == []
