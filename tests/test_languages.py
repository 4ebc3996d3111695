"""Languages are declared once (languages.py): no other module writes the list out, and every part that
offers languages offers the registry's.

A list written out elsewhere is how a new language silently misses a part (issue 13 found the list in nine
places). The scan reads every module of the package and the tools: a tuple, list or set literal holding every
registered code, or a string (other than a docstring) spelling them "en, ru, kk", is a copy of the registry.
Mappings keyed by language (a text in each language, stop words per detected language) are data, not lists.
"""

from __future__ import annotations

import ast
from pathlib import Path

from click.testing import CliRunner
from tooling import tool

import diaspora_observatory
from diaspora_observatory.languages import CODES, DEFAULT_LANGUAGE, LANGUAGES, TRANSLATED, listed

PACKAGE = Path(diaspora_observatory.__file__).resolve().parent
TOOLS = PACKAGE.parents[1] / "tools"
REGISTRY = PACKAGE / "languages.py"


def docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def written_out_lists(path: Path) -> list[str]:
    """Where ``path`` writes the registry's languages out, as ``file:line``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skipped = docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            codes = {element.value for element in node.elts if isinstance(element, ast.Constant)}
            if set(CODES) <= codes:
                found.append(f"{path.name}:{node.lineno}")
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped
              and listed() in node.value):
            found.append(f"{path.name}:{node.lineno}")
    return found


def sources() -> list[Path]:
    return [path for path in sorted([*PACKAGE.rglob("*.py"), *TOOLS.glob("*.py")]) if path != REGISTRY]


def test_no_module_writes_the_language_list_out():
    scanned = sources()
    assert len(scanned) > 100  # the whole package and the tools were read
    assert [where for path in scanned for where in written_out_lists(path)] == []


def test_the_scan_finds_a_list_written_out(tmp_path):
    copy = tmp_path / "copy.py"
    copy.write_text('"""Docstrings may name en, ru, kk."""\nLANGS = ("en", "ru", "kk")\n'
                    'HELP = "Label language (en, ru, kk)."\nCYRILLIC = ("ru", "kk")\n', encoding="utf-8")
    assert written_out_lists(copy) == ["copy.py:2", "copy.py:3"]


def test_the_registry():
    assert LANGUAGES == {"en": "English", "ru": "Русский", "kk": "Қазақша"}
    assert CODES == ("en", "ru", "kk") and DEFAULT_LANGUAGE == "en" and TRANSLATED == ("ru", "kk")


def test_every_part_offers_the_registry_languages():
    from diaspora_observatory.cli import main
    from diaspora_observatory.documents.codebook import LANGUAGES as CODEBOOK_LANGUAGES
    from diaspora_observatory.documents.language import CODED_LANGUAGES, KNOWN_LANGUAGES
    from diaspora_observatory.survey.default import default_form
    from diaspora_observatory.survey.model import language_code
    from diaspora_observatory.web.i18n import LANGUAGES as PAGE_LANGUAGES
    from diaspora_observatory.web.i18n import choose_language

    assert PAGE_LANGUAGES is LANGUAGES
    assert [choose_language(code, None, None) for code in CODES] == list(CODES)
    assert CODEBOOK_LANGUAGES == CODED_LANGUAGES == CODES and set(CODES) <= set(KNOWN_LANGUAGES)
    assert tool("web_messages").TRANSLATED == TRANSLATED  # the catalogs written for the pages
    assert [language_code(key) for key in default_form().languages] == list(CODES)  # the built-in form
    assert f"--lang [{'|'.join(CODES)}]" in CliRunner().invoke(main, ["show", "--help"]).output
