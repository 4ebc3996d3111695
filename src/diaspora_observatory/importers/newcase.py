"""A new case for any diaspora: a data package built from a UN DESA migrant-stock file and a population
file, in the user data folder, ready for ``diaspora check`` and ``diaspora report``.

The diaspora is defined by birthplace (UN DESA counts people born in the origin). The case has the
resources the analysis expects, with the built-in case's schemas; those the imported files cannot fill
(flows, periods, claims) are created empty, and the report leaves their sections out.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import SupportsInt, cast

from diaspora_observatory.countries import country_name, to_alpha3
from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.importers.imported import Imported

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
# Resources every case has, with the built-in case's schemas, so the analysis and report find them;
# those the imported files cannot fill are written empty (header only).
CORE_RESOURCES = ("sources", "population", "diaspora_estimates", "flows", "periods", "repatriation", "institutions",
                  "schooling", "survey_items", "survey_results", "documents", "document_themes", "indicators",
                  "claims", "value_labels")
FILLED_RESOURCES = ("sources", "population", "diaspora_estimates", "value_labels")
DEFAULT_HOST_COUNT = 5
UNDESA_PRODUCER = "United Nations, Department of Economic and Social Affairs, Population Division"


class CaseExists(DiasporaError):
    """A case of that name is already in the user data folder."""


def _builtin_case():
    """The built-in case, read through the case door, whose schemas and vocabulary a new case starts from."""
    from diaspora_observatory.case.package import DEFAULT_CASE, load_case

    return load_case(DEFAULT_CASE)


def _builtin_descriptor() -> dict:
    return _builtin_case().descriptor


def _builtin_value_labels() -> list[dict]:
    return [{k: v for k, v in row.items() if k != "_row"} for row in _builtin_case().rows["value_labels"]]


def _core_resources(origin_name: str) -> list[dict]:
    by_name = {r["name"]: r for r in _builtin_descriptor()["resources"]}
    resources = []
    for name in CORE_RESOURCES:
        resource = json.loads(json.dumps(by_name[name]))
        resource.pop("description", None)
        resources.append(resource)
    titles = {"population": "Population and diaspora by host", "flows": f"Migration flows with {origin_name}",
              "periods": "Migration periods", "claims": "Numeric statements to recompute"}
    for resource in resources:
        resource["title"] = titles.get(resource["name"], resource.get("title", resource["name"]))
    return resources


def _population_import(path: Path) -> Imported:
    """A WDI file (either layout) or an OWID grapher CSV, told apart by their first line."""
    with Path(path).open(encoding="utf-8-sig") as handle:
        first = handle.readline()
    if first.startswith("Entity,Code,Year"):
        from diaspora_observatory.importers.owid import read_owid
        imported = read_owid(path, kind="population")
    else:
        from diaspora_observatory.importers.wdi import read_wdi
        imported = read_wdi(path)
    if imported.kind != "population":
        raise DiasporaError(f"{Path(path).name} does not hold population ({imported.details.get('indicator')})",
                            "give a World Bank SP.POP.TOTL file or an OWID population file")
    return imported


def _hosts_from_stock(stock, origin: str, count: int = DEFAULT_HOST_COUNT) -> list[str]:
    latest = stock[(stock["origin"] == origin) & (stock["sex"] == "both")]
    latest = latest[latest["year"] == latest["year"].max()]
    ranked = latest.groupby("destination", as_index=False)["stock"].sum()
    return ranked.sort_values(["stock", "destination"], ascending=[False, True])["destination"].head(count).tolist()


def world_stock(origin: str) -> Imported:
    """People born in ``origin`` abroad in UN DESA's editions built into the package (world/): the 2019
    edition's series (1990, 1995, ..., 2015, 2019) and the 2024 edition's table, each row naming its edition.

    The latest year is the 2024 edition's; the hosts and the case's population rows come from it. Two
    editions are never one series: every row keeps its ``edition`` and the source of that edition.
    """
    import pandas as pd

    from diaspora_observatory import world
    from diaspora_observatory.importers.provenance import SourceInfo

    rows = world.migrant_stock(origin=origin)
    table = pd.DataFrame({"destination": rows["destination"], "origin": rows["origin"], "year": rows["year"],
                          "sex": "both", "stock": rows["stock"], "data_type": rows["data_type"],
                          "edition": rows["edition"]})
    source = world.provenance()["sources"]["undesa_2024"]
    info = SourceInfo(producer=UNDESA_PRODUCER, citation=source["citation"], licence=source["licence"],
                      title="International Migrant Stock 2024", year=2024,
                      notes=["Built into the observatory (world/data, tools/build-world-data): both sexes, "
                             "mid-2024, with each destination's type of data from Table 1 of the same edition; "
                             "the years 1990-2019 from the 2019 edition (its own source), each row naming its "
                             "edition."])
    empty = pd.DataFrame(columns=["destination_code", "destination_name", "origin_code", "origin_name", "year",
                                  "sex", "stock", "data_type"])
    return Imported("migrant_stock", "undesa", world.DATA / "undesa_stock.csv.gz", table.reset_index(drop=True),
                    empty, info, details={"edition": "2024", "editions": sorted(set(table["edition"])),
                                          "built_in": True})


def world_un_population() -> Imported:
    """UN DESA's total population by country from the package's world data: the independent reference of
    a case whose population comes from the World Bank."""
    import pandas as pd

    from diaspora_observatory import world
    from diaspora_observatory.importers.provenance import SourceInfo

    source = world.provenance()["sources"]["undesa_2024_population"]
    info = SourceInfo(producer=UNDESA_PRODUCER, citation=source["citation"], licence=source["licence"],
                      title="International Migrant Stock 2024: Destination, Table 2 (total population)", year=2024,
                      notes=["Built into the observatory (world/data, tools/build-world-data): countries only, "
                             f"{', '.join(str(y) for y in source['years'])}; {source['note']}."])
    empty = pd.DataFrame(columns=["code", "name", "year", "population"])
    return Imported("population", "undesa", world.DATA / "un_population.csv.gz", world.un_population().copy(), empty,
                    info, details={"table": "Table 2", "built_in": True})


def _edition_source(edition: str):
    """The source of one built-in UN DESA edition other than 2024 (the 2019 edition's series)."""
    from diaspora_observatory import world
    from diaspora_observatory.importers.provenance import SourceInfo

    source = world.provenance()["sources"][f"undesa_{edition}"]
    return SourceInfo(producer=UNDESA_PRODUCER, citation=source["citation"], licence=source["licence"],
                      title=f"International Migrant Stock {edition}", year=int(edition),
                      notes=[f"Built into the observatory (world/data, tools/build-world-data): both sexes, "
                             f"{', '.join(str(y) for y in source['years'])}; {source.get('note', '')}".rstrip("; ")
                             + "."])


def world_population() -> Imported:
    """Total population by country from the package's world data (World Bank WDI, SP.POP.TOTL)."""
    import pandas as pd

    from diaspora_observatory import world
    from diaspora_observatory.importers.provenance import SourceInfo

    source = world.provenance()["sources"]["wdi_population"]
    info = SourceInfo(producer="World Bank", citation=source["citation"], licence=source["licence"],
                      title="World Development Indicators: Population, total (SP.POP.TOTL)",
                      notes=["Built into the observatory (world/data, tools/build-world-data): countries only."])
    empty = pd.DataFrame(columns=["code", "name", "year", "population"])
    return Imported("population", "wdi", world.DATA / "population.csv.gz", world.population().copy(), empty, info,
                    details={"indicator": "SP.POP.TOTL", "built_in": True})


def create_case(name: str, *, origin: str, hosts: list[str] | None = None, undesa_file: Path | None = None,
                population_file: Path | None = None, title: str | None = None, data_dir: Path | None = None,
                force: bool = False, host_count: int | None = None, empty: bool = False) -> Path:
    """Create case ``name`` in ``<data_dir>/cases/``; return its folder.

    ``hosts`` default to the ``host_count`` (5) largest destinations of people born in ``origin`` in
    ``undesa_file``. With neither ``undesa_file`` nor ``population_file``, the world data the package
    ships are used: UN DESA's 2024 bilateral stocks and the World Bank's population (see world/), unless
    ``empty`` (a case with its resources and no rows, to fill by imports; it needs ``hosts``).
    Raises DiasporaError for a bad name, an existing case (unless ``force``), no hosts, or an origin
    that the UN DESA file does not have.
    """
    from diaspora_observatory.case.package import user_data_dir
    from diaspora_observatory.case.transaction import restore_aside, swap_into_place

    if not NAME_PATTERN.match(name):
        raise DiasporaError(f"{name!r} is not a usable case name",
                            "use lower-case letters, digits and hyphens, e.g. kyrgyz-diaspora")
    origin = to_alpha3(origin)
    origin_name = country_name(origin)
    folder = (data_dir or user_data_dir()) / "cases" / name
    restore_aside(folder)  # a --force killed between its two renames: the old case comes back
    if folder.exists() and not force:
        raise CaseExists(f"a case named {name!r} already exists at {folder}", "choose another name or add --force")
    stock = None
    if undesa_file is not None:
        from diaspora_observatory.importers.undesa import read_undesa
        stock = read_undesa(undesa_file)
        if not (stock.table["origin"] == origin).any():
            raise DiasporaError(f"{Path(undesa_file).name} has no people born in {origin} ({origin_name})",
                                "check the origin code, or give the UN DESA table that covers it")
    population = _population_import(population_file) if population_file is not None else None
    if stock is None and population is None and not empty:  # no file: the world data the package ships
        stock, population = world_stock(origin), world_population()
        if stock.table.empty:
            raise DiasporaError(f"UN DESA's 2024 table has no people born in {origin} ({origin_name}) abroad",
                                "check the origin code, or give --from-undesa FILE")
    host_count = host_count or DEFAULT_HOST_COUNT
    hosts = [to_alpha3(h) for h in hosts] if hosts else (
        _hosts_from_stock(stock.table, origin, host_count) if stock else [])
    if not hosts:
        raise DiasporaError("no host countries", "give --hosts ISO3,ISO3 for an empty case, or leave out --empty "
                            "to choose the largest destinations")
    # Built beside the target and moved into place at the end, so a failure leaves no half-made case and
    # --force replaces an existing case only once the new one is complete.
    final = folder
    folder = final.with_name(f".{name}.partial")
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "data").mkdir(parents=True)
    try:
        _fill(folder, name, origin, origin_name, hosts, stock, population, title)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    swap_into_place(folder, final)
    return final


