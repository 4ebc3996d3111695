"""Static charts are drawn once per spec: a report whose data did not change reads them back."""

from __future__ import annotations

import pytest

from diaspora_observatory.charts import render

SPEC = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "data": {"values": [{"x": 1, "y": 2}]},
        "mark": "point", "encoding": {"x": {"field": "x", "type": "quantitative"},
                                      "y": {"field": "y", "type": "quantitative"}}}


@pytest.fixture
def drawn(monkeypatch, tmp_path):
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(tmp_path))
    calls = []
    real = render._draw

    def counting(spec):
        calls.append(spec)
        return real(spec)

    monkeypatch.setattr(render, "_draw", counting)
    return calls


def test_an_unchanged_chart_is_read_back(drawn, tmp_path):
    first = render.to_svg(SPEC)
    assert first.startswith("<svg") and len(drawn) == 1
    assert render.to_svg(SPEC) == first and len(drawn) == 1
    assert [path.suffix for path in (tmp_path / "charts").iterdir()] == [".svg"]


def test_a_changed_chart_is_drawn_again(drawn):
    render.to_svg(SPEC)
    changed = {**SPEC, "mark": "bar"}
    assert "<svg" in render.to_svg(changed)
    assert len(drawn) == 2


def test_an_unwritable_cache_only_costs_time(drawn, tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("DIASPORA_CACHE_DIR", str(blocked))
    assert render.to_svg(SPEC).startswith("<svg")
    assert render.to_svg(SPEC).startswith("<svg")
    assert len(drawn) == 2
