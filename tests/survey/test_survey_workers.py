"""Several server processes on one PostgreSQL database (``diaspora serve --workers N``, issue 15 item 4).

Real servers: uvicorn's supervisor and two workers, started by ``diaspora serve --workers 2``. A request is
sent to a chosen worker by stopping the other while the connection is made (``loadtest.Server.only``), so
what one worker wrote and another read is known, not left to the kernel's choice.

- SIGKILL of one worker, then of every process, under concurrent submissions: every acknowledged (201)
  submission is stored exactly once, and the supervisor replaces the killed worker.
- What each worker keeps in memory: the results page's cache (keyed by the snapshot read from the database)
  and the documents page's cache (keyed by the document store's version) show writes made elsewhere; the
  admin token is accepted by every worker and a survey closed through one is closed for all; the rate limit
  and the limit on wrong tokens count per worker, as ``diaspora serve --help`` and docs/survey.md say; the
  chart bundle, made once by the parent, is what every worker serves; workers stop when their supervisor is
  killed.
- SQLite stays one process: ``--workers 2`` is refused with a hint, and a second process started by another
  program (uvicorn run directly) on the same SQLite file is refused too.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from loadtest import ANSWERS, Server, audit, submit_concurrently
from survey_helpers import POSTGRES_URL, reset_postgres

from diaspora_observatory.survey.schema import MIGRATIONS
from diaspora_observatory.survey.storage import SurveyStore

TOKEN = "load-test-admin-token"  # what loadtest.Server sets as DIASPORA_ADMIN_TOKEN
SEED_TEXT = Path(__file__).resolve().parents[2] / ".." / "shared" / "seed" / "kazakh-diaspora-central-asia.txt"
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers through /proc")


def require_postgres() -> str:
    if not POSTGRES_URL:
        pytest.skip("DIASPORA_TEST_POSTGRES_URL is not set (tools/run-tests starts a PostgreSQL server)")
    reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.2)


def running(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, exited but not yet reaped by whoever adopted it, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def submission(submission_id: str) -> bytes:
    return json.dumps({"submission_id": submission_id, "answers": ANSWERS}).encode()


@pytest.mark.slow
@pytest.mark.postgres
def test_sigkill_of_one_worker_and_of_all_loses_no_acknowledged_submission(tmp_path):
    url = require_postgres()
    data_dir = tmp_path / "data"
    server = Server(data_dir, database_url=url, workers=2).start()
    stop = threading.Event()
    outcome = {}
    runner = threading.Thread(target=lambda: outcome.update(result=submit_concurrently(server.base, clients=8,
                                                                                        stop=stop)))
    probe = SurveyStore(url)  # one store for every count below (opening one runs the migration check)

    def stored() -> int:
        return probe.count("kz")

    try:
        first = server.worker_pids()
        assert len(first) == 2
        runner.start()
        wait_for(lambda: stored() >= 60, 30, "60 submissions stored before the first kill")
        os.kill(first[0], signal.SIGKILL)  # one worker: its connections break, the other worker goes on
        after_one = stored()
        wait_for(lambda: stored() >= after_one + 60, 30, "60 more stored by the surviving worker")
        # uvicorn's supervisor starts a replacement for the killed worker
        wait_for(lambda: len(server.worker_pids()) == 2 and first[0] not in server.worker_pids(), 60,
                 "the killed worker replaced")
        wait_for(lambda: stored() >= after_one + 120, 30, "60 more stored with the replacement")
    finally:
        server.kill()  # SIGKILL of the supervisor and of every worker at once
        stop.set()
        if runner.is_alive():
            runner.join(timeout=60)
        probe.close()
    result = outcome["result"]
    assert len(result.acknowledged) >= 180
    assert result.failed, "the kills should have cut some submissions short"

    restarted = Server(data_dir, database_url=url, workers=2).start()
    try:
        # Clients retry what was never acknowledged (here through one worker): each is stored, or found stored,
        # once; an acknowledged one sent again through the other worker is a replay, not a second answer.
        for submission_id in result.failed:
            status, _ = restarted.request_to(restarted.worker_pids()[0], "POST", "/s/kz/submissions",
                                             submission(submission_id))
            assert status == 201
        status, reply = restarted.request_to(restarted.worker_pids()[1], "POST", "/s/kz/submissions",
                                             submission(result.acknowledged[0]))
        assert (status, json.loads(reply)["status"]) == (201, "stored")
    finally:
        restarted.stop()
    store = SurveyStore(url)
    stored_ids = [row["submission_id"] for row in store.responses("kz")]
    store.close()
    report = audit(stored_ids, result.acknowledged + result.failed)
    assert report["lost"] == 0 and report["duplicated"] == 0, report
    assert report["stored"] == len(result.acknowledged) + len(result.failed)


@pytest.mark.slow
@pytest.mark.postgres
def test_workers_share_writes_tokens_and_status_but_count_limits_each(tmp_path):
    from diaspora_observatory.case.package import load_case
    from diaspora_observatory.documents.importer import Document
    from diaspora_observatory.documents.store import DocumentStore

    url = require_postgres()
    data_dir = tmp_path / "data"
    server = Server(data_dir, database_url=url, workers=2, environment={"DIASPORA_SURVEY_RATE_LIMIT": "12"}).start(
        timeout=90)
    try:
        a, b = server.worker_pids()
        counter = iter(range(1000))

        def submit(pid: int) -> int:
            return server.request_to(pid, "POST", "/s/kz/submissions", submission(f"worker-test-{next(counter):04}"))[0]

        def published(pid: int) -> tuple[int, int]:
            status, body = server.request_to(pid, "GET", "/s/kz/results.json")
            assert status == 200
            data = json.loads(body)
            return data["snapshot"]["number"], data["responses"]

        def admin(pid: int, action: str, token: str = TOKEN) -> int:
            return server.request_to(pid, "POST", f"/s/kz/admin/{action}", f"token={token}".encode(),
                                     "application/x-www-form-urlencoded")[0]

        # The results page of worker b is cached at snapshot 0; ten answers (the threshold) through worker a
        # make the next view of b take and show snapshot 1.
        assert published(b) == (0, 0)
        assert [submit(a) for _ in range(10)] == [201] * 10
        assert published(b) == (1, 10)
        assert published(a) == (1, 10)

        # Closed through b, closed for a at once (checked inside a's storing transaction); reopened through a.
        assert admin(b, "close") == 200
        assert submit(a) == 410
        assert admin(a, "open") == 200
        assert submit(b) == 201

        # The rate limit (12 a minute from one address here) counts in each worker: a has counted 11 (its
        # 410 too) and accepts one more, b has counted 1 and accepts 11 more.
        assert [submit(a), submit(a)] == [201, 429]
        assert [submit(b) for _ in range(11)] == [201] * 11
        assert submit(b) == 429

        # Wrong tokens: 10 a minute from one address, per worker; b still checks tokens after a refuses.
        assert [admin(a, "view", "wrong-token-wrong-token") for _ in range(10)] == [403] * 10
        assert admin(a, "view") == 429
        assert admin(b, "view") == 200

        # The documents page of each worker is cached by the store's version: a document stored by another
        # process (here the test, as a third worker would) appears on both.
        title = "Kazakh diaspora in Central Asia, read by two workers"
        pages = {pid: server.request_to(pid, "GET", "/coding") for pid in (a, b)}
        assert all(status == 200 and title.encode() not in body for status, body in pages.values())
        document_store = DocumentStore(load_case().name, data_dir)
        document_store.add_document(Document("two-workers", title, "press", "2024-05-01", "ru",
                                             SEED_TEXT.read_text(encoding="utf-8")[:4000]))
        document_store.engine.dispose()
        pages = {pid: server.request_to(pid, "GET", "/coding") for pid in (a, b)}
        assert all(status == 200 and title.encode() in body for status, body in pages.values())

        # The chart engine's bundle was made once, by the parent, and every worker serves that file.
        shared = (data_dir / "cache" / "vega-bundle.js").read_bytes()
        assert len(shared) > 100_000
        assert [server.request_to(pid, "GET", "/static/vega-bundle.js") for pid in (a, b)] == [(200, shared)] * 2

        # The supervisor alone killed: its workers notice and stop, freeing the port.
        os.kill(server.process.pid, signal.SIGKILL)
        wait_for(lambda: not any(running(pid) for pid in (a, b)), 30, "the workers stopped")
    finally:
        server.stop()
    store = SurveyStore(url)
    assert store.count("kz") == 10 + 1 + 1 + 11
    store.close()


# SQLite stays one process -------------------------------------------------------------------------------------

def test_serve_refuses_workers_on_sqlite(tmp_path):
    from click.testing import CliRunner

    from diaspora_observatory.cli import main

    data_dir = tmp_path / "data"
    result = CliRunner().invoke(main, ["serve", "--workers", "2", "--data-dir", str(data_dir), "--port", "18799"],
                                env={"DIASPORA_DATABASE_URL": "", "DIASPORA_ADMIN_TOKEN": TOKEN})
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: the survey answers are in the SQLite file {data_dir / 'survey.sqlite3'}, which one server process "
        "serves; 2 server processes were asked for\n"
        "Hint: run one process (diaspora serve without --workers), or set DIASPORA_DATABASE_URL to a PostgreSQL "
        "database (postgresql+psycopg://USER@HOST/DB) to run several: docs/survey.md, \"Several server processes\"\n")
    assert not (data_dir / "survey.sqlite3").exists()  # refused before anything was created


@pytest.mark.slow  # a second real process
def test_a_second_process_on_one_sqlite_file_is_refused(tmp_path, monkeypatch, capsys):
    """Under uvicorn run directly the number of workers is not known: the first worker holds the
    SQLite file, a second one stops with the reason and uvicorn's exit code for a worker that cannot start.
    (Two apps in one process stand for two processes: an flock is held per open file, not per process.)"""
    from survey_helpers import make_client

    from diaspora_observatory.web.workers import app_from_environment

    data_dir = tmp_path / "data"
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", TOKEN)
    monkeypatch.setenv("DIASPORA_ALLOWED_HOSTS", "testserver")  # the in-process client's host name
    for name in ("DIASPORA_DATABASE_URL", "DIASPORA_WORKERS", "DIASPORA_CASE"):
        monkeypatch.delenv(name, raising=False)
    with make_client(app_from_environment()) as first:
        assert first.get("/s/kz").status_code == 200
        capsys.readouterr()
        with pytest.raises(SystemExit) as stopped:
            app_from_environment()
        assert stopped.value.code == 3
        assert capsys.readouterr().err == (
            f"Error: the survey answers are in the SQLite file {data_dir / 'survey.sqlite3'}, which one server "
            "process serves; another server process already serves it\n"
            "Hint: run one process (diaspora serve without --workers), or set DIASPORA_DATABASE_URL to a PostgreSQL "
            "database (postgresql+psycopg://USER@HOST/DB) to run several: docs/survey.md, \"Several server "
            "processes\"\n")
    # the first one stopped (its lifespan ended): the file is free again
    with make_client(app_from_environment()) as again:
        assert again.get("/s/kz").status_code == 200


def test_worker_settings_come_from_the_environment(monkeypatch, tmp_path):
    from diaspora_observatory.errors import DiasporaError
    from diaspora_observatory.web.workers import export_settings, settings_from_environment

    for name in ("DIASPORA_CASE", "DIASPORA_DATA_DIR", "DIASPORA_ALLOWED_HOSTS", "DIASPORA_TRUSTED_PROXIES",
                 "DIASPORA_CLIENT_TIMEOUT", "DIASPORA_DEV", "DIASPORA_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    # run directly by uvicorn with nothing set: loopback names only, processes unknown
    assert settings_from_environment() == {
        "case_name_or_path": None, "data_dir": None, "allowed_hosts": ["127.0.0.1", "localhost", "::1"],
        "trusted_proxies": [], "client_timeout": 10.0, "dev": False, "processes": None}
    export_settings(case_name="kazakh-central-asia", data_dir=tmp_path, allowed_hosts=["127.0.0.1", "survey.example.org"],
                    trusted_proxies=("10.0.0.2",), client_timeout=4.5, dev=False, workers=3)
    assert settings_from_environment() == {
        "case_name_or_path": "kazakh-central-asia", "data_dir": tmp_path.resolve(),
        "allowed_hosts": ["127.0.0.1", "survey.example.org"], "trusted_proxies": ["10.0.0.2"], "client_timeout": 4.5,
        "dev": False, "processes": 3}
    monkeypatch.setenv("DIASPORA_CLIENT_TIMEOUT", "ten")
    with pytest.raises(DiasporaError) as refused:
        settings_from_environment()
    assert (refused.value.message, refused.value.hint) == ("DIASPORA_CLIENT_TIMEOUT='ten' is not a number of seconds",
                                                           "set it to a number such as 10")


def test_workers_starting_together_make_one_admin_token(tmp_path, monkeypatch):
    """Each worker makes sure a token exists when it starts: together they must agree on one, whose text file
    and hash file match (threads here, each with its own open lock file, as processes would have)."""
    from diaspora_observatory import access
    from diaspora_observatory.access import check_admin_token, ensure_admin_token, generated_token_file

    monkeypatch.delenv("DIASPORA_ADMIN_TOKEN", raising=False)
    # A slow token source widens the moment between "no token yet" and "token written", where workers collide.
    fresh = access.new_token
    monkeypatch.setattr(access, "new_token", lambda: (time.sleep(0.05), fresh())[1])
    start = threading.Barrier(8)
    made = []

    def worker() -> None:
        start.wait()
        made.append(ensure_admin_token(tmp_path, announce=False))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    generated = [token for token in made if token]
    assert len(generated) == 1
    assert generated_token_file(tmp_path).read_text().strip() == generated[0]
    assert check_admin_token(tmp_path, generated[0])


@pytest.mark.postgres
def test_stores_opened_together_on_a_new_postgres_database(tmp_path):
    """The workers of a server started by uvicorn run directly open their stores at the same moment, on a database
    that may be new: the migrations run once (under an advisory lock) and the default survey is added once."""
    from diaspora_observatory.survey.default import DEFAULT_SLUG, default_form

    url = require_postgres()
    start = threading.Barrier(6)
    errors = []

    def worker() -> None:
        start.wait()
        try:
            opened = SurveyStore(url)
            opened.add_survey(DEFAULT_SLUG, default_form())
            opened.close()
        except Exception as error:  # noqa: BLE001 - collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = SurveyStore(url)
    try:  # closed whatever fails: an engine left open reaches a later test as a ResourceWarning
        assert [survey["slug"] for survey in store.list_surveys()] == [DEFAULT_SLUG]
        assert store.schema_version() == len(MIGRATIONS)  # every step once, however many there are
    finally:
        store.close()
