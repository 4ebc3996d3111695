"""Readable names for the codes in a case's data, in the reader's language.

A case may carry a ``value_labels`` resource (value, field, label_en, label_ru, label_kk, note): a row
with an empty ``field`` names the code in any column but free-text ones (notes, labels, titles), a row
with a field only in that column (and wins there; it may also translate a short text of that column).
Codes without a label are shown as they are, so a case without the resource still works.
Exports (CSV, JSON) keep the codes; only what people read shows the labels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from diaspora_observatory.case.package import Case

RESOURCE = "value_labels"
# Free-text columns: never looked up as codes.
TEXT_COLUMNS = frozenset({"note", "statement", "title", "name", "label", "description", "issuer", "publisher", "url"})


class ValueLabels:
    """``labels(field, value)``: the label of ``value`` in column ``field``, or ``value`` itself."""

    def __init__(self, by_key: dict[tuple[str, str], str]) -> None:
        self._by_key = by_key

    def get(self, field: str, value: str) -> str | None:
        """A row naming ``field`` applies to any column, free text included (a translated period name);
        a row for any column never touches a free-text column."""
        specific = self._by_key.get((field, value))
        if specific or field in TEXT_COLUMNS:
            return specific
        return self._by_key.get(("", value))

    @overload
    def __call__(self, field: str, value: str) -> str: ...

    @overload
    def __call__(self, field: str, value: object) -> object: ...

    def __call__(self, field: str, value: object) -> object:
        if not isinstance(value, str):  # a number or a missing value is shown as it is
            return value
        return self.get(field, value) or value

    def with_defaults(self, defaults: dict[tuple[str, str], str]) -> ValueLabels:
        """These labels, and ``defaults`` for the keys they do not have (their own win)."""
        return ValueLabels({**defaults, **self._by_key})

    def __len__(self) -> int:
        return len(self._by_key)


def value_labels(case: Case, language: str = "en") -> ValueLabels:
    """The case's labels in ``language`` (English where a language's label is missing)."""
    def compute() -> ValueLabels:
        found = {}
        for row in case.rows.get(RESOURCE, []):
            label = row.get(f"label_{language}") or row.get("label_en")
            if row.get("value") and label:
                found[(row.get("field") or "", row["value"])] = label
        return ValueLabels(found)

    return case.memo((RESOURCE, language), compute)
