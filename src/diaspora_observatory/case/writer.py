"""Writing a case: the inverse of ``load_case``, and the one door through which data enters a case.

Every write is checked against the resource's Table Schema before anything is written, and is made as
one step with the other files it changes (``case/transaction.py``): a killed process leaves the case as
it was or as it would be, never in between. Built-in cases are never written (``writable_case_folder``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from diaspora_observatory.case.descriptor import RESOURCE_NAME, resource_issues
from diaspora_observatory.case.package import Case
from diaspora_observatory.case.schema import read_text
from diaspora_observatory.case.transaction import updating, write_atomically
from diaspora_observatory.csv_guard import CsvDictRows
from diaspora_observatory.errors import DataIssue, DiasporaError

if TYPE_CHECKING:
    import pandas as pd

DESCRIPTOR = "datapackage.json"


class WriteRefused(DiasporaError):
    """Rows that do not fit their resource's schema; ``issues`` says where (rows of the text to write)."""

    def __init__(self, message: str, issues: list[DataIssue], hint: str = "") -> None:
        super().__init__(message, hint or "correct the data and write again; nothing was written")
        self.issues = issues


def _cell(value: object, field_type: str) -> str:
    if value is None or (isinstance(value, float) and value != value):  # NaN: pandas' missing value
        return ""
    if field_type == "boolean" and isinstance(value, bool):
        return "true" if value else "false"
    if field_type in ("number", "integer") and isinstance(value, float) and value.is_integer():
        return str(int(value))  # a whole count read as a float (a column with gaps) is still a whole count
    return str(value)


def rows_text(fields: list[dict], rows) -> str:
    """Typed rows (dicts) as CSV text with the schema's header (LF line endings)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f["name"] for f in fields])
    for row in rows:
        writer.writerow([_cell(row.get(f["name"]), f.get("type", "string")) for f in fields])
    return buffer.getvalue()


def descriptor_text(descriptor: dict) -> str:
    return json.dumps(descriptor, indent=1, ensure_ascii=False) + "\n"


def write_rows(path: Path, fields: list[dict], rows: list[dict]) -> None:
    """Write typed rows as CSV with the schema's header (UTF-8, LF line endings), atomically."""
    write_atomically(Path(path), rows_text(fields, rows).encode("utf-8"))


def save_case(case: Case, folder: Path) -> Path:
    """Write ``case`` (descriptor and every resource) into ``folder`` as one step; return the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with updating(folder) as update:
        update.put(DESCRIPTOR, descriptor_text(case.descriptor))
        for resource in case.descriptor["resources"]:
            update.put(resource["path"], rows_text(resource["schema"]["fields"], case.rows.get(resource["name"], [])))
    return folder


def refuse_unless_valid(text: str, resource: dict) -> None:
    """Raise WriteRefused when CSV ``text`` breaks ``resource``'s schema (types, constraints, keys)."""
    _, issues = read_text(text, resource)
    errors = [issue for issue in issues if issue.severity == "error"]
    if errors:
        raise WriteRefused(f"{len(errors)} value(s) do not fit the schema of {resource['name']}, first: "
                           f"{errors[0]}", errors)


def store_resource(folder: Path, entry: dict, table: pd.DataFrame | str, *,
                   sidecar: Callable[[bytes], bytes] | None = None, source: dict | None = None) -> Path:
    """Add or replace resource ``entry`` of the case in ``folder`` with ``table`` (a DataFrame, or CSV text),
    as one step; return the file written.

    The entry records the file's ``hash`` (``sha256:…``) and ``bytes``. ``sidecar(data)`` gives the
    provenance record of the file's bytes, written beside it; ``source`` (a row of the ``sources``
    resource) is appended when its ``source_id`` is new. Raises WriteRefused, before anything is written,
    when the table or the new sources row breaks its schema.
    """
    from diaspora_observatory.case.frames import frame_text
    from diaspora_observatory.case.provenance import sidecar_path

    folder = Path(folder)
    name = entry.get("name")
    if not isinstance(name, str) or not RESOURCE_NAME.match(name) or "." in name:
        raise DiasporaError(f"{name!r} is not a usable resource name",
                            "use lower-case letters, digits and '_' or '-', such as census_population; the "
                            "resource is stored as data/NAME.csv inside the case")
    problems = resource_issues(entry, 0)
    if problems:
        raise WriteRefused(f"resource {name} cannot be stored: {problems[0]}", problems)
    if isinstance(table, str):
        text = table
        refuse_unless_valid(text, entry)
    else:
        text, issues = frame_text(table, entry)
        if issues:
            raise WriteRefused(f"{len(issues)} value(s) do not fit the schema of {name}, first: {issues[0]}", issues)
    data = text.encode("utf-8")
    entry = _with_integrity(entry, data)
    with updating(folder) as update:
        try:
            descriptor = json.loads(update.read(DESCRIPTOR) or b"{}")
            resources = descriptor.setdefault("resources", [])
            if not isinstance(resources, list):
                raise TypeError
        except (json.JSONDecodeError, UnicodeDecodeError, TypeError, AttributeError):
            raise DiasporaError(f"{folder / DESCRIPTOR} is not a readable data package descriptor, so nothing "
                                "was stored", "fix it (`diaspora check` names the problem) and import again") from None
        names = [r.get("name") for r in resources]
        if name in names:
            resources[names.index(name)] = entry
        else:
            resources.append(entry)
        update.put(entry["path"], data)
        if sidecar is not None:
            update.put(sidecar_path(Path(entry["path"])).as_posix(), sidecar(data))
        if source is not None:
            _append_source(update, descriptor, source)
        update.put(DESCRIPTOR, descriptor_text(descriptor))
    return folder / entry["path"]


def _with_integrity(entry: dict, data: bytes) -> dict:
    """``entry`` with the file's ``hash`` and ``bytes`` (Data Resource properties), placed after ``encoding``."""
    integrity = {"hash": f"sha256:{hashlib.sha256(data).hexdigest()}", "bytes": len(data)}
    result: dict = {}
    for key, value in entry.items():
        if key in integrity:
            continue
        result[key] = value
        if key == "encoding":
            result.update(integrity)
    return {**result, **integrity} if "encoding" not in entry else result


def _append_source(update, descriptor: dict, row: dict) -> None:
    resource = next((r for r in descriptor["resources"] if r.get("name") == "sources"), None)
    if resource is None:
        raise DiasporaError(f"case at {update.folder.name} has no sources resource", "add a sources resource first")
    current = (update.read(resource["path"]) or b"").decode("utf-8")
    existing_rows = CsvDictRows(io.StringIO(current), resource["path"])
    if any(existing.get("source_id") == row["source_id"] for existing in existing_rows):
        return
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow([row.get(f["name"], "") for f in resource["schema"]["fields"]])
    refuse_unless_valid(rows_text(resource["schema"]["fields"], []) + line.getvalue(), resource)  # the new row only
    update.put(resource["path"], (current if not current or current.endswith("\n") else current + "\n")
               + line.getvalue())
