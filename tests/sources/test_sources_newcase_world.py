"""`diaspora case new NAME --origin ISO3` with no file: a whole case from the world data the package ships."""

from __future__ import annotations

import json

from click.testing import CliRunner

from diaspora_observatory import load_case, world
from diaspora_observatory.cli import main


def test_a_case_for_any_origin_from_the_built_in_data(tmp_path, monkeypatch):
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["case", "new", "kyrgyz", "--origin", "KGZ", "--host-count", "3"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == ("Data: UN DESA International Migrant Stock 2024 and World Bank population, built into the "
                        "observatory (no file given)")
    assert lines[1] == ("Hosts: the 3 largest destinations of people born in KGZ in 2024: RUS (333,664), "
                        "KAZ (100,242), TUR (44,361) (--hosts or --host-count to choose others)")
    case = load_case("kyrgyz", data_dir=tmp_path)
    assert case.errors == []
    assert case.hosts == ["RUS", "KAZ", "TUR"]
    stock = case.table("birthplace_stock").set_index("destination")["stock"]
    expected = world.migrant_stock(origin="KGZ", edition="2024").set_index("destination")["stock"]
    assert stock.to_dict() == expected.to_dict()  # every destination, as UN DESA gives it
    population = case.table("population")
    totals = population[population["group"] == "total"].set_index("country")["population"]
    wdi = world.population().query("year == 2024").set_index("country")["population"]
    assert totals["KAZ"] == wdi["KAZ"] and totals["KGZ"] == wdi["KGZ"]
    sidecar = json.loads((case.path / "data" / "birthplace_stock.csv.provenance.json").read_text(encoding="utf-8"))
    assert sidecar["original"]["file"] == "undesa_stock.csv.gz"
    assert sidecar["original"]["sha256"] == world.provenance()["outputs"]["undesa_stock.csv.gz"]
    assert "Built into the observatory" in " ".join(sidecar["notes"])


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
