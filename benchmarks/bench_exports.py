"""Exports and the survey response import at 1k, 10k and 100k items: memory against size, time against a floor.

For each size a data folder is filled once, then every measure runs in a fresh Python process (libraries
imported before the clock starts) reporting its wall time, its peak of Python allocations (tracemalloc)
and its peak RSS:

* documents (``size`` stored press articles, two automatic passages each): the coverage export as CSV
  and as JSON, the gaps CSV and the passages CSV, each written a chunk of documents at a time from the
  database's counts (documents/exports.py), against the whole table built in pandas from every passage
  (``Workspace.coverage`` + ``to_csv``, what ``/coding.csv`` did before) at the sizes it is run at;
* survey results (``size`` answers to the built-in survey in snapshot 1): the results CSV and JSON from
  the database's counts (``counted_context``: the page and ``survey results``) against every answer in
  memory (``results_context`` of ``store.snapshot``, what ``survey results`` did before);
* ``survey import-responses`` of a KoboToolbox CSV of ``size`` rows on SQLite and on PostgreSQL
  (``--postgres URL``), batched (1,000 rows per INSERT, one transaction), and with one INSERT per row
  (``BATCH_ROWS = 1``: the statement pattern before), against the database's own durable-insert floor in
  the same run: the same rows, already prepared, inserted with one ``executemany`` in one transaction
  into a fresh store.

The machine's load (``/proc/loadavg``) is written before and after each size: the machine is shared.

``--served`` measures instead what a real server (``diaspora serve`` on 127.0.0.1, a fresh one for each
measure) holds while it sends each growing export, from the source tree given by ``--src`` (default: this
checkout's; the code before a change is measured by pointing it at an extracted older tree): ``/coding.csv``
and ``/coding.json`` of ``size`` articles, the survey's raw answers (``POST /s/kz/admin/export``) and its admin
page (``POST /s/kz/admin``) of ``size`` answers, each read by the client in 1 MB reads and thrown away. For
each: the server process's peak RSS (VmHWM) before the request and after it, and the largest peak of its page
worker processes. Beside them, in a fresh process each, the commands that write the same files:
``diaspora survey export kz --out answers.csv`` (and on PostgreSQL with ``--postgres``) and ``diaspora documents
export`` (coverage.xlsx among its files; its whole-table peer only up to ``--peer-max``), and the survey's
xlsx, sav and dta exports (``survey export kz --out answers.xlsx``, ``.sav``, ``.dta``; run only when named in
``--only``, as ``--only "survey export (xlsx),survey export (sav)"``).

Usage: python benchmarks/bench_exports.py [--sizes 1000,10000,100000] [--peer-max 10000]
       [--postgres postgresql+psycopg://...] [--write]
       python benchmarks/bench_exports.py --served [--src OTHER/src] [--label before] [--sizes 10000,100000]
       [--port 8651] [--postgres URL]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_results import fill as fill_answers  # noqa: E402
from bench_web import machine  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "exports.md"
TEXT = ("Repatriates from Mongolia receive quotas and housing support. The embassy keeps a register of citizens "
        "abroad and helps with documents. ")

# Run in a fresh process: argv = kind, data folder, size (and a database URL for the import).
MEASURE = r'''
import json, sys, time, tracemalloc, os
from pathlib import Path
kind, folder, size = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
import pandas, sqlalchemy
from diaspora_observatory import load_case
from diaspora_observatory.documents import exports
from diaspora_observatory.documents.workspace import Workspace
from diaspora_observatory.survey import imports
from diaspora_observatory.survey.results_view import counted_context, results_context
from diaspora_observatory.survey.storage import SurveyStore
case = load_case()
written = 0
def drain(chunks):
    global written
    with open(os.devnull, "w", encoding="utf-8") as sink:
        for chunk in chunks:
            written += len(chunk)
            sink.write(chunk)
traced = os.environ.get("BENCH_TRACE") == "1"
store = None
if kind.startswith(("coverage", "gaps", "passages")):
    space = Workspace(case, folder)
    space.codes  # the codebook parsed before the clock
elif kind.startswith("results"):
    store = SurveyStore.for_data_dir(folder)
elif kind.startswith("import"):
    url = sys.argv[4]
    store = SurveyStore(url)
    from diaspora_observatory.survey.default import default_form
    store.add_survey("kz", default_form())
def high_water_mb():
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so a child would report its parent's peak
    with open("/proc/self/status", encoding="utf-8") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
baseline = high_water_mb()
if traced:
    tracemalloc.start()
start, cpu_start = time.perf_counter(), time.process_time()
if kind == "coverage-csv":
    drain(exports.coverage_export(space, None, "csv"))
elif kind == "coverage-json":
    drain(exports.coverage_export(space, None, "json"))
elif kind == "gaps-csv":
    drain(exports.gaps_export(space, None, "csv"))
elif kind == "passages-csv":
    drain(exports.passages_export(space, None, "csv"))
elif kind == "coverage-csv-whole":
    drain([exports.to_csv(space.coverage())])
elif kind == "results-counted":
    context = counted_context(case, store, "kz", "en")
    drain([context["csv"], json.dumps(context["data"], ensure_ascii=False)])
elif kind == "results-in-memory":
    context = results_context(case, store.snapshot("kz"), "en")
    drain([context["csv"], json.dumps(context["data"], ensure_ascii=False)])
elif kind in ("import-batched", "import-per-row"):
    if kind == "import-per-row":
        imports.BATCH_ROWS = 1
    summary = imports.import_responses(store, "kz", os.path.join(folder, "kobo.csv"), "kobo")
    assert summary.stored == size, summary.lines()
elif kind == "import-floor":
    from sqlalchemy import insert
    from diaspora_observatory.survey.schema import submissions
    rows = json.load(open(os.path.join(folder, "prepared.json"), encoding="utf-8"))
    for row in rows:
        row["received_on"] = __import__("datetime").date.fromisoformat(row["received_on"])
    start, cpu_start = time.perf_counter(), time.process_time()  # the rows in memory, prepared
    with store.writing(), store.engine.begin() as connection:
        connection.execute(insert(submissions), rows)
seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
if store is not None:
    store.close()
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "traced_peak_mb": peak, "baseline_rss_mb": baseline,
                  "max_rss_mb": high_water_mb(), "bytes": written}))
'''


def run(kind: str, folder: Path, size: int, traced: bool, url: str = "") -> dict:
    env = {**os.environ, "BENCH_TRACE": "1" if traced else "0"}
    output = subprocess.run([sys.executable, "-c", MEASURE, kind, str(folder), str(size), url], capture_output=True,
                            text=True, env=env, timeout=1800)
    if output.returncode:
        raise SystemExit(f"{kind} at {size}: {output.stderr[-2000:]}")
    return json.loads(output.stdout)


def fill_documents(data_dir: Path, size: int) -> None:
    """``size`` stored press articles over ten years, two automatic passages each (of two codes out of the
    codebook's, varying), stored in batches as ``documents import-list`` stores them."""
    from diaspora_observatory import load_case
    from diaspora_observatory.documents.coding import CodedPassage
    from diaspora_observatory.documents.importer import Document
    from diaspora_observatory.documents.workspace import Workspace

    space = Workspace(load_case(), data_dir)
    codes = space.codes
    rng = random.Random(size)
    for begin in range(0, size, 5000):
        items = []
        for number in range(begin, min(size, begin + 5000)):
            document_id = f"press-{number:07d}"
            document = Document(document_id=document_id, title=f"Article {number}", kind="press",
                                date=f"{2015 + number % 10}-0{1 + number % 9}-01", language="en", text=TEXT,
                                source_id=f"outlet-{number % 40}")
            passages = [CodedPassage(document_id, code, 0, 20, TEXT[:20]) for code in rng.sample(codes, 2)]
            items.append((document, passages))
        space.store.add_coded(items)
    space.store.engine.dispose()


def write_import_inputs(folder: Path, size: int) -> None:
    """A KoboToolbox CSV ("XML values and headers", ',' separated, question names as headers, _uuid) of
    ``size`` valid answers to the built-in survey, and the rows the import stores for it (the floor's)."""
    import hashlib

    from diaspora_observatory.survey.default import default_form
    from diaspora_observatory.survey.submission import canonical
    from diaspora_observatory.survey.validation import validate_answers

    form = default_form()
    questions = [question for question in form.answer_questions()]
    rng = random.Random(size)
    lines = [",".join([question.name for question in questions] + ["_uuid"])]
    prepared = []
    for number in range(size):
        answers = {}
        for question in questions:
            if question.kind == "select_one":
                answers[question.name] = rng.choice([choice.name for choice in form.options(question)])
            elif question.kind == "text":
                answers[question.name] = f"answer {number}"
        uuid = f"5a0c2a7f-0001-4c39-9b0e-{number:012d}"
        lines.append(",".join([str(answers.get(question.name, "")) for question in questions] + [uuid]))
        text = canonical(validate_answers(form, answers))
        prepared.append({"survey_slug": "kz", "submission_id": f"kobo-{uuid}", "answers": text,
                         "answers_hash": hashlib.sha256(text.encode()).hexdigest(),
                         "received_on": date.today().isoformat(), "origin": "import:kobo"})
    (folder / "kobo.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "prepared.json").write_text(json.dumps(prepared), encoding="utf-8")


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS submissions, surveys, survey_schema CASCADE"))
    engine.dispose()


def loadavg() -> str:
    with open("/proc/loadavg", encoding="utf-8") as file:
        return " ".join(file.read().split()[:3])


TRACED = True  # --untraced: no tracemalloc run (its peak is then shown as nan)
ONLY: set[str] = set()  # --only: the measures to run (every one when empty)


def measured(kind: str, folder: Path, size: int, url: str = "", before=None) -> dict:
    """Wall time and peak RSS of an untraced run, the peak of Python allocations from a traced one."""
    if before:
        before()
    untraced = run(kind, folder, size, False, url)
    if not TRACED:
        return {**untraced, "traced_peak_mb": float("nan")}
    if before:
        before()
    traced = run(kind, folder, size, True, url)
    return {**untraced, "traced_peak_mb": traced["traced_peak_mb"], "traced_seconds": traced["seconds"]}


def one_size(size: int, peer_max: int, postgres: str) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        documents, answers, inputs = folder / "documents", folder / "answers", folder / "inputs"
        inputs.mkdir()
        def wanted(prefix: str) -> bool:
            return not ONLY or any(kind.startswith(prefix) for kind in ONLY)
        if wanted("coverage") or wanted("gaps") or wanted("passages"):
            fill_documents(documents, size)
        if wanted("results"):
            fill_answers(answers, size)
        if wanted("import"):
            write_import_inputs(inputs, size)
        load_before = loadavg()
        kinds = ["coverage-csv", "coverage-json", "gaps-csv", "passages-csv"]
        kinds += ["coverage-csv-whole"] if size <= peer_max else []
        for kind in [kind for kind in kinds if not ONLY or kind in ONLY]:
            rows.append({"part": "documents", "kind": kind, "size": size, **measured(kind, documents, size)})
        kinds = ["results-counted"] + (["results-in-memory"] if size <= peer_max else [])
        for kind in [kind for kind in kinds if not ONLY or kind in ONLY]:
            rows.append({"part": "survey results", "kind": kind, "size": size, **measured(kind, answers, size)})
        databases = [("sqlite", "")] + ([("postgresql", postgres)] if postgres else [])
        for database, url in databases:
            def fresh(database=database, url=url) -> None:
                if database == "sqlite":
                    (inputs / "survey.sqlite3").unlink(missing_ok=True)
                    for suffix in ("-wal", "-shm"):
                        (inputs / f"survey.sqlite3{suffix}").unlink(missing_ok=True)
                else:
                    reset_postgres(url)
            target = url or f"sqlite:///{inputs / 'survey.sqlite3'}"
            kinds = ["import-floor", "import-batched"] + (["import-per-row"] if size <= peer_max else [])
            for kind in [kind for kind in kinds if not ONLY or kind in ONLY]:
                rows.append({"part": f"import ({database})", "kind": kind, "size": size,
                             **measured(kind, inputs, size, target, fresh)})
        for row in rows:
            row["load"] = f"{load_before} → {loadavg()}"
    return rows


def table(rows: list[dict]) -> str:
    floors = {(row["part"], row["size"]): row for row in rows if row["kind"] == "import-floor"}
    lines = ["| part | measure | items | wall s | CPU s | floor / wall | floor / CPU | peak Python MB | "
             "peak RSS MB (before) | output MB | load (1, 5, 15 min) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        floor = floors.get((row["part"], row["size"]))
        ratio = f"{floor['seconds'] / row['seconds']:.2f}" if floor and row["kind"] != "import-floor" else ""
        # CPU time: the better figure of the work itself on a shared machine (the wall time waits for others)
        cpu_ratio = f"{floor['cpu_seconds'] / row['cpu_seconds']:.2f}" if floor and row["kind"] != "import-floor" \
            else ""
        lines.append(f"| {row['part']} | {row['kind']} | {row['size']:,} | {row['seconds']:.2f} | "
                     f"{row['cpu_seconds']:.2f} | {ratio} | {cpu_ratio} | "
                     f"{row['traced_peak_mb']:.1f} | {row['max_rss_mb']:.0f} ({row['baseline_rss_mb']:.0f}) | "
                     f"{row['bytes'] / 2**20:.1f} | {row['load']} |")
    return "\n".join(lines)


# Served exports ----------------------------------------------------------------------------------------
TOKEN = "bench-exports-admin-token-0001"


def _status(pid: int, field: str) -> float:
    """A field of /proc/PID/status in MB (VmHWM: the peak RSS; VmRSS: now)."""
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(f"{field}:")) / 1024


def _descendants(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="utf-8") as children:
                for child in children.read().split():
                    found += [int(child), *_descendants(int(child))]
    except OSError:
        pass
    return found


def _workers_peak(pid: int) -> float:
    peaks = []
    for child in _descendants(pid):
        try:
            peaks.append(_status(child, "VmHWM"))
        except (OSError, StopIteration):
            pass
    return max(peaks, default=0.0)


def _read(url: str, data: bytes | None = None, deadline: float = 900.0) -> tuple[int, float]:
    """Bytes of ``url``'s body read 1 MB at a time and thrown away, and the seconds taken; a 503 ("being
    prepared") is asked again every two seconds until ``deadline``."""
    import time
    import urllib.error
    import urllib.request

    start = time.perf_counter()
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=deadline) as response:
                size = 0
                while block := response.read(1 << 20):
                    size += len(block)
                return size, time.perf_counter() - start
        except urllib.error.HTTPError as error:
            if error.code != 503 or time.perf_counter() - start > deadline:
                raise
            time.sleep(2)


def served(kind: str, data_dir: Path, size: int, src: str, port: int, url: str = "") -> dict:
    """One measure on a fresh server run from ``src``: its peak RSS before and after the request."""
    import time
    import urllib.parse

    env = {**os.environ, "PYTHONPATH": src, "DIASPORA_ADMIN_TOKEN": TOKEN, "DIASPORA_DATA_DIR": str(data_dir)}
    env.pop("DIASPORA_DATABASE_URL", None)
    if url:
        env["DIASPORA_DATABASE_URL"] = url
    server = subprocess.Popen([sys.executable, "-c", "from diaspora_observatory.cli import main; main()", "serve",
                               "--port", str(port), "--data-dir", str(data_dir)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                _read(f"{base}/", deadline=5)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"the server for {kind} did not start") from None
                time.sleep(0.5)
        before = _status(server.pid, "VmHWM")
        form = urllib.parse.urlencode({"token": TOKEN}).encode()
        path, data = {"coding-csv": ("/coding.csv", None), "coding-json": ("/coding.json", None),
                      "answers-export": ("/s/kz/admin/export", form), "admin-page": ("/s/kz/admin", form),
                      "admin-page-last": ("/s/kz/admin", urllib.parse.urlencode(
                          {"token": TOKEN, "page": str(max(1, -(-size // 100)))}).encode())}[kind]
        written, seconds = _read(base + path, data)
        return {"seconds": seconds, "before_mb": before, "after_mb": _status(server.pid, "VmHWM"),
                "workers_mb": _workers_peak(server.pid), "bytes": written}
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


COMMAND = r'''
import json, os, resource, subprocess, sys, time
from pathlib import Path
from diaspora_observatory.cli import main
start = time.perf_counter()
code = 1
try:
    code = main(sys.argv[1:], standalone_mode=False)  # a refusal (ctx.exit(2)) is returned, not raised, here
finally:
    with open("/proc/self/status", encoding="utf-8") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    print(json.dumps({"seconds": time.perf_counter() - start, "max_rss_mb": peak}), file=sys.stderr)
sys.exit(code if isinstance(code, int) else 0)
'''


def command(arguments: list[str], src: str, data_dir: Path, url: str = "") -> dict:
    """A ``diaspora`` command in a fresh process from ``src``: its wall time and peak RSS."""
    env = {**os.environ, "PYTHONPATH": src, "DIASPORA_ADMIN_TOKEN": TOKEN, "DIASPORA_DATA_DIR": str(data_dir)}
    env.pop("DIASPORA_DATABASE_URL", None)
    if url:
        env["DIASPORA_DATABASE_URL"] = url
    output = subprocess.run([sys.executable, "-c", COMMAND, *arguments], capture_output=True, text=True, env=env,
                            timeout=3600)
    lines = output.stderr.strip().splitlines()
    result = json.loads(next(line for line in reversed(lines) if line.startswith('{"seconds"')))
    result["outcome"] = "written" if output.returncode == 0 else next(
        (line for line in lines if line.startswith(("Error", "diaspora_observatory"))), lines[0])[:120]
    return result


def fill_answers_postgres(url: str, size: int, folder: Path) -> None:
    """The same answers as ``fill_answers`` on SQLite, copied into the PostgreSQL store."""
    from sqlalchemy import create_engine, insert, select

    from diaspora_observatory.survey.schema import submissions, surveys
    from diaspora_observatory.survey.storage import SurveyStore

    reset_postgres(url)
    SurveyStore(url).close()
    source = create_engine(f"sqlite:///{folder / 'survey.sqlite3'}")
    target = create_engine(url)
    with source.connect() as reading, target.begin() as writing:
        writing.execute(insert(surveys), [dict(row._mapping) for row in reading.execute(select(surveys))])
        result = reading.execute(select(*[c for c in submissions.columns if c.name != "id"]))
        while rows := result.fetchmany(5000):
            writing.execute(insert(submissions), [dict(row._mapping) for row in rows])
    source.dispose()
    target.dispose()


def served_sizes(sizes: list[int], src: str, label: str, port: int, postgres: str, peer_max: int) -> list[dict]:
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as temporary:
            folder = Path(temporary)
            if not ONLY or ONLY & {"coding-csv", "coding-json", "documents export"}:
                fill_documents(folder, size)
            fill_answers(folder, size)
            load_before = loadavg()
            for kind in ("coding-csv", "coding-json", "answers-export", "admin-page", "admin-page-last"):
                if not ONLY or kind in ONLY:
                    rows.append({"label": label, "kind": kind, "database": "sqlite", "size": size,
                                 **served(kind, folder, size, src, port)})
            exported = folder / "out"
            exported.mkdir(exist_ok=True)
            for kind, arguments, url in (
                    ("survey export (csv)", ["survey", "export", "kz", "--out", str(exported / "answers.csv")], ""),
                    *[(f"survey export ({suffix})",
                       ["survey", "export", "kz", "--out", str(exported / f"answers.{suffix}")], "")
                      for suffix in ("xlsx", "sav", "dta")],
                    *([("survey export (csv)", ["survey", "export", "kz", "--out", str(exported / "pg.csv")],
                        postgres)] if postgres else []),
                    ("documents export", ["documents", "export", "--out", str(exported / "documents"),
                                          "--data-dir", str(folder)], "")):
                if (ONLY and kind not in ONLY) or (not ONLY and kind.endswith(("(xlsx)", "(sav)", "(dta)"))):
                    continue
                if kind == "documents export" and label == "before" and size > peer_max:
                    continue  # every passage in pandas and the whole workbook in memory: not run so large
                if url:
                    fill_answers_postgres(url, size, folder)
                arguments = [*arguments, "--data-dir", str(folder)] if kind.startswith("survey") else arguments
                rows.append({"label": label, "kind": kind, "database": "postgresql" if url else "sqlite",
                             "size": size, **command(arguments, src, folder, url)})
            for row in rows:
                row.setdefault("load", f"{load_before} → {loadavg()}")
        print(served_table(rows), flush=True)
    return rows


def served_table(rows: list[dict]) -> str:
    lines = ["| code | measure | database | items | wall s | server peak RSS MB before → after (growth) | "
             "page workers' peak MB | output MB | load (1, 5, 15 min) |", "|---|---|---|---:|---:|---|---:|---:|---|"]
    for row in rows:
        if "before_mb" in row:
            memory = (f"{row['before_mb']:.0f} → {row['after_mb']:.0f} (+{row['after_mb'] - row['before_mb']:.0f})")
            lines.append(f"| {row['label']} | {row['kind']} | {row['database']} | {row['size']:,} | "
                         f"{row['seconds']:.2f} | {memory} | {row['workers_mb']:.0f} | {row['bytes'] / 2**20:.1f} | "
                         f"{row['load']} |")
        else:
            lines.append(f"| {row['label']} | {row['kind']} ({row['outcome']}) | {row['database']} | {row['size']:,} | "
                         f"{row['seconds']:.2f} | peak RSS of the command: {row['max_rss_mb']:.0f} |  |  | "
                         f"{row['load']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--peer-max", type=int, default=10_000,
                        help="largest size at which the whole-table, in-memory and per-row peers run")
    parser.add_argument("--postgres", default=os.environ.get("DIASPORA_BENCH_POSTGRES_URL", ""))
    parser.add_argument("--write", action="store_true", help=f"write the table to {RESULTS}")
    parser.add_argument("--untraced", action="store_true", help="no tracemalloc run (half the time)")
    parser.add_argument("--only", default="", help="comma-separated measures to run (default: every one)")
    parser.add_argument("--served", action="store_true", help="the exports sent by a real server, and the commands")
    parser.add_argument("--src", default=str(Path(__file__).resolve().parents[1] / "src"),
                        help="the source tree the served measures run (--served)")
    parser.add_argument("--label", default="after", help="what --src is, in the table (--served)")
    parser.add_argument("--port", type=int, default=8651, help="the served measures' port (--served)")
    args = parser.parse_args()
    if args.served:
        ONLY.update(part for part in args.only.split(",") if part)
        served_sizes([int(part) for part in args.sizes.split(",")], args.src, args.label, args.port, args.postgres,
                     args.peer_max)
        print(f"\nmachine: {machine()}")
        return
    global TRACED
    TRACED = not args.untraced
    ONLY.update(part for part in args.only.split(",") if part)
    rows = []
    for size in (int(part) for part in args.sizes.split(",")):
        rows += one_size(size, args.peer_max, args.postgres)
        print(table(rows), flush=True)
    text = table(rows)
    print(f"\nmachine: {machine()}")
    if args.write:
        RESULTS.write_text(f"# Exports and response imports at growing sizes\n\nmachine: {machine()}\n\n"
                           f"```\n{' '.join(sys.argv)}\n```\n\n{text}\n", encoding="utf-8")


if __name__ == "__main__":
    main()
