"""Drive a real survey server: start ``diaspora serve`` in its own process, send concurrent
submissions, and check afterwards that every acknowledged one is stored exactly once.

Test tooling, kept out of the installed package: used by the crash and browser tests (tests/survey), which
import it as they import the other helpers of tests/, and by the benchmarks (benchmarks/bench_survey.py,
bench_workers.py), which put tests/ on their path.

Two load generators post the same JSON: :func:`submit_concurrently` (Python threads, one keep-alive connection
each) and :func:`submit_with_wrk` (the C load generator wrk with benchmarks/survey_submit.lua, which costs a
fraction of the Python client's CPU on the cores the server shares with it).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from serving import START_SECONDS, ServerDidNotStart, free_port, wait_until_answering

ANSWERS = {"identity_family_language": "5", "identity_holidays": "4", "identity_news": "3", "identity_dress": "2",
           "home_language": "mainly_kazakh", "contact_frequency": "daily", "state_support_rating": "3",
           "age_band": "age_30_44", "gender": "female", "country_of_residence": "KGZ", "citizenship": "both"}


@dataclass
class Server:
    """A ``diaspora serve`` process on a loopback port; with ``workers`` above 1, uvicorn's supervisor and
    its worker processes, all in one process group (so that :meth:`kill` stops every one at once).
    ``environment`` adds to or overrides the server's environment (the rate limits are off by default)."""

    data_dir: Path
    database_url: str = ""
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    workers: int = 1
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = START_SECONDS) -> Server:
        """Start the server and return once /s/kz answers and its workers run (tests/serving.py: waited for as
        long as the process lives, up to ``timeout``; ServerDidNotStart, a RuntimeError, when it exits or
        is not ready by then, and the server is killed)."""
        # Both rate limits off: the per-survey one (1,200 a minute) would refuse a load test after a few seconds.
        env = {**os.environ, "DIASPORA_SURVEY_RATE_LIMIT": "0", "DIASPORA_SURVEY_RATE_TOTAL": "0",
               "DIASPORA_ADMIN_TOKEN": "load-test-admin-token", "PYTHONUNBUFFERED": "1"}
        env.pop("DIASPORA_DATABASE_URL", None)
        if self.database_url:
            env["DIASPORA_DATABASE_URL"] = self.database_url
        env.update(self.environment)
        command = [sys.executable, "-m", "diaspora_observatory.cli", "serve", "--port", str(self.port),
                   "--data-dir", str(self.data_dir), *(["--workers", str(self.workers)] if self.workers > 1 else [])]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                        start_new_session=True)
        try:
            wait_until_answering(self.process, f"{self.base}/s/kz", timeout=timeout,
                                 ready=lambda: len(self.worker_pids()) == (self.workers if self.workers > 1 else 0))
        except ServerDidNotStart:
            self.kill()
            raise
        return self

    def kill(self) -> None:
        """SIGKILL of the server and of every worker at once (its process group): no shutdown handler runs, as
        when the machine dies."""
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.process:
            self.process.wait(timeout=10)

    def worker_pids(self) -> list[int]:
        """The worker processes uvicorn's supervisor runs now (its children started by multiprocessing's
        spawn; not its resource tracker), from /proc."""
        if self.process is None:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:  # gone meanwhile
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.process.pid and b"multiprocessing.spawn" in command:
                found.append(int(entry.name))
        return sorted(found)

    @contextmanager
    def only(self, pid: int):
        """While inside, every other worker is stopped (SIGSTOP), so a connection made now is accepted by
        worker ``pid``: the kernel hands a new connection to whichever worker accepts first, and a stopped
        one cannot. A request made inside is answered by that worker."""
        others = [other for other in self.worker_pids() if other != pid]
        assert pid in self.worker_pids(), f"no worker {pid}"
        for other in others:
            os.kill(other, signal.SIGSTOP)
        try:
            for other in others:  # stopped for sure before the connection is made
                while (Path(f"/proc/{other}/stat").read_text().rsplit(")", 1)[1].split()[0]) not in ("T", "t"):
                    time.sleep(0.005)
            yield
        finally:
            for other in others:
                os.kill(other, signal.SIGCONT)

    def request_to(self, pid: int, method: str, path: str, body: bytes = b"",
                   content_type: str = "application/json") -> tuple[int, bytes]:
        """One request on a new connection answered by worker ``pid`` (see :meth:`only`): (status, body).

        The others are stopped only while a small static file is fetched on the connection, which ties it to
        ``pid``; the request itself follows on the same kept-alive connection with every worker running, since
        uvicorn's supervisor replaces a worker that does not answer its health check for 5 s."""
        connection = KeepAliveClient("127.0.0.1", self.port)
        try:
            with self.only(pid):
                status, _ = connection.request("GET", "/s/static/survey.css")
                assert status == 200
            return connection.request(method, path, body, content_type)
        finally:
            connection.close()

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server has used so far: its process and every live descendant (the
        workers, their threads, the results page processes), from /proc. 0 where /proc is missing."""
        if self.process is None:
            return 0.0
        tick = os.sysconf("SC_CLK_TCK")
        parents: dict[int, int] = {}
        used: dict[int, float] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # gone meanwhile
                continue
            parents[int(entry.name)] = int(fields[1])
            used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
        tree, grown = {self.process.pid}, True
        while grown:
            found = {pid for pid, parent in parents.items() if parent in tree} - tree
            tree |= found
            grown = bool(found)
        return sum(used.get(pid, 0.0) for pid in tree)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class LoadResult:
    """What a load generator got: the ids acknowledged (201), the ids it knows were not, and over how long.
    wrk does not tell which ids went unacknowledged, only how many: ``refused`` (replies other than 201 and
    requests cut by socket errors). ``generator_cpu``: CPU seconds (user + system) of the load generator's own
    process (wrk), None when it ran in the caller's process (the Python threads)."""

    acknowledged: list[str]
    failed: list[str]
    seconds: float
    refused: int = 0
    generator_cpu: float | None = None

    @property
    def rate(self) -> float:
        return len(self.acknowledged) / self.seconds if self.seconds else 0.0

    @property
    def not_acknowledged(self) -> int:
        return len(self.failed) + self.refused


