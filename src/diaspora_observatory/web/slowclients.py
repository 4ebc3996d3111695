"""Deadlines for slow clients: headers must arrive within a time, and so must a request's body.

uvicorn closes an idle keep-alive connection after ``timeout_keep_alive`` seconds, but any byte that
arrives disarms that timer, and nothing times the headers of a new connection: a client sending one byte
every few seconds ("slowloris") holds a connection for ever. Nor does anything time a body that trickles.

- :func:`header_deadline_protocol` wraps uvicorn's HTTP protocol class: from a connection's start, and on a
  kept-alive connection from the first byte of each further request, the request's headers must be complete
  within ``seconds``, else the connection is closed (with a 408 when part of a request had come).
- :class:`BodyDeadlineMiddleware` times the reading of a request's body: whatever reads it (a form, the
  survey's JSON API) gets at most ``seconds`` from its first read; past that the client gets a 408 and the
  handler stops there. Once the body is complete, reads are passed through untimed, so a long download's
  wait for the client to disconnect is not cut.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CLIENT_TIMEOUT_SECONDS = 10.0
TIMEOUT_TEXT = "The request did not arrive in time ({seconds:g} s); send it again."


def _timeout_response(seconds: float) -> bytes:
    body = TIMEOUT_TEXT.format(seconds=seconds).encode()
    return (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
            b"x-content-type-options: nosniff\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def header_deadline_protocol(base: type, seconds: float) -> type:
    """A subclass of uvicorn's protocol class ``base`` whose requests' headers have ``seconds`` to arrive."""

    class HeaderDeadlineProtocol(base):
        _deadline = None
        _cycle_at_arm = None
        _bytes_since_arm = 0

        def _arm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
            self._cycle_at_arm = self.cycle
            self._bytes_since_arm = 0
            self._deadline = self.loop.call_later(seconds, self._deadline_passed)

        def _deadline_passed(self) -> None:
            self._deadline = None
            if self.cycle is not self._cycle_at_arm:
                return  # a new request's headers arrived in time
            if self.cycle is not None and not self.cycle.response_complete:
                return  # a response is under way (a pipelined request)
            if not self.transport.is_closing():
                if self._bytes_since_arm:
                    self.transport.write(_timeout_response(seconds))
                self.transport.close()

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            if self._deadline is None and (self.cycle is None or self.cycle.response_complete):
                # the first bytes of the next request on a kept-alive connection: its headers are timed from
                # here (an idle kept-alive connection is uvicorn's timeout_keep_alive's business)
                self._arm()
            self._bytes_since_arm += len(data)
            super().data_received(data)

        def connection_lost(self, exc) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None
            super().connection_lost(exc)

    HeaderDeadlineProtocol.__name__ = f"HeaderDeadline{base.__name__}"
    return HeaderDeadlineProtocol


def server_protocol(seconds: float = CLIENT_TIMEOUT_SECONDS, max_connections: int | None = None) -> type:
    """uvicorn's fastest available HTTP protocol (httptools, else h11) with the header deadline, and with the
    cap on open connections when ``max_connections`` is given (``connection_cap.py``)."""
    from diaspora_observatory.web.connection_cap import capped_protocol

    base: type
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        base = HttpToolsProtocol
    except ImportError:  # httptools is a declared dependency; h11 comes with uvicorn itself
        from uvicorn.protocols.http.h11_impl import H11Protocol

        base = H11Protocol
    protocol = header_deadline_protocol(base, seconds)
    return capped_protocol(protocol, max_connections) if max_connections else protocol


def _has_body(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return value.strip() not in (b"0", b"")
        if name == b"transfer-encoding":
            return True
    return False


class _BodyTimeout(BaseException):
    """Raised into the handler reading a late body. A BaseException on purpose: the handlers' own
    ``except Exception`` (which would answer 500 and log a server error) must let it through to
    :class:`BodyDeadlineMiddleware`, which answers 408."""


class BodyDeadlineMiddleware:
    """A request's body must be read completely within ``seconds`` of the first read, else 408."""

    def __init__(self, app: ASGIApp, seconds: float = CLIENT_TIMEOUT_SECONDS) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not _has_body(scope):
            # nothing can trickle (no Content-Length above 0, no chunked body): the hot GET path stays untouched
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        complete = False
        started = False

        async def timed_receive() -> Message:
            nonlocal deadline, complete
            if complete:
                return await receive()
            if deadline is None:
                deadline = loop.time() + self.seconds
            try:
                async with asyncio.timeout_at(deadline):  # no extra task, unlike wait_for
                    message = await receive()
            except TimeoutError:
                raise _BodyTimeout from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                complete = True
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, timed_receive, watched_send)
        except _BodyTimeout:
            if started:
                return
            body = TIMEOUT_TEXT.format(seconds=self.seconds).encode()
            await send({"type": "http.response.start", "status": 408, "headers": [
                (b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close"),
                (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
