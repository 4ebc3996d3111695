"""The report's messages: extracted from report/ (code and templates), checked against its catalogs.

``python tools/report_messages.py`` rewrites ``src/diaspora_observatory/report/locale/messages.pot`` and
adds any new message to the ru and kk catalogs of the report: with the web catalog's translation when the
web pages have the same message (the chart texts of ``charts/specs.py``; the presentation layer's texts:
column titles, headline figures, provenance words), else untranslated for a translator to fill in. New
entries are appended at the end, so that catalogs edited on several branches merge cleanly; a shared text
whose web translation changed takes the new one.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "diaspora_observatory"
REPORT_DIR = PACKAGE / "report"
LOCALE_DIR = REPORT_DIR / "locale"
WEB_LOCALE_DIR = PACKAGE / "web" / "locale"
TRANSLATED = ("ru", "kk")
METHOD_MAP = [("templates/**.html", "jinja2"), ("templates/**.md", "jinja2"), ("**.py", "python")]
# Texts the report shows that are written elsewhere (read with their own keyword).
# The presentation layer's texts (N_ marks them) are shared by every adapter, as tools/web_messages.py reads them.
SHARED = [(PACKAGE / "charts" / "specs.py", {"translate": None}),
          *((path, {"N_": None}) for path in sorted((PACKAGE / "presentation").glob("*.py")))]


def extract_messages() -> dict[str, list[str]]:
    """Every message id the report shows, with where it occurs."""
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(REPORT_DIR), METHOD_MAP, keywords={"_": None, "N_": None},
            options_map={"templates/**.html": {"trimmed": "false"}, "templates/**.md": {"trimmed": "false"}}):
        if isinstance(message, str) and message:
            found.setdefault(message, []).append(f"{filename}:{lineno}")
    for path, keywords in SHARED:
        for lineno, message, _comments, _context in extract_from_file("python", str(path), keywords=keywords):
            if isinstance(message, str) and message:
                found.setdefault(message, []).append(f"../{path.parent.name}/{path.name}:{lineno}")
    return found


def read_catalog(path: Path, language: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def update_catalogs() -> None:
    messages = extract_messages()
    template = Catalog(project="diaspora-observatory", charset="utf-8")
    for message, places in messages.items():
        template.add(message, locations=[(p.rsplit(":", 1)[0], int(p.rsplit(":", 1)[1])) for p in places])
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCALE_DIR / "messages.pot").open("wb") as handle:
        write_po(handle, template, width=100, omit_header=True)
    for language in TRANSLATED:
        path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
        web = read_catalog(WEB_LOCALE_DIR / language / "LC_MESSAGES" / "messages.po", language)
        catalog = read_catalog(path, language) if path.is_file() else Catalog(locale=language)
        known = {message.id for message in catalog if message.id}
        added = Catalog(locale=language)
        for message in messages:
            if message not in known:
                shared = web.get(message)
                added.add(message, shared.string if shared is not None and shared.string else "")
        # A text the web pages show too keeps the web's translation when a translator changes it there.
        drifted = [message for message in catalog if message.id and web.get(message.id) is not None
                   and web.get(message.id).string and message.string != web.get(message.id).string]
        for message in drifted:
            message.string = web.get(message.id).string
        path.parent.mkdir(parents=True, exist_ok=True)
        if drifted:
            with path.open("wb") as handle:
                write_po(handle, catalog, width=100, omit_header=True, no_location=True)
        existing = path.read_bytes() if path.is_file() else b""
        with path.open("wb") as handle:
            handle.write(existing)
            if len(added):
                handle.write(b"\n")
                write_po(handle, added, width=100, omit_header=True, no_location=True)


if __name__ == "__main__":
    update_catalogs()
