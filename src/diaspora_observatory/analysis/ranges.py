"""Ranges stay ranges: an estimate has a low and a high end, and so does whatever is computed from it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Range:
    """A closed interval [low, high]; a point estimate has low == high."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError(f"range low {self.low} is above high {self.high}")

    @property
    def is_point(self) -> bool:
        return self.low == self.high

    def share_of(self, whole: Range) -> Range:
        """This quantity as a percentage of ``whole``: smallest over largest to largest over smallest."""
        return Range(100 * self.low / whole.high, 100 * self.high / whole.low)

    def __str__(self) -> str:
        return f"{self.low:g}" if self.is_point else f"{self.low:g}–{self.high:g}"
