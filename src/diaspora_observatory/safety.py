"""Protections shared by every adapter: spreadsheet-safe exports and cross-site form refusal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import pandas as pd
    from starlette.requests import Request

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` made inert for spreadsheets: text starting like a formula gets a leading ``'``.

    Numbers are untouched, so a negative net flow stays a number.

    >>> neutralise("=HYPERLINK(\\"x\\")"), neutralise(-5), neutralise("plain")
    ('\\'=HYPERLINK("x")', -5, 'plain')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are neutralised (see ``neutralise``)."""
    import pandas as pd

    text_columns = [column for column in frame.columns
                    if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column])]
    if frame.empty or not text_columns:
        return frame
    safe = frame.copy()
    for column in text_columns:
        safe[column] = safe[column].map(neutralise)
    return safe


def is_cross_site(request: Request) -> bool:
    """Whether a browser says this POST comes from another site (Fetch Metadata, then Origin).

    Requests carrying neither header (curl, a phone app using a JSON API) are not cross-site posts from
    a browser and pass; an opaque ``null`` origin is refused.
    """
    site = request.headers.get("sec-fetch-site")
    if site and site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    if origin == "null":
        return True
    return urlsplit(origin).netloc.lower() != (request.headers.get("host") or "").lower()
