"""Question labels, hints and notes written in Markdown, shown formatted and safe.

ODK Collect and Enketo render a small Markdown subset in labels ("Formatting text" in the XLSForm
documentation): ``*em*`` / ``_em_``, ``**strong**`` / ``__strong__``, ``# headings`` at the start of a
line, ``[links](url)`` and line breaks. A form written for them would otherwise show its asterisks here.

Safety comes from the order: the whole text is HTML-escaped first, then only the subset above is turned
into tags this module writes itself, so raw HTML in a label (``<script>``, Enketo's ``<span style>``) is
shown as text, never run. Links go only to ``http``/``https`` addresses and open in a new tab with
``rel="noopener noreferrer"`` (leaving the page would lose the answers of a form in steps); any other
address (``javascript:``, ``data:``) stays plain text. Headings become a strong span, since a label
element may only hold inline content.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_LINK = re.compile(r"\[([^\[\]\n]+)\]\(([^()\s]+)\)")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<![\w_])__(?=\S)(.+?)(?<=\S)__(?![\w_])")
_EM = re.compile(r"\*(?=[^\s*])(.+?)(?<=[^\s*])\*|(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])")
# Placeholders for finished links while emphasis is read (a '_' in an address is not emphasis);
# private-use characters, which no label writes.
_OPEN, _CLOSE = "\ue000", "\ue001"


def _inline(text: str) -> str:
    escaped = html.escape(text, quote=True)
    links: list[str] = []

    def link(found: re.Match[str]) -> str:
        label, address = found.group(1), html.unescape(found.group(2))
        if not re.match(r"https?://[^\s/]", address, re.IGNORECASE):
            return found.group(0)
        links.append(f'<a href="{html.escape(address, quote=True)}" rel="noopener noreferrer" '
                     f'target="_blank">{_emphasis(label)}</a>')
        return f"{_OPEN}{len(links) - 1}{_CLOSE}"

    shown = _emphasis(_LINK.sub(link, escaped.replace(_OPEN, "").replace(_CLOSE, "")))
    return re.sub(f"{_OPEN}(\\d+){_CLOSE}", lambda found: links[int(found.group(1))], shown)


def _emphasis(text: str) -> str:
    text = _STRONG.sub(lambda found: f"<strong>{found.group(1) or found.group(2)}</strong>", text)
    return _EM.sub(lambda found: f"<em>{found.group(1) or found.group(2)}</em>", text)


def label_html(text: str | None) -> Markup:
    """A label's Markdown as safe HTML for inline use (inside a label, legend or paragraph)."""
    lines = []
    for line in str(text or "").replace("\r\n", "\n").split("\n"):
        heading = _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            lines.append(f'<strong class="md-heading md-h{level}">{_inline(heading.group(2))}</strong>')
        else:
            lines.append(_inline(line))
    return Markup("<br>".join(lines))


def label_text(text: str | None) -> str:
    """A label without its Markdown marks, for places that take plain text (a link's text, a title)."""
    plain = re.sub(r"<[^>]*>", "", str(label_html(text)).replace("<br>", " "))
    return html.unescape(plain)
