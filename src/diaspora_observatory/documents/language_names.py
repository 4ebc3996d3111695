"""The languages a document may be stored in, by name: what ``documents import --language`` offers.

Apart from the detector (``language.py``), which builds numpy tables when imported, so that
``diaspora --help``, which lists every command's options, does not import numpy (0.15-0.25 s).
"""

from __future__ import annotations

LANGUAGE_NAMES = {"en": "English", "ru": "Russian", "kk": "Kazakh", "ky": "Kyrgyz", "uk": "Ukrainian",
                  "tr": "Turkish", "uz": "Uzbek", "pl": "Polish", "de": "German", "und": "undetermined"}
KNOWN_LANGUAGES = tuple(LANGUAGE_NAMES)
