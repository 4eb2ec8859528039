"""THREATS 26: a learner who patches the checker in their own kernel does not pass a widget test."""

from __future__ import annotations

import json

import nbformat
import pytest
from grading_helpers import FAST

from learnpacks.grading.answers_check import answer_keys
from learnpacks.grading.authority import from_gradebook
from learnpacks.grading.run import Task, grade_task
from learnpacks.widgets import ANSWERS_FILE

PATCH = (
    "def total_edits(rows):\n"
    "    return sum(int(r['edits']) for r in rows)\n\n"
    "import learnpacks.widgets as _w\n"
    "import learnpacks.widgets.grading as _g\n"
    "_w.assert_answer = _g.assert_answer = lambda *args, **kwargs: None\n"
)
HONEST = "def total_edits(rows):\n    return sum(int(r['edits']) for r in rows)\n"


def answers(choice: str) -> bytes:
    entry = {"kind": "multiple-choice", "answer": [choice], "status": "answered"}
    return json.dumps(
        {"version": 1, "notebooks": {"02-lists.ipynb": {"wiki-projects": entry}}}
    ).encode()


@pytest.fixture(scope="module")
def lists_authority(released):
    return from_gradebook(
        released.db_url,
        assignment=released.assignment,
        notebook="02-lists",
        release_notebook=released.path("release") / "02-lists.ipynb",
    )


@pytest.fixture
def grade_lists(released, lists_authority):
    def run(solution: str, choice: str) -> dict:
        nb = nbformat.read(str(released.path("release") / "02-lists.ipynb"), as_version=4)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "total-edits":
                cell.source = solution
        task = Task(
            student="patcher",
            authority=lists_authority,
            notebook_bytes=nbformat.writes(nb).encode(),
            files={ANSWERS_FILE: answers(choice)},
            limits=FAST,
            hide=(str(released.root),),
        )
        return grade_task(task)

    return run


def test_answer_keys_are_read_from_the_hidden_test():
    """Are the literal keys of assert_answer calls found, and computed ones skipped?"""
    source = 'from learnpacks.widgets import assert_answer\nassert_answer("a", correct=["x"])\nassert_answer("b", correct=f())'
    assert answer_keys(source) == {"a": {"correct": ["x"]}}


@pytest.mark.slow
def test_patched_checker_does_not_pass(grade_lists):
    """With a wrong recorded answer and assert_answer patched away, is the test 0 and flagged?"""
    result = grade_lists(PATCH, "wikisource")
    item = result["grades"]["wiki-projects-tests"]
    assert item["auto_score"] == 0 and item["needs_manual_grade"]
    assert "grading.answer-mismatch" in {f["code"] for f in result["findings"]}


@pytest.mark.slow
def test_honest_learners_are_unaffected(grade_lists):
    """Does a right answer still score, and a wrong one score 0 without a mismatch flag?"""
    right = grade_lists(HONEST, "wikidata")
    assert right["grades"]["wiki-projects-tests"]["auto_score"] == 1
    assert "grading.answer-mismatch" not in {f["code"] for f in right["findings"]}
    wrong = grade_lists(HONEST, "wikisource")
    assert wrong["grades"]["wiki-projects-tests"]["auto_score"] == 0
    assert "grading.answer-mismatch" not in {f["code"] for f in wrong["findings"]}
