"""Fixtures for the documents tests: a data folder in tmp_path, short texts in the three languages."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from diaspora_observatory.documents.codebook import load_codebook

REPO = Path(__file__).resolve().parents[2]
SEED_TEXT = REPO / ".." / "shared" / "seed" / "kazakh-diaspora-central-asia.txt"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh user data folder, also set as DIASPORA_DATA_DIR so the CLI and web use it."""
    folder = tmp_path / "data"
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def codebook():
    return load_codebook()


def client_class():
    """Starlette's TestClient; its import warns (StarletteDeprecationWarning) that httpx gives way to httpx2."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    return TestClient


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (ASCII, Helvetica), written by hand."""
    content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(
        f"({line.replace('(', '[').replace(')', ']')}) Tj T*" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def app_built_once(tmp_path_factory: pytest.TempPathFactory, admin_token: str,
                   computed_app) -> Iterator[tuple[object, Path]]:
    """(app, data folder) for a module's ``module_app`` fixture: the app built once for the module (from the
    analysis and pages of the session's ``computed_app``), with a data folder and admin token of its own for
    as long as the module runs. Each test still gets state of its own from the module's other fixtures."""
    from diaspora_observatory.web.app import create_app

    data_dir = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DIASPORA_DATA_DIR", str(data_dir))
        monkeypatch.setenv("DIASPORA_ADMIN_TOKEN", admin_token)
        yield create_app(data_dir=data_dir, computed_by=computed_app), data_dir
