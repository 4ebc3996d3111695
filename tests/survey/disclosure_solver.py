"""An attacker's solver for the published survey results: from the published figures alone, every count
vector (or cross-tabulation) consistent with them.

One-way items are small enough to enumerate exhaustively (each published group's count split every way
among its categories, then filtered by the published mean and sd); cross-tabulations are solved as
integer programs (scipy's MILP), minimising and maximising each hidden cell.
"""

from __future__ import annotations

import itertools
import math

import numpy as np


def compositions(total: int, parts: int):
    """Every way to write ``total`` as an ordered sum of ``parts`` non-negative integers."""
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in compositions(total - first, parts - 1):
            yield (first, *rest)


def moments(counts: dict[str, int]) -> tuple[int, float, float]:
    """n, mean and sample sd of the numeric categories in ``counts``."""
    values = [(int(name), count) for name, count in counts.items() if name.lstrip("-").isdigit()]
    n = sum(count for _, count in values)
    if n < 2:
        return n, math.nan, math.nan
    mean = sum(value * count for value, count in values) / n
    variance = sum(count * (value - mean) ** 2 for value, count in values) / (n - 1)
    return n, mean, math.sqrt(variance)


def item_solutions(groups: list[dict], mean_row: dict | None = None, limit: int = 200_000) -> list[dict[str, int]]:
    """Every count vector over the item's categories consistent with its published groups (``categories``
    and ``count``) and, when published, its n, mean and sd (to the precision published)."""
    per_group = []
    for group in groups:
        if group["count"] is None:
            raise ValueError("a hidden group total: nothing to solve against")
        per_group.append([dict(zip(group["categories"], split, strict=True))
                          for split in compositions(group["count"], len(group["categories"]))])
    found = []
    for combination in itertools.product(*per_group):
        counts = {name: count for part in combination for name, count in part.items()}
        if mean_row and mean_row.get("mean") is not None:
            n, mean, sd = moments(counts)
            if n != mean_row["n"] or abs(mean - mean_row["mean"]) > 1e-9 or abs(sd - mean_row["sd"]) > 1e-9:
                continue
        found.append(counts)
        if len(found) >= limit:
            break
    return found


def hidden_cell_ranges(solutions: list[dict[str, int]]) -> dict[str, set[int]]:
    """For each category, the values it takes across the solutions."""
    values: dict[str, set[int]] = {}
    for solution in solutions:
        for name, count in solution.items():
            values.setdefault(name, set()).add(count)
    return values


