"""Recorded checksums, verified when a case is loaded.

An imported resource (``data/birthplace_stock.csv``) has a provenance sidecar
(``data/birthplace_stock.csv.provenance.json``, written by ``sources/provenance.py``) recording the
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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sidecar_path(data_path: Path) -> Path:
    return Path(data_path).with_name(Path(data_path).name + SIDECAR_SUFFIX)


def checksum_issues(folder: Path, resources: list[dict]) -> Iterator[DataIssue]:
    """One error per resource whose file no longer has the checksum its sidecar records."""
    for resource in resources:
        data_path = folder / resource["path"]
        sidecar = sidecar_path(data_path)
        if not sidecar.is_file() or not data_path.is_file():
            continue
        rel = resource["path"]
        try:
            record = json.loads(sidecar.read_text(encoding="utf-8"))
            expected = record["sha256"]
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError):
            yield DataIssue("checksum", resource["name"], None, None,
                            f"the provenance sidecar {sidecar.name} is not readable JSON with a sha256; "
                            f"re-import {rel} with `diaspora import … --resource {resource['name']} --replace`", rel)
            continue
        found = sha256_of(data_path)
        if found != expected:
            original = (record.get("original") or {}).get("file", "the original file")
            yield DataIssue("checksum", resource["name"], None, None,
                            f"the file changed after it was imported on {record.get('imported_on', '?')}: its SHA-256 "
                            f"is {found}, the provenance sidecar {sidecar.name} records {expected}; re-import it "
                            f"from {original} with `diaspora import … --resource {resource['name']} --replace`, "
                            "or restore the file as imported", rel)
