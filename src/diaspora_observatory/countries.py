"""Country codes: ISO 3166-1 alpha-3 inside the observatory, mapped from alpha-2, UN M49 and names."""

from __future__ import annotations

from functools import lru_cache

from diaspora_observatory.errors import UnknownCountry

# Names used by producers that ISO does not recognise (World Bank, UN DESA, the study).
_NAME_ALIASES = {
    "kyrgyz republic": "KGZ",
    "kyrgyzstan": "KGZ",
    "republic of kyrgyzstan": "KGZ",
    "republic of uzbekistan": "UZB",
    "republic of tajikistan": "TJK",
    "republic of turkmenistan": "TKM",
    "republic of kazakhstan": "KAZ",
    "russia": "RUS",
    "turkey": "TUR",
    "turkiye": "TUR",
    "türkiye": "TUR",
}


@lru_cache(maxsize=1)
def _alpha3_codes() -> frozenset[str]:
    import pycountry

    return frozenset(country.alpha_3 for country in pycountry.countries)


def is_known_alpha3(code: str) -> bool:
    """True when ``code`` is an ISO 3166-1 alpha-3 code, e.g. ``KAZ``."""
    return code in _alpha3_codes()


def to_alpha3(value: str | int) -> str:
    """Map an alpha-3 or alpha-2 code, a UN M49 number or an English name to alpha-3.

    >>> to_alpha3("KZ"), to_alpha3(398), to_alpha3("Kyrgyz Republic")
    ('KAZ', 'KAZ', 'KGZ')
    """
    import pycountry

    text = str(value).strip()
    if text.isdigit():
        found = pycountry.countries.get(numeric=text.zfill(3))
    elif len(text) == 3 and text.isalpha():
        found = pycountry.countries.get(alpha_3=text.upper())
    elif len(text) == 2 and text.isalpha():
        found = pycountry.countries.get(alpha_2=text.upper())
    else:
        alias = _NAME_ALIASES.get(text.lower())
        if alias:
            return alias
        try:
            found = pycountry.countries.lookup(text)
        except LookupError:
            found = None
    if found is None:
        raise UnknownCountry(
            f"unknown country {text!r}",
            "use an ISO 3166-1 alpha-3 code such as KAZ, an alpha-2 code, a UN M49 number or an English name",
        )
    return found.alpha_3


@lru_cache(maxsize=4096)  # CLDR's and ISO's names do not change while a process runs; a report asks thousands of times
def country_name(code: str, locale: str = "en") -> str:
    """The country's name in ``locale`` (en, ru, kk) from CLDR, falling back to ISO's English name."""
    import pycountry

    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    try:
        from babel import Locale

        name = Locale.parse(locale).territories.get(country.alpha_2)
    except (ValueError, ImportError):
        name = None
    return name or getattr(country, "common_name", None) or country.name
