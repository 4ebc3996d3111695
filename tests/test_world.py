"""The world data the package ships: built reproducibly from the published files, checked on every read."""

from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from diaspora_observatory import world

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


@pytest.mark.slow  # a real build process
def test_the_shipped_files_are_what_the_build_makes_from_the_published_files(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "build-world-data"), "--shared", str(SHARED),
                             "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for name in ("undesa_stock.csv.gz", "population.csv.gz", "un_population.csv.gz", "provenance.json"):
        assert (tmp_path / name).read_bytes() == (world.DATA / name).read_bytes(), f"rebuild {name}"


def test_values_match_the_published_files():
    with (SHARED / "undesa-ims-2024-bilateral-iso2.csv").open(encoding="utf-8", newline="") as handle:
        published_2024 = {(r["destination"], r["origin"]): int(r["stock_2024"]) for r in csv.DictReader(handle)}
    with (SHARED / "undesa-2019-matrix" / "UN_MigrantStockByOriginAndDestination_2019_clean.csv").open(
            encoding="utf-8", newline="") as handle:
        published_2019 = {(r["Year"], r["Dest"]): r for r in csv.DictReader(handle)}
    stock = world.migrant_stock(origin="KAZ").set_index(["edition", "year", "destination"])["stock"]
    assert stock[("2024", 2024, "RUS")] == published_2024[("RU", "KZ")]
    assert stock[("2024", 2024, "DEU")] == published_2024[("DE", "KZ")]
    assert stock[("2019", 2019, "RUS")] == int(published_2019[("2019", "Russian Federation")]["Kazakhstan"])
    assert stock[("2019", 1990, "DEU")] == int(published_2019[("1990", "Germany")]["Kazakhstan"])
    population = world.population().set_index(["country", "year"])["population"]
    with (SHARED / "wdi-population" / "population.csv").open(encoding="utf-8", newline="") as handle:
        wdi = {(r["Country Code"], r["Year"]): r["Value"] for r in csv.DictReader(handle)}
    assert population[("KGZ", 2024)] == int(float(wdi[("KGZ", "2024")]))


def test_each_destination_says_how_it_counts_and_where_that_comes_from():
    table = world.migrant_stock(origin="KAZ", edition="2024").set_index("destination")
    # UN DESA's 2024 Table 1: China and Mongolia count foreign citizens ("C R"), Russia people born abroad
    assert table.loc["CHN", ["data_type", "definition", "refugees_added"]].tolist() == ["C R", "citizenship", True]
    assert table.loc["RUS", ["data_type", "definition", "type_provenance"]].tolist() == ["B R", "birthplace",
                                                                                          "reported"]
    older = world.migrant_stock(origin="KAZ", edition="2019")
    assert set(older["type_provenance"]) <= {"inferred: the 2020 edition's code", "not reported"}


def test_editions_are_kept_apart():
    # The 2024 edition revised Russia's count of people born in Kazakhstan by about half: a series of one
    # destination is read within one edition, and every row names its edition.
    russia = world.migrant_stock(origin="KAZ").query("destination == 'RUS'")
    assert sorted(set(russia["edition"])) == ["2019", "2024"]
    assert russia.query("edition == '2019'")["year"].tolist() == [1990, 1995, 2000, 2005, 2010, 2015, 2019]


def test_what_the_build_left_out_is_recorded():
    left_out = world.provenance()["left_out"]
    assert left_out["2019: rows of 'Caribbean' (a region or an area without an ISO code)"] == 7  # one a year
    assert left_out["2019: a cell marked '..' (not available) or '-' (not stated)"] == 345


def test_largest_destinations():
    top = world.largest_destinations("KGZ", 3)
    assert top["destination"].tolist() == ["RUS", "KAZ", "TUR"]


def test_a_changed_file_is_refused(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(world.DATA, copy)
    data = bytearray((copy / "population.csv.gz").read_bytes())
    data[-5] ^= 1
    (copy / "population.csv.gz").write_bytes(bytes(data))
    monkeypatch.setattr(world, "DATA", copy)
    world.population.cache_clear()
    try:
        with pytest.raises(world.WorldDataChanged) as raised:
            world.population()
        found = hashlib.sha256(bytes(data)).hexdigest()[:12]
        assert raised.value.message.endswith(f"has changed since it was built (sha256 {found}…, recorded "
                                             f"{world.provenance()['outputs']['population.csv.gz'][:12]}…)")
    finally:
        world.population.cache_clear()


def test_un_population_pairs_table_2_with_table_1_and_is_another_producer_than_the_world_bank():
    """Table 2 of the published workbook lost its M49 column; the build pairs its rows with Table 1's and
    verifies every value against Table 3 (tools/build-world-data), so a country's figure is its own."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(SHARED / "undesa-workbooks" /
                                          "undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx")
                                      ).get_sheet_by_name("Table 2").to_python()
    published = {str(row[1]).strip(): row for row in rows if isinstance(row[0], float)}
    un = world.un_population().set_index(["country", "year"])["population"]
    assert un[("KGZ", 2024)] == round(published["Kyrgyzstan"][11] * 1000) == 7186009
    assert un[("RUS", 1990)] == round(published["Russian Federation"][4] * 1000) == 148979541
    assert sorted(set(world.un_population()["year"])) == [1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024]
    wdi = world.population().set_index(["country", "year"])["population"]
    assert wdi[("KGZ", 2024)] != un[("KGZ", 2024)]  # two producers' estimates, not one copied
    assert world.provenance()["left_out"]["UN population: rows of 'Channel Islands*' (an area without an ISO 3166 "
                                          "code)"] == 1
