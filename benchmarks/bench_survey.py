"""Survey collection throughput: acknowledged submissions per second through a real server, next to the
same database doing the same durable inserts without the web layer (the limit), in the same run.

Run:  .venv/bin/python benchmarks/bench_survey.py [--seconds 5] [--postgres URL] [--load wrk|python|both]
                                                 [--out benchmarks/results/survey.md]

For every backend (SQLite in a temporary folder; PostgreSQL when --postgres or DIASPORA_TEST_POSTGRES_URL
is given) and 1, 10 and 50 concurrent clients:
  limit      threads insert the same rows straight through the database driver (no HTTP, no
             validation), one durable transaction per submission: the database's own rate;
  limit+gc   the same with group commit (concurrent submissions share one durable transaction), the
             storage path the web app uses, still without HTTP;
  web        a real ``diaspora serve`` process on loopback; keep-alive clients POST to the JSON API and
             count only 201 replies, driven by the load generator ``--load`` names: wrk (the C load
             generator, benchmarks/survey_submit.lua; the default when wrk is installed), python (threads
             of tests/loadtest.py) or both, interleaved (one row each);
  pgbench    (PostgreSQL) the same inserts from PostgreSQL's C client, the database's own rate with no
             Python on the client's side: a check that the limit above is an honest floor;
  floor      (1 client, SQLite) the same uvicorn stack serving a bare ASGI app that does nothing but the
             same durable insert: what one HTTP request per submission costs before any checking.
The load generator runs on the same cores as the server and the database, so its CPU per submission is
reported: wrk's a fraction of the Python clients' (lean keep-alive HTTP/1.1 connections,
loadtest.KeepAliveClient, still about 0.1 ms of CPU a submission), as pgbench is a C client.
The server runs with whatever uvicorn picks by itself (httptools and uvloop when installed); with
``--server-stack pure`` those two are hidden from the server process, so it uses h11 and asyncio instead,
for comparison.
The three run interleaved, several times, on the same database (each under its own survey), and the
medians are reported: the disk's flush time drifts by a factor of several on a shared machine.
Afterwards every acknowledged submission is looked up: lost (acknowledged, not stored) and duplicated
(stored twice) must both be zero.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from statistics import median

from diaspora_observatory.survey.default import default_form
from diaspora_observatory.survey.storage import SurveyStore, make_engine
from diaspora_observatory.survey.submission import canonical, today

# The load generator is test tooling shared with the crash test (tests/loadtest.py), not part of the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from loadtest import (  # noqa: E402
    ANSWERS,
    KeepAliveClient,
    LoadResult,
    Server,
    audit,
    free_port,
    run_together,
    submit_concurrently,
    submit_with_wrk,
    wrk_program,
)

CONCURRENCY = (1, 10, 50)
LOADS = ("wrk", "python")


def default_load() -> str:
    """wrk when it is installed (the C load generator), else the Python clients."""
    return "wrk" if wrk_program() else "python"


def chosen_loads(load: str) -> tuple[str, ...]:
    return LOADS if load == "both" else (load,)


def drive(load: str, server: Server, clients: int, seconds: float) -> tuple[LoadResult, float | None, float | None]:
    """One web measurement with load generator ``load`` (wrk or python): the result, and the CPU ms per
    acknowledged submission of the server (every process of it) and of the load generator (wrk's process;
    this process for the Python threads), None when nothing was acknowledged."""
    server_before, client_before = server.cpu_seconds(), process_cpu()
    if load == "wrk":
        result = submit_with_wrk(server.base, clients, seconds)
    else:
        result = submit_concurrently(server.base, clients, duration=seconds)
    if not result.acknowledged:
        return result, None, None
    client = result.generator_cpu if result.generator_cpu is not None else process_cpu() - client_before
    count = len(result.acknowledged)
    return result, (server.cpu_seconds() - server_before) / count * 1000, client / count * 1000


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


def stored_ids(url: str, slug: str) -> list[str]:
    store = SurveyStore(url)
    try:
        return [row["submission_id"] for row in store.responses(slug)]
    finally:
        store.close()


def direct_inserter(store: SurveyStore, engine, slug: str):
    """One durable transaction per submission, straight through the driver on a connection of its own
    (same engine settings, so the same SQLite pragmas): the cheapest way to do the same inserts."""
    mark = "?" if store.is_sqlite else "%s"
    sql = ("INSERT INTO submissions (survey_slug, submission_id, answers, answers_hash, received_on, origin) "
           f"VALUES ({', '.join([mark] * 6)})")
    text = canonical(ANSWERS)
    digest = hashlib.sha256(text.encode()).hexdigest()
    connection = engine.connect()

    def insert_one(submission_id: str) -> None:
        with store.writing(), connection.begin():
            connection.exec_driver_sql(sql, (slug, submission_id, text, digest, today(), "bench"))

    return insert_one, connection


def run_limit(url: str, slug: str, clients: int, seconds: float, group_commit: bool) -> tuple[float, list[str]]:
    """Threads storing submissions on the server's own database (under their own survey slug): direct
    one-transaction inserts, or SurveyStore.submit with group commit."""
    store = SurveyStore(url, group_commit=group_commit)
    store.add_survey(slug, default_form())
    engine = make_engine(url, pool_size=clients + 2)  # one connection per client thread
    acknowledged: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def worker() -> None:
        mine = []
        try:
            if group_commit:
                insert_one, connection = (lambda sid: store.submit(slug, sid, ANSWERS, "bench")), None
            else:
                insert_one, connection = direct_inserter(store, engine, slug)
        except Exception:
            barrier.abort()  # let the run fail loudly instead of waiting forever
            raise
        barrier.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            submission_id = uuid.uuid4().hex
            insert_one(submission_id)
            mine.append(submission_id)
        if connection is not None:
            connection.close()
        with lock:
            acknowledged.extend(mine)

    elapsed = run_together(worker, clients, barrier)
    store.close()
    engine.dispose()
    return len(acknowledged) / elapsed, acknowledged


def pgbench_rate(url: str, slug: str, clients: int, seconds: float) -> float | None:
    """The same durable inserts from PostgreSQL's own C client (pgbench, one transaction each, prepared
    statements, ``clients`` connections): the database's rate without any Python on the client's side, a check
    that the Python limit is not itself the bottleneck. None when pgbench is not installed."""
    import re
    import shutil

    from sqlalchemy.engine import make_url

    if shutil.which("pgbench") is None:
        return None
    store = SurveyStore(url)
    store.add_survey(slug, default_form())
    store.close()
    parsed = make_url(url)
    text = canonical(ANSWERS)
    digest = hashlib.sha256(text.encode()).hexdigest()
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write("INSERT INTO submissions (survey_slug, submission_id, answers, answers_hash, received_on, origin) "
                     f"VALUES ('{slug}', md5(random()::text || :client_id || clock_timestamp()::text), "
                     f"'{text.replace(chr(39), chr(39) * 2)}', '{digest}', current_date, 'pgbench');\n")
    command = ["pgbench", "--no-vacuum", "--client", str(clients), "--jobs", str(min(clients, 2)), "--time",
               str(max(1, round(seconds))), "--protocol", "prepared", "--file", script.name,
               "--host", parsed.host or "127.0.0.1", "--port", str(parsed.port or 5432),
               "--username", parsed.username or "postgres", parsed.database or "postgres"]
    environment = {**os.environ, **({"PGPASSWORD": parsed.password} if parsed.password else {})}
    try:
        found = subprocess.run(command, capture_output=True, text=True, env=environment, check=True).stdout
    finally:
        os.unlink(script.name)
    return float(re.search(r"tps = ([\d.]+)", found).group(1))


def round_trips(base: str, count: int = 1500) -> dict[str, float]:
    """Mean time of one request at one client (keep-alive, sequential), in ms, for three requests that
    stop at different depths: refused at the content-type check (HTTP, routing), refused by validation
    (+ JSON parsing and the form's checks) and stored (+ the durable commit). The first two bound the
    one-client rate whatever the database does."""
    from urllib.parse import urlsplit

    address = urlsplit(base)
    connection = KeepAliveClient(address.hostname, address.port)
    kinds = {
        "refused before parsing (415)": lambda: ("text/plain", "{}", 415),
        "refused by validation (422)": lambda: ("application/json", json.dumps(
            {"submission_id": uuid.uuid4().hex, "answers": {**ANSWERS, "identity_news": "9"}}), 422),
        "stored (201)": lambda: ("application/json", json.dumps(
            {"submission_id": uuid.uuid4().hex, "answers": ANSWERS}), 201),
    }
    found = {}
    for kind, make in kinds.items():
        for warm_up in (True, False):
            begin = time.perf_counter()
            for _ in range(count // 10 if warm_up else count):
                content_type, body, expected = make()
                status, _ = connection.post("/s/kz/submissions", body.encode(), content_type)
                if status != expected:
                    raise RuntimeError(f"{kind}: got {status}")
        found[kind] = (time.perf_counter() - begin) / count * 1000
    connection.close()
    return found


FLOOR_APP = '''"""The floor of one HTTP request per submission: a bare ASGI app that does nothing but the durable
insert (no routing, no checks, no JSON), written by benchmarks/bench_survey.py."""
import os, sqlite3, uuid
connection = sqlite3.connect(os.environ["FLOOR_DATABASE"], isolation_level=None, check_same_thread=False)
for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000"):
    connection.execute(f"PRAGMA {pragma}")
connection.execute("CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, survey_slug TEXT NOT NULL, "
                   "submission_id TEXT NOT NULL, answers TEXT NOT NULL, answers_hash TEXT NOT NULL, "
                   "received_on DATE NOT NULL, origin TEXT NOT NULL, UNIQUE (survey_slug, submission_id))")


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body, more = b"", True
    while more:
        message = await receive()
        body, more = body + message.get("body", b""), message.get("more_body", False)
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO floor (survey_slug, submission_id, answers, answers_hash, received_on, origin) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       ("kz", uuid.uuid4().hex, body.decode(), "0" * 64, "2026-01-01", "floor"))
    connection.execute("COMMIT")
    await send({"type": "http.response.start", "status": 201, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"{}"})
'''


class FloorServer:
    """uvicorn (same stack as ``diaspora serve``) running FLOOR_APP on a SQLite file of its own."""

    def __init__(self, folder: Path) -> None:
        (folder / "floor_app.py").write_text(FLOOR_APP, encoding="utf-8")
        self.port = free_port()
        env = {**os.environ, "FLOOR_DATABASE": str(folder / "floor.sqlite3")}
        self.process = subprocess.Popen([sys.executable, "-m", "uvicorn", "--app-dir", str(folder), "floor_app:app",
                                         "--port", str(self.port), "--no-access-log", "--log-level", "warning"],
                                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                KeepAliveClient("127.0.0.1", self.port, timeout=1).post("/", b"{}")
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("the floor server did not start") from None
                time.sleep(0.1)
        self.base = f"http://127.0.0.1:{self.port}"

    def rate(self, seconds: float) -> float:
        client = KeepAliveClient("127.0.0.1", self.port)
        body = json.dumps({"submission_id": uuid.uuid4().hex, "answers": ANSWERS}).encode()
        done, begin = 0, time.perf_counter()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            status, _ = client.post("/", body)
            done += status == 201
        client.close()
        return done / (time.perf_counter() - begin)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def measure(backend: str, postgres_url: str, clients: int, seconds: float, repeats: int,
            loads: tuple[str, ...] = ("python",)) -> dict:
    """Limit, limit with group commit and web (once per load generator, their order alternating from one
    repeat to the next), interleaved ``repeats`` times on one database (the disk's speed drifts, so each
    comparison is made under the same conditions); medians of the rates. ``web``: per load generator."""
    with tempfile.TemporaryDirectory() as folder:
        url = fresh_url(backend, postgres_url, Path(folder))
        server = Server(Path(folder), database_url=url if backend == "postgres" else "").start(timeout=120)
        rates: dict[str, list[float]] = {"limit": [], "grouped": [], "floor": [], "pgbench": []}
        webs: dict[str, dict[str, list[float]]] = {load: {"rate": [], "server_cpu": [], "client_cpu": []}
                                                   for load in loads}
        not_acknowledged = dict.fromkeys(loads, 0)
        load_before = load_average()
        acknowledged: dict[str, list[str]] = {}
        # At one client, also the floor: the same stack with nothing but the insert (SQLite).
        floor = FloorServer(Path(folder)) if clients == 1 and backend == "sqlite" else None
        try:
            trips = round_trips(server.base) if clients == 1 else {}
            for repeat in range(repeats):
                if floor is not None:
                    rates["floor"].append(floor.rate(seconds))
                for kind, group_commit in (("limit", False), ("grouped", True)):
                    rate, acked = run_limit(url, f"{kind}-{repeat}", clients, seconds, group_commit)
                    rates[kind].append(rate)
                    acknowledged[f"{kind}-{repeat}"] = acked
                if backend == "postgres":
                    found_rate = pgbench_rate(url, f"pgbench-{repeat}", clients, seconds)
                    if found_rate is not None:
                        rates["pgbench"].append(found_rate)
                for load in (loads if repeat % 2 == 0 else loads[::-1]):
                    result, server_cpu, client_cpu = drive(load, server, clients, seconds)
                    if server_cpu is not None and client_cpu is not None:
                        webs[load]["server_cpu"].append(server_cpu)
                        webs[load]["client_cpu"].append(client_cpu)
                    if result.not_acknowledged:
                        print(f"  warning ({load}): {result.not_acknowledged} submissions were not acknowledged",
                              file=sys.stderr)
                    not_acknowledged[load] += result.not_acknowledged
                    webs[load]["rate"].append(result.rate)
                    # All web submissions go to survey kz (ids unique across both generators), audited per generator.
                    acknowledged.setdefault(f"kz {load}", []).extend(result.acknowledged)
        finally:
            server.stop()
            if floor is not None:
                floor.stop()
        stored = {slug: stored_ids(url, slug) for slug in {key.split()[0] for key in acknowledged}}
        audits = {key: audit(stored[key.split()[0]], acked) for key, acked in acknowledged.items()}
    lost_limits = sum(found["lost"] for key, found in audits.items() if not key.startswith("kz "))
    web = {load: {"rate": median(found["rate"]), "acknowledged": audits[f"kz {load}"]["acknowledged"],
                  "lost": audits[f"kz {load}"]["lost"] + lost_limits, "not_acknowledged": not_acknowledged[load],
                  "server_cpu": median(found["server_cpu"]) if found["server_cpu"] else float("nan"),
                  "client_cpu": median(found["client_cpu"]) if found["client_cpu"] else float("nan")}
           for load, found in webs.items()}
    return {"limit": median(rates["limit"]), "grouped": median(rates["grouped"]), "web": web,
            "lost": sum(a["lost"] for a in audits.values()),
            # duplicated: stored twice under one slug (the audits of kz's two generators see the same rows)
            "duplicated": sum(audits[key]["duplicated"] for key in {key.split()[0]: key for key in audits}.values()),
            "round_trips": trips,
            "floor": median(rates["floor"]) if rates["floor"] else None,
            "pgbench": median(rates["pgbench"]) if rates["pgbench"] else None,
            "load": f"{load_before} → {load_average()}"}


def process_cpu() -> float:
    """CPU time (user + system) of this process (the load generator's threads), in seconds."""
    used = os.times()
    return used.user + used.system


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def hide_fast_server_stack(folder: Path) -> None:
    """Make ``import httptools`` and ``import uvloop`` fail in the server processes started from here, so
    uvicorn's automatic choice falls back to the pure-Python h11 parser and the asyncio loop."""
    for name in ("httptools", "uvloop"):
        (folder / f"{name}.py").write_text(f"raise ImportError('{name} hidden by bench_survey.py')\n", encoding="utf-8")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH", "")]))


def server_stack() -> str:
    """What the server processes will use, as uvicorn decides it (the same imports it tries)."""
    found = []
    for name in ("httptools", "uvloop"):
        probe = subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True, env=os.environ)
        found.append(name if probe.returncode == 0 else {"httptools": "h11", "uvloop": "asyncio"}[name])
    return " + ".join(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each measurement")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repetitions (medians are reported)")
    parser.add_argument("--postgres", default=os.environ.get("DIASPORA_TEST_POSTGRES_URL", ""),
                        help="PostgreSQL URL (its tables are dropped and recreated)")
    parser.add_argument("--server-stack", choices=("auto", "pure"), default="auto",
                        help="auto: uvicorn's own choice (httptools/uvloop when installed); pure: h11 and asyncio")
    parser.add_argument("--only", choices=("sqlite", "postgres"), default=None, help="run one backend only")
    parser.add_argument("--load", choices=("wrk", "python", "both"), default=default_load(),
                        help="the web load generator: wrk (the default when installed), python, or both interleaved")
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown results here")
    arguments = parser.parse_args()
    if arguments.load != "python" and wrk_program() is None:
        parser.error("--load wrk needs wrk (Debian: apt-get install wrk)")
    backends = ["sqlite", *(["postgres"] if arguments.postgres else [])]
    if arguments.only:
        backends = [arguments.only]
    shim = tempfile.TemporaryDirectory()
    if arguments.server_stack == "pure":
        hide_fast_server_stack(Path(shim.name))
    stack = server_stack()
    print(f"server stack: {stack}", flush=True)
    rows = []
    trip_rows = []
    for backend in backends:
        for clients in CONCURRENCY:
            found = measure(backend, arguments.postgres, clients, arguments.seconds, arguments.repeats,
                            chosen_loads(arguments.load))
            for load, web in found["web"].items():
                row = (backend, clients, load, found["limit"], found["grouped"], web["rate"],
                       web["rate"] / found["limit"], web["acknowledged"], web["not_acknowledged"], web["lost"],
                       found["duplicated"], found["pgbench"], found["load"], web["server_cpu"], web["client_cpu"])
                rows.append(row)
                print(f"{backend:8} clients={clients:3} load={load:6} limit={row[3]:8.0f}/s limit+gc={row[4]:8.0f}/s "
                      f"web={row[5]:8.0f}/s ratio={row[6]:.2f} pgbench={row[11]} acknowledged={row[7]} "
                      f"not acknowledged={row[8]} lost={row[9]} duplicated={row[10]} server cpu {row[13]:.3f} ms "
                      f"load generator cpu {row[14]:.3f} ms load {row[12]}", flush=True)
            if found["round_trips"]:
                commit_ms = 1000 / found["limit"]
                trip_rows.append((backend, found["round_trips"], commit_ms, found["floor"], found["limit"]))
    table = ["| database | clients | load generator | limit: durable inserts/s, one transaction each "
             "| limit with group commit/s | web: acknowledged submissions/s | web / limit "
             "| pgbench: same inserts from C/s | web / pgbench | acknowledged (web) | not acknowledged | lost "
             "| duplicated | server CPU ms / submission | load generator CPU ms / submission "
             "| load average before → after |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    table += [f"| {b} | {c} | {gen} | {lim:,.0f} | {gc:,.0f} | {web:,.0f} | {ratio:.2f} | "
              + (f"{pgb:,.0f} | {web / pgb:.2f}" if pgb else "- | -")
              + f" | {ack:,} | {nack:,} | {lost} | {dup} | {server_cpu:.3f} | {client_cpu:.3f} | {load} |"
              for b, c, gen, lim, gc, web, ratio, ack, nack, lost, dup, pgb, load, server_cpu, client_cpu in rows]
    text = "\n".join(table)
    if trip_rows:
        kinds = list(trip_rows[0][1])
        lines = ["| database | " + " | ".join(kinds) + " | one durable commit (1 / limit) "
                 "| validation round trip + commit, / limit | floor: bare app, insert only/s | floor / limit |",
                 "|---|" + "---:|" * (len(kinds) + 4)]
        for backend, trips, commit_ms, floor, limit in trip_rows:
            # Even with storage free of any overhead, one client waits for the validation-depth round
            # trip plus the commit: this is the ceiling of the one-client ratio. The floor server shows
            # the same with no checks at all.
            best = commit_ms / (trips["refused by validation (422)"] + commit_ms)
            floor_cells = f"{floor:,.0f} | {floor / limit:.2f}" if floor else "- | -"
            lines.append(f"| {backend} | " + " | ".join(f"{value:.3f}" for value in trips.values())
                         + f" | {commit_ms:.3f} | {best:.2f} | {floor_cells} |")
        text += "\n\nOne client, one request after the other (mean over 1,500 requests):\n\n" + "\n".join(lines)
    print(text)
    if arguments.out:
        machine = f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, " \
                  f"Python {platform.python_version()}"
        arguments.out.write_text(
            f"# Survey collection benchmark\n\nMachine: {machine}.\n\nCommand: `.venv/bin/python benchmarks/"
            f"bench_survey.py --seconds {arguments.seconds:g} --repeats {arguments.repeats}"
            f"{' --server-stack pure' if arguments.server_stack == 'pure' else ''} --load {arguments.load}"
            f"{' --postgres URL' if arguments.postgres else ''} --out {arguments.out}`\n\n"
            f"Server: uvicorn with {stack}.\n\n{text}\n", encoding="utf-8")


if __name__ == "__main__":
    main()
