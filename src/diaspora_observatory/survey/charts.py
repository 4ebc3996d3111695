"""A diverging stacked bar chart of scale items, drawn as SVG on the server (no script, no inline style).

Disagreeing answers extend left of the centre line, agreeing ones right, the middle category is split
in half across it. An item with any hidden count is not drawn (its row says so).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

import pandas as pd

COLOURS = ["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"]


def _colours(count: int) -> list[str]:
    if count == len(COLOURS):
        return COLOURS
    return [COLOURS[round(index * (len(COLOURS) - 1) / max(count - 1, 1))] for index in range(count)]


def diverging_bars_svg(items: list[tuple[str, pd.DataFrame]], legend: list[str], hidden_text: str) -> str:
    """SVG of ``(label, distribution)`` pairs; each distribution has ``share`` and ``suppressed`` per category."""
    width, label_width, bar_height, gap = 720, 260, 22, 10
    plot_width = width - label_width - 20
    centre = label_width + plot_width / 2
    height = 40 + len(items) * (bar_height + gap) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" font-family="sans-serif" font-size="12">']
    categories = len(legend)
    colours = _colours(categories)
    for index, text in enumerate(legend):
        x = label_width + index * plot_width / categories
        parts.append(f'<rect x="{x:.1f}" y="6" width="12" height="12" fill="{colours[index]}"/>')
        parts.append(f'<text x="{x + 16:.1f}" y="16">{escape(text[:22])}</text>')
    for row, (label, table) in enumerate(items):
        y = 40 + row * (bar_height + gap)
        parts.append(f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">{escape(label[:40])}</text>')
        if table["suppressed"].any() or table["share"].isna().all():
            parts.append(f'<text x="{centre:.1f}" y="{y + 15}" text-anchor="middle">{escape(hidden_text)}</text>')
            continue
        shares = table["share"].fillna(0).tolist()
        middle = categories // 2
        left_total = sum(shares[:middle]) + (shares[middle] / 2 if categories % 2 else 0)
        x = centre - left_total * plot_width / 2
        for index, share in enumerate(shares):
            bar = share * plot_width / 2
            if bar > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{bar:.1f}" height="{bar_height}" '
                             f'fill="{colours[index]}">'
                             f'<title>{escape(legend[index])}: {share * 100:.1f}%</title></rect>')
            x += bar
    parts.append(f'<line x1="{centre:.1f}" y1="34" x2="{centre:.1f}" y2="{height - 24}" stroke="#333"/>')
    parts.append("</svg>")
    return "".join(parts)
