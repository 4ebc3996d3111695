"""The CLI, the web page and the report print the same string for the same value, in each language.

Real outputs of the built-in case: ``diaspora show TABLE --lang L`` through the CLI runner, the web page
through the in-process client, and report.html written by ``build_report``. Each is read back as a
table (column name -> cell text) and the cells compared with each other and with the exact string: people
counts, shares (with the digits their inputs justify), p-values, years, a rate and both ends of its interval,
and a claim's reported and computed values (issue 14, item 1).
"""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from diaspora_observatory.cli import main
from diaspora_observatory.report.build import build_report

NBSP = "\xa0"


class TableReader(HTMLParser):
    """Every <table> of a page as rows of {column: text}; a column is named by its header's
    ``data-column`` (the web pages) or its text (the report, which shows the machine names). A cell
    naming a country in the reader's language reads as the code in its ``<abbr title>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[dict[str, str]]] = []
        self._columns: list[str] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._header: dict | None = None
        self._code: str | None = None
        self._transposed = False
        self._codes = []
        self._rowhead: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table":
            self.tables.append([])
            self._columns = []
            # The report turns a wide, short table on its side: a header per row of the original (its
            # ``data-code``), a body row per column (named in its first cell's ``title``).
            self._transposed = "transposed" in (attributes.get("class") or "")
            self._codes: list[str] = []
        elif tag == "th" and self._transposed:
            self._codes.append(attributes.get("data-code") or "")
            self._header = attributes
            self._cell = []
        elif tag == "td" and self._transposed and "rowhead" in (attributes.get("class") or ""):
            self._cell = []
            self._code = None
            self._rowhead = attributes.get("title")
        elif tag == "th":
            self._header = attributes
            self._cell = []
        elif tag == "tr":
            self._row = []
        elif tag == "td":
            self._cell = []
            self._code = None
        elif tag == "abbr" and self._cell is not None:
            self._code = attributes.get("title")

    def handle_endtag(self, tag):
        if tag == "th" and self._cell is not None:
            self._columns.append(self._header.get("data-column") or "".join(self._cell).strip())
            self._cell = None
        elif tag == "td" and self._cell is not None and self._row is not None:
            self._row.append(self._code or "".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row and self._transposed:
            name, values = self._rowhead, self._row[1:]
            records = self.tables[-1]
            while len(records) < len(values):
                records.append({self._codes[0]: self._codes[len(records) + 1]})
            for record, value in zip(records, values):
                record[name] = value
            self._row = None
        elif tag == "tr" and self._row:
            self.tables[-1].append(dict(zip(self._columns, self._row)))
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


@functools.cache
def tables_of(html: str) -> list[list[dict[str, str]]]:
    """The tables of ``html``, read once per distinct page: the 65 comparisons read each report dozens of
    times, and reading a report's HTML again was most of their time."""
    reader = TableReader()
    reader.feed(html)
    return reader.tables


def html_rows(html: str, key: str, key_value: str) -> list[dict[str, str]]:
    """Every table row of ``html`` whose ``key`` cell reads ``key_value``."""
    return [row for table in tables_of(html) for row in table if row.get(key, "").strip() == key_value]


def cli_record(output: str, key: str, key_value: str) -> dict[str, str]:
    """One record of ``diaspora show`` (printed a record at a time when the table is wider than the
    terminal: a line per column, name then value)."""
    found = [record for record in cli_records(output) if record.get(key) == key_value]
    assert len(found) == 1, (key, key_value, output[:400])
    return found[0]


def cli_records(output: str) -> list[dict[str, str]]:
    """Every record of ``diaspora show``, printed a record at a time."""
    records: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in output.splitlines():
        match = re.match(r"^ (\S+) {2,}(.*?) *$", line)
        if re.match(r"^\d+ / \d+", line):
            current = {}
            records.append(current)
        elif match:
            current[match.group(1)] = match.group(2)
    return records


@pytest.fixture(scope="module")
def reports(tmp_path_factory, case) -> dict[str, str]:
    written = {}
    for language in ("en", "ru", "kk"):
        out = tmp_path_factory.mktemp(f"report-{language}")
        build_report(case, out, language=language)
        written[language] = (out / "report.html").read_text(encoding="utf-8")
    return written


