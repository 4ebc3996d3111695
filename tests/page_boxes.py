"""What a browser test measures of a page's boxes: those whose content scrolls sideways inside them."""

from __future__ import annotations

# Every box of the page whose content is wider than the box itself, where the box scrolls it or cuts it off
# (overflow-x other than visible): a table in its .table-wrap, a chart in its box, a note in its cell. Only what
# is on screen counts (a closed toggle's table is measured by opening it); the header row of a table read as cards
# is out of sight on purpose, and so is a text for screen readers only (.visually-hidden, 1 px wide). Each as "section id: caption (content width > box width)".
BOXES_SCROLLING_SIDEWAYS = """() => [...document.querySelectorAll('main *')].flatMap(element => {
    const style = getComputedStyle(element);
    if (style.overflowX === 'visible' || !element.clientWidth || !element.checkVisibility()) return [];
    if (element.scrollWidth <= element.clientWidth + 1) return [];
    if (element.tagName === 'THEAD' && element.closest('table.cards')) return [];
    if (element.closest('.visually-hidden')) return [];
    const section = element.closest('section'), caption = element.querySelector('caption');
    return [`${section ? section.id : ''}: ${caption ? caption.textContent.slice(0, 50) : element.tagName} ` +
            `(${element.scrollWidth} > ${element.clientWidth})`];
})"""


def scrolling_boxes(page) -> dict[str, list[str]]:
    """The boxes of the page whose content scrolls sideways or is cut, first as the page opens, then with every
    toggle (a whole table, the key figures as a table) open."""
    shown = page.evaluate(BOXES_SCROLLING_SIDEWAYS)
    page.evaluate("document.querySelectorAll('main details').forEach(details => { details.open = true; })")
    return {"shown": shown, "opened": page.evaluate(BOXES_SCROLLING_SIDEWAYS)}
