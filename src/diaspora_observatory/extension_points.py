"""The declared extension points: how survey/ and documents/ add pages to the web app and tables to the report.

The web core and the report name no subsystem. An installed package declares its extensions as entry points
(pyproject.toml, ``[project.entry-points."diaspora_observatory.web"]`` and ``"diaspora_observatory.report"``),
read here with ``importlib.metadata``; an extension whose module is not installed is left out, and the page
that would show it says so. The functions under "Hook specification" are the contract, in the manner of
datasette's hookspecs.py: what an implementation provides, never called themselves.
"""

from __future__ import annotations

import importlib
import importlib.util
from importlib.metadata import entry_points
from typing import Any

from diaspora_observatory.errors import DiasporaError

DISTRIBUTION = "diaspora-observatory"
WEB = "diaspora_observatory.web"
REPORT = "diaspora_observatory.report"
# The web extension whose menu entries the core Survey results page links to (the collected answers).
SURVEY_RESULTS = "survey"


# Hook specification -------------------------------------------------------------------------------------------
# group WEB: the entry point names a module that defines NAV (list of (path, English label)) and routes().
# It may define FIRST_ROUTES: names of its routes the app tries before every other one (a hot path no other
# route's pattern can match, such as the survey's JSON API).

def routes(web: Any) -> list[Any]:
    """The extension's Starlette routes, built once when the app starts, given the app's WebContext."""
    raise NotImplementedError("a hook specification: the extension's module implements it")


def prepare_processes(case: Any, data_dir: Any, workers: int) -> None:
    """Optional: run once before ``workers`` server processes start; refuses (DiasporaError) what the extension
    cannot share between processes and creates what the workers would otherwise race to create."""


# group REPORT: the entry point, named for the report section it extends, names a function.

def report_tables(case: Any) -> dict[str, Any]:
    """Named tables (DataFrames with their source ids) the report section of the entry point's name adds."""
    raise NotImplementedError("a hook specification: the extension's function implements it")


# Discovery ----------------------------------------------------------------------------------------------------

def declared(group: str) -> list[tuple[str, str]]:
    """(name, target) of every entry point installed packages declare in ``group``, sorted by name.

    The observatory's own distribution declares its extensions in both groups; when its installed metadata
    has none, the install predates them and the pages would be missing without a word, so it refuses.
    """
    points = list(entry_points(group=group))
    if not any(point.dist is not None and point.dist.name == DISTRIBUTION for point in points):
        raise DiasporaError(f"the installed metadata of {DISTRIBUTION} declares no extensions in {group!r} "
                            "(an install older than its pyproject.toml)", "reinstall it: pip install -e .")
    return sorted((point.name, point.value) for point in points)


def installed(group: str) -> list[tuple[str, Any]]:
    """(name, loaded object) of each declared extension of ``group`` whose module is installed."""
    found = []
    for name, target in declared(group):
        module_name, _, attribute = target.partition(":")
        try:
            spec = importlib.util.find_spec(module_name)
        except ModuleNotFoundError:  # the parent package is not there
            spec = None
        if spec is None:
            continue
        loaded: Any = importlib.import_module(module_name)
        for piece in filter(None, attribute.split(".")):
            loaded = getattr(loaded, piece)
        found.append((name, loaded))
    return found
