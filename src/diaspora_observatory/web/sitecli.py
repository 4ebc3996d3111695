"""``diaspora site``: the observatory as static files. Only click is imported here; the web stack loads on run."""

from __future__ import annotations

from pathlib import Path

import click

from diaspora_observatory.clicontext import CONTEXT_SETTINGS


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Folder to write the site into (empty or new).")
@click.option("--case", "case_name", default=None, metavar="NAME|PATH",
              help="Case name or folder with a datapackage.json [default: kazakh-central-asia].")
@click.option("--data-dir", type=click.Path(path_type=Path), default=None,
              help="User data folder (imported cases) [default: the platform's user-data folder].")
@click.option("--overwrite", is_flag=True, help="Replace a site written here before.")
def site(out: Path, case_name: str | None, data_dir: Path | None, overwrite: bool) -> None:
    """Write the whole observatory as a static website: no server, nothing fetched from the network.

    Every page in English, Russian and Kazakh (en/, ru/, kk/), its CSV and JSON downloads (data/), the
    charts, the map and the assets (static/), with relative links: open index.html from disk or put the
    folder on any static host. The survey and manual coding need a server (`diaspora serve`) and are
    left out.

    \b
    Example:
      diaspora site --out site/
      diaspora site --out public/ --case path/to/my-case --overwrite
    """
    from diaspora_observatory.web.site import write_site

    report = write_site(out, case_name, data_dir=data_dir, overwrite=overwrite)
    click.echo(report.summary())
