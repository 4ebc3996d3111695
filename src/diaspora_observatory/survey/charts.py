"""A diverging stacked bar chart of scale items, drawn as SVG on the server (no script, no inline style).

Disagreeing answers extend left of the centre line, agreeing ones right, the middle category is split
in half across it. Bars show the published groups: a merged group ("1 – 2") is one segment in the colour
of its middle point, paler and outlined, and a group that spans the centre is split across it in
proportion to the points on either side. An
item with fewer answers than the threshold is not drawn (its row says so).

Two layouts: ``wide`` (720 units: labels left of the bars, the legend in one or more rows) and ``narrow``
(340 units, for phones: each label above its bar, one legend entry per line). Legend entries are placed
from a conservative estimate of their text width and wrap to a new row instead of overprinting.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

import pandas as pd

from diaspora_observatory.survey.markdown import label_text

COLOURS = ["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"]
# Wider than the average sans-serif glyph at 12 px (about 6.5 px for Latin and Cyrillic), so an estimate
# never falls short of the drawn text.
CHARACTER_WIDTH = 7.6
FONT_SIZE = 12


def _colours(count: int) -> list[str]:
    if count == len(COLOURS):
        return COLOURS
    return [COLOURS[round(index * (len(COLOURS) - 1) / max(count - 1, 1))] for index in range(count)]


def _text_width(text: str) -> float:
    return len(text) * CHARACTER_WIDTH


def _lines(text: str, limit: int, most: int) -> list[str]:
    """``text`` broken at spaces into lines of at most ``limit`` characters; the last of ``most`` lines
    ends with an ellipsis when text is left over."""
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > limit:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][:limit - 1] + "…"
    return [line if len(line) <= limit else line[:limit - 1] + "…" for line in lines]


def _legend(legend: list[str], colours: list[str], width: float, left: float, one_per_line: bool
            ) -> tuple[list[str], float]:
    """Legend entries flowed into rows no wider than ``width``; returns the parts and the height used."""
    parts, x, y, row_height = [], left, 6.0, 18.0
    for index, text in enumerate(legend):
        entry = 16 + _text_width(text) + 14
        if x > left and (one_per_line or x + entry > left + width):
            x, y = left, y + row_height
        parts.append(f'<rect class="legend-swatch" x="{x:.1f}" y="{y:.1f}" width="12" height="12" '
                     f'fill="{colours[index]}"/>')
        parts.append(f'<text class="legend-label" x="{x + 16:.1f}" y="{y + 10:.1f}">{escape(label_text(text))}</text>')
        x += entry
    return parts, y + row_height + 6


def _segments(table: pd.DataFrame, positions: dict[str, int], categories: int
              ) -> list[tuple[float, float, int, str, bool]]:
    """(start, end, colour index, label, merged) of each drawn group in shares of the bar, centre at 0."""
    drawn = [(row["categories"], float(row["count"]), row["label"]) for _, row in table.iterrows()
             if any(name in positions for name in row["categories"]) and not pd.isna(row["count"])]
    total = sum(count for _, count, _ in drawn) or 1.0
    middle = (categories - 1) / 2
    left_share = 0.0
    spans = []
    for names, count, label in drawn:
        points = [positions[name] for name in names if name in positions]
        share = count / total
        low, high = min(points), max(points)
        if high < middle:
            left_share += share
        elif low <= middle <= high:
            below = (middle - low + 0.5) / (high - low + 1)  # the part of the run left of the centre
            left_share += share * below
        spans.append((share, round((low + high) / 2), label, len(names) > 1))
    start = -left_share
    segments = []
    for share, colour, label, merged in spans:
        segments.append((start, start + share, colour, label, merged))
        start += share
    return segments


def diverging_bars_svg(items: list[tuple[str, pd.DataFrame]], legend: list[str], hidden_text: str,
                       positions: dict[str, int] | None = None, layout: str = "wide") -> str:
    """SVG of ``(label, groups)`` pairs; each groups table has ``categories``, ``count`` and ``label`` per
    published group (see :func:`~diaspora_observatory.survey.results.item_groups`). ``positions`` maps a
    scale category to its place (0 = the first choice); ``legend`` labels those places."""
    positions = positions or {}
    narrow = layout == "narrow"
    width = 340 if narrow else 720
    label_width = 0 if narrow else 260
    plot_left = 10 if narrow else label_width
    plot_width = width - plot_left - (10 if narrow else 20)
    centre = plot_left + plot_width / 2
    categories = len(legend)
    colours = _colours(categories)
    legend_parts, top = _legend(legend, colours, width - plot_left - 10 if not narrow else width - 20,
                                plot_left, narrow)
    bar_height, gap = 22, 10
    row_height = bar_height + gap + (34 if narrow else 0)
    height = top + len(items) * row_height + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="likert-chart likert-{layout}" '
             f'viewBox="0 0 {width} {height:.0f}" width="{width}" height="{height:.0f}" role="img" '
             f'font-family="sans-serif" font-size="{FONT_SIZE}">', *legend_parts]
    for row, (label, table) in enumerate(items):
        label = label_text(label)  # a label written in Markdown, drawn as its plain text
        y = top + row * row_height
        if narrow:  # the label on up to two lines above its bar
            for line_number, line in enumerate(_lines(label, int((width - 20) / CHARACTER_WIDTH), 2)):
                parts.append(f'<text class="item-label" x="{plot_left}" y="{y + 12 + 16 * line_number}">'
                             f'{escape(line)}</text>')
            y += 34
        else:
            shown = label if len(label) <= 34 else label[:33] + "…"
            parts.append(f'<text class="item-label" x="{label_width - 8}" y="{y + 15}" text-anchor="end">'
                         f'{escape(shown)}</text>')
        if table["count"].isna().all() or len(table) < 2:  # hidden, or every answer in one group
            parts.append(f'<text x="{centre:.1f}" y="{y + 15}" text-anchor="middle">{escape(hidden_text)}</text>')
            continue
        for start, end, colour, group_label, merged in _segments(table, positions, categories):
            x = centre + start * plot_width / 2
            bar = (end - start) * plot_width / 2
            # A merged group is drawn paler and outlined, so that it does not read as its middle point.
            look = ' fill-opacity="0.45" stroke="#222" stroke-width="1.5"' if merged else ""
            if bar > 0:
                parts.append(f'<rect class="{"merged" if merged else "group"}" x="{x:.1f}" y="{y}" '
                             f'width="{bar:.1f}" height="{bar_height}" fill="{colours[colour]}"{look}>'
                             f'<title>{escape(label_text(group_label))}: {(end - start) * 100:.1f}%</title></rect>')
    parts.append(f'<line x1="{centre:.1f}" y1="{top - 4:.1f}" x2="{centre:.1f}" y2="{height - 6:.1f}" stroke="#333"/>')
    parts.append("</svg>")
    return "".join(parts)