@functools.cache
def show(table: str, language: str) -> str:
    """``diaspora show TABLE --lang L``, run once per table and language (the case is not changed here)."""
    result = CliRunner().invoke(main, ["show", table, "--lang", language])
    assert result.exit_code == 0, result.output
    return result.output


# (table, key column, key value, column, {language: the string every output prints})
VALUES = [
    # a population count: Kazakhs in Uzbekistan (Table 1)
    ("demography", "country", "UZB", "diaspora_population",
     {"en": "821,000", "ru": f"821{NBSP}000", "kk": f"821{NBSP}000"}),
    # a share: their share of Uzbekistan's population, 2.2109...%
    ("demography", "country", "UZB", "diaspora_share_of_total_pct", {"en": "2.21", "ru": "2,21", "kk": "2,21"}),
    # p-values: Tajikistan's change point of immigration (p = 0.3257) and Uzbekistan's net trend (p = 1.4e-05)
    ("flow-summary", "partner", "TJK", "immigration_change_p_value", {"en": "0.326", "ru": "0,326", "kk": "0,326"}),
    ("flow-summary", "partner", "UZB", "net_trend_p_value",
     {"en": f"<{NBSP}0.001", "ru": f"<{NBSP}0,001", "kk": f"<{NBSP}0,001"}),
    # a year: Uzbekistan's immigration peak, never "2,005"
    ("flow-summary", "partner", "UZB", "immigration_peak_year", {"en": "2005", "ru": "2005", "kk": "2005"}),
    # a rate: the Theil-Sen slope of the net flow from all partners, -1,469.1 persons a year
    ("flow-summary", "partner", "ALL", "net_theil_sen_slope",
     {"en": "-1,469", "ru": f"-1{NBSP}469", "kk": f"-1{NBSP}469"}),
    # an interval: the slope's 95% confidence interval, -2,100.8 to -928.6 persons a year, both ends
    ("flow-summary", "partner", "ALL", "net_slope_low", {"en": "-2,101", "ru": f"-2{NBSP}101", "kk": f"-2{NBSP}101"}),
    ("flow-summary", "partner", "ALL", "net_slope_high", {"en": "-929", "ru": "-929", "kk": "-929"}),
    # the year of the largest immigration from all partners, never grouped (the first year, the same 2000
    # in every row, the report's appendix states once above its table)
    ("flow-summary", "partner", "ALL", "immigration_peak_year", {"en": "2005", "ru": "2005", "kk": "2005"}),
    # shares with the digits their counts justify (the audit's examples): Turkmenistan's "around 9,000" of
    # 6,516,100 is 0.138...% known to one digit; Tajikistan's 2,200 of 10,143,540 is 0.0217% known to two
    ("demography", "country", "TKM", "diaspora_share_of_total_pct", {"en": "0.1", "ru": "0,1", "kk": "0,1"}),
    ("demography", "country", "TJK", "diaspora_share_of_total_pct", {"en": "0.022", "ru": "0,022", "kk": "0,022"}),
    # 821,000 of the world's 5 to 7 million: one digit in the estimate, the whole part kept (11.73 -> 12)
    ("demography", "country", "UZB", "share_of_world_diaspora_low_pct", {"en": "12", "ru": "12", "kk": "12"}),
    # a claim's reported value, kept in the data as the study wrote it (20000000), and a computed share
    ("claims", "id", "kaz-population-over-20m", "reported",
     {"en": "20,000,000", "ru": f"20{NBSP}000{NBSP}000", "kk": f"20{NBSP}000{NBSP}000"}),
    ("claims", "id", "tkm-share-of-total", "reported", {"en": "0.14", "ru": "0,14", "kk": "0,14"}),
    # Judged at the stated value's rounding, so written with the digits that rounding needs (docs/statistics.md).
    ("claims", "id", "tkm-share-of-total", "computed", {"en": "0.14", "ru": "0,14", "kk": "0,14"}),
    ("claims", "id", "world-share-high", "computed", {"en": "17.3", "ru": "17,3", "kk": "17,3"}),
    ("claims", "id", "regional-total", "computed", {"en": "867,200", "ru": f"867{NBSP}200", "kk": f"867{NBSP}200"}),
    # derived counts to the place of their inputs: Kyrgyzstan's other groups (total - titular - 35,000) are
    # known to the thousands, Turkmenistan's titular count (0.85 x total) to two digits; Turkmenistan's
    # 6,516,100 against the World Bank's 7,494,498 differs by -978,398, known to the hundreds
    ("demography", "country", "KGZ", "other_population",
     {"en": "1,716,000", "ru": f"1{NBSP}716{NBSP}000", "kk": f"1{NBSP}716{NBSP}000"}),
    ("demography", "country", "TKM", "titular_population",
     {"en": "5,500,000", "ru": f"5{NBSP}500{NBSP}000", "kk": f"5{NBSP}500{NBSP}000"}),
    ("cross-source", "country", "TKM", "difference", {"en": "-978,400", "ru": f"-978{NBSP}400", "kk": f"-978{NBSP}400"}),
]
WEB_PAGES = {"demography": "/", "flow-summary": "/flows", "claims": "/claims", "cross-source": "/definitions"}


