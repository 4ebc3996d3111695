"""What holds the interpreter lock while a long document's page is computed, and for how long.

A thread holding the lock gives it up at the switch interval (1 ms under ``diaspora serve``), but only
between two bytecodes: one long call into C (a regular expression over a whole text, a join of a huge list,
a big fetch) keeps it for its whole length, and the server's event loop, which answers the survey, waits
that long. This script finds such calls: the app in-process, a profiling hook on every thread that times
each C call by the thread's CPU clock (so other processes' load does not count) and keeps those of more than
--limit ms during which no Python code ran (a C call that calls back into Python lets the lock go).

Reported: each C function with its longest and total time, where it was called from, and the CPU time
of each page. A page request is timed whole (its template, its queries, its spans); the first request of
the process is timed too, apart (imports, template compilation, the store's schema).

Usage: python benchmarks/bench_gil_holds.py [--limit 1] [--pages 3] [--src DIR/src]
"""

from __future__ import annotations

import argparse
import collections
import tempfile
import threading
import time
import warnings
from pathlib import Path

from bench_latency import REPO, data_folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=1.0, help="ms of CPU a C call must exceed to be listed")
    parser.add_argument("--pages", type=int, default=3, help="pages read of each copy, from page 1")
    parser.add_argument("--src", type=Path, default=REPO / "src", help="the source tree measured")
    arguments = parser.parse_args()
    limit_ns = arguments.limit * 1e6
    found: dict[tuple[str, str], list[float]] = collections.defaultdict(list)
    local = threading.local()

    def profile(frame, event, arg) -> None:
        stack = local.__dict__.setdefault("stack", [])
        if event == "c_call":
            stack.append([time.thread_time_ns(), arg, frame, False])
        elif event in ("c_return", "c_exception") and stack:
            started, function, caller, nested = stack.pop()
            took = time.thread_time_ns() - started
            if took > limit_ns and not nested:
                code = caller.f_code
                where = f"{code.co_filename.split('site-packages/')[-1].split('src/')[-1]}:{caller.f_lineno}"
                found[(getattr(function, "__qualname__", repr(function)), where)].append(took / 1e6)
        elif event == "call":
            for item in stack:
                item[3] = True  # Python ran inside: the lock could change hands there

    with tempfile.TemporaryDirectory(prefix="bench-holds-") as temporary:
        folder = data_folder(Path(temporary), ["long-0", "long-1"], arguments.src.resolve())
        from diaspora_observatory.documents import web as documents_web
        from diaspora_observatory.web.app import create_app

        page_cpu: list[float] = []
        original = documents_web.DocumentWork.run

        async def timed_run(self, function, *args):
            def timed(*inner):
                started = time.thread_time()
                try:
                    return function(*inner)
                finally:
                    page_cpu.append(time.thread_time() - started)
            return await original(self, timed, *args)

        documents_web.DocumentWork.run = timed_run  # type: ignore[method-assign]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from starlette.testclient import TestClient
        for document_id, profiled in (("long-0", False), ("long-1", True)):
            # an app of its own for each pass: its documents threads start with its first page, and take the
            # profiling hook only when it is set before that
            with TestClient(create_app(data_dir=folder)) as client:  # started: template compiled (on_startup)
                if profiled:
                    threading.setprofile(profile)
                for page in range(1, arguments.pages + 1):
                    page_cpu.clear()
                    response = client.get(f"/coding/{document_id}?page={page}")
                    assert response.status_code == 200, response.status_code
                    note = " (with the profiling hook: slower)" if profiled else ""
                    print(f"{document_id} page {page}: {sum(page_cpu) * 1000:.1f} ms of CPU in the documents "
                          f"thread{note}")
                threading.setprofile(None)  # type: ignore[arg-type]
    print(f"\nC calls of more than {arguments.limit} ms with no Python inside (they hold the lock throughout, "
          "unless they release it themselves, as sqlite3 does while SQLite works):")
    for (function, where), times in sorted(found.items(), key=lambda item: -max(item[1])):
        print(f"{max(times):8.1f} ms longest, {len(times):4d} calls, {sum(times):8.1f} ms in all  {function}  "
              f"at {where}")


if __name__ == "__main__":
    main()
