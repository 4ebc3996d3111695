"""Recorded checksums, verified when a case is loaded.

An imported resource (``data/birthplace_stock.csv``) has a provenance sidecar
(``data/birthplace_stock.csv.provenance.json``, written by ``importers/provenance.py``) recording the
SHA-256 of the file as imported. ``load_case`` and so ``diaspora check`` compare it with the file's
bytes: a changed byte is a data error naming the file, both checksums and how to fix it, in the way
owid/etl's loader refuses a snapshot whose checksum changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from diaspora_observatory.errors import DataIssue

SIDECAR_SUFFIX = ".provenance.json"
ALGORITHM_NAMES = {"sha256": "SHA-256", "md5": "MD5"}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sidecar_path(data_path: Path) -> Path:
    return Path(data_path).with_name(Path(data_path).name + SIDECAR_SUFFIX)


def _digest(path: Path, algorithm: str) -> str:
    if algorithm == "sha256":
        return sha256_of(path)
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def _declared_hash(resource: dict) -> tuple[str, str] | None:
    """The resource's own ``hash`` property as (algorithm, hex): Data Resource's ``sha256:…`` or ``md5:…``,
    MD5 when there is no prefix."""
    declared = resource.get("hash")
    if not isinstance(declared, str):
        return None
    algorithm, _, value = declared.rpartition(":")
    return (algorithm or "md5"), value


def checksum_issues(folder: Path, resources: list[dict]) -> Iterator[DataIssue]:
    """One error per resource whose file no longer has the checksum its sidecar (or its ``hash`` in
    ``datapackage.json``, the Data Resource property frictionless-py also verifies) records."""
    for resource in resources:
        data_path = folder / resource["path"]
        if not data_path.is_file():
            continue
        rel = resource["path"]
        fix = f"re-import it with `diaspora import … --resource {resource['name']} --replace`"
        sidecar = sidecar_path(data_path)
        if sidecar.is_file():
            try:
                record = json.loads(sidecar.read_text(encoding="utf-8"))
                expected = record["sha256"]
            except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError):
                yield DataIssue("checksum", resource["name"], None, None,
                                f"the provenance sidecar {sidecar.name} is not readable JSON with a sha256; {fix}", rel)
                continue
            found = sha256_of(data_path)
            if found != expected:
                original = (record.get("original") or {}).get("file", "the original file")
                yield DataIssue("checksum", resource["name"], None, None,
                                f"the file changed after it was imported on {record.get('imported_on', '?')}: its "
                                f"SHA-256 is {found}, the provenance sidecar {sidecar.name} records {expected}; "
                                f"re-import it from {original} with `diaspora import … --resource "
                                f"{resource['name']} --replace`, or restore the file as imported", rel)
                continue
        declared = _declared_hash(resource)
        if declared is None:
            continue
        algorithm, expected = declared
        if algorithm not in ALGORITHM_NAMES:
            yield DataIssue("checksum", resource["name"], None, "hash", f"hash algorithm {algorithm!r} is not "
                            "checked; use sha256:…", "datapackage.json")
            continue
        found = _digest(data_path, algorithm)
        if found != expected:
            yield DataIssue("checksum", resource["name"], None, None,
                            f"the file changed after it was written: its {ALGORITHM_NAMES[algorithm]} is {found}, "
                            f"datapackage.json records {expected}; {fix}, or restore the file", rel)
