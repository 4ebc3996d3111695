"""A real ``diaspora serve`` for the tests that talk to one over HTTP: a free port, the process started, waited for
until a page answers, its output kept, and stopped afterwards. One start-up for every such test (the browser
tests' ``live_server``, the hostile clients, the latency and coding tests), so that each waits the same way.

Waiting: as long as the process lives, up to ``timeout`` s (a generous 120 by default: on the shared two-core
machine at a load of 12-22 a server has taken more than 20 s to answer its first page). A server that exits
ends the wait at once, and the failure shows its output (stdout and stderr, merged). A server still alive at
the limit fails with the CPU time it used, so that a starved server (little CPU) is told from a stuck one.

Test tooling, kept out of the installed package; free of pytest, so that benchmarks can use it too.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

START_SECONDS = 120.0  # the longest a live server may take to answer its first page


class ServerDidNotStart(RuntimeError):
    """The server exited before it answered, or did not answer within the time allowed."""


def free_port() -> int:
    """A free loopback port: in ``$DIASPORA_TEST_PORTS`` (``FIRST-LAST``, for a machine shared by several
    people, each with a range) when set, else any the system gives."""
    first, _, last = os.environ.get("DIASPORA_TEST_PORTS", "").partition("-")
    candidates = range(int(first), int(last) + 1) if first.isdigit() and last.isdigit() else [0]
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in DIASPORA_TEST_PORTS={os.environ['DIASPORA_TEST_PORTS']}")


def cpu_seconds(pid: int) -> float | None:
    """The CPU time (user + system) process ``pid`` has used, from /proc; None where that cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def wait_until_answering(process: subprocess.Popen, url: str, output: Sequence[str] = (), *,
                         timeout: float = START_SECONDS, ready: Callable[[], bool] = lambda: True) -> None:
    """Return once ``url`` answers 200 and ``ready()`` holds; raise :class:`ServerDidNotStart` as soon as
    ``process`` exits, or when ``timeout`` s have passed while it lives (both with ``output``, what the server
    printed). A probe may wait for its answer as long as the time left: a first page computed on a loaded
    machine is slow, and a probe given up on would only ask the server to compute it again."""
    started = time.monotonic()
    deadline = started + timeout
    while True:
        if process.poll() is not None:
            raise ServerDidNotStart(f"the server exited with code {process.returncode} before {url} answered; "
                                    f"its output: {''.join(output) or '(none)'}")
        left = deadline - time.monotonic()
        if left <= 0:
            used = cpu_seconds(process.pid)
            spent = "its CPU time unknown" if used is None else f"having used {used:.1f} s of CPU"
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            raise ServerDidNotStart(f"the server was still running but was not ready ({url} answering 200) within "
                                    f"{timeout:g} s "
                                    f"({spent}; load average {load}); its output: {''.join(output) or '(none)'}")
        try:
            if httpx.get(url, timeout=httpx.Timeout(max(left, 1.0), connect=1.0)).status_code == 200 and ready():
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)


@dataclass
class Running:
    """A started server: its base URL, port, process, and the lines it has printed so far (read all along, so
    that it never blocks on a full pipe)."""

    base: str
    port: int
    process: subprocess.Popen
    output: list[str] = field(default_factory=list)


@contextmanager
def serving(data_dir: Path, *options: str, probe: str = "/", environment: dict[str, str] | None = None,
            unset: Sequence[str] = (), port: int | None = None, timeout: float = START_SECONDS,
            ready: Callable[[list[str]], bool] = lambda output: True) -> Iterator[Running]:
    """``diaspora serve --port PORT --data-dir DATA_DIR OPTIONS`` in its own process, on ``port`` or a free one;
    yields it once ``probe`` answers 200 and ``ready(output)`` holds (see :func:`wait_until_answering`), and
    stops it on leaving. ``environment`` adds to the server's environment, ``unset`` names variables taken out
    of it."""
    port = port or free_port()
    command = [sys.executable, "-m", "diaspora_observatory.cli", "serve", "--port", str(port), "--data-dir",
               str(data_dir), *options]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(environment or {})}
    for name in unset:
        env.pop(name, None)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    running = Running(f"http://127.0.0.1:{port}", port, process)

    def read() -> None:
        # The pipe is closed here, at its end: closed from the waiting thread while this one reads, the close
        # would wait for the read (the server's page workers may hold the pipe open a while after it).
        with process.stdout:
            for line in process.stdout:
                running.output.append(line)

    reading = threading.Thread(target=read, daemon=True)
    reading.start()
    try:
        wait_until_answering(process, f"{running.base}{probe}", running.output, timeout=timeout,
                             ready=lambda: ready(running.output))
        yield running
    finally:
        stop(process)
        reading.join(timeout=10)


def stop(process: subprocess.Popen) -> None:
    """Terminate ``process`` and wait for it; killed if it has not ended 10 s later."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
