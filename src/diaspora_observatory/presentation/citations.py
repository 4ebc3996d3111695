"""A figure's source line: the short citations of the sources behind it, as a chart caption shows them, and
the source ids its tables name.

Presentation, not report: the web pages, their extensions and the report all caption figures with it, so
a chart cites its sources the same way in a browser and in a PDF.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from diaspora_observatory.case.package import Case


def source_ids_of(*frames: pd.DataFrame | None) -> set[str]:
    """Every source id in the frames' ``source_id``, ``*_source_id`` and ``source_ids`` columns (a
    ``source_ids`` value lists several, separated by ``;``)."""
    import pandas as pd

    found: set[str] = set()
    for frame in frames:
        if frame is None:
            continue
        for column in frame.columns:
            if column == "source_ids" or str(column).endswith("source_id"):
                # each distinct value once: a per-document table repeats its few ids thousands of times
                for value in set(frame[column].tolist()):
                    if isinstance(value, str) or not pd.isna(value):  # NaN, pd.NA and None hold no id
                        found.update(part for part in str(value).split(";") if part)
    return found


def source_label(case: Case, source_ids: set[str] | list[str]) -> str:
    """Short citations like ``Bureau of National Statistics of the Republic of Kazakhstan (2024)``."""
    labels = []
    for source_id in sorted(source_ids):
        source = case.sources.get(source_id)
        if source:
            year = f" ({source['year']})" if source.get("year") else ""
            labels.append(f"{source['author']}{year}")
    return "; ".join(labels)