def _fill(folder: Path, name: str, origin: str, origin_name: str, hosts: list[str], stock: Imported | None,
          population: Imported | None, title: str | None) -> None:
    from diaspora_observatory.case.writer import descriptor_text
    from diaspora_observatory.importers.provenance import write_sidecar
    from diaspora_observatory.importers.store import Selection, case_rows, source_row, write_csv

    resources = _core_resources(origin_name)
    sources = []
    population_rows: list[dict] = []
    estimate_rows: list[dict] = []
    world_id = None
    if stock is not None:
        stock_id = f"undesa-ims-{stock.details.get('edition') or 'stock'}"
        sources.append(source_row(stock_id, stock.info))
        selected = case_rows(stock, Selection(origins=[origin]), stock_id)
        # The built-in series holds other editions too: each row is credited to its own edition's source.
        for edition in sorted(set(selected["edition"]) - {stock.details.get("edition"), ""}):
            edition_id = f"undesa-ims-{edition}"
            selected.loc[selected["edition"] == edition, "source_id"] = edition_id
            sources.append(source_row(edition_id, _edition_source(edition)))
        write_csv(selected, folder / "data" / "birthplace_stock.csv")
        write_sidecar(folder / "data" / "birthplace_stock.csv", stock.file, stock.info,
                      importer="diaspora case new", details={**stock.details, "origin": origin})
        resources.append(_stock_resource())
        both = selected[selected["sex"] == "both"]
        # The case's population and estimates come from the main edition only (the one its hosts were
        # chosen by): two editions' years in one table would read as one series. The other editions'
        # series stay in birthplace_stock, each row naming its edition.
        both = both[both["edition"] == (stock.details.get("edition") or "")]
        in_hosts = both[both["destination"].isin(hosts)]
        grouped = in_hosts.groupby(["destination", "year", "definition"])["stock"].sum()
        for key, count in grouped.items():
            host, year, definition = cast(tuple[str, SupportsInt, str], key)  # the three keys grouped by
            # UN DESA counts citizens where a host has no birthplace data (type C): keep that definition.
            counted = f"People born in {origin_name}" if definition == "birthplace" else f"Citizens of {origin_name}"
            population_rows.append({"country": host, "year": int(year), "group": "diaspora", "population": int(count),
                                    "definition": definition, "source_id": stock_id,
                                    "note": f"{counted} (UN DESA international migrant stock)."})
            estimate_rows.append({"estimate_id": f"{host.lower()}-{year}-undesa", "scope": "country", "country": host,
                                  "year_from": int(year), "year_to": int(year), "low": int(count), "high": int(count),
                                  "qualifier": "exact", "definition": definition, "estimate_kind": "estimate",
                                  "source_id": stock_id, "note": ""})
        for year_key, total in both.groupby("year")["stock"].sum().items():
            year = int(cast(SupportsInt, year_key))
            estimate_rows.append({"estimate_id": f"world-{year}-undesa", "scope": "world", "country": "",
                                  "year_from": int(year), "year_to": int(year), "low": int(total), "high": int(total),
                                  "qualifier": "exact", "definition": "birthplace", "estimate_kind": "estimate",
                                  "source_id": stock_id,
                                  "note": "Sum over the countries of residence in the file: people born in "
                                          f"{origin_name} living abroad (citizens where UN DESA had no birthplace "
                                          "data for a country, type C)."})
            world_id = f"world-{year}-undesa"
    if population is not None:
        population_id = f"{population.format}-population"
        sources.append(source_row(population_id, population.info))
        stock_years = {r["year"] for r in population_rows}
        wanted = population.table[population.table["country"].isin([*hosts, origin])]
        if stock_years:
            wanted = wanted[wanted["year"].isin(stock_years)]
        for row in wanted.itertuples():
            population_rows.append({"country": row.country, "year": int(cast(SupportsInt, row.year)), "group": "total",
                                    "population": int(cast(SupportsInt, row.population)), "definition": "residence",
                                    "source_id": population_id, "note": ""})
    # The cross-source check needs another producer than the one of the case's population: UN DESA's
    # population estimates (built in) beside the World Bank's. An OWID population file publishes the UN's
    # estimates, so against it the reference would be the same producer twice: no check then.
    cross_source = population is not None and population.format != "owid"
    if cross_source:
        reference = world_un_population()
        reference_id = "undesa-population-2024"
        sources.append(source_row(reference_id, reference.info))
        rows = case_rows(reference, Selection(countries=[*hosts, origin]), reference_id)
        write_csv(rows, folder / "data" / "reference_population.csv")
        write_sidecar(folder / "data" / "reference_population.csv", reference.file, reference.info,
                      importer="diaspora case new", details=reference.details)
        resources.append(_reference_resource())
    if not sources:
        sources.append({"source_id": "user", "author": "The case's author", "title": "", "year": "", "publisher": "",
                        "url": "", "kind": "report", "note": "Placeholder until data is imported."})
    by_name = {r["name"]: r for r in resources}
    _write_rows(folder, by_name["sources"], sources)
    _write_rows(folder, by_name["population"], sorted(population_rows, key=lambda r: (r["country"], r["year"],
                                                                                        r["group"])))
    _write_rows(folder, by_name["diaspora_estimates"], estimate_rows)
    _write_rows(folder, by_name["value_labels"], _builtin_value_labels())  # the shared vocabulary, to edit
    for empty in (name for name in CORE_RESOURCES if name not in FILLED_RESOURCES):
        _write_rows(folder, by_name[empty], [])
    descriptor = {
        "name": name, "title": title or f"The diaspora of {origin_name}",
        # The title in the other interface languages, from CLDR's country names; a title the user gave is
        # theirs, in the one language they wrote it in.
        **({} if title else {"titles": {"ru": f"Диаспора: {country_name(origin, 'ru')}",
                                        "kk": f"{country_name(origin, 'kk')} диаспорасы"}}),
        "description": f"People born in {origin_name} living in {', '.join(hosts)}, from imported sources. "
                       "Created with `diaspora case new`.",
        "version": "0.1.0", "profile": "tabular-data-package",
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                      "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "diaspora": {"origin": origin, "hosts": hosts, "definition": "birthplace",
                     "group_label": f"people born in {origin_name}", "region": "",
                     **({"world_estimate": world_id} if world_id else {})},
        "resources": resources,
        "checks": [{"check": "range_ordered", "resource": "diaspora_estimates", "low_field": "low",
                    "high_field": "high"},
                   *([{"check": "cross_source_agreement", "resource": "population", "reference": "reference_population",
                       "keys": ["country", "year"], "value_field": "population", "tolerance_pct": 5,
                       "only": {"group": ["total"]}}] if cross_source else []),
                   {"check": "years_continuous", "resource": "flows", "keys": ["partner"], "year_field": "year"},
                   {"check": "country_codes_known"}, {"check": "sources_resolve"}],
    }
    (folder / "datapackage.json").write_text(descriptor_text(descriptor), encoding="utf-8")


def _write_rows(folder: Path, resource: dict, rows: list[dict]) -> None:
    import csv

    path = folder / resource["path"]
    fields = [f["name"] for f in resource["schema"]["fields"]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _resource(name: str, kind: str, title: str) -> dict:
    from diaspora_observatory.importers.store import PRIMARY_KEYS, resource_fields

    return {"name": name, "path": f"data/{name}.csv", "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "title": title,
            "schema": {"fields": resource_fields(kind), "primaryKey": PRIMARY_KEYS[kind],
                       "foreignKeys": [{"fields": "source_id", "reference": {"resource": "sources",
                                                                             "fields": "source_id"}}]}}


def _stock_resource() -> dict:
    return _resource("birthplace_stock", "migrant_stock", "People born in the origin by country of residence (UN DESA)")


def _reference_resource() -> dict:
    return _resource("reference_population", "population", "Population of the hosts and the origin (reference source)")
