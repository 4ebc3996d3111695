"""The joint audit of published cross-tabulations: can a hidden cell be worked out from everything published
together, by a reader who knows the suppression rule?

One cross-tabulation's suppression (:func:`~diaspora_observatory.analysis.disclosure.suppression_mask`)
makes sure its own totals determine no hidden cell. A reader has more: every cross-tabulation of the same
questions (A by B, A by C, B by C are three two-way views of one three-way table, so a cell shown in one
bounds cells hidden in another) and the rule itself (a table whose greedy suppression would have hidden
other cells is not the true one). This is the audit of a suppression pattern over all published tables
(Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, on the audit of secondary suppression
over linked tables: every suppressed cell must keep a feasibility interval of more than one value).

:func:`audit` takes the published tables of two or three questions and says which hidden cells of one
of them (the focus) take fewer than two values over the non-negative integer tables over all the
questions at once that agree with every shown cell and every margin and whose rule-chosen pattern is
the published one. It reads only what is published (margins, shown cells, patterns), never the true
counts, so its verdict adds nothing to them. How it looks:

* for one table (two questions), when the integer tables agreeing with its published cells number at
  most :data:`EXACT_LIMIT` (and are found within :data:`SEARCH_NODES` steps), every one is listed and
  the rule is run on each (exact);
* otherwise (and always over three questions) the least and greatest value of each hidden cell are
  found by integer programming (``scipy.optimize.milp``), and each such extreme table, and tables
  fixed at further values of the cell nearest to an independent spread of the margins, are kept only
  if the rule would have published them the same way; a cell with fewer than two kept values counts as
  a leak (the audit may then be stricter than needed, never laxer).

The caller publishes a table only when no hidden cell leaks (see :mod:`diaspora_observatory.survey.results`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

# Every integer table is listed (and the rule run on each) up to this many, and only while the listing
# visits at most SEARCH_NODES partial tables (dead ends included); beyond either, integer programming.
EXACT_LIMIT = 4_000
SEARCH_NODES = 20_000
# Further values of a hidden cell tried for a rule-consistent witness when the extremes are not.
WITNESS_TRIES = 4

Rule = Callable[[np.ndarray], np.ndarray]
"""The suppression rule: a table's interior counts in, the hidden mask of its interior out."""


@dataclass(frozen=True)
class Published:
    """One published cross-tabulation of questions ``axes`` (indices into the audit's questions, rows
    first): its interior cells, ``nan`` where hidden; ``rule`` the suppression rule that chose its
    pattern (a reader who knows it keeps only tables it would have suppressed so), None when the table
    is withheld or hidden some other way."""

    axes: tuple[int, int]
    interior: np.ndarray
    rule: Rule | None = None


@dataclass(frozen=True)
class Verdict:
    """The values each hidden interior cell of the focus table was shown to take (at least two means
    protected), and the cells that leak (fewer than two)."""

    values: dict[tuple[int, int], frozenset[int]]
    exact: bool

    @property
    def leaks(self) -> list[tuple[int, int]]:
        return sorted(cell for cell, found in self.values.items() if len(found) < 2)


