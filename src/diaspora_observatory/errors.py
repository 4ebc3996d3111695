"""Named errors. Each says what is wrong and how to fix it; adapters turn them into messages."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


class DiasporaError(Exception):
    """Base of every error the observatory raises on purpose.

    ``hint`` tells the user how to fix the problem; the CLI prints it, the web app shows it.
    """

    hint: str = ""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        if hint:
            self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}{'; ' + self.hint if self.hint else ''}"


class CaseNotFound(DiasporaError):
    """No case folder with that name or path."""


class CaseInvalid(DiasporaError):
    """The case's data package has data errors; ``issues`` lists them."""

    def __init__(self, message: str, issues: list[DataIssue], hint: str = "") -> None:
        super().__init__(message, hint or "run `diaspora check` to see every error")
        self.issues = issues


class UnknownCountry(DiasporaError):
    """A country code that is not ISO 3166-1 alpha-3 (or that no mapping knows)."""


class UnknownTable(DiasporaError):
    """A table name the CLI or web app does not offer."""


@dataclass(frozen=True)
class DataIssue:
    """One structured data error: which check found it, where, and what is wrong.

    ``row`` is the line number in the CSV file (the header is row 1), so it matches a spreadsheet.
    ``severity`` is ``error`` (the data is wrong: ``diaspora check`` fails) or ``warning`` (a finding
    to show, such as two sources disagreeing beyond a tolerance).
    """

    check: str
    resource: str
    row: int | None
    field: str | None
    message: str
    path: str = ""
    severity: str = "error"
    # The message's shape and the values it was written with, so that a page can write it in its reader's
    # language (web/issues.py); "" for a message written whole. Not part of the machine output.
    template: str = dataclasses.field(default="", compare=False)
    values: tuple[tuple[str, object], ...] = dataclasses.field(default=(), compare=False)

    @classmethod
    def shaped(cls, check: str, resource: str, row: int | None, field_name: str | None, template: str,
               values: dict[str, object], path: str = "", severity: str = "error") -> DataIssue:
        """An issue whose message is ``template`` (a ``str.format`` pattern) filled with ``values``."""
        return cls(check, resource, row, field_name, template.format(**values), path, severity, template,
                   tuple(values.items()))

    def as_dict(self) -> dict:
        return {"check": self.check, "resource": self.resource, "row": self.row, "field": self.field,
                "message": self.message, "path": self.path, "severity": self.severity}

    def __str__(self) -> str:
        where = self.path or self.resource
        if self.row is not None:
            where += f" row {self.row}"
        if self.field:
            where += f", field {self.field}"
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{prefix}[{self.check}] {where}: {self.message}"
