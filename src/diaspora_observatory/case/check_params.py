"""The parameters of a named check: a small schema per check, and the errors of a check entry.

Each check in ``checks.py`` declares its parameters (as frictionless-py gives each check a metadata
profile). An entry of ``checks`` in ``datapackage.json`` with an unknown, misspelt, missing or
ill-typed parameter, or naming a resource or field the package lacks, is a data error naming the check
and the key; the check is then not run, so a typo never becomes a traceback or a check that silently
passes (a misspelt ``value_field`` would otherwise make every row look empty).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from diaspora_observatory.errors import DataIssue


@dataclass(frozen=True)
class Param:
    """One parameter of a check.

    ``kind``: ``any`` (not type-checked), ``resource`` (a resource name), ``field`` / ``fields``
    (field names of the resource named by the parameter ``of``), ``text`` / ``texts`` (a string, a
    list of strings), ``number`` (zero or more), ``filter`` ({field: [values…]} over the fields of
    ``of``). ``numeric`` fields must be of type integer or number (``"integer"``: integer only).
    """

    kind: str
    required: bool = True
    of: str | tuple[str, ...] = "resource"
    numeric: bool | str = False  # True: integer or number; "integer": integer only

    @property
    def owners(self) -> tuple[str, ...]:
        return (self.of,) if isinstance(self.of, str) else self.of


FILTERS = {"only": Param("filter", required=False), "skip": Param("filter", required=False)}


def _issue(position: int, name: str, key: str | None, message: str) -> DataIssue:
    return DataIssue("check_parameters", "datapackage.json", None, key, f"check {position} ({name}): {message}",
                     "datapackage.json")


def parameter_issues(spec: object, position: int, schema: dict[str, dict[str, Param]],
                     resources: dict[str, dict]) -> list[DataIssue]:
    """The errors of entry ``position`` (1-based) of ``checks``; empty when the check can run.

    ``schema`` maps each known check to its parameters; ``resources`` the package's readable resources.
    """
    if not isinstance(spec, dict) or not isinstance(spec.get("check"), str):
        return [_issue(position, "?", "check", 'an entry must be an object such as {"check": "sources_resolve"}')]
    name = spec["check"]
    if name not in schema:
        close = difflib.get_close_matches(name, schema, n=1)
        return [DataIssue("unknown_check", "datapackage.json", None, "checks",
                          f"no check named {name!r}{_did_you_mean(close)}; known: {', '.join(sorted(schema))}",
                          "datapackage.json")]
    params = schema[name]
    given = {k: v for k, v in spec.items() if k != "check"}
    issues = []
    for key in given:
        if key not in params:
            close = difflib.get_close_matches(key, params, n=1)
            issues.append(_issue(position, name, key, f"unknown parameter {key!r}{_did_you_mean(close)}; its "
                                 f"parameters are {', '.join(params) or 'none'}"))
    for key, param in params.items():
        if key not in given:
            if param.required:
                issues.append(_issue(position, name, key, f"parameter {key!r} is missing"))
            continue
        issues.extend(_value_issues(position, name, key, param, given, resources))
    return issues


def _did_you_mean(close: list[str]) -> str:
    return f" (did you mean {close[0]!r}?)" if close else ""


def _value_issues(position, name, key, param: Param, given: dict, resources: dict[str, dict]) -> list[DataIssue]:
    value = given[key]
    if param.kind == "any":
        return []
    if param.kind == "resource":
        if not isinstance(value, str):
            return [_issue(position, name, key, f"{key} must be a resource name, not {value!r}")]
        if value not in resources:
            return [_issue(position, name, key, f"check refers to a resource {value!r} the package lacks")]
        return []
    if param.kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            return [_issue(position, name, key, f"{key} must be a number of zero or more, not {value!r}")]
        return []
    if param.kind == "text":
        return [] if isinstance(value, str) else [_issue(position, name, key, f"{key} must be a string, not {value!r}")]
    if param.kind == "texts":
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return []
        return [_issue(position, name, key, f"{key} must be a list of strings, such as [\"a\", \"b\"], not {value!r}")]
    if param.kind == "filter":
        if not isinstance(value, dict) or not all(isinstance(v, list) for v in value.values()):
            return [_issue(position, name, key, f"{key} must map fields to lists of values, such as "
                           f'{{"unit": ["percent"]}}, not {value!r}')]
        names = list(value)
    elif param.kind == "fields":
        if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            return [_issue(position, name, key, f"{key} must be a list of field names, not {value!r}")]
        names = value
    else:
        if not isinstance(value, str):
            return [_issue(position, name, key, f"{key} must be a field name, not {value!r}")]
        names = [value]
    issues = []
    for owner in param.owners:
        fields = _fields_of(given.get(owner), resources)
        if fields is None:  # the resource itself is missing or unreadable: reported once, for its own key
            continue
        for field_name in names:
            if field_name not in fields:
                close = difflib.get_close_matches(field_name, fields, n=1)
                issues.append(_issue(position, name, key, f"{given[owner]} has no field {field_name!r}"
                                     f"{_did_you_mean(close)}"))
            elif param.numeric and fields[field_name] not in (("integer",) if param.numeric == "integer"
                                                               else ("integer", "number")):
                needed = "whole numbers" if param.numeric == "integer" else "numbers"
                issues.append(_issue(position, name, key, f"field {field_name!r} of {given[owner]} holds "
                                     f"{fields[field_name]} values; this check needs {needed}"))
    return issues


def _fields_of(resource_name: object, resources: dict[str, dict]) -> dict[str, str] | None:
    resource = resources.get(resource_name) if isinstance(resource_name, str) else None
    if resource is None:
        return None
    return {f["name"]: f.get("type", "string") for f in resource["schema"]["fields"]}
