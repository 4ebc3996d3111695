"""Several server processes: ``diaspora serve --workers N``, and the ASGI entry point for uvicorn.

A worker is a process of its own (uvicorn starts each with ``spawn``), so it cannot be handed the parent's
app object: it builds its own app from settings in the environment. ``diaspora serve --workers N`` sets them
(:func:`export_settings`) before uvicorn starts the workers; whoever runs uvicorn directly sets
them in the service's environment and names :data:`FACTORY` (docs/web.md, "Several server processes").

What the workers share is the database (the survey answers in PostgreSQL; a SQLite file serves one process
only, and the survey refuses more). What each keeps in its own memory is a cache keyed by a version it reads
from the database on each view (the published snapshot, the documents' version), so a write through one
worker is seen by every other, and the rate limits, which count per worker (docs/survey.md, "Limits").
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.applications import Starlette

FACTORY = "diaspora_observatory.web.workers:app_from_environment"
# uvicorn pickles its settings for each worker: a protocol class made at run time cannot travel that way,
# but an import string is resolved inside the worker (see __getattr__ below).
PROTOCOL = "diaspora_observatory.web.workers:ServerProtocol"
CASE_ENV = "DIASPORA_CASE"
DATA_DIR_ENV = "DIASPORA_DATA_DIR"  # also read by case.package.user_data_dir
HOSTS_ENV = "DIASPORA_ALLOWED_HOSTS"
PROXIES_ENV = "DIASPORA_TRUSTED_PROXIES"
TIMEOUT_ENV = "DIASPORA_CLIENT_TIMEOUT"
DEV_ENV = "DIASPORA_DEV"
WORKERS_ENV = "DIASPORA_WORKERS"
MAX_CONNECTIONS_ENV = "DIASPORA_MAX_CONNECTIONS"  # serve --max-connections, counted in each worker
BUNDLE_ENV = "DIASPORA_VEGA_BUNDLE"  # a file holding the chart engine's bundle, made once by the parent
STARTUP_FAILURE = 3  # uvicorn's exit code for a worker that could not start: its supervisor then stops


def export_settings(*, case_name: str | None, data_dir: Path | None, allowed_hosts: list[str],
                    trusted_proxies: tuple[str, ...], client_timeout: float, dev: bool, workers: int,
                    max_connections: int | None = None) -> None:
    """Put ``diaspora serve``'s settings in this process's environment, which every worker inherits."""
    data_dir_text = str(Path(data_dir).resolve()) if data_dir else os.environ.get(DATA_DIR_ENV, "")
    settings = {CASE_ENV: case_name or "", DATA_DIR_ENV: data_dir_text,
                HOSTS_ENV: ",".join(allowed_hosts), PROXIES_ENV: ",".join(trusted_proxies),
                TIMEOUT_ENV: repr(client_timeout), DEV_ENV: "1" if dev else "", WORKERS_ENV: str(workers),
                MAX_CONNECTIONS_ENV: str(max_connections or "")}
    for name, value in settings.items():
        if value:
            os.environ[name] = value
        else:
            os.environ.pop(name, None)


def _listed(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _number(name: str, default: float) -> float:
    from diaspora_observatory.errors import DiasporaError

    text = os.environ.get(name, "").strip()
    try:
        return float(text) if text else default
    except ValueError:
        raise DiasporaError(f"{name}={text!r} is not a number of seconds", "set it to a number such as 10") from None


def worker_count() -> int | None:
    """The number of workers ``diaspora serve --workers`` started; None when another program started this
    process (uvicorn run directly), which may run any number of them."""
    text = os.environ.get(WORKERS_ENV, "").strip()
    return int(text) if text.isdigit() else None


def settings_from_environment() -> dict[str, Any]:
    """``create_app``'s arguments from the environment (see the module's docstring and docs/web.md)."""
    from diaspora_observatory.web.security import allowed_hosts_for
    from diaspora_observatory.web.slowclients import CLIENT_TIMEOUT_SECONDS

    data_dir = os.environ.get(DATA_DIR_ENV, "").strip()
    hosts = _listed(HOSTS_ENV)
    return {"case_name_or_path": os.environ.get(CASE_ENV, "").strip() or None,
            "data_dir": Path(data_dir) if data_dir else None,
            # Without a list, loopback names only: a server reached under another name says so (400).
            "allowed_hosts": hosts or allowed_hosts_for("127.0.0.1"),
            "trusted_proxies": _listed(PROXIES_ENV),
            "client_timeout": _number(TIMEOUT_ENV, CLIENT_TIMEOUT_SECONDS),
            "dev": os.environ.get(DEV_ENV, "") not in ("", "0"),
            # unknown (None) when uvicorn run directly started this process: the survey then makes sure a SQLite
            # database is not served by a second process
            "processes": worker_count()}


def app_from_environment() -> Starlette:
    """The app of one worker process, from the settings in the environment.

    A setting or a case that cannot be used stops the worker with the message and its hint (no traceback),
    and the exit code that tells uvicorn's supervisor not to start it again.
    """
    from diaspora_observatory.errors import DiasporaError
    from diaspora_observatory.web.app import create_app
    from diaspora_observatory.web.views import use_vega_bundle, warm_vega_bundle

    try:
        app = create_app(**settings_from_environment())
    except DiasporaError as error:
        print(f"Error: {error.message}", file=sys.stderr)
        if error.hint:
            print(f"Hint: {error.hint}", file=sys.stderr)
        sys.exit(STARTUP_FAILURE)
    _stop_with_supervisor()
    # Last of the shutdown steps (they run in reverse): this process is a server of its own, whose page workers'
    # forkserver and chart bundle's child must end before it does (web/cli.py says why).
    app.state.web.on_shutdown.insert(0, _end_children)
    shared = os.environ.get(BUNDLE_ENV, "")
    try:
        body = Path(shared).read_bytes() if shared else None
    except OSError:  # deleted meanwhile: made here instead
        body = None
    if body:
        use_vega_bundle(body)
    else:  # not made by a parent (uvicorn run directly): this worker makes its own
        warm_vega_bundle()
    return app


def _end_children() -> None:
    from diaspora_observatory.web.pageprocesses import stop_all
    from diaspora_observatory.web.views import stop_bundle_maker

    stop_all()
    stop_bundle_maker()


def _stop_with_supervisor(interval: float = 1.0) -> None:
    """In a worker started by uvicorn's supervisor: stop (SIGTERM, so the batch of answers in hand is
    finished) once the supervisor is gone. uvicorn does not tell its workers when it is killed, and they
    would go on serving the port, so that a new server could not start."""
    import multiprocessing
    import signal
    import threading
    import time

    if multiprocessing.parent_process() is None:  # not a worker of a supervisor: nothing to watch
        return
    supervisor = os.getppid()

    def watch() -> None:
        while os.getppid() == supervisor:
            time.sleep(interval)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="supervisor-watch", daemon=True).start()


def share_vega_bundle(data_dir: Path | None) -> None:
    """Make the chart engine's bundle once, in ``<data dir>/cache/vega-bundle.js`` (replaced whole at each
    start), and name it in the environment for the workers: each would else spend seconds of CPU making it."""
    from diaspora_observatory.case.package import user_data_dir
    from diaspora_observatory.web.views import vega_bundle

    path = Path(data_dir or user_data_dir()) / "cache" / "vega-bundle.js"
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.{os.getpid()}")
    staged.write_bytes(vega_bundle()[0])
    os.replace(staged, path)  # a worker restarted meanwhile reads the old file or the new one, never half
    os.environ[BUNDLE_ENV] = str(path)


def prepare_processes(data_dir: Path | None, case_name: str | None, workers: int) -> str:
    """Before ``workers`` processes start: each extension refuses what it cannot share between processes
    (``DiasporaError``) and creates once what the workers would otherwise race to create (tables, the
    default survey, the admin token, which would else be generated, and announced, by each). Returns the
    case's name (the workers load the case themselves)."""
    from diaspora_observatory.case.package import load_case, user_data_dir
    from diaspora_observatory.web.extensions import available_extensions

    case = load_case(case_name, data_dir=data_dir)
    for _name, module in available_extensions():
        prepare = getattr(module, "prepare_processes", None)
        if prepare is not None:
            prepare(case, Path(data_dir) if data_dir else user_data_dir(), workers)
    return case.name


def __getattr__(name: str) -> Any:
    """``ServerProtocol``: uvicorn's HTTP protocol with the header deadline (web/slowclients.py) of
    ``$DIASPORA_CLIENT_TIMEOUT`` seconds and the cap of ``$DIASPORA_MAX_CONNECTIONS`` open connections
    (per worker), made when a worker imports it."""
    if name != "ServerProtocol":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from diaspora_observatory.web.slowclients import CLIENT_TIMEOUT_SECONDS, server_protocol

    cap = os.environ.get(MAX_CONNECTIONS_ENV, "").strip()
    protocol = server_protocol(_number(TIMEOUT_ENV, CLIENT_TIMEOUT_SECONDS), int(cap) if cap.isdigit() else None)
    globals()["ServerProtocol"] = protocol
    return protocol
