"""Whether a merge of categories can be undone by a reader who knows the rule that chose it.

A merged group publishes the sum of its categories, and the choice of merge says something more: a rule
that merges "the categories under the threshold" tells a reader that each of them was under it, and one
that tries a fixed list of cuts tells that every earlier cut failed. Together with the group totals that
can leave a single possible value for a hidden category (the property test found the no-answer count of a
pooled group pinned at 1 that way). This is the disclosure risk of the suppression pattern itself, which
the literature treats as part of what an intruder knows (Hundepool et al., *Statistical Disclosure
Control*, Wiley 2012, on primary and secondary cell suppression and the audit of a suppression pattern:
every suppressed cell must keep a feasibility interval of more than one value, computed over all tables
that agree with everything published; here "everything published" includes which merge was made).

:func:`rule_blind` audits one published merge. It works on what is published only — the groups and their
totals, never the true counts — so its verdict is itself a function of the published figures and tells a
reader nothing more: among all count vectors with these group totals that the rule maps to these groups,
every category of every merged group must take at least two values. The check looks for witnesses (count
vectors with the same published figures that the rule would have merged the same way): first a
deterministic search from the extreme and even splits of each group and one-unit moves between members,
then, if that leaves a category with one value and the splits are few enough, every split. It answers
"blind" only when it has found two values for every category; otherwise the caller publishes something
coarser.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Callable, Iterator

Rule = Callable[[dict[str, int]], list[list[str]]]

# Every split of the merged groups is tried only up to this many (beyond it the search's verdict stands):
# at ~20 microseconds a rule evaluation, a tenth of a second at most, and only when the search fails.
EXACT_LIMIT = 5_000
# The search tries at most this many candidate starts, and as many vectors again on its walk.
SEARCH_LIMIT = 2_000


def _compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in _compositions(total - first, parts - 1):
            yield (first, *rest)


def _candidate_splits(total: int, size: int, threshold: int) -> list[tuple[int, ...]]:
    """A few splits of ``total`` over ``size`` members, chosen to satisfy the different conditions a rule
    may test: all on one member (the others empty), even, members filled to just under the threshold
    from either end (every member small, as a pool of small categories), and all but one on one member."""
    splits = []
    for member in range(size):
        splits.append(tuple(total if index == member else 0 for index in range(size)))
    even = [total // size + (1 if index < total % size else 0) for index in range(size)]
    splits.append(tuple(even))
    for order in (range(size), range(size - 1, -1, -1)):
        fill, left = [0] * size, total
        for index in order:
            fill[index] = min(threshold - 1, left)
            left -= fill[index]
        fill[next(iter(order))] += left  # what is left over (a total over size × (T - 1)) on the first
        splits.append(tuple(fill))
    # the bulk on one member and one respondent on another (a rule may treat an empty category apart)
    for member, other in itertools.permutations(range(size), 2):
        if total >= 2:
            splits.append(tuple(total - 1 if index == member else 1 if index == other else 0 for index in range(size)))
    return list(dict.fromkeys(splits))


def rule_blind(names: list[str], groups: list[list[str]], totals: list[int], rule: Rule, threshold: int) -> bool:
    """Whether every category of every merged group of ``groups`` (with published ``totals``) takes at least
    two values over the count vectors that have these totals and that ``rule`` maps to ``groups``.
    ``names`` are the categories in the order the rule reads them.

    Example::

        >>> def pool_small(counts):  # categories under 10 pooled, the others alone
        ...     small = [name for name, count in counts.items() if count < 10]
        ...     return [[name] for name in counts if name not in small] + ([small] if small else [])
        >>> rule_blind(["a", "b", "c"], [["a"], ["b", "c"]], [12, 18], pool_small, 10)  # 9 + 9 only
        False
        >>> rule_blind(["a", "b", "c"], [["a"], ["b", "c"]], [12, 14], pool_small, 10)  # 5 + 9 ... 9 + 5
        True
    """
    merged = [index for index, group in enumerate(groups) if len(group) > 1]
    if not merged:
        return True
    fixed = {group[0]: total for group, total in zip(groups, totals, strict=True) if len(group) == 1}
    seen: dict[str, set[int]] = {name: set() for index in merged for name in groups[index]}

    def counts_of(splits: tuple[tuple[int, ...], ...]) -> dict[str, int]:
        counts = dict(fixed)
        for index, split in zip(merged, splits, strict=True):
            counts.update(zip(groups[index], split, strict=True))
        return {name: counts[name] for name in names}

    def admits(splits: tuple[tuple[int, ...], ...]) -> bool:
        counts = counts_of(splits)
        if rule(counts) != groups:
            return False
        for name in seen:
            seen[name].add(counts[name])
        return True

    def done() -> bool:
        return all(len(values) >= 2 for values in seen.values())

    # Start from the candidate splits the rule admits, then walk: one respondent moved between two members
    # of a merged group (the smallest change a reader cannot see), breadth first over admitted vectors.
    options = [_candidate_splits(totals[index], len(groups[index]), threshold) for index in merged]
    queue: deque[tuple[tuple[int, ...], ...]] = deque()
    visited: set[tuple[tuple[int, ...], ...]] = set()
    tried = 0
    for splits in itertools.product(*options):
        tried += 1
        if admits(splits):
            queue.append(splits)
            visited.add(splits)
            if done():
                return True
        if tried >= SEARCH_LIMIT:
            break
    while queue and tried < 2 * SEARCH_LIMIT and not done():
        splits = queue.popleft()
        for position, split in enumerate(splits):
            for source, target in itertools.permutations(range(len(split)), 2):
                if split[source] == 0:
                    continue
                moved = list(split)
                moved[source] -= 1
                moved[target] += 1
                neighbour = (*splits[:position], tuple(moved), *splits[position + 1:])
                if neighbour in visited:
                    continue
                visited.add(neighbour)
                tried += 1
                if admits(neighbour):
                    queue.append(neighbour)
    if done():
        return True
    size = math.prod(math.comb(totals[index] + len(groups[index]) - 1, len(groups[index]) - 1) for index in merged)
    if size > EXACT_LIMIT:
        return False
    for splits in itertools.product(*[list(_compositions(totals[index], len(groups[index]))) for index in merged]):
        admits(splits)
        if done():
            return True
    return False
