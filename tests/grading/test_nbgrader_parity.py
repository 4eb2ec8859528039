"""THREATS 62: notebooks made by other nbgrader versions grade as stock nbgrader grades them.

The notebooks are the fixtures nbgrader ships in its own wheel (``nbgrader/tests/apps/files``
and ``preprocessors/files``): nbformat 4.0, 4.1 and 4.4, test cells marked ``locked: false``,
partial credit (0.5 points), manually graded answers, a test that reads a data file, cheat
attempts. They become one pack (one notebook per nbgrader source), run through ``cohort
init``/``release``/``collect``/``grade``, and stock ``nbgrader autograde`` grades the same
hand-ins in a copy of the course, in the same test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from grading_helpers import PROJECT, gradebook_scores, stock_autograde

from learnpacks.grading.cohort import init_cohort
from learnpacks.grading.collect import collect
from learnpacks.grading.grade import grade_cohort
from learnpacks.grading.release import release_cohort

pytestmark = pytest.mark.slow

NBGRADER_TESTS = Path(__import__("nbgrader").__file__).parent / "tests"
APPS = NBGRADER_TESTS / "apps" / "files"
PREPROCESSORS = NBGRADER_TESTS / "preprocessors" / "files"

#: notebook of the pack -> (its nbgrader source, {learner: the hand-in nbgrader ships})
SOURCES: dict[str, tuple[Path, dict[str, Path]]] = {
    # nbformat 4.0; `foo` and `bar` are test cells with "locked": false
    "p-set": (
        APPS / "submitted-unchanged.ipynb",
        {
            "set-unchanged": APPS / "submitted-unchanged.ipynb",
            "set-changed": APPS / "submitted-changed.ipynb",
            "set-cheat-attempt": APPS / "submitted-cheat-attempt.ipynb",
            "set-cheat-attempt-alternative": APPS / "submitted-cheat-attempt-alternative.ipynb",
            "set-grade-cell-changed": APPS / "submitted-grade-cell-changed.ipynb",
            "set-locked-cell-changed": APPS / "submitted-locked-cell-changed.ipynb",
            "set41-unchanged": PREPROCESSORS / "submitted-unchanged.ipynb",
            "set41-changed": PREPROCESSORS / "submitted-changed.ipynb",
            "set41-answer-cell-type-changed": PREPROCESSORS
            / "submitted-answer-cell-type-changed.ipynb",
            "set41-grade-cell-type-changed": PREPROCESSORS
            / "submitted-grade-cell-type-changed.ipynb",
        },
    ),
    # nbformat 4.0: partial credit (0.5), manually graded answers, a locked markdown cell
    "p-squares": (
        APPS / "test.ipynb",
        {
            "squares-solved": APPS / "test.ipynb",
            "squares-with-output": APPS / "test-with-output.ipynb",
        },
    ),
    # nbformat 4.0, hidden tests
    "p-hidden": (
        APPS / "test-hidden-tests.ipynb",
        {"hidden-solved": APPS / "test-hidden-tests.ipynb"},
    ),
    # nbformat 4.0, a test that opens a data file of the assignment
    "p-open": (
        APPS / "open_relative_file.ipynb",
        {"open-solved": APPS / "open_relative_file.ipynb"},
    ),
    # nbformat 4.4, a test worth 0 points
    "p-zero": (
        APPS / "validation-zero-points.ipynb",
        {"zero-solved": APPS / "validation-zero-points.ipynb"},
    ),
}
PACK = "nbgrader-fixtures"
#: what stock nbgrader's autograde replaces or refuses; we flag it for a human instead
PROTECTED_CHANGES = {"grading.cell-changed", "grading.metadata-changed", "grading.cell-missing"}
#: nbgrader's own cheat attempts patch ``showtraceback``: the tests after them are withheld (57)
TAMPERING = {"grading.tamper-ipython", "grading.tamper-patch", "grading.tamper-state"}


def _pack_project(root: Path) -> Path:
    """A project whose one pack holds nbgrader's own notebooks, copied from the wheel now."""
    (root / "packs").mkdir(parents=True)
    shutil.copy(PROJECT / "packs" / "_config.yml", root / "packs" / "_config.yml")
    pack = root / "packs" / PACK
    pack.mkdir()
    for name, (source, _) in SOURCES.items():
        shutil.copy(source, pack / f"{name}.ipynb")
    shutil.copy(APPS / "data.txt", pack / "data.txt")
    notebooks = "".join(f"- {name}.ipynb\n" for name in SOURCES)
    (pack / "pack.yml").write_text(
        f"schema_version: 1\nid: {PACK}\ntitle: nbgrader's own fixtures\n"
        "summary: The notebooks nbgrader tests itself with.\nlanguage: en\nlevel: beginner\n"
        "duration: 10\ntopics: [testing]\naudience: [facilitators]\nformats: [exercises]\n"
        "objectives: [Grade as nbgrader does.]\nauthors: [{name: nbgrader}]\n"
        f"notebooks:\n{notebooks}"
    )
    return root


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Init, release, collect and grade nbgrader's fixtures; then stock autograde in a copy."""
    base = tmp_path_factory.mktemp("parity")
    project = _pack_project(base / "project")
    cohort = init_cohort(base / "cohort", pack=PACK, root=project)
    release = release_cohort(cohort)
    sources = []
    for name, (_, handins) in SOURCES.items():
        for learner, path in handins.items():
            folder = base / "handins" / learner
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, folder / f"{name}.ipynb")
            sources.append(folder)
    collected = collect(cohort, sorted(set(sources)))
    summary = grade_cohort(cohort, workers=2)
    results = {}
    for folder in (cohort.state / "results").iterdir():
        for path in folder.glob("*.json"):
            results[(folder.name, path.stem)] = json.loads(path.read_text())["result"]
    stock = gradebook_scores(stock_autograde(cohort, base / "stock"), cohort.assignment)
    return {
        "cohort": cohort,
        "release": release,
        "collected": collected,
        "summary": summary,
        "results": results,
        "ours": gradebook_scores(cohort.db_url, cohort.assignment),
        "stock": stock,
    }


