"""Server CPU per acknowledged survey submission, thread by thread: the event loop and the group-commit writer.

Run:  .venv/bin/python benchmarks/bench_survey_threads.py --postgres URL --code old=SRC_A --code new=SRC_B
          [--clients 10 50] [--seconds 5] [--rounds 3] [--out FILE]

Each ``--code LABEL=SRC`` is a source folder (a ``src`` holding ``diaspora_observatory``) that the server is
started from (``PYTHONPATH``); with none, the code this script is run with. For every round and every number of
clients, the codes are measured one after the other in alternating order (A B, then B A, ...), each on a fresh
server and fresh tables of the same PostgreSQL database (or SQLite in a temporary folder without --postgres).
The load generator is the benchmark's (tests/loadtest.py: keep-alive clients POSTing the JSON API, only 201s
counted); after a warm-up of 1 s it runs ``--seconds`` while the server's threads are read from /proc.

Per thread, the time on CPU comes from ``/proc/PID/task/TID/schedstat`` (nanoseconds, not the 10 ms ticks of
``stat``). The event loop is the server's main thread (uvicorn runs it there with one process). The writer is
the busiest other thread: during a load of submissions nothing else runs in the server's threads but the
writer and, every 2 s, a pool thread reading the survey's record (both columns are shown: the busiest other
thread and all other threads together). The results page's worker is a child process, counted apart.
Afterwards every acknowledged submission is looked up: lost and duplicated must both be zero.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_survey import load_average, process_cpu, reset_postgres, stored_ids  # noqa: E402
from loadtest import Server, audit, submit_concurrently  # noqa: E402


def thread_times(pid: int) -> dict[int, float]:
    """Seconds on CPU of each thread of process ``pid`` so far (schedstat: nanoseconds)."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found[int(task.name)] = int((task / "schedstat").read_text().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):  # gone meanwhile
            continue
    return found


def measure(source: str | None, url: str, clients: int, seconds: float) -> dict[str, float]:
    """One server from ``source`` (None: this interpreter's own path), loaded by ``clients`` clients."""
    environment = {"PYTHONPATH": source} if source else {}
    with tempfile.TemporaryDirectory() as folder:
        if url:
            reset_postgres(url)
        server = Server(Path(folder), database_url=url, environment=environment).start(timeout=120)
        try:
            warm = submit_concurrently(server.base, clients, duration=1.0)
            pid = server.process.pid
            load_before = load_average()
            before, client_before, whole_before = thread_times(pid), process_cpu(), server.cpu_seconds()
            result = submit_concurrently(server.base, clients, duration=seconds)
            after, client_after, whole_after = thread_times(pid), process_cpu(), server.cpu_seconds()
            load_after = load_average()
        finally:
            server.stop()
        database = url or f"sqlite:///{Path(folder) / 'survey.sqlite3'}"
        check = audit(stored_ids(database, "kz"), warm.acknowledged + result.acknowledged)
    count = len(result.acknowledged)
    used = {tid: after[tid] - before.get(tid, 0.0) for tid in after}
    loop = used.pop(pid, 0.0)
    others = sorted(used.values(), reverse=True)
    per = 1000 / count if count else float("nan")
    return {"rate": result.rate, "acknowledged": count, "failed": len(result.failed) + len(warm.failed),
            "loop": loop * per, "writer": (others[0] if others else 0.0) * per, "others": sum(others) * per,
            "process": (whole_after - whole_before) * per, "client": (client_after - client_before) * per,
            "lost": check["lost"], "duplicated": check["duplicated"], "load": f"{load_before} → {load_after}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("DIASPORA_TEST_POSTGRES_URL", ""),
                        help="PostgreSQL URL (its tables are dropped and recreated); SQLite when empty")
    parser.add_argument("--code", action="append", default=[], metavar="LABEL=SRC",
                        help="a source folder to start the server from (repeat to compare; alternated)")
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="append the Markdown table here")
    arguments = parser.parse_args()
    codes = [tuple(code.split("=", 1)) for code in arguments.code] or [("this", None)]
    rows = []
    for clients in arguments.clients:
        for number in range(arguments.rounds):
            order = codes if number % 2 == 0 else list(reversed(codes))
            for label, source in order:
                found = measure(source, arguments.postgres, clients, arguments.seconds)
                rows.append((label, clients, number + 1, found))
                print(f"{label:6} clients={clients:3} round={number + 1} rate={found['rate']:7.0f}/s "
                      f"loop={found['loop']:.3f} writer={found['writer']:.3f} others={found['others']:.3f} "
                      f"process={found['process']:.3f} client={found['client']:.3f} ms/submission "
                      f"acknowledged={found['acknowledged']} failed={found['failed']} lost={found['lost']} "
                      f"duplicated={found['duplicated']} load {found['load']}", flush=True)
    lines = ["| code | clients | round | rate /s | event loop ms / submission | writer (busiest other thread) "
             "| all other threads | whole server process tree | load generator | acknowledged | lost | duplicated "
             "| load average before → after |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for label, clients, number, found in rows:
        lines.append(f"| {label} | {clients} | {number} | {found['rate']:,.0f} | {found['loop']:.3f} | "
                     f"{found['writer']:.3f} | {found['others']:.3f} | {found['process']:.3f} | {found['client']:.3f} "
                     f"| {found['acknowledged']:,} | {found['lost']} | {found['duplicated']} | {found['load']} |")
    lines += ["", "Medians:", "", "| code | clients | event loop | writer | whole process tree | load generator |",
              "|---|---:|---:|---:|---:|---:|"]
    for clients in arguments.clients:
        for label, _ in codes:
            mine = [found for code, count, _, found in rows if code == label and count == clients]
            lines.append(f"| {label} | {clients} | {median(f['loop'] for f in mine):.3f} | "
                         f"{median(f['writer'] for f in mine):.3f} | {median(f['process'] for f in mine):.3f} | "
                         f"{median(f['client'] for f in mine):.3f} |")
    text = "\n".join(lines)
    print(text)
    if arguments.out:
        with arguments.out.open("a", encoding="utf-8") as handle:
            handle.write(f"\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n\n{text}\n")


if __name__ == "__main__":
    main()
