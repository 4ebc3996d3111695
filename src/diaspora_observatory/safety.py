"""Protections shared by every adapter: spreadsheet-safe exports, cross-site form refusal, token attempt limits."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import pandas as pd
    from starlette.requests import Request

from diaspora_observatory.errors import DiasporaError

ATTEMPTS_PER_MINUTE = 10
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


def client_address(request: Request) -> str:
    """The client's address, for in-memory limits only (never stored).

    Behind a reverse proxy named with ``diaspora serve --trusted-proxy``, the server has already put the
    address the proxy forwarded (X-Forwarded-For) in its place; from any other peer that header is ignored.
    """
    return request.client.host if request.client else "unknown"


class TooManyAttempts(DiasporaError):
    """Too many wrong tokens from one client; ``retry_after`` says in how many seconds to try again."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many wrong tokens from this address; try again in {retry_after} s",
                         "check the token you were given")
        self.retry_after = retry_after


class AttemptLimiter:
    """At most ``limit`` failed token attempts per client address in ``window`` seconds, in memory only.

    Only failures count, so a person using the right token is never slowed. Addresses are forgotten once
    their window has passed; nothing is written anywhere. Behind a reverse proxy the address is the one
    the proxy forwarded (``diaspora serve --trusted-proxy``), else every client would share one limit.
    """

    def __init__(self, limit: int = ATTEMPTS_PER_MINUTE, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        """Raise :class:`TooManyAttempts` when ``key`` used up its failures of the current window."""
        now = time.monotonic()
        with self._lock:
            failures = self._failures.get(key)
            while failures and failures[0] <= now - self.window:
                failures.popleft()
            if failures is not None and not failures:
                del self._failures[key]
            elif failures and len(failures) >= self.limit:
                raise TooManyAttempts(max(1, math.ceil(failures[0] + self.window - now)))

    def failed(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._failures) > 10_000:
                for stale in [k for k, v in self._failures.items() if not v or v[-1] <= now - self.window]:
                    del self._failures[stale]
            self._failures.setdefault(key, deque()).append(now)

    def verify(self, key: str, accepted: bool) -> bool:
        """``accepted`` after checking the limit for ``key`` (raises TooManyAttempts), counting a failure."""
        self.check(key)
        if not accepted:
            self.failed(key)
        return accepted
