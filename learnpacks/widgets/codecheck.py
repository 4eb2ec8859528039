"""A code exercise's public tests, in plain Python (standard library only, no learnpacks import).

:class:`learnpacks.widgets.code.CodeExercise` checks a learner's answer with :func:`run_tests` in
the kernel. The static site runs this very file in the browser, in Pyodide (a Web Worker), with
:func:`run_cell`: the site's build copies it to ``_vendor/`` beside Pyodide, so a page's verdicts
and messages are the kernel's by construction. Keep it importable alone.

The tests travel to a page as Python literal text (:func:`as_literal`): a value that
:func:`ast.literal_eval` cannot rebuild with the same types (a DataFrame, a session object, a
``nan``) has no literal, and the exercise cannot be checked in the page.
"""

from __future__ import annotations

import ast
import linecache
import math
import reprlib
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60

#: ``t(message, **values)``: a UI string in the learner's language, placeholders filled.
Translate = Callable[..., str]

#: The file name a page's tracebacks give the learner's code.
CODE_FILE = "<your code>"
#: At most this many characters of output are kept from one run in a page.
OUTPUT_LIMIT = 100_000


def same(got: Any, expected: Any) -> bool:
    """Equal, compared on the expected value's terms (floats with a small tolerance).

    A learner's object with an ``__eq__`` that always says True does not pass: the comparison
    is ``expected == got`` and the types must agree (bool is not an int here).
    """
    if type(expected) is float and isinstance(got, (int, float)) and not isinstance(got, bool):
        return math.isclose(float(got), expected, rel_tol=1e-9, abs_tol=1e-12)
    if type(got) is not type(expected):
        return False
    return bool(expected == got)


def run_tests(
    answer: Any,
    *,
    tests: Sequence[tuple[Sequence[Any], Any]],
    expected: Any,
    has_expected: bool,
    t: Translate,
) -> list[str]:
    """The messages of the first failing test of ``answer``; ``[]`` when every test passes.

    ``tests`` (for a function): ``[((args...), expected), ...]``; otherwise ``answer`` is a value
    compared with ``expected`` when ``has_expected``.
    """
    if tests:
        if not callable(answer):
            return [t("Expected a function, got {got}.", got=_repr.repr(answer))]
        return _call_tests(answer, tests, t)
    if has_expected and not same(answer, expected):
        return [
            t(
                "Your value is {got}: not the one asked for yet. Check your code, or ask for a hint.",
                got=_repr.repr(answer),
            )
        ]
    return []


def _call_tests(
    function: Callable[..., Any], tests: Sequence[tuple[Sequence[Any], Any]], t: Translate
) -> list[str]:
    name = getattr(function, "__name__", "f")
    for args, want in tests:
        call = f"{name}({', '.join(_repr.repr(a) for a in args)})"
        try:
            got = function(*args)
        except Exception as exc:  # the learner's code: report, never crash the check
            return [t("{call} raised {error}.", call=call, error=f"{type(exc).__name__}: {exc}")]
        if not same(got, want):
            return [
                t(
                    "{call} returned {got}, expected {expected}.",
                    call=call,
                    got=_repr.repr(got),
                    expected=_repr.repr(want),
                )
            ]
    return []


# --- the page's side: literal tests and one learner cell -------------------------------------

_LITERAL_TYPES = (str, bytes, int, float, complex, bool, type(None))


def _plain(value: Any) -> bool:
    """Whether *value* is made only of what :func:`ast.literal_eval` rebuilds with its own type."""
    kind = type(value)
    if kind in _LITERAL_TYPES:
        return kind not in (float, complex) or all(
            math.isfinite(part) for part in (value.real, value.imag)
        )
    if kind in (list, tuple, set):
        return all(_plain(item) for item in value)
    if kind is dict:
        return all(_plain(k) and _plain(v) for k, v in value.items())
    return False


def foreign_modules(value: Any) -> list[str]:
    """The top-level modules (beyond the standard library) of the values in *value* that have no
    literal: ``["pandas"]`` for a test that passes a DataFrame."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind in (list, tuple, set, frozenset):
            stack.extend(item)
        elif kind is dict:
            stack.extend(item.keys())
            stack.extend(item.values())
        elif kind not in _LITERAL_TYPES:
            found.add(kind.__module__.split(".")[0])
    return stdlib_only(sorted(found))


def as_literal(value: Any) -> str | None:
    """Python literal text that rebuilds *value* (same types, equal), or None if there is none."""
    if not _plain(value):
        return None
    text = repr(value)
    try:
        back = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return text if back == value else None


def stdlib_only(names: Sequence[str]) -> list[str]:
    """The top-level modules among *names* that are not in Python's standard library."""
    known: frozenset[str] = getattr(sys, "stdlib_module_names", frozenset())
    return sorted({n.split(".")[0] for n in names} - set(known) - {"__future__"})


