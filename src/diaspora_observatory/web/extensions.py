"""How other parts of the observatory add pages to the web app.

An extension is a module declared as an entry point of the group ``diaspora_observatory.web``
(pyproject.toml; the hook specification is in extension_points.py) that defines::

    NAV: list[tuple[str, str]]                      # (path, English label) shown in the menu
    def routes(web: WebContext) -> list[BaseRoute]  # its Starlette routes

``create_app`` imports each declared module that is installed, calls ``routes(web)`` once at startup and mounts
the routes behind the same security middleware and error pages as the core pages. An extension renders
with ``web.render(request, "its_template.html", {...})``; its templates may ``{% extends "base.html" %}``
and use ``_()`` (the request's translation) and ``source_label(ids)``. It registers its own template and
locale folders with ``web.add_template_dir`` and ``web.add_locale_dir``. See docs/web.md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from jinja2 import BaseLoader, ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from diaspora_observatory.countries import country_name
from diaspora_observatory.extension_points import WEB, installed
from diaspora_observatory.presentation.citations import source_label
from diaspora_observatory.presentation.columns import column_label
from diaspora_observatory.presentation.definitions import labels_with_definitions
from diaspora_observatory.presentation.numbers import figure_text, format_range
from diaspora_observatory.presentation.provenance import source_heading
from diaspora_observatory.presentation.texts import language_name
from diaspora_observatory.safety import AttemptLimiter
from diaspora_observatory.tabular import records
from diaspora_observatory.web.cells import data_text, format_cell, quoted, shown_columns, with_codes, with_names
from diaspora_observatory.web.columns import CARD_BLOCKS, WIDE_COLUMNS, card_cell, column_header
from diaspora_observatory.web.i18n import COOKIE, LANGUAGES, Catalogs, choose_language, format_number, format_percent
from diaspora_observatory.web.issues import issue_cell, issue_index

if TYPE_CHECKING:
    from diaspora_observatory.case.package import Case

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}


class WebContext:
    """What the app shares with its views and extensions: the case, the user data folder, the
    template environment, the translations and the menu."""

    def __init__(self, case: Case, data_dir: Path, *, dev: bool = False, processes: int | None = 1) -> None:
        self.case = case
        self.data_dir = Path(data_dir)
        self.dev = dev
        # Server processes serving this data (diaspora serve --workers); None: unknown (web/workers.py).
        self.processes = processes
        # True while `diaspora site` writes the pages as static files: the footer says what needs a server.
        self.static_site = False
        self.catalogs = Catalogs()
        # Kept as our own list: ChoiceLoader reads it on each lookup, and its attribute is typed read-only.
        self._template_loaders: list[BaseLoader] = [FileSystemLoader(str(TEMPLATE_DIR))]
        self._loader = ChoiceLoader(self._template_loaders)
        # The folders extensions added (templates, translations), for a worker process that draws their pages
        # with the same look and words (documents/pagework.py).
        self.template_dirs: list[Path] = []
        self.locale_dirs: list[Path] = []
        self.environment = Environment(loader=self._loader, autoescape=select_autoescape(["html", "xml"]),
                                       trim_blocks=True, lstrip_blocks=True)
        # (path, English label); labels are translated when a page is drawn.
        self.nav: list[tuple[str, str]] = []
        # entry-point name -> its NAV, for pages that link to one extension's pages (the survey's results).
        self.extension_nav: dict[str, list[tuple[str, str]]] = {}
        # Called, newest first, when the server shuts down: extensions close what they opened here.
        self.on_shutdown: list[Callable[[], None]] = []
        # Called in order when the server starts, before it takes its first request: one-off work (a
        # template compiled, a file parsed) that would otherwise fall on a visitor's request.
        self.on_startup: list[Callable[[], None]] = []
        # The survey extension's store (survey.web.routes sets it), for the app's own use and for tests.
        self.survey_store: Any = None
        # Failed token attempts per client (admin and coder tokens alike), in memory only.
        self.token_attempts = AttemptLimiter()

    def add_template_dir(self, path: str | Path) -> None:
        """Let ``render`` find templates in ``path`` (after the app's own, so base.html stays the app's)."""
        self._template_loaders.append(FileSystemLoader(str(path)))
        self.template_dirs.append(Path(path))

    def add_locale_dir(self, path: str | Path) -> None:
        """Merge ``path/<lang>/LC_MESSAGES/messages.po`` into the app's translations."""
        self.catalogs.add_locale_dir(Path(path))
        self.locale_dirs.append(Path(path))

    def language(self, request: Request) -> str:
        """The request's language code: ``?lang=``, then the ``lang`` cookie, then Accept-Language."""
        return choose_language(request.query_params.get("lang"), request.cookies.get(COOKIE),
                               request.headers.get("accept-language"))

    def gettext(self, request: Request) -> Callable[[str], str]:
        """The translation function ``_`` for the request's language."""
        return self.catalogs.gettext(self.language(request))

    def base_context(self, request: Request, language: str | None = None) -> dict[str, Any]:
        """What base.html needs; views and extensions add their own keys on top."""
        language = language or self.language(request)
        translate = self.catalogs.gettext(language)
        case = self.case
        # the case's labels, and its definitions' labels built in the reader's language (presentation.definitions)
        labels = labels_with_definitions(case, language, translate)
        issues = issue_index(case.issues)
        return {
            "request": request, "lang": language, "languages": LANGUAGES, "_": translate,
            "nav": [(path, translate(label)) for path, label in self.nav],
            "current_path": request.url.path, "case": case, "case_title": case.title_in(language), "dev": self.dev,
            "static_site": self.static_site,
            "source_label": lambda ids: source_label(case, ids),
            # the data's own English words (a source's name, a title) marked as such on a page in another
            # language; commands, files and ids inside a translated sentence marked translate="no"
            "quoted": lambda text: quoted(text, language),
            "with_codes": lambda text: with_codes(text, language),
            "with_names": lambda text, names: with_names(text, names, language),
            "language_name": lambda code: language_name(str(code), language) if code else "",
            # number(value, "people"), percent(value): the presentation layer's formats (number(value, 2) for
            # a fixed number of decimals).
            "number": lambda value, kind="plain": format_number(value, language, kind),
            "percent": lambda value, decimals=None: format_percent(value, language, decimals),
            "range": lambda low, high, kind="plain": format_range(low, high, kind, language),
            "figure": lambda value, low, high, unit, digits=None: figure_text(value, low, high, unit, language, digits),
            "country": lambda code: country_name(code, language) if isinstance(code, str) and len(code) == 3 else code,
            "rows": records,
            # the title heading a row of a table shown as a record (templates/_table_record.html)
            "row_header": lambda column: column_header(column, translate, "row"),
            # a validator's message in the reader's language where its shape is translated (web/issues.py)
            "cell": lambda column, value, row=None: issue_cell(issues, column, value, row, language, translate)
            or format_cell(column, value, language, labels, row, translate, case.text_language),
            # a note of the case (a source's): translated when it is the observatory's, else marked as the data's
            "data_note": lambda text: data_text(str(text), language, case.text_language, translate),
            # "Source", "Computed from"…: a figure's source line headed by what the figure is
            "source_heading": lambda kind: source_heading(kind, translate),
            "label": labels,  # label(column, code): a code's name in the reader's language
            "shown_columns": shown_columns,
            "header": lambda column: column_header(column, translate),
            # a cell of a table read as cards on a phone, with its column's title (web/columns.py)
            "card_cell": lambda column, cell: card_cell(cell, column_label(column, translate)),
            "card_blocks": CARD_BLOCKS,
            "wide_columns": WIDE_COLUMNS,
        }

    def render(self, request: Request, template_name: str, context: dict, status_code: int = 200,
               alternates: dict[str, str] | None = None, language: str | None = None) -> Response:
        """Render ``template_name`` inside the app's layout and return an HTML response.

        ``alternates`` maps a format (``csv``, ``json`` or a media type) to the URL of the page's data
        in that format; base.html advertises each with ``<link rel="alternate">``.
        """
        full = self.base_context(request, language)
        full["alternates"] = {MEDIA_TYPES.get(kind, kind): url for kind, url in (alternates or {}).items()}
        full.update(context)
        html = self.environment.get_template(template_name).render(full)
        return HTMLResponse(html, status_code=status_code, headers={"vary": "Cookie, Accept-Language",
                                                                    "content-language": full["lang"]})


def available_extensions() -> list[tuple[str, ModuleType]]:
    """(entry-point name, module) of each declared web extension that is installed, imported."""
    return installed(WEB)
