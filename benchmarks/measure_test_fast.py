"""The CPU time of `make test-fast`'s command, counting every process it starts.

`/usr/bin/time` counts only the children each process waited for; the page workers' forkserver (and the
workers forked from it) are left to init when a pytest process ends, so their CPU goes uncounted. Here the
command runs under a child subreaper (Linux prctl PR_SET_CHILD_SUBREAPER): every descendant that outlives
its parent is reparented to this process and reaped here, so user+sys is the whole run's. On a shared machine
compare the CPU seconds, not the wall time, and say the load (printed before and after).

    PYTHONPATH=src .venv/bin/python benchmarks/measure_test_fast.py [pytest options]

Not a bench_*.py: benchmarks/run.py (make bench) does not run it; it takes minutes.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
COMMAND = [sys.executable, "-m", "pytest", "-m", "not browser and not slow and not postgres", "-n", "2",
           "--dist", "loadfile", "-x", "-q"]


def main(extra: list[str]) -> int:
    if not sys.platform.startswith("linux"):
        print("needs Linux (a child subreaper)", file=sys.stderr)
        return 2
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print(f"prctl failed: {os.strerror(ctypes.get_errno())}", file=sys.stderr)
        return 2
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "", "DIASPORA_TEST_PROFILE": "fast"}
    load_before = os.getloadavg()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.execve(sys.executable, [*COMMAND, *extra], env)
    user = system = 0.0
    code, wall, processes = None, 0.0, 0
    while True:
        try:
            reaped, status, usage = os.wait4(-1, 0)
        except ChildProcessError:
            break
        processes += 1
        user += usage.ru_utime
        system += usage.ru_stime
        if reaped == pid:
            code, wall = os.waitstatus_to_exitcode(status), time.monotonic() - started
    print(json.dumps({"exit": code, "wall_s": round(wall, 1), "user_s": round(user, 1), "sys_s": round(system, 1),
                      "cpu_s": round(user + system, 1), "processes_reaped": processes,
                      "load_before": [round(x, 1) for x in load_before],
                      "load_after": [round(x, 1) for x in os.getloadavg()]}))
    return code or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
