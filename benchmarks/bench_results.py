"""The survey results page at 1k, 10k and 100k answers, through a real ``diaspora serve`` process.

For each size: a fresh data folder whose SQLite store holds that many answers to the built-in survey
(random choices, seeded; stored in one transaction as snapshot 1, so the page publishes them all), then
a real server on loopback, and a small keep-alive client (the one of bench_web.py) measuring
  * the first view of ``/s/kz/results`` (computed from the streamed snapshot) and, while it runs, the
    latency of ``/`` requested one after another (does the computation block other visitors?);
  * p99 of 300 repeated views of the results page and of its JSON (the cached entry; the page is
    still rendered from its template on every view);
  * p99 of 300 views of ``/`` (the floor: a static page of the same server, same run);
  * the server's RSS after start and after the first view (growth).
The machine's load (``/proc/loadavg``) is written with the results: the machine is shared.

Usage: python benchmarks/bench_results.py [--sizes 1000,10000,100000] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_web import load, machine, rss_mb, start, wait_until_up  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "results_page.md"
PORT = 19310


def fill(data_dir: Path, size: int) -> None:
    """``size`` answers to the built-in survey, all in snapshot 1."""
    from sqlalchemy import insert, update

    from diaspora_observatory.survey.default import default_form
    from diaspora_observatory.survey.schema import submissions, surveys
    from diaspora_observatory.survey.storage import SurveyStore
    from diaspora_observatory.survey.submission import canonical

    form = default_form()
    store = SurveyStore.for_data_dir(data_dir)
    store.add_survey("kz", form)
    rng = random.Random(size)
    questions = [q for q in form.answer_questions() if q.kind in ("select_one", "select_multiple")]
    rows = []
    for number in range(size):
        answers = {}
        for question in questions:
            names = [choice.name for choice in form.options(question)]
            if not question.required and rng.random() < 0.1:
                continue
            multiple = question.kind == "select_multiple"
            answers[question.name] = rng.sample(names, rng.randint(1, len(names))) if multiple else rng.choice(names)
        text = canonical(answers)
        rows.append({"survey_slug": "kz", "submission_id": f"bench-{number:07d}", "answers": text,
                     "answers_hash": str(hash(text)), "received_on": date.today(), "origin": "api", "snapshot": 1})
    with store.engine.begin() as connection:
        for begin in range(0, size, 5000):
            connection.execute(insert(submissions), rows[begin:begin + 5000])
        connection.execute(update(surveys).where(surveys.c.slug == "kz").values(snapshot=1, snapshot_on=date.today(),
                                                                               snapshot_size=size))
    store.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] if ordered else float("nan")


def one_size(size: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        fill(data_dir, size)
        server = start([sys.executable, "-m", "diaspora_observatory.cli", "serve", "--port", str(PORT),
                        "--data-dir", str(data_dir)], "diaspora serve")
        try:
            wait_until_up(PORT, "/", server, "diaspora serve")
            asyncio.run(load(PORT, "/", 1, 50, 10))
            rss_before = rss_mb(server.pid)[0]
            first: dict = {}

            def first_view() -> None:
                started = time.perf_counter()
                latencies, errors, _ = asyncio.run(load(PORT, "/s/kz/results", 1, 1, 120))
                first.update(ms=1000 * (time.perf_counter() - started), errors=errors)

            viewer = threading.Thread(target=first_view)
            viewer.start()
            during: list[float] = []
            while viewer.is_alive() and len(during) < 5000:
                latencies, _, _ = asyncio.run(load(PORT, "/", 1, 1, 5))
                during.extend(latencies)
            viewer.join()
            rss_after = rss_mb(server.pid)
            repeated, repeat_errors, _ = asyncio.run(load(PORT, "/s/kz/results", 1, 300, 60))
            repeated_json, _, _ = asyncio.run(load(PORT, "/s/kz/results.json", 1, 300, 60))
            floor, _, _ = asyncio.run(load(PORT, "/", 1, 300, 60))
        finally:
            server.terminate()
            server.wait(10)
    return {"size": size, "first_ms": first["ms"], "errors": first["errors"] + repeat_errors,
            "home_during_p99": percentile(during, 0.99), "home_during_n": len(during),
            "repeat_p99": percentile(repeated, 0.99), "json_p99": percentile(repeated_json, 0.99),
            "floor_p99": percentile(floor, 0.99),
            "rss_before": rss_before, "rss_after": rss_after[0], "rss_peak": rss_after[1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--write", action="store_true")
    options = parser.parse_args()
    load_before = Path("/proc/loadavg").read_text().strip()
    rows = [one_size(int(size)) for size in options.sizes.split(",")]
    load_after = Path("/proc/loadavg").read_text().strip()
    lines = [f"machine: {machine()}; load average before: {load_before}; after: {load_after}", "",
             "| answers | first view ms | `/` p99 during it ms (requests) | repeated view p99 ms (page / .json) "
             "| `/` p99 ms (floor) | repeated / floor | RSS MB start → after first view (peak) | errors |",
             "|---:|---:|---:|---:|---:|---:|---|---:|"]
    for row in rows:
        ratio = row["repeat_p99"] / row["floor_p99"]
        lines.append(f"| {row['size']:,} | {row['first_ms']:.0f} "
                     f"| {row['home_during_p99']:.1f} ({row['home_during_n']}) "
                     f"| {row['repeat_p99']:.2f} / {row['json_p99']:.2f} | {row['floor_p99']:.2f} | {ratio:.2f} "
                     f"| {row['rss_before']:.0f} → {row['rss_after']:.0f} ({row['rss_peak']:.0f}) | {row['errors']} |")
    report = "\n".join(lines)
    print(report)
    print(json.dumps(rows))
    if options.write:
        RESULTS.write_text(f"# Survey results page by size ({date.today()})\n\n"
                           f"`python benchmarks/bench_results.py --sizes {options.sizes} --write`\n\n{report}\n",
                           encoding="utf-8")


if __name__ == "__main__":
    main()
