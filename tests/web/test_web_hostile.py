"""A real ``diaspora serve`` under hostile clients: a huge document page, slow headers and bodies, foreign Hosts,
forwarded addresses. The survey must keep answering while all of it goes on."""

from __future__ import annotations

import math
import os
import re
import socket
import statistics
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from serving import serving

from diaspora_observatory import load_case
from diaspora_observatory.cli import main
from diaspora_observatory.documents.importer import Document
from diaspora_observatory.documents.workspace import Workspace

# Every test here talks to a real `diaspora serve` process over sockets (slow clients, connection caps, the
# latency of the survey while a large document is read): `make test-fast` leaves them to `make test`.
pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
SEED_TEXT = REPO / ".." / "shared" / "seed" / "kazakh-diaspora-central-asia.txt"
ADMIN = "hostile-test-admin-token"
REPEATS = 16  # the study 16 times over: 1.1 MB, larger than the 800 KB law whose page took 365 s before


def survey_data(data_dir: Path, text: str | None = None, documents: tuple[str, ...] = ("big",)) -> Path:
    """A data folder with a survey added by ``diaspora survey add`` (slug wave3), and the document ``text``
    under each id of ``documents``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if text is not None:
        workspace = Workspace(load_case(), data_dir)
        for document_id in documents:
            workspace.import_document(Document(document_id, "The study, 16 times", "law", "2024", "en", text))
    form = data_dir / "wave3.xlsx"
    runner = CliRunner()
    assert runner.invoke(main, ["survey", "default", "--out", str(form)]).exit_code == 0
    added = runner.invoke(main, ["survey", "add", str(form), "--slug", "wave3", "--data-dir", str(data_dir)])
    assert added.exit_code == 0, added.output
    return data_dir


@contextmanager
def running_server(data_dir: Path, *options: str):
    """``diaspora serve`` on a free port with ``options`` (tests/serving.py), once /s/wave3 answers; yields (base
    URL, port, its output so far)."""
    with serving(data_dir, *options, probe="/s/wave3", environment={"DIASPORA_ADMIN_TOKEN": ADMIN}) as running:
        yield running.base, running.port, running.output


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server holding a 1.1 MB document and a survey added with ``diaspora survey add``; 1 s client timeout."""
    text = "\n\n".join([SEED_TEXT.read_text(encoding="utf-8")] * REPEATS)
    data_dir = survey_data(tmp_path_factory.mktemp("hostile-data"), text, ROUND_DOCUMENTS)
    with running_server(data_dir, "--client-timeout", "1", "--allow-host", "observatory.example",
                        "--trusted-proxy", "127.0.0.1") as (base, port, output):
        yield base, port, text, output


