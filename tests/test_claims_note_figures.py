"""A claim's note quotes the data's figures through the precision rules, not as literals (issue 10).

The share-ranking note used to say "Turkmenistan's 0.138%" while every page shows 0.1% (9,000, one significant
digit, of 6,516,100: ``analysis.precision``). The note now writes ``{diaspora_share_of_total_pct:TKM}``, which
the checker fills with the figure at the digits its demography row declares, so the two cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from diaspora_observatory import load_case
from diaspora_observatory.analysis.claims import check_claims, note_with_figures
from diaspora_observatory.cli import main

CLAIMS_CSV = Path(__file__).resolve().parents[1] / "src" / "diaspora_observatory" / "cases" / \
    "kazakh-central-asia" / "data" / "claims.csv"
SHARE_RANKING_NOTE = ("Turkmenistan's 0.1% is above Tajikistan's 0.022%; the order in the text follows its 0.21% for "
                      "Tajikistan, ten times Table 1's figure.")


def test_the_share_ranking_note_gives_the_shares_the_pages_show(case):
    claims = check_claims(case).set_index("id")
    assert claims.loc["share-ranking", "note"] == SHARE_RANKING_NOTE
    # the data file holds no copy of the figure, only where to take it from
    text = CLAIMS_CSV.read_text(encoding="utf-8")
    assert "0.138" not in text and "{diaspora_share_of_total_pct:TKM}%" in text
    # the same string in `diaspora show claims` (CSV) and on the claims page
    shown = CliRunner().invoke(main, ["show", "claims", "--format", "csv"]).output
    assert SHARE_RANKING_NOTE in shown


def test_the_claims_page_shows_the_note_with_the_tables_share(client_app_html):
    assert "Turkmenistan&#39;s 0.1% is above Tajikistan&#39;s 0.022%" in client_app_html
    assert "0.138" not in client_app_html


def test_a_note_figure_follows_the_data_and_an_unknown_one_stays_as_written(case_copy):
    # Turkmenistan's count stated as 9,100 (two digits): the note's share gains a digit with it
    path = case_copy / "data" / "population.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("TKM,2024,diaspora,9000,", "TKM,2024,diaspora,9100,"),
                    encoding="utf-8")
    changed = load_case(case_copy)
    assert check_claims(changed).set_index("id").loc["share-ranking", "note"].startswith(
        "Turkmenistan's 0.14% is above Tajikistan's 0.022%;")
    assert note_with_figures(changed, "{diaspora_share_of_total_pct:KAZ} and {no_such_column:TKM}") == (
        "{diaspora_share_of_total_pct:KAZ} and {no_such_column:TKM}")
    assert note_with_figures(changed, "no figure here") == "no figure here"


@pytest.fixture(scope="module")
def client_app_html(tmp_path_factory, computed_app) -> str:
    from starlette.testclient import TestClient

    from diaspora_observatory.web.app import create_app

    # Without the app's lifespan: its startup would start the documents and survey page workers (three
    # processes, each loading the case), which the claims page does not use.
    client = TestClient(create_app(data_dir=tmp_path_factory.mktemp("data"), computed_by=computed_app))
    return client.get("/claims", params={"lang": "en"}).text
