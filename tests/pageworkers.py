"""The page worker pools' tests (web/pageprocesses.py, used by the documents pages and the survey results page):
whether a worker still runs, and a page asked for while every worker dies under it."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def sleep_in_worker(pool: Any) -> None:
    """Keep one of ``pool``'s workers busy for 4 s; its work must end WorkerLost (the worker is killed)."""
    from diaspora_observatory.web.pageprocesses import WorkerLost

    with pytest.raises(WorkerLost):
        await pool.run(None, 30, time.sleep, 4)


def answer_while_the_workers_die(pool: Any, busy: int, ask: Callable[[], Any]) -> tuple[Any, list[int]]:
    """``ask()``'s answer (a page request) when every worker of ``pool`` is killed (SIGKILL) while the request
    waits in the queue behind ``busy`` workers kept sleeping; with the pids killed."""
    sleepers = [threading.Thread(target=lambda: asyncio.run(sleep_in_worker(pool))) for _ in range(busy)]
    for sleeper in sleepers:
        sleeper.start()
    time.sleep(1.0)
    answers = []
    reader = threading.Thread(target=lambda: answers.append(ask()))
    reader.start()
    time.sleep(0.5)
    before = pool.pids()
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    reader.join(timeout=60)
    for sleeper in sleepers:
        sleeper.join(timeout=60)
    return answers[0], before
