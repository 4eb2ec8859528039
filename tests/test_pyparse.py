"""learnpacks.pyparse: the one ast.parse every notebook-code reader goes through."""

from __future__ import annotations

import ast

import pytest

from learnpacks import pyparse


def _flaky(failures: int, message: str):
    calls = {"n": 0}
    real = ast.parse

    def fake(source: str) -> ast.Module:
        calls["n"] += 1
        if calls["n"] <= failures:
            raise SystemError(message)
        return real(source)

    return fake, calls


def test_spurious_mismatch_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    """Does a valid cell still parse when CPython 3.11 raises its transient
    'AST constructor recursion depth mismatch' on the first attempt?"""
    fake, calls = _flaky(1, "AST constructor recursion depth mismatch (before=33, after=52)")
    monkeypatch.setattr(pyparse.ast, "parse", fake)
    tree = pyparse.parse("x = 1\n")
    assert isinstance(tree.body[0], ast.Assign)
    assert calls["n"] == 2


def test_persistent_mismatch_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    """Does a mismatch that never goes away surface instead of looping?"""
    fake, calls = _flaky(10, "AST constructor recursion depth mismatch (before=1, after=2)")
    monkeypatch.setattr(pyparse.ast, "parse", fake)
    with pytest.raises(SystemError):
        pyparse.parse("x = 1\n")
    assert calls["n"] == 3


def test_other_errors_are_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    """Are syntax errors and unrelated SystemErrors passed through on the first attempt?"""
    with pytest.raises(SyntaxError):
        pyparse.parse("def (:\n")
    fake, calls = _flaky(1, "some other interpreter fault")
    monkeypatch.setattr(pyparse.ast, "parse", fake)
    with pytest.raises(SystemError):
        pyparse.parse("x = 1\n")
    assert calls["n"] == 1


def test_every_notebook_code_reader_uses_it() -> None:
    """Does any module of the package still call ast.parse directly (and so miss the retry)?

    ``widgets/codecheck.py`` is exempt: it must import nothing from learnpacks (the site runs
    it alone in Pyodide), and it parses one learner cell in the learner's own kernel or page
    worker, where no other parse runs at the same time."""
    from pathlib import Path

    root = Path(pyparse.__file__).parent
    standalone = {"pyparse.py", "codecheck.py"}
    direct = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if p.name not in standalone and "ast.parse(" in p.read_text(encoding="utf-8")
    ]
    assert direct == []
