"""Helpers for the importer tests: small files in each real layout (UN DESA Table 1, CSV)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[2]
# ../shared/data beside the clone; a worktree one folder deeper (wt/<name>) finds it at ../../shared/data.
SHARED = next((folder for folder in (ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data")
               if folder.is_dir()), ROOT.parent / "shared" / "data")
UNDESA_SHARED = SHARED / "undesa-ims-2024-bilateral-iso2.csv"
WDI_SHARED = SHARED / "wdi-population" / "population.csv"

YEARS_2024 = [1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024]
YEARS_2020 = [1990, 1995, 2000, 2005, 2010, 2015, 2020]
HEADER_2024 = ["Index", "Region, development group, country or area of destination", "Notes of destination",
               "Location code of destination", "Type of data of destination",
               "Region, development group, country or area of origin", "Location code of origin"]
HEADER_2020 = ["Sort order", "Region, development group, country or area of destination", "Notes", "Code",
               "Type of data", "Region, development group, country or area of origin", "Code"]

# (destination name, destination code, data type, origin name, origin code, both-sexes values per year)
ROWS_2024 = [
    ("WORLD", 900, None, "WORLD", 900, [152986157, 160800000, 173230585, 191446828, 220983187, 247958644,
                                        275284029, 304021813]),
    ("Kazakhstan", 398, "B", "WORLD", 900, [3619185, 3293680, 2871253, 2501779, 3334986, 3546778, 3731230, 3847000]),
    ("Kazakhstan", 398, "B", "Uzbekistan", 860, [258000, 250000, 240000, 230000, 235000, 240000, 244000, 250000]),
    ("Uzbekistan", 860, "B R", "Kazakhstan", 398, [40000, 35000, 30000, 25000, 20000, 16000, 14000, 13013]),
    ("Uzbekistan", 860, "B R", "Central Asia", 5500, [90000, 80000, 70000, 60000, 50000, 40000, 35000, 30000]),
    ("Kyrgyzstan", 417, "C", "Kazakhstan", 398, [20000, "..", 15000, 14000, 13500, 13000, 12800, 12333]),
]


def _sexed(values: list) -> list:
    """Both sexes, then male and female blocks that add up (male = half, rounded down)."""
    male = [v // 2 if isinstance(v, int) else v for v in values]
    female = [v - m if isinstance(v, int) else v for v, m in zip(values, male)]
    return [*values, *male, *female]


def table1_rows(header: list, years: list[int], rows: list, *, title_rows: int = 9, sex_labels: bool = True) -> list:
    """Rows of a Table 1 sheet: title/notes rows, the sex-label row, the header, the data."""
    sheet: list[list] = [["International migrant stock: destination and origin"]]
    sheet += [[f"Note {i}"] for i in range(1, title_rows - 1)]
    sheet.append([])
    labels = [None] * len(header)
    if sex_labels:
        labels += ["Both sexes", *[None] * (len(years) - 1), "Male", *[None] * (len(years) - 1), "Female",
                   *[None] * (len(years) - 1)]
    sheet.append(labels)
    sheet.append([*header, *years, *years, *years])
    for index, (dname, dcode, dtype, oname, ocode, values) in enumerate(rows, start=1):
        sheet.append([index, dname, None, dcode, dtype, oname, ocode, *_sexed(values[:len(years)])])
    return sheet


def write_workbook(path: Path, sheet_rows: list, sheet: str = "Table 1") -> Path:
    book = openpyxl.Workbook()
    contents = book.active
    contents.title = "Contents"
    contents.append(["Table 1: International migrant stock at mid-year by sex and by region, country or area of "
                     "destination and origin"])
    table = book.create_sheet(sheet)
    for row in sheet_rows:
        table.append(row)
    book.save(path)
    return path


def write_csv(path: Path, rows: list, *, line_ending: str = "\n") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator=line_ending).writerows(rows)
    return path


def needs_shared(path: Path):
    return pytest.mark.skipif(not path.is_file(), reason=f"shared data file {path.name} is not beside the checkout")

# Helpers the tests call instead of fixtures: a conftest.py in this folder would shadow tests/conftest.py
# for `from conftest import ...` in other test modules.


def undesa_2024_workbook(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "undesa_pd_2024_ims_stock_by_sex_destination_and_origin.xlsx",
                          table1_rows(HEADER_2024, YEARS_2024, ROWS_2024))


def undesa_2020_workbook(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "undesa_pd_2020_ims_stock_by_sex_destination_and_origin.xlsx",
                          table1_rows(HEADER_2020, YEARS_2020, ROWS_2024, title_rows=10, sex_labels=False))


def use_data_dir(tmp_path: Path, monkeypatch) -> Path:
    """An empty user data folder, used by the case loader through DIASPORA_DATA_DIR."""
    folder = tmp_path / "user-data"
    folder.mkdir()
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(folder))
    return folder
