"""The subset of the XLSForm (XPath) expression language used in ``relevant`` and ``constraint``.

Supported: ``.`` (the answer being checked), ``${name}`` (another answer), numbers, quoted strings,
comparisons ``= != < <= > >=``, ``and``, ``or``, parentheses and the functions ``selected(x, 'v')``,
``not(x)``, ``count-selected(x)`` and ``regex(x, 'pattern')`` (a full match, as ODK does); in a
``choice_filter`` a bare word names a column of the choices sheet. Anything else is refused when the
form is imported, so a form never behaves differently here than in ODK without saying so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from diaspora_observatory.survey.errors import ExpressionError

SUPPORTED = ("., ${name}, numbers, 'strings', = != < <= > >=, and, or, ( ), selected(), not(), count-selected(), "
             "regex()")
FUNCTIONS = {"selected": 2, "not": 1, "count-selected": 1, "regex": 2}
# regex() runs on respondents' text: patterns and inputs are capped and every match has a time limit
# (the `regex` package's timeout), so no pattern can stall the server (catastrophic backtracking).
MAX_PATTERN = 300
# Parentheses and function calls nest at most this deep: the parser and the evaluator recurse once per
# level, and a form's `relevant` nested 300 deep once exhausted Python's recursion (issue 12). Real forms
# nest a handful of levels; ``and``/``or`` chains are flat and do not count.
MAX_NESTING = 32
MAX_REGEX_INPUT = 500
REGEX_SECONDS = 0.05
_TOKEN = re.compile(r"""\s*(?:
    (?P<number>\d+(?:\.\d+)?) |
    (?P<string>'[^']*'|"[^"]*") |
    (?P<reference>\$\{[A-Za-z_][\w.-]*\}) |
    (?P<operator>!=|<=|>=|=|<|>) |
    (?P<punct>[(),]) |
    (?P<word>[A-Za-z_][\w-]*) |
    (?P<dot>\.)
)""", re.VERBOSE)


@dataclass(frozen=True)
class Node:
    """A parsed expression: ``kind`` is literal, current, reference, compare, and, or, call."""

    kind: str
    value: Any = None
    children: tuple[Node, ...] = ()


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        found = _TOKEN.match(text, position)
        if not found or found.end() == position:
            bad = text[position:].strip()[:1] or text[position]
            raise ExpressionError(f"unexpected character {bad!r} at position {position + 1} of {text!r}",
                                  f"supported expressions: {SUPPORTED}; quote text with straight quotes '…'")
        kind = found.lastgroup or ""
        tokens.append((kind, found.group(kind)))
        position = found.end()
    return tokens


class _Parser:
    def __init__(self, text: str, columns: set[str] | None = None) -> None:
        self.columns = columns
        self.text = text
        self.tokens = _tokens(text)
        self.position = 0
        self.depth = 0

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ExpressionError(f"the expression nests parentheses or functions more than {MAX_NESTING} levels "
                                  f"deep (in {self.text[:80]!r}…)",
                                  "write it with fewer nested parentheses: and/or need none")

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExpressionError(f"{self.text!r} ends too early", f"supported expressions: {SUPPORTED}")
        self.position += 1
        return token

    def expect(self, value: str) -> None:
        kind, found = self.take()
        if found != value:
            raise ExpressionError(f"expected {value!r} but found {found!r} in {self.text!r}",
                                  f"supported expressions: {SUPPORTED}")

    def parse(self) -> Node:
        node = self.disjunction()
        following = self.peek()
        if following is not None:
            raise ExpressionError(f"unexpected {following[1]!r} in {self.text!r}",
                                  f"supported expressions: {SUPPORTED}")
        return node

    def disjunction(self) -> Node:
        # A chain "a or b or c …" is one node with every term as a child, so a long chain adds no depth.
        terms = [self.conjunction()]
        while self.peek() == ("word", "or"):
            self.take()
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else Node("or", children=tuple(terms))

    def conjunction(self) -> Node:
        terms = [self.comparison()]
        while self.peek() == ("word", "and"):
            self.take()
            terms.append(self.comparison())
        return terms[0] if len(terms) == 1 else Node("and", children=tuple(terms))

    def comparison(self) -> Node:
        node = self.operand()
        token = self.peek()
        if token and token[0] == "operator":
            self.take()
            node = Node("compare", token[1], (node, self.operand()))
        return node

    def operand(self) -> Node:
        kind, value = self.take()
        if kind == "number":
            return Node("literal", float(value))
        if kind == "string":
            return Node("literal", value[1:-1])
        if kind == "reference":
            return Node("reference", value[2:-1])
        if kind == "dot":
            return Node("current")
        if value == "(":
            self.deeper()
            node = self.disjunction()
            self.expect(")")
            self.depth -= 1
            return node
        if kind == "word" and self.peek() == ("punct", "("):
            if value not in FUNCTIONS:
                raise ExpressionError(f"function {value}() is not supported (in {self.text!r})",
                                      f"supported expressions: {SUPPORTED}")
            self.take()
            self.deeper()
            arguments = [self.disjunction()]
            while self.peek() == ("punct", ","):
                self.take()
                arguments.append(self.disjunction())
            self.expect(")")
            self.depth -= 1
            if len(arguments) != FUNCTIONS[value]:
                raise ExpressionError(f"{value}() takes {FUNCTIONS[value]} argument(s), got {len(arguments)} "
                                      f"(in {self.text!r})")
            if value == "regex":
                return Node("call", value, (arguments[0], Node("literal", _pattern(arguments[1], self.text))))
            return Node("call", value, tuple(arguments))
        if kind == "word" and self.columns is not None and value not in ("and", "or"):
            if value not in self.columns:
                raise ExpressionError(f"'{value}' names no column of the choices sheet for this list (in "
                                      f"{self.text!r}); its columns are {', '.join(sorted(self.columns))}",
                                      f"quote text with straight quotes ('{value}') or name one of the columns")
            return Node("column", value)
        raise ExpressionError(f"{value!r} is not supported here (in {self.text!r})",
                              f"supported expressions: {SUPPORTED}")


def _pattern(node: Node, text: str) -> Any:
    """The compiled pattern of ``regex(x, 'pattern')``: a quoted, capped pattern that compiles."""
    import regex

    if node.kind != "literal" or not isinstance(node.value, str):
        raise ExpressionError(f"regex() needs its pattern as quoted text (in {text!r})",
                              "write the pattern in straight quotes, as in regex(., '[0-9]{10}')")
    if len(node.value) > MAX_PATTERN:
        raise ExpressionError(f"the regex() pattern is longer than {MAX_PATTERN} characters (in {text!r})",
                              "use a shorter pattern")
    try:
        return regex.compile(node.value, regex.VERSION0)
    except (regex.error, ValueError, OverflowError) as error:
        raise ExpressionError(f"the regex() pattern {node.value!r} is not a valid regular expression ({error})",
                              "correct the pattern (XPath regular expressions, as in ODK)") from error


def parse(text: str, columns: set[str] | None = None) -> Node:
    """Parse an expression of the supported subset; raise :class:`ExpressionError` otherwise.

    ``columns``: parse a choice filter, where a bare word names a column of the choices sheet
    (``cf = ${county}``); it must be one of ``columns``.
    """
    return _Parser(str(text), columns).parse()


def references(node: Node) -> set[str]:
    """The ``${name}`` references in a parsed expression."""
    found = {node.value} if node.kind == "reference" else set()
    for child in node.children:
        found |= references(child)
    return found


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _compare(operator: str, left: Any, right: Any) -> bool:
    if isinstance(left, list):
        left = " ".join(left)
    if isinstance(right, list):
        right = " ".join(right)
    left_number, right_number = _number(left), _number(right)
    numeric = (isinstance(left, float | int) or isinstance(right, float | int)) and not isinstance(left, bool)
    if operator in ("=", "!="):
        if numeric and left_number is not None and right_number is not None:
            equal = left_number == right_number
        else:
            equal = str(left if left is not None else "") == str(right if right is not None else "")
        return equal if operator == "=" else not equal
    if left_number is None or right_number is None:
        return False  # XPath: an empty or non-numeric value compares as NaN
    return {"<": left_number < right_number, "<=": left_number <= right_number,
            ">": left_number > right_number, ">=": left_number >= right_number}[operator]


def _regex(value: Any, pattern: Any) -> bool:
    """ODK's regex(): true when the whole text matches the pattern (a full match, not a search)."""
    import regex

    text = " ".join(value) if isinstance(value, list) else str(value)
    if len(text) > MAX_REGEX_INPUT:
        return False
    try:
        return pattern.fullmatch(text, timeout=REGEX_SECONDS) is not None
    except TimeoutError:
        return False  # a pattern that backtracks too long on this text: the answer is refused
    except regex.error:
        return False


