"""Static rendering of chart specs (SVG) with vl-convert, which bundles Vega and runs offline.

Starting vl-convert's JavaScript engine costs about half a second and 100 MB, and a report draws the same
charts every time its data have not changed, so each SVG is kept in a cache folder under the hash of its
spec and of the vl-convert version that drew it: an unchanged chart is read back, a changed one (or a
new vl-convert) is drawn again. The folder is ``$DIASPORA_CACHE_DIR``, else ``$XDG_CACHE_HOME`` or
``~/.cache``, then ``diaspora-observatory/charts``; where it cannot be written the chart is simply drawn.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from diaspora_observatory.errors import DiasporaError


class ChartError(DiasporaError):
    """A chart spec that Vega-Lite refuses (a bug in the spec, reported without a stack trace)."""


def cache_dir() -> Path:
    """Where drawn charts are kept (see the module's docstring)."""
    configured = os.environ.get("DIASPORA_CACHE_DIR")
    if configured:
        return Path(configured) / "charts"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "diaspora-observatory" / "charts"


def _cache_key(spec: dict) -> str:
    from importlib.metadata import version

    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{version('vl-convert-python')}\n{text}".encode()).hexdigest()


def to_svg(spec: dict) -> str:
    """The chart as SVG text: from the cache when this spec was drawn before, else drawn (and kept)."""
    path = cache_dir() / f"{_cache_key(spec)}.svg"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    svg = _draw(spec)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_text(svg, encoding="utf-8")
        os.replace(partial, path)  # whole or not at all: another report may read it at the same moment
    except OSError:
        pass  # a read-only or full disk only costs the time to draw it next time
    return svg


def _draw(spec: dict) -> str:
    import vl_convert

    try:
        return vl_convert.vegalite_to_svg(spec)
    except ValueError as error:
        title = spec.get("title", {}).get("text", "a chart") if isinstance(spec.get("title"), dict) else "a chart"
        raise ChartError(f"could not draw {title}: {str(error).splitlines()[1:2] or error}",
                         "please report this as a bug with the case you used") from error


def javascript_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one ES module, from the installed vl-convert package."""
    import vl_convert

    # The stub makes ``snippet`` required; the function's own signature is (snippet=None, vl_version=None).
    return vl_convert.javascript_bundle()  # type: ignore[call-arg]
