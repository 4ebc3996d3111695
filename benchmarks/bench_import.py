"""Benchmark: import a UN DESA Table 1 of full size (about 24,000 rows, 24 year-by-sex columns) as .xlsx
and as .csv; time and peak memory of each, each in a fresh process.

    .venv/bin/python benchmarks/bench_import.py [--rows 24000] [--repeat 3]

Peak memory is measured two ways: the Python allocations during the import (tracemalloc) and the whole
process's maximum resident set size (interpreter, pandas and openpyxl included).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
from pathlib import Path

YEARS = [1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024]
HEADER = ["Index", "Region, development group, country or area of destination", "Notes of destination",
          "Location code of destination", "Type of data of destination",
          "Region, development group, country or area of origin", "Location code of origin"]


def table1_rows(rows: int, seed: int = 2024) -> list[list]:
    """A synthetic Table 1: ~10 title rows, the sex labels, the header, then ``rows`` (destination, origin)
    pairs of real ISO countries and some aggregates, with '..' for about 2% of the cells."""
    import pycountry

    random.seed(seed)
    countries = sorted(int(c.numeric) for c in pycountry.countries)
    aggregates = [900, 903, 935, 947, 1503, 1517, 5500]
    sheet: list[list] = [["International migrant stock 2024: destination and origin"]] + [[f"Note {i}"]
                                                                                         for i in range(8)] + [[]]
    sheet.append([None] * len(HEADER) + ["Both sexes"] + [None] * 7 + ["Male"] + [None] * 7 + ["Female"] + [None] * 7)
    sheet.append([*HEADER, *YEARS * 3])
    places = [*aggregates, *countries]
    for index in range(rows):
        destination = places[index // len(places) % len(places)]
        origin = places[index % len(places)]
        both = [random.randint(0, 2_000_000) for _ in YEARS]
        male = [value // 2 for value in both]
        female = [b - m for b, m in zip(both, male)]
        values = [".." if random.random() < 0.02 else v for v in both + male + female]
        sheet.append([index + 1, f"Place {destination}", None, destination, random.choice(["B", "B R", "C", "I"]),
                      f"Place {origin}", origin, *values])
    return sheet


def write_inputs(folder: Path, rows: int) -> tuple[Path, Path]:
    import openpyxl

    sheet_rows = table1_rows(rows)
    book = openpyxl.Workbook(write_only=True)
    table = book.create_sheet("Table 1")
    for row in sheet_rows:
        table.append(row)
    xlsx = folder / "undesa_full_size.xlsx"
    book.save(xlsx)
    csv_path = folder / "undesa_full_size.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(sheet_rows)
    return xlsx, csv_path


MEASURE = """
import json, os, resource, sys, time, tracemalloc
from diaspora_observatory.importers.undesa import read_undesa
import pandas, openpyxl  # loaded before timing: the import of libraries is not the import of the file
if os.environ.get("BENCH_NO_CALAMINE"):
    sys.modules["python_calamine"] = None
else:
    import python_calamine  # noqa: F401
baseline_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
tracemalloc.start()
start, cpu_start = time.perf_counter(), time.process_time()
imported = read_undesa(sys.argv[1])
seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "traced_peak_mb": peak / 2**20,
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "baseline_rss_mb": baseline_rss,
                  "rows": len(imported.table), "aggregate_rows": len(imported.aggregates)}))
"""

MEASURE_UNTRACED = MEASURE.replace("tracemalloc.start()", "").replace(
    "_, peak = tracemalloc.get_traced_memory()\ntracemalloc.stop()", "peak = 0")


def measure(path: Path, traced: bool, calamine: bool = True) -> dict:
    env = {**os.environ, **({} if calamine else {"BENCH_NO_CALAMINE": "1"})}
    output = subprocess.run([sys.executable, "-c", MEASURE if traced else MEASURE_UNTRACED, str(path)],
                            capture_output=True, text=True, check=True, env=env)
    return json.loads(output.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=24_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        xlsx, csv_path = write_inputs(Path(folder), args.rows)
        print(f"machine: {platform.machine()}, {platform.system()} {platform.release()}, Python "
              f"{platform.python_version()}")
        print(f"input: {args.rows:,} data rows x {len(HEADER) + 24} columns; xlsx "
              f"{xlsx.stat().st_size / 2**20:.1f} MB, csv {csv_path.stat().st_size / 2**20:.1f} MB")
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        runs = [("xlsx, python-calamine", xlsx, True), ("xlsx, openpyxl fallback", xlsx, False),
                ("csv", csv_path, True)]
        for label, path, calamine in runs:
            times = [measure(path, traced=False, calamine=calamine) for _ in range(args.repeat)]
            traced = measure(path, traced=True, calamine=calamine)
            best = min(times, key=lambda r: r["seconds"])
            print(f"{label}: wall best {best['seconds']:.2f} s, median "
                  f"{sorted(r['seconds'] for r in times)[len(times) // 2]:.2f} s; CPU best "
                  f"{min(r['cpu_seconds'] for r in times):.2f} s ({args.repeat} runs); peak Python allocations "
                  f"{traced['traced_peak_mb']:.0f} MB; process max RSS {max(r['max_rss_mb'] for r in times):.0f} MB "
                  f"of which {best['baseline_rss_mb']:.0f} MB before the import; {best['rows']:,} country rows, "
                  f"{best['aggregate_rows']:,} aggregate rows")


if __name__ == "__main__":
    main()
