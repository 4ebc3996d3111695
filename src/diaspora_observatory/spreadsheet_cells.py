"""Column letters as a spreadsheet shows them (A, Z, AA, XFD), both ways.

Every error about a workbook or a CSV file names its column the way the user's spreadsheet program
labels it, so the workbook guard, the importers and the XLSForm reader share these two functions instead
of each converting for itself.
"""

from __future__ import annotations


def column_letter(index: int) -> str:
    """The spreadsheet letters of a 0-based column index.

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(16383)
    ('A', 'Z', 'AA', 'XFD')
    """
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_number(letters: str) -> int:
    """The 1-based number of a column's letters: the inverse of :func:`column_letter`, counted from 1.

    >>> column_number("A"), column_number("AA"), column_number("XFD")
    (1, 27, 16384)
    """
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number
