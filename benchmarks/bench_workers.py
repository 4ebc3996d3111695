"""Survey collection with 1, 2 and 4 server processes on one PostgreSQL database (issue 15, items 4 and 5).

Run:  .venv/bin/python benchmarks/bench_workers.py [--postgres URL] [--seconds 3] [--repeats 2]
                                                  [--load wrk|python|both] [--workers 1,2,4]
                                                  [--out benchmarks/results/workers.md]

For each number of workers, a real ``diaspora serve --workers N`` (N = 1 is the plain one-process server)
on PostgreSQL, and for 10 and 50 concurrent clients, interleaved ``repeats`` times on the same database:
  limit  threads inserting the same rows straight through the database driver, one durable transaction per
         submission (no HTTP, no validation): the database's own durable-insert rate (bench_survey.py's);
  pgbench the same inserts from PostgreSQL's C client (bench_survey.pgbench_rate): the database's own rate
         with no Python on the client's side;
  web    keep-alive clients posting to the JSON API, counting 201 replies only, driven by wrk
         (benchmarks/survey_submit.lua, the default when wrk is installed), by the Python clients of
         tests/loadtest.py, or by both interleaved (``--load``; one row each, as bench_survey.drive).
The medians are reported with their ratio, web / limit, measured in the same run; afterwards every
acknowledged submission is looked up (lost and duplicated must be zero). The machine's load average and
CPU count are written with the results; each server is measured once its workers have finished their
start-up work (the chart bundle) and after one uncounted second. On a shared machine with few cores more
processes cannot all run at once, and the load generator competes with the server for the same cores.
Without a PostgreSQL URL (``--postgres`` or ``DIASPORA_TEST_POSTGRES_URL``) it says so and measures nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_survey import (  # noqa: E402
    chosen_loads,
    default_load,
    drive,
    pgbench_rate,
    reset_postgres,
    run_limit,
    stored_ids,
)
from loadtest import Server, audit, submit_concurrently, wrk_program  # noqa: E402  (bench_survey put tests/ on the path)

WORKERS = (1, 2, 4)
CLIENTS = (10, 50)


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def warming(server: Server) -> bool:
    """Whether a server process still draws the chart engine's bundle (a vl_convert child each worker starts
    at startup, seconds of CPU): measured during it, N workers would be N times as handicapped."""
    parents = {server.process.pid, *server.worker_pids()}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) in parents \
                    and b"vl_convert" in (entry / "cmdline").read_bytes():
                return True
        except OSError:  # gone meanwhile
            continue
    return False


def measure(url: str, workers: int, seconds: float, repeats: int, loads: tuple[str, ...] = ("python",)) -> list[dict]:
    """The rows of one server with ``workers`` processes: one per client count and load generator (their
    order alternating from one repeat to the next)."""
    reset_postgres(url)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        server = Server(Path(folder), database_url=url, workers=workers).start(timeout=120)
        try:
            deadline = time.monotonic() + 120
            while warming(server) and time.monotonic() < deadline:
                time.sleep(0.5)
            submit_concurrently(server.base, CLIENTS[0], duration=1)  # a first second, not counted: connections, pools
            for clients in CLIENTS:
                limits, pgbenches, acknowledged = [], [], {}
                webs: dict[str, list[float]] = {load: [] for load in loads}
                failed = dict.fromkeys(loads, 0)
                server_cpus: dict[str, list[float]] = {load: [] for load in loads}
                client_cpus: dict[str, list[float]] = {load: [] for load in loads}
                before = load_average()
                for repeat in range(repeats):
                    slug = f"limit-{workers}-{clients}-{repeat}"
                    rate, acknowledged[slug] = run_limit(url, slug, clients, seconds, group_commit=False)
                    limits.append(rate)
                    found_rate = pgbench_rate(url, f"pgbench-{workers}-{clients}-{repeat}", clients, seconds)
                    if found_rate is not None:
                        pgbenches.append(found_rate)
                    for load in (loads if repeat % 2 == 0 else loads[::-1]):
                        result, server_cpu, client_cpu = drive(load, server, clients, seconds)
                        if server_cpu is not None and client_cpu is not None:
                            server_cpus[load].append(server_cpu)
                            client_cpus[load].append(client_cpu)
                        failed[load] += result.not_acknowledged
                        webs[load].append(result.rate)
                        # ids unique across both generators, all under survey kz, audited per generator
                        acknowledged.setdefault(f"kz {load}", []).extend(result.acknowledged)
                stored = {slug: stored_ids(url, slug) for slug in {key.split()[0] for key in acknowledged}}
                audits = {key: audit(stored[key.split()[0]], acked) for key, acked in acknowledged.items()}
                # duplicated: rows stored twice under one survey (kz's two audits see the same rows: counted once)
                duplicated = sum(audits[key]["duplicated"] for key in {key.split()[0]: key for key in audits}.values())
                lost_limits = sum(found["lost"] for key, found in audits.items() if not key.startswith("kz "))
                after = load_average()
                for load in loads:
                    rows.append({"workers": workers, "clients": clients, "load_generator": load,
                                 "limit": median(limits), "web": median(webs[load]),
                                 "pgbench": median(pgbenches) if pgbenches else None,
                                 "acknowledged": audits[f"kz {load}"]["acknowledged"], "failed": failed[load],
                                 "lost": audits[f"kz {load}"]["lost"] + lost_limits, "duplicated": duplicated,
                                 "server_cpu": median(server_cpus[load]) if server_cpus[load] else float("nan"),
                                 "client_cpu": median(client_cpus[load]) if client_cpus[load] else float("nan"),
                                 "load": f"{before} → {after}"})
                    row = rows[-1]
                    print(f"workers {workers:>2}, clients {clients:>2}, {load:6}: limit {row['limit']:7.0f}/s, "
                          f"web {row['web']:7.0f}/s, pgbench {row['pgbench']}, "
                          f"ratio {row['web'] / row['limit']:.2f}, lost {row['lost']}, duplicated {row['duplicated']}, "
                          f"server cpu {row['server_cpu']:.3f} ms, load generator cpu {row['client_cpu']:.3f} ms, "
                          f"load {row['load']}", flush=True)
        finally:
            server.stop()
    return rows


def markdown(rows: list[dict], seconds: float, repeats: int, load: str) -> str:
    lines = ["# Survey throughput with several server processes (PostgreSQL)", "",
             f"`benchmarks/bench_workers.py --seconds {seconds:g} --repeats {repeats} --load {load}`; "
             f"{platform.python_version()}, "
             f"{os.cpu_count()} CPUs; medians of {repeats} interleaved runs of {seconds:g} s each. limit: the "
             "database's own durable inserts (one transaction each, no HTTP); web: acknowledged (201) submissions "
             "through `diaspora serve --workers N`, driven by the load generator named. Load average (1, 5, 15 min) "
             "before → after each row.", "",
             "| workers | clients | load generator | limit /s | web /s | web / limit | pgbench /s | web / pgbench "
             "| acknowledged | not acknowledged | lost | duplicated | server CPU ms / submission "
             "| load generator CPU ms / submission | load average |",
             "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for row in rows:
        lines.append(f"| {row['workers']} | {row['clients']} | {row['load_generator']} | {row['limit']:.0f} | "
                     f"{row['web']:.0f} | "
                     f"{row['web'] / row['limit']:.2f} | "
                     + (f"{row['pgbench']:.0f} | {row['web'] / row['pgbench']:.2f}" if row["pgbench"] else "- | -")
                     + f" | {row['acknowledged']} | {row['failed']} | {row['lost']} | "
                     f"{row['duplicated']} | {row['server_cpu']:.3f} | {row['client_cpu']:.3f} | {row['load']} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("DIASPORA_TEST_POSTGRES_URL", ""),
                        help="PostgreSQL URL (its survey tables are dropped and recreated)")
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each measurement")
    parser.add_argument("--repeats", type=int, default=2, help="interleaved repetitions (medians are reported)")
    parser.add_argument("--load", choices=("wrk", "python", "both"), default=default_load(),
                        help="the web load generator: wrk (the default when installed), python, or both interleaved")
    parser.add_argument("--workers", default=",".join(map(str, WORKERS)),
                        help="the numbers of server processes to measure, comma-separated (default 1,2,4)")
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown results here")
    arguments = parser.parse_args()
    worker_counts = [int(count) for count in arguments.workers.split(",")]
    if arguments.load != "python" and wrk_program() is None:
        parser.error("--load wrk needs wrk (Debian: apt-get install wrk)")
    if not arguments.postgres:
        print("bench_workers.py measures several server processes on PostgreSQL: give --postgres URL or set "
              "DIASPORA_TEST_POSTGRES_URL; nothing measured", file=sys.stderr)
        return 0
    rows = [row for workers in worker_counts for row in measure(arguments.postgres, workers, arguments.seconds,
                                                           arguments.repeats, chosen_loads(arguments.load))]
    text = markdown(rows, arguments.seconds, arguments.repeats, arguments.load)
    print(text)
    if arguments.out:
        arguments.out.write_text(text, encoding="utf-8")
    return 1 if any(row["lost"] or row["duplicated"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
