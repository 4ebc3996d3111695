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
@click.option("--dev", is_flag=True,
              help="Development mode: reload templates, no page cache, list routes at /_dev/routes.")
def serve(case_name: str | None, host: str, port: int, data_dir: Path | None, dev: bool) -> None:
    """Serve the observatory: every page of the case, in English, Russian and Kazakh, offline.

    \b
    Example:
      diaspora serve                          # http://127.0.0.1:8000/
      diaspora serve --case path/to/my-case --port 8080
    """
    import uvicorn

    from diaspora_observatory.web.app import create_app
    from diaspora_observatory.web.views import warm_vega_bundle

    app = create_app(case_name, data_dir=data_dir, dev=dev)
    warm_vega_bundle()
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(f"Diaspora Observatory: serving case {app.state.web.case.name!r} at http://{shown_host}:{port}/ "
               f"(press Ctrl+C to stop)")
    # No access log, even with --dev: it would print respondents' addresses and survey paths.
    # httptools and uvloop (declared dependencies) halve the bare HTTP round trip; "auto" falls back without them.
    uvicorn.run(app, host=host, port=port, log_level="info" if dev else "warning", access_log=False,
                http="auto", loop="auto",
                server_header=False, proxy_headers=False)
