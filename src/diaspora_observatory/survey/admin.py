"""The admin token that guards raw exports, closing and deleting surveys.

Set ``DIASPORA_ADMIN_TOKEN`` to choose it; otherwise one is generated on first start and printed once.
Only its SHA-256 hash is kept, in ``<data dir>/survey/admin-token.sha256`` (the token is long and random,
so a plain hash suffices); the repository never holds it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sys
from pathlib import Path

TOKEN_ENV = "DIASPORA_ADMIN_TOKEN"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_file(data_dir: Path) -> Path:
    return Path(data_dir) / "survey" / "admin-token.sha256"


def ensure_admin_token(data_dir: Path, announce: bool = True) -> str | None:
    """Make sure an admin token exists; return a newly generated one (printed to stderr), else None."""
    if os.environ.get(TOKEN_ENV):
        return None
    path = token_file(data_dir)
    if path.is_file():
        return None
    token = secrets.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_digest(token) + "\n", encoding="ascii")
    path.chmod(0o600)
    if announce:
        print(f"Survey admin token (shown once; stored hashed in {path}): {token}", file=sys.stderr)
    return token


def check_admin_token(data_dir: Path, offered: str | None) -> bool:
    """Whether ``offered`` is the admin token (constant-time comparison)."""
    if not offered:
        return False
    configured = os.environ.get(TOKEN_ENV)
    if configured:
        return hmac.compare_digest(_digest(offered), _digest(configured))
    path = token_file(data_dir)
    if not path.is_file():
        return False
    return hmac.compare_digest(_digest(offered), path.read_text(encoding="ascii").strip())
