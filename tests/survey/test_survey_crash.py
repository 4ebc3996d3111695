"""No acknowledged submission is lost: a real server under concurrent submissions is killed with SIGKILL
and restarted; every submission that got a 201 is then stored exactly once."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from loadtest import ANSWERS, Server, audit, submit_concurrently
from survey_helpers import POSTGRES_URL, reset_postgres

from diaspora_observatory.survey.storage import SurveyStore, database_url


def crash_and_check(tmp_path, url: str, clients: int = 16) -> None:
    data_dir = tmp_path / "data"
    server = Server(data_dir, database_url=url).start()
    stop = threading.Event()
    outcome = {}

    def load() -> None:
        outcome["result"] = submit_concurrently(server.base, clients=clients, stop=stop)

    runner = threading.Thread(target=load)
    runner.start()
    deadline = time.monotonic() + 20
    store_url = url or database_url(data_dir)
    # Kill while submissions are in flight, once a good number have been acknowledged.
    while time.monotonic() < deadline:
        time.sleep(0.2)
        probe = SurveyStore(store_url)
        stored = probe.count("kz")
        probe.close()
        if stored >= 150:
            break
    server.kill()
    stop.set()
    runner.join(timeout=60)
    result = outcome["result"]
    assert len(result.acknowledged) >= 100
    assert result.failed, "the kill should have cut some submissions short"

    restarted = Server(data_dir, database_url=url).start()
    try:
        # Clients retry what was never acknowledged: each is stored (or found stored) once.
        with httpx.Client(base_url=restarted.base, timeout=30) as client:
            for submission_id in result.failed:
                reply = client.post("/s/kz/submissions", json={"submission_id": submission_id, "answers": ANSWERS})
                assert reply.status_code == 201
            replay = client.post("/s/kz/submissions", json={"submission_id": result.acknowledged[0], "answers": ANSWERS})
            assert replay.status_code == 201 and replay.headers["x-replayed"] == "true"
    finally:
        restarted.stop()
    store = SurveyStore(store_url)
    stored_ids = [row["submission_id"] for row in store.responses("kz")]
    store.close()
    report = audit(stored_ids, result.acknowledged + result.failed)
    assert report["lost"] == 0 and report["duplicated"] == 0, report
    assert report["stored"] == len(result.acknowledged) + len(result.failed)


@pytest.mark.slow
@pytest.mark.parametrize("clients", [16, 1])
def test_sigkill_loses_no_acknowledged_submission_sqlite(tmp_path, monkeypatch, clients):
    """16 clients: submissions share commits; 1 client: each is committed alone. Either way a 201 means
    on disk."""
    monkeypatch.delenv("DIASPORA_DATABASE_URL", raising=False)
    crash_and_check(tmp_path, "", clients)


@pytest.mark.slow
@pytest.mark.postgres
def test_sigkill_loses_no_acknowledged_submission_postgres(tmp_path):
    if not POSTGRES_URL:
        pytest.skip("DIASPORA_TEST_POSTGRES_URL is not set (CI's .ci/run starts a PostgreSQL server)")
    reset_postgres(POSTGRES_URL)
    crash_and_check(tmp_path, POSTGRES_URL)
