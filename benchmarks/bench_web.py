"""Throughput, latency and memory of the observatory web app, next to datasette on the same flows table.

Starts two real servers on loopback, each in its own process with one worker:
  * ``diaspora serve`` (uvicorn) on the built-in case;
  * ``datasette`` serving a SQLite file holding the same flows table (``analysis.flows.flows``).
Then drives them with a small load generator written here: asyncio, keep-alive HTTP/1.1 connections,
N concurrent clients, each request timed from send to last body byte. Every level is bounded by a
request count and a time limit. The server's resident memory (RSS, and its peak) is read from /proc.

Endpoints compared:
  * observatory ``/`` (the overview page, HTML, English);
  * observatory ``/flows.json?table=flows`` and datasette ``/flows/flows.json?_shape=array&_size=max``:
    the same 96 rows as a JSON array.

datasette is a benchmark-only tool, not a dependency: ``pip install datasette`` into the venv first.

Usage: python benchmarks/bench_web.py [--levels 1,10,50] [--requests 2000] [--seconds 15] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "web.md"
TARGET_PAGE_P99_MS = 50.0
TARGET_RSS_MB = 200.0


@dataclass
class Measure:
    server: str
    endpoint: str
    clients: int
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response (Content-Length or chunked); return its status code."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {line.split(":", 1)[0].strip().lower(): line.split(":", 1)[1].strip()
               for line in lines[1:] if ":" in line}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def client_loop(port: int, path: str, budget: dict, deadline: float, latencies: list[float],
                      errors: list[int]) -> None:
    """One client: a keep-alive connection sending GETs one after another until the budget is spent."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: identity\r\n\r\n".encode()
    try:
        while budget["left"] > 0 and time.perf_counter() < deadline:
            budget["left"] -= 1
            start = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status = await read_response(reader)
            latencies.append(1000 * (time.perf_counter() - start))
            if status != 200:
                errors.append(status)
    finally:
        writer.close()


async def load(port: int, path: str, clients: int, requests: int, seconds: float) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors: list[int] = []
    budget = {"left": requests}
    start = time.perf_counter()
    await asyncio.gather(*(client_loop(port, path, budget, start + seconds, latencies, errors)
                           for _ in range(clients)))
    return latencies, len(errors), time.perf_counter() - start


def measure(server: str, port: int, path: str, clients: int, requests: int, seconds: float) -> Measure:
    asyncio.run(load(port, path, min(clients, 4), 50, 10))  # warm-up: caches, connections, JIT-free paths
    latencies, errors, elapsed = asyncio.run(load(port, path, clients, requests, seconds))
    return Measure(server, path, clients, len(latencies), errors, elapsed, latencies)


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident set size of a process in MB, from /proc."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values.get("VmRSS", float("nan")), values.get("VmHWM", float("nan"))


def wait_until_up(port: int, path: str, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{name} exited with status {process.returncode}")
        try:
            latencies, errors, _ = asyncio.run(load(port, path, 1, 1, 5))
            if latencies and not errors:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"{name} did not answer {path} within 60 s")


def flows_database(folder: Path) -> Path:
    """The flows table of the built-in case, as the analysis library computes it, in a SQLite file."""
    from diaspora_observatory import load_case
    from diaspora_observatory.analysis.flows import flows

    path = folder / "flows.db"
    with sqlite3.connect(path) as connection:
        flows(load_case()).to_sql("flows", connection, index=False)
    return path


def start(command: list[str], name: str, environment: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={
        **os.environ, "PYTHONUNBUFFERED": "1", **(environment or {})})


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.machine()}, {os.cpu_count()} cores ({model}), Python {platform.python_version()}"


