"""The cells :mod:`learnpacks.grading.prepare` rebuilds a submission from are the cells
nbformat's own constructors make (it skips their per-cell schema check: the notebook is
validated whole)."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from learnpacks.grading.prepare import _new_cell


@pytest.mark.parametrize(
    ("kind", "stock"),
    [("code", new_code_cell), ("markdown", new_markdown_cell), ("raw", new_raw_cell)],
)
def test_a_new_cell_is_what_nbformat_makes(kind: str, stock) -> None:
    ours, theirs = _new_cell(kind, "x = 1"), stock("x = 1")
    assert {k: v for k, v in ours.items() if k != "id"} == {
        k: v for k, v in theirs.items() if k != "id"
    }
    assert ours.id != theirs.id and len(ours.id) == len(theirs.id)
    nbformat.validate(new_notebook(cells=[ours]))
