"""Widget answers re-checked outside the learner's kernel (THREATS.md case 26).

A hidden test such as ``assert_answer("projects", correct=["wikidata"])`` runs in the learner's
kernel, where learner code could have replaced ``assert_answer`` (or anything it calls) beforehand.
So, for every authoritative test cell made of such calls with literal keys, the grader re-checks the
learner's *submitted* answers file in its own process, with :func:`learnpacks.widgets.grade_answers_file`.
A test cell that passed in the kernel while an answer it checks is not right here is flagged: 0 and
manual review.
"""

from __future__ import annotations

import ast
import tempfile
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from learnpacks.grading.authority import Authority
from learnpacks.grading.prepare import Finding
from learnpacks.pyparse import parse as parse_python


def answer_keys(source: str) -> dict[str, dict[str, Any]]:
    """``{exercise id: key}`` for each ``assert_answer("id", **literals)`` call in *source*."""
    try:
        tree = parse_python(source)
    except SyntaxError:
        return {}
    keys: dict[str, dict[str, Any]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name != "assert_answer" or not node.args or not isinstance(node.args[0], ast.Constant):
            continue
        try:
            key = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg}
        except ValueError:
            continue  # a key computed at run time cannot be re-checked here
        keys[str(node.args[0].value)] = key
    return keys


def _passed(cell: NotebookNode) -> bool:
    from nbgrader.utils import determine_grade

    score, maximum = determine_grade(cell)
    return score is not None and maximum is not None and score >= maximum > 0


def cross_check(nb: NotebookNode, authority: Authority, answers: bytes | None) -> list[Finding]:
    """Findings for test cells the kernel passed but the learner's answers file does not."""
    from learnpacks.widgets import ANSWERS_FILE, grade_answers_file

    by_id = {c.grade_id: c for c in authority.cells if c.grade}
    findings: list[Finding] = []
    with tempfile.TemporaryDirectory(prefix="lp-answers-") as tmp:
        path = Path(tmp) / ANSWERS_FILE
        path.write_bytes(answers or b"")
        for cell in nb.cells:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            source = by_id[gid].source if gid in by_id else ""
            keys = answer_keys(source) if "assert_answer" in source else {}
            if not keys or not _passed(cell):
                continue
            verdicts = grade_answers_file(path, f"{authority.notebook}.ipynb", keys)
            wrong = sorted(ex for ex, ok in verdicts.items() if ok is not True)
            if wrong:
                findings.append(
                    Finding(
                        "grading.answer-mismatch",
                        f"the test passed in the learner's kernel, but the recorded answer to "
                        f"{', '.join(wrong)} is not right when checked outside it",
                        gid,
                        review=True,
                    )
                )
    return findings
