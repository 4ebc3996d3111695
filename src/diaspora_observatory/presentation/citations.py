"""A figure's source line: the short citations of the sources behind it, as a chart caption shows them.

Presentation, not report: the web pages, their extensions and the report all caption figures with it, so
a chart cites its sources the same way in a browser and in a PDF.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from diaspora_observatory.case.package import Case


def source_label(case: Case, source_ids: set[str] | list[str]) -> str:
    """Short citations like ``Bureau of National Statistics of the Republic of Kazakhstan (2024)``."""
    labels = []
    for source_id in sorted(source_ids):
        source = case.sources.get(source_id)
        if source:
            year = f" ({source['year']})" if source.get("year") else ""
            labels.append(f"{source['author']}{year}")
    return "; ".join(labels)
