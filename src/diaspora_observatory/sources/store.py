"""Storing an import: as a resource of a case (data package, sources row, sidecar) or as a plain CSV.

An import into a case writes ``data/<resource>.csv`` and its provenance sidecar, adds or replaces the
resource in ``datapackage.json`` and appends the source to ``sources.csv`` when its id is new. Nothing is
written until the whole file has been read without error, so a malformed file changes nothing.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from diaspora_observatory.errors import CaseNotFound, DiasporaError
from diaspora_observatory.sources.imported import Imported
from diaspora_observatory.sources.provenance import SourceInfo, check_unchanged, write_sidecar

if TYPE_CHECKING:
    import pandas as pd

_STRING = {"type": "string"}
SOURCE_FIELDS = [{"name": "source_id", "type": "string", "constraints": {"required": True}},
                 {"name": "note", "type": "string"}]
SCHEMAS: dict[str, list[dict]] = {
    "migrant_stock": [
        {"name": "destination", "type": "string", "countryCode": True, "constraints": {"required": True},
         "description": "Country of residence (ISO 3166-1 alpha-3)."},
        {"name": "origin", "type": "string", "countryCode": True, "constraints": {"required": True},
         "description": "Country of birth (or of citizenship where the definition says so)."},
        {"name": "year", "type": "integer", "constraints": {"required": True}},
        {"name": "sex", "type": "string", "constraints": {"required": True, "enum": ["both", "male", "female"]}},
        {"name": "stock", "type": "integer", "constraints": {"required": True, "minimum": 0},
         "description": "People living in the destination who were born in the origin."},
        {"name": "definition", "type": "string", "constraints": {"enum": ["birthplace", "citizenship"]},
         "description": "birthplace, or citizenship where the producer's data type for the destination is C."},
        {"name": "data_type", **_STRING,
         "description": "The producer's type-of-data code (B, C, R, I), kept as provenance."},
    ],
    "population": [
        {"name": "country", "type": "string", "countryCode": True, "constraints": {"required": True}},
        {"name": "year", "type": "integer", "constraints": {"required": True}},
        {"name": "population", "type": "integer", "constraints": {"required": True, "minimum": 0}},
    ],
    "indicator": [
        {"name": "country", "type": "string", "countryCode": True, "constraints": {"required": True}},
        {"name": "year", "type": "integer", "constraints": {"required": True}},
        {"name": "indicator", "type": "string", "constraints": {"required": True}},
        {"name": "value", "type": "number"},
    ],
}
PRIMARY_KEYS = {"migrant_stock": ["destination", "origin", "year", "sex"], "population": ["country", "year"],
                "indicator": ["country", "year", "indicator"]}
TITLES = {"migrant_stock": "People born in the origin, by country of residence (international migrant stock)",
          "population": "Population of countries from a reference source", "indicator": "Indicator by country"}


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
        table = table.sort_values(["origin", "destination", "year", "sex"])
    else:
        table = table.sort_values([c for c in ("country", "year", "indicator") if c in table.columns])
    table["source_id"] = source_id
    table["note"] = ""
    return table[[f["name"] for f in resource_fields(imported.kind)]].reset_index(drop=True)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")


def resolve_case_folder(name_or_path: str) -> Path:
    """A case folder by path, or by name among the user's and the built-in cases."""
    from diaspora_observatory.case.package import list_cases

    candidate = Path(name_or_path)
    if (candidate / "datapackage.json").is_file():
        return candidate
    for entry in list_cases():
        if entry["name"] == name_or_path:
            return Path(entry["path"])
    raise CaseNotFound(f"no case named or found at {name_or_path!r}",
                       "create one with `diaspora case new NAME --origin ISO3`, or give a case folder")


def source_row(source_id: str, info: SourceInfo, kind: str = "official_statistics") -> dict:
    return {"source_id": source_id, "author": info.producer, "title": info.title, "year": info.year or "",
            "publisher": info.producer, "url": info.url, "kind": kind, "note": " ".join(info.notes)}


