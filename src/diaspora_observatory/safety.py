"""Protections shared by every adapter: spreadsheet-safe exports, cross-site form refusal, token attempt limits,
and the security log (failed token attempts, refused connections)."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:
    import pandas as pd
    from starlette.requests import Request

from diaspora_observatory.errors import DiasporaError

ATTEMPTS_PER_MINUTE = 10
# What a server operator needs to see an attack: failed token attempts (never the token) and refused
# connections. ``diaspora serve`` writes it to stderr with the UTC time (log_security_to_stderr).
SECURITY_LOG = logging.getLogger("diaspora.security")  # not a module name: the layer test reads those
MAX_LOGGED_PATH = 200
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


def attempt_route(request: Request) -> str:
    """The method and path of ``request`` as the security log shows it: percent-encoded, so that a path
    holding line breaks or control characters cannot write a line of its own, and cut at
    :data:`MAX_LOGGED_PATH` characters. The query string is left out (it may hold a token)."""
    # the scope's path as the server decoded it: request.url drops line breaks silently (urllib's urlsplit)
    path = quote(request.scope.get("path", ""), safe="/-._~!$&'()*+,;=:@")
    return f"{request.method} {path[:MAX_LOGGED_PATH]}{'…' if len(path) > MAX_LOGGED_PATH else ''}"


def log_security_to_stderr() -> None:
    """Write the security log to stderr, each line led by its UTC time (ISO 8601)."""
    if any(getattr(handler, "_diaspora", False) for handler in SECURITY_LOG.handlers):
        return
    handler = logging.StreamHandler()
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s", datefmt="%Y-%m-%dT%H:%M:%SZ")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler._diaspora = True  # type: ignore[attr-defined]
    SECURITY_LOG.addHandler(handler)
    SECURITY_LOG.setLevel(logging.INFO)
    SECURITY_LOG.propagate = False


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

    def failed(self, key: str, route: str) -> None:
        """Count a failed attempt from ``key`` (the client address) and log it with ``route`` (see
        :func:`attempt_route`); the token itself is never logged."""
        now = time.monotonic()
        with self._lock:
            if len(self._failures) > 10_000:
                for stale in [k for k, v in self._failures.items() if not v or v[-1] <= now - self.window]:
                    del self._failures[stale]
            failures = self._failures.setdefault(key, deque())
            failures.append(now)
            count = len(failures)
        SECURITY_LOG.warning(f"failed token attempt: {route} from {quote(key, safe=':.[]')} ({count} of "
                             f"{self.limit} allowed in {self.window:g} s)")

    def verify(self, key: str, accepted: bool, route: str) -> bool:
        """``accepted`` after checking the limit for ``key`` (raises TooManyAttempts), counting and logging a
        failure at ``route``."""
        self.check(key)
        if not accepted:
            self.failed(key, route)
        return accepted
