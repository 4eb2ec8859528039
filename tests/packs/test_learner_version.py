"""The learner's version of a graded notebook, compared cell by cell with what stock
``nbgrader generate_assignment`` writes (with the code stub learnpacks configures)."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import nbformat
import pytest
from support import stock_nbgrader

from learnpacks.packs.learner import (
    CODE_STUB,
    RegionError,
    is_graded,
    learner_version,
)

REPO = Path(__file__).parents[2]
GRADED = REPO / "tests/grading/fixtures/graded-project/packs/graded-quiz/01-graded-quiz.ipynb"
NBGRADER_DEMO = REPO / "tests/grading/fixtures/project/packs/grading-demo/01-functions.ipynb"
BIN = Path(sys.executable).parent

#: Metadata nbgrader adds to a release that the learner's version does not need.
NBGRADER_ONLY = {"checksum", "cell_type"}


#: Every graded notebook: the two fixtures, and the repository's own graded packs.
GRADED_NOTEBOOKS = [
    GRADED,
    NBGRADER_DEMO,
    *sorted(p for p in (REPO / "packs").glob("*/*.ipynb") if '"nbgrader"' in p.read_text()),
]


def _label(path: Path) -> str:
    return f"{path.parent.name}--{path.name}"


@pytest.fixture(scope="module")
def stock_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One stock ``nbgrader generate_assignment`` run over every graded notebook."""
    course = tmp_path_factory.mktemp("course")
    (course / "source" / "ps").mkdir(parents=True)
    for notebook in GRADED_NOTEBOOKS:
        (course / "source" / "ps" / _label(notebook)).write_bytes(notebook.read_bytes())
    config = {"ClearSolutions": {"code_stub": {"python": CODE_STUB}}}
    stock_nbgrader(course, "ps", config, steps=("generate_assignment",), strict=True)
    return course / "release" / "ps"


def _comparable(cell: dict) -> dict:
    cell = copy.deepcopy(dict(cell))
    meta = cell.get("metadata", {})
    for key in ("editable", "deletable", "trusted"):  # LockCells' UI flags
        meta.pop(key, None)
    for key in NBGRADER_ONLY:
        meta.get("nbgrader", {}).pop(key, None)
    return cell


@pytest.mark.slow
@pytest.mark.parametrize("notebook", GRADED_NOTEBOOKS, ids=_label)
def test_learner_version_equals_stock_generate_assignment(
    stock_release: Path, notebook: Path
) -> None:
    """Is the learner's version, cell by cell, what nbgrader's generate_assignment releases?"""
    source = nbformat.read(notebook, as_version=4)
    ours = learner_version(source)
    stock = nbformat.read(stock_release / _label(notebook), as_version=4)
    assert len(ours.cells) == len(stock.cells)
    for mine, theirs in zip(ours.cells, stock.cells, strict=True):
        assert _comparable(mine) == _comparable(theirs), mine.get("id")
    assert ours.cells != source.cells, "the fixture must have regions to strip"


def test_learner_version_has_no_key_and_leaves_the_source_alone() -> None:
    """Does the learner's version drop every solution and hidden test, without touching its input?"""
    source = nbformat.read(GRADED, as_version=4)
    before = copy.deepcopy(source)
    ours = learner_version(source)
    assert source == before
    text = json.dumps(ours)
    for secret in (
        "BEGIN",
        "END SOLUTION",
        "record(",
        'wikidata"]',
        "len(set",
        "2001",
        "An answer",
    ):
        assert secret not in text, secret
    widget = next(c for c in ours.cells if c.id == "projects-answer")
    assert widget.source.splitlines()[-2:] == [CODE_STUB, "quiz"]
    reflection = next(c for c in ours.cells if c.id == "reflection")
    assert reflection.source == "YOUR ANSWER HERE"
    assert all(not c.get("outputs") for c in ours.cells if c.cell_type == "code")


def test_is_graded() -> None:
    """Is a notebook with nbgrader cells graded, and one without not?"""
    assert is_graded(nbformat.read(GRADED, as_version=4))
    practice = nbformat.read(
        REPO / "packs/welcome-to-wikimedia/01-the-movement.ipynb", as_version=4
    )
    assert not is_graded(practice)


@pytest.mark.parametrize(
    ("source", "code", "line"),
    [
        ("### BEGIN SOLUTION\nx = 1\n", "grade.region-unclosed", 1),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "grade.region-nested", 2),
    ],
)
def test_broken_region_is_refused_with_a_code(source: str, code: str, line: int) -> None:
    """Does a region nbgrader would refuse raise a coded error naming the cell?"""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source, id="broken")])
    with pytest.raises(RegionError) as info:
        learner_version(nb, path="x.ipynb")
    assert info.value.problems[0].code == code
    assert info.value.problems[0].path == "x.ipynb"
    assert info.value.problems[0].location == f"cell 1 [id=broken], line {line}"
