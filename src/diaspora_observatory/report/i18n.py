"""The report's languages: its own gettext catalogs (``report/locale/{ru,kk}/LC_MESSAGES/messages.po``).

The report is an adapter beside the web app and may not use it (ARCHITECTURE.md, "The map"), so it keeps
its own catalogs, read the same way (Babel, compiled in memory). The chart texts of ``charts/specs.py``
and the presentation layer's texts (the column titles of ``presentation/columns.py``…), which both show,
have the same message ids and the same translations in both catalogs; ``tests/report/test_report_catalogs.py``
fails when they drift apart.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.languages import CODES

LANGUAGES = CODES  # the registry's (languages.py): a language added there needs the report's catalog too
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def N_(message: str) -> str:
    """Marks a text for translation (read by tools/report_messages.py); translated when the report is written."""
    return message


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=4)
def translator(language: str) -> Callable[[str], str]:
    """``_`` for ``language``: English is the message id itself; ru and kk come from the catalogs."""
    if language not in LANGUAGES:
        raise DiasporaError(f"the report has no language {language!r}", f"choose one of {', '.join(LANGUAGES)}")
    if language == "en":
        return lambda message: message
    # here, not at the top: an English report reads no catalog (and imports no catalog reader)
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with catalog_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer).gettext
