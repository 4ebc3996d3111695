"""How long the survey form waits while a reader goes through a long document's pages (issue 12 item 1,
issue 15: "no page of the observatory blocks another visitor while it is computed").

Starts a real ``diaspora serve`` on loopback holding a survey (``diaspora survey add``, slug wave3) and a few
copies of the 1.1 MB document of tests/web/test_web_hostile.py (the study 16 times over). One reader asks for
a copy's pages from page 1 (the page that used to find the sentences of the whole text), waiting as long as
each page took before the next; meanwhile a prober asks for ``/s/wave3`` every 20 ms on a warm keep-alive
connection. Each probe is classed "busy" (sent while a page was being computed) or "idle" (no page near
it), as the latency test does, so both samples share the same seconds and the same machine load.

Alternating with those rounds, the same reader and prober against two servers: the pages read from a
second server while the survey is asked of the first ("another server"). That is the floor this machine
allows: the page's CPU still competes with the survey for the two cores, but nothing of the server that
answers the survey is spent on it. Since the documents pages are drawn in worker processes of the server
(documents/pagework.py), "the same server" means pages drawn in its own workers, not in its interpreter;
before that change (an export of an earlier commit, ``--src``) they were drawn in its threads, and the
"busy" row over the "another server" row was what the interpreter lock cost.

Reported: p50, p99 and max of each sample, and busy/idle as ratios of the same run; the load average
before and after (the machine is shared). Results go to benchmarks/results/latency.md with --write.

``--src`` serves another source tree (an export of an earlier commit: ``git archive COMMIT src | tar -x -C
DIR``), to compare before and after in the same hour; the data folder is then made by that tree too.

Usage: python benchmarks/bench_latency.py [--rounds 3] [--pages 30] [--port 18310] [--src DIR/src] [--write]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "latency.md"
SEED_TEXT = REPO / ".." / "shared" / "seed" / "kazakh-diaspora-central-asia.txt"
REPEATS = 16  # as the latency test: 1.1 MB
ADMIN = "bench-latency-admin-token"
PROBE_GAP = 0.02  # s between probes
PAGE_MARGIN = 0.05  # s: a probe this close to a page request is neither busy nor idle
SENT_MARGIN = 0.005  # s: a probe sent this long after a page request counts as busy


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank, as the latency test: 0.99 of 100 values is the 99th."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else float("nan")


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def data_folder(folder: Path, documents: list[str], source: Path) -> Path:
    """A data folder with the survey wave3 and the 1.1 MB document under each id of ``documents``."""
    sys.path.insert(0, str(source))
    from click.testing import CliRunner

    from diaspora_observatory import load_case
    from diaspora_observatory.cli import main
    from diaspora_observatory.documents.importer import Document
    from diaspora_observatory.documents.workspace import Workspace

    text = "\n\n".join([SEED_TEXT.read_text(encoding="utf-8")] * REPEATS)
    workspace = Workspace(load_case(), folder)
    for document_id in documents:
        workspace.import_document(Document(document_id, "The study, 16 times", "law", "2024", "en", text))
    form = folder / "wave3.xlsx"
    runner = CliRunner()
    assert runner.invoke(main, ["survey", "default", "--out", str(form)]).exit_code == 0
    added = runner.invoke(main, ["survey", "add", str(form), "--slug", "wave3", "--data-dir", str(folder)])
    assert added.exit_code == 0, added.output
    return folder


def start_server(folder: Path, port: int, source: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "diaspora_observatory.cli", "serve", "--port", str(port), "--data-dir",
               str(folder)]
    environment = {**os.environ, "PYTHONPATH": str(source), "DIASPORA_ADMIN_TOKEN": ADMIN}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/s/wave3", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the server on port {port} did not start within 120 s")


def read_and_probe(survey_base: str, pages_base: str, document_id: str, pages: int
                   ) -> tuple[list[float], list[float], list[tuple[float, float]]]:
    """(busy, idle) survey answer times in seconds while one reader reads ``pages`` pages, and the pages' times."""
    spans: list[tuple[float, float]] = []
    finished = threading.Event()

    def reader() -> None:
        with httpx.Client(base_url=pages_base, timeout=60) as client:
            for page in range(1, pages + 1):
                started = time.perf_counter()
                spans.append((started, math.inf))
                response = client.get(f"/coding/{document_id}?page={page}")
                ended = time.perf_counter()
                spans[-1] = (started, ended)
                if response.status_code != 200:
                    raise SystemExit(f"page {page} of {document_id}: {response.status_code}")
                time.sleep(min(max(ended - started, 0.2), 1.0))  # an idle stretch, for the idle probes
        finished.set()

    probes: list[tuple[float, float]] = []
    with httpx.Client(base_url=survey_base, timeout=10) as probe:
        probe.get("/s/wave3")  # a warm connection: the probe measures the server, not the handshake
        thread = threading.Thread(target=reader)
        thread.start()
        while not finished.is_set() and thread.is_alive():
            started = time.perf_counter()
            if probe.get("/s/wave3").status_code != 200:
                raise SystemExit("the survey form did not answer 200")
            probes.append((started, time.perf_counter()))
            time.sleep(PROBE_GAP)
        thread.join()
    busy, idle = [], []
    for start, end in probes:
        if any(s + SENT_MARGIN <= start < e for s, e in spans):
            busy.append(end - start)
        elif not any(start < e + PAGE_MARGIN and s - PAGE_MARGIN < end for s, e in spans):
            idle.append(end - start)
    return busy, idle, spans