class _Model:
    """The integer tables over all the questions: one variable per combination of their groups, one
    equation per margin and per shown cell of every table."""

    def __init__(self, margins: list[np.ndarray], tables: list[Published]) -> None:
        self.shape = tuple(len(margin) for margin in margins)
        self.size = int(np.prod(self.shape))
        self.margins, self.tables = margins, tables
        cells = np.arange(self.size).reshape(self.shape)
        rows, targets = [], []
        for axis, margin in enumerate(margins):
            for group, total in enumerate(margin):
                rows.append(np.take(cells, group, axis=axis).ravel())
                targets.append(int(total))
        for table in tables:
            for row, column in zip(*np.nonzero(~np.isnan(table.interior)), strict=True):
                rows.append(self.members(table.axes, (int(row), int(column))))
                targets.append(int(table.interior[row, column]))
        self.equations, self.targets = rows, targets
        matrix = np.zeros((len(rows), self.size))
        for number, members in enumerate(rows):
            matrix[number, members] = 1
        self.matrix = matrix
        self.upper = float(max((int(margin.sum()) for margin in margins), default=0))

    def members(self, axes: tuple[int, int], cell: tuple[int, int]) -> np.ndarray:
        """The variables that add up to ``cell`` of the two-way table on ``axes``."""
        index: list[slice | int] = [slice(None)] * len(self.shape)
        index[axes[0]], index[axes[1]] = cell
        return np.arange(self.size).reshape(self.shape)[tuple(index)].ravel()

    def two_way(self, solution: np.ndarray, axes: tuple[int, int]) -> np.ndarray:
        full = solution.reshape(self.shape)
        others = tuple(axis for axis in range(len(self.shape)) if axis not in axes)
        table = full.sum(axis=others) if others else full
        return table if axes[0] < axes[1] else table.T

    def points(self, limit: int, nodes: int = SEARCH_NODES) -> list[np.ndarray] | None:
        """Every non-negative integer solution, or None when there are more than ``limit`` or listing them
        visits more than ``nodes`` partial solutions."""
        order = list(range(self.size))
        involved = [[number for number, members in enumerate(self.equations) if variable in members]
                    for variable in order]
        last = {}
        for variable in order:
            for number in involved[variable]:
                last[number] = variable
        remaining = list(self.targets)
        values = np.zeros(self.size, dtype=np.int64)
        found: list[np.ndarray] = []
        visited = [0]

        def descend(position: int) -> bool:
            visited[0] += 1
            if visited[0] > nodes:
                return False
            if position == self.size:
                found.append(values.copy())
                return len(found) <= limit
            variable = order[position]
            equations = involved[variable]
            high = min((remaining[number] for number in equations), default=0)
            closing = [number for number in equations if last[number] == variable]
            choices: Iterator[int] | list[int]
            if closing:
                forced = remaining[closing[0]]
                if forced < 0 or forced > high or any(remaining[number] != forced for number in closing):
                    return True
                choices = [forced]
            else:
                choices = iter(range(high + 1))
            for value in choices:
                values[variable] = value
                for number in equations:
                    remaining[number] -= value
                going_on = descend(position + 1)
                for number in equations:
                    remaining[number] += value
                if not going_on:
                    return False
            values[variable] = 0
            return True

        return found if descend(0) and len(found) <= limit and visited[0] <= nodes else None

    def solve(self, objective: np.ndarray, fixed: tuple[np.ndarray, int] | None = None) -> np.ndarray | None:
        """An integer solution minimising ``objective`` (with the variables of ``fixed`` adding up to its
        value), or None when there is none."""
        matrix, targets = self.matrix, np.array(self.targets, dtype=float)
        if fixed is not None:
            row = np.zeros(self.size)
            row[fixed[0]] = 1
            matrix, targets = np.vstack([matrix, row]), np.append(targets, fixed[1])
        result = milp(objective, constraints=[LinearConstraint(matrix, targets, targets)],
                      integrality=np.ones(self.size, dtype=np.int64), bounds=Bounds(0, self.upper))
        if not result.success or result.x is None:
            return None
        return np.rint(result.x).astype(np.int64)

    def near_spread(self, fixed: tuple[np.ndarray, int] | None = None) -> np.ndarray | None:
        """The integer solution (with ``fixed``, if given) nearest, in absolute differences, to the independent
        spread of the margins: an ordinary-looking table, the kind the rule is likeliest to publish as the
        true one was."""
        total = max(self.upper, 1.0)
        spread = np.ones(self.shape)
        for axis, margin in enumerate(self.margins):
            view = [1] * len(self.shape)
            view[axis] = len(margin)
            spread = spread * (np.asarray(margin, dtype=float) / total).reshape(view)
        spread = (spread * total).ravel()
        # variables: x, then d >= |x - spread| (d - x >= -spread, d + x >= spread)
        size = self.size
        base = np.hstack([self.matrix, np.zeros((len(self.targets), size))])
        targets = np.array(self.targets, dtype=float)
        rows = [LinearConstraint(base, targets, targets),
                LinearConstraint(np.hstack([-np.eye(size), np.eye(size)]), -spread, np.inf),
                LinearConstraint(np.hstack([np.eye(size), np.eye(size)]), spread, np.inf)]
        if fixed is not None:
            cell = np.zeros(2 * size)
            cell[fixed[0]] = 1
            rows.append(LinearConstraint(cell, fixed[1], fixed[1]))
        objective = np.hstack([np.zeros(size), np.ones(size)])
        whole = np.hstack([np.ones(size, dtype=np.int64), np.zeros(size, dtype=np.int64)])  # x whole, d not
        result = milp(objective, constraints=rows, integrality=whole,
                      bounds=Bounds(0, np.hstack([np.full(size, self.upper), np.full(size, np.inf)])))
        if not result.success or result.x is None:
            return None
        return np.rint(result.x[:size]).astype(np.int64)