def percentile(values: list[float], fraction: float) -> float:
    """The value at ``fraction`` of the sorted ``values`` (nearest rank): 0.95 of 40 values is the 38th."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


PROBES = 60  # survey answers measured in a round while a document page is computed, and as many while none is
ROUNDS = 3  # rounds at most; the first that meets the bound ends the test
ROUND_SECONDS = 180  # the longest a round collects its probes (90 s gave 29 busy probes in the whole suite on a
# quiet machine once pages cost 13-17 ms: fewer probes fall while a page computes)
# On a quiet machine only a round's first page is slow (the document's sentences are then cached) and the
# others take milliseconds, so few probes fall while a page computes: 43 and 45 of the 60 asked for arrived
# in 90 and 240 s inside the whole suite at load 2. A round is judged on at least MIN_BUSY of them (its 95th
# percentile is then about the second or third longest); a loaded machine reaches PROBES far sooner.
MIN_BUSY = 30
# Each round reads a document of its own from page 1. Since the spans of a long text are found at import, every
# page costs 13-17 ms of CPU, the first included; since the pages are drawn in worker processes
# (documents/pagework.py) none of it is spent in the server's interpreter (benchmarks/results/latency.md).
ROUND_DOCUMENTS = ("big", "big-2", "big-3")
PAGE_MARGIN = 0.05  # s: a probe this close to a page request is not counted as idle
SENT_MARGIN = 0.005  # s: a probe sent this long after a page request counts as busy (the request has arrived)
BOUND = 0.050  # s: the bound on the survey's answer while a document page is computed


def test_the_survey_answers_within_50_ms_while_a_huge_document_is_read(server):
    """The issue: "/s/<slug> still answers within 50 ms while a large document page is opened".

    Judged on the 95th percentile of the survey form's answer times over the probes sent while a page of the
    1.1 MB document was being computed (at least MIN_BUSY of them, up to PROBES): it must be at most 50 ms. A
    reader asks for a page, waits as long as the page took, asks for the next; a prober asks for /s/wave3 every
    20 ms on a warm connection. Probes sent while no page is near give the idle server's own times, printed
    beside, so that a failing round shows whether the page or the machine cost the time.

    Not a lone maximum: on the shared two-core test machine other processes' load adds time in bursts (the
    idle server's 95th percentile reached 47-125 ms at load averages of 12-21 when pages were computed in
    threads). For the same reason up to ROUNDS rounds: load only ever adds time, so the least disturbed round
    is the best estimate of what the server itself does (as timeit takes the least of its repeats).

    A server that stalls fails every round: a probe that waited out a page is one sample however long the page,
    so a stall can hide from the 95th percentile, and it is caught by the probes sent while a page still had
    time to run: on the event loop every one of them is answered only once the page is done; off it most are
    answered while it runs. A round in which most of them waited out their page stalled. (Checked both ways
    with a patched copy, not committed: pages drawn on the event loop failed every round on that check.) A round
    with no such probe cannot tell a stall that way; no page then had that long to run while probed, and the
    95th percentile alone decides.
    """
    base, _, text, _ = server
    rounds = []
    for document_id in ROUND_DOCUMENTS[:ROUNDS]:
        busy, idle, pages, probes = survey_times_while_reading(base, document_id)
        slowest = max(e - s for s, e, _ in pages)
        waited, counted = answered_after_their_page(probes, pages, max(STALL_ROOM, 2 * percentile(idle, 0.95)))
        # the stall check needs probes sent while a page still had `room` to run; with none (every page
        # shorter than that while probed, as on a quiet machine with pages drawn in worker processes: slowest
        # 0.07-0.10 s, 800 pages a round), no page held the server long enough to push an answer past the
        # bound, and the round is judged by its 95th percentile alone
        waited_out = counted > 0 and waited * 2 > counted
        rounds.append(f"p50/p95/max: a page computing {statistics.median(busy) * 1000:.1f}/"
                      f"{percentile(busy, 0.95) * 1000:.1f}/{max(busy) * 1000:.1f} ms ({len(busy)}), no page "
                      f"{statistics.median(idle) * 1000:.1f}/{percentile(idle, 0.95) * 1000:.1f}/"
                      f"{max(idle) * 1000:.1f} ms ({len(idle)}); pages: {len(pages)}, slowest {slowest:.2f} s; "
                      f"answered only after their page: {waited} of {counted}; load {os.getloadavg()[0]:.1f}")
        print(f"survey form, round {len(rounds)}: {rounds[-1]}")
        assert pages and all(status == 200 for _, _, status in pages), pages
        assert len(busy) >= MIN_BUSY and len(idle) >= PROBES, (len(busy), len(idle))
        if percentile(busy, 0.95) <= BOUND and not waited_out:
            break
    else:
        pytest.fail("in every round the survey's 95th-percentile answer took more than 50 ms while a document page "
                    "was computed, or most survey answers sent early in a page waited it out:\n" + "\n".join(rounds))
    first = httpx.get(f"{base}/coding/big", timeout=30).text
    second_sentence = text.split(". ")[1][:30]
    assert "Page 1 / " in first and f'data-start="{text.index(second_sentence)}" id="s2">{second_sentence}' in first


def survey_times_while_reading(base: str, document_id: str) -> tuple[list[float], list[float],
                                                                     list[tuple[float, float, int]],
                                                                     list[tuple[float, float]]]:
    """The survey form's answer times while a reader goes through the document (busy) and between its pages
    (idle), PROBES of each, with the reader's page requests (start, end, status) and every probe (sent,
    answered)."""
    pages: list[tuple[float, float, int]] = []
    stop = threading.Event()

    def reader() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            page = 0
            while not stop.is_set():
                started = time.perf_counter()
                pages.append((started, math.inf, 0))  # in flight: probes from now on are busy ones
                # from page 1 (the long one), then the others, drawn anew each time
                response = client.get(f"/coding/{document_id}?page={page % 60 + 1}")
                ended = time.perf_counter()
                pages[-1] = (started, ended, response.status_code)
                page += 1
                # an idle stretch as long as the page (0.2-1 s), for the idle probes
                stop.wait(min(max(ended - started, 0.2), 1.0))

    probes: list[tuple[float, float]] = []
    busy: list[float] = []
    idle: list[float] = []
    with httpx.Client(base_url=base, timeout=5) as probe:
        probe.get("/s/wave3")  # a warm connection: the probe measures the server, not the TCP handshake
        thread = threading.Thread(target=reader)
        thread.start()
        try:
            deadline = time.perf_counter() + ROUND_SECONDS  # see MIN_BUSY
            while (len(busy) < PROBES or len(idle) < PROBES) and time.perf_counter() < deadline:
                started = time.perf_counter()
                response = probe.get("/s/wave3")
                probes.append((started, time.perf_counter()))
                assert response.status_code == 200
                # a page starting just after a probe can still turn it from idle to neither: count as idle
                # only the probes that ended before any page not yet seen can have started
                settled = [p for p in probes if p[1] < time.perf_counter() - 2 * PAGE_MARGIN]
                busy, idle = classified(probes, pages)[0], classified(settled, pages)[1]
                time.sleep(0.02)
        finally:
            stop.set()
            thread.join(timeout=60)
    busy, idle = classified(probes, pages)
    return busy, idle, pages, probes


STALL_ROOM = 0.030  # s: a page with less than this left to compute cannot tell a stall from a plain answer
ANSWER_SLACK = 0.005  # s: an answer this close to its page's end counts as given only once the page was done


def answered_after_their_page(probes: list[tuple[float, float]], pages: list[tuple[float, float, int]],
                              room: float) -> tuple[int, int]:
    """(answered only once the page was done, all) of the probes sent while a page had at least ``room`` left
    to compute. A server that computes pages on its event loop answers every such probe only after the
    page; one that computes them in a thread answers most of them while the page goes on."""
    waited = counted = 0
    for sent, answered in probes:
        page = next(((start, end) for start, end, _ in pages if start + SENT_MARGIN <= sent < end), None)
        if page is None or page[1] - sent < room:
            continue
        counted += 1
        waited += answered >= page[1] - ANSWER_SLACK
    return waited, counted


def classified(probes: list[tuple[float, float]], pages: list[tuple[float, float, int]]) -> tuple[list, list]:
    """The probes' times split into (sent while a page was being computed, while none was). A probe sent
    during a page counts as busy however long it took, also when it was answered only after the page."""
    busy, idle = [], []
    for start, end in probes:
        if any(page_start + SENT_MARGIN <= start < page_end for page_start, page_end, _ in pages):
            busy.append(end - start)
        elif not any(start < page_end + PAGE_MARGIN and page_start - PAGE_MARGIN < end
                     for page_start, page_end, _ in pages):
            idle.append(end - start)
    return busy, idle


def raw_exchange(port: int, data: bytes, wait: float = 6.0) -> tuple[bytes, float]:
    """Send ``data`` and read until the server closes the connection; returns what came and when it closed."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        started = time.monotonic()
        sock.sendall(data)
        received = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                pytest.fail(f"the server kept the connection open for {wait} s")
            if not chunk:
                return received, time.monotonic() - started
            received += chunk