@pytest.mark.slow  # the report in three languages and the CLI per table (about 8 s)
@pytest.mark.parametrize("language", ["en", "ru", "kk"])
@pytest.mark.parametrize(("table", "key", "key_value", "column", "expected"), VALUES,
                         ids=[f"{value[0]}-{value[2]}-{value[3]}" for value in VALUES])
def test_cli_web_and_report_print_the_same_string(client, reports, language, table, key, key_value, column,
                                                  expected):
    want = expected[language]
    cli = cli_record(show(table, language), key, key_value)[column]
    html = client.get(WEB_PAGES[table], params={"lang": language}).text
    web = {row[column] for row in html_rows(html, key, key_value) if column in row}
    report = {row[column] for row in html_rows(reports[language], key, key_value) if column in row}
    assert (cli, web, report) == (want, {want}, {want})


FLOW_LABEL = {"en": {"emigration": "emigration", "immigration": "immigration"},
              "ru": {"emigration": "эмиграция", "immigration": "иммиграция"},
              "kk": {"emigration": "эмиграция", "immigration": "иммиграция"}}


@pytest.mark.slow  # the reports in three languages
@pytest.mark.parametrize("language", ["en", "ru", "kk"])
@pytest.mark.parametrize(("partner", "flow", "expected"), [
    # 238 with 153-323 (a half width of 85): known to the tens (Taylor 1997, 2.2), so 240 with 150-320
    ("KGZ", "emigration", {language: ("240", "150", "320") for language in ("en", "ru", "kk")}),
    # 5,898 with 1,447-10,350 (a half width of 4,451): known to the thousands
    ("UZB", "immigration", {"en": ("6,000", "1,000", "10,000"),
                            **{language: (f"6{NBSP}000", f"1{NBSP}000", f"10{NBSP}000") for language in ("ru", "kk")}}),
])
def test_a_forecast_and_its_interval_print_at_the_digits_the_interval_justifies(client, reports, language, partner,
                                                                                flow, expected):
    want = expected[language]
    columns = ("forecast", "lower", "upper")
    # diaspora show keeps the flow's machine name; the page and the report write it in the reader's language
    cli = [tuple(record[column] for column in columns) for record in cli_records(show("flow-forecast", language))
           if (record["partner"], record["flow"], record["year"]) == (partner, flow, "2024")]
    html = client.get("/projections", params={"lang": language}).text
    shown = {"web": html, "report": reports[language]}
    # a page may hold a table twice (as the value test reads it: every row that matches, one string)
    found = {name: {tuple(row[column] for column in columns) for row in html_rows(page, "partner", partner)
                    if row.get("flow") == FLOW_LABEL[language][flow] and row.get("year") == "2024"
                    and "forecast" in row}
             for name, page in shown.items()}
    assert (cli, found["web"], found["report"]) == ([want], {want}, {want})


