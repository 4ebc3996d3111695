"""``/coding.csv`` and ``/coding.json`` are written by a page worker into a file of the server's spool folder and
streamed from it a block at a time (documents/spool.py): the bytes are the whole table's, as they were when the
worker sent its text back whole; the server keeps a few files (never their text), deletes the ones it forgets,
and removes the folder when it stops. Run on a real SQLite store of the study's own text, through the app."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest

from diaspora_observatory import load_case
from diaspora_observatory.documents import pagework, spool
from diaspora_observatory.documents.exports import to_csv
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.spool import SpooledResponse, Written, open_written, write_text
from diaspora_observatory.documents.workspace import Workspace
from diaspora_observatory.tabular import to_json
from diaspora_observatory.web.app import create_app
from tests.documents.conftest import SEED_TEXT, client_class
from tests.documents.test_documents_web_processes import page_processes


@pytest.fixture
def store(data_dir, monkeypatch, tmp_path) -> Workspace:
    """The study's text cut into twelve press articles (its own paragraphs, so its own themes), coded
    automatically as an import codes them; the temporary folder (where the spool is made) in tmp_path."""
    monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", "stream-admin-token-0001")
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    paragraphs = [part for part in SEED_TEXT.read_text(encoding="utf-8").split("\n\n") if len(part) > 200]
    assert len(paragraphs) >= 12
    space = Workspace(load_case(), data_dir)
    for number, paragraph in enumerate(paragraphs[:12]):
        space.import_document(Document(f"study-{number:02d}", f"Part {number}", "press",
                                       f"{2010 + number}-01-01", "en", paragraph, source_id=f"=outlet-{number % 3}"))
    return space


def spooled(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*")) if path.is_file()}


def test_the_exports_are_the_whole_tables_sent_from_files_the_server_keeps(store, data_dir, tmp_path, computed_app):
    app = create_app(data_dir=data_dir, computed_by=computed_app)
    pool = page_processes(app)
    long = store.coverage()
    assert len(long) > 12 and long["passages"].sum() > 0  # the study's paragraphs hit its codes
    with client_class()(app) as client:
        csv_response = client.get("/coding.csv")
        json_response = client.get("/coding.json")
        folder = Path(pool.spool())
        files = spooled(folder)
        assert csv_response.status_code == json_response.status_code == 200
        assert csv_response.content == to_csv(long).encode("utf-8")
        assert ",'=outlet-1\n" in csv_response.text  # neutralised, as the whole table was
        assert json_response.content == to_json(long).encode("utf-8")
        assert json.loads(json_response.content)[0]["document_id"] == "study-00"
        assert csv_response.headers["content-type"] == "text/csv; charset=utf-8"
        assert json_response.headers["content-type"] == "application/json"
        assert csv_response.headers["content-length"] == str(len(csv_response.content))
        # the server keeps the files' names, not their text, and the files hold exactly what was sent
        kept = [answer for answer in pool._done.values() if isinstance(answer, Written)]
        assert len(kept) == 2 and not any(isinstance(answer, str | bytes) for answer in pool._done.values())
        assert sorted(files.values()) == sorted([csv_response.content, json_response.content])
        assert folder.parent == tmp_path / "tmp" and not list(folder.glob("*.part"))
        # asked again before the store changes: the same file, sent again, no new one written
        assert client.get("/coding.csv").content == csv_response.content
        assert spooled(folder) == files
    assert not folder.exists()  # removed with the server's shutdown


def test_the_server_keeps_a_few_files_and_deletes_those_it_forgets(store, data_dir, monkeypatch, computed_app):
    monkeypatch.setattr(pagework, "FILES_KEPT", 2)
    app = create_app(data_dir=data_dir, computed_by=computed_app)
    pool = page_processes(app)
    with client_class()(app) as client:
        sent = []
        for number in range(3):  # a passage saved each time: a new store version, a new export
            store.store.add_manual("study-01", "employment_quotas", "aigerim", number * 10, number * 10 + 5)
            response = client.get("/coding.csv")
            assert response.content == to_csv(store.coverage()).encode("utf-8")
            sent.append(response.content)
        assert len(set(sent)) == 3
        # the oldest export's file is deleted; the two newest are kept
        assert sorted(spooled(Path(pool.spool())).values()) == sorted(sent[1:])
        assert sum(isinstance(answer, Written) for answer in pool._done.values()) == 2


def test_a_file_is_named_only_once_complete_and_a_failed_writing_leaves_nothing(tmp_path):
    def chunks():
        yield "document_id,code\n"
        yield "a,b\n"
        raise RuntimeError("the worker's database went away")

    with pytest.raises(RuntimeError):
        write_text(str(tmp_path), ".csv", chunks())
    assert list(tmp_path.iterdir()) == []
    written = write_text(str(tmp_path), ".csv", iter(["Қазақ,", "тілі\n"]))
    assert Path(written.path).read_bytes() == "Қазақ,тілі\n".encode()
    assert written.size == len("Қазақ,тілі\n".encode()) and written.path.endswith(".csv")


def test_a_file_the_server_forgets_while_it_is_sent_is_sent_whole(tmp_path, monkeypatch):
    """Sent a block at a time (here of 1,000 bytes); the name removed after opening (an answer the server does
    not keep, or one it forgets meanwhile) does not cut the reading short; the file is closed at the end."""
    monkeypatch.setattr(spool, "BLOCK_BYTES", 1000)
    text = "".join(f"study-{number:04d},employment_quotas,{number}\n" for number in range(400))
    written = write_text(str(tmp_path), ".csv", [text])
    file, size = open_written(written, forget=True)
    assert not Path(written.path).exists()
    messages: list[dict] = []

    async def send(message: dict) -> None:
        messages.append(message)

    async def receive() -> dict:
        return {"type": "http.disconnect"}

    asyncio.run(SpooledResponse(file, size, "text/csv; charset=utf-8")({"type": "http"}, receive, send))
    blocks = [message["body"] for message in messages[1:]]
    assert len(blocks) == -(-len(text) // 1000) + 1 and blocks[-1] == b""  # the last: the end of the body
    assert b"".join(blocks) == text.encode("utf-8") and file.closed
    assert dict(messages[0]["headers"])[b"content-length"] == str(len(text)).encode()


def test_a_file_is_closed_when_the_reader_goes_away(tmp_path):
    written = write_text(str(tmp_path), ".json", ["[\n" + "x" * 10_000 + "\n]"])
    file, size = open_written(written, forget=False)

    async def send(message: dict) -> None:
        if message["type"] == "http.response.body":
            raise OSError("the client closed the connection")

    async def receive() -> dict:
        return {"type": "http.disconnect"}

    with pytest.raises(OSError):
        asyncio.run(SpooledResponse(file, size, "application/json")({"type": "http"}, receive, send))
    assert file.closed and isinstance(file, io.BufferedReader) and Path(written.path).exists()
