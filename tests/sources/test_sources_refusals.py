"""Values no count can take are refused by each importer before the store sees them (issue 12 item 4).

The store checks what reaches it (tests/test_case_door.py); a value an importer has already converted
(Excel TRUE to 1, 1.5 to 2) looks like a count by then, so the importers must refuse it themselves.
"""

from __future__ import annotations

import pytest
from sources_files import HEADER_2024, ROWS_2024, YEARS_2024, table1_rows, write_workbook

from diaspora_observatory.importers.errors import MalformedSource


def workbook_with(tmp_path, value):
    rows = [list(r) for r in ROWS_2024]
    rows[3] = ("Uzbekistan", 860, "B R", "Kazakhstan", 398, [value, 35000, 30000, 25000, 20000, 16000, 14000, 13013])
    return write_workbook(tmp_path / "undesa.xlsx", table1_rows(HEADER_2024, YEARS_2024, rows))


@pytest.mark.parametrize("value", [True, 1.5])
def test_undesa_workbook_refuses_a_boolean_or_a_fraction_of_a_person(tmp_path, value):
    from diaspora_observatory.importers.undesa import read_undesa

    with pytest.raises(MalformedSource, match="row 15, column H"):
        read_undesa(workbook_with(tmp_path, value))