def summary(values: list[float]) -> str:
    if not values:
        return "0 |  |  |  |  | "
    return (f"{len(values)} | {statistics.mean(values) * 1000:.1f} | {statistics.median(values) * 1000:.1f} | "
            f"{percentile(values, 0.95) * 1000:.1f} | {percentile(values, 0.99) * 1000:.1f} | "
            f"{max(values) * 1000:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="fresh copies of the document read per server")
    parser.add_argument("--pages", type=int, default=30, help="pages read of each copy, from page 1")
    parser.add_argument("--port", type=int, default=18310, help="first of the two ports used")
    parser.add_argument("--src", type=Path, default=REPO / "src", help="the source tree served [this checkout's]")
    parser.add_argument("--label", default="", help="a name for this run in the results (such as the commit)")
    parser.add_argument("--write", action="store_true", help=f"append the results to {RESULTS.relative_to(REPO)}")
    arguments = parser.parse_args()

    documents = [f"long-{index}" for index in range(2 * arguments.rounds)] + ["warm"]
    load_before = load_average()
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as temporary:
        source = arguments.src.resolve()
        folder = data_folder(Path(temporary), documents, source)
        servers = [start_server(folder, arguments.port, source), start_server(folder, arguments.port + 1, source)]
        try:
            bases = [f"http://127.0.0.1:{port}" for port in (arguments.port, arguments.port + 1)]
            for base in bases:  # templates, codebook and lazy imports loaded before any round
                httpx.get(f"{base}/coding/warm?page=2", timeout=60)
            samples: dict[str, tuple[list[float], list[float], list[float]]] = {
                "same server": ([], [], []), "another server": ([], [], [])}
            # the two kinds of round alternate, so that both see the same minutes of the machine's load
            for index in range(arguments.rounds):
                for name, pages_base, offset in (("same server", bases[0], 0),
                                                 ("another server", bases[1], arguments.rounds)):
                    busy, idle, firsts = samples[name]
                    b, i, spans = read_and_probe(bases[0], pages_base, documents[offset + index], arguments.pages)
                    busy += b
                    idle += i
                    firsts.append(spans[0][1] - spans[0][0])
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)
    load_after = load_average()
    same_busy, same_idle, same_firsts = samples["same server"]
    other_busy, other_idle, other_firsts = samples["another server"]
    rows = [
        f"| pages of the same server: busy | {summary(same_busy)} |",
        f"| pages of the same server: idle | {summary(same_idle)} |",
        f"| pages of another server: busy | {summary(other_busy)} |",
        f"| pages of another server: idle | {summary(other_idle)} |",
    ]
    ratios = (f"busy/idle with the same server: mean {statistics.mean(same_busy) / statistics.mean(same_idle):.2f}x, "
              f"p95 {percentile(same_busy, 0.95) / percentile(same_idle, 0.95):.2f}x, "
              f"p99 {percentile(same_busy, 0.99) / percentile(same_idle, 0.99):.2f}x, "
              f"max {max(same_busy) / max(same_idle):.2f}x; same/another server while busy: mean "
              f"{statistics.mean(same_busy) / statistics.mean(other_busy):.2f}x, p95 "
              f"{percentile(same_busy, 0.95) / percentile(other_busy, 0.95):.2f}x, p99 "
              f"{percentile(same_busy, 0.99) / percentile(other_busy, 0.99):.2f}x, "
              f"max {max(same_busy) / max(other_busy):.2f}x")
    firsts = (f"first page: {', '.join(f'{t * 1000:.0f}' for t in same_firsts)} ms (same server), "
              f"{', '.join(f'{t * 1000:.0f}' for t in other_firsts)} ms (another server)")
    report = "\n".join([
        f"### {date.today().isoformat()} {arguments.label}".rstrip(), "",
        f"{os.cpu_count()} CPUs, {platform.python_implementation()} {platform.python_version()}; load average "
        f"before {load_before}, after {load_after}; {arguments.rounds} rounds of {arguments.pages} pages per server",
        "",
        "| survey form `/s/wave3` | probes | mean ms | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|---|",
        *rows, "", ratios, "", firsts, ""])
    print(report)
    if arguments.write:
        with RESULTS.open("a", encoding="utf-8") as results:
            results.write(report + "\n")


if __name__ == "__main__":
    main()
