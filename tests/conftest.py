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


def replace_in(path: Path, old: str, new: str) -> None:
    """Replace exactly one occurrence of ``old`` in a file (fails loudly if it is not there once)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")
