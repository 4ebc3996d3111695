"""The web app, `diaspora check`, `diaspora show` and the report agree on every claim's status and every
value's provenance; pages show a derived value as computed, a range without its midpoint, an undated
count without a year and silence as "not reported"."""

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from diaspora_observatory.cli import main


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(main, ["report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _show(table: str) -> list[dict]:
    result = CliRunner().invoke(main, ["show", table, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.slow  # builds the report
def test_web_check_and_report_agree_on_every_claim(client, report_dir):
    checked = CliRunner().invoke(main, ["check", "--format", "json"])
    assert checked.exit_code == 0, checked.output
    by_check = {c["id"]: (c["status"], c["reason"], c["computed"]) for c in json.loads(checked.output)["claims"]}
    by_web = {c["id"]: (c["status"], c["reason"], c["computed"])
              for c in client.get("/claims.json", params={"table": "claims"}).json()}
    by_report = {c["id"]: (c["status"], c["reason"], c["computed"])
                 for c in json.loads((report_dir / "claims.json").read_text(encoding="utf-8"))}
    by_show = {c["id"]: (c["status"], c["reason"], c["computed"]) for c in _show("claims")}
    assert by_check == by_web == by_report == by_show
    assert len(by_check) == 47
    assert by_check["period3-net-negative"][0] == "unverifiable"
    html = (report_dir / "report.html").read_text(encoding="utf-8").replace("\n", " ")
    assert ("Numeric statements of the study recomputed from the data: 47; confirmed 28, mismatch 9, "
            "unverifiable 10.") in html


@pytest.mark.slow  # builds the report
@pytest.mark.parametrize("table, key", [("demography", "country"), ("institutions", "country"),
                                        ("flows", "partner"), ("periods", "partner"), ("flow-summary", "partner")])
def test_web_show_and_report_agree_on_every_value_provenance(client, report_dir, table, key):
    by_show = [(row[key], row["provenance"]) for row in _show(table)]
    page = {"demography": "/overview", "institutions": "/institutions"}.get(table, "/flows")
    by_web = [(row[key], row["provenance"]) for row in client.get(f"{page}.json").json()["tables"][table]]
    with (report_dir / "tables" / f"{table}.csv").open(encoding="utf-8") as handle:
        by_report = [(row[key], row["provenance"]) for row in csv.DictReader(handle)]
    assert by_show == by_web == by_report
    assert by_show and all(kind for _key, kind in by_show)


def test_key_figures_in_csv_and_json_carry_their_kind(client):
    rows = {row["figure"]: row for row in csv.DictReader(io.StringIO(client.get("/overview.csv", params={
        "table": "key-figures"}).text))}
    assert rows["net_migration_total"]["provenance"] == "derived"
    assert rows["world_diaspora_estimate"]["value"] == ""  # no midpoint
    assert rows["kandas_status"]["detail"] == "" and rows["kandas_status"]["provenance"] == "inferred"


def test_the_overview_credits_derived_figures_as_computed(client):
    html = client.get("/").text
    cards = re.findall(r'<li class="figure-card" data-provenance="(\w+)">(.*?)</li>', html, re.S)
    text = {re.sub(r"<[^>]+>", "", re.search(r'figure-label">(.*?)</span>', body, re.S).group(1)):
            (kind, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", body)).strip()) for kind, body in cards}
    net = text["Net migration between the country of origin and the hosts (2000–2023)"]
    assert net[0] == "derived" and "Computed from: Bureau of National Statistics of the Republic of Kazakhstan" \
                                  " (2024)" in net[1]
    world = text["Diaspora members living abroad worldwide (estimate)"]
    assert world[0] == "reported" and world[1].startswith("5,000,000–7,000,000 ")
    assert "6,000,000" not in html and "14.87" not in html
    kandas = text["Ethnic Kazakhs who returned and received kandas status (period not stated)"]
    assert kandas[0] == "inferred" and kandas[1].startswith("8,758 ")
    assert ("Inferred: the study does not state this figure&#39;s source or year; the table&#39;s note says how "
            "it was read.") in html
    assert "8,758 repatriates (2024)" not in html and "(2024)</span>" not in html.split("kandas status")[1][:200]


def test_silence_shows_as_not_reported_not_as_no(client):
    html = client.get("/institutions").text
    table = html.split('data-column="support_culture"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    uzbekistan = next(row for row in rows if 'title="UZB"' in row)
    # the cell carries its column's title for the phone's card (web/columns.py CARD_BLOCKS)
    assert '<td data-label="Culture" title="not_reported">not reported</td>' in uzbekistan
    assert "✗" not in table.split("</thead>")[1]
    russian = client.get("/institutions", params={"lang": "ru"}).text
    assert '<td data-label="Культура" title="not_reported">нет сведений</td>' in russian


def test_a_country_card_counts_supports_over_what_is_reported(client):
    html = client.get("/country/UZB").text
    assert '<span class="figure-value">2 of 2 reported</span>' in html
    assert '<span class="figure-label">Supports of identity present (2 of four not reported)</span>' in html


def test_country_cards_credit_each_value_as_what_it_is(client):
    html = client.get("/country/TJK").text
    cards = dict(re.findall(r'<li class="figure-card" data-provenance="(\w+)">\s*<span class="figure-value">[^<]*'
                            r'</span>\s*<span class="figure-label">([^<]*)</span>', html)[i][::-1] for i in range(3))
    assert cards == {"Diaspora members": "inferred", "Share of the population": "derived",
                     "Share of the groups other than the titular nation": "derived"}
    count = html.split('<span class="figure-label">Diaspora members</span>')[1].split("</li>")[0]
    assert '<span class="figure-source">Source: <a href="/sources#source-astana-times-2024">' in count
    share = html.split('<span class="figure-label">Share of the population</span>')[1].split("</li>")[0]
    assert '<span class="figure-source">Computed from: ' in share and "source-study" in share
