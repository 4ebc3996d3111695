"""Profile ``survey import-responses`` with cProfile: where an import's time goes (issue 15 item 2).

    PYTHONPATH=$PWD/src .venv/bin/python benchmarks/profile_import.py [--rows 10000] [--sort cumulative]
        [--url postgresql+psycopg://...]

The input is bench_exports.py's: a KoboToolbox CSV of ROWS valid answers to the built-in survey, imported
into a fresh SQLite store in a temporary folder (or the emptied database at --url). Prints the wall time
under the profiler and the 35 most expensive functions.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_exports import reset_postgres, write_import_inputs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime …)")
    parser.add_argument("--url", default="", help="a PostgreSQL database to empty and import into")
    args = parser.parse_args()
    from diaspora_observatory.survey import imports
    from diaspora_observatory.survey.default import default_form
    from diaspora_observatory.survey.storage import SurveyStore

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        write_import_inputs(folder, args.rows)
        if args.url:
            reset_postgres(args.url)
        store = SurveyStore(args.url or f"sqlite:///{folder / 'survey.sqlite3'}")
        try:
            store.add_survey("kz", default_form())
            profile = cProfile.Profile()
            start = time.perf_counter()
            profile.enable()
            summary = imports.import_responses(store, "kz", folder / "kobo.csv", "kobo")
            profile.disable()
            print(f"{summary.stored} rows stored in {time.perf_counter() - start:.2f} s (profiled)")
        finally:
            store.close()
    pstats.Stats(profile).sort_stats(args.sort).print_stats(35)


if __name__ == "__main__":
    main()
