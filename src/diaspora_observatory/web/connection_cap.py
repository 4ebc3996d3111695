"""A cap on the connections the server holds open at once: one more is answered 503 and closed, at once.

Each open connection holds a file descriptor and a little memory, and the header deadline
(``slowclients.py``) only bounds how long one client holds one connection: a client opening thousands
could still exhaust the process's descriptors (``ulimit -n``, often 1024), after which the server cannot
accept anyone, nor open its database. With the cap, the connections past it are refused the moment they
are accepted: the client gets ``503`` with ``Retry-After`` and the connection is closed, before any request
is read or any application code runs, while the connections under the cap are served as before.

uvicorn's own ``limit_concurrency`` is not used: it reads and parses each request on a connection over the
limit before answering 503, counts the connection it answers (so only ``limit - 1`` are served), logs a
warning for every refused request, and answers without ``Retry-After``.

A refused connection is closed cleanly: the answer is written, the sending side shut (so the client reads
the whole answer, then the end), what the client still sends is read and dropped, and the connection is
closed when the client closes it or after :data:`LINGER_SECONDS`. Closing a socket with unread bytes would
reset it instead, and the client could lose the answer.
"""

from __future__ import annotations

import time

from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.safety import SECURITY_LOG

DEFAULT_MAX_CONNECTIONS = 500
DESCRIPTORS_KEPT = 64  # file descriptors left for the databases, the case's files and the templates
LINGER_SECONDS = 1.0
REFUSAL_LOG_SECONDS = 60.0  # a refusal is logged at most once in this time, with how many there were
REFUSED_TEXT = ("The server has as many open connections as it accepts ({limit}); try again in a few seconds.")


def refusal(limit: int) -> bytes:
    body = REFUSED_TEXT.format(limit=limit).encode()
    return (b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
            b"retry-after: 5\r\nx-content-type-options: nosniff\r\ncontent-length: " + str(len(body)).encode()
            + b"\r\n\r\n" + body)


def descriptor_limit() -> int | None:
    """The process's soft limit on open files, None where the platform has none to read (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else soft


def default_max_connections() -> int:
    """:data:`DEFAULT_MAX_CONNECTIONS`, or fewer when the open-file limit would run out first."""
    files = descriptor_limit()
    if files is None:
        return DEFAULT_MAX_CONNECTIONS
    return max(1, min(DEFAULT_MAX_CONNECTIONS, files - DESCRIPTORS_KEPT))


def checked_max_connections(requested: int | None) -> int:
    """The cap to serve with: ``requested``, or the default when None; a cap the open-file limit cannot
    hold is refused, since the server would fail to accept connections below it."""
    if requested is None:
        return default_max_connections()
    files = descriptor_limit()
    if files is not None and requested > files - DESCRIPTORS_KEPT:
        raise DiasporaError(f"--max-connections {requested} is more than this process can hold open: its open-file "
                            f"limit is {files}, and {DESCRIPTORS_KEPT} are kept for databases and files",
                            f"give at most {max(1, files - DESCRIPTORS_KEPT)}, or raise the limit (ulimit -n) first")
    return requested


def capped_protocol(base: type, limit: int) -> type:
    """A subclass of uvicorn's protocol class ``base`` that refuses a connection while ``limit`` are open."""
    refusals: dict[str, float | None] = {"count": 0, "logged_at": None}

    class CappedProtocol(base):
        _refused = False
        _linger = None

        def connection_made(self, transport) -> None:
            if len(self.connections) < limit:
                super().connection_made(transport)
                return
            # Not added to the server's connections: a refused connection is gone within LINGER_SECONDS.
            self._refused = True
            self.transport = transport
            transport.write(refusal(limit))
            if transport.can_write_eof():
                transport.write_eof()
            self._linger = self.loop.call_later(LINGER_SECONDS, transport.close)
            _log_refusal()

        def data_received(self, data: bytes) -> None:
            if not self._refused:
                super().data_received(data)

        def eof_received(self):
            if not self._refused:
                return super().eof_received()
            return None  # the client is done: the transport closes itself

        def connection_lost(self, exc) -> None:
            if not self._refused:
                super().connection_lost(exc)
            elif self._linger is not None:
                self._linger.cancel()

    def _log_refusal() -> None:
        refusals["count"] = (refusals["count"] or 0) + 1
        now = time.monotonic()
        logged_at = refusals["logged_at"]
        if logged_at is None or now - logged_at >= REFUSAL_LOG_SECONDS:
            SECURITY_LOG.warning(f"refused {int(refusals['count'] or 0)} connection(s): {limit} were open, the most "
                                 "this server accepts (diaspora serve --max-connections)")
            refusals["count"], refusals["logged_at"] = 0, now

    CappedProtocol.__name__ = f"Capped{base.__name__}"
    return CappedProtocol