def audit(margins: list[np.ndarray], tables: list[Published], focus: int, exact_limit: int = EXACT_LIMIT) -> Verdict:
    """Which hidden interior cells of ``tables[focus]`` take at least two values over the integer tables on
    all the questions (``margins``: each question's published group counts) that agree with every shown
    cell of ``tables`` and that each table's ``rule`` would have suppressed as published.

    The search stops at two values a cell (all that is asked). Example (one 2 x 2 table, margins 20/20
    and 20/20, every interior cell hidden, nothing else known: each cell may be 0 to 20; then the same
    table with one cell shown, which with the margins gives every other)::

        >>> hidden = np.full((2, 2), np.nan)
        >>> verdict = audit([np.array([20, 20]), np.array([20, 20])], [Published((0, 1), hidden)], 0)
        >>> verdict.leaks, sorted(verdict.values[(0, 0)])
        ([], [0, 1])
        >>> one_shown = np.array([[12, np.nan], [np.nan, np.nan]])
        >>> audit([np.array([20, 20]), np.array([20, 20])], [Published((0, 1), one_shown)], 0).leaks
        [(0, 1), (1, 0), (1, 1)]
    """
    model = _Model(margins, tables)
    target = tables[focus]
    hidden = [(int(row), int(column)) for row, column in zip(*np.nonzero(np.isnan(target.interior)), strict=True)]
    values: dict[tuple[int, int], set[int]] = {cell: set() for cell in hidden}
    if not hidden:
        return Verdict({}, True)
    ruled = [table for table in tables if table.rule is not None]
    patterns = [np.isnan(table.interior) for table in ruled]
    seen: dict[tuple[int, bytes], bool] = {}

    def consistent(solution: np.ndarray) -> bool:
        for number, (table, pattern) in enumerate(zip(ruled, patterns, strict=True)):
            two_way = model.two_way(solution, table.axes)
            key = (number, two_way.tobytes())
            if key not in seen:
                seen[key] = bool(np.array_equal(table.rule(two_way), pattern))  # type: ignore[misc]
            if not seen[key]:
                return False
        return True

    def record(solution: np.ndarray) -> None:
        two_way = model.two_way(solution, target.axes)
        for cell in hidden:
            values[cell].add(int(two_way[cell]))

    # Listing pays on one table (a few hundred tables at most, usually); over three questions the tables
    # are too many and integer programming finds the extremes at once.
    points = model.points(exact_limit) if len(margins) <= 2 else None
    if points is not None:
        for solution in points:
            if any(len(values[cell]) < 2 and int(model.two_way(solution, target.axes)[cell]) not in values[cell]
                   for cell in hidden) and consistent(solution):
                record(solution)
        return Verdict({cell: frozenset(found) for cell, found in values.items()}, True)
    # One solution gives a value to every hidden cell: a cell already seen with two values needs no solve.
    # Witnesses are sought near an ordinary-looking table (the kind the rule publishes as the truth was),
    # from its value of the cell outward; the extremes are kept too when the rule would publish them.
    typical = model.near_spread()
    if typical is not None and consistent(typical):
        record(typical)
    for cell in hidden:
        if len(values[cell]) >= 2:
            continue
        members = model.members(target.axes, cell)
        objective = np.zeros(model.size)
        objective[members] = 1
        extremes = [model.solve(objective), model.solve(-objective)]
        bounds = {int(solution[members].sum()) for solution in extremes if solution is not None}
        if len(bounds) < 2:
            break  # one value even for a reader who does not know the rule: a leak, nothing more to learn
        for extreme in extremes:
            if extreme is not None and consistent(extreme):
                record(extreme)
        centre = int(typical[members].sum()) if typical is not None else min(bounds)
        for value in itertools.islice(_outward(centre, min(bounds), max(bounds)), WITNESS_TRIES + 2):
            if len(values[cell]) >= 2:
                break
            if value in values[cell]:
                continue
            witness = model.near_spread((members, value))
            if witness is not None and consistent(witness):
                record(witness)
        if len(values[cell]) < 2:
            break  # a leak found: the caller withholds the table, the other cells need not be shown
    return Verdict({cell: frozenset(found) for cell, found in values.items()}, False)


def _outward(centre: int, low: int, high: int) -> Iterator[int]:
    """centre + 1, centre - 1, centre + 2, ...: the values of a cell in [low, high] nearest ``centre`` first."""
    for step in range(1, high - low + 1):
        for value in (centre + step, centre - step):
            if low <= value <= high:
                yield value
