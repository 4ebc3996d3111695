"""Writing a case back to disk as a data package: the inverse of ``load_case``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from diaspora_observatory.case.package import Case


def _cell(value: object, field_type: str) -> str:
    if value is None:
        return ""
    if field_type == "boolean":
        return "true" if value else "false"
    if field_type == "number" and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_rows(path: Path, fields: list[dict], rows: list[dict]) -> None:
    """Write typed rows as CSV with the schema's header (UTF-8, LF line endings)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([f["name"] for f in fields])
        for row in rows:
            writer.writerow([_cell(row.get(f["name"]), f.get("type", "string")) for f in fields])


def save_case(case: Case, folder: Path) -> Path:
    """Write ``case`` (descriptor and every resource) into ``folder``; return the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "datapackage.json").write_text(json.dumps(case.descriptor, indent=1, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
    for resource in case.descriptor["resources"]:
        write_rows(folder / resource["path"], resource["schema"]["fields"], case.rows.get(resource["name"], []))
    return folder
