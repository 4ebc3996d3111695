"""The user's cache folder: things the observatory can always make again, kept to make them faster.

Drawn charts (``charts/render.py``), the report's compiled templates (``report/build.py``), its computed
sections and the SHA-256 of each of the package's files they are keyed by (``report/section_cache.py``,
``sections`` and ``digests``) and the map's simplified outlines (``web/geometry.py``) live here,
each under its own name. The folder is
``$DIASPORA_CACHE_DIR``, else ``$XDG_CACHE_HOME`` or ``~/.cache``, then ``diaspora-observatory`` (the XDG
base-directory rule, as ``user_data_dir`` follows it for data).
Nothing in it is ever the only copy: deleting it costs time, never a result, and a folder that cannot be
written is simply not used.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir(name: str) -> Path:
    """The cache folder for ``name`` (``charts``, ``templates``, ``sections``, ``digests``, ``outlines``); not
    created here."""
    configured = os.environ.get("DIASPORA_CACHE_DIR")
    if configured:
        return Path(configured) / name
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "diaspora-observatory" / name
