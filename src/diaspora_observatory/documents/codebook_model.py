"""The codebook as data: codes with a parent, a description and search patterns per language, and the
rules every codebook keeps (plain identifiers, each defined once, parents that are codes, languages the
observatory knows).

Every reader of a codebook file builds one of these: ``codebook.py`` (YAML, CSV, and the choice of
reader) and ``qdc.py`` (REFI-QDA), which both import this module, so neither imports the other back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from diaspora_observatory.errors import DiasporaError
from diaspora_observatory.languages import CODES

LANGUAGES = CODES  # patterns per interface language (languages.py)


class CodebookInvalid(DiasporaError):
    """A codebook file that cannot be read or that breaks its rules."""


@dataclass(frozen=True)
class Code:
    """One code: ``parent`` is another code's name or empty for a top-level group."""

    code: str
    parent: str
    description: str
    patterns: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Codebook:
    """``origin`` says where it was read from when that matters to the user (``REFI-QDA`` for a .qdc)."""

    name: str
    title: str
    codes: tuple[Code, ...]
    origin: str = ""

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def names(self) -> list[str]:
        return [c.code for c in self.codes]

    @property
    def leaves(self) -> list[str]:
        """Codes that are no other code's parent: the codes coverage and gaps are computed on."""
        parents = {c.parent for c in self.codes}
        return [c.code for c in self.codes if c.code not in parents]

    def get(self, name: str) -> Code:
        for code in self.codes:
            if code.code == name:
                return code
        raise UnknownCode(f"no code named {name!r} in codebook {self.name!r}",
                          f"choose one of {', '.join(self.names)}")

    @property
    def pattern_languages(self) -> list[str]:
        """The languages at least one code has patterns for: the languages automatic coding can code."""
        return [lang for lang in LANGUAGES if any(c.patterns.get(lang) for c in self.codes)]

    def children(self, name: str) -> list[str]:
        return [c.code for c in self.codes if c.parent == name]

    def table(self):
        """The codebook as a DataFrame: code, parent, description, one patterns column per language."""
        import pandas as pd

        return pd.DataFrame([{"code": c.code, "parent": c.parent, "description": c.description,
                              **{f"patterns_{lang}": "; ".join(c.patterns.get(lang, ())) for lang in LANGUAGES}}
                             for c in self.codes])


class UnknownCode(DiasporaError):
    """A code name the codebook does not define."""


def _validate(book: Codebook) -> None:
    seen: set[str] = set()
    for code in book.codes:
        if not code.code or not code.code.replace("_", "").replace("-", "").isalnum():
            raise CodebookInvalid(f"codebook {book.name!r}: code name {code.code!r} is not a plain identifier",
                                  "use letters, digits, '_' or '-' only")
        if code.code in seen:
            raise CodebookInvalid(f"codebook {book.name!r}: code {code.code!r} is defined twice",
                                  "give every code a unique name")
        seen.add(code.code)
        unknown = set(code.patterns) - set(LANGUAGES)
        if unknown:
            raise CodebookInvalid(f"codebook {book.name!r}, code {code.code!r}: unknown language(s) "
                                  f"{', '.join(sorted(unknown))}",
                                  f"patterns are given per language: {', '.join(LANGUAGES)}")
    for code in book.codes:
        if code.parent and code.parent not in seen:
            raise CodebookInvalid(f"codebook {book.name!r}, code {code.code!r}: parent {code.parent!r} is not a code",
                                  "define the parent code too, or leave parent empty")
