"""Automatic coding throughput on a generated corpus of press-length articles in three languages, and the
throughput of ``diaspora documents import-list`` against the floor of storing the same files.

    python benchmarks/bench_documents.py [--articles 10000] [--seed 1]
    python benchmarks/bench_documents.py --import-list 4000 [--src SRC_DIR ...] [--workers N ...]

The corpus is made here: 300 to 600 words per article, a quarter each English, Russian, Kazakh in
Cyrillic and Kazakh in the Latin alphabet. Most words are inflected filler; about one word in twenty-five
comes from the codebook's vocabulary (inflected too), so the matcher meets both misses and hits the way it
would in press text. The figure reported is articles coded per second with the default codebook, one
process, after compiling the codebook; the stem cache starts empty.

With ``--import-list N`` it writes N such articles as .txt files with a manifest, measures the floor —
reading every file and storing its text in SQLite in one durable transaction (WAL, synchronous=FULL, as
the documents store is set up) — and then runs the real command, ``diaspora documents import-list``, in a
fresh process and data folder for each ``--src`` folder given (the code under test: for example the
checkout before a change and after it), reporting articles/s and the ratio to the floor. A process's
start-up (Python and imports) is part of what a user waits for, so it is in the figure; it is also
measured alone (``diaspora documents codebook``) and shown beside it. Each ``--workers`` value runs the
command again with that option (a checkout without the option runs once, as it is); every run's store is
compared row by row with the first run's, documents and passages in their order of storage, and the
benchmark stops if any differs.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from diaspora_observatory.documents.codebook import load_codebook
from diaspora_observatory.documents.coding import compile_codebook
from diaspora_observatory.documents.language import latin_to_cyrillic
from diaspora_observatory.documents.stemming import stemmer

FILLER = {
    "en": ("the government said on monday that new rules for regional offices will apply from next year while "
           "officials in several districts discussed roads water prices schools weather harvest transport "
           "committee meeting reported increased decreased council budget programme citizens residents families "
           "markets cities villages visited announced planned considered").split(),
    "ru": ("правительство сообщило в понедельник что новые правила для региональных офисов будут применяться "
           "со следующего года при этом чиновники нескольких районов обсуждали дороги воду цены школы погоду "
           "урожай транспорт комитет заседание бюджет программу граждан жителей семьи рынки города села "
           "посетили объявили планировали рассматривали").split(),
    "kk": ("үкімет дүйсенбі күні өңірлік кеңселерге арналған жаңа ережелер келесі жылдан бастап қолданылатынын "
           "хабарлады бірнеше аудандағы шенеуніктер жолдарды суды бағаларды мектептерді ауа райын егінді көлікті "
           "комитет отырысы бюджет бағдарлама азаматтар тұрғындар отбасылар нарықтар қалалар ауылдар барды "
           "жариялады жоспарлады қарады").split(),
}
TERMS = {
    "en": ["repatriation", "repatriates", "quotas", "social assistance", "integration", "Kazakh language",
           "bilingual schools", "national identity", "culture", "soft power", "cooperation with the diaspora",
           "compatriots", "investment", "investors", "universities", "scientific research", "brain drain",
           "tourism", "online platform", "embassy", "consular registration", "labour migrants", "remittances"],
    "ru": ["репатриации", "репатриантов", "квоты", "социальной помощи", "интеграции", "казахского языка",
           "родном языке", "национальной идентичности", "культуры", "мягкой силы", "соотечественников",
           "инвестиций", "инвесторы", "университетов", "научных исследований", "утечки мозгов", "туризма",
           "онлайн", "посольства", "консульского учета", "трудовых мигрантов", "денежных переводов"],
    "kk": ["репатриация", "қандастарға", "квоталар", "әлеуметтік көмек", "бейімделу", "қазақ тілін", "ана тілінде",
           "ұлттық бірегейлік", "мәдениеті", "жұмсақ күш", "отандастар", "инвестиция", "кәсіпкерлер",
           "университеттер", "ғылыми зерттеу", "туризм", "онлайн", "елшілігі", "консулдық есеп",
           "еңбек мигранттары"],
}
_CYRILLIC_TO_LATIN = {"а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e", "ж": "j",
                      "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "ñ",
                      "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "ū", "ү": "ü",
                      "ф": "f", "х": "h", "һ": "h", "ц": "s", "ч": "ç", "ш": "ş", "ы": "y", "і": "ı", "э": "e",
                      "ю": "iu", "я": "ia", "ё": "io", "щ": "ş", "ь": "", "ъ": ""}


def to_latin(text: str) -> str:
    return "".join(_CYRILLIC_TO_LATIN.get(ch, ch) for ch in text)


def article(rng: random.Random, language: str, latin: bool) -> str:
    words: list[str] = []
    target = rng.randint(300, 600)
    while len(words) < target:
        if rng.random() < 0.04:
            words.extend(rng.choice(TERMS[language]).split())
        else:
            word = rng.choice(FILLER[language])
            # vary endings so the stem cache meets more than a fixed vocabulary
            words.append(word + rng.choice(["", "", "s", "ed"] if language == "en" else ["", "", "ы", "ами"]
                                           if language == "ru" else ["", "", "дың", "ға", "лар"]))
        if rng.random() < 0.07:
            words[-1] += "."
    text = " ".join(words)
    return to_latin(text) if latin else text


def _store_floor(folder: Path, names: list[str]) -> tuple[float, float]:
    """Seconds (of the clock, and of processor time) to read every file and store its text in SQLite in one
    durable transaction."""
    database = folder / "floor.sqlite"
    started, processor = time.perf_counter(), time.process_time()
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("CREATE TABLE documents (document_id TEXT PRIMARY KEY, text TEXT NOT NULL)")
    with connection:
        connection.executemany("INSERT INTO documents VALUES (?, ?)",
                               ((name, (folder / name).read_text(encoding="utf-8")) for name in names))
    connection.close()
    return time.perf_counter() - started, time.process_time() - processor


def _processor_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_cli(src: Path, data_dir: Path, *arguments: str) -> tuple[float, float, str]:
    """Seconds of the clock and of processor time (the command's and its workers') a run of the command took."""
    environment = {**os.environ, "PYTHONPATH": str(src), "DIASPORA_DATA_DIR": str(data_dir)}
    started, processor = time.perf_counter(), _processor_seconds()
    result = subprocess.run([sys.executable, "-c", "from diaspora_observatory.cli import main; main()", "documents",
                             *arguments], env=environment, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, _processor_seconds() - processor, result.stdout.strip().splitlines()[0]


def _stored_rows(data_dir: Path) -> tuple[list[tuple], list[tuple]]:
    """The documents and passages a run stored, in their order of storage (the passages without their time)."""
    [database] = (data_dir / "documents").glob("*.sqlite")
    with sqlite3.connect(database) as connection:
        documents = connection.execute("SELECT * FROM documents ORDER BY rowid").fetchall()
        columns = [row[1] for row in connection.execute("PRAGMA table_info(passages)") if row[1] != "created"]
        passages = connection.execute(f"SELECT {', '.join(columns)} FROM passages ORDER BY rowid").fetchall()
    connection.close()
    return documents, passages


def bench_import_list(count: int, seed: int, sources: list[Path], workers: list[str]) -> None:
    rng = random.Random(seed)
    kinds = [("en", False), ("ru", False), ("kk", False), ("kk", True)]
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        names = []
        rows = ["file,kind,date,id"]
        for number in range(count):
            name = f"a{number}.txt"
            (folder / name).write_text(article(rng, *kinds[number % 4]), encoding="utf-8")
            names.append(name)
            rows.append(f"{name},press,2024,item-{number}")
        (folder / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        floor, floor_processor = _store_floor(folder, names)
        print(f"machine: {platform.machine()}, {os.cpu_count()} processors, {platform.python_implementation()} "
              f"{platform.python_version()}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"corpus: {count:,} articles; floor (read + store in one transaction): {floor:.2f} s, "
              f"{count / floor:,.0f} articles/s; processor time {floor_processor:.2f} s")
        first: tuple[str, tuple[list[tuple], list[tuple]]] | None = None
        for number, src in enumerate(sources):
            startup, startup_processor, _ = _run_cli(src, folder / f"startup{number}", "codebook", "--format", "csv")
            # the code before --workers existed runs as it is; the options are for the checkouts that know them
            for option in workers if (src / "diaspora_observatory" / "documents" / "ingest_workers.py").exists() \
                    else [""]:
                data_dir = folder / f"data{number}-{option or 'default'}"
                seconds, processor, summary = _run_cli(src, data_dir, "import-list", str(folder / "manifest.csv"),
                                                       *(["--workers", option] if option else []))
                work = max(seconds - startup, 1e-9)
                label = f"{src}{f' --workers {option}' if option else ''}"
                print(f"{label}: import-list {seconds:.2f} s, {count / seconds:,.0f} articles/s, "
                      f"{floor / seconds:.3f}x the floor (process start-up alone {startup:.2f} s; without it "
                      f"{count / work:,.0f} articles/s, {floor / work:.3f}x); processor time {processor:.2f} s "
                      f"({startup_processor:.2f} s of it start-up)\n  {summary}")
                stored = _stored_rows(data_dir)
                if first is None:
                    first = (label, stored)
                elif stored != first[1]:
                    raise SystemExit(f"{label} stored other documents or passages than {first[0]}")
                else:
                    print(f"  the same {len(stored[0]):,} documents and {len(stored[1]):,} passages, row by row and "
                          f"in the same order, as {first[0]}")
        print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--import-list", type=int, default=0, metavar="N",
                        help="measure `documents import-list` on N articles against the store-only floor")
    parser.add_argument("--src", type=Path, action="append", default=None,
                        help="source folder of the code to run (repeatable) [default: this checkout's src]")
    parser.add_argument("--workers", action="append", default=None, metavar="N",
                        help="run import-list with --workers N too (repeatable; 'default' for none given) "
                             "[default: only the command's default]")
    args = parser.parse_args()
    if args.import_list:
        sources = args.src or [Path(__file__).resolve().parents[1] / "src"]
        workers = ["" if option == "default" else option for option in args.workers or ["default"]]
        bench_import_list(args.import_list, args.seed, [src.resolve() for src in sources], workers)
        return
    rng = random.Random(args.seed)
    kinds = [("en", False), ("ru", False), ("kk", False), ("kk", True)]
    corpus = [(kinds[i % 4][0], article(rng, *kinds[i % 4])) for i in range(args.articles)]
    kind_of = [kinds[i % 4] for i in range(args.articles)]
    words = sum(len(text.split()) for _, text in corpus)
    assert latin_to_cyrillic(to_latin("қазақ тілі")) == "қазақ тілі"

    started = time.perf_counter()
    coder = compile_codebook(load_codebook())
    compile_seconds = time.perf_counter() - started
    for language in ("en", "ru", "kk"):
        stemmer(language).cache_clear()

    started = time.perf_counter()
    passages = sum(len(coder.code_text(text, language, str(i))) for i, (language, text) in enumerate(corpus))
    seconds = time.perf_counter() - started

    started = time.perf_counter()
    for i, (language, text) in enumerate(corpus):
        coder.code_text(text, language, str(i))
    warm = time.perf_counter() - started

    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    print(f"corpus: {len(corpus):,} articles, {words:,} words, {sum(len(t) for _, t in corpus):,} characters")
    print(f"codebook compiled in {compile_seconds * 1000:.1f} ms")
    print(f"coded (cold stem cache): {seconds:.2f} s, {len(corpus) / seconds:,.0f} articles/s, "
          f"{words / seconds:,.0f} words/s, {passages:,} passages")
    print(f"coded (warm stem cache): {warm:.2f} s, {len(corpus) / warm:,.0f} articles/s")
    for language, latin in kinds:
        subset = [(i, t) for i, (_, t) in enumerate(corpus) if kind_of[i] == (language, latin)]
        started = time.perf_counter()
        for i, text in subset:
            coder.code_text(text, language, str(i))
        elapsed = time.perf_counter() - started
        label = f"{language}{' (Latin)' if latin else ''}"
        print(f"  {label:<12} {len(subset):>6,} articles, {len(subset) / elapsed:,.0f} articles/s")


if __name__ == "__main__":
    main()
