"""Request checks for the survey's write routes: same-site only, bounded body size."""

from __future__ import annotations

from starlette.requests import Request

from diaspora_observatory.safety import is_cross_site

DEFAULT_MAX_BODY = 64 * 1024


class BodyTooLarge(Exception):
    """The request body is larger than the cap."""


def cross_site(request: Request) -> bool:
    """Whether a browser says this POST comes from another site; the JSON API also demands
    ``application/json``, which browsers cannot send cross-site without a preflight this app never grants."""
    return is_cross_site(request)


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
