"""Growth curves of the two views computed from collected data: ``/coding`` and the survey results page,
at 1k, 10k and 100k items, through a real ``diaspora serve`` process (issue 15 item 5).

For each view and size: a fresh data folder filled directly in one transaction (coded press articles,
two automatic passages each, in the documents store; or answers to the built-in survey, all in snapshot
1, as bench_results.py stores them), then a real server on loopback, and
  * the first view of the large view (polled until it answers 200: /coding answers 503 "being prepared"
    after its 10 s deadline) while ``/`` is requested one after another by a Python keep-alive client
    (bench_web.py's): p99 of ``/`` during the first view — does the computation stop other visitors?
  * wrk (Debian's ``wrk``; one thread, one connection, ``--seconds`` each) on the view, repeated (the
    cached entry), and on ``/`` (the floor: a static page of the same server in the same run): p99;
  * the server's RSS from /proc (VmRSS after the first view and after the load, VmHWM peak), and apart from it
    the RSS of its child processes (the page workers of web/pageprocesses.py and their forkserver), which
    hold the documents pages' and the results page's memory since those pages are computed there.
The machine's load average (``/proc/loadavg``) is written with the results: the machine is shared.

``--src`` serves another source tree (an export of an earlier commit: ``git archive COMMIT src | tar -x -C
DIR``), to compare before and after in the same hour; the data are filled by this checkout's code either way.

Usage: python benchmarks/bench_growth.py [--sizes 1000,10000,100000] [--views coding,results]
       [--seconds 3] [--src DIR/src] [--label NAME] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_results import fill as fill_answers  # noqa: E402
from bench_results import percentile  # noqa: E402
from bench_web import load, machine, rss_mb, start, wait_until_up  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "growth.md"
PORT = 18731
TEXT = ("Repatriates from Mongolia receive quotas and housing support. The embassy keeps a register of "
        "citizens abroad and helps with documents. ")
VIEWS = {"coding": "/coding", "results": "/s/kz/results"}


def fill_coding(data_dir: Path, size: int) -> None:
    """``size`` coded press articles with two automatic passages each, stored in one transaction."""
    from diaspora_observatory import load_case
    from diaspora_observatory.documents.coding import CodedPassage
    from diaspora_observatory.documents.importer import Document
    from diaspora_observatory.documents.workspace import Workspace

    space = Workspace(load_case(), data_dir)
    codes = list(space.codes)
    items = []
    for number in range(size):
        document_id = f"bench-{number:06d}"
        items.append((Document(document_id=document_id, title=f"Item {number}", kind="press",
                               date=f"{2000 + number % 25}-03-01", language="en", text=TEXT),
                      [CodedPassage(document_id, codes[number % len(codes)], 0, 58, TEXT[:58]),
                       CodedPassage(document_id, codes[(7 * number + 3) % len(codes)], 59, 117, TEXT[59:117])]))
    space.store.add_coded(items)
    space.store.engine.dispose()


def wrk(path: str, seconds: float) -> dict:
    """p99 (ms), requests/s and non-200 answers of ``path`` under wrk with one connection."""
    output = subprocess.run(["wrk", "-t1", "-c1", f"-d{round(seconds)}s", "--latency", f"http://127.0.0.1:{PORT}{path}"],
                            capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    match = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p99 = float(match.group(1)) * scale[match.group(2)] if match else float("nan")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {"p99": p99, "rate": float(rate.group(1)) if rate else float("nan"), "bad": int(bad.group(1)) if bad else 0}


def descendants_memory_mb(pid: int) -> tuple[float, float]:
    """(summed VmRSS, summed Pss) in MB of every process below ``pid`` (its children, theirs…), from /proc.
    Pss shares each page among the processes that map it: workers forked from one forkserver share most."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    rss = pss = 0.0
    stack = list(parents.get(pid, []))
    while stack:
        child = stack.pop()
        stack.extend(parents.get(child, []))
        try:
            rss += rss_mb(child)[0]
            rollup = Path(f"/proc/{child}/smaps_rollup").read_text()
            pss += int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE).group(1)) / 1024
        except (OSError, AttributeError):
            pass
    return rss, pss