class KeepAliveClient:
    """One keep-alive HTTP/1.1 connection that POSTs and reads each reply's status and body.

    A load generator must cost less than the server it measures; the standard library's http.client
    spends about 0.08 ms of Python per request on building and parsing messages, which at one client is
    a fifth of the server's whole round trip. This client writes a request in one ``sendall`` and reads
    only the status line, the headers it needs (``content-length``, ``connection``) and the body, like
    the C load generators (wrk, h2load) do. The server's replies always carry ``content-length``.
    """

    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._socket: socket.socket | None = None
        self._reader = None

    def post(self, path: str, body: bytes, content_type: str = "application/json") -> tuple[int, bytes]:
        """Send one POST and return (status, body); raises OSError when the connection breaks."""
        return self.request("POST", path, body, content_type)

    def request(self, method: str, path: str, body: bytes = b"",
                content_type: str = "application/json") -> tuple[int, bytes]:
        """Send one request and return (status, body); raises OSError when the connection breaks."""
        if self._socket is None:
            self._socket = socket.create_connection((self.host, self.port), timeout=self.timeout)
            self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._reader = self._socket.makefile("rb")
        self._socket.sendall(f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: {content_type}"
                             f"\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        status_line = self._reader.readline(1024)
        parts = status_line.split(None, 2)
        if len(parts) < 2 or not parts[1].isdigit():
            self.close()
            raise ConnectionError(f"no HTTP reply (got {status_line[:40]!r})")
        length, closing = 0, False
        while True:
            line = self._reader.readline(8192)
            if line in (b"\r\n", b"\n"):
                break
            if not line:
                self.close()
                raise ConnectionError("the server closed the connection in the middle of a reply")
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection":
                closing = value.strip().lower() == b"close"
        reply = self._reader.read(length)
        if len(reply) < length:
            self.close()
            raise ConnectionError("the server closed the connection in the middle of a reply")
        if closing:
            self.close()
        return int(parts[1]), reply

    def close(self) -> None:
        if self._socket is not None:
            try:
                self._reader.close()
                self._socket.close()
            finally:
                self._socket = self._reader = None


def submit_concurrently(base: str, clients: int, per_client: int | None = None, duration: float | None = None,
                        stop: threading.Event | None = None, slug: str = "kz") -> LoadResult:
    """``clients`` threads, each with its own keep-alive connection, posting to the JSON API.

    Each thread sends ``per_client`` submissions, or keeps going for ``duration`` seconds or until
    ``stop`` is set. A submission counts as acknowledged only on a 201 reply; one that gets no reply
    (the server was killed) counts as failed and the client reconnects.
    """
    from urllib.parse import urlsplit

    address = urlsplit(base)
    acknowledged: list[str] = []
    failed: list[str] = []
    lock = threading.Lock()
    started = threading.Barrier(clients + 1)
    stop = stop or threading.Event()
    path = f"/s/{slug}/submissions"

    def client() -> None:
        mine_ok, mine_failed = [], []
        connection = KeepAliveClient(address.hostname, address.port)
        started.wait()
        sent = 0
        deadline = time.monotonic() + duration if duration else None
        while not stop.is_set() and (per_client is None or sent < per_client) and \
                (deadline is None or time.monotonic() < deadline):
            submission_id = uuid.uuid4().hex
            sent += 1
            body = json.dumps({"submission_id": submission_id, "answers": ANSWERS}).encode()
            try:
                status, _ = connection.post(path, body)
                (mine_ok if status == 201 else mine_failed).append(submission_id)
            except OSError:
                mine_failed.append(submission_id)
                connection.close()  # reconnects on the next request
                if stop.is_set():
                    break
                time.sleep(0.05)
        connection.close()
        with lock:
            acknowledged.extend(mine_ok)
            failed.extend(mine_failed)

    return LoadResult(acknowledged, failed, run_together(client, clients, started))


WRK_SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "survey_submit.lua"


def wrk_program() -> str | None:
    """The wrk load generator (Debian's package: /usr/bin/wrk), or None when it is not installed."""
    return shutil.which("wrk")


def submit_with_wrk(base: str, clients: int, duration: float, slug: str = "kz", threads: int | None = None,
                    script: Path = WRK_SCRIPT) -> LoadResult:
    """``clients`` keep-alive connections driven by wrk for ``duration`` seconds (whole seconds, at least 1:
    wrk's unit), on ``threads`` wrk threads (one by default: a wrk thread sustains tens of thousands of requests
    a second, and a second one would only compete with the server for its cores; never more than the connections),
    posting the same JSON as :func:`submit_concurrently`, each submission with an id of its own.

    The acknowledged ids are the ones the server's 201 replies name (benchmarks/survey_submit.lua writes them to
    a file when wrk ends), so they can be audited against what is stored; ``seconds`` is wrk's own measure of
    the run, ``generator_cpu`` the CPU time of the wrk process (its rusage when it is reaped).
    Raises RuntimeError when wrk is missing or fails.
    """
    import tempfile

    program = wrk_program()
    if program is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    threads = max(1, min(clients, threads or 1))
    head, tail = json.dumps({"submission_id": "@ID@", "answers": ANSWERS}).split("@ID@")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "acknowledged.txt"
        command = [program, "-t", str(threads), "-c", str(clients), "-d", f"{max(1, round(duration))}s",
                   "--timeout", "30s", "-s", str(script), f"{base}/s/{slug}/submissions",
                   "--", uuid.uuid4().hex[:12], str(out), head, tail]
        with open(Path(folder) / "output.txt", "w+b") as output:
            process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
            # os.wait4 reaps it and gives its own rusage (not that of other children of this process).
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            output.seek(0)
            said = output.read().decode(errors="replace")
        if process.returncode != 0 or not out.exists():
            raise RuntimeError(f"wrk failed (exit {process.returncode}): {said.strip()[-500:]}")
        header, *acknowledged = out.read_text(encoding="utf-8").splitlines()
    duration_us, _requests, not_201, connect, read, write, _status, _timeout = (int(value) for value in header[2:].split())
    return LoadResult(acknowledged, [], duration_us / 1e6, refused=not_201 + connect + read + write,
                      generator_cpu=usage.ru_utime + usage.ru_stime)


def run_together(worker, count: int, started: threading.Barrier) -> float:
    """Run ``worker`` in ``count`` threads that all wait on ``started`` (made for ``count + 1``); return
    the seconds from their common start until the last one ends."""
    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    started.wait()
    begin = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - begin


def audit(stored_ids: list[str], acknowledged: list[str]) -> dict[str, int]:
    """Lost = acknowledged but not stored; duplicated = stored more than once."""
    counts = Counter(stored_ids)
    return {"acknowledged": len(acknowledged), "stored": len(stored_ids),
            "lost": sum(1 for submission_id in acknowledged if counts[submission_id] == 0),
            "duplicated": sum(count - 1 for count in counts.values() if count > 1)}
