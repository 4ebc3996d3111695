"""Static rendering of chart specs (SVG) with vl-convert, which bundles Vega and runs offline.

Starting vl-convert's JavaScript engine costs about 0.7 s of CPU and 100 MB, and a report draws the same
charts every time its data have not changed, so each SVG is kept in the user's cache folder
(``user_cache.cache_dir("charts")``) under the hash of its spec, of the vl-convert version that drew it
and of this module's entry format: an unchanged chart is read back, a changed one (or a new vl-convert)
is drawn again. A report asks for all its charts at once (:func:`to_svgs`), so the ones not in the cache
are drawn one after another in a single start of the engine.

An entry begins with a line holding the SHA-256 of the SVG after it; an entry whose SVG does not match
(cut short by a full disk, edited, damaged) is ignored and drawn again, so a damaged cache never reaches
a report. Where the folder cannot be written the charts are simply drawn each time.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from diaspora_observatory.charts.aria import described
from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.user_cache import cache_dir as user_cache_dir

ENTRY_FORMAT = 2  # bumped when an entry changes (2: Vega's English ARIA attributes taken out), never misread
_HEADER = "<!-- diaspora-observatory chart, sha256 {digest} -->\n"


class ChartError(DiasporaError):
    """A chart spec that Vega-Lite refuses (a bug in the spec, reported without a stack trace)."""


def cache_dir() -> Path:
    """Where drawn charts are kept (see the module's docstring)."""
    return user_cache_dir("charts")


def _renderer_version() -> str:
    from importlib.metadata import version

    return version("vl-convert-python")


def _cache_key(spec: dict, renderer: str) -> str:
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{ENTRY_FORMAT}\n{renderer}\n{text}".encode()).hexdigest()


def _read_entry(path: Path) -> str | None:
    """The SVG kept at ``path``, or None when there is none or it does not match its own checksum."""
    try:
        text = path.read_bytes().decode("utf-8")  # bytes as written: no newline translation
    except (OSError, UnicodeDecodeError):
        return None
    header, newline, svg = text.partition("\n")
    if not newline or f"{header}\n" != _HEADER.format(digest=hashlib.sha256(svg.encode()).hexdigest()):
        return None
    return svg


def _write_entry(path: Path, svg: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_bytes((_HEADER.format(digest=hashlib.sha256(svg.encode()).hexdigest()) + svg).encode())
        os.replace(partial, path)  # whole or not at all: another report may read it at the same moment
    except OSError:
        pass  # a read-only or full disk only costs the time to draw it next time


def to_svgs(specs: Sequence[dict]) -> list[str]:
    """Each chart as SVG text, in order: from the cache where that spec was drawn before; the others drawn
    together in one start of the engine (:func:`_draw_all`), and kept."""
    renderer = _renderer_version()
    paths = [cache_dir() / f"{_cache_key(spec, renderer)}.svg" for spec in specs]
    found: dict[Path, str] = {}
    missing: dict[Path, dict] = {}
    for path, spec in zip(paths, specs, strict=True):
        if path in found or path in missing:
            continue
        svg = _read_entry(path)
        if svg is None:
            missing[path] = spec
        else:
            found[path] = svg
    if missing:
        for path, svg in zip(missing, _draw_all(list(missing.values())), strict=True):
            _write_entry(path, svg)
            found[path] = svg
    return [found[path] for path in paths]


def to_svg(spec: dict) -> str:
    """The chart as SVG text: from the cache when this spec was drawn before, else drawn (and kept)."""
    return to_svgs([spec])[0]


def _draw_all(specs: list[dict]) -> list[str]:
    """Draw every spec: the engine starts with the first and serves the rest (vl-convert keeps it running).
    Each SVG is one image named by its spec's description, in the chart's language (``charts.aria``)."""
    import vl_convert

    drawn = []
    for spec in specs:
        try:
            drawn.append(described(vl_convert.vegalite_to_svg(spec), spec.get("description")))
        except ValueError as error:
            title = spec.get("title", {}).get("text", "a chart") if isinstance(spec.get("title"), dict) else "a chart"
            raise ChartError(f"could not draw {title}: {str(error).splitlines()[1:2] or error}",
                             "please report this as a bug with the case you used") from error
    return drawn


def javascript_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one ES module, from the installed vl-convert package."""
    import vl_convert

    # The stub makes ``snippet`` required; the function's own signature is (snippet=None, vl_version=None).
    return vl_convert.javascript_bundle()  # type: ignore[call-arg]
