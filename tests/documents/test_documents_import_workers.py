"""import-list with worker processes: a bad row is reported as without them (the first in the manifest's order,
nothing stored), and the lists long enough to pay a worker's start get workers by default."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from diaspora_observatory import load_case
from diaspora_observatory.cli import main
from diaspora_observatory.documents import ingest_workers
from diaspora_observatory.documents.coding import code_text
from diaspora_observatory.documents.importer import DocumentImportError, ManifestRow, manifest_rows, read_manifest
from diaspora_observatory.documents.workspace import Workspace

TEXT = "Repatriates get quotas and social assistance. The embassy opened a cultural centre for compatriots."


def _manifest(folder: Path, count: int, rows: dict[int, str]) -> Path:
    """``count`` rows of good articles, with row ``n`` (1-based, as the manifest counts its data rows) replaced."""
    folder.mkdir()
    lines = ["file,kind,date,id"]
    for number in range(1, count + 1):
        (folder / f"a{number}.txt").write_text(f"{TEXT} Item {number}.", encoding="utf-8")
        lines.append(rows.get(number, f"a{number}.txt,press,2024,item-{number}"))
    manifest = folder / "manifest.csv"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


@pytest.mark.parametrize("workers", ["0", "1", "2"])
def test_the_first_bad_row_in_the_manifest_is_reported_and_nothing_is_stored(data_dir, tmp_path: Path, workers):
    # row 160 (a missing file) is read in a later chunk than row 130 (a repeated id) and row 140 (a bad date),
    # and by another process when there are workers: the message is still row 130's, as it was row by row
    manifest = _manifest(tmp_path / "press", 300, {130: "a130.txt,press,2024,item-7", 140: "a140.txt,press,2024-13-01,x",
                                                   160: "missing.txt,press,2024,item-160"})
    result = CliRunner().invoke(main, ["documents", "import-list", str(manifest), "--workers", workers])
    assert result.exit_code == 2
    assert "Error: manifest.csv row 131, column id: 'item-7' is also the id of row 8" in result.output
    assert Workspace(load_case(), data_dir).store.documents() == []
    with pytest.raises(DocumentImportError) as error:
        read_manifest(manifest)
    assert error.value.message == "manifest.csv row 131, column id: 'item-7' is also the id of row 8"


def test_a_row_with_no_file_ends_the_rows_after_the_rows_before_it_are_read(data_dir, tmp_path: Path):
    manifest = _manifest(tmp_path / "press", 120, {60: "missing.txt,press,2024,m", 100: ",press,2024,empty"})
    rows = manifest_rows(manifest)
    assert len(rows) == 100 and isinstance(rows[-1], DocumentImportError)
    result = CliRunner().invoke(main, ["documents", "import-list", str(manifest), "--workers", "1"])
    assert result.exit_code == 2
    assert "Error: manifest.csv row 61: no file at" in result.output and "missing.txt" in result.output
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("missing.txt,press,2024,m", "a60.txt,press,2024,m"),
                        encoding="utf-8")
    result = CliRunner().invoke(main, ["documents", "import-list", str(manifest), "--workers", "1"])
    assert result.exit_code == 2
    assert "Error: manifest.csv row 101, column file: empty" in result.output
    assert Workspace(load_case(), data_dir).store.documents() == []


def test_workers_by_default_only_for_lists_that_pay_their_start(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(ingest_workers.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(ingest_workers.os, "getloadavg", lambda: (0.4, 0.5, 0.5))
    assert ingest_workers.workers_for(999) == 0
    assert ingest_workers.workers_for(1000) == 1  # the importing process reads and codes too
    assert ingest_workers.workers_for(10, asked=2) == 2
    assert ingest_workers.workers_for(10_000, asked=9) == ingest_workers.MAX_WORKERS
    monkeypatch.setattr(ingest_workers.os, "getloadavg", lambda: (1.2, 0.5, 0.5))
    assert ingest_workers.workers_for(10_000) == 0  # the other processor is busy
    assert ingest_workers.workers_for(10_000, asked=1) == 1
    monkeypatch.setattr(ingest_workers.os, "cpu_count", lambda: 16)
    assert ingest_workers.workers_for(10_000) == ingest_workers.MAX_WORKERS
    monkeypatch.setattr(ingest_workers.os, "getloadavg", lambda: (14.5, 12.0, 10.0))
    assert ingest_workers.workers_for(10_000) == 1  # 14 of 16 busy, one for the importing process
    monkeypatch.setattr(ingest_workers.os, "cpu_count", lambda: 2)
    assert ingest_workers.workers_for(10_000) == 0  # this machine while the figures were measured
    monkeypatch.setattr(ingest_workers.os, "cpu_count", lambda: None)
    assert ingest_workers.workers_for(10_000) == 0

    def no_load_average():
        raise OSError("no load average")

    monkeypatch.setattr(ingest_workers.os, "getloadavg", no_load_average)
    monkeypatch.setattr(ingest_workers.os, "cpu_count", lambda: 4)
    assert ingest_workers.workers_for(10_000) == 3


def test_progress_is_reported_while_reading_a_long_list_and_while_storing(data_dir, tmp_path: Path, codebook):
    manifest = _manifest(tmp_path / "press", 1200, {})
    result = CliRunner().invoke(main, ["documents", "import-list", str(manifest), "--workers", "0"])
    assert result.exit_code == 0, result.output
    progress = result.stderr.splitlines()
    assert progress == ["  read and coded 1,000 of 1,200 documents", "  read and coded 1,200 of 1,200 documents",
                        *[f"  stored {done:,} of 1,200 documents" for done in range(200, 1201, 200)]]
    passages = len(code_text(f"{TEXT} Item 1.", "en", codebook)) * 1200
    assert passages > 1200
    assert result.stdout == f"Imported 1200 documents from manifest.csv: {passages} passages coded automatically.\n"


def test_workers_are_forked_only_while_no_other_thread_runs():
    import threading

    assert ingest_workers.start_method() == ("fork" if hasattr(ingest_workers.os, "fork")
                                             and threading.active_count() == 1 else "spawn")
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert ingest_workers.start_method() == "spawn"  # a forked child would inherit that thread's locks
    finally:
        release.set()
        other.join()


def test_forked_workers_read_and_code_what_this_process_does(tmp_path: Path, codebook):
    rows = [row for row in manifest_rows(_manifest(tmp_path / "press", 120, {})) if isinstance(row, ManifestRow)]
    alone = ingest_workers.read_all(rows, codebook, 0)
    with_workers = ingest_workers.read_all(rows, codebook, 2)
    assert [(document.document_id, document.text, passages) for document, passages, _, _ in with_workers] == \
        [(document.document_id, document.text, passages) for document, passages, _, _ in alone]
