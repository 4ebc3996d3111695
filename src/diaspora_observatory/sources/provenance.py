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

from diaspora_observatory.sources.errors import ProvenanceMismatch

SIDECAR_SUFFIX = ".provenance.json"


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


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sidecar_path(data_path: Path) -> Path:
    return Path(data_path).with_name(Path(data_path).name + SIDECAR_SUFFIX)


def write_sidecar(data_path: Path, original: Path, info: SourceInfo, *, importer: str,
                  details: dict | None = None, imported_on: dt.date | None = None) -> Path:
    """Write the sidecar of ``data_path`` (an imported file) made from ``original``; return its path.

    Only the original's file name is stored, never the folder it was read from, so sidecars committed to
    a repository carry no path of the machine that made them.
    """
    original = Path(original)
    record = {
        "file": Path(data_path).name,
        "sha256": sha256_of(data_path),
        "bytes": Path(data_path).stat().st_size,
        "original": {"file": original.name, "sha256": sha256_of(original), "bytes": original.stat().st_size},
        "imported_on": (imported_on or dt.date.today()).isoformat(),
        "importer": importer,
        **{k: v for k, v in asdict(info).items() if v not in (None, "", [])},
    }
    if details:
        record["details"] = details
    target = sidecar_path(data_path)
    target.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
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
