"""Flows from stocks by demographic accounting (Abel 2013; Abel & Sander 2014), and `diaspora estimate flows`."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from diaspora_observatory.analysis.accounting import AccountingError, demographic_accounting, flows_from_stocks
from diaspora_observatory.cli import main

PLACES = list("ABCD")
# The four-region worked example of Abel (2013, Demographic Research 28:18) and Abel & Sander (2014,
# Science 343:1520): rows are places of birth, columns places of residence; the numbers as the example
# in migest's documentation of ffs_demo reprints them ("data as in demographic research and science paper").
START = [1000, 100, 10, 0, 55, 555, 50, 5, 80, 40, 800, 40, 20, 25, 20, 200]
END = [950, 100, 60, 0, 80, 505, 75, 5, 90, 30, 800, 40, 40, 45, 0, 180]


def long(values, places=PLACES) -> pd.DataFrame:
    size = len(places)
    return pd.DataFrame([(b, r, values[size * i + j]) for i, b in enumerate(places) for j, r in enumerate(places)],
                        columns=["birthplace", "residence", "stock"])


def as_dict(frame: pd.DataFrame, keys=("origin", "destination")) -> dict:
    return {tuple(row[k] for k in keys): row["flow"] for row in frame.to_dict("records")}


def test_the_worked_example_of_the_papers():
    # Hand-computed: in each birthplace as many stay as both tables allow (the smaller stock of each
    # residence); born in A, 50 more live in C at the end and 50 fewer in A: 50 moved from A to C. Born
    # in B: 50 left B, 25 arrived in A and 25 in C. Born in C: 10 left B for A. Born in D: 20 left C and
    # 20 left D, 20 arrived in A and 20 in B, shared evenly (uniform seed): 10 on each of the four moves.
    estimate = demographic_accounting(long(START), long(END))
    assert as_dict(estimate.flows) == {("A", "C"): 50, ("B", "A"): 35, ("B", "C"): 25, ("C", "A"): 10,
                                       ("C", "B"): 10, ("D", "A"): 10, ("D", "B"): 10}
    assert as_dict(estimate.by_birthplace, ("birthplace", "origin", "destination")) == {
        ("A", "A", "C"): 50, ("B", "B", "A"): 25, ("B", "B", "C"): 25, ("C", "B", "A"): 10,
        ("D", "C", "A"): 10, ("D", "C", "B"): 10, ("D", "D", "A"): 10, ("D", "D", "B"): 10}
    assert estimate.rescaled == {}
    assert "the fewest moves consistent with both tables" in estimate.assumptions[0]


stock_tables = st.integers(2, 5).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.integers(0, 500), min_size=n * n, max_size=n * n),
    st.lists(st.integers(1, 10), min_size=n * n, max_size=n * n)))


@settings(max_examples=60, deadline=None)
@given(stock_tables)
def test_flows_fit_both_tables_with_the_fewest_moves(tables):
    size, start_values, weights = tables
    places = [f"P{n}" for n in range(size)]
    start = np.array(start_values, dtype=float).reshape(size, size)
    # an end table with the same birthplace totals: each birthplace's people spread by other weights
    shares = np.array(weights, dtype=float).reshape(size, size)
    end = shares / shares.sum(axis=1, keepdims=True) * start.sum(axis=1, keepdims=True)
    estimate = demographic_accounting(long(list(start.ravel()), places), long(list(end.ravel()), places))
    moves = np.zeros((size, size, size))
    for row in estimate.by_birthplace.itertuples(index=False):
        moves[places.index(row.birthplace), places.index(row.origin), places.index(row.destination)] = row.flow
    stay = np.minimum(start, end)
    assert np.allclose(stay + moves.sum(axis=2), start, atol=1e-6)  # everyone at the start is somewhere at the end
    assert np.allclose(stay + moves.sum(axis=1), end, atol=1e-6)
    assert np.isclose(moves.sum(), (start - stay).sum(), atol=1e-6)  # no more moves than the tables need
    # with a uniform seed the movers of a birthplace spread as in independence: leavers x arrivals / total
    for b in range(size):
        leavers, arrivals = start[b] - stay[b], end[b] - stay[b]
        if leavers.sum() > 1e-9:
            assert np.allclose(moves[b], np.outer(leavers, arrivals) / leavers.sum(), atol=1e-6)


def test_births_and_deaths_are_taken_out_before_moves():
    # Two places. Born in X: 100 live in X and 0 in Y at the start; 10 of X's residents die, 30 children
    # are born in X; at the end 100 born in X live in X and 20 in Y. Without births: 70 born in X live
    # in X; without the dead: 90 were there to move. So 70 stayed and 20 moved to Y.
    start = pd.DataFrame([("X", "X", 100), ("X", "Y", 0), ("Y", "Y", 50)], columns=["birthplace", "residence", "stock"])
    end = pd.DataFrame([("X", "X", 100), ("X", "Y", 20), ("Y", "Y", 50)], columns=["birthplace", "residence", "stock"])
    estimate = demographic_accounting(start, end, births=pd.Series({"X": 30.0}), deaths=pd.Series({"X": 10.0}))
    assert as_dict(estimate.flows) == {("X", "Y"): pytest.approx(20)}
    assert estimate.rescaled == {}
    assert any("born during the period" in text for text in estimate.assumptions)


def test_totals_that_differ_are_rescaled_and_said():
    start = pd.DataFrame([("X", "X", 100), ("X", "Y", 0)], columns=["birthplace", "residence", "stock"])
    end = pd.DataFrame([("X", "X", 90), ("X", "Y", 30)], columns=["birthplace", "residence", "stock"])
    estimate = demographic_accounting(start, end)
    assert estimate.rescaled == {"X": pytest.approx(100 / 120)}
    assert as_dict(estimate.flows) == {("X", "Y"): pytest.approx(25)}
    assert any("rescaled to the start total" in text for text in estimate.assumptions)


def test_more_births_than_natives_is_refused():
    start = pd.DataFrame([("X", "X", 100)], columns=["birthplace", "residence", "stock"])
    end = pd.DataFrame([("X", "X", 100)], columns=["birthplace", "residence", "stock"])
    with pytest.raises(AccountingError) as raised:
        demographic_accounting(start, end, births=pd.Series({"X": 150.0}))
    assert raised.value.message == "births in X (150) exceed the end stock of people born and living there (100)"


def test_differencing_through_the_same_door():
    result = flows_from_stocks("differencing", long(START), long(END), negatives="returns")
    flows = as_dict(result.by_birthplace, ("birthplace", "origin", "destination"))
    assert flows[("A", "A", "C")] == 50 and flows[("B", "B", "A")] == 25  # born in B living in A: 55 -> 80
    assert flows[("D", "C", "D")] == 20  # born in D living in C: 20 -> 0, read as 20 going back
    assert result.method == "stock differencing, negatives reversed as returns"


@pytest.fixture
def stock_files(tmp_path):
    paths = []
    for name, values in (("start.csv", START), ("end.csv", END)):
        path = tmp_path / name
        long(values).to_csv(path, index=False)
        paths.append(path)
    return paths


def test_estimate_command_prints_the_flows_and_the_method(stock_files):
    start, end = stock_files
    result = CliRunner().invoke(main, ["estimate", "flows", "--stock-start", str(start), "--stock-end", str(end),
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["method"].startswith("demographic accounting (Abel 2013; Abel & Sander 2014)")
    assert {(r["origin"], r["destination"]): r["flow"] for r in payload["flows"]}[("A", "C")] == 50
    assert result.stderr.startswith("Method: demographic accounting")
    csv_result = CliRunner().invoke(main, ["estimate", "flows", "--stock-start", str(start), "--stock-end", str(end),
                                           "--format", "csv", "--by-birthplace"])
    assert csv_result.stdout.splitlines()[0] == "birthplace,origin,destination,flow"


def test_a_bad_stock_file_names_its_row_and_column(stock_files, tmp_path):
    start, _end = stock_files
    broken = tmp_path / "broken.csv"
    broken.write_text("birthplace,residence,stock\nA,B,12 500\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["estimate", "flows", "--stock-start", str(start), "--stock-end", str(broken)])
    assert result.exit_code == 2
    assert "Error: broken.csv, row 2, column stock: '12 500' is not a number" in result.output
    headless = tmp_path / "headless.csv"
    headless.write_text("from,to,people\nA,B,1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["estimate", "flows", "--stock-start", str(headless), "--stock-end", str(start)])
    assert "Error: headless.csv, row 1: lacks the column(s) birthplace, residence, stock" in result.output


# The hypothetical example of Abel & Cohen (2019, "Bilateral international migration flow estimates for 200
# countries", Scientific Data 6:82, doi:10.1038/s41597-019-0089-3), Table 4: birthplace-specific flows under a
# quasi-independence model with the most stayers on the diagonal, printed to one decimal. The stock tables are
# the table's row sums (residence at t) and column sums (residence at t + 1) for each birthplace. Born in D, the
# stock living in D is not in the copy of the table read here (its last row was cut off); it is set to 100
# below, which changes no printed cell: D receives movers born in D in the printed rows, so under the
# most-stayers rule none of those living in D left it, whatever their number.
PRINTED = {  # birthplace: rows of origin A-D, columns of destination A-D
    "A": [[95, 0, 2.5, 2.5], [0, 5, 2.5, 2.5], [0, 0, 10, 0], [0, 0, 0, 0]],
    "B": [[75, 5, 0, 0], [0, 180, 0, 0], [0, 5, 5, 0], [0, 35, 0, 55]],
    "C": [[30, 0, 0, 0], [7.1, 0, 0, 2.9], [17.9, 0, 115, 7.1], [0, 0, 0, 40]],
    "D": [[35, 0, 5.4, 19.6], [0, 25, 9.6, 35.4], [0, 0, 10, 0], [0, 0, 0, 100]],
}


def test_the_printed_table_of_abel_and_cohen_2019_cell_by_cell():
    start = [sum(row) for birthplace in PLACES for row in PRINTED[birthplace]]
    end = [sum(PRINTED[birthplace][i][j] for i in range(4)) for birthplace in PLACES for j in range(4)]
    estimate = demographic_accounting(long(start), long(end))
    moves = as_dict(estimate.by_birthplace, ("birthplace", "origin", "destination"))
    for birthplace in PLACES:
        for i, origin in enumerate(PLACES):
            for j, destination in enumerate(PLACES):
                printed = PRINTED[birthplace][i][j]
                if origin == destination:  # the stayers: the smaller of the two stocks
                    stayed = min(start[PLACES.index(birthplace) * 4 + i], end[PLACES.index(birthplace) * 4 + j])
                    assert stayed == printed, (birthplace, origin)
                    continue
                assert round(moves.get((birthplace, origin, destination), 0.0), 1) == printed, (
                    birthplace, origin, destination)
    assert estimate.rescaled == {}
