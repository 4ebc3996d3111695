"""``diaspora serve``: the observatory web app. Only click is imported here; the web stack loads on run."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from diaspora_observatory.clicontext import CONTEXT_SETTINGS

SWITCH_INTERVAL_SECONDS = 0.001


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--case", "case_name", default=None, metavar="NAME|PATH",
              help="Case name or folder with a datapackage.json [default: kazakh-central-asia].")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--data-dir", type=click.Path(path_type=Path), default=None,
              help="User data folder (imported cases, survey answers) [default: the platform's user-data folder].")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Also answer requests for this host name (repeatable). Loopback names and the --host address "
                   "are always answered; any other Host gets 400, which keeps DNS-rebinding pages out.")
@click.option("--trusted-proxy", "trusted_proxies", multiple=True, metavar="ADDR",
              help="Address of a reverse proxy in front of the server (repeatable): its X-Forwarded-For names the "
                   "client for the rate limits. From any other address the header is ignored.")
@click.option("--client-timeout", default=10.0, show_default=True, type=click.FloatRange(0.5, 300),
              help="Seconds a client has to send a request's headers, and again its body (408 after).")
@click.option("--max-connections", type=click.IntRange(1), default=None, metavar="N",
              help="Connections held open at once; one more is answered 503 (Retry-After) and closed at once "
                   "[default: 500, fewer if the open-file limit (ulimit -n) is lower].")
@click.option("--dev", is_flag=True,
              help="Development mode: reload templates, no page cache, list routes at /_dev/routes.")
# survey sharing (issue 17): keep these options together
@click.option("--share", is_flag=True,
              help="Listen on the local network (0.0.0.0) so that phones in the room can open the survey; prints "
                   "the addresses they can use and puts the first in the share link and QR code.")
@click.option("--public-url", default=None, metavar="URL", envvar="DIASPORA_PUBLIC_URL",
              help="Base address respondents use, for a server behind a proxy (https://survey.example.org): the "
                   "share link and QR code use it, and its host is answered [env: DIASPORA_PUBLIC_URL].")
@click.option("--survey-rate", type=click.IntRange(0), default=None, metavar="N",
              help="Survey answers a minute accepted from one address for one survey (0: no limit) [default: 120].")
@click.option("--survey-rate-total", type=click.IntRange(0), default=None, metavar="N",
              help="Survey answers a minute accepted for one survey from all addresses (0: no limit) "
                   "[default: 1200].")
# several processes (issue 15)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), metavar="N",
              help="Server processes. More than one needs the survey answers in PostgreSQL (DIASPORA_DATABASE_URL); "
                   "with SQLite, the default, the server runs as one process and refuses more. The survey rate "
                   "limits and the limit on wrong tokens count in each worker: with N workers one address may "
                   "send up to N times as many.")
def serve(case_name: str | None, host: str, port: int, data_dir: Path | None, allow_hosts: tuple[str, ...],
          trusted_proxies: tuple[str, ...], client_timeout: float, max_connections: int | None, dev: bool,
          share: bool, public_url: str | None, survey_rate: int | None, survey_rate_total: int | None,
          workers: int) -> None:
    """Serve the observatory: every page of the case, in English, Russian and Kazakh, offline.

    \b
    Example:
      diaspora serve                          # http://127.0.0.1:8000/
      diaspora serve --case path/to/my-case --port 8080
      diaspora serve --host 0.0.0.0 --allow-host survey.example.org --trusted-proxy 10.0.0.2
      diaspora serve --share                  # phones on the same Wi-Fi open the survey
      diaspora serve --public-url https://survey.example.org --trusted-proxy 127.0.0.1
      DIASPORA_DATABASE_URL=postgresql+psycopg://survey@db/survey diaspora serve --workers 4
    """
    with _children_ended():
        _serve(case_name, host, port, data_dir, allow_hosts, trusted_proxies, client_timeout, max_connections, dev,
               share, public_url, survey_rate, survey_rate_total, workers)


class _Stopped(BaseException):
    """A SIGTERM that uvicorn did not take: before it started serving, or passed on by it once it had stopped."""


_sigterm_received = False


def _stopped(_signal: int, _frame: object) -> None:
    global _sigterm_received
    _sigterm_received = True
    raise _Stopped


@contextmanager
def _children_ended() -> Iterator[None]:
    """Run the server so that every process it started has ended, and been waited for, before it exits: the
    page workers with their forkserver and resource tracker (web/pageprocesses.stop_all) and the chart
    bundle's child (views.stop_bundle_maker). A SIGTERM during the start-up once left the forkserver running
    after the server had exited: the server died by the signal (uvicorn passes it on by raising it again once
    it has stopped), and the forkserver, still importing its preload, noticed only later. The server still
    ends as SIGTERM ends a process (exit status 128 + 15), once its children have."""
    global _sigterm_received
    _sigterm_received = False
    previous = signal.signal(signal.SIGTERM, _stopped)
    stopped = False
    try:
        yield
    except BaseException:
        # _Stopped is raised wherever the signal finds the main thread: inside uvloop's signal set-up it comes
        # out as a RuntimeError from the loop's closing (CI, round 10), so any exception after a SIGTERM is its
        # consequence and the server still ends as SIGTERM ends it
        if not _sigterm_received:
            raise
        stopped = True
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM does not cut the ending short
        _end_children()
        signal.signal(signal.SIGTERM, previous if not stopped else signal.SIG_DFL)
        views = sys.modules.get("diaspora_observatory.web.views")
        if views is not None and not stopped:  # the process goes on (serve ended by an error, or called from
            views.allow_bundle_makers()        # a script or a test): its next app can make the bundle again
    if stopped:
        os.kill(os.getpid(), signal.SIGTERM)


def _end_children() -> None:
    """Stop what the web stack started in this process (nothing when it was never imported)."""
    pools = sys.modules.get("diaspora_observatory.web.pageprocesses")
    if pools is not None:
        pools.stop_all()
    views = sys.modules.get("diaspora_observatory.web.views")
    if views is not None:
        views.stop_bundle_maker()


def _serve(case_name: str | None, host: str, port: int, data_dir: Path | None, allow_hosts: tuple[str, ...],
          trusted_proxies: tuple[str, ...], client_timeout: float, max_connections: int | None, dev: bool,
          share: bool, public_url: str | None, survey_rate: int | None, survey_rate_total: int | None,
          workers: int) -> None:
    import uvicorn

    from diaspora_observatory.safety import log_security_to_stderr
    from diaspora_observatory.web.app import create_app
    from diaspora_observatory.web.connection_cap import checked_max_connections
    from diaspora_observatory.web.security import allowed_hosts_for
    from diaspora_observatory.web.slowclients import server_protocol
    from diaspora_observatory.web.views import warm_vega_bundle

    extra_hosts = list(allow_hosts)
    if share:
        if host == "127.0.0.1":  # the default: --share opens the server to the local network
            host = "0.0.0.0"
        addresses = _share_addresses(host)
        extra_hosts += addresses
        if not public_url:
            public_url = f"http://{addresses[0]}:{port}"
    if public_url:
        public_url = _checked_public_url(public_url)
        extra_hosts.append(urlsplit(public_url).hostname or "")
        os.environ["DIASPORA_PUBLIC_URL"] = public_url  # read by the survey (every worker process alike)
    for name, value in (("DIASPORA_SURVEY_RATE_LIMIT", survey_rate), ("DIASPORA_SURVEY_RATE_TOTAL", survey_rate_total)):
        if value is not None:
            os.environ[name] = str(value)
    hosts = allowed_hosts_for(host, extra_hosts)
    # Document pages are computed in threads that share the interpreter lock with the event loop: each time
    # the loop waits for a socket it must then wait for the lock, up to the switch interval (5 ms by
    # default) per wait. 1 ms gives the survey its turn sooner while a page is computing (docs/security.md,
    # "What is measured"); the cost is a lock hand-over a millisecond, only while two threads want it.
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    max_connections = checked_max_connections(max_connections)
    log_security_to_stderr()  # failed token attempts and refused connections, with their time
    if workers > 1:
        from diaspora_observatory.web.workers import export_settings, prepare_processes, share_vega_bundle

        # SQLite refused, tables, default survey, admin token and chart bundle made once, before any worker starts
        served = prepare_processes(data_dir, case_name, workers)
        share_vega_bundle(data_dir)
        export_settings(case_name=case_name, data_dir=data_dir, allowed_hosts=hosts, trusted_proxies=trusted_proxies,
                        client_timeout=client_timeout, dev=dev, workers=workers, max_connections=max_connections)
    else:
        # a too short admin token or a case that does not load raises a DiasporaError: the CLI prints it
        app = create_app(case_name, data_dir=data_dir, dev=dev, allowed_hosts=hosts, trusted_proxies=trusted_proxies,
                         client_timeout=client_timeout)
        warm_vega_bundle()
        served = app.state.web.case.name
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(f"Diaspora Observatory: serving case {served!r} at http://{shown_host}:{port}/ "
               f"(press Ctrl+C to stop)")
    if workers > 1:
        click.echo(f"{workers} worker processes. The survey rate limits and the limit on wrong tokens count in each "
                   f"worker: one address may send up to {workers} times as many.")
    click.echo(f"Answering for the hosts: {', '.join(hosts)} (add others with --allow-host)")
    if share:
        click.echo(f"Warning: sharing on the local network. Anyone on this network can open every page of the "
                   f"observatory and answer the surveys (admin pages still need the token). Stop the server "
                   f"(Ctrl+C) when the collection ends.\nPhones on the same network can open: "
                   f"{', '.join(f'http://{address}:{port}/s' for address in addresses)}", err=True)
    if public_url:
        click.echo(f"Share links and QR codes use {public_url}")
    # No access log, even with --dev: it would print respondents' addresses and survey paths.
    # httptools and uvloop (declared dependencies) halve the bare HTTP round trip; server_protocol falls back to
    # h11 without httptools and adds the header deadline that uvicorn lacks. X-Forwarded-For is handled by the
    # app itself (create_app's trusted_proxies), so uvicorn's own proxy_headers stays off.
    common: dict[str, Any] = {"host": host, "port": port, "log_level": "info" if dev else "warning",
                              "access_log": False, "loop": "auto", "timeout_keep_alive": 5, "server_header": False,
                              "proxy_headers": False}
    if workers > 1:
        from diaspora_observatory.web.workers import FACTORY, PROTOCOL

        # Each worker builds its app from the environment set above (the connection cap counts per worker);
        # uvicorn's supervisor starts a new worker when one dies.
        uvicorn.run(FACTORY, factory=True, workers=workers, http=PROTOCOL, **common)
    else:
        uvicorn.run(app, http=server_protocol(client_timeout, max_connections), **common)


def _share_addresses(host: str) -> list[str]:
    """The addresses phones can use for ``--share``: the machine's own on the local network, or ``host``
    itself when one was given; refused, with what to do, when the machine has none."""
    from diaspora_observatory.errors import DiasporaError
    from diaspora_observatory.web.lan import local_addresses

    if host not in ("0.0.0.0", "", "::"):
        return [host]
    addresses = local_addresses()
    if not addresses:
        raise DiasporaError("--share found no network address on this machine: phones could not reach it",
                            "connect the computer to the room's Wi-Fi (or share its hotspot) and start again, "
                            "or pass --host ADDRESS")
    return addresses


def _checked_public_url(url: str) -> str:
    """``url`` without a final slash, refused unless it is an http(s) address with a host and nothing after the
    path (a query or fragment would break every link built on it)."""
    from diaspora_observatory.errors import DiasporaError

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise DiasporaError(f"--public-url {url!r} is not a base address such as https://survey.example.org",
                            "give the scheme (http or https), the host and optionally a path, nothing else")
    return url.strip().rstrip("/")
