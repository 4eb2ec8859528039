"""A cell that runs too long is flagged for the facilitator, even when it is not graded."""

from __future__ import annotations

import nbformat
import pytest
from grading_helpers import FIXTURES, scores
from nbformat.v4 import new_code_cell

pytestmark = pytest.mark.slow


def test_timeout_in_an_ungraded_cell_is_flagged_and_scores_stand(grade):
    """Is a learner whose own, ungraded cell loops for ever flagged (as docs/facilitators.md
    says), while the tests keep their points?"""
    nb = nbformat.read(str(FIXTURES / "submissions" / "right.ipynb"), as_version=4)
    nb.cells.insert(3, new_code_cell("while True:\n    pass"))
    result = grade("loop-in-own-cell", data=nbformat.writes(nb).encode())
    timeouts = [f for f in result["findings"] if f["code"] == "grading.cell-timeout"]
    assert len(timeouts) == 1 and timeouts[0]["review"] and not timeouts[0]["grade_id"]
    assert timeouts[0]["message"].startswith("cell 4:")
    assert result["flagged"]
    assert scores(result) == {"square-tests": 2.0, "count-words-tests": 3.0, "explain": None}
