"""UN DESA's own names of regions and of the countries whose UN name ISO and pycountry do not know.

Files of UN DESA that carry names but no codes (the 2019 origin × destination matrix as researchers
export it) are matched by these names. Region names are checked first, so that the region "Micronesia"
(M49 954) is never read as the country "Micronesia (Fed. States of)". Names and codes as printed in UN
DESA's International Migrant Stock 2020 and 2024 workbooks (Table 1, by destination).
"""

from __future__ import annotations

# Regions, development groups, income groups and the world: M49 codes 900 and above (and 830, no ISO code).
REGION_CODES = {
    "world": 900, "more developed regions": 901, "developed regions": 901, "less developed regions": 902,
    "africa": 903, "northern america": 905, "eastern asia": 906, "europe": 908, "oceania": 909,
    "eastern africa": 910, "middle africa": 911, "northern africa": 912, "southern africa": 913,
    "western africa": 914, "caribbean": 915, "central america": 916, "south-eastern asia": 920,
    "western asia": 922, "eastern europe": 923, "northern europe": 924, "southern europe": 925,
    "western europe": 926, "australia and new zealand": 927, "melanesia": 928, "south america": 931,
    "less developed regions, excluding least developed countries": 934, "asia": 935,
    "least developed countries": 941, "less developed regions, excluding china": 948, "micronesia": 954,
    "polynesia": 957, "low-income countries": 1500, "lower-middle-income countries": 1501,
    "upper-middle-income countries": 1502, "high-income countries": 1503, "middle-income countries": 1517,
    "no income group available": 1518, "land-locked developing countries (lldc)": 1636,
    "small island developing states (sids)": 1637, "europe and northern america": 1829,
    "latin america and the caribbean": 1830, "central and southern asia": 1831,
    "eastern and south-eastern asia": 1832, "northern africa and western asia": 1833,
    "sub-saharan africa": 1834, "oceania (excluding australia and new zealand)": 1835,
    "australia/new zealand": 1836, "central asia": 5500, "southern asia": 5501,
    "high-and-upper-middle-income countries": 5503, "low-and-lower-middle-income countries": 5504,
    "low-and-middle-income countries": 1859, "channel islands": 830, "sark": 680, "kosovo": 412,
}

# UN names that pycountry's lookup does not find, with their ISO 3166-1 alpha-3 code (from the M49 code
# printed beside them in the workbooks).
COUNTRY_ALPHA3 = {
    "bolivia (plurinational state of)": "BOL", "china, hong kong sar": "HKG", "china, macao sar": "MAC",
    "china, taiwan province of china": "TWN", "dem. people's republic of korea": "PRK",
    "democratic republic of the congo": "COD", "holy see": "VAT", "iran (islamic republic of)": "IRN",
    "micronesia (fed. states of)": "FSM", "republic of korea": "KOR", "saint helena": "SHN",
    "state of palestine": "PSE", "united states virgin islands": "VIR",
    "venezuela (bolivarian republic of)": "VEN", "wallis and futuna islands": "WLF",
}


def clean_name(name: object) -> str:
    """A UN DESA name without the indentation and the trailing ``*`` (which points to a country note)."""
    return " ".join(str(name or "").split()).rstrip("*").strip().lower()
