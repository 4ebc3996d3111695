"""The ``diaspora`` command line: one short function per command; analysis lives in the library.

Heavy imports (pandas, the web stack) happen inside commands so that ``diaspora --help`` stays fast.
Commands that belong to a subsystem live next to it and are registered in ``LAZY_COMMANDS``.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
from pathlib import Path

import click

from diaspora_observatory.clicontext import CONTEXT_SETTINGS
from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.languages import CODES, DEFAULT_LANGUAGE
from diaspora_observatory.tables import TABLE_NAMES  # a light module: names only, no pandas

# name -> "module:attribute"; imported only when the command is listed or run. Subsystems keep their
# commands beside their code; a module must import only click at its top so that --help stays fast.
LAZY_COMMANDS: dict[str, str] = {
    "serve": "diaspora_observatory.web.cli:serve",
    "site": "diaspora_observatory.web.sitecli:site",
    "import": "diaspora_observatory.importers.cli:import_group",
    "case": "diaspora_observatory.importers.cli:case_group",
    "survey": "diaspora_observatory.survey.cli:survey_group",
    "documents": "diaspora_observatory.documents.cli:documents_group",
}


def _available(target: str) -> bool:
    """Whether the module behind a lazy command exists (subsystems land one by one)."""
    module_name = target.partition(":")[0]
    try:
        return importlib.util.find_spec(module_name) is not None
    except ModuleNotFoundError:
        return False

TABLES = TABLE_NAMES


# Set by a command that has written everything it writes (files closed) and holds nothing the interpreter's
# finalization would still release or write: see ``LazyGroup.main``.
_ends_without_cleanup = False


class LazyGroup(click.Group):
    def main(self, args=None, *rest, **extra):
        """click's ``main``; after a successful ``report`` run as the program itself (arguments from the
        command line, not given by a caller such as a test's CLI runner), with no other thread left, the
        process ends once its output is flushed and the logging module shut down (its one exit handler),
        without the interpreter's finalization: clearing every module and freeing the objects that pandas
        and the analysis made, about 4% of a cold report's instructions, which the operating system frees
        at once."""
        global _ends_without_cleanup
        _ends_without_cleanup = False
        try:
            return super().main(args, *rest, **extra)
        except SystemExit as exit:
            if args is None and exit.code in (0, None) and _ends_without_cleanup:
                _end_without_cleanup()
            raise

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *(n for n, t in LAZY_COMMANDS.items() if _available(t))])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS and _available(LAZY_COMMANDS[name]):
            module_name, _, attribute = LAZY_COMMANDS[name].partition(":")
            return getattr(importlib.import_module(module_name), attribute)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DiasporaError as error:
            click.secho(f"Error: {error.message}", fg="red", err=True)
            if error.hint:
                click.echo(f"Hint: {error.hint}", err=True)
            ctx.exit(2)
        except BrokenPipeError:
            # The reader went away (`diaspora check | head`): nothing is wrong, so nothing is said. Standard
            # output is pointed at /dev/null so the interpreter's final flush cannot fail again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except OSError as error:  # a folder that cannot be written, a disk that is full, a port in use
            where = f": {error.filename}" if error.filename else ""
            click.secho(f"Error: {error.strerror or error}{where}", fg="red", err=True)
            click.echo("Hint: check the path and its permissions, or choose another location", err=True)
            ctx.exit(2)


def _end_without_cleanup() -> None:
    """End the process now, its output flushed (see ``LazyGroup.main``); returns when it cannot."""
    import threading

    if threading.active_count() > 1:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return  # the interpreter's own exit reports it
    if "logging" in sys.modules:
        sys.modules["logging"].shutdown()
    os._exit(0)


case_option = click.option("--case", "case_name", default=None, metavar="NAME|PATH",
                           help="Case name or folder with a datapackage.json [default: kazakh-central-asia].")


def format_option(choices=("table", "csv", "json"), default="table"):
    return click.option("--format", "output_format", type=click.Choice(choices), default=default, show_default=True,
                        help="Output format.")


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="diaspora-observatory")
def main() -> None:
    """Diaspora Observatory: study a diaspora and its migration, with a source on every number.

    \b
    Examples:
      diaspora serve                      # the observatory web app on the built-in case
      diaspora report --out report/       # every table, figure and claim of the study
      diaspora check                      # validate the data and recompute the study's claims
      diaspora show flows --format csv    # one table on standard output
    """


@main.command()
@click.option("--data-dir", type=click.Path(path_type=Path), default=None, help="User data folder to list too.")
@format_option(("table", "json"))
def cases(data_dir: Path | None, output_format: str) -> None:
    """List the available cases (built-in and user cases).

    \b
    Example:
      diaspora cases --format json
    """
    from diaspora_observatory.case.package import list_cases

    found = list_cases(data_dir)
    if output_format == "json":
        click.echo(json.dumps(found, indent=2))
        return
    for entry in found:
        kind = "built-in" if entry["embedded"] else "user"
        click.echo(f"{entry['name']:<28} {kind:<9} {entry['title']}")


@main.command()
@case_option
@format_option(("table", "json"))
def check(case_name: str | None, output_format: str) -> None:
    """Validate the case's data and recompute every numeric claim of its study.

    Exits with status 1 when the data has errors. Claim mismatches are findings, shown but not
    treated as errors.

    \b
    Examples:
      diaspora check
      diaspora check --case path/to/my-case --format json
    """
    from diaspora_observatory.analysis.claims import check_claims
    from diaspora_observatory.case.package import load_case
    from diaspora_observatory.tabular import records

    case = load_case(case_name)
    claims = check_claims(case) if not case.errors and "claims" in case.resource_names else None
    if output_format == "json":
        payload = {"case": case.name, "errors": [issue.as_dict() for issue in case.errors],
                   "warnings": [issue.as_dict() for issue in case.warnings],
                   "claims": records(claims) if claims is not None else []}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        _print_check(case, claims)
    sys.exit(1 if case.errors else 0)


def _print_check(case, claims) -> None:
    if case.errors:
        click.secho(f"{len(case.errors)} data error(s) in {case.path}:", fg="red")
        for issue in case.errors:
            click.echo(f"  {issue}")
        click.echo("Claims are not checked until the data errors are fixed.")
        return
    click.secho(f"Data: no errors in {sum(len(r) for r in case.rows.values())} rows of "
                f"{len(case.rows)} resources.", fg="green")
    for issue in case.warnings:
        click.secho(f"  {issue}", fg="yellow")
    if claims is None:
        return
    from diaspora_observatory.tabular import print_claims

    print_claims(claims)
    counts = claims["status"].value_counts()
    click.echo(", ".join(f"{counts.get(s, 0)} {s}" for s in ("confirmed", "mismatch", "unverifiable")))


@main.command()
@click.argument("table", type=click.Choice(TABLES), metavar="TABLE")
@case_option
@format_option()
@click.option("--schema", is_flag=True, help="Print the table's Table Schema instead: each computed column "
              "with its formula and inputs (a 'derived' property).")
@click.option("--lang", "language", type=click.Choice(CODES), default=DEFAULT_LANGUAGE, show_default=True,
              help="Language the table format writes its numbers in (CSV and JSON keep machine values).")
def show(table: str, case_name: str | None, output_format: str, schema: bool, language: str) -> None:
    """Print one analysis table of the case.

    TABLE is one of: {tables}. The provenance column says which values are reported by a source,
    derived (computed) or inferred.

    \b
    Examples:
      diaspora show demography
      diaspora show flow-summary --lang ru
      diaspora show flows --format csv > flows.csv
      diaspora show claims --format json
      diaspora show demography --schema
    """
    from diaspora_observatory.case.package import load_case
    from diaspora_observatory.tables import build_table, table_schema
    from diaspora_observatory.tabular import print_table

    frame = build_table(load_case(case_name).require_valid(), table)
    if schema:
        click.echo(json.dumps(table_schema(table, frame), indent=2, ensure_ascii=False))
        return
    print_table(frame, output_format, language)


show.help = (show.help or "").replace("{tables}", ", ".join(TABLES))


@main.group(context_settings=CONTEXT_SETTINGS)
def estimate() -> None:
    """Estimate what the data do not report directly (flows from stock tables).

    \b
    Example:
      diaspora estimate flows --stock-start stock2015.csv --stock-end stock2020.csv
    """


@estimate.command("flows")
@click.option("--method", type=click.Choice(["demographic-accounting", "differencing", "rates"]),
              default="demographic-accounting", show_default=True, help="How stocks become flows.")
@click.option("--stock-start", type=click.Path(path_type=Path), required=True,
              help="CSV birthplace,residence,stock at the start of the period.")
@click.option("--stock-end", type=click.Path(path_type=Path), required=True,
              help="CSV birthplace,residence,stock at the end of the period.")
@click.option("--births", type=click.Path(path_type=Path), default=None,
              help="CSV residence,births over the period (demographic accounting).")
@click.option("--deaths", type=click.Path(path_type=Path), default=None,
              help="CSV residence,deaths over the period (demographic accounting).")
@click.option("--by-birthplace", is_flag=True, help="One row per birthplace, origin and destination.")
@click.option("--negatives", type=click.Choice(["drop", "returns"]), default="drop", show_default=True,
              help="Differencing: a fall in stock is no flow (drop) or a flow back (returns).")
@click.option("--mortality", type=float, default=None, help="Rates: annual death rate of the start stock.")
@click.option("--return-rate", type=float, default=None, help="Rates: annual return rate of the start stock.")
@click.option("--years", type=click.IntRange(1, 200), default=None, help="Rates: the period's length in years.")
@format_option()
def estimate_flows(method: str, stock_start: Path, stock_end: Path, births: Path | None, deaths: Path | None,
                   by_birthplace: bool, negatives: str, mortality: float | None, return_rate: float | None,
                   years: int | None, output_format: str) -> None:
    """Estimate migration flows between two stock tables (people by birthplace and residence).

    demographic-accounting (Abel 2013, Demographic Research 28:18; Abel & Sander 2014, Science 343:1520)
    finds the fewest moves consistent with both tables, after births and deaths if given. The method and
    its assumptions are printed with the result (on standard error for csv and json output, which keep
    the columns origin,destination,flow, and birthplace first with --by-birthplace).

    \b
    Example:
      diaspora estimate flows --stock-start s2015.csv --stock-end s2020.csv --format csv
      diaspora estimate flows --stock-start s2015.csv --stock-end s2020.csv --births b.csv --deaths d.csv
      diaspora estimate flows --method rates --mortality 0.01 --return-rate 0.02 --years 5 \\
          --stock-start s2015.csv --stock-end s2020.csv
    """
    from diaspora_observatory.analysis.accounting import flows_from_stocks
    from diaspora_observatory.importers.stockfiles import read_by_place, read_stock_table
    from diaspora_observatory.tabular import print_table

    start, ignored_start = read_stock_table(stock_start)
    end, ignored_end = read_stock_table(stock_end)
    for path, ignored in ((stock_start, ignored_start), (stock_end, ignored_end)):
        if ignored:
            click.echo(f"Note: {path.name}: columns not used: {', '.join(ignored)}", err=True)
    result = flows_from_stocks(method, start, end,
                               births=read_by_place(births, "births") if births else None,
                               deaths=read_by_place(deaths, "deaths") if deaths else None,
                               negatives=negatives, mortality=mortality, return_rate=return_rate, years=years)
    table = result.by_birthplace if by_birthplace else result.flows
    if output_format == "json":
        payload = {"method": result.method, "assumptions": result.assumptions, "rescaled": result.rescaled,
                   "flows": json.loads(table.to_json(orient="records"))}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        print_table(table, output_format)
    to_stderr = output_format != "table"
    click.echo(f"Method: {result.method}", err=to_stderr)
    for assumption in result.assumptions:
        click.echo(f"Assumption: {assumption}", err=to_stderr)
    for place, factor in result.rescaled.items():
        click.echo(f"Rescaled: the end stocks of people born in {place} by {factor:.4f}", err=to_stderr)


@main.command()
@case_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("report"), show_default=True,
              help="Folder to write the report into.")
@click.option("--pdf", is_flag=True, help="Also write report.pdf (A4, needs Chromium).")
@click.option("--lang", "language", type=click.Choice(CODES), default=DEFAULT_LANGUAGE, show_default=True,
              help="Language of the report's texts, numbers, headers and country names.")
def report(case_name: str | None, out_dir: Path, pdf: bool, language: str) -> None:
    """Write the case's report: a summary of findings, a section per part of the study (text, chart,
    table), the full tables in an appendix; report.html, report.md, tables/*.csv, figures/*.svg,
    claims.json and, with --pdf, report.pdf.

    \b
    Examples:
      diaspora report
      diaspora report --lang ru --pdf --out build/report-ru
      diaspora report --case my-case --out build/my-report --pdf
    """
    import gc

    # One report, then the process ends: the cycle collector would walk the hundreds of thousands of
    # objects that importing pandas and the analysis create, again and again, for the few cycles a report
    # leaves (about 3% of a cold report's instructions). Turned back on after, for a caller in the same
    # process (a test's CLI runner).
    collecting = gc.isenabled()
    gc.disable()
    try:
        from diaspora_observatory.case.package import load_case
        from diaspora_observatory.report.build import build_report

        case = load_case(case_name).require_valid()
        written = build_report(case, out_dir, pdf=pdf, language=language, parallel=True,
                               progress=lambda step: click.echo(f"  {step}", err=True))
    finally:
        if collecting:
            gc.enable()
    click.echo(f"Report of {case.name} written to {out_dir}/ ({len(written)} files): {out_dir / 'report.html'}")
    global _ends_without_cleanup
    _ends_without_cleanup = not pdf  # every file written and closed; Chromium's pages have their own exit


if __name__ == "__main__":
    main()
