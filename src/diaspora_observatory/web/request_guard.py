"""Hostile request text refused before any handler, template or database sees it.

Four inputs once gave server errors (issue 12): JSON nested tens of thousands deep (``RecursionError``
in the parser), a lone surrogate such as ``\\ud800`` in a JSON string (a ``str`` Python holds but cannot
encode as UTF-8 for a reply or a database), a path integer of 2^63 or more (beyond SQLite's 64-bit
integers) and a NUL character (which PostgreSQL text refuses). Each has one check here:

- :class:`RequestGuard`, a middleware: the address (path and query string) must percent-decode to UTF-8
  text without NUL; anything else is a 400 naming the reason, never text re-decoded with replacement
  characters or another encoding;
- the ``int`` path convertor is replaced by one that matches at most 18 digits, so every ``{name:int}``
  route stays inside SQLite's range (a longer number is simply no page: 404);
- :func:`~diaspora_observatory.untrusted.json_too_deep` (a scan of the bytes before parsing, for the
  JSON API) and :func:`~diaspora_observatory.untrusted.is_plain_text` (no NUL, no lone surrogate, for
  values read from a body), kept in a module of their own so the library can use them without Starlette.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import unquote_to_bytes

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from diaspora_observatory.web.pages import N_
from diaspora_observatory.web.security import SECURITY_HEADERS

if TYPE_CHECKING:
    from diaspora_observatory.web.extensions import WebContext

BAD_ADDRESS = N_("The address is not valid text: it holds a NUL character or bytes that are not UTF-8. "
                 "Check the link and type it again.")


def _decodes(raw: bytes) -> bool:
    """Whether percent-encoded ``raw`` (a path or query string) is UTF-8 text without NUL."""
    decoded = unquote_to_bytes(raw.replace(b"+", b" ").decode("latin-1"))
    if b"\x00" in decoded:
        return False
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class BoundedIntConvertor(Convertor[int]):
    """Starlette's ``int`` convertor limited to 18 digits: every value fits a signed 64-bit integer
    (SQLite's and PostgreSQL's ``bigint``), so no query can overflow on a path parameter."""

    regex = "[0-9]{1,18}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


# Routes compile their convertors when they are built; this module is imported by web/app.py before
# any route of the app or of an extension exists.
register_url_convertor("int", BoundedIntConvertor())


class RequestGuard:
    """A 400, before routing, for an address that is not UTF-8 text or holds a NUL (see module doc)."""

    def __init__(self, app: ASGIApp, web: WebContext) -> None:
        self.app = app
        self.web = web

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
            if not (_decodes(raw_path) and _decodes(scope.get("query_string", b""))):
                await self.refuse(scope)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def refuse(self, scope: Scope) -> Response:
        # The query string is dropped before rendering: the page's own links read it.
        request = Request({**scope, "query_string": b""})
        if scope["path"].endswith((".json", ".csv")) or "/submissions" in scope["path"]:
            return JSONResponse({"error": "Bad request", "status": 400, "detail": BAD_ADDRESS}, status_code=400,
                                headers={**SECURITY_HEADERS, "cache-control": "no-store"})
        try:
            response = self.web.render(request, "error.html", {"status": 400, "title": N_("Bad request"),
                                                               "message": BAD_ADDRESS, "detail": ""},
                                       status_code=400)
        except Exception:  # noqa: BLE001 - the error page itself failed: plain text, never a trace
            return PlainTextResponse(f"400 Bad request: {BAD_ADDRESS}", status_code=400, headers=SECURITY_HEADERS)
        response.headers.update({**SECURITY_HEADERS, "cache-control": "no-store"})
        return response
