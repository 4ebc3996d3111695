"""UN DESA's type-of-data codes, and the definition of "migrant" each implies.

The notes sheet of every International Migrant Stock workbook (2020 "Notes", 2024 "Migrant notes") says:
"The column labelled "Type of data" indicates the type of data used in deriving the estimates presented.
The codes used are: B, which indicates that estimates were derived from data on the foreign-born
population; C, which indicates that estimates were derived from data on foreign citizens; R, which
indicates that the number of refugees [...] as reported by [UNHCR or UNRWA] were added to the estimates,
and I, which indicates that there were no data on international migrants for the country or area
concerned and that the estimates presented were imputed." The 2024 edition heads the column "Data type".

So a destination coded C counts foreign citizens, not people born abroad: its rows are stored with the
definition ``citizenship``, never as people born in the origin. R and I qualify B or C; I alone is an
imputed estimate of the foreign-born stock (the concept UN DESA estimates), kept as ``birthplace`` with
the code beside it.
"""

from __future__ import annotations

MEANINGS = {
    "B": "estimates derived from data on the foreign-born population",
    "C": "estimates derived from data on foreign citizens",
    "R": "refugees and asylum seekers reported by UNHCR or UNRWA added to the estimates",
    "I": "no data on international migrants: the estimates were imputed",
}
FIX_CODE = "UN DESA's type-of-data codes are B, C, R and I, alone or combined such as 'B R' (see the workbook's notes)"


def code_parts(code: str) -> list[str]:
    """The letters of a code such as ``B R``; ValueError when a part is not one of UN DESA's codes."""
    parts = str(code or "").replace(",", " ").split()
    unknown = [part for part in parts if part not in MEANINGS]
    if unknown:
        raise ValueError(f"{code!r} is not a UN DESA type-of-data code")
    return parts


def definition_of(code: str) -> str:
    """``citizenship`` where UN DESA counted foreign citizens (C), ``birthplace`` otherwise."""
    return "citizenship" if "C" in code_parts(code) else "birthplace"


def meanings_of(codes) -> dict[str, str]:
    """Each code seen, with the meaning of its parts (for the provenance sidecar)."""
    return {code: "; ".join(MEANINGS[part] for part in code_parts(code)) for code in sorted(set(codes)) if code}
