"""The report's sections, kept in the user's cache under a hash of exactly what they are computed from.

Computing the sections and writing their tables' cells is most of a report's time after pandas' import
(about 0.4 s of CPU for the built-in case), and a report is mostly run again on an unchanged case; so the
sections computed from the case alone, with the summary's key figures and their tables as the reader sees
them (``report/views.py``), are kept (``user_cache.cache_dir("sections")``) under the SHA-256 of:

- this module's entry format;
- the report's language;
- the case as loaded: its name, its descriptor, every typed row of every resource and the issues its
  checks found (what every analysis reads);
- every file of the installed package (its code, templates, message catalogs and embedded data), so a
  changed line of an analysis, a narrative or a translation is a new key;
- the Python version and the versions of the libraries the sections are computed with.

A report of the same case in the same language by the same code reads them back; anything else is
computed again. The documents section is never kept: it reads the documents store, which changes without
the case changing, and costs little since the store counts for it (documents/report.py).

An entry is the SHA-256 of its payload followed by the payload (the pickled sections); one whose digest
does not match (cut short, edited, damaged) or whose payload cannot be read is computed again and
replaced, so a damaged entry never reaches a report, and a folder that cannot be written only costs the
time. Unpickling runs the code of the classes an entry names: like the compiled templates beside it
(``report/build.py``) and Python's own ``__pycache__``, the folder is trusted as the user's own.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
from functools import lru_cache
from pathlib import Path

from diaspora_observatory.case.package import Case
from diaspora_observatory.report.findings import key_figures
from diaspora_observatory.report.sections import BUILDERS, READS_THE_STORE, Section
from diaspora_observatory.report.views import SectionViews, section_views
from diaspora_observatory.report.writer import Writer
from diaspora_observatory.user_cache import cache_dir

ENTRY_FORMAT = 1  # bumped when the payload's layout changes, so an old entry is never misread
# The libraries whose results the sections hold (tables, numbers written in the language, country names);
# scipy is imported by some survey analyses.
LIBRARIES = ("pandas", "numpy", "babel", "pycountry", "scipy")
ENTRIES_KEPT = 32  # the most recently used entries kept; older ones are deleted when one is written
PACKAGE = Path(__file__).resolve().parents[1]
_DIGEST = 32  # bytes of a SHA-256
# What an entry's payload cannot fail with but for damage the digest did not catch: then computed again.
_UNREADABLE = (pickle.UnpicklingError, AttributeError, EOFError, ImportError, IndexError, KeyError, TypeError,
               ValueError)


Kept = tuple[dict[str, Section | None], list[dict], dict[str, SectionViews]]


def report_contents(case: Case, writer: Writer) -> tuple[list[Section], list[dict], dict[str, SectionViews]]:
    """The report's sections in reading order, the summary's key figures and the views of the kept sections'
    tables (by section id), in ``writer``'s language: the sections computed from the case alone read from
    the cache when kept under this case, language and code; the documents section computed every time."""
    path = cache_dir("sections") / f"{contents_key(case, writer.language)}.pickle"
    kept = _read(path)
    if kept is None:
        computed = {name: builder(case, writer) for name, builder in BUILDERS.items() if name not in READS_THE_STORE}
        kept = (computed, key_figures(case, writer),
                {section.id: section_views(section, writer) for section in computed.values() if section is not None})
        _write(path, kept)
    computed, figures, views = kept
    sections = [builder(case, writer) if name in READS_THE_STORE else computed[name]
                for name, builder in BUILDERS.items()]
    return [section for section in sections if section is not None], figures, views


def contents_key(case: Case, language: str) -> str:
    """The hash of everything the kept sections are computed from (see the module's docstring)."""
    digest = hashlib.sha256()
    for part in (f"entry format {ENTRY_FORMAT}", f"language {language}", f"python {sys.version}",
                 *(f"{name} {_version(name)}" for name in LIBRARIES), f"package {_package_digest(PACKAGE)}",
                 f"case {case.name}", json.dumps(case.descriptor, sort_keys=True, ensure_ascii=False),
                 # typed values (str, int, float, bool, None): their repr is exact, a float's included
                 repr(case.rows), repr(case.issues)):
        digest.update(f"{len(part)}\n{part}\n".encode())
    return digest.hexdigest()


def _version(name: str) -> str:
    """The library's version: an imported one's own ``__version__`` (looking a distribution up in the
    installed metadata searches every folder of the path), else its distribution's."""
    module = sys.modules.get(name)
    if isinstance(getattr(module, "__version__", None), str):
        return module.__version__  # type: ignore[union-attr]
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


@lru_cache(maxsize=4)
def _package_digest(folder: Path) -> str:
    """SHA-256 of every file under ``folder`` (its path and bytes), compiled bytecode left out."""
    digest = hashlib.sha256()
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = Path(root) / name
            data = path.read_bytes()
            digest.update(f"{path.relative_to(folder).as_posix()}\n{len(data)}\n".encode())
            digest.update(data)
    return digest.hexdigest()


def _read(path: Path) -> Kept | None:
    """The kept sections and key figures at ``path``; None when there is no entry or it is damaged."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    payload = data[_DIGEST:]
    if len(data) < _DIGEST or hashlib.sha256(payload).digest() != data[:_DIGEST]:
        return None
    try:
        kept = pickle.loads(payload)
    except _UNREADABLE:
        return None
    if not (isinstance(kept, tuple) and len(kept) == 3 and isinstance(kept[0], dict)
            and set(kept[0]) == set(BUILDERS) - READS_THE_STORE and isinstance(kept[1], list)
            and isinstance(kept[2], dict)):
        return None
    try:
        os.utime(path)  # recently used: kept when older entries are deleted
    except OSError:
        pass
    return kept


def _write(path: Path, kept: Kept) -> None:
    payload = pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(hashlib.sha256(payload).digest() + payload)
        os.replace(partial, path)  # whole or not at all: another report may read it at the same moment
        entries = sorted(path.parent.glob("*.pickle"), key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
        for old in entries[ENTRIES_KEPT:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only or full disk only costs the time to compute them next time
