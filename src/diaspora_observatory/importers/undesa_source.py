"""How UN DESA's International Migrant Stock is cited: one source per edition and workbook.

Both workbooks (by destination and origin; by destination) and the 2019 matrix exported from the first
cite the Population Division's edition; each reader takes its citation from here.
"""

from __future__ import annotations

from diaspora_observatory.importers.provenance import SourceInfo


def source_info(edition: str) -> SourceInfo:
    """The citation UN DESA asks for, for one edition of the migrant stock."""
    return SourceInfo(
        producer="United Nations, Department of Economic and Social Affairs, Population Division",
        title=f"International Migrant Stock {edition}: destination and origin",
        citation=(f"United Nations Department of Economic and Social Affairs, Population Division ({edition}). "
                  f"International Migrant Stock {edition}."),
        licence="UN DESA data are free to reuse with attribution",
        url="https://www.un.org/development/desa/pd/content/international-migrant-stock",
        year=int(edition) if edition.isdigit() else None)


def destination_source_info(edition: str, title: str) -> SourceInfo:
    """The citation of one table of the workbook by destination (the licence as printed in it)."""
    return SourceInfo(
        producer="United Nations, Department of Economic and Social Affairs, Population Division",
        title=f"International Migrant Stock {edition}: destination. {title}".strip(),
        citation=(f"United Nations Department of Economic and Social Affairs, Population Division ({edition}). "
                  f"International Migrant Stock {edition}."),
        licence="CC BY 3.0 IGO (as printed in the workbook)",
        url="https://www.un.org/development/desa/pd/content/international-migrant-stock",
        year=int(edition) if edition.isdigit() else None)
