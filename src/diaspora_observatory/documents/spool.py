"""Exports too large to come back whole from a page worker: written to a file there, streamed from it here.

``/coding.csv`` and ``/coding.json`` list every document's coverage, 114 MB of text at 100,000 articles. A
page worker (``pagework.py``) writes such an export a chunk at a time (``exports.coverage_export``) into a
file of the server's spool folder and answers with its name and size only (:class:`Written`), so neither
process holds the text: the worker holds one chunk, the server one block of the file while it sends it
(:class:`SpooledResponse`). The file is written under a temporary name and renamed when complete, so a
worker killed half-way leaves no file that could be sent as if whole.

The server keeps the files it has as it keeps finished pages (keyed by the store's version), a few at a
time, and deletes the ones it forgets; a reader still being sent a deleted file goes on reading it (its
open file keeps it on disk until closed, as POSIX promises).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

BLOCK_BYTES = 256 * 1024  # read and sent at a time: the server's memory for one download, whatever its size


@dataclass(frozen=True)
class Written:
    """A worker's answer written to a file: where it is, how many bytes it has."""

    path: str
    size: int

    def discard(self) -> None:
        """Delete the file (the server forgets it); one already gone is fine."""
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def write_text(folder: str, suffix: str, chunks: Iterable[str]) -> Written:
    """``chunks`` written as UTF-8 one after another into a new file of ``folder`` (the bytes a response of
    their joined text would send), named only once complete."""
    final = os.path.join(folder, f"{uuid.uuid4().hex}{suffix}")
    partial = f"{final}.part"
    try:
        with open(partial, "w", encoding="utf-8", newline="") as file:
            for chunk in chunks:
                file.write(chunk)
        os.replace(partial, final)
    except BaseException:
        Written(partial, 0).discard()
        raise
    return Written(final, os.path.getsize(final))


class SpooledResponse(Response):
    """A file sent a block at a time, read in a thread off the event loop. The file is opened by the caller
    (so a file the server forgets after this answer was chosen is still read whole) and closed here,
    however the sending ends."""

    def __init__(self, file, size: int, media_type: str, headers: dict[str, str] | None = None) -> None:
        self.file = file
        self.status_code = 200
        self.media_type = media_type
        self.background = None
        self.init_headers({**(headers or {}), "content-length": str(size)})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            while block := await anyio.to_thread.run_sync(self.file.read, BLOCK_BYTES):
                await send({"type": "http.response.body", "body": block, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            self.file.close()


def open_written(written: Written, forget: bool) -> tuple[object, int]:
    """The written file opened for reading, and its size; with ``forget`` (an answer not kept by the server)
    its name is removed at once, so the file goes when the reader closes it."""
    file = Path(written.path).open("rb")
    if forget:
        written.discard()
    return file, written.size
