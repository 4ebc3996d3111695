"""Provenance sidecars: what an imported file came from, and a loader that refuses changed files.

Beside every file an importer writes (``data/birthplace_stock.csv``) lies a sidecar
(``data/birthplace_stock.csv.provenance.json``) recording the original file (name, SHA-256, size), the
import date, producer, citation, licence and address, and the SHA-256 of the written file itself.
``verified_path`` refuses a written file whose bytes no longer match, and ``check_unchanged`` refuses to
rebuild from an original that differs from the one recorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from diaspora_observatory.case.provenance import SIDECAR_SUFFIX, sha256_of, sidecar_path
from diaspora_observatory.case.transaction import write_atomically
from diaspora_observatory.importers.errors import ProvenanceMismatch

__all__ = ["SIDECAR_SUFFIX", "SourceInfo", "check_unchanged", "read_sidecar", "sha256_of", "sidecar_bytes",
           "sidecar_path", "verified_path", "write_sidecar"]


@dataclass
class SourceInfo:
    """Who made a source file and how to cite it (the parts of a sidecar a person supplies)."""

    producer: str
    citation: str
    licence: str
    url: str = ""
    title: str = ""
    year: int | None = None
    notes: list[str] = field(default_factory=list)


def sidecar_bytes(data: bytes, file_name: str, original: Path, info: SourceInfo, *, importer: str,
                  details: dict | None = None, imported_on: dt.date | None = None) -> bytes:
    """The sidecar of a file named ``file_name`` that will hold ``data``, made from ``original``.

    Only the original's file name is stored, never the folder it was read from, so sidecars committed to
    a repository carry no path of the machine that made them.
    """
    original = Path(original)
    record = {
        "file": file_name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "original": {"file": original.name, "sha256": sha256_of(original), "bytes": original.stat().st_size},
        "imported_on": (imported_on or dt.date.today()).isoformat(),
        "importer": importer,
        **{k: v for k, v in asdict(info).items() if v not in (None, "", [])},
    }
    if details:
        record["details"] = details
    return (json.dumps(record, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def write_sidecar(data_path: Path, original: Path, info: SourceInfo, *, importer: str,
                  details: dict | None = None, imported_on: dt.date | None = None) -> Path:
    """Write the sidecar of ``data_path`` (an imported file) made from ``original``; return its path."""
    target = sidecar_path(data_path)
    write_atomically(target, sidecar_bytes(Path(data_path).read_bytes(), Path(data_path).name, original, info,
                                           importer=importer, details=details, imported_on=imported_on))
    return target


def read_sidecar(data_path: Path) -> dict:
    """The sidecar of ``data_path``; ProvenanceMismatch when there is none or it is not JSON."""
    target = sidecar_path(data_path)
    if not target.is_file():
        raise ProvenanceMismatch(f"{Path(data_path).name} has no provenance sidecar {target.name}",
                                 "re-import the file with `diaspora import` so its origin is recorded")
    try:
        return json.loads(target.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ProvenanceMismatch(f"{target.name} is not valid JSON (line {error.lineno})",
                                 "re-import the file to rewrite its sidecar") from None


def verified_path(data_path: Path) -> Path:
    """Return ``data_path`` if its bytes still match its sidecar; raise ProvenanceMismatch otherwise."""
    record = read_sidecar(data_path)
    actual = sha256_of(data_path)
    if actual != record.get("sha256"):
        raise ProvenanceMismatch(
            f"{Path(data_path).name} changed since it was imported on {record.get('imported_on', '?')}: "
            f"SHA-256 is {actual[:12]}…, the sidecar records {str(record.get('sha256'))[:12]}…",
            f"re-import it from {record.get('original', {}).get('file', 'the original file')} with "
            "`diaspora import`, or restore the imported file")
    return Path(data_path)


def check_unchanged(original: Path, data_path: Path) -> None:
    """Refuse to rebuild ``data_path`` from an ``original`` that differs from the one its sidecar records."""
    if not sidecar_path(data_path).is_file():
        return
    recorded = read_sidecar(data_path).get("original", {})
    actual = sha256_of(original)
    if recorded.get("sha256") and actual != recorded["sha256"]:
        raise ProvenanceMismatch(
            f"{Path(original).name} is not the file {Path(data_path).name} was imported from: SHA-256 "
            f"{actual[:12]}… instead of {recorded['sha256'][:12]}…",
            "if the producer published a new version on purpose, import it again with --replace")