@pytest.mark.slow  # the reports in three languages
@pytest.mark.parametrize(("language", "world_range", "share_range"), [
    # 867,200 over 5 to 7 million: one significant digit in the estimate, so no tenths of a percent
    ("en", "5,000,000–7,000,000", "12%–17%"),
    ("ru", f"5{NBSP}000{NBSP}000–7{NBSP}000{NBSP}000", f"12{NBSP}%–17{NBSP}%"),
    ("kk", f"5{NBSP}000{NBSP}000–7{NBSP}000{NBSP}000", "12%–17%"),
])
def test_ranges_print_as_ranges_on_the_page_and_in_the_report(client, reports, language, world_range, share_range):
    """The world diaspora estimate (5 to 7 million, IOM 2022) is a range, never its midpoint 6,000,000.
    ``diaspora show`` prints no range: its tables keep the two ends in their own columns."""
    html = client.get("/", params={"lang": language}).text
    cards = re.findall(r'<span class="figure-value">([^<]*)</span>', html)
    figures = re.findall(r'<strong class="figure-value">([^<]*)</strong>', reports[language])
    for shown in (cards, figures):
        assert world_range in shown and share_range in shown
        assert not any("6,000,000" in text or f"6{NBSP}000{NBSP}000" in text for text in shown)


def test_downloads_keep_machine_values(client):
    csv_text = client.get("/flows.csv", params={"table": "flow-summary", "lang": "ru"}).text
    assert "1.4198394305830705e-05" in csv_text and "< 0" not in csv_text
    result = CliRunner().invoke(main, ["show", "demography", "--format", "csv", "--lang", "ru"])
    assert "UZB,2024,37134229,20707383,821000,15605846,2.21" in result.output
    # the digits each share carries are data too, in the downloads; the terminal table writes them instead
    assert result.output.splitlines()[0].endswith(",significant_digits")
    assert ("diaspora_share_of_total_pct=1; diaspora_share_of_others_pct=1; share_of_regional_diaspora_pct=1; "
            "share_of_world_diaspora_low_pct=1; share_of_world_diaspora_high_pct=1") in result.output  # Turkmenistan
    assert "significant_digits" not in show("demography", "ru")


def test_check_writes_claim_numbers_with_the_same_formatter():
    """``diaspora check`` used to print "reported 33.3 (computed 35.161)"; its numbers now go through the
    presentation layer too (the reported value with the study's own digits)."""
    output = CliRunner().invoke(main, ["check"], env={"COLUMNS": "200"}).output
    rows = {line.split()[0]: line.split()[1:5] for line in output.splitlines() if line.strip()}
    assert rows["regional-total"] == ["867,200", "867,200", "0", "confirmed"]
    # 35,000 Kazakhs (two significant digits) of 6,747,323: the share is known to two digits too
    assert rows["kgz-share-of-total"] == ["0.52", "0.52", "-0.0013", "confirmed"]
    # 5 million (one significant digit) over 14,220,289 Kazakhs: 35.16%, known to the whole part only, but
    # written to the tenths the stated 33.3 is judged at, so that the comparison can be read
    assert rows["world-diaspora-vs-kazakhs-low"][:2] == ["33.3", "35.2"]


@pytest.mark.parametrize(("language", "turkmenistan", "tajikistan"), [
    ("en", "0.1", "0.022"), ("ru", "0,1", "0,022"), ("kk", "0,1", "0,022")])
def test_the_shares_chart_tooltip_writes_the_share_as_the_table_does(client, language, turkmenistan, tajikistan):
    import json

    page = client.get("/", params={"lang": language}).text
    marker = '<script type="application/json" id="spec-demography">'
    start = page.index(marker) + len(marker)
    spec = json.loads(page[start:page.index("</script>", start)])
    # the chart names countries in the reader's language; its points are found by their value here
    shares = {"TKM": 100 * 9000 / 6516100, "TJK": 100 * 2200 / 10143540}
    shown = {code: point["percent_text"] for point in spec["data"]["values"] for code, share in shares.items()
             if point["percent"] == pytest.approx(share)}
    table = {code: row["diaspora_share_of_total_pct"] for code in shares for row in html_rows(page, "country", code)
             if "diaspora_share_of_total_pct" in row}
    assert shown == {"TKM": turkmenistan, "TJK": tajikistan} == table
    assert "format" not in json.dumps(spec["encoding"]["tooltip"])


