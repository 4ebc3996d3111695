"""Disclosure control for published counts: small cells hidden, and enough others hidden with them that
no hidden cell can be worked out from the published totals.

One-way tables (the answers to one question) are published as *groups* of categories
(:func:`merge_groups`): every group holds at least the threshold of respondents; a category under it is
merged with others (adjacent ones on a scale, the smallest ones otherwise) rather than hidden alone, so the
group's count says nothing the item's total would not. Two-way tables (cross-tabulations) keep cells and
use the suppression below, with the margins fixed because the one-way tables publish them anyway.

Primary suppression hides every cell under the threshold (10 respondents by default). Secondary
suppression then hides further cells until no hidden cell is determined by the linear relations the
published table keeps (each row adds up to its total, each column to its total, the totals to the grand
total). Whether a hidden cell is determined is tested exactly, by linear algebra: cell j is recoverable
when its unit vector lies in the row space of the relations restricted to the hidden cells.
"""

from __future__ import annotations

import functools
from functools import partial

import numpy as np
import pandas as pd

from diaspora_observatory.analysis.merge_audit import rule_blind

THRESHOLD = 10
# The lowest threshold a survey may set. It is the design's promise to respondents ("groups under 10
# respondents are suppressed") and the sentence every form's privacy note shows, so a survey may raise it
# (a small or exposed community) but never lower it.
THRESHOLD_FLOOR = 10
TOTAL = "Total"


def scale_merges(size: int) -> list[list[tuple[int, int]]]:
    """The merges a scale of ``size`` points may be published with, finest first, as runs (start, stop):
    every point; below the middle / the middle / above it ("disagree, neutral, agree"); above the middle
    against the rest ("agree vs not"); below the middle against the rest ("disagree vs not"); the top
    point against the rest; the bottom point against the rest; all.

    A fixed list, not a search for the finest cut that works: which cut a search picks depends on the
    hidden counts, and a reader who knows the search can work backwards from its choice (the property
    test found counts (20, 0, 0, 38, 28) pinned exactly that way). From a fixed list the choice tells
    only that each earlier cut had some group under the threshold.
    """
    half = size // 2
    low, middle, high = (0, half), (half, size - half), (size - half, size)
    candidates = [[(index, index + 1) for index in range(size)]]
    if size >= 3:
        candidates.append([low, middle, high] if size % 2 else [low, high])
        candidates.append([(0, high[0]), high])
        candidates.append([low, (low[1], size)])
        candidates.append([(0, size - 1), (size - 1, size)])
        candidates.append([(0, 1), (1, size)])
    candidates.append([(0, size)])
    unique = []
    for runs in candidates:
        runs = [run for run in runs if run[0] < run[1]]
        if runs not in unique:
            unique.append(runs)
    return unique


def _merge_adjacent(values: list[int], threshold: int, attached: int = 0) -> list[tuple[int, int]]:
    """The first of :func:`scale_merges` whose every group adds up to at least ``threshold``, the last run
    counted with ``attached`` (the no-answers that travel with it)."""
    for runs in scale_merges(len(values)):
        if all(sum(values[start:stop]) + (attached if stop == len(values) else 0) >= threshold
               for start, stop in runs):
            return runs
    return [(0, len(values))]


