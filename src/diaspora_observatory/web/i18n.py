"""Interface languages: gettext catalogs (.po read with Babel at startup), language choice; numbers are
written by the presentation layer (``presentation.numbers``), which the helpers here only name for templates."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from diaspora_observatory.languages import DEFAULT_LANGUAGE, LANGUAGES
from diaspora_observatory.presentation import numbers as numbers_layer

COOKIE = "lang"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def read_catalog(po_path: Path, language: str) -> Translations:
    """Read one ``messages.po`` into gettext Translations (compiled in memory, nothing written to disk)."""
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


class Catalogs:
    """The translations of every language, merged from the app's locale folder and any extension's."""

    def __init__(self) -> None:
        self.translations: dict[str, Translations] = {}
        self.add_locale_dir(LOCALE_DIR)

    def add_locale_dir(self, locale_dir: Path) -> None:
        """Merge ``locale_dir/<lang>/LC_MESSAGES/messages.po`` for every language that has one."""
        for language in LANGUAGES:
            po_path = Path(locale_dir) / language / "LC_MESSAGES" / "messages.po"
            if not po_path.is_file():
                continue
            loaded = read_catalog(po_path, language)
            if language in self.translations:
                self.translations[language].merge(loaded)
            else:
                self.translations[language] = loaded

    def gettext(self, language: str) -> Callable[[str], str]:
        """``_`` for ``language``; English text is the msgid itself, so English needs no catalog."""
        translations = self.translations.get(language)
        if translations is None:
            return lambda message: message
        return translations.gettext


def wanted_languages(query_language: str | None, cookie_language: str | None,
                     accept_language: str | None) -> list[str]:
    """The codes a reader asks for, most wanted first: ``?lang=``, the cookie, then each Accept-Language
    entry in its order (``de-CH`` read as ``de``).

    >>> wanted_languages(None, "ru", "de-CH,de;q=0.9,en;q=0.5")
    ['ru', 'de', 'de', 'en']
    """
    wanted = [candidate.strip().lower() for candidate in (query_language, cookie_language) if candidate]
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower().split("-")[0]
        if code:
            wanted.append(code)
    return wanted


def choose_language(query_language: str | None, cookie_language: str | None, accept_language: str | None) -> str:
    """The language to answer in: ``?lang=`` first, then the cookie, then the browser's Accept-Language."""
    for code in wanted_languages(query_language, cookie_language, accept_language):
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


def format_number(value: object, language: str, kind: str | int = "plain", digits: int | None = None) -> str:
    """A number the way readers of ``language`` expect, written by the presentation layer for its ``kind``
    (``"people"``, ``"percent"``, ``"p_value"``…; an int is a fixed number of decimals, as templates of
    the survey and documents pages ask: ``number(mean, 2)``); ``digits`` the significant digits the
    value's inputs justify (``analysis.precision``)."""
    if isinstance(kind, str):
        return numbers_layer.format_value(value, kind, language, digits=digits)
    if isinstance(kind, bool):  # an int to Python, but no number of decimals
        raise TypeError(f"format_number: kind {kind!r} is neither a kind nor a number of decimals")
    return format_decimals(value, kind, language)


def format_percent(value: object, language: str, decimals: int | None = None) -> str:
    """A percentage (given in percent, e.g. 12.5) in the locale's own pattern (``12,5 %`` in Russian)."""
    return numbers_layer.format_percent(value, language, decimals=decimals)


def format_decimals(value: object, decimals: int, language: str) -> str:
    return numbers_layer.format_value(value, "plain", language, decimals=decimals)