def test_slow_headers_are_cut_off(server):
    _, port, _, _ = server
    received, closed_after = raw_exchange(port, b"GET /s/wave3 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1")
    assert received.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert received.endswith(b"The request did not arrive in time (1 s); send it again.")
    assert 0.9 < closed_after < 4
    idle, closed_after = raw_exchange(port, b"")  # a connection that sends nothing is closed, without a reply
    assert idle == b"" and closed_after < 4


@pytest.mark.parametrize(("path", "media_type", "start"), [
    ("/coding/big/code", "application/x-www-form-urlencoded", "code=tourism"),
    ("/s/wave3", "application/x-www-form-urlencoded", "lang=en"),
    ("/s/wave3/submissions", "application/json", '{"answers": {'),
])
def test_slow_bodies_are_cut_off(server, path, media_type, start):
    _, port, _, _ = server
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {media_type}\r\n"
            f"Content-Length: 200\r\n\r\n{start}").encode()
    received, closed_after = raw_exchange(port, head)
    status_line, _, rest = received.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 408 Request Timeout", received
    assert rest.endswith(b"The request did not arrive in time (1 s); send it again.")
    assert 0.9 < closed_after < 4


def test_only_the_hosts_it_serves_are_answered(server):
    base, _, _, output = server
    refused = httpx.get(f"{base}/", headers={"host": "rebinding.example"})
    assert refused.status_code == 400
    assert refused.text == ("This server does not answer for the host 'rebinding.example'. It serves only: "
                            "127.0.0.1, localhost, ::1, observatory.example. If it should answer for this name, start it "
                            "with: diaspora serve --allow-host NAME\n")
    assert refused.headers["x-content-type-options"] == "nosniff"
    for host in ("observatory.example", "localhost:1234", "127.0.0.1", "LOCALHOST"):
        assert httpx.get(f"{base}/s/wave3", headers={"host": host}).status_code == 200, host
    assert "Answering for the hosts: 127.0.0.1, localhost, ::1, observatory.example (add others with --allow-host)\n" \
        in output


