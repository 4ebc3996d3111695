"""A drawn chart's accessible name, in the reader's language, and none of Vega's English (issue 14).

Vega writes ARIA attributes of its own into every SVG, in English whatever the chart's language: a role
description for each group ("group mark container", "rect mark container", "axis", "title") and generated
captions ("X-axis titled 'Процент' for a linear scale with values from 0 to 6", "Title text '…'"). The specs
turn off what Vega-Lite lets a spec turn off (``config.aria`` false, ``specs.chart_config``: the axes and
legends hidden from assistive technology, no generated descriptions of the marks); what is left belongs to
Vega's scene graph (its root group, the scopes of legends and facet panels, the titles), which no spec
setting reaches. So a drawn chart is one image: its root ``role="img"`` named by the spec's
``description`` (the chart's title in the reader's language, ``specs._base``), Vega's attributes inside it
taken out. The table under every chart holds its values for a screen reader. The web pages do the same to
the chart they draw (static/app.js, ``accessible``).
"""

from __future__ import annotations

import re
from html import escape

# Vega's own accessibility attributes: its roles, role descriptions and captions (aria-hidden stays).
VEGA_ARIA = re.compile(r'\s(?:role|aria-roledescription|aria-label)="[^"]*"')
ROOT = re.compile(r"<svg\b")


def described(svg: str, description: str | None) -> str:
    """``svg`` without Vega's ARIA attributes, its root an image named ``description`` (when there is one).

    >>> described('<svg class="marks"><g role="graphics-object" aria-roledescription="group mark container">'
    ...           '<g aria-label="Title text \\'Год\\'"></g></g></svg>', "Потоки")
    '<svg role="img" aria-label="Потоки" class="marks"><g><g></g></g></svg>'
    """
    bare = VEGA_ARIA.sub("", svg)
    if not description:
        return bare
    return ROOT.sub(f'<svg role="img" aria-label="{escape(description, quote=True)}"', bare, count=1)
