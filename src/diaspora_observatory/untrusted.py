"""Checks on text and JSON from outside (a request body, an imported file) before anything keeps it.

Two inputs broke the survey's JSON API (issue 12): JSON nested tens of thousands deep, which exhausts the
parser's recursion, and JSON's ``\\ud800`` escapes, which give a Python string holding a lone surrogate that
no UTF-8 reply, template or database can encode. A NUL character is refused too: PostgreSQL text cannot
hold it. These checks need nothing but the standard library, so the library and the CLI use them too.
"""

from __future__ import annotations

import re

# A submission is three levels deep ({"answers": {"name": [values]}}); 32 leaves room for any client
# while keeping every later step (validation, str(), json.dumps) far below Python's recursion limit.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_A_BRACKET = bytes(byte for byte in range(256) if byte not in b"[]{}")
_NOT_PLAIN = re.compile("[\x00\ud800-\udfff]")


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON text ``body`` nests arrays and objects more than ``limit`` deep.

    Counted on the bytes before any parsing, so a hostile body costs a scan, never a recursion. Two
    counts settle ordinary bodies; only a body with more brackets than ``limit`` is scanned, with its
    strings removed first (a bracket inside a string does not nest).

    >>> json_too_deep(b'{"answers": {"a": [1, "[[[["]}}', limit=3), json_too_deep(b"[[[[]]]]", limit=3)
    (False, True)
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for byte in _JSON_STRING.sub(b"", body).translate(None, _NOT_A_BRACKET):
        depth += 1 if byte in b"[{" else -1
        if depth > limit:
            return True
    return False


def is_plain_text(text: str) -> bool:
    """Whether ``text`` is a string of Unicode scalar values with no NUL: what UTF-8, the templates and
    both databases can hold. JSON's ``\\ud800`` escapes give Python strings that are none of these.

    >>> is_plain_text("Қазақ тілі"), is_plain_text("a\\x00b"), is_plain_text("\\ud800")
    (True, False, False)
    """
    return _NOT_PLAIN.search(text) is None