def test_a_trusted_proxy_s_forwarded_address_is_the_one_limited(server):
    base, _, _, _ = server
    form = {"token": "wrong-token-guess-0001", "code": "tourism", "sentence": "0-10"}
    with httpx.Client(base_url=base) as client:
        forwarded = {"x-forwarded-for": "203.0.113.5"}
        for _ in range(10):
            assert client.post("/coding/big/code", data=form, headers=forwarded).status_code == 403
        blocked = client.post("/coding/big/code", data=form, headers=forwarded)
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
        # another client behind the same proxy is not blocked for the first one's guesses
        other = client.post("/coding/big/code", data=form, headers={"x-forwarded-for": "203.0.113.6"})
        assert other.status_code == 403


def test_connections_beyond_the_cap_are_refused_and_the_survey_goes_on(tmp_path):
    from loadtest import ANSWERS

    refused_text = "The server has as many open connections as it accepts (3); try again in a few seconds."
    with running_server(survey_data(tmp_path / "data"), "--max-connections", "3", "--client-timeout", "20") as (
            base, port, output):
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]  # idle: 20 s to send headers
        try:
            with httpx.Client(base_url=base, timeout=5) as third:
                assert third.get("/s/wave3").status_code == 200  # the third connection is within the cap
                for _ in range(3):
                    started = time.monotonic()
                    refused = httpx.get(f"{base}/s/wave3", timeout=5)
                    assert (refused.status_code, refused.text) == (503, refused_text)
                    assert refused.headers["retry-after"] == "5" and refused.headers["connection"] == "close"
                    assert time.monotonic() - started < 2
                # a raw client reads the whole answer, then the server's end of the connection: no reset
                received, closed_after = raw_exchange(port, b"GET /s/wave3 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                assert received.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
                assert received.endswith(refused_text.encode()) and closed_after < 2
                assert third.get("/s/wave3").status_code == 200  # the connections under the cap are still served
        finally:
            for sock in held:
                sock.close()
        deadline = time.monotonic() + 5
        while httpx.get(f"{base}/s/wave3", timeout=5).status_code != 200:  # the server sees the closes
            assert time.monotonic() < deadline, "the closed connections still count after 5 s"
            time.sleep(0.05)
        posted = httpx.post(f"{base}/s/wave3/submissions", json={"submission_id": uuid.uuid4().hex,
                                                                "answers": ANSWERS}, timeout=5)
        assert posted.status_code == 201, posted.text
        assert any(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ WARNING refused 1 connection\(s\): 3 were open, "
                                r"the most this server accepts \(diaspora serve --max-connections\)\n", line)
                   for line in output), output


