"""Reading a CSV resource against its Table Schema: types and constraints, with structured errors.

Only the part of the Table Schema standard the observatory's packages use is implemented (string,
integer, number, boolean; required, unique, enum, minimum, maximum, exclusiveMinimum,
exclusiveMaximum, minLength, maxLength, pattern; primaryKey, foreignKeys). A field type or constraint
outside that part is refused by ``case/descriptor.py`` rather than ignored, so a package never passes
here with a rule nobody checked.

The reader is at least as strict as the standard (tests/test_package_differential.py compares it with
frictionless-py on mutated copies of the built-in package), and stricter where the standard admits
values no count or share of this domain can take: ``NaN`` and ``INF`` are not numbers here (the standard
allows them), whole numbers are digits with an optional minus sign (Python's ``int`` would also take
``1_000``), and a blank row is an error rather than skipped.
"""

from __future__ import annotations

import codecs
import io
import math
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from diaspora_observatory.csv_guard import CsvRefused, CsvRows
from diaspora_observatory.errors import DataIssue

# Table Schema's defaults for trueValues and falseValues (https://specs.frictionlessdata.io/table-schema/).
TRUE_VALUES = ("true", "True", "TRUE", "1")
FALSE_VALUES = ("false", "False", "FALSE", "0")
_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")


def _cast(value: str, field: dict) -> Any:
    """Cast one CSV cell; raise ValueError with a readable reason when it does not fit."""
    field_type = field.get("type", "string")
    if field_type == "integer":
        if not _INTEGER.fullmatch(value):
            raise ValueError(f"{value!r} is not a whole number")
        return int(value)
    if field_type == "number":
        if not _NUMBER.fullmatch(value):
            hint = "; leave the cell empty for a missing value" if value.strip().lower().lstrip("+-") in {
                "nan", "inf", "infinity"} else ""
            raise ValueError(f"{value!r} is not a number{hint}")
        number = float(value)
        if math.isinf(number):
            raise ValueError(f"{value!r} is too large to be a number")
        return number
    if field_type == "boolean":
        true_values, false_values = field.get("trueValues", TRUE_VALUES), field.get("falseValues", FALSE_VALUES)
        if value in true_values:
            return True
        if value in false_values:
            return False
        raise ValueError(f"{value!r} is not true or false (write {true_values[0]} or {false_values[0]})")
    return value


def _constraint_issues(value: Any, constraints: dict) -> Iterator[str]:
    if "enum" in constraints and value not in constraints["enum"]:
        yield f"{value!r} is not one of {', '.join(map(str, constraints['enum']))}"
    if "minimum" in constraints and value < constraints["minimum"]:
        yield f"{value} is below the minimum {constraints['minimum']}"
    if "maximum" in constraints and value > constraints["maximum"]:
        yield f"{value} is above the maximum {constraints['maximum']}"
    if "exclusiveMinimum" in constraints and value <= constraints["exclusiveMinimum"]:
        yield f"{value} is not above {constraints['exclusiveMinimum']}"
    if "exclusiveMaximum" in constraints and value >= constraints["exclusiveMaximum"]:
        yield f"{value} is not below {constraints['exclusiveMaximum']}"
    if isinstance(value, str):
        if "minLength" in constraints and len(value) < constraints["minLength"]:
            yield f"{value!r} is shorter than {constraints['minLength']} characters"
        if "maxLength" in constraints and len(value) > constraints["maxLength"]:
            yield f"{value[:40]!r}… is longer than {constraints['maxLength']} characters"
        if "pattern" in constraints and not re.fullmatch(constraints["pattern"], value):
            yield f"{value!r} does not match the pattern {constraints['pattern']}"


def primary_key(schema: dict) -> list[str]:
    """The schema's primary key as a list (the standard allows a single field name as a string)."""
    key = schema.get("primaryKey") or []
    return [key] if isinstance(key, str) else list(key)