def imported_modules(code: str) -> list[str]:
    """The modules *code* imports (absolute imports only); ``[]`` when it does not parse."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
    return found


def _checked_names(tree: ast.AST) -> list[str]:
    """Names the cell calls ``.check(...)`` on: the exercise object of a notebook's cell."""
    return sorted(
        {
            node.func.value.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "check"
            and isinstance(node.func.value, ast.Name)
        }
    )


class _Output:
    def __init__(self, write: Callable[[str, str], None], stream: str) -> None:
        self._write = write
        self._stream = stream

    def write(self, text: str) -> int:
        self._write(self._stream, str(text))
        return len(text)

    def flush(self) -> None:
        pass


class _PageExercise:
    """What ``exercise.check(answer)`` does in a page: the kernel's tests and messages."""

    def __init__(self, spec: dict[str, Any], t: Translate, verdicts: list[dict[str, Any]]) -> None:
        self._spec = spec
        self._t = t
        self._verdicts = verdicts

    def check(self, answer: Any) -> None:
        has_expected = "expected" in self._spec
        messages = run_tests(
            answer,
            tests=self._spec.get("tests") or [],
            expected=self._spec.get("expected"),
            has_expected=has_expected,
            t=self._t,
        )
        passed = not messages
        if passed:
            messages = [self._t("All tests passed.")]
        self._verdicts.append({"passed": passed, "messages": messages})
        for message in messages:
            print(message)


def _translator(strings: dict[str, str]) -> Translate:
    def t(message: str, **values: Any) -> str:
        text = strings.get(message) or message
        return text.format(**values) if values else text

    return t


def run_cell(
    code: str,
    *,
    tests: str | None = None,
    expected: str | None = None,
    name: str = "",
    check: bool = False,
    strings: dict[str, str] | None = None,
    write: Callable[[str, str], None] | None = None,
) -> dict[str, Any]:
    """Run a learner's *code* as a notebook cell would, in a fresh namespace, in a page.

    ``exercise.check(answer)`` in the code runs the exercise's tests (``tests`` or ``expected``,
    literal text from :func:`as_literal`) and prints their messages, as in the kernel. With
    ``check`` and no such call, the object the code defines under ``name`` is checked after the
    run. ``write(stream, text)`` gets the output as it comes. Returns ``{"verdict": {"passed",
    "messages"} or None, "error": traceback text or None}``.
    """
    t = _translator(strings or {})
    spec: dict[str, Any] = {}
    if tests is not None:
        spec["tests"] = [(tuple(args), want) for args, want in ast.literal_eval(tests)]
    if expected is not None:
        spec["expected"] = ast.literal_eval(expected)
    kept: list[str] = []

    def keep(stream: str, text: str) -> None:
        kept.append(text)

    emit = write or keep
    verdicts: list[dict[str, Any]] = []
    namespace: dict[str, Any] = {"__name__": "__main__"}
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Output(emit, "stdout"), _Output(emit, "stderr")
    error = None
    # tracebacks quote the learner's lines
    linecache.cache[CODE_FILE] = (len(code), None, code.splitlines(True), CODE_FILE)
    try:
        tree = ast.parse(code, CODE_FILE, "exec")
        for exercise in _checked_names(tree):
            namespace[exercise] = _PageExercise(spec, t, verdicts)
        exec(compile(tree, CODE_FILE, "exec"), namespace)
        if check and not verdicts and name:
            if name in namespace:
                _PageExercise(spec, t, verdicts).check(namespace[name])
            else:
                error = f"NameError: name {name!r} is not defined\n"
    except SyntaxError as exc:
        error = "".join(traceback.format_exception_only(type(exc), exc))
    except BaseException as exc:  # the learner's code: SystemExit and KeyboardInterrupt too
        frames = traceback.extract_tb(exc.__traceback__)
        mine = [f for f in frames if f.filename == CODE_FILE]
        error = "Traceback (most recent call last):\n"
        error += "".join(traceback.format_list(mine))
        error += "".join(traceback.format_exception_only(type(exc), exc))
    finally:
        sys.stdout, sys.stderr = old
    return {
        "verdict": verdicts[-1] if verdicts else None,
        "error": error,
        "output": "".join(kept) if write is None else None,
    }
