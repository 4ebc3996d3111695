"""A published snapshot's answers counted by the database (SQL ``GROUP BY``), for the results page.

The results page publishes counts per question and category, means, Cronbach's alpha and one
cross-tabulation: every one a function of how many respondents gave each answer (or each combination of
answers to a few questions), never of who gave it. So the database counts, and Python receives one row
per distinct answer, whatever the number of respondents: the answers to every choice question in one
scan of the snapshot (each stored answer set read once as JSON by SQLite's ``json_each`` or
PostgreSQL's ``jsonb_each``), and the combinations of a scale's items or of a cross-tabulation's two
questions when they are asked for. At 100,000 answers the server no longer holds a row per answer.

The values are decoded back to what ``json.loads`` gives for the stored text (a string, a number, a list,
``None``), so :mod:`~diaspora_observatory.survey.results` applies exactly the rules it applies to the
answers in memory (the CLI and the tests compare both; tests/survey/test_survey_results_sql.py).
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

from sqlalchemy import bindparam, text

# The names a stored form may use (xlsform.py refuses any other): safe inside a JSON path.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_SNAPSHOT = "survey_slug = :slug AND snapshot IS NOT NULL AND snapshot <= :number"


def _sqlite_value(kind: str | None, value: Any) -> Any:
    """A value of SQLite's ``json_type`` / ``json_extract`` pair as ``json.loads`` gives it."""
    if kind is None or kind == "null":
        return None
    if kind == "true":
        return True
    if kind == "false":
        return False
    if kind in ("array", "object"):
        return json.loads(value)
    return value  # text, integer, real: SQLite returns them as str, int, float


def _postgres_value(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def _key(value: Any) -> str:
    """A hashable key for an answer value (a list is not hashable), equal exactly for equal values."""
    return json.dumps(value, sort_keys=True)


def json_path(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"question name '{name}' cannot be counted by the database; "
                         "names start with a letter or _, then letters, digits, _ . -")
    return f'$."{name}"'


class Tallies:
    """How many respondents of snapshot ``number`` of ``slug`` gave each answer, counted by ``store``'s
    database. ``size`` is the snapshot's number of respondents; :meth:`values` and :meth:`combinations`
    give ``(value, count)`` pairs, a respondent without an answer counted under ``None``. Each query
    runs once per object (the results cache keeps one object per snapshot and definition)."""

    def __init__(self, store: Any, slug: str, number: int, size: int, names: list[str]) -> None:
        self.store, self.slug, self.number, self.size = store, slug, number, size
        self.names = names  # the choice questions, counted together in one scan
        self.postgres = store.engine.dialect.name == "postgresql"
        self._marginals: dict[str, list[tuple[Any, int]]] | None = None
        self._joint: dict[tuple[str, ...], list[tuple[tuple[Any, ...], int]]] = {}
        self._lock = threading.Lock()

    def _rows(self, sql: str, **params: Any) -> list[Any]:
        statement = text(sql)
        if "names" in params:
            statement = statement.bindparams(bindparam("names", expanding=True))
        with self.store.engine.connect() as connection:
            return list(connection.execute(statement, {"slug": self.slug, "number": self.number, **params}))

    def _count_marginals(self) -> dict[str, list[tuple[Any, int]]]:
        if self.postgres:
            rows = self._rows(
                "SELECT member.key, member.value::text, count(*) FROM submissions "
                "CROSS JOIN LATERAL jsonb_each(submissions.answers::jsonb) AS member(key, value) "
                f"WHERE {_SNAPSHOT} AND member.key IN :names GROUP BY member.key, member.value",
                names=self.names)
            decoded = [(key, _postgres_value(value), count) for key, value, count in rows]
        else:
            rows = self._rows(
                "SELECT member.key, member.type, member.value, count(*) FROM submissions, "
                f"json_each(submissions.answers) AS member WHERE {_SNAPSHOT} AND member.key IN :names "
                "GROUP BY member.key, member.type, member.value", names=self.names)
            decoded = [(key, _sqlite_value(kind, value), count) for key, kind, value, count in rows]
        marginals: dict[str, list[tuple[Any, int]]] = {name: [] for name in self.names}
        for name, value, count in decoded:
            marginals[name].append((value, count))
        result = {}
        for name, pairs in marginals.items():
            absent = self.size - sum(count for _, count in pairs)
            if absent:
                pairs.append((None, absent))  # no such key in the stored answers: not answered
            result[name] = _merged(pairs)
        return result

    def values(self, name: str) -> list[tuple[Any, int]]:
        """The distinct answers to choice question ``name`` with their counts (they sum to ``size``)."""
        with self._lock:
            if self._marginals is None:
                self._marginals = self._count_marginals()
            return self._marginals[name]

    def combinations(self, names: list[str]) -> list[tuple[tuple[Any, ...], int]]:
        """The distinct combinations of answers to ``names`` with their counts (they sum to ``size``)."""
        key = tuple(names)
        with self._lock:
            if key not in self._joint:
                self._joint[key] = self._count_combinations(names)
            return self._joint[key]

    def _count_combinations(self, names: list[str]) -> list[tuple[tuple[Any, ...], int]]:
        params = {f"path{index}": json_path(name) for index, name in enumerate(names)}
        if self.postgres:
            params = {f"path{index}": name for index, name in enumerate(names)}
            columns = ", ".join(f"(document -> CAST(:path{index} AS text))::text" for index in range(len(names)))
            positions = ", ".join(str(index + 1) for index in range(len(names)))
            rows = self._rows(f"SELECT {columns}, count(*) FROM (SELECT answers::jsonb AS document FROM submissions "
                              f"WHERE {_SNAPSHOT}) AS snapshot GROUP BY {positions}", **params)
            decoded = [(tuple(_postgres_value(value) for value in row[:-1]), row[-1]) for row in rows]
        else:
            columns = ", ".join(f"json_type(answers, :path{index}), json_extract(answers, :path{index})"
                                for index in range(len(names)))
            positions = ", ".join(str(index + 1) for index in range(2 * len(names)))
            rows = self._rows(f"SELECT {columns}, count(*) FROM submissions WHERE {_SNAPSHOT} GROUP BY {positions}",
                              **params)
            decoded = [(tuple(_sqlite_value(row[2 * index], row[2 * index + 1]) for index in range(len(names))),
                        row[-1]) for row in rows]
        return _merged(decoded)


def _merged(pairs: list[tuple[Any, int]]) -> list[tuple[Any, int]]:
    """Equal values counted once: a JSON null and a missing key are both ``None``, and a number stored in
    two spellings (1.0, 1.00) is one value once decoded, as it is for ``json.loads``."""
    merged: dict[str, list[Any]] = {}
    for value, count in pairs:
        entry = merged.setdefault(_key(value), [value, 0])
        entry[1] += count
    return [(value, count) for value, count in merged.values()]
