"""The import contract: what every importer says about a file it read.

An importer (migration data, survey responses, documents, codebooks) fills one ``ImportReport`` while it
reads: how many records it read, how many it keeps, how many it skipped and why, which columns matched
nothing, and notices about anything it left out on purpose. The CLI and the web app print ``render()``;
``require_matches()`` is the rule that nothing is stored when nothing matched. The report is plain data
(no pandas, no click) so that any importer can use it.

>>> report = ImportReport("stock.csv", unit="rows")
>>> report.read, report.stored = 3, 2
>>> report.skip("missing value ('..')")
>>> print(report.render())
stock.csv: 3 rows read, 2 stored, 1 skipped
  skipped 1: missing value ('..')
"""

from __future__ import annotations

from dataclasses import dataclass, field

from diaspora_observatory.importers.errors import NothingMatched


@dataclass
class ImportReport:
    """What an import read, kept and left out, and why.

    ``read`` counts the records read from the file (data rows, submissions, documents); ``stored`` the
    records (or values) kept; ``skipped`` maps a reason to how many were left out for it;
    ``unmatched_columns`` names the file's columns that matched no field or question; ``notices`` are
    sentences for the user (an extra column ignored, a code read as a region). ``unit`` names what is
    counted, for the rendered text.
    """

    file: str
    unit: str = "rows"
    read: int = 0
    stored: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    unmatched_columns: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def skip(self, reason: str, count: int = 1) -> None:
        """Count ``count`` records left out for ``reason`` (a short phrase, the same for every such record)."""
        if count:
            self.skipped[reason] = self.skipped.get(reason, 0) + count

    def notice(self, text: str) -> None:
        if text not in self.notices:
            self.notices.append(text)

    def unmatched(self, column: str) -> None:
        if column not in self.unmatched_columns:
            self.unmatched_columns.append(column)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def require_matches(self, hint: str = "") -> None:
        """Refuse (NothingMatched) an import that would store nothing, naming what did not match."""
        if self.stored:
            return
        unmatched = (f"; columns that matched nothing: {', '.join(repr(c) for c in self.unmatched_columns)}"
                     if self.unmatched_columns else "")
        reasons = (f"; skipped: {', '.join(f'{n:,} {reason}' for reason, n in self.skipped.items())}"
                   if self.skipped else "")
        raise NothingMatched(f"{self.file}: nothing to store: {self.read:,} {self.unit} read, none matched"
                             f"{reasons}{unmatched}", hint or "check that the file is the one this command "
                             "reads; nothing was stored")

    def as_dict(self) -> dict:
        """The report as JSON-ready data (for a provenance sidecar or a JSON API answer)."""
        return {"file": self.file, "unit": self.unit, "read": self.read, "stored": self.stored,
                "skipped": dict(self.skipped), "unmatched_columns": list(self.unmatched_columns),
                "notices": list(self.notices)}

    def render(self) -> str:
        """A few lines for the terminal: the counts, then each reason for skipping, column and notice."""
        lines = [f"{self.file}: {self.read:,} {self.unit} read, {self.stored:,} stored, "
                 f"{self.skipped_total:,} skipped"]
        lines += [f"  skipped {count:,}: {reason}" for reason, count in self.skipped.items()]
        if self.unmatched_columns:
            lines.append(f"  columns that matched nothing (ignored): "
                         f"{', '.join(repr(c) for c in self.unmatched_columns)}")
        lines += [f"  note: {text}" for text in self.notices]
        return "\n".join(lines)
