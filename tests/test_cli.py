"""The command line: same numbers as the library, documented output contract, clear errors, help."""

import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from diaspora_observatory.analysis import demography, flows
from diaspora_observatory.analysis.claims import check_claims
from diaspora_observatory.cli import TABLES, main


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


def rows_of(output: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(output)))


def test_show_demography_csv_matches_the_library(runner, case):
    result = runner.invoke(main, ["show", "demography", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = {row["country"]: row for row in rows_of(result.output)}
    library = demography.demography(case).set_index("country")
    for country, row in rows.items():
        assert float(row["diaspora_share_of_total_pct"]) == pytest.approx(library.loc[country, "diaspora_share_of_total_pct"])
        assert int(row["diaspora_population"]) == library.loc[country, "diaspora_population"]
    assert {"country", "year", "total_population", "titular_population", "diaspora_population", "other_population",
            "diaspora_share_of_total_pct", "diaspora_share_of_others_pct",
            "share_of_regional_diaspora_pct"} <= set(rows["UZB"])


def test_show_flows_csv_contract(runner, case):
    rows = rows_of(runner.invoke(main, ["show", "flows", "--format", "csv"]).output)
    assert {"partner", "year", "emigration", "immigration", "net"} <= set(rows[0])
    library = flows.flows(case)
    assert [int(r["net"]) for r in rows] == library["net"].tolist()


def test_check_json_contract(runner, case):
    result = runner.invoke(main, ["check", "--format", "json"])
    assert result.exit_code == 0
    payload = json.loads(result.output)
    assert payload["errors"] == []
    assert isinstance(payload["claims"], list)
    first = payload["claims"][0]
    assert {"id", "statement", "reported", "computed", "status"} <= set(first)
    library = check_claims(case)
    assert [c["status"] for c in payload["claims"]] == library["status"].tolist()


def test_check_table_summarises_statuses(runner):
    result = runner.invoke(main, ["check"])
    assert result.output.splitlines()[-1] == "28 confirmed, 9 mismatch, 10 unverifiable"


def test_check_shows_reported_computed_difference_and_status_in_columns(runner):
    # CliRunner's output is no terminal: rich lays the table out for 80 columns, and nothing is wider
    lines = runner.invoke(main, ["check"], env={"COLUMNS": "80"}).output.splitlines()
    table = lines[lines.index(next(line for line in lines if line.split()[:2] == ["claim", "reported"])):-1]
    assert table[0].split() == ["claim", "reported", "computed", "difference", "status", "why"]
    assert max(len(line) for line in table) <= 80
    # a whole count of persons is never folded, and the difference has its sign
    assert [line.split()[1:] for line in table if "20,000,000" in line] == [
        ["20,000,000", "20,033,842", "+33,842", "confirmed"]]
    assert [line.split()[1:6] for line in table if "20,033,842" in line and "mismatch" in line] == [
        ["20,033,842", "14,220,289", "-5,813,553", "mismatch", "The"]]


def test_check_gives_the_reason_of_an_unverifiable_claim(runner):
    lines = runner.invoke(main, ["check"], env={"COLUMNS": "200"}).output.splitlines()
    row = next(line for line in lines if line.split()[:1] == ["period1-outflow"])
    assert row.split()[1:5] == ["negative", "positive", "unverifiable", "the"]
    assert "the statement is wider than the data: The concept speaks of" in " ".join(row.split())


@pytest.mark.parametrize("table", TABLES)
def test_every_table_prints_in_every_format(runner, table):
    for output_format in ("table", "csv", "json"):
        result = runner.invoke(main, ["show", table, "--format", output_format])
        assert result.exit_code == 0, (table, output_format, result.output)
        assert result.output.strip()


def test_unknown_case_gives_a_clear_error_without_traceback(runner):
    result = runner.invoke(main, ["show", "flows", "--case", "kazakh-centrl-asia"])
    assert result.exit_code == 2
    assert result.output.splitlines()[0] == "Error: no case named or found at 'kazakh-centrl-asia'"
    assert result.output.splitlines()[1].startswith("Hint: known cases: kazakh-central-asia")
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_cases_lists_the_built_in_case(runner):
    payload = json.loads(runner.invoke(main, ["cases", "--format", "json"]).output)
    assert payload[0]["name"] == "kazakh-central-asia" and payload[0]["embedded"] is True


def all_commands(group=main, prefix=()):
    ctx = group.make_context("diaspora", ["--help"], resilient_parsing=True)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*prefix, name), command
        if hasattr(command, "list_commands"):
            yield from all_commands(command, (*prefix, name))


def test_every_command_has_help_with_an_example(runner):
    seen = 0
    for path, _command in all_commands():
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Example" in result.output, f"diaspora {' '.join(path)} --help has no example"
        seen += 1
    assert seen >= 4


def test_table_names_match_the_builders():
    from diaspora_observatory.tables import TABLE_NAMES, table_names

    assert TABLE_NAMES == table_names()


def test_unwritable_output_folder_is_a_clear_error(runner, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = runner.invoke(main, ["report", "--out", str(blocker / "report")])
    assert result.exit_code == 2
    assert result.output.splitlines()[-2].startswith("Error: Not a directory: ")
    assert result.output.splitlines()[-1] == "Hint: check the path and its permissions, or choose another location"


def test_show_help_lists_every_table(runner):
    from diaspora_observatory.tables import TABLE_NAMES

    text = "".join(runner.invoke(main, ["show", "--help"]).output.split())  # wrapping may break at hyphens
    assert all(name in text for name in TABLE_NAMES)


@pytest.mark.slow  # a real CLI process
def test_a_reader_that_stops_early_is_not_an_error():
    # `diaspora show projections --format json | head -c 10`: the output is larger than a pipe's buffer, so
    # the command writes into a closed pipe. It used to end with "Error: Broken pipe" on stderr.
    process = subprocess.Popen([sys.executable, "-m", "diaspora_observatory.cli", "show", "projections",
                                "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with process:
        assert process.stdout.read(10)
        process.stdout.close()
        stderr = process.stderr.read().decode()
        assert process.wait(timeout=60) == 0
    assert stderr == ""


def test_help_imports_neither_numpy_nor_pandas() -> None:
    """``diaspora --help`` lists every command's options, so each command module must import only click at
    its top (cli.LAZY_COMMANDS); the documents command had come to import the language detector, and with it
    numpy (0.2 s and 14 MB of a 0.1 s --help; issue 15 item 3)."""
    import subprocess
    import sys

    code = ("import sys\nfrom diaspora_observatory.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n"
            "    pass\nprint(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'pandas', 'jinja2', 'babel'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines()[-1] == "[]"
