"""A real ``diaspora serve`` keeps answering ``/`` while the survey results page of a new snapshot is first
computed (issue 15: "no page of the observatory blocks another visitor while it is computed"): the first view
is counted and drawn in the results page's worker process (survey/results_worker.py), not in the server's
interpreter. The documents pages' equivalent is tests/web/test_web_hostile.py (the survey's answers while a
long document is read); this is the same measure for the results page, at a modest size.

What it catches and what it does not: a first view computed on the event loop holds every probe sent during
it until the page is done (seconds at this size), far past the bound. At 3,000 answers it does not tell the
worker process from the server's threads: the code before the worker (683dba5, first views in threads) met it
too at a load of 13.6 (p95 33.4 ms against 25.4 ms with the worker at 13.4, one round each). That difference
shows at 10k-100k answers, measured by benchmarks/bench_growth.py (benchmarks/results/growth.md); the worker
itself is tested in test_survey_results_worker.py."""

from __future__ import annotations

import math
import os
import statistics
import threading
import time
import uuid
from concurrent.futures import wait
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from serving import serving
from survey_helpers import ADMIN_TOKEN, VALID_ANSWERS

pytestmark = pytest.mark.slow  # a real server and 3,000 answers

SIZE = 3000  # answers in the first snapshot: each first view counts them all again (a new snapshot each time)
VIEWS = 6  # first views of a round, each of a new snapshot (the threshold's 10 answers posted before it)
ROUNDS = 3  # rounds at most; the first that meets the bound ends the test (load only ever adds time)
MIN_BUSY = 20  # probes of `/` a round needs while a first view is computed
PROBE_EVERY = 0.02  # s between two probes of `/`
SENT_MARGIN = 0.005  # s: a probe sent this long after a view was asked for counts as busy (the request is in)
BOUND = 0.050  # s: the bound on `/` while a large view is first computed


def answers(number: int) -> dict:
    return {**VALID_ANSWERS, "identity_news": str(1 + number % 5), "identity_dress": str(1 + number * 7 % 5),
            "gender": ("male", "female")[number % 2], "home_language": ("mainly_kazakh", "mainly_russian")[number % 3 > 0]}


def filled(data_dir: Path) -> Path:
    """SIZE answers stored through the survey's own group commit (as the web API stores them) and published as
    snapshot 1."""
    from diaspora_observatory.survey.default import DEFAULT_SLUG, default_form
    from diaspora_observatory.survey.storage import SurveyStore

    store = SurveyStore.for_data_dir(data_dir, group_commit=True)
    try:
        store.add_survey(DEFAULT_SLUG, default_form())
        done, _ = wait([store.submit_later(DEFAULT_SLUG, f"latency-{number:06d}", answers(number), "api")
                        for number in range(SIZE)], timeout=300)
        assert len(done) == SIZE and all(future.exception() is None for future in done)
        assert store.snapshot_state(DEFAULT_SLUG).size == SIZE
    finally:
        store.close()
    return data_dir


@contextmanager
def running_server(data_dir: Path):
    """``diaspora serve`` (tests/serving.py) once ``/`` answers; yields its base URL. DIASPORA_TEST_SERVER_PORT:
    a port of one's own on a shared machine; else any free one."""
    port = int(os.environ.get("DIASPORA_TEST_SERVER_PORT") or 0) or None
    with serving(data_dir, port=port, unset=["DIASPORA_DATABASE_URL"],
                 environment={"DIASPORA_ADMIN_TOKEN": ADMIN_TOKEN, "DIASPORA_SURVEY_RATE_LIMIT": "100000"}) as running:
        yield running.base


def percentile(values: list[float], fraction: float) -> float:
    """The value at ``fraction`` of the sorted ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def home_times_during_first_views(base: str, round_number: int) -> tuple[list[float], list[float],
                                                                         list[tuple[float, float, int, int]]]:
    """``/``'s answer times while VIEWS first views of new snapshots are computed (busy) and between them
    (idle), with each view (asked, answered, status, snapshot number)."""
    views: list[tuple[float, float, int, int]] = []
    probes: list[tuple[float, float]] = []
    stop = threading.Event()

    def prober() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while not stop.is_set():
                sent = time.perf_counter()
                assert client.get("/").status_code == 200
                probes.append((sent, time.perf_counter() - sent))
                stop.wait(PROBE_EVERY)

    probing = threading.Thread(target=prober)
    probing.start()
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            for view in range(VIEWS):
                for number in range(10):  # the threshold: the next view takes a new snapshot and computes it
                    posted = client.post("/s/kz/submissions", json={
                        "submission_id": f"round{round_number}-{view}-{number}-{uuid.uuid4().hex[:8]}",
                        "answers": answers(number)})
                    assert posted.status_code == 201, posted.text
                time.sleep(0.3)  # idle probes between views
                asked = time.perf_counter()
                page = client.get("/s/kz/results.json")
                views.append((asked, time.perf_counter(), page.status_code,
                              page.json()["snapshot"]["number"] if page.status_code == 200 else 0))
    finally:
        stop.set()
        probing.join(timeout=60)
    busy = [took for sent, took in probes if any(asked + SENT_MARGIN <= sent <= done for asked, done, _, _ in views)]
    idle = [took for sent, took in probes if not any(asked - 0.05 <= sent <= done + 0.05 for asked, done, _, _ in views)]
    return busy, idle, views


def test_home_answers_within_50_ms_while_new_snapshots_are_first_computed(tmp_path):
    """Judged on the 95th percentile of ``/``'s answer times over the probes sent while a first view of a new
    snapshot of 3,000+ answers was computed (at least MIN_BUSY of them): at most 50 ms, in one round of ROUNDS
    (the least disturbed one: the shared machine's load adds time in bursts). Each view must answer 200 with
    the new snapshot, never the previous one. A server computing the page in its own interpreter (on the event
    loop, or in its threads holding the lock while pandas works) holds ``/`` behind it."""
    with running_server(filled(tmp_path / "data")) as base:
        rounds = []
        expected = 1
        for round_number in range(ROUNDS):
            busy, idle, views = home_times_during_first_views(base, round_number)
            expected += VIEWS
            assert [status for _, _, status, _ in views] == [200] * VIEWS, views
            # a new snapshot each time, each view the new one (never the page of the one before)
            assert [number for *_, number in views] == list(range(expected - VIEWS + 1, expected + 1)), views
            slowest = max(done - asked for asked, done, _, _ in views)
            rounds.append(f"`/` p50/p95/max while a first view computes {statistics.median(busy) * 1000:.1f}/"
                          f"{percentile(busy, 0.95) * 1000:.1f}/{max(busy) * 1000:.1f} ms ({len(busy)}), between "
                          f"views {statistics.median(idle) * 1000:.1f}/{percentile(idle, 0.95) * 1000:.1f}/{max(idle) * 1000:.1f} ms "
                          f"({len(idle)}); slowest first view {slowest:.2f} s; load {os.getloadavg()[0]:.1f}")
            print(f"results page, round {len(rounds)}: {rounds[-1]}")
            assert len(busy) >= MIN_BUSY, rounds[-1]
            if percentile(busy, 0.95) <= BOUND:
                break
        else:
            pytest.fail("in every round `/` took more than 50 ms at the 95th percentile while the results page of a "
                        "new snapshot was first computed:\n" + "\n".join(rounds))
