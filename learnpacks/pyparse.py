"""``ast.parse`` that survives a known CPython 3.11 fault.

CPython 3.11 keeps the AST constructor's recursion counter in state shared by the whole
interpreter. When a parse is interleaved with another one (a garbage-collector finalizer or
another thread running Python code while the tree is being built), the counter no longer
matches at the end and ``ast.parse`` raises ``SystemError: AST constructor recursion depth
mismatch`` for perfectly valid source (python/cpython#106905 and the reports linked there;
seen in this project's test suite, where the site build and checks parse cells in one
process). The fault is transient, so one more attempt gives the real result. Every module
that parses notebook code goes through :func:`parse`, so none of them reports a learner's or
an author's valid cell as broken.
"""

from __future__ import annotations

import ast

_MISMATCH = "AST constructor recursion depth mismatch"
_ATTEMPTS = 3


def parse(source: str) -> ast.Module:
    """``ast.parse(source)``: raises ``SyntaxError`` or ``ValueError`` as it does, and retries
    the spurious ``SystemError`` above (any other ``SystemError`` propagates)."""
    for attempt in range(_ATTEMPTS):
        try:
            return ast.parse(source)
        except SystemError as exc:
            if _MISMATCH not in str(exc) or attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
