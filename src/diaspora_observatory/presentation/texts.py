"""Texts that more than one adapter shows (the web page and the report), written once.

Each text is English; an adapter translates it with its gettext catalog (the web's catalogs hold the
Russian and Kazakh), so the page and the report say the same thing in each language.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a text for translation without translating it here."""
    return message


# The overview's headline figures (analysis.overview.key_figures), by the figure's id.
KEY_FIGURE_LABELS = {
    "regional_diaspora_total": N_("Diaspora members living in the host countries"),
    "largest_host_share": N_("Share of them living in the largest host"),
    "world_diaspora_estimate": N_("Diaspora members living abroad worldwide (estimate)"),
    "share_of_world_diaspora": N_("Share of the world diaspora living in the host countries"),
    "net_migration_total": N_("Net migration between the country of origin and the hosts"),
    "repatriates": N_("Repatriates"),
    "kandas_status": N_("Ethnic Kazakhs who returned and received kandas status (period not stated)"),
}

# Notes the observatory writes itself into its tables (analysis.overview.key_figures' ``note``), not the data's:
# fixed texts, so a page translates them like its own; a note of the data is shown as written, marked with its
# language (web.cells.data_text). tests/web/test_web_truth_pages.py keeps the list equal to the notes written.
OBSERVATORY_NOTES = (
    N_("The study gives no year or period for this count; none is shown."),
)
# The label beside a note of the data on a page in another language than the data's (``{language}``: its name).
NOTE_LANGUAGE = N_("(note in the data's own language: {language})")


def language_name(code: str, language: str) -> str:
    """``en`` named in the reader's ``language`` (CLDR: ``английский``, ``ағылшын тілі``); the code itself
    when CLDR does not know it."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code).get_display_name(language) or code
    except (UnknownLocaleError, ValueError):
        return code
