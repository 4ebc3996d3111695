"""Request checks for the survey's write routes: same-site only, bounded body size."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request

DEFAULT_MAX_BODY = 64 * 1024


class BodyTooLarge(Exception):
    """The request body is larger than the cap."""


def cross_site(request: Request) -> bool:
    """Whether a browser says this POST comes from another site (Fetch Metadata, then Origin).

    Requests without either header (curl, a phone app using the JSON API) are not cross-site posts
    from a browser and pass; the JSON API also demands ``application/json``, which browsers cannot
    send cross-site without a preflight that this app never grants.
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


async def read_body(request: Request, limit: int = DEFAULT_MAX_BODY) -> bytes:
    """The request body, refusing (``BodyTooLarge``) beyond ``limit`` bytes before reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)