def append_source(folder: Path, descriptor: dict, row: dict) -> bool:
    """Append ``row`` to the case's sources resource unless its id is there; True when appended."""
    resource = next((r for r in descriptor["resources"] if r["name"] == "sources"), None)
    if resource is None:
        raise DiasporaError(f"case at {folder.name} has no sources resource", "add a sources resource first")
    path = folder / resource["path"]
    fields = [f["name"] for f in resource["schema"]["fields"]]
    with path.open(encoding="utf-8", newline="") as handle:
        if any(existing.get("source_id") == row["source_id"] for existing in csv.DictReader(handle)):
            return False
    text = path.read_text(encoding="utf-8")
    with path.open("a", encoding="utf-8", newline="") as handle:
        if text and not text.endswith("\n"):
            handle.write("\n")
        csv.writer(handle, lineterminator="\n").writerow([row.get(name, "") for name in fields])
    return True


def write_descriptor(folder: Path, descriptor: dict) -> None:
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=1, ensure_ascii=False) + "\n",
                                             encoding="utf-8")


def import_into_case(imported: Imported, folder: Path, *, resource: str, source_id: str,
                     selection: Selection | None = None, info: SourceInfo | None = None,
                     replace: bool = False, source_kind: str = "official_statistics") -> Path:
    """Store the import as resource ``resource`` of the case in ``folder``; return the CSV written.

    Refuses (ProvenanceMismatch) to overwrite a resource imported from a different original unless
    ``replace``; the datapackage.json entry and the sources row are added when missing.
    """
    info = info or imported.info
    selection = selection or Selection()
    relative = f"data/{resource}.csv"
    target = folder / relative
    if not replace:
        check_unchanged(imported.file, target)
    rows = case_rows(imported, selection, source_id)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    write_csv(rows, target)
    details = {**imported.details, "rows": len(rows), "selection": {k: v for k, v in vars(selection).items() if v}}
    write_sidecar(target, imported.file, info, importer=f"diaspora import {imported.format}", details=details)
    entry = {"name": resource, "path": relative, "profile": "tabular-data-resource", "format": "csv",
             "mediatype": "text/csv", "encoding": "utf-8", "title": TITLES[imported.kind],
             "description": f"Imported with `diaspora import {imported.format}` from {imported.file.name}; "
                            f"its provenance is in {Path(relative).name}.provenance.json.",
             "schema": {"fields": resource_fields(imported.kind), "primaryKey": PRIMARY_KEYS[imported.kind],
                        "foreignKeys": [{"fields": "source_id",
                                         "reference": {"resource": "sources", "fields": "source_id"}}]}}
    names = [r["name"] for r in descriptor["resources"]]
    if resource in names:
        descriptor["resources"][names.index(resource)] = entry
    else:
        descriptor["resources"].append(entry)
    write_descriptor(folder, descriptor)
    append_source(folder, descriptor, source_row(source_id, info, source_kind))
    return target


def import_to_file(imported: Imported, target: Path, *, selection: Selection | None = None,
                   info: SourceInfo | None = None, replace: bool = False) -> list[Path]:
    """Write the tidy country rows to ``target`` and the aggregates beside it, each with a sidecar."""
    target = Path(target)
    if not replace:
        check_unchanged(imported.file, target)
    table = (selection or Selection()).apply(imported)
    write_csv(table, target)
    written = [target, write_sidecar(target, imported.file, info or imported.info,
                                     importer=f"diaspora import {imported.format}", details=imported.details)]
    if not imported.aggregates.empty:
        aggregates = target.with_name(f"{target.stem}.aggregates.csv")
        write_csv(imported.aggregates, aggregates)
        written += [aggregates, write_sidecar(aggregates, imported.file, info or imported.info,
                                              importer=f"diaspora import {imported.format}",
                                              details=imported.details)]
    return written
