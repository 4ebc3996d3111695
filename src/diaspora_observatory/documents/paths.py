"""Where a case's documents database lives (a light module: no database library imported)."""

from __future__ import annotations

from pathlib import Path


def store_path(case_name: str, data_dir: Path | None = None) -> Path:
    """``<data dir>/documents/<case>.sqlite``."""
    from diaspora_observatory.case.package import user_data_dir

    return (data_dir or user_data_dir()) / "documents" / f"{case_name}.sqlite"
