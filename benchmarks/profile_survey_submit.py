"""CPU of the survey's JSON submission route inside the app, without HTTP: the ASGI app that ``diaspora serve``
builds, called by concurrent tasks on uvloop with the scope uvicorn gives, on a real store.

    PYTHONPATH=$PWD/src .venv/bin/python benchmarks/profile_survey_submit.py [--url postgresql+psycopg://...]
        [--clients 10] [--count 5000] [--profile] [--sort tottime]

Prints the event loop thread's and the writer thread's CPU per submission (``time.pthread_getcpuclockid``);
``--profile`` runs the event loop under cProfile instead (which inflates Python calls: for shares only) and
prints the 40 most expensive functions. Every reply must be 201. The tables at --url are dropped first.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_survey import reset_postgres  # noqa: E402
from loadtest import ANSWERS  # noqa: E402


def scope_for(path: str, body: bytes, port: int = 8000) -> dict:
    """The scope uvicorn's httptools protocol gives for the benchmark client's POST."""
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
            "server": ("127.0.0.1", port), "client": ("127.0.0.1", 50000), "scheme": "http", "method": "POST",
            "root_path": "", "path": path, "raw_path": path.encode(), "query_string": b"",
            "headers": [(b"host", f"127.0.0.1:{port}".encode()), (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode())], "state": {}}


async def drive(app, clients: int, count: int) -> list[int]:
    statuses: list[int] = []

    async def client(share: int) -> None:
        for _ in range(share):
            body = json.dumps({"submission_id": uuid.uuid4().hex, "answers": ANSWERS}).encode()
            sent = False

            async def receive(body=body) -> dict:
                nonlocal sent
                if sent:
                    await asyncio.sleep(3600)
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            async def send(message: dict) -> None:
                if message["type"] == "http.response.start":
                    statuses.append(message["status"])

            await app(scope_for("/s/kz/submissions", body), receive, send)

    await asyncio.gather(*(client(count // clients) for _ in range(clients)))
    return statuses


def writer_clock() -> int | None:
    thread = next((t for t in threading.enumerate() if t.name.startswith("survey-group-commit")), None)
    return time.pthread_getcpuclockid(thread.ident) if thread is not None and thread.ident else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("DIASPORA_TEST_POSTGRES_URL", ""))
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="tottime")
    args = parser.parse_args()
    import uvloop

    from diaspora_observatory.web.app import create_app
    from diaspora_observatory.web.security import allowed_hosts_for

    with tempfile.TemporaryDirectory() as folder:
        os.environ.update({"DIASPORA_SURVEY_RATE_LIMIT": "0", "DIASPORA_SURVEY_RATE_TOTAL": "0",
                           "DIASPORA_ADMIN_TOKEN": "load-test-admin-token"})
        if args.url:
            reset_postgres(args.url)
            os.environ["DIASPORA_DATABASE_URL"] = args.url
        app = create_app(data_dir=Path(folder), allowed_hosts=allowed_hosts_for("127.0.0.1"))
        loop = uvloop.new_event_loop()
        try:
            loop.run_until_complete(drive(app, args.clients, args.clients * 20))  # warm-up
            writer = writer_clock()
            for _ in range(args.repeats):
                profiler = cProfile.Profile() if args.profile else None
                loop_before = time.thread_time()
                writer_before = time.clock_gettime(writer) if writer is not None else 0.0
                if profiler:
                    profiler.enable()
                statuses = loop.run_until_complete(drive(app, args.clients, args.count))
                if profiler:
                    profiler.disable()
                loop_used = time.thread_time() - loop_before
                writer_used = (time.clock_gettime(writer) if writer is not None else 0.0) - writer_before
                wrong = [status for status in statuses if status != 201]
                if wrong:
                    raise SystemExit(f"{len(wrong)} replies were not 201: {sorted(set(wrong))}")
                print(f"event loop {loop_used / len(statuses) * 1000:.4f} ms/submission, writer "
                      f"{writer_used / len(statuses) * 1000:.4f} ms/submission ({len(statuses)} submissions, "
                      f"load {' '.join(f'{v:.2f}' for v in os.getloadavg())})", flush=True)
                if profiler:
                    pstats.Stats(profiler).sort_stats(args.sort).print_stats(40)
        finally:
            app.state.web.survey_store.close()
            loop.close()


if __name__ == "__main__":
    main()
