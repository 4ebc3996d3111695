"""The examples in the package's docstrings run as tests: one test per module that has any."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

import diaspora_observatory

PACKAGE = Path(diaspora_observatory.__file__).resolve().parent


def modules_with_examples() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if ">>> " not in path.read_text(encoding="utf-8"):
            continue
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append(".".join(parts))
    return found


MODULES = modules_with_examples()


def test_there_are_examples_to_run():
    assert len(MODULES) >= 10


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has '>>> ' but no example doctest can run"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (see above)"
