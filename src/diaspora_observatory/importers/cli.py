"""``diaspora import`` and ``diaspora case``: bring outside data in, and start a case for any diaspora.

Only click and the standard library are imported here; importers load inside the commands.
"""

from __future__ import annotations

from pathlib import Path

import click

from diaspora_observatory.clicontext import CONTEXT_SETTINGS

FORMATS = ("undesa", "wdi", "owid", "generic")
DEFAULT_RESOURCES = {"migrant_stock": "birthplace_stock", "population": "reference_population",
                     "indicator": "indicators_imported", "flows": "flows", "mirror_flows": "mirror_flows"}


def _codes(values: tuple[str, ...]) -> list[str]:
    from diaspora_observatory.countries import to_alpha3

    return [to_alpha3(part) for value in values for part in value.split(",") if part.strip()]


def _years(text: str | None) -> list[int]:
    if not text:
        return []
    years: list[int] = []
    for part in text.split(","):
        start, _, end = part.strip().partition("-")
        if not start.isdigit() or (end and not end.isdigit()):
            raise click.BadParameter(f"{text!r}: write years like 2022-2024 or 2020,2024", param_hint="--years")
        years.extend(range(int(start), int(end or start) + 1))
    return years


def read_any(file_format: str, path: Path, *, sheet=None, indicator=None, kind=None, mapping_file=None,
             pairs=(), decimal=None):
    """Run the importer of ``file_format`` on ``path``."""
    from diaspora_observatory.importers.errors import UnknownFormat

    if decimal is not None and file_format != "generic":
        raise UnknownFormat(f"--decimal applies to generic imports; {file_format} files write decimals with a point",
                            "leave out --decimal, or import the file as generic with a mapping")
    if file_format == "undesa":
        from diaspora_observatory.importers.undesa import read_undesa
        return read_undesa(path, sheet, destination_tables=True)
    if file_format == "wdi":
        from diaspora_observatory.importers.wdi import read_wdi
        return read_wdi(path, indicator)
    if file_format == "owid":
        from diaspora_observatory.importers.owid import read_owid
        return read_owid(path, indicator, kind)
    if file_format == "generic":
        from diaspora_observatory.importers.generic import Mapping, read_mapped
        if mapping_file:
            mapping = Mapping.from_yaml(mapping_file)
            mapping.decimal = decimal or mapping.decimal
        else:
            if not pairs:
                raise UnknownFormat("a generic import needs a column mapping",
                                    "give --mapping FILE.yaml or --map target=Column options with --kind")
            mapping = Mapping.from_options(kind or "population", list(pairs), sheet=sheet, decimal=decimal)
        return read_mapped(path, mapping)
    raise UnknownFormat(f"unknown format {file_format!r}", f"choose one of {', '.join(FORMATS)}")


