"""A SIGTERM to ``diaspora serve`` while it starts leaves no process of it behind (round 8).

The server is a real ``diaspora serve`` process, started in a session of its own so that every process it
starts (the chart bundle's child, the page workers' forkserver and resource tracker, the workers forked from
the forkserver) is found by its session id in /proc, whatever its parent is by then. The SIGTERM is sent at a
moment of the start-up told by the processes themselves, not by a timer: once the chart bundle's child runs
(the app is built, uvicorn about to start), and once the forkserver runs (uvicorn's start-up, the page workers
being built; the server answers no page yet). The server must then end as SIGTERM ends a process, and once
it has been waited for, none of its session may be left. On the old code the forkserver (and the bundle's
child) was still running after the server had exited: the server died by the signal that uvicorn raises
again, without stopping them, and they noticed only later."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from serving import free_port

REPO = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("DIASPORA_TEST_POSTGRES_URL")


def session_members(session: int) -> list[tuple[int, str, str]]:
    """(pid, state, command line) of every process whose session is ``session``, read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:  # ended meanwhile
            continue
        if int(fields[3]) == session:  # state, ppid, pgrp, session
            members.append((int(entry.name), fields[0], command))
    return members


def stop_at(moment: str, tmp_path: Path, *options: str,
            database: str | None = None) -> tuple[subprocess.Popen, list[tuple[int, str, str]], str]:
    """Start ``diaspora serve OPTIONS``, SIGTERM it once a process of its session has ``moment`` in its command
    line, wait for it; return it, what of its session is left then, and its output."""
    environment = {**os.environ, "PYTHONPATH": str(REPO / "src"), "PYTHONUNBUFFERED": "1"}
    environment.pop("DIASPORA_DATABASE_URL", None)
    if database:
        environment["DIASPORA_DATABASE_URL"] = database
    output = tmp_path / "serve.log"
    with output.open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "diaspora_observatory.cli", "serve", "--port",
                                    str(free_port()), "--data-dir", str(tmp_path / "data"), *options],
                                   env=environment,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not any(moment in command for _pid, _state, command in session_members(process.pid)):
            assert process.poll() is None, output.read_text()
            assert time.monotonic() < deadline, f"no {moment} process within 120 s: {output.read_text()}"
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=120)
        left = session_members(process.pid)
    finally:
        for pid, _state, _command in session_members(process.pid):  # so that a failure leaves nothing running
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if process.poll() is None:
            process.kill()
            process.wait()
    return process, left, output.read_text()


@pytest.mark.parametrize("moment", ["vl_convert", "multiprocessing.forkserver"],
                         ids=["bundle-child-running", "forkserver-running"])
def test_a_sigterm_during_the_start_up_leaves_no_process_of_the_server(moment, tmp_path):
    process, left, output = stop_at(moment, tmp_path)
    assert process.returncode == -signal.SIGTERM, output
    assert left == [], f"left after the server exited: {left}; its output: {output}"


@pytest.mark.postgres
def test_a_sigterm_during_the_start_up_of_several_server_processes_leaves_none_behind(tmp_path):
    """``--workers 2`` (PostgreSQL): uvicorn's supervisor stops its server processes and returns (exit 0);
    each server process's page workers, forkserver and bundle child end with it."""
    if not POSTGRES_URL:
        pytest.skip("DIASPORA_TEST_POSTGRES_URL is not set (CI's .ci/run starts a PostgreSQL server)")
    process, left, output = stop_at("multiprocessing.forkserver", tmp_path, "--workers", "2", database=POSTGRES_URL)
    assert process.returncode == 0, output
    assert left == [], f"left after the server exited: {left}; its output: {output}"


def test_a_process_that_goes_on_after_serve_can_make_the_bundle_again(monkeypatch):
    """`serve` called in a process that keeps running (a script, the test suite) stops the bundle's maker as
    it ends; the process's next app must still serve the bundle (once every later app answered 500 on
    /static/vega-bundle.js, BundleMakerStopped)."""
    from diaspora_observatory.web import cli as web_cli
    from diaspora_observatory.web import views

    monkeypatch.setattr(views, "_bundle", None)
    with web_cli._children_ended():
        pass
    assert not views._makers_stopped
    with pytest.raises(RuntimeError), web_cli._children_ended():  # a serve ended by an error (a bad option)
        raise RuntimeError("the server could not start")
    assert not views._makers_stopped
    body, digest = views.vega_bundle()
    assert body and digest


def test_a_sigterm_turned_into_another_error_still_ends_the_server_as_sigterm_does():
    """The SIGTERM's exception is raised wherever the signal finds the main thread; inside uvloop's signal
    set-up it came out as a RuntimeError from the loop's closing, and the server exited with status 1 and a
    traceback (CI, round 10). Any error after a SIGTERM must still end the process by SIGTERM, its children
    stopped; an error without a SIGTERM still comes out as itself."""
    script = ("import os, signal\n"
              "from diaspora_observatory.web import cli\n"
              "with cli._children_ended():\n"
              "    try:\n"
              "        os.kill(os.getpid(), signal.SIGTERM)\n"
              "    except cli._Stopped:\n"
              "        raise RuntimeError('this event loop is already running.') from None\n")
    environment = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    ended = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True,
                           timeout=120)
    assert ended.returncode == -signal.SIGTERM, ended.stderr
    assert "Traceback" not in ended.stderr
    plain = subprocess.run([sys.executable, "-c", script.replace("os.kill(os.getpid(), signal.SIGTERM)",
                                                                 "raise cli._Stopped")],
                           env=environment, capture_output=True, text=True, timeout=120)
    assert plain.returncode == 1 and "RuntimeError: this event loop is already running." in plain.stderr