def evaluate(node: Node, answers: Mapping[str, Any], current: Any = None,
             choice: Mapping[str, str] | None = None) -> Any:
    """Evaluate a parsed expression; a missing answer is the empty string, as in ODK. ``choice``: the
    columns of the choice a choice filter is evaluated for."""
    if node.kind == "literal":
        return node.value
    if node.kind == "column":
        return (choice or {}).get(node.value, "")
    if node.kind == "current":
        return "" if current is None else current
    if node.kind == "reference":
        value = answers.get(node.value)
        return "" if value is None else value
    if node.kind == "and":
        return all(bool(evaluate(child, answers, current, choice)) for child in node.children)
    if node.kind == "or":
        return any(bool(evaluate(child, answers, current, choice)) for child in node.children)
    if node.kind == "compare":
        return _compare(node.value, evaluate(node.children[0], answers, current, choice),
                        evaluate(node.children[1], answers, current, choice))
    arguments = [evaluate(child, answers, current, choice) for child in node.children]
    if node.value == "not":
        return not bool(arguments[0])
    if node.value == "regex":
        return _regex(arguments[0], arguments[1])
    selection = arguments[0] if isinstance(arguments[0], list) else str(arguments[0]).split()
    if node.value == "selected":
        return str(arguments[1]) in selection
    return len(selection)  # count-selected


def holds(text: str, answers: Mapping[str, Any], current: Any = None) -> bool:
    """Whether the expression ``text`` is true; an empty expression always holds."""
    if not str(text or "").strip():
        return True
    return bool(evaluate(parse(text), answers, current))
