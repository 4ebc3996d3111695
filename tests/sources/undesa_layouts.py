"""UN DESA "by destination and origin" workbooks in the published layout, for the editions with no real file here.

No such workbook is in ../shared/data (the real ones are ~60 MB); its README says to build them "with the
same title rows and header names as the *by destination* workbooks", with `Location code of destination`
/ `of origin`. The layout below copies the by-destination workbooks of ../shared/data/undesa-workbooks
cell for cell where they share it (title in row 2, table title row 3, `POP/DB/MIG/Stock/Rev.YYYY` row 4,
suggested citation row 5, licence row 6, the block labels over the first year of each block in row 8,
`Migrant notes` in row 10 (2024), the header in row 11, data from row 12, `..` for missing), and UN DESA's
description of the destination-and-origin table: "International migrant stock at mid-year by sex and by
region, country or area of destination and origin" (International Migrant Stock 2024 and 2020,
documentation: https://www.un.org/development/desa/pd/content/international-migrant-stock).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

YEARS = {"2024": [1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024], "2020": [1990, 1995, 2000, 2005, 2010, 2015, 2020]}
# Header names: 2024 as the 2024 by-destination workbook (Coverage, Data type, Location code), 2020 as the
# 2020 one (Notes, Location code, Type of data), each with "of destination" / "of origin".
HEADERS = {
    "2024": [None, "Region, development group, country or area of destination", "Coverage", "Data type",
             "Location code of destination", "Region, development group, country or area of origin",
             "Location code of origin"],
    "2020": [None, "Region, development group, country or area of destination", "Notes of destination",
             "Location code of destination", "Type of data of destination",
             "Region, development group, country or area of origin", "Location code of origin"],
}
# (destination, code, type of data, origin, code, both-sexes values from 1990). China and Mongolia carry the
# codes the by-destination workbooks give them (C in 2024 for China; C R for Mongolia in 2020).
ROWS = [
    ("World", 900, "", "World", 900, [153916063, 163176002, 174566152, 192788721, 221020392, 250042020, 275284032,
                                      304021813]),
    ("Kazakhstan", 398, "B R", "World", 900, [3619200, 3251968, 2874194, 3103027, 3334986, 3546778, 1990268, 2000000]),
    ("Kazakhstan", 398, "B R", "Uzbekistan", 860, [258000, 250000, 240000, 230000, 235000, 240000, 244000, 250000]),
    ("China", 156, "C", "Kazakhstan", 398, [2000, 2100, "..", 2400, 2500, 2600, 2700, 2800]),
    ("Mongolia", 496, "C R", "Kazakhstan", 398, [1200, 1100, 1000, 900, 800, 700, 600, 500]),
    ("Russian Federation", 643, "B R", "Kazakhstan", 398, [2800000, 2900000, 2700000, 2600000, 2500000, 2560000,
                                                           2570000, 2480000]),
    ("Uzbekistan", 860, "B R", "Kazakhstan", 398, [40000, 35000, 30000, 25000, 20000, 16000, 14000, 13013]),
    ("Central Asia", 5500, "", "Kazakhstan", 398, [90000, 80000, 70000, 60000, 50000, 40000, 35000, 30000]),
]


def sheet_rows(edition: str) -> list[list]:
    years = YEARS[edition]
    width = 7 + 3 * len(years)
    first_year = 7  # column H

    def row(**cells) -> list:
        values = [None] * width
        for index, value in cells.items():
            values[int(index[1:])] = value
        return values

    rows = [[None] * width,
            row(c5=f"International Migrant Stock {edition}: Destination and origin"),
            row(c5=f"Table 1: International migrant stock at mid-year by sex and by region, country or area of "
                   f"destination and origin, 1990-{edition}"),
            row(c5=f"POP/DB/MIG/Stock/Rev.{edition}"),
            row(c5=f"Suggested citation: United Nations Department of Economic and Social Affairs, Population "
                   f"Division ({edition}). International Migrant Stock {edition}."),
            row(c5=f"Copyright © {edition} by United Nations, made available under a Creative Commons license CC BY "
                   "3.0 IGO: http://creativecommons.org/licenses/by/3.0/igo/"),
            [None] * width]
    labels = [None] * width
    for block, sex in enumerate(("both sexes combined", "males", "females")):
        labels[first_year + block * len(years)] = f"International migrant stock at mid-year, {sex}"
    rows.append(labels)
    rows.append([None] * width)
    rows.append(row(c2="Migrant notes") if edition == "2024" else [None] * width)
    rows.append([*HEADERS[edition], *years, *years, *years])
    indent = "   " if edition == "2020" else ""  # the 2020 edition indents country names
    for index, (dname, dcode, dtype, oname, ocode, values) in enumerate(ROWS, start=1):
        both = values[:len(years)]
        male = [v // 2 if isinstance(v, int) else v for v in both]
        female = [v - m if isinstance(v, int) else v for v, m in zip(both, male)]
        if edition == "2024":
            fixed = [index, dname, None, dtype, dcode, oname, ocode]
        else:
            fixed = [index, f"{indent}{dname}", None, dcode, dtype, f"{indent}{oname}", ocode]
        rows.append([*fixed, *both, *male, *female])
    return rows


def destination_and_origin_workbook(folder: Path, edition: str, rows: list[list] | None = None) -> Path:
    """The workbook with a contents sheet, Table 1 and a notes sheet, as UN DESA names them."""
    book = openpyxl.Workbook()
    contents = book.active
    contents.title = "Table of contents"
    contents["J2"] = f"International Migrant Stock {edition}: Destination and origin"
    table = book.create_sheet("Table 1")
    for row in rows or sheet_rows(edition):
        table.append(row)
    notes = book.create_sheet("Migrant notes" if edition == "2024" else "Notes")
    notes.append(["The column labelled “Type of data” indicates the type of data used in deriving the estimates"])
    path = folder / f"undesa_pd_{edition}_ims_stock_by_sex_destination_and_origin.xlsx"
    book.save(path)
    return path
