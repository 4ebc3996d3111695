"""`diaspora case new NAME --origin ISO3` with no file: a whole case from the world data the package ships."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sources_files import UNDESA_SHARED, WDI_SHARED, needs_shared

from diaspora_observatory import load_case, world
from diaspora_observatory.cli import main


def test_a_case_for_any_origin_from_the_built_in_data(tmp_path, monkeypatch):
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["case", "new", "kyrgyz", "--origin", "KGZ", "--host-count", "3"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == ("Data: UN DESA International Migrant Stock 2024, the 2019 edition's series 1990-2019 (each "
                        "value labelled with its edition) and World Bank population, built into the observatory (no "
                        "file given)")
    assert lines[1] == ("Hosts: the 3 largest destinations of people born in KGZ in 2024: RUS (333,664), "
                        "KAZ (100,242), TUR (44,361) (--hosts or --host-count to choose others)")
    case = load_case("kyrgyz", data_dir=tmp_path)
    assert case.errors == []
    assert case.hosts == ["RUS", "KAZ", "TUR"]
    table = case.table("birthplace_stock")
    stock = table[table["edition"] == "2024"].set_index("destination")["stock"]
    expected = world.migrant_stock(origin="KGZ", edition="2024").set_index("destination")["stock"]
    assert stock.to_dict() == expected.to_dict()  # every destination, as UN DESA gives it
    population = case.table("population")
    totals = population[population["group"] == "total"].set_index("country")["population"]
    wdi = world.population().query("year == 2024").set_index("country")["population"]
    assert totals["KAZ"] == wdi["KAZ"] and totals["KGZ"] == wdi["KGZ"]
    # the cross-source check sets the World Bank's population beside UN DESA's, another producer
    check = next(c for c in case.descriptor["checks"] if c["check"] == "cross_source_agreement")
    assert (check["resource"], check["reference"], check["tolerance_pct"]) == ("population", "reference_population", 5)
    from diaspora_observatory.tables import build_table

    cross = build_table(case, "cross-source").set_index("country")
    assert cross.loc["KGZ", ["case_value", "reference_value", "case_source_id", "reference_source_id"]].tolist() == [
        7221868, 7186009, "wdi-population", "undesa-population-2024"]
    assert case.sources["undesa-population-2024"]["author"] != case.sources["wdi-population"]["author"]
    sidecar = json.loads((case.path / "data" / "birthplace_stock.csv.provenance.json").read_text(encoding="utf-8"))
    assert sidecar["original"]["file"] == "undesa_stock.csv.gz"
    assert sidecar["original"]["sha256"] == world.provenance()["outputs"]["undesa_stock.csv.gz"]
    assert "Built into the observatory" in " ".join(sidecar["notes"])


@pytest.mark.slow  # builds a new case and its app (about 3 s)
def test_the_new_case_is_served(tmp_path, monkeypatch):
    from starlette.testclient import TestClient

    from diaspora_observatory.web.app import create_app

    monkeypatch.setenv("DIASPORA_DATA_DIR", str(tmp_path))
    assert CliRunner().invoke(main, ["case", "new", "kyrgyz", "--origin", "KGZ"]).exit_code == 0
    client = TestClient(create_app("kyrgyz", data_dir=tmp_path), raise_server_exceptions=False)
    for path in ("/", "/countries", "/country/RUS", "/definitions", "/sources"):
        assert client.get(path).status_code == 200, path
    assert "Kyrgyzstan" in client.get("/").text


def test_an_origin_nobody_left_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["case", "new", "antarctica", "--origin", "ATA"])
    assert result.exit_code == 2
    assert "Error: UN DESA's 2024 table has no people born in ATA" in result.output


def test_a_new_case_holds_the_whole_series_each_value_naming_its_edition(tmp_path, monkeypatch):
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(tmp_path))
    assert CliRunner().invoke(main, ["case", "new", "kyrgyz", "--origin", "KGZ"]).exit_code == 0
    case = load_case("kyrgyz", data_dir=tmp_path)
    table = case.table("birthplace_stock")
    russia = table[table["destination"] == "RUS"]
    # the 2019 edition's series, then the 2024 edition's table: a revision, not a fall of 257,547 people
    assert russia[["year", "stock", "edition", "source_id", "definition"]].values.tolist() == [
        [1990, 433625, "2019", "undesa-ims-2019", "birthplace"], [1995, 455644, "2019", "undesa-ims-2019", "birthplace"],
        [2000, 461140, "2019", "undesa-ims-2019", "birthplace"], [2005, 526124, "2019", "undesa-ims-2019", "birthplace"],
        [2010, 580279, "2019", "undesa-ims-2019", "birthplace"], [2015, 591349, "2019", "undesa-ims-2019", "birthplace"],
        [2019, 591211, "2019", "undesa-ims-2019", "birthplace"], [2024, 333664, "2024", "undesa-ims-2024", "birthplace"]]
    every = world.migrant_stock(origin="KGZ")
    assert len(table) == len(every)
    # the definition from the data-type code: a destination UN DESA counts by citizenship (C) says so
    citizens = set(every.loc[every["definition"] == "citizenship", "destination"])
    assert citizens and set(table.loc[table["definition"] == "citizenship", "destination"]) == citizens
    assert set(case.sources) >= {"undesa-ims-2019", "undesa-ims-2024"}
    assert case.sources["undesa-ims-2019"]["title"] == "International Migrant Stock 2019"
    check = CliRunner().invoke(main, ["check", "--case", "kyrgyz"])
    assert check.exit_code == 0 and "Data: no errors" in check.output
    # the population table keeps the latest year only (its hosts were chosen by it)
    assert set(case.table("population")["year"]) == {2024}
    # stock differencing stays inside an edition: no 2019 -> 2024 pair, which would mix a revision in
    from diaspora_observatory.tables import build_table

    flows = build_table(case, "stock-flows")
    assert sorted(set(zip(flows["year_from"], flows["year_to"]))) == [
        (1990, 1995), (1995, 2000), (2000, 2005), (2005, 2010), (2010, 2015), (2015, 2019)]
    assert flows["assumptions"].str.endswith(" Both stocks from UN DESA's 2019 edition.").all()
    over_time = build_table(case, "birthplace-over-time")
    assert over_time[["edition", "year"]].values.tolist() == [
        ["2019", 1990], ["2019", 1995], ["2019", 2000], ["2019", 2005], ["2019", 2010], ["2019", 2015],
        ["2019", 2019], ["2024", 2024]]
    assert int(over_time.iloc[-1]["world_total"]) == int(world.migrant_stock(origin="KGZ", edition="2024")["stock"].sum())
    assert set(over_time["held_in"]) == {"case"}


def test_a_case_made_before_the_edition_column_still_loads_and_says_so(tmp_path, monkeypatch):
    """A case written before stocks named their edition keeps loading; its series is labelled as such and
    no edition is guessed, nor one taken from the built-in data beside it."""
    import csv

    from diaspora_observatory.case.writer import descriptor_text
    from diaspora_observatory.tables import build_table

    monkeypatch.setenv("DIASPORA_DATA_DIR", str(tmp_path))
    assert CliRunner().invoke(main, ["case", "new", "kyrgyz", "--origin", "KGZ"]).exit_code == 0
    folder = tmp_path / "cases" / "kyrgyz"
    path = folder / "data" / "birthplace_stock.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        fields = [name for name in rows[0] if name != "edition"]
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(row for row in rows if row["edition"] == "2024")
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == "birthplace_stock":
            resource["schema"]["fields"] = [f for f in resource["schema"]["fields"] if f["name"] != "edition"]
    (folder / "datapackage.json").write_text(descriptor_text(descriptor), encoding="utf-8")
    (folder / "data" / "birthplace_stock.csv.provenance.json").unlink()  # edited by hand, as in an old case
    case = load_case("kyrgyz", data_dir=tmp_path)
    assert case.errors == []
    over_time = build_table(case, "birthplace-over-time")
    assert over_time[["edition", "year", "held_in"]].values.tolist() == [["edition not recorded", 2024, "case"]]


@needs_shared(UNDESA_SHARED)
@needs_shared(WDI_SHARED)
def test_a_case_from_a_users_file_shows_its_own_edition_only(tmp_path, monkeypatch):
    """The built-in 2019 series is added only to a case that cites it: a case built from the user's own
    2024 file does not, so its series is the file's, and no value is drawn without its source."""
    from diaspora_observatory.tables import build_table

    monkeypatch.setenv("DIASPORA_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["case", "new", "uzbek", "--origin", "UZB", "--from-undesa", str(UNDESA_SHARED),
                                       "--population", str(WDI_SHARED)])
    assert result.exit_code == 0, result.output
    case = load_case("uzbek", data_dir=tmp_path)
    assert "undesa-ims-2019" not in case.sources
    over_time = build_table(case, "birthplace-over-time")
    assert over_time[["edition", "year", "held_in"]].values.tolist() == [["2024", 2024, "case"]]
    assert set(case.table("birthplace_stock")["edition"]) == {"2024"}
