"""Each graded test proven useful: run as learners get the notebook, it must fail.

The blank run is what nbgrader's autograde does with a submission nobody answered: the
learner's version of the notebook (:func:`learnpacks.packs.learner.learner_version`: solution
regions stubbed, hidden tests removed) with every autograder test cell restored from the
author's copy, in a fresh kernel and a fresh folder (no recorded answers). A test cell that
passes there gives points for nothing: ``exec.test-passes-blank``. That the author's solution
passes every test is read from the author's run (``exec.solution-fails``).
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

from learnpacks.checks.nbrun import run_notebook
from learnpacks.checks.plans import Plan, scratch_copy, where
from learnpacks.errors import Problem
from learnpacks.packs.learner import is_test_cell, learner_version


def blank_notebook(nb: Any) -> Any:
    """The learner's version of *nb* with the author's test cells (hidden tests included)."""
    blank = learner_version(nb)
    for index, cell in enumerate(nb.cells):
        if is_test_cell(cell):
            blank.cells[index] = copy.deepcopy(cell)
    return blank


def blank_problems(plan: Plan, nb: Any, *, timeout: float, fork: bool = True) -> list[Problem]:
    """``exec.test-passes-blank`` for each test cell of *nb* that passes on the blank version."""
    with tempfile.TemporaryDirectory(prefix="learnpacks-blank-") as scratch:
        cwd = scratch_copy(plan.folder, Path(scratch))
        run = run_notebook(blank_notebook(nb), cwd=cwd, timeout=timeout, fork=fork)
    problems = []
    for index, cell in enumerate(nb.cells):
        outcome = run.cells.get(index)
        if is_test_cell(cell) and outcome is not None and outcome.ran and outcome.ok:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            problems.append(
                Problem(
                    plan.display,
                    "exec.test-passes-blank",
                    f"test {grade_id!r} passes on the learner's blank notebook: it grades nothing",
                    where(plan, index, cell),
                    hint="a test must fail until the learner answers; assert on their answer",
                )
            )
    return problems
