"""The vectorised check of a table before it is written refuses exactly what the CSV reader would refuse.

Imports are checked with pandas (case/frames.py) because reading half a million rows back cell by cell is
too slow; this property test writes random tables (ints, whole and fractional floats, NaN, infinities,
booleans, numeric and other text, None, huge numbers, duplicated keys) both ways and compares the cells
each flags.
"""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from diaspora_observatory.case.frames import frame_issues, frame_text
from diaspora_observatory.case.schema import read_text
from diaspora_observatory.case.writer import rows_text
from diaspora_observatory.importers.store import resource_entry

ENTRY = resource_entry("population", "census", "generic", "census.csv")
FIELDS = ENTRY["schema"]["fields"]

numbers = st.one_of(st.integers(-10, 3000), st.integers(10**9, 10**31), st.sampled_from([1.5, 2.0, -0.0, 1e30, 2022.0]),
                    st.just(math.nan), st.just(math.inf), st.booleans(), st.none(),
                    st.sampled_from(["12", "2022", " 7", "1.5", "abc", "", "NaN", "+5", "1_000"]))
countries = st.one_of(st.sampled_from(["KGZ", "KAZ", "", "zzz"]), st.none(), st.integers(1, 3))
rows = st.lists(st.fixed_dictionaries({"country": countries, "year": numbers, "population": numbers,
                                       "source_id": st.sampled_from(["s", "", None]), "note": st.none()}),
                min_size=1, max_size=12)


def flagged(issues) -> set[tuple]:
    return {(issue.row, issue.field) for issue in issues}


@settings(max_examples=120, deadline=None)
@given(rows)
# found by the sweep: a row of empty strings and NaN, where pandas' string dtype made a map give strings
@example([{"country": "", "year": math.nan, "population": "", "source_id": "", "note": None}])
def test_the_frame_check_and_the_reader_flag_the_same_cells(records):
    frame = pd.DataFrame(records, columns=[f["name"] for f in FIELDS])
    ours = frame_issues(frame, ENTRY)
    _, reader = read_text(rows_text(FIELDS, records), ENTRY)
    assert flagged(ours) == flagged(reader), (records, [str(i) for i in ours], [str(i) for i in reader])


def test_whole_counts_of_a_column_with_gaps_are_written_without_a_decimal_point():
    frame = pd.DataFrame({"country": ["KGZ", "KAZ"], "year": [2022, 2022], "population": [6747323.0, math.nan],
                          "source_id": ["s", "s"], "note": [None, None]})
    text, issues = frame_text(frame, {**ENTRY, "schema": {**ENTRY["schema"], "fields": [
        {**f, "constraints": {}} if f["name"] == "population" else f for f in FIELDS]}})
    assert issues == []
    assert text == "country,year,population,source_id,note\nKGZ,2022,6747323,s,\nKAZ,2022,,s,\n"
