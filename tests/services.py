"""The outside programs some tests need, found the same way by every test (tools/run-tests provides them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def chromium_executable() -> str:
    """Chromium for the browser tests: $DIASPORA_CHROMIUM, else /usr/bin/chromium; the test skips without it
    (and fails under CI=true, see conftest.py)."""
    executable = os.environ.get("DIASPORA_CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        pytest.skip(f"no Chromium at {executable} (Debian: apt-get install chromium, or set DIASPORA_CHROMIUM)")
    return executable
