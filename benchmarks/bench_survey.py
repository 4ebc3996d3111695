"""Survey collection throughput: acknowledged submissions per second through a real server, next to the
same database doing the same durable inserts without the web layer (the limit), in the same run.

Run:  .venv/bin/python benchmarks/bench_survey.py [--seconds 5] [--postgres URL] [--out benchmarks/results/survey.md]

For every backend (SQLite in a temporary folder; PostgreSQL when --postgres or DIASPORA_TEST_POSTGRES_URL
is given) and 1, 10 and 50 concurrent clients:
  limit      threads call SurveyStore.submit directly (no HTTP, no validation), one durable transaction
             per submission: the database's own rate of durable inserts;
  limit+gc   the same with group commit (concurrent submissions share one durable transaction), the
             storage path the web app uses, still without HTTP;
  web        a real ``diaspora serve`` process on loopback; keep-alive clients POST to the JSON API and
             count only 201 replies.
Afterwards every acknowledged submission is looked up: lost (acknowledged, not stored) and duplicated
(stored twice) must both be zero.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from diaspora_observatory.survey.default import DEFAULT_SLUG, default_form
from diaspora_observatory.survey.loadtest import ANSWERS, Server, audit, submit_concurrently
from diaspora_observatory.survey.storage import SurveyStore

CONCURRENCY = (1, 10, 50)


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS submissions, surveys, survey_schema CASCADE"))
    engine.dispose()


def fresh_url(backend: str, postgres_url: str, folder: Path) -> str:
    if backend == "postgres":
        reset_postgres(postgres_url)
        return postgres_url
    return f"sqlite:///{folder / 'survey.sqlite3'}"


def stored_ids(url: str) -> list[str]:
    store = SurveyStore(url)
    try:
        return [row["submission_id"] for row in store.responses(DEFAULT_SLUG)]
    finally:
        store.close()


def run_limit(url: str, clients: int, seconds: float, group_commit: bool) -> tuple[float, dict[str, int]]:
    store = SurveyStore(url, group_commit=group_commit)
    store.add_survey(DEFAULT_SLUG, default_form())
    acknowledged: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def worker() -> None:
        mine = []
        barrier.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            submission_id = uuid.uuid4().hex
            store.submit(DEFAULT_SLUG, submission_id, ANSWERS, "bench")
            mine.append(submission_id)
        with lock:
            acknowledged.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    begin = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begin
    store.close()
    return len(acknowledged) / elapsed, audit(stored_ids(url), acknowledged)


def run_web(url: str, backend: str, clients: int, seconds: float, folder: Path) -> tuple[float, dict[str, int]]:
    server = Server(folder, database_url=url if backend == "postgres" else "").start()
    try:
        result = submit_concurrently(server.base, clients, duration=seconds)
    finally:
        server.stop()
    if result.failed:
        print(f"  warning: {len(result.failed)} submissions were not acknowledged", file=sys.stderr)
    return result.rate, audit(stored_ids(url), result.acknowledged)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each measurement")
    parser.add_argument("--postgres", default=os.environ.get("DIASPORA_TEST_POSTGRES_URL", ""),
                        help="PostgreSQL URL (its tables are dropped and recreated)")
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown results here")
    arguments = parser.parse_args()
    backends = ["sqlite", *(["postgres"] if arguments.postgres else [])]
    rows = []
    for backend in backends:
        for clients in CONCURRENCY:
            with tempfile.TemporaryDirectory() as limit_dir, tempfile.TemporaryDirectory() as web_dir:
                (Path(limit_dir) / "gc").mkdir()
                limit_rate, limit_audit = run_limit(fresh_url(backend, arguments.postgres, Path(limit_dir)),
                                                    clients, arguments.seconds, group_commit=False)
                grouped_rate, grouped_audit = run_limit(fresh_url(backend, arguments.postgres, Path(limit_dir) / "gc"),
                                                        clients, arguments.seconds, group_commit=True)
                web_url = fresh_url(backend, arguments.postgres, Path(web_dir))
                web_rate, web_audit = run_web(web_url, backend, clients, arguments.seconds, Path(web_dir))
            audits = (limit_audit, grouped_audit, web_audit)
            row = (backend, clients, limit_rate, grouped_rate, web_rate, web_rate / limit_rate,
                   web_audit["acknowledged"],
                   sum(a["lost"] for a in audits), sum(a["duplicated"] for a in audits))
            rows.append(row)
            print(f"{backend:8} clients={clients:3} limit={limit_rate:8.0f}/s limit+gc={grouped_rate:8.0f}/s "
                  f"web={web_rate:8.0f}/s ratio={row[5]:.2f} acknowledged={row[6]} lost={row[7]} duplicated={row[8]}",
                  flush=True)
    table = ["| database | clients | limit: durable inserts/s, one transaction each | limit with group commit/s "
             "| web: acknowledged submissions/s | web / limit | acknowledged (web) | lost | duplicated |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    table += [f"| {b} | {c} | {lim:,.0f} | {gc:,.0f} | {web:,.0f} | {ratio:.2f} | {ack:,} | {lost} | {dup} |"
              for b, c, lim, gc, web, ratio, ack, lost, dup in rows]
    text = "\n".join(table)
    print(text)
    if arguments.out:
        machine = f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, " \
                  f"Python {platform.python_version()}"
        arguments.out.write_text(
            f"# Survey collection benchmark\n\nMachine: {machine}.\n\nCommand: `.venv/bin/python benchmarks/"
            f"bench_survey.py --seconds {arguments.seconds:g}{' --postgres URL' if arguments.postgres else ''}"
            f" --out {arguments.out}`\n\n{text}\n", encoding="utf-8")


if __name__ == "__main__":
    main()
