"""Errors of the survey subsystem; each names where the problem is and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass

from diaspora_observatory.errors import DiasporaError


@dataclass(frozen=True)
class FormIssue:
    """One problem in an XLSForm: the sheet, the spreadsheet row (header = 1), the column header."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"sheet '{self.sheet}'"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class XLSFormError(DiasporaError):
    """An XLSForm that cannot be read or that uses a feature the observatory does not support."""

    def __init__(self, path: str, issues: list[FormIssue], hint: str = "") -> None:
        shown = "; ".join(str(issue) for issue in issues[:5])
        more = (f" (and {len(issues) - 5} more: `diaspora survey check --all {path}` lists them all)"
                if len(issues) > 5 else "")
        super().__init__(f"{path}: {shown}{more}",
                         hint or "fix the cells named above in the spreadsheet and import it again; "
                                 "docs/survey.md lists the supported XLSForm subset")
        self.path = path
        self.issues = issues


class ExpressionError(DiasporaError):
    """An XLSForm expression outside the supported subset (the caller adds sheet, row and column)."""


class SurveyNotFound(DiasporaError):
    """No survey with that slug in the database."""


class SurveyClosed(DiasporaError):
    """The survey no longer accepts answers."""


class SubmissionConflict(DiasporaError):
    """A submission id that was already stored with different answers."""


class SubmissionInvalid(DiasporaError):
    """Answers that break the form's rules; ``problems`` maps a field name to its problems."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.text()}" for p in problems),
                         "correct the answers named and send them again")
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    """One invalid answer: the field, an English message template (translated by the web layer) and
    its parameters."""

    field: str
    template: str
    params: tuple[tuple[str, str], ...] = ()

    def text(self, translate=lambda message: message) -> str:
        return translate(self.template).format(**dict(self.params))


class ResponsesImportError(DiasporaError):
    """A KoboToolbox/ODK or LimeSurvey export that does not match the survey's form."""


class AdminTokenInvalid(DiasporaError):
    """An admin action without the right token."""


class StorageUnavailable(DiasporaError):
    """The survey database cannot be opened: an unsupported or malformed URL, or a server that does not
    answer."""


class PublicationInvalid(DiasporaError):
    """A disclosure threshold below the floor, or an unknown way of publishing results."""
