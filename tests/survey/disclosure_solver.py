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
