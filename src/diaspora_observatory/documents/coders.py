"""Coders' tokens: who may code documents by hand on the web page.

``diaspora documents coder add NAME`` makes a random token for a coder and prints it once; only its
SHA-256 hash is kept, in ``<data dir>/documents/coder-tokens.json`` (mode 0600), by the same mechanism as
the survey admin token (``access.py``). The web page records a passage under the name the token
belongs to, so one coder cannot write in another's name; the admin token may code under any name.
"""

from __future__ import annotations

import json
from pathlib import Path

from diaspora_observatory.access import digest, new_token, same_digest, write_private
from diaspora_observatory.documents.coding import AUTO_CODER
from diaspora_observatory.documents.store import MAX_CODER_LENGTH
from diaspora_observatory.errors import DiasporaError


class CoderInvalid(DiasporaError):
    """A coder name that cannot be given a token (empty, too long, reserved, already there, unknown)."""


def tokens_file(data_dir: Path) -> Path:
    return Path(data_dir) / "documents" / "coder-tokens.json"


def _read(data_dir: Path) -> dict[str, str]:
    path = tokens_file(data_dir)
    if not path.is_file():
        return {}
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CoderInvalid(f"{path} could not be read ({error})",
                           "restore it from a backup, or delete it and give every coder a new token") from None
    if not isinstance(stored, dict) or not all(isinstance(v, str) for v in stored.values()):
        raise CoderInvalid(f"{path} is not a JSON object of coder names and token hashes",
                           "restore it from a backup, or delete it and give every coder a new token")
    return stored


def coders(data_dir: Path) -> list[str]:
    """The names that have a token, sorted."""
    return sorted(_read(data_dir))


def add_coder(data_dir: Path, name: str, *, replace: bool = False) -> str:
    """Give coder ``name`` a new token and return it (the only time it is seen); ``replace`` renews one."""
    name = (name or "").strip()
    if not name or len(name) > MAX_CODER_LENGTH:
        raise CoderInvalid(f"a coder name must have 1 to {MAX_CODER_LENGTH} characters",
                           "give the name or initials of the person coding")
    if name == AUTO_CODER:
        raise CoderInvalid(f"the coder name {AUTO_CODER!r} is reserved for automatic coding",
                           "give the name or initials of the person coding")
    stored = _read(data_dir)
    if name in stored and not replace:
        raise CoderInvalid(f"coder {name!r} already has a token",
                           "pass --replace to give them a new one (the old one stops working)")
    token = new_token()
    stored[name] = digest(token)
    write_private(tokens_file(data_dir), json.dumps(stored, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return token


def remove_coder(data_dir: Path, name: str) -> None:
    """Withdraw a coder's token (their passages stay)."""
    stored = _read(data_dir)
    if name not in stored:
        raise CoderInvalid(f"coder {name!r} has no token", "list them with `diaspora documents coder list`")
    del stored[name]
    write_private(tokens_file(data_dir), json.dumps(stored, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def coder_for_token(data_dir: Path, offered: str | None) -> str | None:
    """The coder whose token ``offered`` is, or None. Every stored hash is compared, in constant time."""
    if not offered:
        return None
    found = None
    for name, stored_digest in _read(data_dir).items():
        if same_digest(offered, stored_digest):
            found = name
    return found
