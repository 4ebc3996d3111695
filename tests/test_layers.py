"""Layers one way: case → analysis → presentation → adapters (ARCHITECTURE.md, "The map").

Every module of the package is read (not imported) and each reference to another part of the package is
checked against the map: an import statement, or a module named in a string (how the web core finds its
extensions). A part may use its own modules, its own layer and the layers below it; adapters do not use
each other, except the declared extension edges. The breaks that exist today are listed in KNOWN_BREAKS,
each to be removed by issue 13; a new break fails, and so does a listed one that has gone (so the list only
shrinks).
"""

from __future__ import annotations

import ast
import functools
import re
import tomllib
from pathlib import Path

import diaspora_observatory

PACKAGE = Path(diaspora_observatory.__file__).resolve().parent
NAME = "diaspora_observatory"
# Entry-point group names (pyproject.toml) look like module names but name no module: the declared extension
# points, which extension_points.py reads.
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
ENTRY_POINT_GROUPS = set(tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"].get("entry-points", {}))

# part -> layer. The foundation (0) holds what every layer may use: errors and country codes.
LAYERS = {
    "errors": 0, "countries": 0, "safety": 0, "access": 0, "clicontext": 0, "spreadsheet_guard": 0, "untrusted": 0,
    "csv_guard": 0, "extension_points": 0, "spreadsheet_cells": 0, "languages": 0, "database": 0, "sqlite_light": 0,
    "user_cache": 0,
    "case": 1, "world": 1, "": 1,  # "" is the package itself (load_case, the public entry)
    "analysis": 2,
    "presentation": 3, "charts": 3, "tables": 3, "tabular": 3,
    "report": 4, "web": 4, "survey": 4, "documents": 4, "importers": 4,
    "cli": 5,  # the command line dispatches to every adapter's commands
}
ADAPTER_LAYER = 4
# Adapters that extend another adapter through its declared extension interface (extension_points.py).
EXTENSION_EDGES = {("survey", "web"), ("documents", "web")}
# Breaks of the map that exist today (issue 13, "One door per concern"): (from part, to part, module).
KNOWN_BREAKS: set[tuple[str, str, str]] = set()  # all removed by issue 13; keep it empty


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def part_of(module: str) -> str:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else ""


@functools.cache  # each file is read once per run, not once for each of the four tests that walk the package
def references(path: Path, module: str) -> frozenset[str]:
    """The package's modules this file names: imports (absolute or relative) and dotted names in strings."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(f"{NAME}.")
              and node.value not in ENTRY_POINT_GROUPS):
            found.add(node.value.split(":")[0])
    return frozenset(name for name in found if name == NAME or name.startswith(f"{NAME}."))


def breaks() -> set[tuple[str, str, str]]:
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        source = part_of(module)
        for target_module in references(path, module):
            target = part_of(target_module)
            if target == source or target not in LAYERS and target_module.count(".") > 1:
                continue
            if target not in LAYERS:  # a name inside the package itself, e.g. diaspora_observatory.load_case
                target = ""
            allowed = LAYERS[target] <= LAYERS[source]
            if LAYERS[source] == LAYERS[target] == ADAPTER_LAYER:
                allowed = (source, target) in EXTENSION_EDGES
            if not allowed:
                found.add((source, target, module))
    return found


def test_every_part_of_the_package_is_on_the_map():
    parts = {path.name if path.is_dir() else path.stem for path in PACKAGE.iterdir()
             if not path.name.startswith(("_", ".")) and (path.suffix == ".py" or (path / "__init__.py").exists())}
    assert parts - set(LAYERS) == set(), "add the new part to LAYERS here and to the map in ARCHITECTURE.md"


def test_imports_follow_the_layers():
    new = breaks() - KNOWN_BREAKS
    assert new == set(), ("these modules use a part above them or another adapter; move the code to the layer "
                          f"it belongs to (ARCHITECTURE.md): {sorted(new)}")


def test_known_breaks_are_still_there():
    gone = KNOWN_BREAKS - breaks()
    assert gone == set(), f"fixed breaks: remove them from KNOWN_BREAKS: {sorted(gone)}"


# Import cycles between the package's modules: each edge is any import of one by the other, at the top, inside
# a function or under TYPE_CHECKING (a function-level import hides a cycle from Python, not from the design).
# KNOWN_CYCLES held the cycles to be broken, and may only shrink: a new cycle fails, and so does a listed one
# that has gone.
KNOWN_CYCLES: set[frozenset[str]] = set()  # all broken by issue 13; keep it empty


def module_graph() -> dict[str, set[str]]:
    """Each module of the package and the modules of the package it names (see :func:`references`)."""
    modules = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
    graph = {}
    for module, path in modules.items():
        targets = set()
        for name in references(path, module):
            while name and name not in modules:  # `from a.b import c` names a.b.c: a module, or a name in a.b
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The groups of modules that reach each other (strongly connected components of more than one module,
    Tarjan 1972), found without recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.add(frozenset(group))
    return found


def test_cycles_are_found(tmp_path):
    """The search finds a cycle, and an import inside a function is an edge: how survey/groupcommit.py named
    survey/storage.py, which imported it back, before the submission rules moved to survey/submission.py."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == {frozenset({"a", "b", "c"})}
    later = tmp_path / "groupcommit.py"
    later.write_text("def later():\n    from diaspora_observatory.survey.storage import Receipt\n", encoding="utf-8")
    assert f"{NAME}.survey.storage" in references(later, f"{NAME}.survey.groupcommit")


def test_no_new_import_cycle():
    found = cycles(module_graph())
    assert frozenset({f"{NAME}.survey.storage", f"{NAME}.survey.groupcommit"}) not in found
    new = found - KNOWN_CYCLES
    assert new == set(), ("these modules import each other (at the top or inside a function): move what both need "
                          f"into a module of its own that neither imports back: {sorted(map(sorted, new))}")


def test_known_cycles_are_still_there():
    gone = KNOWN_CYCLES - cycles(module_graph())
    assert gone == set(), f"broken cycles: remove them from KNOWN_CYCLES: {sorted(map(sorted, gone))}"


ARCHITECTURE = Path(__file__).resolve().parents[1] / "ARCHITECTURE.md"


def mapped_modules() -> dict[str, str]:
    """The package tree of ARCHITECTURE.md: each part (a folder, or a top-level module) and its text."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    tree = text[text.index("src/diaspora_observatory/\n"):]
    tree = tree[:tree.index("```")]
    parts: dict[str, str] = {}
    current = ""
    for line in tree.splitlines()[1:]:
        if line.startswith("  ") and not line.startswith("   "):  # a part's first line: "  web/   the ASGI app"
            current = line.split()[0].rstrip("/")
            current = current.removesuffix(".py") if "/" not in current else current.split("/")[0]
        if current:
            parts[current] = parts.get(current, "") + line + "\n"
    return parts


def test_every_module_is_on_the_architecture_map():
    """A newcomer finds any module under its folder in ARCHITECTURE.md: each module of a part is named in
    that part's entry of the tree, and each top-level module has an entry of its own."""
    parts = mapped_modules()
    top_level = "".join(text for part, text in parts.items() if not (PACKAGE / part).is_dir())
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if path.name == "__init__.py" and len(relative.parts) > 1:
            continue  # a part's __init__ holds no feature of its own
        entry = top_level if len(relative.parts) == 1 else parts.get(relative.parts[0], "")
        if not re.search(rf"(?<![\w/]){re.escape(path.name)}\b", entry):
            missing.append(str(relative))
    assert missing == [], f"name these modules in their part's entry of the tree in ARCHITECTURE.md: {missing}"
