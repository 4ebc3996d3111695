"""Security headers for every response, and the Content-Security-Policy the pages are written for.

The pages carry no inline script or style: scripts and styles come from ``/static``. Charts are drawn
by Vega with its expression interpreter (vega-embed's ``ast`` option), so the policy needs no
``'unsafe-eval'``; the browser tests load every page under this policy and fail on any violation.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])

SECURITY_HEADERS: dict[str, str] = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


class SecurityHeadersMiddleware:
    """Adds ``SECURITY_HEADERS`` to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.raw_headers = [(name.encode("latin-1"), value.encode("latin-1"))
                            for name, value in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in self.raw_headers if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# The names under which a loopback-only server is reached. A DNS-rebinding page makes the browser send its
# own name (evil.example) to 127.0.0.1; refusing every Host not listed here keeps such a page out.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
WILDCARD_ADDRESSES = ("", "0.0.0.0", "::")


def host_name(header: str) -> str:
    """The host of a Host header, lower case, without port, brackets or a final dot: ``[::1]:80`` -> ``::1``."""
    value = header.strip().lower()
    if value.startswith("["):
        value = value[1:value.find("]")] if "]" in value else value[1:]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    return value.rstrip(".")


def allowed_hosts_for(bind_host: str, extra: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The Host names a server bound to ``bind_host`` accepts: loopback names, the bound address unless it
    is a wildcard, and ``extra`` (``diaspora serve --allow-host``)."""
    hosts = [*LOOPBACK_HOSTS]
    for name in (bind_host, *extra):
        name = host_name(name)
        if name not in WILDCARD_ADDRESSES and name not in hosts:
            hosts.append(name)
    return hosts


class AllowedHostsMiddleware:
    """Answers 400, in plain words, to a request whose Host header names a host not in ``hosts``."""

    def __init__(self, app: ASGIApp, hosts: list[str] | tuple[str, ...]) -> None:
        self.app = app
        self.shown = list(dict.fromkeys(host_name(host) for host in hosts))
        self.hosts = frozenset(self.shown)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), "")
        if host_name(header) in self.hosts:
            await self.app(scope, receive, send)
            return
        shown = header[:100] or "(none)"
        body = (f"This server does not answer for the host {shown!r}. It serves only: {', '.join(self.shown)}."
                f" If it should answer for this name, start it with: diaspora serve --allow-host NAME\n").encode()
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await send({"type": "http.response.start", "status": 400, "headers": [
            (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": body})
