"""Access tokens: the admin token that guards raw survey exports, closing and deleting surveys (and may
code documents), and the token mechanism the coders' tokens share. In the foundation layer because two
adapters (survey/ and documents/) check them.

Set ``DIASPORA_ADMIN_TOKEN`` to choose it (at least :data:`MIN_TOKEN_LENGTH` characters); otherwise one
is generated on first start. Only its SHA-256 hash is checked, from ``<data dir>/survey/admin-token.sha256``
(the token is long and random, so a plain hash suffices); the generated token itself is written once to
``<data dir>/survey/admin-token.txt``, readable by its owner only, and only that path is printed: a token
printed to stderr ends up in service logs. The repository never holds it.

The same pieces serve the coders' tokens of manual document coding (``documents/coders.py``): a random
token shown once, its hash kept in a file only the owner can read, a constant-time comparison, and a limit
on failed attempts per client (``safety.AttemptLimiter``) so a token cannot be guessed by trying.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

from diaspora_observatory.errors import DiasporaError

TOKEN_ENV = "DIASPORA_ADMIN_TOKEN"
# A token chosen by a person must resist guessing at the attempt limit (safety.ATTEMPTS_PER_MINUTE a client):
# 16 characters of even a small alphabet leave far more than a lifetime of minutes to try.
MIN_TOKEN_LENGTH = 16


class TokenTooShort(DiasporaError):
    """A token set by the user that is too short to resist guessing."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


_digest = digest  # the earlier private name


def new_token() -> str:
    """A random token: 24 bytes from the system's secure source, 32 URL-safe characters."""
    return secrets.token_urlsafe(24)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable and writable by its owner only (0600) from its first byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(0o600)  # an existing file keeps its mode through os.open


def same_digest(offered: str, stored_digest: str) -> bool:
    """Whether ``offered`` hashes to ``stored_digest`` (constant-time comparison)."""
    return hmac.compare_digest(digest(offered), stored_digest)


def token_file(data_dir: Path) -> Path:
    return Path(data_dir) / "survey" / "admin-token.sha256"


def generated_token_file(data_dir: Path) -> Path:
    return Path(data_dir) / "survey" / "admin-token.txt"


def configured_token() -> str | None:
    """The admin token set in ``DIASPORA_ADMIN_TOKEN``, refused when shorter than MIN_TOKEN_LENGTH."""
    configured = os.environ.get(TOKEN_ENV)
    if configured and len(configured) < MIN_TOKEN_LENGTH:
        raise TokenTooShort(f"{TOKEN_ENV} has {len(configured)} characters; an admin token needs at least "
                            f"{MIN_TOKEN_LENGTH}, so that it cannot be guessed by trying",
                            f"choose a longer one, or unset {TOKEN_ENV} to have a random token generated")
    return configured or None


def ensure_admin_token(data_dir: Path, announce: bool = True) -> str | None:
    """Make sure an admin token exists; return a newly generated one, else None.

    A generated token is written to :func:`generated_token_file` (mode 0600) and the file's path is
    printed to stderr, never the token. A too short ``DIASPORA_ADMIN_TOKEN`` raises :class:`TokenTooShort`.
    """
    if configured_token():
        return None
    path = token_file(data_dir)
    if path.is_file():
        return None
    with _generating(path):
        if path.is_file():  # another worker process of the same server generated it meanwhile
            return None
        token = new_token()
        write_private(generated_token_file(data_dir), token + "\n")
        write_private(path, digest(token) + "\n")
    if announce:
        print(f"Survey admin token generated and written to {generated_token_file(data_dir)} (readable only by "
              f"you; only its hash is kept for checking). Move it to a safe place and delete the file.",
              file=sys.stderr)
    return token


@contextlib.contextmanager
def _generating(path: Path) -> Iterator[None]:
    """Held while a token is generated: two worker processes starting together would otherwise each write
    a token, and the text file could end up with one token and the hash file with the other's. An flock,
    released by the kernel if the process dies; Windows has none (one server process there)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path.with_name(".admin-token.lock"), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def reset_admin_token(data_dir: Path) -> Path:
    """Replace the generated admin token with a new one (a lost token's recovery); return the file holding it.

    Access to the data folder is the proof of ownership: whoever can write there can read the answers
    anyway. The old token stops working at once (a running server checks the hash file on each attempt).
    A token set in ``DIASPORA_ADMIN_TOKEN`` is the user's own choice and is refused here: change the variable.
    """
    if os.environ.get(TOKEN_ENV):
        raise DiasporaError(f"the admin token is set in {TOKEN_ENV}, so there is no generated token to reset",
                            f"choose a new value for {TOKEN_ENV} (at least {MIN_TOKEN_LENGTH} characters), or unset "
                            f"it and run this again to have one generated")
    token = new_token()
    write_private(generated_token_file(data_dir), token + "\n")
    write_private(token_file(data_dir), digest(token) + "\n")
    return generated_token_file(data_dir)


def check_admin_token(data_dir: Path, offered: str | None) -> bool:
    """Whether ``offered`` is the admin token (constant-time comparison)."""
    if not offered:
        return False
    try:
        configured = configured_token()
    except TokenTooShort:
        return False  # a short token is never accepted (the server refuses to start with one)
    if configured:
        return same_digest(offered, digest(configured))
    path = token_file(data_dir)
    if not path.is_file():
        return False
    return same_digest(offered, path.read_text(encoding="ascii").strip())
