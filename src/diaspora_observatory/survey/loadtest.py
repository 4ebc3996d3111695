"""Drive a real survey server: start ``diaspora serve`` in its own process, send concurrent
submissions, and check afterwards that every acknowledged one is stored exactly once.

Used by the crash test (tests/survey) and the benchmark (benchmarks/bench_survey.py); nothing here is
imported by the app.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ANSWERS = {"identity_family_language": "5", "identity_holidays": "4", "identity_news": "3", "identity_dress": "2",
           "home_language": "mainly_kazakh", "contact_frequency": "daily", "state_support_rating": "3",
           "age_band": "age_30_44", "gender": "female", "country_of_residence": "KGZ", "citizenship": "both"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A ``diaspora serve`` process on a loopback port."""

    data_dir: Path
    database_url: str = ""
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> Server:
        import httpx

        env = {**os.environ, "DIASPORA_SURVEY_RATE_LIMIT": "0", "DIASPORA_ADMIN_TOKEN": "load-test-token",
               "PYTHONUNBUFFERED": "1"}
        env.pop("DIASPORA_DATABASE_URL", None)
        if self.database_url:
            env["DIASPORA_DATABASE_URL"] = self.database_url
        command = [sys.executable, "-m", "diaspora_observatory.cli", "serve", "--port", str(self.port),
                   "--data-dir", str(self.data_dir)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with code {self.process.returncode}")
            try:
                if httpx.get(f"{self.base}/s/kz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"the server did not answer within {timeout} s")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, as when the machine or the process dies."""
        if self.process and self.process.poll() is None:
            self.process.kill()
        if self.process:
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class LoadResult:
    acknowledged: list[str]
    failed: list[str]
    seconds: float

    @property
    def rate(self) -> float:
        return len(self.acknowledged) / self.seconds if self.seconds else 0.0


def submit_concurrently(base: str, clients: int, per_client: int | None = None, duration: float | None = None,
                        stop: threading.Event | None = None, slug: str = "kz") -> LoadResult:
    """``clients`` threads, each with its own keep-alive connection, posting to the JSON API.

    Each thread sends ``per_client`` submissions, or keeps going for ``duration`` seconds or until
    ``stop`` is set. A submission counts as acknowledged only on a 201 reply. The client is the
    standard library's http.client: a phone's client costs the server nothing, and a heavier Python
    client would make the measurement about itself.
    """
    import http.client
    import json
    from urllib.parse import urlsplit

    address = urlsplit(base)
    acknowledged: list[str] = []
    failed: list[str] = []
    lock = threading.Lock()
    started = threading.Barrier(clients + 1)
    stop = stop or threading.Event()

    def client() -> None:
        mine_ok, mine_failed = [], []
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        started.wait()
        sent = 0
        deadline = time.monotonic() + duration if duration else None
        while not stop.is_set() and (per_client is None or sent < per_client) and \
                (deadline is None or time.monotonic() < deadline):
            submission_id = uuid.uuid4().hex
            sent += 1
            body = json.dumps({"submission_id": submission_id, "answers": ANSWERS})
            try:
                connection.request("POST", f"/s/{slug}/submissions", body=body,
                                   headers={"content-type": "application/json"})
                reply = connection.getresponse()
                reply.read()
                (mine_ok if reply.status == 201 else mine_failed).append(submission_id)
            except (OSError, http.client.HTTPException):
                mine_failed.append(submission_id)
                connection.close()  # reconnects on the next request
                if stop.is_set():
                    break
                time.sleep(0.05)
        connection.close()
        with lock:
            acknowledged.extend(mine_ok)
            failed.extend(mine_failed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    started.wait()
    begin = time.perf_counter()
    for thread in threads:
        thread.join()
    return LoadResult(acknowledged, failed, time.perf_counter() - begin)


def audit(stored_ids: list[str], acknowledged: list[str]) -> dict[str, int]:
    """Lost = acknowledged but not stored; duplicated = stored more than once."""
    counts = Counter(stored_ids)
    return {"acknowledged": len(acknowledged), "stored": len(stored_ids),
            "lost": sum(1 for submission_id in acknowledged if counts[submission_id] == 0),
            "duplicated": sum(count - 1 for count in counts.values() if count > 1)}
