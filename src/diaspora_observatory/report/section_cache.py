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
  changed line of an analysis, a narrative or a translation is a new key (each file's SHA-256 kept in
  ``cache_dir("digests")`` by its size, times and inode: ``_package_digest``);
- the Python version and the versions of the libraries the sections are computed with.

A report of the same case in the same language by the same code reads them back; anything else is
computed again. The documents section is never kept: it reads the documents store, which changes without
the case changing, and costs little since the store counts for it (documents/report.py).

Computed for the CLI (``parallel``), two of the sections are computed in a forked process while this one
computes the others (``_computed``): a cold report's wall time where the machine has a second core free.

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
import time
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


def report_contents(case: Case, writer: Writer, *, parallel: bool = False
                    ) -> tuple[list[Section], list[dict], dict[str, SectionViews]]:
    """The report's sections in reading order, the summary's key figures and the views of the kept sections'
    tables (by section id), in ``writer``'s language: the sections computed from the case alone read from
    the cache when kept under this case, language and code; the documents section computed every time."""
    path = cache_dir("sections") / f"{contents_key(case, writer.language)}.pickle"
    kept = _read(path)
    if kept is None:
        kept = _computed(case, writer, parallel)
        _write(path, kept)
    computed, figures, views = kept
    sections = [builder(case, writer) if name in READS_THE_STORE else computed[name]
                for name, builder in BUILDERS.items()]
    return [section for section in sections if section is not None], figures, views


# The sections a forked process computes beside this one when ``parallel``: chosen by instruction counts of
# the built-in case (benchmarks/results/cli.md, round 8) so that the child is done when this process has
# computed the others, and so that few of the analyses they read through ``Case.memo`` are computed in both
# (the claims, which read most of them, stay here).
FORKED = ("definitions", "cross-source", "institutions", "projections", "survey")


def _computed(case: Case, writer: Writer, parallel: bool) -> Kept:
    """The kept sections, the key figures and the kept sections' views, computed; with ``parallel`` (where
    ``os.fork`` is and no other thread runs) those of ``FORKED`` in a child process while this one computes
    the others, and computed here after all when the child failed. The child's sections come back pickled,
    as a warm report reads them from the cache."""
    names = [name for name in BUILDERS if name not in READS_THE_STORE]
    child = _Child.start(case, writer, [name for name in names if name in FORKED]) if parallel else None
    try:
        computed = {name: BUILDERS[name](case, writer) for name in names if child is None or name not in FORKED}
        figures = key_figures(case, writer)
    except BaseException:
        if child is not None:
            child.stop()
        raise
    from_child = child.result() if child is not None else None
    views = from_child[1] if from_child is not None else {}
    computed.update(from_child[0] if from_child is not None else {})
    computed.update({name: BUILDERS[name](case, writer) for name in names if name not in computed})
    ordered = {name: computed[name] for name in names}
    return (ordered, figures, {section.id: views[section.id] if section.id in views else section_views(section, writer)
                               for section in ordered.values() if section is not None})


def _cores() -> set[int]:
    """The cores this process may run on (where the system says; else one per CPU)."""
    if hasattr(os, "sched_getaffinity"):
        return os.sched_getaffinity(0)
    return set(range(os.cpu_count() or 1))


class _Child:
    """A forked process computing some sections; ``result`` waits for them."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid, self.pipe = pid, pipe

    @classmethod
    def start(cls, case: Case, writer: Writer, names: list[str]) -> _Child | None:
        """The child computing the sections ``names``; None where it cannot be forked safely (no
        ``os.fork``, or another thread running, whose locks the child would inherit held) or where it
        could not run beside this process (one core)."""
        import threading

        if not hasattr(os, "fork") or threading.active_count() > 1 or len(_cores()) < 2:
            return None
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns, and leaves this process's buffers and exit handlers alone
            status = 1
            try:
                os.close(read_end)
                sections = {name: BUILDERS[name](case, writer) for name in names}
                views = {section.id: section_views(section, writer) for section in sections.values()
                         if section is not None}
                payload = pickle.dumps((sections, views), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        return cls(pid, read_end)

    def result(self) -> tuple[dict[str, Section | None], dict[str, SectionViews]] | None:
        """The child's sections by name and their views by section id; None when it failed (the caller
        computes them)."""
        with os.fdopen(self.pipe, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            return None
        try:
            sections, views = pickle.loads(payload)
        except _UNREADABLE:
            return None
        return (sections, views) if isinstance(sections, dict) and isinstance(views, dict) else None

    def stop(self) -> None:
        """End the child without its result (this process failed)."""
        import signal

        os.close(self.pipe)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


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
    """SHA-256 of every file under ``folder`` (its path, size and SHA-256), compiled bytecode left out.

    Each file's own SHA-256 is read from ``cache_dir("digests")`` when the file's size, modification and
    change times and inode are those it was hashed with (hashing the package's 3 MB is about 20 ms of every
    cold report; the stat calls, 1 ms), else computed from its bytes and kept there. Writing a file changes
    its change time, which no program can set back; a file changed less than ``RECENT_NS`` before it was
    hashed is not kept, so that an edit within the file system's clock tick of the hashing cannot pass for
    the hashed version (git's "racily clean" entries).
    """
    known = _known_digests(folder)
    now = time.time_ns()
    seen: dict[str, list] = {}
    digest = hashlib.sha256()
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        prefix = os.path.relpath(root, folder).replace(os.sep, "/") + "/" if root != str(folder) else ""
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(root, name)
            relative = prefix + name
            stat = os.stat(path)
            signature = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
            entry = known.get(relative)
            if entry is not None and entry[:4] == signature:
                file_digest = entry[4]
            else:
                with open(path, "rb") as file:
                    data = file.read()
                file_digest = hashlib.sha256(data).hexdigest()
                signature[0] = len(data)
            if now - max(stat.st_mtime_ns, stat.st_ctime_ns) > RECENT_NS:
                seen[relative] = [*signature, file_digest]
            digest.update(f"{relative}\n{signature[0]}\n{file_digest}\n".encode())
    if seen != known:
        _keep_digests(folder, seen)
    return digest.hexdigest()


RECENT_NS = 2_000_000_000  # a file changed this recently before it is hashed is hashed again next time


def _digests_path(folder: Path) -> Path:
    return cache_dir("digests") / f"{hashlib.sha256(str(folder).encode()).hexdigest()[:16]}.json"


def _known_digests(folder: Path) -> dict[str, list]:
    """The file digests kept for ``folder``: {relative path: [size, mtime_ns, ctime_ns, inode, sha256]}."""
    try:
        known = json.loads(_digests_path(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not (isinstance(known, dict) and known.get("folder") == str(folder) and isinstance(known.get("files"), dict)):
        return {}
    return {path: entry for path, entry in known["files"].items()
            if isinstance(entry, list) and len(entry) == 5 and all(type(value) is int for value in entry[:4])
            and isinstance(entry[4], str)}


def _keep_digests(folder: Path, files: dict[str, list]) -> None:
    path = _digests_path(folder)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps({"folder": str(folder), "files": files}), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        pass  # hashed again next time


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