def one(view: str, size: int, seconds: float, first_limit: float, source: Path | None = None) -> dict:
    path = VIEWS[view]
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        filled = time.perf_counter()
        (fill_coding if view == "coding" else fill_answers)(data_dir, size)
        filled = time.perf_counter() - filled
        server = start([sys.executable, "-m", "diaspora_observatory.cli", "serve", "--port", str(PORT),
                        "--data-dir", str(data_dir)], "diaspora serve",
                       {"PYTHONPATH": str(source)} if source else None)
        try:
            wait_until_up(PORT, "/", server, "diaspora serve")
            asyncio.run(load(PORT, "/", 1, 50, 10))
            rss_start = rss_mb(server.pid)[0]
            first: dict = {}

            def first_view() -> None:
                started = time.perf_counter()
                tries = 0
                ready = False
                while not ready and time.perf_counter() - started < first_limit:
                    tries += 1
                    latencies, errors, _ = asyncio.run(load(PORT, path, 1, 1, 300))
                    ready = bool(latencies) and not errors
                    if not ready:
                        time.sleep(0.5)  # 503 "being prepared": the work goes on; ask again, as a browser would
                first.update(ms=1000 * (time.perf_counter() - started), tries=tries, ready=ready)

            viewer = threading.Thread(target=first_view)
            viewer.start()
            during: list[float] = []
            while viewer.is_alive() and len(during) < 20000:
                latencies, _, _ = asyncio.run(load(PORT, "/", 1, 1, 5))
                during.extend(latencies)
            viewer.join()
            rss_first = rss_mb(server.pid)[0]
            # A view not ready within the limit is measured as it answers then (503s, counted as non-200).
            repeated = wrk(path, seconds)
            floor = wrk("/", seconds)
            rss_end, rss_peak = rss_mb(server.pid)
            children_end, children_pss = descendants_memory_mb(server.pid)
        finally:
            server.terminate()
            server.wait(10)
    return {"view": view, "size": size, "fill_s": filled, "first_ms": first["ms"], "first_tries": first["tries"],
            "first_ready": first["ready"],
            "home_during_p99": percentile(during, 0.99), "home_during_n": len(during),
            "repeat_p99": repeated["p99"], "repeat_rate": repeated["rate"], "repeat_bad": repeated["bad"],
            "floor_p99": floor["p99"], "floor_rate": floor["rate"],
            "rss_start": rss_start, "rss_first": rss_first, "rss_end": rss_end, "rss_peak": rss_peak,
            "children_end": children_end, "children_pss": children_pss}


def table(rows: list[dict]) -> str:
    lines = ["| view | items | first view ms (tries) | `/` p99 during it ms (requests) | repeated view p99 ms (req/s) "
             "| `/` p99 ms floor (req/s) | RSS MB start → first view → end (peak) | child processes' RSS (PSS) MB "
             "at the end | non-200 |",
             "|---|---:|---:|---:|---:|---:|---|---:|---:|"]
    for row in rows:
        late = "" if row.get("first_ready", True) else ", not ready"
        lines.append(f"| `{VIEWS[row['view']]}` | {row['size']:,} | {row['first_ms']:.0f} ({row['first_tries']}{late}) "
                     f"| {row['home_during_p99']:.1f} ({row['home_during_n']}) "
                     f"| {row['repeat_p99']:.2f} ({row['repeat_rate']:.0f}) | {row['floor_p99']:.2f} "
                     f"({row['floor_rate']:.0f}) | {row['rss_start']:.0f} → {row['rss_first']:.0f} → "
                     f"{row['rss_end']:.0f} ({row['rss_peak']:.0f}) | {row.get('children_end', 0):.0f} "
                     f"({row.get('children_pss', 0):.0f}) | {row['repeat_bad']} |")
    return "\n".join(lines)


def main() -> None:
    global PORT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--views", default="coding,results")
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--first-limit", type=float, default=300,
                        help="seconds the first view may take before the run goes on without it")
    parser.add_argument("--port", type=int, default=PORT, help="the loopback port the server listens on")
    parser.add_argument("--src", type=Path, default=None, help="the source tree served [this checkout's]")
    parser.add_argument("--label", default="", help="a name for this run in the rows written (such as the commit)")
    parser.add_argument("--write", action="store_true")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk (Debian's package)")
    PORT = options.port
    load_before = Path("/proc/loadavg").read_text().strip()
    rows = []
    for view in options.views.split(","):
        for size in options.sizes.split(","):
            rows.append({**one(view, int(size), options.seconds, options.first_limit, options.src),
                         "label": options.label})
            print(json.dumps(rows[-1]), flush=True)
    load_after = Path("/proc/loadavg").read_text().strip()
    report = (f"machine: {machine()}; load average before: {load_before}; after: {load_after}\n\n{table(rows)}")
    print(report)
    if options.write:
        label = re.sub(r"[^a-z0-9]+", "-", options.label.lower()).strip("-")
        written = RESULTS.with_name(f"growth-{options.views.replace(',', '-')}{f'-{label}' if label else ''}.json")
        written.write_text(json.dumps({"load_before": load_before, "load_after": load_after, "rows": rows}, indent=1),
                           encoding="utf-8")
        print(f"rows written to {written} (growth.md is written by hand from them)")


if __name__ == "__main__":
    main()
