"""``diaspora serve``: the observatory web app. Only click is imported here; the web stack loads on run."""

from __future__ import annotations

from pathlib import Path

import click

from diaspora_observatory.clicontext import CONTEXT_SETTINGS


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
@click.option("--dev", is_flag=True,
              help="Development mode: reload templates, no page cache, list routes at /_dev/routes.")
def serve(case_name: str | None, host: str, port: int, data_dir: Path | None, allow_hosts: tuple[str, ...],
          trusted_proxies: tuple[str, ...], client_timeout: float, dev: bool) -> None:
    """Serve the observatory: every page of the case, in English, Russian and Kazakh, offline.

    \b
    Example:
      diaspora serve                          # http://127.0.0.1:8000/
      diaspora serve --case path/to/my-case --port 8080
      diaspora serve --host 0.0.0.0 --allow-host survey.example.org --trusted-proxy 10.0.0.2
    """
    import uvicorn

    from diaspora_observatory.web.app import create_app
    from diaspora_observatory.web.security import allowed_hosts_for
    from diaspora_observatory.web.slowclients import server_protocol
    from diaspora_observatory.web.views import warm_vega_bundle

    hosts = allowed_hosts_for(host, allow_hosts)
    # a too short admin token or a case that does not load raises a DiasporaError: the CLI prints it
    app = create_app(case_name, data_dir=data_dir, dev=dev, allowed_hosts=hosts, trusted_proxies=trusted_proxies,
                     client_timeout=client_timeout)
    warm_vega_bundle()
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(f"Diaspora Observatory: serving case {app.state.web.case.name!r} at http://{shown_host}:{port}/ "
               f"(press Ctrl+C to stop)")
    click.echo(f"Answering for the hosts: {', '.join(hosts)} (add others with --allow-host)")
    # No access log, even with --dev: it would print respondents' addresses and survey paths.
    # httptools and uvloop (declared dependencies) halve the bare HTTP round trip; server_protocol falls back to
    # h11 without httptools and adds the header deadline that uvicorn lacks. X-Forwarded-For is handled by the
    # app itself (create_app's trusted_proxies), so uvicorn's own proxy_headers stays off.
    uvicorn.run(app, host=host, port=port, log_level="info" if dev else "warning", access_log=False,
                http=server_protocol(client_timeout), loop="auto", timeout_keep_alive=5,
                server_header=False, proxy_headers=False)
