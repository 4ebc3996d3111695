"""Two ``diaspora documents import-list`` of the same ids at the same moment: the first stores them, the second
waits for it (the store's import lock, DocumentStore.importing) and is then refused whole; never a half import.

Before the lock each import checked its ids against the store, then stored its documents in batches of
200, one transaction each: two imports could both pass the check, and the one that met the other's documents
then ended with SQLite's IntegrityError and a traceback (every run of this test on the old code: exit 1), or,
had it met them in a later batch, with its earlier batches stored (a half import). The interleaving is forced:
the test holds SQLite's write lock, so that the first import stops in its first batch, past its check,
holding the import lock; the second is started then, and must say that it waits. Only then is the write lock
let go. Real processes and a real store in a temporary data folder."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from diaspora_observatory.documents.store import DocumentStore

REPO = Path(__file__).resolve().parents[2]
COUNT = 250  # two batches of ingest.BATCH_SIZE
TEXT = ("The Kazakh diaspora in Uzbekistan keeps its language at home; the state programme supports the return "
        "of ethnic Kazakhs (kandas) and their schools. Article {number}.")


def manifest(folder: Path, name: str, numbers, title: str) -> Path:
    for number in range(COUNT):
        path = folder / f"a{number}.txt"
        if not path.exists():
            path.write_text(TEXT.format(number=number), encoding="utf-8")
    rows = ["file,kind,date,title,id", *(f"a{n}.txt,press,2024,{title} {n},item-{n}" for n in numbers)]
    path = folder / name
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def start(listing: Path, data_dir: Path) -> tuple[subprocess.Popen, list[str]]:
    environment = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    process = subprocess.Popen([sys.executable, "-c", "from diaspora_observatory.cli import main; main()", "documents",
                                "import-list", str(listing), "--workers", "0", "--data-dir", str(data_dir)],
                               env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    errors: list[str] = []

    def read() -> None:
        with process.stderr:  # type: ignore[union-attr]
            for line in process.stderr:  # type: ignore[union-attr]
                errors.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    process.reader = reader  # type: ignore[attr-defined]
    return process, errors


def finish(process: subprocess.Popen) -> str:
    """What ``process`` printed on stdout, once it has ended and its stderr has been read whole."""
    with process.stdout:  # type: ignore[union-attr]
        out = process.stdout.read()  # type: ignore[union-attr]
    process.wait(timeout=120)
    process.reader.join(timeout=60)  # type: ignore[attr-defined]
    return out


def held_by_another(lock: Path) -> bool:
    if not lock.exists():
        return False
    with lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def wait_for(condition, timeout: float = 20.0) -> None:
    """Until ``condition()`` holds, or ``timeout`` s (well within SQLite's busy timeout of 30 s, which an import
    waits on while the test holds the write lock). Not an assertion: on the old code, which had no import lock,
    the test goes on after the timeout with the imports waiting on the write lock, and its assertions show
    what became of them (the second import ended by a database traceback)."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_second_import_of_the_same_ids_waits_and_is_refused_whole(tmp_path):
    data = tmp_path / "data"
    folder = tmp_path / "texts"
    folder.mkdir()
    first_list = manifest(folder, "first.csv", range(COUNT), "First")
    second_list = manifest(folder, "second.csv", reversed(range(COUNT)), "Second")
    store = DocumentStore("kazakh-central-asia", data)  # made now, so that the test can hold its write lock
    holder = sqlite3.connect(store.path, timeout=30, isolation_level=None)
    processes = []
    try:
        holder.execute("BEGIN IMMEDIATE")  # SQLite's one write lock: the first import's first batch waits on it
        first, _first_errors = start(first_list, data)
        processes.append(first)
        lock = store.path.with_name(store.path.name + ".import-lock")
        wait_for(lambda: held_by_another(lock) or first.poll() is not None)
        second, second_errors = start(second_list, data)
        processes.append(second)
        wait_for(lambda: any("waiting for it to end" in line for line in second_errors) or second.poll() is not None)
        holder.execute("ROLLBACK")
        first_out = finish(first)
        finish(second)
    finally:
        holder.close()
        for process in processes:
            if process.poll() is None:
                process.kill()
                finish(process)
    assert first.returncode == 0, first_out
    assert first_out.startswith(f"Imported {COUNT} documents from first.csv")
    told = "".join(second_errors)
    assert second.returncode == 2 and "another import into this case's documents is storing: waiting" in told, told
    assert "Error: already stored: item-0, item-1, item-10" in told
    assert f"and {COUNT - 10} more\n" in told  # ten ids named, the rest counted, not a line of every id
    assert "Hint: give other ids, or --replace to overwrite them and their codings" in told
    titles = {document.title for document in store.documents()}
    assert titles == {f"First {n}" for n in range(COUNT)}  # every document the first's, none of the second
    store.engine.dispose()


def test_a_document_stored_by_another_writer_meanwhile_is_a_clear_refusal(tmp_path):
    """A writer that is not an import (here the test's own connection) storing one of the ids after the import's
    check: the import is refused with what to do, never a database traceback, and stores nothing."""
    data = tmp_path / "data"
    folder = tmp_path / "texts"
    folder.mkdir()
    listing = manifest(folder, "one.csv", [5], "Import")
    store = DocumentStore("kazakh-central-asia", data)
    holder = sqlite3.connect(store.path, timeout=30, isolation_level=None)
    process = None
    try:
        holder.execute("BEGIN IMMEDIATE")
        process, errors = start(listing, data)
        lock = store.path.with_name(store.path.name + ".import-lock")
        wait_for(lambda: held_by_another(lock) or process.poll() is not None)
        time.sleep(1.0)  # its check done meanwhile (it reads beside the write lock), its insert waiting
        holder.execute("INSERT INTO documents (document_id, title, kind, date, language, script, source, source_id, "
                       "filename, sha256, text, alphabet) VALUES ('item-5', 'Other', 'other', '', 'en', '', '', '', "
                       "'', '', 'Other text.', '')")
        holder.execute("COMMIT")
        finish(process)
    finally:
        holder.close()
        if process is not None and process.poll() is None:
            process.kill()
            finish(process)
    told = "".join(errors)
    assert process.returncode == 2 and "Traceback" not in told, told
    # the insert's refusal; the check's own, had the test's row come before the check (it did not, after 1 s)
    assert told.splitlines()[-2] in ("Error: a document with one of these ids was stored by another writer "
                                     "meanwhile; nothing of this batch was stored",
                                     "Error: a document with id 'item-5' is already stored"), told
    assert told.splitlines()[-1].startswith("Hint: "), told
    assert [(document.document_id, document.title) for document in store.documents()] == [("item-5", "Other")]
    store.engine.dispose()
