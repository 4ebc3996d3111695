"""The interface's messages: extracted from templates and code, checked against the catalogs.

``python tools/web_messages.py`` rewrites ``src/diaspora_observatory/web/locale/messages.pot`` and adds any new
message to the ru and kk catalogs (untranslated, for a translator to fill in). The chart texts of
``charts/specs.py`` (its ``translate("...")`` calls) are part of the web's catalogs too: the web draws
those charts in the reader's language.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po, write_po

from diaspora_observatory.languages import TRANSLATED  # the catalogs every interface language but English needs

# A developer's tool, not part of the installed package: it reads the web package's sources from the checkout.
WEB_DIR = Path(__file__).resolve().parents[1] / "src" / "diaspora_observatory" / "web"
LOCALE_DIR = WEB_DIR / "locale"
METHOD_MAP = [("templates/**.html", "jinja2"), ("**.py", "python")]
KEYWORDS = {"_": None, "N_": None}
# Shared with the (English) report, which calls them without a translation.
CHART_SPECS = (WEB_DIR.parent / "charts" / "specs.py", WEB_DIR.parent / "charts" / "stocks.py")
# The presentation layer's shared texts (N_ marks them), which the web translates with these catalogs.
PRESENTATION_DIR = WEB_DIR.parent / "presentation"


def extract_messages(directory: Path = WEB_DIR) -> dict[str, list[str]]:
    """Every message id in ``directory``'s templates and Python files, with where it occurs."""
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(directory), METHOD_MAP, keywords=KEYWORDS, options_map={"templates/**.html": {"trimmed": "false"}}):
        if isinstance(message, str) and message:
            found.setdefault(message, []).append(f"{filename}:{lineno}")
    if directory == WEB_DIR:
        for chart_file in CHART_SPECS:
            for lineno, message, _comments, _context in extract_from_file("python", str(chart_file),
                                                                          keywords={"translate": None}):
                if isinstance(message, str) and message:
                    found.setdefault(message, []).append(f"../charts/{chart_file.name}:{lineno}")
        for path in sorted(PRESENTATION_DIR.glob("*.py")):
            for lineno, message, _comments, _context in extract_from_file("python", str(path), keywords={"N_": None}):
                if isinstance(message, str) and message:
                    found.setdefault(message, []).append(f"../presentation/{path.name}:{lineno}")
    return found


def update_catalogs() -> None:
    """Write messages.pot and merge new messages into the ru and kk catalogs (keeping translations)."""
    messages = extract_messages()
    template = Catalog(project="diaspora-observatory", charset="utf-8")
    for message, places in messages.items():
        template.add(message, locations=[(p.rsplit(":", 1)[0], int(p.rsplit(":", 1)[1])) for p in places])
    with (LOCALE_DIR / "messages.pot").open("wb") as handle:
        write_po(handle, template, width=100, omit_header=True)
    for language in TRANSLATED:
        path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
        catalog = Catalog(locale=language, project="diaspora-observatory")
        if path.is_file():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
        catalog.update(template, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=True, ignore_obsolete=True, no_location=True)


if __name__ == "__main__":
    update_catalogs()
