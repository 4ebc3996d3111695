"""Disclosure control for published counts: small cells hidden, and enough others hidden with them that
no hidden cell can be worked out from the published totals.

Primary suppression hides every cell under the threshold (10 respondents by default). Secondary
suppression then hides further cells until no hidden cell is determined by the linear relations the
published table keeps (each row adds up to its total, each column to its total, the totals to the grand
total). Whether a hidden cell is determined is tested exactly, by linear algebra: cell j is recoverable
when its unit vector lies in the row space of the relations restricted to the hidden cells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

THRESHOLD = 10
TOTAL = "Total"


def with_margins(table: pd.DataFrame) -> pd.DataFrame:
    """The table with a ``Total`` column and a ``Total`` row (the grand total in the corner)."""
    full = table.copy()
    full[TOTAL] = full.sum(axis=1)
    full.loc[TOTAL] = full.sum(axis=0)
    return full


def _relations(shape: tuple[int, int]) -> np.ndarray:
    """One equation per row and column of a table with margins: its interior cells minus its total = 0."""
    rows, columns = shape
    equations = []
    for row in range(rows):
        equation = np.zeros(rows * columns)
        for column in range(columns - 1):
            equation[row * columns + column] = 1
        equation[row * columns + columns - 1] = -1
        equations.append(equation)
    for column in range(columns):
        equation = np.zeros(rows * columns)
        for row in range(rows - 1):
            equation[row * columns + column] = 1
        equation[(rows - 1) * columns + column] = -1
        equations.append(equation)
    return np.array(equations)


def recoverable(hidden: np.ndarray) -> np.ndarray:
    """Which hidden cells of a table with margins (boolean mask, same shape) the margins' relations
    determine exactly."""
    relations = _relations(hidden.shape)
    flat = hidden.ravel()
    hidden_index = np.flatnonzero(flat)
    result = np.zeros(flat.size, dtype=bool)
    if hidden_index.size == 0:
        return result.reshape(hidden.shape)
    restricted = relations[:, hidden_index]
    rank = np.linalg.matrix_rank(restricted)
    for position, cell in enumerate(hidden_index):
        unit = np.zeros(hidden_index.size)
        unit[position] = 1
        if np.linalg.matrix_rank(np.vstack([restricted, unit])) == rank:
            result[cell] = True
    return result.reshape(hidden.shape)


def _cost(cell: tuple[int, int], exposed_row: int, hidden: np.ndarray, values: np.ndarray) -> tuple[bool, bool, float]:
    """Rank a candidate for secondary suppression: a cell whose crossing line already hides something
    closes a rectangle instead of exposing a new line; interior cells before totals; then the smallest."""
    rows, columns = values.shape
    crossing = hidden[cell[0], :].any() if cell[0] != exposed_row else hidden[:, cell[1]].any()
    return (not crossing, cell[0] == rows - 1 or cell[1] == columns - 1, float(values[cell]))


def _thin_line(hidden: np.ndarray, values: np.ndarray, threshold: int) -> list[tuple[int, int]] | None:
    """The shown cells of a line whose hidden cells add up to less than the threshold, if any.

    Hidden cells that together hold fewer than ``threshold`` respondents still tell a reader that a
    group that small exists (and an all-zero set tells that it does not); hiding one more cell of the
    line makes the hidden sum at least the threshold.
    """
    rows, columns = values.shape
    lines = [[(row, column) for column in range(columns)] for row in range(rows)]
    lines += [[(row, column) for row in range(rows)] for column in range(columns)]
    for line in lines:
        total_cell = line[-1]
        interior = line[:-1]
        hidden_cells = [cell for cell in interior if hidden[cell]]
        if hidden[total_cell] or not hidden_cells:
            continue
        if sum(values[cell] for cell in hidden_cells) < threshold:
            shown = [cell for cell in interior if not hidden[cell]]
            if shown:
                return shown
    return None


def suppression_mask(table: pd.DataFrame, threshold: int = THRESHOLD) -> pd.DataFrame:
    """A boolean mask (True = hide) over ``with_margins(table)``: primary and secondary suppression.

    Secondary cells are chosen greedily: for a recoverable hidden cell, hide the smallest still-shown
    cell in its row or column (interior cells before totals), and repeat until none is recoverable.
    """
    full = with_margins(table)
    values = full.to_numpy(dtype=float)
    hidden = values < threshold
    rows, columns = values.shape
    while True:
        exposed = recoverable(hidden)
        if not exposed.any():
            line = _thin_line(hidden, values, threshold)
            if line is None:
                break
            hidden[min(line, key=lambda cell: (cell[0] == rows - 1 or cell[1] == columns - 1, values[cell]))] = True
            continue
        # Work on an exposed cell that is alone in one of its lines (that line is what gives it away);
        # others are usually exposed only through it.
        choices = [tuple(map(int, cell)) for cell in np.argwhere(exposed)]
        row, column = next((cell for cell in choices if hidden[cell[0], :].sum() == 1 or hidden[:, cell[1]].sum() == 1),
                           choices[0])
        row_cells = [(row, c) for c in range(columns) if c != column]
        column_cells = [(r, column) for r in range(rows) if r != row]
        lines = [cells for cells in (row_cells, column_cells) if not any(hidden[cell] for cell in cells)]
        candidates = [cell for cells in (lines or [row_cells, column_cells]) for cell in cells if not hidden[cell]]
        if not candidates:  # everything around it is hidden already; hide the whole table
            hidden[:] = True
            break

        hidden[min(candidates, key=lambda cell, row=row: _cost(cell, row, hidden, values))] = True
    return pd.DataFrame(hidden, index=full.index, columns=full.columns)


def suppress(table: pd.DataFrame, threshold: int = THRESHOLD) -> pd.DataFrame:
    """``with_margins(table)`` with hidden cells set to missing (``<NA>``), ready to publish."""
    full = with_margins(table).astype("Int64")
    return full.mask(suppression_mask(table, threshold))


def suppress_counts(counts: pd.Series, threshold: int = THRESHOLD) -> pd.Series:
    """One-way version: the counts of one item's categories plus ``Total``, hidden where needed.

    The only relation is that the categories add up to the total, so a single hidden category is
    joined by the smallest shown one; a total under the threshold hides everything.
    """
    values = counts.astype(int)
    total = int(values.sum())
    hidden = values < threshold
    if total < threshold:
        hidden[:] = True
    else:
        # One hidden category would follow from the total; several that add up to fewer than the
        # threshold still reveal a small group: hide the smallest shown ones until neither holds.
        while (~hidden).any() and hidden.any() and (int(hidden.sum()) == 1 or int(values[hidden].sum()) < threshold):
            hidden[values[~hidden].idxmin()] = True
    published = pd.concat([values, pd.Series({TOTAL: total})]).astype("Int64")
    published[hidden.index[hidden]] = pd.NA
    if total < threshold:
        published[TOTAL] = pd.NA
    return published
