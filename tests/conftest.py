"""Shared fixtures: the built-in case, and a writable copy of it for tests that break data on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from diaspora_observatory import load_case
from diaspora_observatory.case.package import EMBEDDED_CASES

BUILTIN = "kazakh-central-asia"


@pytest.fixture(scope="session")
def case():
    return load_case()


@pytest.fixture
def case_copy(tmp_path: Path) -> Path:
    """A copy of the built-in case's folder that a test may edit."""
    target = tmp_path / BUILTIN
    shutil.copytree(EMBEDDED_CASES / BUILTIN, target)
    return target