@click.command(name="import", context_settings=CONTEXT_SETTINGS)
@click.argument("file_format", metavar="FORMAT", type=click.Choice(FORMATS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--case", "case_name", metavar="NAME|PATH", help="Store the rows as a resource of this case.")
@click.option("--resource", help="Resource name in the case [default: by kind, e.g. birthplace_stock].")
@click.option("--source-id", help="Id of the source row in the case's sources.csv [default: from the file].")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Without --case: the CSV to write [default: <data dir>/imports/<file>.csv].")
@click.option("--origin", "origins", multiple=True, help="Keep these origins (codes, comma-separated).")
@click.option("--destination", "destinations", multiple=True, help="Keep these destinations.")
@click.option("--country", "countries", multiple=True, help="Keep these countries (population, indicators).")
@click.option("--years", help="Keep these years: 2022-2024 or 2020,2024.")
@click.option("--sex", "sexes", multiple=True, type=click.Choice(["both", "male", "female"]), help="Keep these sexes.")
@click.option("--sheet", help="Workbook sheet [default: Table 1 for UN DESA, the first otherwise].")
@click.option("--indicator", help="Indicator to take from a file holding several.")
@click.option("--kind", type=click.Choice(["population", "migrant_stock", "indicator", "flows", "mirror_flows"]),
              help="Kind of table (generic and OWID files; flows: the origin's arrivals and departures by "
                   "partner and year; mirror_flows: the same as another country counts them; generic only).")
@click.option("--map", "pairs", multiple=True, metavar="TARGET=COLUMN", help="Generic: a column mapping.")
@click.option("--mapping", "mapping_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Generic: a YAML mapping file.")
@click.option("--decimal", type=click.Choice([".", ","]), help="Generic: the file's decimal mark (',' in Russian "
              "and Kazakh spreadsheets) [default: refuse a number that could be read both ways].")
@click.option("--citation", help="Override the citation recorded in the sidecar.")
@click.option("--source-note", help="A note for the sources row and the sidecar (how the file was obtained).")
@click.option("--replace", is_flag=True, help="Allow replacing an import made from a different original file.")
def import_group(file_format, file, case_name, resource, source_id, out, origins, destinations, countries, years,
                 sexes, sheet, indicator, kind, pairs, mapping_file, decimal, citation, source_note, replace) -> None:
    """Import a UN DESA, World Bank WDI, Our World in Data or any mapped CSV/XLSX file.

    FORMAT is undesa (workbook by destination and origin, a table of the workbook by destination, the
    2019 matrix, or a long CSV extract), wdi (download zip or CSV, or Country Name,Country Code,Year,Value),
    owid (grapher CSV or Migration Flows export) or generic (with --map or --mapping). The import prints
    what it read, stored and skipped, and stores nothing when nothing matched. A provenance sidecar
    (.provenance.json) is written beside what is stored; --replace replaces an earlier import made from
    another file (a corrected one).

    \b
    Examples:
      diaspora import undesa undesa_pd_2024_ims_stock_by_sex_destination_and_origin.xlsx
      diaspora import undesa bilateral.csv --case my-case --origin KAZ
      diaspora import wdi Population.zip --case my-case --country KAZ,KGZ --years 2022-2024
      diaspora import generic stock.csv --mapping mapping.yaml --decimal ,
      diaspora import generic census.xlsx --kind population --map country=Code --map year=Year \\
          --map population=Total
    """
    from dataclasses import replace as with_changes

    from diaspora_observatory.case.package import writable_case_folder
    from diaspora_observatory.importers.store import Selection, import_into_case, import_to_file

    imported = read_any(file_format, file, sheet=sheet, indicator=indicator, kind=kind, mapping_file=mapping_file,
                        pairs=pairs, decimal=decimal)
    selection = Selection(origins=_codes(origins), destinations=_codes(destinations), countries=_codes(countries),
                          years=_years(years), sexes=list(sexes))
    _require_rows(imported, selection)
    info = imported.info
    if citation:
        info = with_changes(info, citation=citation)
    if source_note:
        info = with_changes(info, notes=[*info.notes, source_note])
    click.echo(imported.report.render() if imported.report else imported.summary(), err=True)
    if case_name:
        folder = writable_case_folder(case_name)
        name = resource or DEFAULT_RESOURCES[imported.kind]
        written = import_into_case(imported, folder, resource=name, source_id=source_id or _default_source_id(imported),
                                   selection=selection, info=info, replace=replace)
        click.echo(f"Stored {name} in case {folder.name}: {written} (check it with `diaspora check --case "
                   f"{case_name}`)")
        if imported.kind == "mirror_flows" and name == "mirror_flows":
            _mirror_report(folder)
        return
    if out is None:
        from diaspora_observatory.case.package import user_data_dir
        out = user_data_dir() / "imports" / f"{file.stem}.csv"
    for path in import_to_file(imported, out, selection=selection, info=info, replace=replace):
        click.echo(f"Wrote {path}")


def _mirror_report(folder) -> None:
    """How many stored rows the mirror statistics leave out, and why (they are kept in the resource)."""
    from diaspora_observatory.analysis.flows import mirror_left_out
    from diaspora_observatory.case.package import load_case

    case = load_case(folder)
    left_out = mirror_left_out(case)
    total = len(case.table("mirror_flows"))
    compared = total - sum(len(rows) for rows in left_out.values())
    click.echo(f"Mirror statistics: {compared:,} of {total:,} rows compared with {case.origin}'s own flows"
               + (f"; {total - compared:,} left out (stored, not compared):" if left_out else ""))
    for reason, rows in left_out.items():
        shown = ", ".join(rows[:5]) + (f" and {len(rows) - 5:,} more" if len(rows) > 5 else "")
        click.echo(f"  left out {len(rows):,}: {reason} ({shown})")


def _require_rows(imported, selection) -> None:
    """The contract's rule: nothing is stored when nothing matched (in the file, or after the filters)."""
    from diaspora_observatory.importers.errors import NothingMatched
    from diaspora_observatory.importers.report import ImportReport

    report = imported.report or ImportReport(imported.file.name)
    report.stored = report.stored or len(imported.table)
    report.require_matches("nothing was stored; check that the file is the one this format reads")
    if selection.apply(imported).empty:
        filters = ", ".join(f"{name} {', '.join(map(str, values))}" for name, values in vars(selection).items()
                            if values)
        raise NothingMatched(f"{imported.file.name}: none of its {len(imported.table):,} rows about countries "
                             f"match the filters ({filters})", "check the filters' codes and years; nothing was "
                             "stored")


def _default_source_id(imported) -> str:
    edition = imported.details.get("edition") or imported.details.get("indicator") or ""
    return "-".join(p for p in (imported.format, str(edition).lower().replace(".", "-")) if p)


@click.group(name="case", context_settings=CONTEXT_SETTINGS)
def case_group() -> None:
    """Create and manage cases (data packages) for any diaspora.

    \b
    Example:
      diaspora case new kyrgyz-diaspora --origin KGZ --from-undesa undesa.xlsx --population wdi.csv
    """


@case_group.command(name="new")
@click.argument("name")
@click.option("--origin", required=True, metavar="ISO3", help="Country of origin of the diaspora.")
@click.option("--hosts", metavar="ISO3,…", help="Host countries [default: the largest destinations in "
              "--from-undesa, or in UN DESA's 2024 table built in].")
@click.option("--host-count", type=click.IntRange(1, 50), default=None,
              help="How many of the largest destinations become hosts when --hosts is not given [default: 5].")
@click.option("--from-undesa", "undesa_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="UN DESA migrant-stock file (workbook or long CSV): the people born in the origin per host.")
@click.option("--population", "population_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Population of the hosts: World Bank WDI CSV (either layout) or an OWID grapher CSV.")
@click.option("--title", help="Title of the case [default: from the origin's name].")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="User data folder [default: $DIASPORA_DATA_DIR or the platform's].")
@click.option("--force", is_flag=True, help="Replace an existing case of that name.")
@click.option("--empty", is_flag=True, help="No data at all (not even the built-in data): every resource empty, "
                                            "to fill with `diaspora import`; needs --hosts.")
def new_case(name, origin, hosts, host_count, undesa_file, population_file, title, data_dir, force, empty) -> None:
    """Create a case NAME for the diaspora of ORIGIN in the user data folder.

    The case is a valid data package: `diaspora check --case NAME` and `diaspora report --case NAME`
    work on it at once. Its diaspora is defined by birthplace (UN DESA counts people born in the origin;
    citizens where a host has no birthplace data). With no file, the data built into the observatory
    are used: UN DESA's 2024 bilateral table, the 2019 edition's series 1990-2019 (each value labelled
    with its edition) and the World Bank's population, checked against UN DESA's population estimates
    (another producer; the cross-source check).

    \b
    Example:
      diaspora case new kyrgyz --origin KGZ                    # built-in data, the 5 largest destinations
      diaspora case new kyrgyz --origin KGZ --host-count 8
      diaspora case new uzbek-diaspora --origin UZB --hosts KAZ,KGZ,TJK,RUS \\
          --from-undesa undesa-ims-2024-bilateral-iso2.csv --population wdi-population/population.csv
    """
    from diaspora_observatory.importers.newcase import create_case

    folder = create_case(name, origin=origin, hosts=_codes((hosts,)) if hosts else None, undesa_file=undesa_file,
                         population_file=population_file, title=title, data_dir=data_dir, force=force,
                         host_count=host_count, empty=empty)
    if undesa_file is None and population_file is None and not empty:
        click.echo("Data: UN DESA International Migrant Stock 2024, the 2019 edition's series 1990-2019 (each "
                   "value labelled with its edition) and World Bank population, built into the observatory (no "
                   "file given)")
    if not hosts and not empty:
        from diaspora_observatory.case.package import load_case

        case = load_case(folder)
        stock = case.table("birthplace_stock")
        latest = stock[stock["year"] == stock["year"].max()].groupby("destination")["stock"].sum()
        shown = ", ".join(f"{code} ({int(latest.get(code, 0)):,})" for code in case.hosts)
        click.echo(f"Hosts: the {len(case.hosts)} largest destinations of people born in {case.origin} in "
                   f"{int(stock['year'].max())}: {shown} (--hosts or --host-count to choose others)")
    click.echo(f"Created case {name} in {folder}")
    click.echo(f"Next: diaspora check --case {name}   and   diaspora report --case {name}")


@case_group.command(name="copy")
@click.argument("source", metavar="CASE")
@click.argument("name")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="User data folder [default: $DIASPORA_DATA_DIR or the platform's].")
@click.option("--force", is_flag=True, help="Replace an existing case of that name.")
def copy_case_command(source, name, data_dir, force) -> None:
    """Copy CASE (a name or folder; built-in cases are read-only) to NAME in the user data folder.

    \b
    Example:
      diaspora case copy kazakh-central-asia my-kazakh-central-asia
      diaspora import wdi population.csv --case my-kazakh-central-asia --country KAZ
    """
    from diaspora_observatory.case.package import copy_case

    folder = copy_case(source, name, data_dir=data_dir, force=force)
    click.echo(f"Copied case {source} to {folder}")
    click.echo(f"Next: diaspora import … --case {name}")
