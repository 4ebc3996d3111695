"""The demographic model against values computed by hand from Table 1."""

import pytest

from diaspora_observatory.analysis import demography


def test_shares_of_total_and_others_match_hand_computation(case):
    table = demography.demography(case).set_index("country")
    # 821000 / 37134229 and 821000 / 15605846
    assert table.loc["UZB", "diaspora_share_of_total_pct"] == pytest.approx(2.210898, abs=1e-6)
    assert table.loc["UZB", "diaspora_share_of_others_pct"] == pytest.approx(5.260849, abs=1e-6)
    # 2200 / 10143540: a tenth of the 0.21% the study's text gives
    assert table.loc["TJK", "diaspora_share_of_total_pct"] == pytest.approx(0.021689, abs=1e-6)
    assert list(table.index) == ["KGZ", "TJK", "TKM", "UZB"]


def test_regional_total_concentration_and_world_share_interval(case):
    summary = demography.regional_summary(case)
    assert summary["regional_diaspora_total"] == 35000 + 2200 + 9000 + 821000
    assert summary["largest_host"] == "UZB"
    assert summary["largest_host_share_pct"] == pytest.approx(100 * 821000 / 867200)
    # the world estimate is 5 to 7 million, so the share is an interval
    assert summary["share_of_world_diaspora_low_pct"] == pytest.approx(100 * 867200 / 7_000_000)
    assert summary["share_of_world_diaspora_high_pct"] == pytest.approx(100 * 867200 / 5_000_000)
    assert summary["hosts_by_size"] == ["UZB", "KGZ", "TKM", "TJK"]


def test_output_contract_columns(case):
    columns = set(demography.demography(case).columns)
    assert {"country", "year", "total_population", "titular_population", "diaspora_population",
            "other_population", "diaspora_share_of_total_pct", "diaspora_share_of_others_pct",
            "share_of_regional_diaspora_pct"} <= columns


def test_every_table1_value_says_what_kind_it_is(case):
    """The audit's examples: Table 1's other groups are total - titular - diaspora, credited to the study that
    computed them; Turkmenistan's titular count is exactly 85.000% of its total and not the World Bank's,
    which publishes no counts by ethnicity."""
    population = case.table("population").set_index(["country", "group"])
    others = population.xs("other", level="group")
    assert set(others["provenance"]) == {"derived"} and set(others["source_id"]) == {"study"}
    assert others.loc["KAZ", "formula"] == "total - titular"
    assert set(others.drop(index="KAZ")["formula"]) == {"total - titular - diaspora"}
    tkm = population.loc["TKM"]
    assert tkm.loc["titular", "population"] == round(0.85 * tkm.loc["total", "population"])
    assert (tkm.loc["titular", "provenance"], tkm.loc["titular", "formula"], tkm.loc["titular", "source_id"]) == (
        "derived", "0.85 * total", "study")
    ethnic_by_world_bank = population[(population["source_id"] == "wb-2024") & (population["definition"] == "ethnicity")]
    assert ethnic_by_world_bank.empty
    for (country, group), row in population.iterrows():
        if row["provenance"] == "derived":
            # a derived row's formula recomputes its value from the rows of the same country and year
            values = population.loc[country]["population"].to_dict()
            formula = row["formula"].replace("total", str(values["total"])).replace(
                "titular", str(values["titular"])).replace("diaspora", str(values["diaspora"]))
            assert round(eval(formula)) == row["population"], (country, group)  # noqa: S307 - our own formulas
        elif row["provenance"] == "inferred":
            assert "inferred" in row["note"] or "not stated" in row["note"], (country, group)


def test_the_demography_table_carries_the_kind_of_each_value(case):
    table = demography.demography(case).set_index("country")
    shares = ("diaspora_share_of_total_pct, diaspora_share_of_others_pct, share_of_regional_diaspora_pct, "
              "share_of_world_diaspora_low_pct, share_of_world_diaspora_high_pct")
    assert table.loc["UZB", "provenance"] == (
        "reported: total_population, titular_population, diaspora_population; "
        f"derived: other_population (total - titular - diaspora), {shares}")
    assert table.loc["TKM", "provenance"] == (
        f"derived: titular_population (0.85 * total), other_population (total - titular - diaspora), {shares}; "
        "inferred: total_population, diaspora_population")
    assert "study" in table.loc["TKM", "source_ids"].split(";")


def test_a_case_without_provenance_columns_reads_its_values_as_reported(case_copy):
    """Importers copy what a source states; a population file without the column is all reported."""
    from diaspora_observatory import load_case

    path = case_copy / "data" / "population.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    out = io.StringIO()
    fields = [name for name in rows[0] if name not in ("provenance", "formula")]
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    descriptor = case_copy / "datapackage.json"
    import json

    package = json.loads(descriptor.read_text(encoding="utf-8"))
    for resource in package["resources"]:
        if resource["name"] == "population":
            resource["schema"]["fields"] = [f for f in resource["schema"]["fields"]
                                            if f["name"] not in ("provenance", "formula")]
    descriptor.write_text(json.dumps(package, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    copy = load_case(case_copy)
    assert copy.errors == []
    assert demography.demography(copy).set_index("country").loc["UZB", "provenance"].startswith(
        "reported: total_population, titular_population, diaspora_population, other_population; derived: ")


def test_show_carries_the_kind_and_the_schema_declares_the_formula():
    import csv
    import io
    import json

    from click.testing import CliRunner

    from diaspora_observatory.cli import main

    runner = CliRunner()
    rows = {row["country"]: row for row in csv.DictReader(io.StringIO(
        runner.invoke(main, ["show", "demography", "--format", "csv"]).output))}
    assert rows["TKM"]["provenance"].startswith("derived: titular_population (0.85 * total), other_population")
    flows = list(csv.DictReader(io.StringIO(runner.invoke(main, ["show", "flows", "--format", "csv"]).output)))
    assert {row["provenance"] for row in flows} == {"reported: emigration, immigration; derived: net"}
    schema = json.loads(runner.invoke(main, ["show", "demography", "--schema"]).output)
    fields = {field["name"]: field for field in schema["fields"]}
    assert fields["diaspora_share_of_total_pct"]["derived"] == {
        "formula": "100 * diaspora_population / total_population", "inputs": ["population"]}
    assert "derived" not in fields["total_population"]
