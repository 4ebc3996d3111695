"""Storing an import: as a resource of a case (data package, sources row, sidecar) or as a plain CSV.

An import into a case becomes ``data/<resource>.csv`` and its provenance sidecar, adds or replaces the
resource in ``datapackage.json`` and appends the source to ``sources.csv`` when its id is new, all as one
step through the case's own writer (``case.writer.store_resource``; built-in cases are refused there).
Nothing is written until the whole file has been read and every row fits the resource's schema, whose
constraints include the physical sanity of a count (a whole number of people, not negative, at most the
world population) and of a year (1800-2100); a file breaking them is refused naming the row and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from diaspora_observatory.case.transaction import updating, write_atomically
from diaspora_observatory.case.writer import WriteRefused, store_resource
from diaspora_observatory.importers.errors import MalformedSource
from diaspora_observatory.importers.imported import Imported
from diaspora_observatory.importers.provenance import SourceInfo, check_unchanged, sidecar_bytes

if TYPE_CHECKING:
    import pandas as pd

# UN DESA, World Population Prospects 2024: 8.16 billion people at mid-2024. No count of people of one
# country (or born in one) can exceed it; the bound is rounded up so that a world total passes.
WORLD_POPULATION = 8_200_000_000
# Years of the statistics an import can hold: censuses and registers start in the 19th century, and
# projections the observatory reads end in 2100 (UN WPP's horizon).
YEARS = {"minimum": 1800, "maximum": 2100}
COUNT = {"minimum": 0, "maximum": WORLD_POPULATION}
_STRING = {"type": "string"}
SOURCE_FIELDS: list[dict] = [{"name": "source_id", "type": "string", "constraints": {"required": True}},
                 {"name": "note", "type": "string"}]
SCHEMAS: dict[str, list[dict]] = {
    "migrant_stock": [
        {"name": "destination", "type": "string", "countryCode": True, "constraints": {"required": True},
         "description": "Country of residence (ISO 3166-1 alpha-3)."},
        {"name": "origin", "type": "string", "countryCode": True, "constraints": {"required": True},
         "description": "Country of birth (or of citizenship where the definition says so)."},
        {"name": "year", "type": "integer", "constraints": {"required": True, **YEARS}},
        {"name": "sex", "type": "string", "constraints": {"required": True, "enum": ["both", "male", "female"]}},
        {"name": "stock", "type": "integer", "constraints": {"required": True, **COUNT},
         "description": "People living in the destination who were born in the origin."},
        {"name": "definition", "type": "string", "constraints": {"enum": ["birthplace", "citizenship"]},
         "description": "birthplace, or citizenship where the producer's data type for the destination is C."},
        {"name": "data_type", **_STRING,
         "description": "The producer's type-of-data code (B, C, R, I), kept as provenance."},
        {"name": "edition", **_STRING,
         "description": "The producer's edition the value comes from (UN DESA: 2019, 2020, 2024). Editions "
                        "revise earlier years, so a series over time compares values of one edition only."},
    ],
    "population": [
        {"name": "country", "type": "string", "countryCode": True, "constraints": {"required": True}},
        {"name": "year", "type": "integer", "constraints": {"required": True, **YEARS}},
        {"name": "population", "type": "integer", "constraints": {"required": True, **COUNT}},
    ],
    "indicator": [
        {"name": "country", "type": "string", "countryCode": True, "constraints": {"required": True}},
        {"name": "year", "type": "integer", "constraints": {"required": True, **YEARS}},
        {"name": "indicator", "type": "string", "constraints": {"required": True}},
        {"name": "value", "type": "number"},
    ],
    # The layout of the built-in case's flows resource, which the flows analysis reads.
    "flows": [
        {"name": "partner", "type": "string", "countryCode": True, "constraints": {"required": True},
         "description": "The partner country (ISO 3166-1 alpha-3)."},
        {"name": "year", "type": "integer", "constraints": {"required": True, **YEARS}},
        {"name": "emigration", "type": "integer", "constraints": {"required": True, **COUNT},
         "description": "People leaving the origin for the partner in the year, as the file's producer counts them."},
        {"name": "immigration", "type": "integer", "constraints": {"required": True, **COUNT},
         "description": "People arriving in the origin from the partner in the year, as the producer counts them."},
    ],
    # Flows as another country counts them (for mirror statistics beside the origin's own flows).
    "mirror_flows": [
        {"name": "reporter", "type": "string", "countryCode": True, "constraints": {"required": True},
         "description": "The country whose statistics count these flows (ISO 3166-1 alpha-3)."},
        {"name": "partner", "type": "string", "countryCode": True, "constraints": {"required": True},
         "description": "The country the reporter exchanges migrants with."},
        {"name": "year", "type": "integer", "constraints": {"required": True, **YEARS}},
        {"name": "emigration", "type": "integer", "constraints": {"required": True, **COUNT},
         "description": "People leaving the reporter for the partner in the year, as the reporter counts them."},
        {"name": "immigration", "type": "integer", "constraints": {"required": True, **COUNT},
         "description": "People arriving in the reporter from the partner in the year, as the reporter counts them."},
    ],
}
PRIMARY_KEYS = {"migrant_stock": ["destination", "origin", "year", "sex"], "population": ["country", "year"],
                "indicator": ["country", "year", "indicator"], "flows": ["partner", "year"],
                "mirror_flows": ["reporter", "partner", "year"]}
TITLES = {"migrant_stock": "People born in the origin, by country of residence (international migrant stock)",
          "population": "Population of countries from a reference source", "indicator": "Indicator by country",
          "flows": "Migration flows between the origin and each partner (arrivals and departures)",
          "mirror_flows": "Migration flows as partner countries count them (for mirror statistics)"}


@dataclass
class Selection:
    """Which rows of an import to keep (all when a field is empty)."""

    origins: list[str] = field(default_factory=list)
    destinations: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    sexes: list[str] = field(default_factory=list)

    def apply(self, imported: Imported) -> pd.DataFrame:
        table = imported.table
        for column, values in (("origin", self.origins), ("destination", self.destinations),
                               ("country", self.countries), ("year", self.years), ("sex", self.sexes)):
            if values and column in table.columns:
                table = table[table[column].isin(values)]
        return table.reset_index(drop=True)


def resource_fields(kind: str) -> list[dict]:
    return [*SCHEMAS[kind], *SOURCE_FIELDS]


def case_rows(imported: Imported, selection: Selection, source_id: str) -> pd.DataFrame:
    """The selected rows in the schema of the case resource for the import's kind."""
    table = selection.apply(imported).copy()
    if imported.kind == "migrant_stock":
        codes = table["data_type"].fillna("").astype(str)
        table["definition"] = codes.map(lambda c: "citizenship" if "C" in c.split() else "birthplace")
        if "edition" not in table.columns:  # one file is one edition; the built-in series names each row's
            table["edition"] = str(imported.details.get("edition") or "")
        table = table.sort_values(["origin", "destination", "year", "sex"])
    else:
        table = table.sort_values([c for c in ("country", "reporter", "partner", "year", "indicator")
                                   if c in table.columns])
    table["source_id"] = source_id
    table["note"] = ""
    return table[[f["name"] for f in resource_fields(imported.kind)]].reset_index(drop=True)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a table as CSV, atomically (a kill leaves the old file or the new one)."""
    write_atomically(Path(path), frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))


def source_row(source_id: str, info: SourceInfo, kind: str = "official_statistics") -> dict:
    # A file with no title of its own (a generic import) is named in the bibliography by its citation, so
    # the sources row says what the values come from rather than leaving the title empty.
    return {"source_id": source_id, "author": info.producer, "title": info.title or info.citation,
            "year": info.year or "",
            "publisher": info.producer, "url": info.url, "kind": kind, "note": " ".join(info.notes)}


def _refusal(imported: Imported, refused: WriteRefused, table: pd.DataFrame, keys: list[str]) -> MalformedSource:
    """A schema error of the rows to store, as an error of the imported file: the row named by its key
    (the stored rows are filtered and sorted, so their position is not the file's) and the field."""
    first = refused.issues[0]
    position = (first.row or 0) - 2
    record = table.iloc[position].to_dict() if 0 <= position < len(table) else {}
    if first.check == "primary_key":
        problem = f"two rows for {', '.join(f'{k}={record.get(k)}' for k in keys)}; keep one"
    else:
        where = ", ".join(f"{k}={record.get(k)}" for k in keys if k != first.field) if record else ""
        problem = f"{first.message} (field {first.field}" + (f", in the row for {where})" if where else ")")
    others = f"; {len(refused.issues) - 1} more value(s) are refused too" if len(refused.issues) > 1 else ""
    return MalformedSource(imported.file.name, problem + others,
                           "correct the file and import again (a count of people is a whole number from 0 to "
                           f"{WORLD_POPULATION:,}, a year from {YEARS['minimum']} to {YEARS['maximum']}); "
                           "nothing was written")


# Producers that publish their counts to the person: a trailing zero of theirs is a digit, not a rounding
# (UN DESA's tables are in persons, "a dash: less than half of the unit employed"; the World Bank's SP.POP.TOTL
# in persons). Their imports declare it (``"rounding": 1``), which ``analysis.precision`` reads.
TO_THE_PERSON = {"undesa", "wdi"}
COUNT_FIELDS = {"stock", "population"}


def resource_entry(kind: str, name: str, file_format: str, original_name: str) -> dict:
    """The ``datapackage.json`` entry of an imported resource of ``kind`` named ``name`` (the case's writer
    adds the file's ``hash`` and ``bytes``)."""
    relative = f"data/{name}.csv"
    fields = [{**spec, "rounding": 1} if file_format in TO_THE_PERSON and spec["name"] in COUNT_FIELDS else spec
              for spec in resource_fields(kind)]
    return {"name": name, "path": relative, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "title": TITLES[kind],
            "description": f"Imported with `diaspora import {file_format}` from {original_name}; "
                           f"its provenance is in {Path(relative).name}.provenance.json.",
            "schema": {"fields": fields, "primaryKey": PRIMARY_KEYS[kind],
                       "foreignKeys": [{"fields": "source_id",
                                        "reference": {"resource": "sources", "fields": "source_id"}}]}}


def import_into_case(imported: Imported, folder: Path, *, resource: str, source_id: str,
                     selection: Selection | None = None, info: SourceInfo | None = None,
                     replace: bool = False, source_kind: str = "official_statistics") -> Path:
    """Store the import as resource ``resource`` of the case in ``folder``; return the CSV written.

    Refuses (ProvenanceMismatch) to overwrite a resource imported from a different original unless
    ``replace``, and (MalformedSource) rows that break the resource's schema; the datapackage.json entry
    and the sources row are added when missing. Everything is written as one step, or nothing.
    """
    from diaspora_observatory.case.descriptor import RESOURCE_NAME

    if not RESOURCE_NAME.match(resource) or "." in resource:
        raise MalformedSource(imported.file.name, f"--resource {resource!r} is not a usable resource name",
                              "use lower-case letters, digits and '_' or '-', such as census_population; the "
                              "resource is stored as data/NAME.csv inside the case")
    info = info or imported.info
    selection = selection or Selection()
    entry = resource_entry(imported.kind, resource, imported.format, imported.file.name)
    target = Path(folder) / entry["path"]
    if not replace:
        check_unchanged(imported.file, target)
    rows = case_rows(imported, selection, source_id)
    details = {**imported.details, "rows": len(rows), "selection": {k: v for k, v in vars(selection).items() if v}}

    def sidecar(data: bytes) -> bytes:
        return sidecar_bytes(data, target.name, imported.file, info, importer=f"diaspora import {imported.format}",
                             details=details)

    try:
        return store_resource(folder, entry, rows, sidecar=sidecar, source=source_row(source_id, info, source_kind))
    except WriteRefused as refused:
        if refused.issues and refused.issues[0].resource == resource:
            raise _refusal(imported, refused, rows, PRIMARY_KEYS[imported.kind]) from None
        raise


def import_to_file(imported: Imported, target: Path, *, selection: Selection | None = None,
                   info: SourceInfo | None = None, replace: bool = False) -> list[Path]:
    """Write the tidy country rows to ``target`` and the aggregates beside it, each with a sidecar.

    The country rows are checked like an import into a case (whole counts, plausible years) first.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not replace:
        check_unchanged(imported.file, target)
    from diaspora_observatory.case.frames import frame_issues

    table = (selection or Selection()).apply(imported)
    keys = [k for k in PRIMARY_KEYS[imported.kind] if k in table.columns]
    fields = [f for f in SCHEMAS[imported.kind] if f["name"] in table.columns]
    schema = {"fields": fields, "primaryKey": keys}
    issues = frame_issues(table, {"name": "rows", "path": target.name, "schema": schema})
    if issues:
        raise _refusal(imported, WriteRefused("refused", issues), table, keys)
    written = []
    with updating(target.parent) as update:  # the rows, the aggregates and their sidecars as one step
        for frame, path in ((table, target), (imported.aggregates, target.with_name(f"{target.stem}.aggregates.csv"))):
            if path != target and frame.empty:
                continue
            data = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
            sidecar = sidecar_bytes(data, path.name, imported.file, info or imported.info,
                                    importer=f"diaspora import {imported.format}", details=imported.details)
            update.put(path.name, data)
            update.put(path.name + ".provenance.json", sidecar)
            written += [path, path.with_name(path.name + ".provenance.json")]
    return written