def table(measures: list[Measure]) -> str:
    lines = ["| server | endpoint | clients | requests | errors | req/s | p50 ms | p99 ms |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for m in measures:
        lines.append(f"| {m.server} | `{m.endpoint}` | {m.clients} | {m.requests} | {m.errors} | {m.rate:,.0f} | "
                     f"{m.percentile(0.5):.1f} | {m.percentile(0.99):.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,10,50", help="concurrent clients, comma-separated")
    parser.add_argument("--requests", type=int, default=2000, help="requests per measurement (upper bound)")
    parser.add_argument("--seconds", type=float, default=15.0, help="time limit per measurement")
    parser.add_argument("--write", action="store_true", help=f"write the results into {RESULTS}")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    bin_dir = Path(sys.executable).parent
    datasette = shutil.which("datasette", path=str(bin_dir))
    work = Path(tempfile.mkdtemp(prefix="diaspora-bench-web-"))
    ours_port = free_port()
    ours = start([sys.executable, "-m", "diaspora_observatory.cli", "serve", "--port", str(ours_port),
                  "--data-dir", str(work / "data")], "diaspora serve")
    theirs = None
    measures: list[Measure] = []
    memory: dict[str, tuple[float, float]] = {}
    try:
        wait_until_up(ours_port, "/flows.json?table=flows", ours, "diaspora serve")
        memory["diaspora serve, idle after start"] = rss_mb(ours.pid)
        if datasette:
            database = flows_database(work)
            theirs_port = free_port()
            theirs = start([datasette, "serve", str(database), "--port", str(theirs_port), "--host", "127.0.0.1"],
                           "datasette")
            wait_until_up(theirs_port, "/flows/flows.json?_shape=array&_size=max", theirs, "datasette")
        else:
            print("datasette is not installed in this environment: `pip install datasette` to compare")
        for clients in levels:
            measures.append(measure("observatory", ours_port, "/", clients, args.requests, args.seconds))
            measures.append(measure("observatory", ours_port, "/flows.json?table=flows", clients, args.requests,
                                    args.seconds))
            if theirs is not None:
                measures.append(measure("datasette", theirs_port, "/flows/flows.json?_shape=array&_size=max",
                                        clients, args.requests, args.seconds))
        # a browser also fetches the chart engine once; count what serving it costs
        asyncio.run(load(ours_port, "/static/vega-bundle.js", 1, 3, 60))
        memory["diaspora serve, after the load"] = rss_mb(ours.pid)
        if theirs is not None:
            memory["datasette, after the load"] = rss_mb(theirs.pid)
    finally:
        for process in (ours, theirs):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)

    report = [f"machine: {machine()}", "", table(measures), "", "| server | RSS MB | peak RSS MB |", "|---|---:|---:|"]
    report += [f"| {name} | {now:.0f} | {peak:.0f} |" for name, (now, peak) in memory.items()]
    ratios = []
    for clients in levels:
        ours_json = next(m for m in measures
                         if m.server == "observatory" and m.clients == clients and "flows" in m.endpoint)
        theirs_json = next((m for m in measures if m.server == "datasette" and m.clients == clients), None)
        if theirs_json is not None and theirs_json.rate:
            ratios.append(f"{clients} clients: {ours_json.rate / theirs_json.rate:.2f}×")
    if ratios:
        report += ["", "flows JSON throughput, observatory / datasette: " + ", ".join(ratios)]
    page_at_10 = next((m for m in measures if m.endpoint == "/" and m.clients == 10), None)
    if page_at_10 is not None:
        verdict = "met" if page_at_10.percentile(0.99) <= TARGET_PAGE_P99_MS else "MISSED"
        report.append(f"overview page p99 at 10 clients: {page_at_10.percentile(0.99):.1f} ms "
                      f"(target ≤ {TARGET_PAGE_P99_MS:.0f} ms: {verdict})")
    peak = max(peak for name, (_, peak) in memory.items() if name.startswith("diaspora"))
    report.append(f"observatory peak RSS: {peak:.0f} MB (target < {TARGET_RSS_MB:.0f} MB: "
                  f"{'met' if peak < TARGET_RSS_MB else 'MISSED'})")
    text = "\n".join(report)
    print(text)
    if args.write:
        command = " ".join(["python benchmarks/bench_web.py", *sys.argv[1:]])
        RESULTS.write_text(RESULTS.read_text(encoding="utf-8").split("<!-- measured -->")[0] + "<!-- measured -->\n\n"
                           f"Measured {date.today().isoformat()} with `{command}`.\n\n" + text + "\n",
                           encoding="utf-8")


if __name__ == "__main__":
    main()
