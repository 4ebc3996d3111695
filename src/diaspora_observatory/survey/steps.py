"""The form without JavaScript, in steps: a page can only show or hide a question (or filter its
choices) from answers the server has already received, so a step ends wherever a later question's
``relevant`` or ``choice_filter`` depends on an answer given on the same page.

A form whose ``relevant`` expressions refer only to earlier pages (or that has none, like the built-in
questionnaire) is a single step. When a break falls inside a group, the group is closed at the end of
one step and opened again (with its label) at the start of the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from diaspora_observatory.survey.expressions import parse, references
from diaspora_observatory.survey.model import Form, Question

# Fields the HTML form posts beside the answers (survey/web.py reads them): a question with one of these
# names would lose its answer or break every post, so the XLSForm reader refuses them. The step fields
# start with two underscores; every name starting so is kept for the form's own fields.
STEP_FIELD, NAV_FIELD = "__step", "__nav"
CONTROL_FIELDS = frozenset({"submission_id", "lang", STEP_FIELD, NAV_FIELD})
RESERVED_PREFIX = "__"

# Kinds of step items: a row of the form as it is ("row"), a group opened again after a break
# ("reopen", the index of its begin_group row) and a group closed before a break ("close", same index).
ROW, REOPEN, CLOSE = "row", "reopen", "close"


@dataclass
class Step:
    """One page of the form: ``items`` are (kind, index into ``form.questions``)."""

    items: list[tuple[str, int]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # the questions (answers and notes) shown on this page

    def has_content(self) -> bool:
        return bool(self.names)


def _depends_on(question: Question) -> set[str]:
    """The answers a question's ``relevant`` and ``choice_filter`` read: they must come from earlier pages."""
    found = references(parse(question.relevant)) if question.relevant.strip() else set()
    if question.choice_filter.strip():
        # Bare words of a choice filter are choice columns, not answers: parse them as such.
        found |= references(parse(question.choice_filter, columns=_AnyColumn()))
    return found


class _AnyColumn(set):
    """Accepts every word as a choice column (the import has already checked them)."""

    def __contains__(self, item: object) -> bool:
        return True


def plan_steps(form: Form) -> list[Step]:
    """Split ``form`` into pages so that every ``relevant`` refers only to answers of earlier pages."""
    steps: list[Step] = []
    current = Step()
    open_groups: list[int] = []
    for index, question in enumerate(form.questions):
        if question.kind == "end_group":
            current.items.append((ROW, index))
            if open_groups:
                open_groups.pop()
            continue
        if _depends_on(question) & current.names:
            # Groups opened on this page with nothing shown in them yet move whole to the next page.
            while current.items and current.items[-1][0] in (ROW, REOPEN) and \
                    form.questions[current.items[-1][1]].kind == "begin_group":
                current.items.pop()
            current.items += [(CLOSE, group) for group in reversed(open_groups)
                              if (ROW, group) in current.items or (REOPEN, group) in current.items]
            steps.append(current)
            current = Step(items=[(REOPEN, group) for group in open_groups])
        if question.kind == "begin_group":
            open_groups.append(index)
        else:
            current.names.add(question.name)
        current.items.append((ROW, index))
    steps.append(current)
    return [step for step in steps if step.has_content()] or [Step()]


def step_of_question(steps: list[Step]) -> dict[str, int]:
    """The page on which each question is shown."""
    return {name: number for number, step in enumerate(steps) for name in step.names}


def names_before(steps: list[Step], number: int) -> set[str]:
    """The questions of the pages before page ``number``."""
    return {name for step in steps[:number] for name in step.names}