def crosstab_ranges(cells: list[list[int | None]]) -> dict[tuple[int, int], tuple[int, int]]:
    """For a published cross-tabulation with margins (last row and column; ``None`` = hidden), the least
    and greatest value of each hidden interior cell over all non-negative integer tables that agree with
    every shown cell and margin."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    table = np.array([[math.nan if value is None else value for value in row] for row in cells], dtype=float)
    rows, columns = table.shape[0] - 1, table.shape[1] - 1
    hidden = [(r, c) for r in range(rows) for c in range(columns) if math.isnan(table[r, c])]
    if not hidden:
        return {}
    index = {cell: position for position, cell in enumerate(hidden)}
    equations, targets = [], []
    for line in [[(r, c) for c in range(columns)] for r in range(rows)] + \
                [[(r, c) for r in range(rows)] for c in range(columns)]:
        total_cell = (line[0][0], columns) if line[0][0] == line[-1][0] else (rows, line[0][1])
        total = table[total_cell]
        if math.isnan(total):
            continue
        coefficients = np.zeros(len(hidden))
        shown = 0.0
        for cell in line:
            if cell in index:
                coefficients[index[cell]] = 1
            else:
                shown += table[cell]
        if coefficients.any():
            equations.append(coefficients)
            targets.append(total - shown)
    constraint = LinearConstraint(np.array(equations), targets, targets)
    upper = float(np.nanmax(table))
    ranges = {}
    for cell, position in index.items():
        extremes = []
        for sign in (1, -1):
            objective = np.zeros(len(hidden))
            objective[position] = sign
            result = milp(objective, constraints=[constraint], integrality=np.ones(len(hidden)),
                          bounds=Bounds(0, upper))
            assert result.success, result.message
            extremes.append(round(result.x[position]))
        ranges[cell] = (min(extremes), max(extremes))
    return ranges


def joint_ranges(margins: list[list[int]], tables: dict[tuple[int, int], list[list[int | None]]],
                 focus: tuple[int, int]) -> dict[tuple[int, int], tuple[int, int]]:
    """The least and greatest value of each hidden interior cell of ``tables[focus]`` over all
    non-negative integer tables on every question at once (one variable per combination of their groups)
    whose one-way margins are ``margins`` and whose two-way tables agree with every shown cell of
    ``tables`` (keyed by the two questions' positions, rows first; ``None`` = hidden). A reader who does
    not know the suppression rule, with every published table in hand."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    shape = tuple(len(margin) for margin in margins)
    combos = list(itertools.product(*[range(size) for size in shape]))
    equations, targets = [], []
    for axis, margin in enumerate(margins):
        for group, total in enumerate(margin):
            equations.append([1.0 if combo[axis] == group else 0.0 for combo in combos])
            targets.append(total)
    for (first, second), cells in tables.items():
        for row, values in enumerate(cells):
            for column, value in enumerate(values):
                if value is not None:
                    equations.append([1.0 if combo[first] == row and combo[second] == column else 0.0
                                      for combo in combos])
                    targets.append(value)
    constraint = LinearConstraint(np.array(equations), targets, targets)
    first, second = focus
    ranges = {}
    for row, values in enumerate(tables[focus]):
        for column, value in enumerate(values):
            if value is not None:
                continue
            objective = np.array([1.0 if combo[first] == row and combo[second] == column else 0.0 for combo in combos])
            extremes = []
            for sign in (1, -1):
                result = milp(sign * objective, constraints=[constraint], integrality=np.ones(len(combos)),
                              bounds=Bounds(0, sum(margins[0])))
                assert result.success, result.message
                extremes.append(round(float(objective @ result.x)))
            ranges[(row, column)] = (min(extremes), max(extremes))
    return ranges


def rule_aware_values(cells: list[list[int | None]], rule, limit: int = 200_000) -> dict[tuple[int, int], set[int]]:
    """For one published cross-tabulation with margins (last row and column, ``None`` = hidden), the values
    each hidden interior cell takes over every non-negative integer table that agrees with the shown
    cells and margins and that ``rule`` (interior counts in, interior hidden mask out) would have
    suppressed exactly as published: a reader who knows the rule. Every such table is listed, row by row
    (each row a split of its hidden total over its hidden cells)."""
    interior = [row[:-1] for row in cells[:-1]]
    row_totals = [row[-1] for row in cells[:-1]]
    column_totals = cells[-1][:-1]
    pattern = np.array([[value is None for value in row] for row in interior])
    per_row = []
    for row, total in zip(interior, row_totals, strict=True):
        hidden = [index for index, value in enumerate(row) if value is None]
        left = total - sum(value for value in row if value is not None)
        per_row.append([(hidden, split) for split in compositions(left, len(hidden))] if hidden else [([], ())])
    found: dict[tuple[int, int], set[int]] = {(r, c): set() for r, c in zip(*np.nonzero(pattern), strict=True)}
    tried = 0
    for choice in itertools.product(*per_row):
        tried += 1
        assert tried <= limit, "too many tables to list"
        table = np.array([[value if value is not None else 0 for value in row] for row in interior], dtype=np.int64)
        for row, (hidden, split) in enumerate(choice):
            table[row, hidden] = split
        if table.sum(axis=0).tolist() != column_totals or not np.array_equal(rule(table), pattern):
            continue
        for cell in found:
            found[cell].add(int(table[cell]))
    return {(int(r), int(c)): values for (r, c), values in found.items()}
