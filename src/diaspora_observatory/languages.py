"""The languages the observatory speaks, declared once.

Pages, forms, value labels, the report, the codebook's patterns, the command line's ``--lang`` choices
and the gettext catalogs all read this registry, so a language is added here and every part that must
then offer it (or translate for it) follows, or a test names the part that does not (tests/test_languages.py).
English is the source language: its texts are the gettext message ids, so only the others need catalogs.
"""

from __future__ import annotations

# code -> the language's name in itself (what the language switch shows)
LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский", "kk": "Қазақша"}
DEFAULT_LANGUAGE = "en"
CODES: tuple[str, ...] = tuple(LANGUAGES)
TRANSLATED: tuple[str, ...] = tuple(code for code in CODES if code != DEFAULT_LANGUAGE)  # have catalogs


def listed(codes: tuple[str, ...] = CODES) -> str:
    """The codes as a sentence writes them.

    >>> listed()
    'en, ru, kk'
    """
    return ", ".join(codes)
