"""Writing a case as one step: every file of an update or none, even when the process is killed.

An import changes several files together: the resource's CSV, its provenance sidecar,
``datapackage.json`` and ``sources.csv``. Each file alone is replaced atomically (written to a
temporary file in the same folder, flushed to disk, then ``os.replace``d over the old one), and the
set is made one step by a roll-forward journal:

1. stage: every new file is written in full beside its target as ``.<name>.<token>.diaspora-tmp``;
2. commit point: ``.diaspora-journal.json``, listing each (temporary, target) pair, is itself written
   to a temporary file and renamed into place;
3. the temporary files are renamed over their targets (``datapackage.json`` last), then the journal
   is deleted.

A kill before step 2 leaves only temporary files: the case is as before, and they are deleted. A kill
after it leaves the journal: the renames are finished by whoever opens the case next (``load_case``,
or the next writer), so the case is as after. Writers hold an exclusive lock on the case folder
(``flock``) for the whole update and readers a shared one while they read, so a reader never sees half
an update and two imports never interleave; the kernel drops the lock of a killed process.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from diaspora_observatory.errors import DiasporaError

try:  # POSIX only; on Windows there is no lock (a single writer at a time is then the user's care)
    import fcntl
except ImportError:  # pragma: no cover - not reached on the platforms the tests run on
    fcntl = None  # type: ignore[assignment]

JOURNAL = ".diaspora-journal.json"
TEMP_SUFFIX = ".diaspora-tmp"
DESCRIPTOR = "datapackage.json"


class CaseWriteError(DiasporaError):
    """A case folder whose pending update cannot be finished (a damaged journal)."""


@contextmanager
def locked(folder: Path, *, exclusive: bool) -> Iterator[None]:
    """Hold the case folder's lock (exclusive for writers, shared for readers) inside the block."""
    if fcntl is None:
        yield
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _sync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _temporary_beside(target: Path) -> Path:
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_atomically(target: Path, data: bytes) -> None:
    """Replace one file by ``data`` so that a reader or a crash sees the old bytes or the new, never part."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary_beside(target)
    try:
        _write_synced(temporary, data)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def swap_into_place(built: Path, final: Path) -> None:
    """Move the finished folder ``built`` to ``final``; a folder already there goes only once the new one
    is in place (renamed aside first, put back if the move fails; ``restore_aside`` undoes a kill between
    the two renames)."""
    if not final.exists():
        built.rename(final)
        return
    aside = final.with_name(f".{final.name}.replaced")
    shutil.rmtree(aside, ignore_errors=True)
    final.rename(aside)
    try:
        built.rename(final)
    except BaseException:
        aside.rename(final)
        raise
    shutil.rmtree(aside)


def restore_aside(final: Path) -> None:
    """Put back a folder ``swap_into_place`` had set aside when it was killed before the new one arrived."""
    aside = final.with_name(f".{final.name}.replaced")
    if aside.exists() and not final.exists():
        aside.rename(final)


def pending(folder: Path) -> bool:
    """Whether an interrupted update left a journal or temporary files in ``folder``."""
    return (folder / JOURNAL).exists() or any(_temporary_files(folder))


def _temporary_files(folder: Path) -> Iterator[Path]:
    for root, _, files in os.walk(folder):
        for name in files:
            if name.endswith(TEMP_SUFFIX):
                yield Path(root) / name


def recover(folder: Path) -> str | None:
    """Finish or discard an interrupted update; the caller holds the exclusive lock.

    Returns ``"completed"`` when a journal was rolled forward, ``"discarded"`` when only temporary
    files were left (the update had not reached its commit point), ``None`` when there was nothing.
    """
    from diaspora_observatory.case.descriptor import safe_relative_path

    outcome = None
    journal = folder / JOURNAL
    if journal.exists():
        try:
            renames = json.loads(journal.read_text(encoding="utf-8"))["renames"]
            pairs = [(str(temporary), str(target)) for temporary, target in renames]
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError):
            raise CaseWriteError(f"{journal} is damaged, so an interrupted update cannot be finished",
                                 "restore the case folder from a copy, or delete the journal and run `diaspora "
                                 "check` to see what the files hold") from None
        if not all(safe_relative_path(p) for pair in pairs for p in pair):
            raise CaseWriteError(f"{journal} names files outside the case folder", "delete the journal")
        for temporary, target in pairs:
            if (folder / temporary).exists():  # renamed already when the kill came after it
                os.replace(folder / temporary, folder / target)
        for parent in {(folder / target).parent for _, target in pairs}:
            _sync_folder(parent)
        journal.unlink()
        _sync_folder(folder)
        outcome = "completed"
    leftovers = list(_temporary_files(folder))
    for path in leftovers:
        path.unlink(missing_ok=True)
    return outcome or ("discarded" if leftovers else None)


class CaseUpdate:
    """The files one update of a case will write, staged in memory until ``commit``."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.staged: dict[str, bytes] = {}

    def read(self, relative: str) -> bytes | None:
        """The file's bytes as this update will leave them (None when there is no such file)."""
        if relative in self.staged:
            return self.staged[relative]
        path = self.folder / relative
        return path.read_bytes() if path.is_file() else None

    def put(self, relative: str, data: bytes | str) -> None:
        from diaspora_observatory.case.descriptor import safe_relative_path

        if not safe_relative_path(relative):
            raise CaseWriteError(f"{relative!r} is not a path inside the case folder",
                                 "resource files live inside the case, such as data/NAME.csv")
        self.staged[relative] = data.encode("utf-8") if isinstance(data, str) else data

    def commit(self) -> None:
        """Write the staged files as one step (see the module's description)."""
        if not self.staged:
            return
        order = sorted(self.staged, key=lambda rel: rel == DESCRIPTOR)  # the descriptor last
        renames = []
        try:
            for relative in order:
                target = self.folder / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                temporary = _temporary_beside(target)
                renames.append((temporary.relative_to(self.folder).as_posix(), relative))
                _write_synced(temporary, self.staged[relative])
            journal_temporary = _temporary_beside(self.folder / JOURNAL)
            _write_synced(journal_temporary, json.dumps({"renames": renames}, indent=1).encode("utf-8"))
        except BaseException:
            for written, _ in renames:
                (self.folder / written).unlink(missing_ok=True)
            raise
        for parent in {(self.folder / rel).parent for rel in order}:
            _sync_folder(parent)
        os.replace(journal_temporary, self.folder / JOURNAL)  # the commit point
        _sync_folder(self.folder)
        recover(self.folder)


@contextmanager
def updating(folder: Path) -> Iterator[CaseUpdate]:
    """Stage an update of the case in ``folder``; it is committed when the block ends without error.

    Example::

        with updating(folder) as update:
            update.put("data/x.csv", "a,b\\n1,2\\n")
    """
    folder = Path(folder)
    with locked(folder, exclusive=True):
        recover(folder)
        update = CaseUpdate(folder)
        yield update
        update.commit()