def read_resource(base: Path, resource: dict) -> tuple[list[dict], list[DataIssue]]:
    """Read one resource; return typed rows (bad cells become None) and the issues found.

    Each row dict also carries ``_row``, its line number in the file (header = 1).
    """
    rel = resource["path"]
    path = base / rel
    fields = resource["schema"]["fields"]
    if not path.is_file():
        return [], [DataIssue("resource_exists", resource["name"], None, None, f"file {rel} is missing; create it "
                              f"with the header {','.join(f['name'] for f in fields)}", rel)]
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return read_lines(handle, resource, decode_errors=False)
    except UnicodeDecodeError:
        position = first_bad_byte(path)
        if position is None:  # it decoded the second time: the file changed under the reader
            return [], [DataIssue("encoding", resource["name"], None, None, f"file {rel} changed while it was read "
                                  "and was not UTF-8 the first time; read it again", rel)]
        offset, line = position
        return [], [DataIssue("encoding", resource["name"], line, None, f"file {rel} is not UTF-8 (byte {offset}, "
                              f"line {line}); save it as CSV UTF-8", rel)]


def first_bad_byte(path: Path, chunk_size: int = 1 << 20) -> tuple[int, int] | None:
    """The byte offset (from 0) and line (from 1) of the first byte of ``path`` that is not UTF-8.

    The text reader decodes a file in chunks, and the position its error gives is relative to the chunk
    it was decoding: for a bad byte past the first few kilobytes it named the wrong place. This reads the
    file again as bytes through an incremental decoder, counting the bytes and newlines before the chunk
    that fails, so the position is the file's own; memory stays one chunk. None if every byte decodes.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, line = 0, 1  # bytes and line at the start of the next chunk
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(chunk_size)
            # The decoder holds back the first bytes of a character cut at a chunk's end and decodes them
            # with the next chunk: its error positions count from those held bytes.
            held = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                # Held bytes are never a newline (they start a multi-byte character), so counting
                # newlines in what the decoder saw before the bad byte is right.
                return offset - held + error.start, line + error.object[:error.start].count(b"\n")
            if not chunk:
                return None
            offset += len(chunk)
            line += chunk.count(b"\n")


def read_text(text: str, resource: dict) -> tuple[list[dict], list[DataIssue]]:
    """Read CSV ``text`` as ``resource`` would be read from its file (used to check a write before it)."""
    return read_lines(io.StringIO(text, newline=""), resource)


def read_lines(lines: Iterable[str], resource: dict, decode_errors: bool = True) -> tuple[list[dict], list[DataIssue]]:
    """Read the CSV ``lines`` of ``resource``: typed rows and the issues found.

    With ``decode_errors`` False a ``UnicodeDecodeError`` from ``lines`` is raised, for a caller that
    knows the file and can name where the bad byte is (the error's own position is within a chunk)."""
    name, rel = resource["name"], resource["path"]
    issues: list[DataIssue] = []
    try:
        rows = list(_typed_rows(CsvRows(lines, rel), resource, issues))
    except UnicodeDecodeError:
        if not decode_errors:
            raise
        return [], [DataIssue("encoding", name, None, None, f"file {rel} is not UTF-8; save it as CSV UTF-8", rel)]
    except CsvRefused as error:
        return [], [DataIssue("csv", name, error.line, None, f"{error.problem}; {error.hint}", rel)]
    issues.extend(_primary_key_issues(rows, resource, rel))
    return rows, issues


def _typed_rows(reader, resource: dict, issues: list[DataIssue]) -> Iterator[dict]:
    name, rel = resource["name"], resource["path"]
    fields = resource["schema"]["fields"]
    header: list[str] = next(reader, [])
    expected = [f["name"] for f in fields]
    if header != expected:
        missing = [n for n in expected if n not in header]
        extra = [n for n in header if n not in expected]
        repeated = sorted({n for n in header if header.count(n) > 1})
        detail = "; ".join(p for p in (f"missing {', '.join(missing)}" if missing else "",
                                       f"unexpected {', '.join(extra)}" if extra else "",
                                       f"repeated {', '.join(repeated)}" if repeated else "") if p)
        issues.append(DataIssue("header", name, 1, None, f"header does not match the schema "
                                f"({detail or 'wrong order'}); expected {','.join(expected)}", rel))
        return
    seen_unique: dict[str, dict[Any, int]] = {f["name"]: {} for f in fields if f.get("constraints", {}).get("unique")}
    for line_number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            issues.append(DataIssue("blank_row", name, line_number, None, "row is blank; delete it", rel))
            continue
        if len(cells) != len(fields):
            issues.append(DataIssue("row_length", name, line_number, None,
                                    f"row has {len(cells)} cells but the header has {len(fields)}; "
                                    "check for a stray or missing comma", rel))
            continue
        row: dict[str, Any] = {"_row": line_number}
        for field, cell in zip(fields, cells):
            row[field["name"]] = _cast_cell(cell, field, name, line_number, rel, issues, seen_unique)
        yield row


def _cast_cell(cell, field, resource_name, line_number, rel, issues, seen_unique):
    field_name = field["name"]
    constraints = field.get("constraints", {})
    if cell == "":
        if constraints.get("required"):
            issues.append(DataIssue.shaped("required", resource_name, line_number, field_name,
                                           "value is missing; this field is required", {}, rel))
        return None
    try:
        value = _cast(cell, field)
    except ValueError as error:
        issues.append(DataIssue("type", resource_name, line_number, field_name,
                                f"{error}; expected type {field.get('type')}", rel))
        return None
    for message in _constraint_issues(value, constraints):
        issues.append(DataIssue("constraint", resource_name, line_number, field_name, message, rel))
    if field_name in seen_unique:
        first = seen_unique[field_name].setdefault(value, line_number)
        if first != line_number:
            issues.append(DataIssue.shaped("unique", resource_name, line_number, field_name,
                                           "{value!r} already appears in row {first_row}",
                                           {"value": value, "first_row": first}, rel))
    return value


def _primary_key_issues(rows: list[dict], resource: dict, rel: str) -> Iterator[DataIssue]:
    """Each row's key is unique, single-field keys included (they were once skipped: a duplicated
    ``claim_id`` passed), and a key is never wholly empty (as Table Schema validators require)."""
    key = primary_key(resource["schema"])
    if not key:
        return
    seen: dict[tuple, int] = {}
    for row in rows:
        values = tuple(row.get(k) for k in key)
        if all(v is None for v in values):
            yield DataIssue.shaped("primary_key", resource["name"], row["_row"], ",".join(key),
                                   "the key ({key}) is empty; give this row its key", {"key": ", ".join(key)}, rel)
            continue
        first = seen.setdefault(values, row["_row"])
        if first != row["_row"]:
            yield DataIssue.shaped("primary_key", resource["name"], row["_row"], ",".join(key),
                                   "{key_values} already appears in row {first_row}",
                                   {"key_values": dict(zip(key, values)), "first_row": first}, rel)


def foreign_key_issues(descriptor: dict, rows: dict[str, list[dict]]) -> Iterator[DataIssue]:
    """Values of each declared foreign key are keys of the resource they refer to.

    References to ``sources.source_id`` are left to the named check ``sources_resolve``, which reports
    them with a fix; every other foreign key a package declares is checked here.
    """
    for resource in descriptor.get("resources", []):
        for foreign in resource.get("schema", {}).get("foreignKeys", []):
            own = _as_list(foreign["fields"])
            target = foreign["reference"].get("resource") or resource["name"]
            their = _as_list(foreign["reference"]["fields"])
            if target == "sources" and their == ["source_id"]:
                continue
            known = {tuple(r.get(f) for f in their) for r in rows.get(target, [])}
            for row in rows.get(resource["name"], []):
                values = tuple(row.get(f) for f in own)
                if all(v is None for v in values) or values in known:
                    continue
                yield DataIssue.shaped("foreign_key", resource["name"], row["_row"], ",".join(own),
                                       "{values} is not a {fields} of {target}; add it there or fix the value",
                                       {"values": ", ".join(map(repr, values)), "fields": ",".join(their),
                                        "target": target}, resource["path"])


def _as_list(fields: str | list[str]) -> list[str]:
    return [fields] if isinstance(fields, str) else list(fields)
