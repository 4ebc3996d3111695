"""report.pdf: the HTML report printed by headless Chromium, and where each heading landed.

Chromium lays out the pages (A4 portrait from the stylesheet's ``@page``, page numbers in its margin
boxes) but cannot write a page number into the table of contents itself (CSS ``target-counter`` is not
implemented). So the report is printed twice: the first print's document outline (the PDF bookmarks
Chromium makes from the headings) says on which page each heading stands; the contents are filled in
with those numbers and printed again. The contents take the same room with or without the numbers, so
the second print's pages are the first's.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from diaspora_observatory.errors import DiasporaError

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
PRINT_TIMEOUT = 120  # seconds: a report of the built-in case prints in a few


def find_chromium() -> str | None:
    import os

    configured = os.environ.get("DIASPORA_CHROMIUM")
    if configured and Path(configured).is_file():
        return configured
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html_path: Path, pdf_path: Path) -> Path:
    """Print the HTML report to PDF with headless Chromium (no network: every asset is inline)."""
    browser = find_chromium()
    if browser is None:
        raise DiasporaError("--pdf needs Chromium, which was not found on PATH",
                            "install it (Debian: apt-get install chromium) or leave out --pdf")
    with tempfile.TemporaryDirectory() as profile:
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   f"--user-data-dir={profile}", "--no-pdf-header-footer", "--generate-pdf-document-outline",
                   f"--print-to-pdf={pdf_path.resolve()}", html_path.resolve().as_uri()]
        result = subprocess.run(command, capture_output=True, text=True, timeout=PRINT_TIMEOUT, check=False)
    if result.returncode != 0 or not pdf_path.is_file():
        raise DiasporaError(f"Chromium could not print {html_path} (exit {result.returncode})",
                            result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "")
    return pdf_path


def heading_pages(pdf_path: Path) -> dict[str, int]:
    """Each heading's text (as the outline has it) and the number of the page it stands on, from 1."""
    from pypdf import PdfReader

    reader = PdfReader(pdf_path)
    found: dict[str, int] = {}

    def walk(entries: list) -> None:
        for entry in entries:
            if isinstance(entry, list):
                walk(entry)
            else:
                page = reader.get_destination_page_number(entry)
                if page is not None:  # an outline entry that points nowhere names no page
                    found.setdefault(" ".join(str(entry.title).split()), page + 1)

    walk(reader.outline)
    return found
