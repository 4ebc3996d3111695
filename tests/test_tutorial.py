"""docs/tutorial.md, run: every ``sh`` block's commands in order through the real CLI, then the pages the
tutorial says ``diaspora serve`` shows, through the app (issue 16, item 6)."""

from __future__ import annotations

import csv
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from diaspora_observatory.cli import main

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"


def tutorial_commands() -> list[list[str]]:
    """The command lines of the tutorial's ``sh`` blocks, in order (``text`` blocks are shown, not run)."""
    blocks = re.findall(r"```sh\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), re.S)
    return [shlex.split(line) for block in blocks for line in block.splitlines() if line.strip()]


def load_case_table(name: str, resource: str):
    from diaspora_observatory import load_case

    return load_case(name).table(resource)


@pytest.mark.slow  # runs the whole tutorial (about 3 s)
def test_the_tutorial_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.setenv("DIASPORA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "docs" / "tutorial", tmp_path / "docs" / "tutorial")
    commands = tutorial_commands()
    assert [command[:2] for command in commands] == [
        ["diaspora", "case"], ["diaspora", "check"], ["diaspora", "show"], ["diaspora", "show"], ["diaspora", "show"],
        ["diaspora", "import"], ["diaspora", "show"], ["diaspora", "survey"], ["diaspora", "report"]]
    outputs = []
    for command in commands:
        result = CliRunner().invoke(main, command[1:])
        assert result.exit_code == 0, f"{shlex.join(command)}\n{result.output}"
        outputs.append(result.output)
    assert "the 5 largest destinations of people born in KGZ in 2024: RUS (333,664), KAZ (100,242)" in outputs[0]
    assert "0 confirmed, 0 mismatch, 0 unverifiable" in outputs[1]
    # the figures the tutorial quotes: the world totals of the two editions, and the two producers' populations
    over_time = list(csv.DictReader(outputs[3].splitlines()))
    totals = {(row["edition"], row["year"]): int(row["world_total"]) for row in over_time}
    assert (totals[("2019", "2019")], totals[("2024", "2024")]) == (754981, 540573)
    cross = {row["country"]: row for row in csv.DictReader(outputs[4].splitlines())}
    assert (cross["KGZ"]["case_value"], cross["KGZ"]["reference_value"]) == ("7221868", "7186009")
    assert [code for code, row in sorted(cross.items()) if row["difference"] == "0"] == ["KAZ", "TJK", "UKR"]
    stock = load_case_table("kyrgyz", "birthplace_stock").query("destination == 'RUS' and year in (2019, 2024)")
    assert stock["stock"].tolist() == [591211, 333664]
    assert "kyrgyzstan-kazakhstan-flows.csv: 24 rows read, 24 stored, 0 skipped" in outputs[5]
    assert (tmp_path / "kyrgyz-questionnaire.xlsx").is_file()
    assert (tmp_path / "kyrgyz-report" / "report.html").is_file()

    from diaspora_observatory import load_case

    case = load_case("kyrgyz")
    assert case.errors == []
    flows = case.table("flows")
    assert len(flows) == 24 and set(flows["partner"]) == {"KAZ"}
    assert case.sources["bns-kaz-mirror"]["title"] == (
        "Bureau of National Statistics of Kazakhstan: migration with Kyrgyzstan 2000-2023, as counted by Kazakhstan "
        "(the study's Table 2)")

    from starlette.testclient import TestClient

    from diaspora_observatory.web.app import create_app

    client = TestClient(create_app("kyrgyz"), raise_server_exceptions=False)
    for language in ("en", "ru", "kk"):
        for path in ("/", "/flows", "/countries"):
            page = client.get(f"{path}?lang={language}")
            assert page.status_code == 200, (path, language)
    flows_page = client.get("/flows?lang=en").text
    assert "Yearly migration between Kyrgyzstan and each partner." in flows_page


def test_the_tutorials_flows_table_is_the_built_in_cases_counts_seen_from_kyrgyzstan():
    """The tutorial's table is not made up: each row is Kazakhstan's count for Kyrgyzstan in the built-in
    case (bns-2024a, the study's Table 2), emigration from Kazakhstan read as arrivals in Kyrgyzstan."""
    from diaspora_observatory import load_case

    kazakh = load_case().table("flows").query("partner == 'KGZ'").set_index("year")
    with (ROOT / "docs" / "tutorial" / "kyrgyzstan-kazakhstan-flows.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(kazakh) == 24
    for row in rows:
        year = int(row["Year"])
        assert row["Country"] == "Kazakhstan"
        assert int(row["Arrivals from the country"]) == kazakh.loc[year, "emigration"]
        assert int(row["Departures to the country"]) == kazakh.loc[year, "immigration"]