def test_failed_token_attempts_are_logged_without_the_token(server):
    base, _, _, output = server
    guesses = ["wrong-admin-guess-7731", "wrong-coder-guess-4410", "wrong-cookie-guess-0925"]
    before = len(output)
    with httpx.Client(base_url=base, timeout=60) as client:  # coding waits behind document pages under load
        admin = client.post("/s/wave3/admin/export", data={"token": guesses[0]},
                            headers={"x-forwarded-for": "203.0.113.7"})
        assert admin.status_code == 403
        coder = client.post("/coding/big/code", data={"token": guesses[1], "code": "tourism", "sentence": "0-10"},
                            headers={"x-forwarded-for": "203.0.113.8"})
        assert coder.status_code == 403
    with httpx.Client(base_url=base, timeout=60, cookies={"coding_token": guesses[2]}) as signed:
        # a stale sign-in cookie, straight from the proxy (503 when the first page passes its deadline)
        assert signed.get("/coding/big").status_code in (200, 503)
    deadline = time.monotonic() + 30
    while sum("failed token attempt" in line for line in output[before:]) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)  # the server's stderr reaches the reading thread
    logged = [line for line in output[before:] if "failed token attempt" in line]
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ WARNING failed token attempt: "
    assert len(logged) == 3, output[before:]
    assert re.fullmatch(stamp + r"POST /s/wave3/admin/export from 203\.0\.113\.7 \(1 of 10 allowed in 60 s\)\n",
                        logged[0]), logged
    assert re.fullmatch(stamp + r"POST /coding/big/code from 203\.0\.113\.8 \(1 of 10 allowed in 60 s\)\n",
                        logged[1]), logged
    assert re.fullmatch(stamp + r"GET /coding/big from 127\.0\.0\.1 \(\d+ of 10 allowed in 60 s\)\n",
                        logged[2]), logged
    assert not any(guess in line for guess in guesses for line in output)


def test_a_logged_path_cannot_forge_a_line(server):
    base, _, _, output = server
    before = len(output)
    forged = httpx.post(f"{base}/coding/big%0A2026-01-01T00:00:00Z%20WARNING%20forged/code",
                        data={"token": "wrong-forger-guess-1881", "code": "tourism"},
                        headers={"x-forwarded-for": "203.0.113.9"}, timeout=60)
    assert forged.status_code == 404  # the wrong token is counted first, then no document has that name
    deadline = time.monotonic() + 30
    while not any("failed token attempt" in line for line in output[before:]) and time.monotonic() < deadline:
        time.sleep(0.1)
    new = output[before:]
    assert not any(line.startswith("2026-01-01T00:00:00Z") for line in new), new
    assert [line.split(" WARNING ")[1] for line in new if "failed token attempt" in line] == [
        "failed token attempt: POST /coding/big%0A2026-01-01T00:00:00Z%20WARNING%20forged/code from 203.0.113.9 "
        "(1 of 10 allowed in 60 s)\n"]


def test_a_cap_the_open_file_limit_cannot_hold_is_refused_at_start(tmp_path):
    resource = pytest.importorskip("resource")
    files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if files == resource.RLIM_INFINITY:
        pytest.skip("no open-file limit in this process")
    result = CliRunner().invoke(main, ["serve", "--port", "0", "--data-dir", str(tmp_path),
                                       "--max-connections", str(files)])
    assert result.exit_code == 2
    assert result.output == (f"Error: --max-connections {files} is more than this process can hold open: its "
                             f"open-file limit is {files}, and 64 are kept for databases and files\nHint: give at "
                             f"most {files - 64}, or raise the limit (ulimit -n) first\n")