@pytest.mark.parametrize(("path", "block"), [
    ("/flows", "flows"), ("/definitions", "definitions"), ("/projections", "projections"),
    ("/repatriation", "education"), ("/survey", "survey"), ("/", "demography")])
def test_no_chart_tooltip_formats_its_own_numbers(client, path, block):
    """Every numeric tooltip field is a text written by the presentation layer (``*_text``), so a Russian
    page's tooltip reads ``1 673`` as its table does, never d3's ``1,673``."""
    import json

    page = client.get(path, params={"lang": "ru"}).text
    marker = f'<script type="application/json" id="spec-{block}">'
    start = page.index(marker) + len(marker)
    text = page[start:page.index("</script>", start)]
    spec = json.loads(text)
    tooltips = re.findall(r'"tooltip": (\[[^\]]*\])', json.dumps(spec))
    assert tooltips and all('"format"' not in tooltip for tooltip in tooltips)
    assert any("_text" in tooltip for tooltip in tooltips)


# Nine coded press items, three a year (2021-2023), of which one in three touches each code found: a share
# of counted items, exact, so written with the presentation layer's three significant digits (the /coding
# page had rounded it to a whole 33%, the report printed 33.3).
PRESS_ITEMS = ["Repatriation of ethnic families continued under the quotas.",
               "Consular registration of labour migrants moved online.",
               "The weather was mild in the capital."]


@pytest.fixture(scope="module")
def coded_press(tmp_path_factory, case):
    """(data folder, web client on it, report.html per language) with the nine press items imported."""
    from web_helpers import make_client

    from diaspora_observatory.documents.importer import Document
    from diaspora_observatory.documents.ingest import ingest
    from diaspora_observatory.documents.workspace import Workspace
    from diaspora_observatory.web.app import create_app

    data = tmp_path_factory.mktemp("press-data")
    space = Workspace(case, data)
    ingest(space.store, space.codebook, [Document(f"item-{number}", f"Item {number}", "press", str(2021 + number // 3),
                                                  "en", PRESS_ITEMS[number % 3]) for number in range(9)])
    written = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIASPORA_DATA_DIR", str(data))
        for language in ("en", "ru", "kk"):
            out = tmp_path_factory.mktemp(f"press-report-{language}")
            build_report(case, out, language=language)
            written[language] = (out / "report.html").read_text(encoding="utf-8")
    with make_client(create_app(data_dir=data)) as client:
        yield data, client, written


@pytest.mark.slow  # the report in three languages with the documents tables
@pytest.mark.parametrize(("language", "share"), [("en", "33.3"), ("ru", "33,3"), ("kk", "33,3")])
def test_the_press_share_prints_the_same_on_coding_in_the_report_and_the_cli(coded_press, language, share):
    data, client, reports = coded_press
    page = client.get("/coding", params={"lang": language}).text
    # the page names a column by its text, but for the share (data-column); the report by data-column
    web = [row for table in tables_of(page) for row in table if "items_share_pct" in row]
    report = [row for table in tables_of(reports[language]) for row in table if "items_share_pct" in row]
    web_shares = {row["items_share_pct"] for row in web if row[{"en": "Year", "ru": "Год", "kk": "Жыл"}[language]]
                  == "2021"}
    report_shares = {row["items_share_pct"] for row in report if row["year"] == "2021" and row["items_with_code"] != "0"}
    assert (web_shares, report_shares) == ({share}, {share})
    assert len(web) == len([row for row in report if row["items_with_code"] != "0"]) >= 3
    if language == "en":  # `diaspora documents themes` writes English only; its CSV keeps the 0-1 value
        result = CliRunner().invoke(main, ["documents", "themes", "--data-dir", str(data)], env={"COLUMNS": "50"})
        assert result.exit_code == 0, result.output
        cli = {record["items_share_pct"] for record in cli_records(result.output)
               if record["year"] == "2021" and record["items_with_code"] != "0"}
        assert cli == {share}
        csv_text = CliRunner().invoke(main, ["documents", "themes", "--data-dir", str(data), "--format", "csv"]).output
        assert csv_text.splitlines()[0] == "year,code,items_with_code,items,share,passages,source_ids"
        assert ",0.3333333333333333," in csv_text
