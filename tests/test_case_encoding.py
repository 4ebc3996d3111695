"""A resource that is not UTF-8 is named with the line and byte of its first bad byte, however far into the
file it is (the text reader decodes in chunks and its own error position counts from the chunk)."""

from __future__ import annotations

from pathlib import Path

import pytest

from diaspora_observatory import load_case
from diaspora_observatory.case.schema import first_bad_byte

BAD_LINE = 15_000


def write_large_population(case_copy: Path) -> tuple[int, int]:
    """``population.csv`` of the built-in case in its own layout (its header and rows, the year changed
    so that keys stay distinct), grown past 1 MB, with one byte 0xFF in the note of line ``BAD_LINE``.
    Returns the bad byte's offset and the file's size."""
    path = case_copy / "data" / "population.csv"
    header, *rows = path.read_bytes().decode("utf-8").splitlines()
    lines = [header.encode()]
    bad_offset = None
    for number in range(2, BAD_LINE + 2000):
        cells = rows[(number - 2) % len(rows)].split(",")
        cells[1] = str(1000 + number)  # the year: a distinct key per line
        line = ",".join(cells).encode()
        if number == BAD_LINE:
            line += b" caf\xff"  # the note ends with a byte no UTF-8 text holds
            bad_offset = sum(len(previous) + 1 for previous in lines) + len(line) - 1
        lines.append(line)
    data = b"\n".join(lines) + b"\n"
    path.write_bytes(data)
    assert bad_offset is not None and data[bad_offset] == 0xFF
    return bad_offset, len(data)


def test_a_bad_byte_far_into_a_large_resource_is_named_by_its_line_and_byte(case_copy):
    bad_offset, size = write_large_population(case_copy)
    assert size > 1_000_000 and bad_offset > 1_048_576  # past the first chunk of either reader
    issues = [issue for issue in load_case(case_copy).issues if issue.check == "encoding"]
    assert [(issue.resource, issue.row, issue.message) for issue in issues] == [
        ("population", BAD_LINE, f"file data/population.csv is not UTF-8 (byte {bad_offset}, line {BAD_LINE}); "
                                 "save it as CSV UTF-8")]


@pytest.mark.parametrize("chunk_size", [1, 7, 4096, 1 << 20])
def test_the_position_is_the_same_whatever_the_chunks(tmp_path, chunk_size):
    """Cyrillic letters (two bytes each) cut by chunk boundaries, and the bad byte after them."""
    text = "страна,год\n" + "Қазақстан,2024\n" * 300
    data = text.encode() + "ая".encode()[:1] + b",\n"  # a two-byte letter cut short: its first byte alone
    path = tmp_path / "cut.csv"
    path.write_bytes(data)
    assert first_bad_byte(path, chunk_size) == (len(text.encode()), 302)
    (tmp_path / "good.csv").write_bytes(text.encode())
    assert first_bad_byte(tmp_path / "good.csv", chunk_size) is None


def test_a_file_cut_inside_its_last_letter_is_named_at_that_letter(tmp_path):
    path = tmp_path / "end.csv"
    path.write_bytes(b"a,b\n1," + "қ".encode()[:1])
    assert first_bad_byte(path, 3) == (6, 2)
