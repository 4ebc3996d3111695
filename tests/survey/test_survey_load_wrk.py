"""The wrk load generator of the survey benchmarks (loadtest.submit_with_wrk, benchmarks/survey_submit.lua)
against a real server on SQLite, for about a second: what it reports acknowledged is really stored, each once,
and a script that collects its ids wrongly is caught by the same check. Not timed."""

from __future__ import annotations

from pathlib import Path

import pytest
from loadtest import WRK_SCRIPT, LoadResult, Server, audit, submit_with_wrk, wrk_program

from diaspora_observatory.survey.storage import SurveyStore, database_url

CLIENTS = 4

pytestmark = [pytest.mark.slow, pytest.mark.wrk,
              pytest.mark.skipif(wrk_program() is None,
                                 reason="wrk is not installed (Debian: apt-get install wrk; tools/run-tests installs it)")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("data")).start()  # on SQLite: Server leaves DIASPORA_DATABASE_URL out
    yield running
    running.stop()


def stored(server: Server) -> list[str]:
    store = SurveyStore(database_url(server.data_dir))
    try:
        return [row["submission_id"] for row in store.responses("kz")]
    finally:
        store.close()


def problems(result: LoadResult, stored_ids: list[str], clients: int) -> list[str]:
    """What is wrong with the ids a run reports acknowledged, against what the server stored: the audit
    (lost, duplicated), an id reported twice, and stored ids of this run not reported, beyond the at most one
    request a connection that wrk leaves in flight when it stops."""
    found = []
    report = audit(stored_ids, result.acknowledged)
    if report["lost"] or report["duplicated"]:
        found.append(f"audit: {report}")
    if len(set(result.acknowledged)) != len(result.acknowledged):
        found.append(f"{len(result.acknowledged) - len(set(result.acknowledged))} ids reported twice")
    run = {submission_id.rsplit("-", 2)[0] for submission_id in result.acknowledged}
    unreported = {submission_id for submission_id in stored_ids if submission_id.rsplit("-", 2)[0] in run} \
        - set(result.acknowledged)
    if len(unreported) > clients:
        found.append(f"{len(unreported)} ids of this run stored but not reported acknowledged")
    return found


def test_wrk_reports_exactly_the_acknowledged_submissions(server):
    result = submit_with_wrk(server.base, CLIENTS, duration=1, threads=2)
    assert len(result.acknowledged) > 100, result
    assert result.not_acknowledged == 0
    assert 0.9 < result.seconds < 3
    assert result.generator_cpu is not None and result.generator_cpu > 0
    # one run prefix, both wrk threads numbered in the ids (prefix-thread-counter)
    assert len({submission_id.rsplit("-", 2)[0] for submission_id in result.acknowledged}) == 1
    assert {submission_id.rsplit("-", 2)[1] for submission_id in result.acknowledged} == {"1", "2"}
    assert problems(result, stored(server), CLIENTS) == []


TAKEN_FROM_REPLY = """string.match(body, '"submission_id":%s*"([^"]*)"') or "?\""""
RECORDED = "acked[#acked + 1] = " + TAKEN_FROM_REPLY

# Wrong ways to collect the acknowledged ids, each one the check must catch in every run, whatever the order in
# which the server answers. (Recording the id of the request built last, the naive way, is not among them: when
# replies come back in the order sent it is the right ids shifted by one connection's worth, and no audit of
# what is stored can tell; CI's server answered in order. That is why the script takes the id from the reply.)
WRONG_COLLECTIONS = {
    # each acknowledgement recorded twice: "ids reported twice"
    "recorded twice": RECORDED + "; acked[#acked + 1] = acked[#acked]",
    # every other acknowledgement dropped: hundreds stored but not reported
    "every other dropped": "seen = (seen or 0) + 1; if seen % 2 == 0 then " + RECORDED + " end",
    # an id that was never sent (a wrong pattern, a wrong prefix): lost
    "an id never sent": "acked[#acked + 1] = prefix .. (sent + 1000000)",
}


@pytest.mark.parametrize("wrong", sorted(WRONG_COLLECTIONS))
def test_a_wrong_id_collection_is_caught(server, tmp_path, wrong):
    """The same script with its id collection broken in one way: the check above must fail."""
    source = WRK_SCRIPT.read_text(encoding="utf-8")
    assert RECORDED in source
    broken = tmp_path / "broken.lua"
    broken.write_text(source.replace(RECORDED, WRONG_COLLECTIONS[wrong]), encoding="utf-8")
    result = submit_with_wrk(server.base, CLIENTS, duration=1, threads=1, script=broken)
    assert len(result.acknowledged) > 100, result
    assert problems(result, stored(server), CLIENTS) != []


def test_the_benchmarks_use_wrk_when_installed():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    try:
        from bench_survey import chosen_loads, default_load
    finally:
        sys.path.pop(0)
    assert default_load() == "wrk"
    assert chosen_loads("both") == ("wrk", "python")