def _merge_rule(values: dict[str, int], threshold: int, ordered: bool, unordered: tuple[str, ...]
                ) -> list[list[str]]:
    """The partition :func:`merge_groups` starts from, before its audit (see there for the rule)."""
    outside = [name for name in unordered if name in values]
    # A zero no-answer stays its own group whatever the layout (it says only that everyone answered).
    apart = [name for name in outside if values[name] == 0]
    if ordered:
        inside = [name for name in values if name not in outside]
        # Fewer than T no-answers travel with the last run and count towards it when a cut is chosen, so
        # that moving respondents between them and the top point changes nothing the rule looks at (a cut
        # chosen on the answers alone told a reader that the run held T without them, and so at most
        # "group minus T" no-answers: 1 when the group held T + 1).
        attached = [name for name in outside if 0 < values[name] < threshold]
        apart += [name for name in outside if values[name] >= threshold]
        numbers = [values[name] for name in inside]
        extra = sum(values[name] for name in attached)
        groups = [inside[start:stop] for start, stop in _merge_adjacent(numbers, threshold, extra)] if inside else []
        if attached:
            if groups:
                groups[-1] = [*groups[-1], *attached]
            else:
                groups.append(attached)
    else:
        # "No answer" is a category like the others: pooled when small, by the same rule.
        inside = [name for name in values if name not in apart]
        small = [name for name in inside if values[name] < threshold]
        rest = sorted((name for name in inside if values[name] >= threshold), key=lambda name: values[name])
        while small and rest and (sum(values[name] for name in small) < threshold or len(small) == 1):
            small.append(rest.pop(0))
        pooled = set(small) if len(small) > 1 or (small and not rest) else set()
        groups = [[name] for name in inside if name not in pooled]
        if pooled:
            groups.append([name for name in inside if name in pooled])
    groups += [[name] for name in apart]

    def small_group(group: list[str]) -> bool:
        held = sum(values[member] for member in group)
        return held < threshold and not (group == [group[0]] and group[0] in outside and held == 0)

    # A scale whose answers are too few to form any group beside a large no-answer: a small group joins
    # its neighbour (by place, not by size: "the smallest" would tell which had been smallest) until none
    # is small.
    while len(groups) > 1 and any(small_group(group) for group in groups):
        first = next(index for index, group in enumerate(groups) if small_group(group))
        other = first + 1 if first + 1 < len(groups) else first - 1
        low, high = min(first, other), max(first, other)
        groups[low:high + 1] = [groups[low] + groups[high]]
    return groups


@functools.lru_cache(maxsize=4096)
def _blind(names: tuple[str, ...], groups: tuple[tuple[str, ...], ...], totals: tuple[int, ...], threshold: int,
           ordered: bool, unordered: tuple[str, ...]) -> bool:
    """The audit of one published merge, kept by what is published (a results page and its chart, JSON
    and cross-tabulations ask for the same ones)."""
    def rule(candidate: dict[str, int]) -> list[list[str]]:
        return _merge_rule(candidate, threshold, ordered, unordered)

    return rule_blind(list(names), [list(group) for group in groups], list(totals), rule, threshold)


def merge_groups(counts: pd.Series, threshold: int = THRESHOLD, *, ordered: bool = False,
                 unordered: tuple[str, ...] = ()) -> list[list[str]]:
    """How to publish one question's counts: a partition of its categories into groups, each holding at
    least ``threshold`` respondents, as fine as the rule allows. A group of one category is that category
    as it is.

    ``ordered`` (a rating or Likert scale): only neighbours merge, in the fixed cuts of
    :func:`scale_merges` ("1-2, 3, 4-5", "agree vs not"), the first whose every group holds ``threshold``.
    Otherwise the categories under the threshold are pooled, and the smallest others join the pool until
    it holds at least ``threshold`` and more than one category (a pool of one would show a small count).
    ``unordered`` names categories outside the order (``no answer``): on a scale, fewer than
    ``threshold`` of them travel with the last run (and count towards it when the cut is chosen); on
    other questions they are a category like the others. A zero no-answer stays its own group (it tells
    only that everyone answered). When the whole total is under the threshold there is one group, and
    the caller shows nothing.

    Then the audit (:func:`~diaspora_observatory.analysis.merge_audit.rule_blind`): the merge is
    published only if, among all counts with the same group totals that the rule would have merged the
    same way, every category of a merged group takes at least two values; otherwise every category is
    published as one group (a zero no-answer apart), which any one-category split of the total would
    also have given, so it pins nothing. The audit reads only the groups and their totals, so that its
    verdict adds nothing to what they publish.

    Example::

        >>> merge_groups(pd.Series({"1": 3, "2": 4, "3": 20, "4": 40}), ordered=True)
        [['1', '2', '3'], ['4']]
    """
    values = {str(key): int(value) for key, value in counts.items()}
    groups = _merge_rule(values, threshold, ordered, unordered)
    totals = tuple(sum(values[name] for name in group) for group in groups)
    if sum(totals) < threshold or _blind(tuple(values), tuple(map(tuple, groups)), totals, threshold, ordered,
                                         unordered):
        return groups
    apart = [name for name in unordered if values.get(name) == 0]
    whole = [name for name in values if name not in apart]
    return [group for group in [whole, *[[name] for name in apart]] if group]


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


