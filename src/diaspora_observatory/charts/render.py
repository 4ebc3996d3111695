"""Static rendering of chart specs (SVG) with vl-convert, which bundles Vega and runs offline."""

from __future__ import annotations

from diaspora_observatory.errors import DiasporaError


class ChartError(DiasporaError):
    """A chart spec that Vega-Lite refuses (a bug in the spec, reported without a stack trace)."""


def to_svg(spec: dict) -> str:
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

    return vl_convert.javascript_bundle()
