"""The shape of ``datapackage.json``: what the reader needs before it can read a resource.

A resource with no name, a path leaving the case folder, a field type or constraint the reader does
not implement is a data error naming the resource and key, and that resource is not read, rather than
a traceback or a rule that silently goes unchecked.
"""

from __future__ import annotations

import math
import re
from pathlib import PurePosixPath

from diaspora_observatory.errors import DataIssue

FIELD_TYPES = ("string", "integer", "number", "boolean")
CONSTRAINTS = {
    "string": {"required", "unique", "enum", "minLength", "maxLength", "pattern"},
    "integer": {"required", "unique", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
    "number": {"required", "unique", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
    "boolean": {"required", "unique", "enum"},
}
# A resource's name is also its file's name in data/: Frictionless's pattern without "/" and "..".
RESOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def rounding_unit(value: object) -> float | None:
    """A field's ``rounding`` (the unit its values are stated to: ``1``, to the person) when it is a positive
    power of ten (1, 10, 1000, 0.1), else None. The observatory's own property of a Table Schema field
    (Frictionless allows a field further properties); ``analysis.precision`` reads it.

    >>> rounding_unit(1), rounding_unit(1000), rounding_unit(0.1), rounding_unit(5), rounding_unit("1")
    (1.0, 1000.0, 0.1, None, None)
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        return None
    exponent = math.log10(value)
    return float(value) if abs(exponent - round(exponent)) < 1e-9 else None


def safe_relative_path(path: object) -> bool:
    """A path inside the case folder: relative, POSIX, no ``..`` part (as frictionless-py requires of
    untrusted packages)."""
    if not isinstance(path, str) or not path or "\\" in path or ":" in path:
        return False
    parts = PurePosixPath(path).parts
    return not PurePosixPath(path).is_absolute() and ".." not in parts and parts[0] != "."


def _issue(resource: str, key: str, message: str) -> DataIssue:
    return DataIssue("descriptor", resource, None, key, message, "datapackage.json")


def resource_issues(resource: object, position: int) -> list[DataIssue]:
    """What keeps one entry of ``resources`` from being read; empty when it can be read."""
    if not isinstance(resource, dict):
        return [_issue(f"resources[{position}]", "resources", "a resource must be a JSON object")]
    name = resource.get("name")
    label = name if isinstance(name, str) else f"resources[{position}]"
    if not isinstance(name, str) or not RESOURCE_NAME.match(name):
        return [_issue(label, "name", f"resource name {name!r} must be lower-case letters, digits, '_', '-' or '.'")]
    issues = []
    if not safe_relative_path(resource.get("path")):
        issues.append(_issue(name, "path", f"path {resource.get('path')!r} must be a relative path inside the case "
                             "folder, such as data/" + name + ".csv"))
    schema = resource.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(schema, dict) or not isinstance(fields, list) or not fields:
        return [*issues, _issue(name, "schema", "the resource needs a schema with a list of fields")]
    for index, field in enumerate(fields):
        issues.extend(_field_issues(name, index, field))
    names = [f.get("name") for f in fields if isinstance(f, dict)]
    from diaspora_observatory.case.schema import primary_key
    for key in primary_key(schema):
        if key not in names:
            issues.append(_issue(name, "primaryKey", f"primary key field {key!r} is not a field of the schema"))
    for foreign in schema.get("foreignKeys", []):
        if not (isinstance(foreign, dict) and isinstance(foreign.get("reference"), dict)
                and "fields" in foreign and "fields" in foreign["reference"]):
            issues.append(_issue(name, "foreignKeys", "a foreign key needs fields and a reference with fields"))
    return issues


def _field_issues(resource: str, index: int, field: object) -> list[DataIssue]:
    if not isinstance(field, dict) or not isinstance(field.get("name"), str):
        return [_issue(resource, f"fields[{index}]", "a field must be an object with a name")]
    field_type = field.get("type", "string")
    if field_type not in FIELD_TYPES:
        return [_issue(resource, field["name"], f"field type {field_type!r} is not read by the observatory; use one "
                       f"of {', '.join(FIELD_TYPES)}")]
    constraints = field.get("constraints", {})
    if not isinstance(constraints, dict):
        return [_issue(resource, field["name"], "constraints must be a JSON object")]
    if "rounding" in field and (field_type not in ("integer", "number") or rounding_unit(field["rounding"]) is None):
        return [_issue(resource, field["name"], f"rounding {field['rounding']!r} must be the unit a number field's "
                       "values are stated to, a power of ten such as 1 (to the person) or 1000 (to thousands)")]
    unknown = sorted(set(constraints) - CONSTRAINTS[field_type])
    if unknown:
        return [_issue(resource, field["name"], f"constraint {', '.join(unknown)} is not checked for a {field_type} "
                       f"field; known: {', '.join(sorted(CONSTRAINTS[field_type]))}")]
    return []
