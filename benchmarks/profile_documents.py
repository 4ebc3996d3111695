"""Profile ``documents import-list`` with cProfile: where a documents import's time goes (issue 15 item 2).

    PYTHONPATH=$PWD/src .venv/bin/python benchmarks/profile_documents.py [--articles 4000] [--sort tottime]
        [--workers 0] [--lines 40]

The input is bench_documents.py's: ARTICLES generated press articles (a quarter each English, Russian,
Kazakh Cyrillic, Kazakh 2021 Latin) written as .txt files with a manifest. The real command runs in this
process (``diaspora documents import-list manifest.csv --workers 0``, through the CLI's own entry point)
into a fresh data folder, under the profiler; the modules it imports are imported first, so their start
is not in the profile. Prints the processor time without the profiler (a first, unprofiled run into
another data folder), the time under the profiler, and the most expensive functions.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_documents import article  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sort", default="tottime", help="pstats sort key (cumulative, tottime …)")
    parser.add_argument("--workers", default="0", help="--workers of the command [default: 0, this process only]")
    parser.add_argument("--lines", type=int, default=40, help="functions shown")
    args = parser.parse_args()
    import os

    from diaspora_observatory.case.package import load_case
    from diaspora_observatory.cli import main as cli
    from diaspora_observatory.documents import cli as documents_cli  # noqa: F401

    load_case()
    rng = random.Random(args.seed)
    kinds = [("en", False), ("ru", False), ("kk", False), ("kk", True)]
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        rows = ["file,kind,date,id"]
        for number in range(args.articles):
            (folder / f"a{number}.txt").write_text(article(rng, *kinds[number % 4]), encoding="utf-8")
            rows.append(f"a{number}.txt,press,2024,item-{number}")
        (folder / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")

        def run(data_dir: Path) -> None:
            os.environ["DIASPORA_DATA_DIR"] = str(data_dir)
            try:
                cli(["documents", "import-list", str(folder / "manifest.csv"), "--workers", args.workers],
                    standalone_mode=False)
            finally:
                del os.environ["DIASPORA_DATA_DIR"]

        processor = time.process_time()
        run(folder / "plain")
        print(f"unprofiled: {time.process_time() - processor:.2f} s of processor time "
              f"({args.articles:,} articles; first run in this process, caches empty)")
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.enable()
        run(folder / "profiled")
        profile.disable()
        print(f"profiled: {time.perf_counter() - start:.2f} s (second run: the stem and piece caches are warm)")
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.lines)


if __name__ == "__main__":
    main()