def test_releases_keep_each_notebooks_nbformat_version(graded):
    """Is every released notebook valid for its own nbformat minor (4.0 has no cell ids), with
    the hand-in cells added?"""
    for name, (source, _) in SOURCES.items():
        want = json.loads(source.read_text())["nbformat_minor"]
        path = graded["release"].folder / f"{name}.ipynb"
        raw = json.loads(path.read_text())
        assert raw["nbformat_minor"] == want, name
        nbformat.validate(nbformat.reads(path.read_text(), as_version=4))
        if want < 5:
            assert not any("id" in cell for cell in raw["cells"]), name
        assert "HandIn(" in path.read_text()


def test_every_nbgrader_handin_is_filed(graded):
    """Does collect accept every notebook nbgrader ships as a hand-in (4.0, 4.1, 4.4)?"""
    assert not graded["collected"].rejected
    learners = {learner for _, handins in SOURCES.values() for learner in handins}
    assert set(graded["collected"].accepted) == learners


def test_every_cell_scores_as_stock_nbgrader_or_says_why(graded):
    """Does every graded cell get stock `nbgrader autograde`'s score, except where the learner
    really changed a protected cell, which is then flagged with the cell and the reason?"""
    ours, stock = graded["ours"], graded["stock"]
    assert set(ours) == set(stock) and len(stock) > 40
    explained = 0
    for key, want in sorted(stock.items()):
        learner, notebook, cell = key
        if ours[key] == want:
            continue
        result = graded["results"][(learner, notebook)]
        if want is None:
            # stock refuses the notebook (a graded cell's type was changed): we restore the
            # cell, grade, and name the changed cell for a human
            why = [f for f in result["findings"] if f["review"]]
            assert learner.endswith("cell-type-changed"), (key, ours[key])
        else:
            why = [f for f in result["findings"] if f["grade_id"] == cell and f["review"]]
        codes = {f["code"] for f in why}
        assert why and codes <= PROTECTED_CHANGES | TAMPERING, (key, ours[key], want)
        assert learner.startswith("set-cheat-attempt") or not codes & TAMPERING
        assert why[0]["grade_id"] in why[0]["message"]
        explained += 1
    assert explained <= 10  # the two who changed a graded cell's type; `foo` of the cheaters


def test_unchanged_handins_are_never_flagged(graded):
    """Are `locked: false` test cells handed back unchanged graded without any flag?"""
    for (learner, notebook), result in graded["results"].items():
        if learner.endswith(("unchanged", "solved", "with-output")) or learner == "set-changed":
            assert not result["flagged"], (learner, notebook, result["findings"])
    assert (
        graded["ours"][("set-changed", "p-set", "foo")]
        == graded["stock"][("set-changed", "p-set", "foo")]
    )
    assert graded["ours"][("squares-solved", "p-squares", "correct_sum_of_squares")] == 0.5