def _thin_line(hidden: np.ndarray, values: np.ndarray, threshold: int,
               known: np.ndarray) -> list[tuple[int, int]] | None:
    """The shown cells that may still be hidden in a line whose hidden cells add up to less than the
    threshold, if there is such a line.

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
            shown = [cell for cell in interior if not hidden[cell] and not known[cell]]
            if shown:
                return shown
            return []
    return None


def suppression_pattern(values: np.ndarray, threshold: int = THRESHOLD, known: np.ndarray | None = None
                        ) -> np.ndarray:
    """:func:`suppression_mask` on a table with margins as a plain array (the joint audit runs the rule on
    many candidate tables, and the DataFrame around it cost more than the rule)."""
    known = np.zeros(values.shape, dtype=bool) if known is None else np.asarray(known, dtype=bool)
    hidden = (values < threshold) & ~known
    rows, columns = values.shape
    while True:
        exposed = recoverable(hidden)
        if not exposed.any():
            line = _thin_line(hidden, values, threshold, known)
            if line is None:
                break
            if not line:
                hidden = ~known
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
        candidates = [cell for cells in (lines or [row_cells, column_cells]) for cell in cells
                      if not hidden[cell] and not known[cell]]
        if not candidates:
            candidates = [(int(r), int(c)) for r, c in np.argwhere(~hidden & ~known)]
        if not candidates:  # everything that may be hidden is hidden already
            hidden = ~known
            break

        hidden[min(candidates, key=partial(_cost, exposed_row=row, hidden=hidden, values=values))] = True
    return hidden


def suppression_mask(table: pd.DataFrame, threshold: int = THRESHOLD, known: np.ndarray | None = None
                     ) -> pd.DataFrame:
    """A boolean mask (True = hide) over ``with_margins(table)``: primary and secondary suppression.

    ``known`` marks cells of ``with_margins(table)`` that are public anyway (a cross-tabulation's margins
    are the one-way tables' counts): they are never hidden, and other cells are hidden around them.
    Secondary cells are chosen greedily: for a recoverable hidden cell, hide the smallest still-shown
    cell in its row or column (interior cells before totals), and repeat until none is recoverable and
    every line's hidden cells add up to at least the threshold. When no cell is left to hide, every cell
    that is not known is hidden.
    """
    full = with_margins(table)
    hidden = suppression_pattern(full.to_numpy(dtype=float), threshold, known)
    return pd.DataFrame(hidden, index=full.index, columns=full.columns)


def suppress(table: pd.DataFrame, threshold: int = THRESHOLD, known: np.ndarray | None = None) -> pd.DataFrame:
    """``with_margins(table)`` with hidden cells set to missing (``<NA>``), ready to publish."""
    full = with_margins(table).astype("Int64")
    return full.mask(suppression_mask(table, threshold, known))


def margins_known(table: pd.DataFrame) -> np.ndarray:
    """The ``known`` mask of a cross-tabulation whose row and column totals (and grand total) are
    published elsewhere: the Total row and column of ``with_margins(table)``."""
    known = np.zeros((table.shape[0] + 1, table.shape[1] + 1), dtype=bool)
    known[-1, :] = True
    known[:, -1] = True
    return known
