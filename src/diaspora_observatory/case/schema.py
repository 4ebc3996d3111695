"""Reading a CSV resource against its Table Schema: types and constraints, with structured errors.

Only the part of the Table Schema standard the observatory's packages use is implemented
(string, integer, number, boolean; required, unique, enum, minimum, maximum; primaryKey).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from diaspora_observatory.errors import DataIssue

_TRUE = {"true", "True", "TRUE", "yes", "1"}
_FALSE = {"false", "False", "FALSE", "no", "0"}


def _cast(value: str, field_type: str) -> Any:
    """Cast one CSV cell; raise ValueError with a readable reason when it does not fit."""
    if field_type == "integer":
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a whole number") from None
    if field_type == "number":
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    if field_type == "boolean":
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ValueError(f"{value!r} is not true or false")
    return value


def _constraint_issues(value: Any, constraints: dict) -> Iterator[str]:
    if "enum" in constraints and value not in constraints["enum"]:
        yield f"{value!r} is not one of {', '.join(map(str, constraints['enum']))}"
    if "minimum" in constraints and value < constraints["minimum"]:
        yield f"{value} is below the minimum {constraints['minimum']}"
    if "maximum" in constraints and value > constraints["maximum"]:
        yield f"{value} is above the maximum {constraints['maximum']}"


def read_resource(base: Path, resource: dict) -> tuple[list[dict], list[DataIssue]]:
    """Read one resource; return typed rows (bad cells become None) and the issues found.

    Each row dict also carries ``_row``, its line number in the file (header = 1).
    """
    name = resource["name"]
    path = base / resource["path"]
    rel = resource["path"]
    fields = resource["schema"]["fields"]
    issues: list[DataIssue] = []
    if not path.is_file():
        return [], [DataIssue("resource_exists", name, None, None, f"file {rel} is missing; create it with the header "
                              f"{','.join(f['name'] for f in fields)}", rel)]
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        expected = [f["name"] for f in fields]
        if header != expected:
            missing = [n for n in expected if n not in header]
            extra = [n for n in header if n not in expected]
            detail = "; ".join(p for p in (f"missing {', '.join(missing)}" if missing else "",
                                           f"unexpected {', '.join(extra)}" if extra else "") if p)
            issues.append(DataIssue("header", name, 1, None,
                                    f"header does not match the schema ({detail or 'wrong order'}); expected "
                                    f"{','.join(expected)}", rel))
            return [], issues
        rows = []
        seen_unique: dict[str, dict[Any, int]] = {f["name"]: {} for f in fields
                                                  if f.get("constraints", {}).get("unique")}
        for line_number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(fields):
                issues.append(DataIssue("row_length", name, line_number, None,
                                        f"row has {len(cells)} cells but the header has {len(fields)}; "
                                        "check for a stray or missing comma", rel))
                continue
            row: dict[str, Any] = {"_row": line_number}
            for field, cell in zip(fields, cells):
                row[field["name"]] = _cast_cell(cell, field, name, line_number, rel, issues, seen_unique)
            rows.append(row)
    issues.extend(_primary_key_issues(rows, resource, rel))
    return rows, issues


def _cast_cell(cell, field, resource_name, line_number, rel, issues, seen_unique):
    field_name = field["name"]
    constraints = field.get("constraints", {})
    if cell == "":
        if constraints.get("required"):
            issues.append(DataIssue("required", resource_name, line_number, field_name,
                                    "value is missing; this field is required", rel))
        return None
    try:
        value = _cast(cell, field.get("type", "string"))
    except ValueError as error:
        issues.append(DataIssue("type", resource_name, line_number, field_name,
                                f"{error}; expected type {field.get('type')}", rel))
        return None
    for message in _constraint_issues(value, constraints):
        issues.append(DataIssue("constraint", resource_name, line_number, field_name, message, rel))
    if field_name in seen_unique:
        first = seen_unique[field_name].setdefault(value, line_number)
        if first != line_number:
            issues.append(DataIssue("unique", resource_name, line_number, field_name,
                                    f"{value!r} already appears in row {first}", rel))
    return value


def _primary_key_issues(rows: list[dict], resource: dict, rel: str) -> Iterator[DataIssue]:
    key = resource["schema"].get("primaryKey")
    if not key or len(key) < 2:
        return
    seen: dict[tuple, int] = {}
    for row in rows:
        values = tuple(row.get(k) for k in key)
        first = seen.setdefault(values, row["_row"])
        if first != row["_row"]:
            yield DataIssue("primary_key", resource["name"], row["_row"], ",".join(key),
                            f"{dict(zip(key, values))} already appears in row {first}", rel)
