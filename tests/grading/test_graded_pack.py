"""A pack in the graded shape from the author's notebook to the learners' grades, in French.

``graded-project/packs/graded-quiz`` (a graded multiple choice and short answer, a graded
function and a hand-graded reflection) goes: author → ``learnpacks check`` → nbval (the author's
notebook passes its own tests) → learner version (no key; its tests fail) → ``i18n extract`` /
the fr catalog / ``i18n build`` → ``cohort init --lang fr`` + ``release`` (no key) → right,
partly right, wrong and blank hand-ins (answers files made by the widgets, code) → ``collect`` →
``grade``, with the scores of stock ``nbgrader autograde`` on the same hand-ins. A hostile
catalog that translates the markers is refused and its release holds no hidden test.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from grading_helpers import FIXTURES
from support import stock_nbgrader

from learnpacks.checks import check_catalog
from learnpacks.grading.cohort import Cohort, init_cohort
from learnpacks.grading.collect import collect
from learnpacks.grading.grade import grade_cohort
from learnpacks.grading.handin import package_work
from learnpacks.grading.release import HANDIN_MARK, NOTICE_MARK, release_cohort
from learnpacks.i18n import build, check_catalogs, extract
from learnpacks.i18n.graded import grading_changes
from learnpacks.packs.learner import CODE_STUB, learner_version
from learnpacks.widgets.answers import reset_configuration

pytestmark = pytest.mark.slow

PROJECT = FIXTURES / "graded-project"
HOSTILE = FIXTURES.parents[1] / "i18n/fixtures/graded-catalogs/translation-unhides-hidden-tests.po"
PACK = "graded-quiz"
NB = "01-graded-quiz.ipynb"
BIN = Path(sys.executable).parent
#: what only the author's notebook may hold: markers, recorded answers, keys, model answers
KEYS = (
    "BEGIN",
    "END SOLUTION",
    "HIDDEN",
    ".record(",
    "assert_answer(",
    'correct=["wikidata"]',
    "2001",
    "len(set(",
    "count_projects([]) == 0",
    "An answer names",
)
#: learner -> (answers given in the widgets, count_projects body, reflection)
LEARNERS: dict[str, tuple[dict[str, Any], str | None, str | None]] = {
    "right": (
        {"projects": ["wikidata"], "founded": "2001"},
        "    return len(set(names))",
        "Wikidata: I like facts that machines can read.",
    ),
    "partly": (  # right choice, no year, code that passes only the visible test
        {"projects": ["wikidata"]},
        "    return len(set(names)) or 1",
        None,
    ),
    "wrong": ({"projects": ["wikisource"], "founded": "2000"}, "    return len(names)", "No idea."),
    "blank": ({}, None, None),  # hands in the release untouched
}
WIDGET_CELLS = {"projects": ("projects-answer", "quiz"), "founded": ("founded-answer", "year")}


def _text(nb: nbformat.NotebookNode) -> str:
    return "\n".join(c.source for c in nb.cells)


def _env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}


def _answer_like_a_learner(folder: Path, release: nbformat.NotebookNode, answers: dict) -> None:
    """Run the release's set-up and widget cells here, then press Check in each widget (the
    message its front-end sends): the answers file is the one a learner's JupyterLab writes."""
    if not answers:
        return
    namespace: dict[str, Any] = {}
    cells = {c.id: c.source for c in release.cells}
    with contextlib.chdir(folder):
        try:
            exec(cells["setup"], namespace)  # noqa: S102 - the fixture pack's own cells
            for exercise, answer in answers.items():
                cell_id, name = WIDGET_CELLS[exercise]
                exec(cells[cell_id], namespace)  # noqa: S102
                namespace[name].handle_message({"type": "answer", "answer": answer})
        finally:
            reset_configuration()


def _hand_in(name: str, release: nbformat.NotebookNode, base: Path) -> Path:
    answers, body, reflection = LEARNERS[name]
    folder = base / "work" / name
    folder.mkdir(parents=True)
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        if cell.id == "count-projects" and body is not None:
            cell.source = cell.source.replace(CODE_STUB, body.strip())
        if cell.id == "reflection" and reflection is not None:
            cell.source = reflection
    nbformat.write(nb, folder / NB)
    _answer_like_a_learner(folder, nb, answers)
    return package_work(name, assignment=PACK, notebooks=[NB], folder=folder)


def _scores(db_url: str) -> dict[tuple[str, str], float | None]:
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        return {
            (sub.student.id, grade.name): grade.auto_score
            for sub in gb.assignment_submissions(PACK)
            for nb in sub.notebooks
            for grade in nb.grades
        }


def _stock(cohort: Cohort, dest: Path) -> tuple[str, nbformat.NotebookNode]:
    """Stock nbgrader in a copy of the cohort, with the cohort's nbgrader_config.json:
    generate_assignment, then autograde of the hand-ins (each must succeed)."""
    dest.mkdir()
    for part in ("source", "submitted"):
        shutil.copytree(cohort.root / part, dest / part)
    config = json.loads((cohort.root / "nbgrader_config.json").read_text())
    db = stock_nbgrader(dest, PACK, config, strict=True)
    return db, nbformat.read(dest / "release" / PACK / NB, as_version=4)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The whole scenario once; each test below inspects one stage."""
    base = tmp_path_factory.mktemp("graded-pack")
    project = base / "project"
    shutil.copytree(PROJECT, project)
    out: dict[str, Any] = {"project": project}
    out["check"] = check_catalog(root=project)
    author = base / "author"
    shutil.copytree(project / "packs" / PACK, author)
    out["nbval"] = subprocess.run(
        [str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", "--nbval-lax", NB],
        cwd=author,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    committed = (project / "translations/templates/graded-quiz.pot").read_text()
    extract(root=project)
    out["template_unchanged"] = (
        project / "translations/templates/graded-quiz.pot"
    ).read_text() == committed
    out["i18n_check"] = check_catalogs(root=project)
    build(root=project, out_dir=base / "notebooks", languages=["fr"], pack_ids=[PACK])
    out["source"] = nbformat.read(project / "packs" / PACK / NB, as_version=4)
    out["french"] = nbformat.read(base / "notebooks/fr" / PACK / NB, as_version=4)
    cohort = init_cohort(base / "cohort", pack=PACK, root=project, language="fr")
    release_cohort(cohort)
    release = nbformat.read(cohort.path("release") / NB, as_version=4)
    out["release"] = release
    zips = [_hand_in(name, release, base) for name in LEARNERS]
    out["collected"] = collect(cohort, zips)
    grade_cohort(cohort, workers=2)
    out["ours"] = _scores(cohort.db_url)
    stock_db, out["stock_release"] = _stock(cohort, base / "stock")
    out["stock"] = _scores(stock_db)
    return out


def test_author_notebook_checks_clean_and_passes_nbval(run: dict[str, Any]) -> None:
    """Does the author's graded notebook check clean and pass its own tests under nbval?"""
    assert run["check"].problems == []
    assert run["nbval"].returncode == 0, run["nbval"].stdout[-3000:]


def test_learner_version_has_no_key_and_fails_its_tests(
    tmp_path: Path, run: dict[str, Any]
) -> None:
    """Run as a learner gets it, does the learner version show both widgets, hold no key, and
    fail the function's test (nothing is answered)?"""
    import nbclient

    learner = learner_version(run["source"])
    text = _text(learner)
    assert not [k for k in KEYS if k in text]
    nbclient.NotebookClient(
        learner,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    errors = {
        c.id: o["ename"]
        for c in learner.cells
        for o in c.get("outputs", [])
        if o.output_type == "error"
    }
    assert errors == {"count-projects-test": "AssertionError"}
    shown = [
        c.id
        for c in learner.cells
        for o in c.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert shown == ["projects-answer", "founded-answer"]
    assert not (tmp_path / ".learnpacks-answers.json").exists()


def test_translation_offers_and_changes_no_key(run: dict[str, Any]) -> None:
    """Is the extracted template the committed one, the fr catalog clean, and the French notebook
    translated everywhere but in its graded cells?"""
    assert run["template_unchanged"]
    assert run["i18n_check"] == []
    assert grading_changes(run["source"], run["french"], display="fr") == []
    assert "Quel projet Wikimedia stocke des données structurées ?" in _text(run["french"])


def test_french_release_is_the_learner_version_without_key(run: dict[str, Any]) -> None:
    """Is the French release, cell by cell, the learner version of the French notebook (what stock
    generate_assignment with the cohort's config also writes), with its widgets kept and no key?"""
    release = [
        c
        for c in run["release"].cells
        if c.metadata.get("learnpacks", {}).get("role") not in (HANDIN_MARK, NOTICE_MARK)
    ]
    expected = learner_version(run["french"]).cells
    assert [c.source for c in release] == [c.source for c in expected]
    assert [c.source for c in run["stock_release"].cells] == [c.source for c in expected]
    text = _text(run["release"])
    assert not [k for k in KEYS if k in text]
    widget = next(c for c in release if c.id == "projects-answer")
    assert widget.source.splitlines()[-2:] == [CODE_STUB, "quiz"]
    assert "Quel projet Wikimedia" in widget.source


def test_grades_equal_stock_nbgrader(run: dict[str, Any]) -> None:
    """Are all four hand-ins collected, and is every autograded score what stock nbgrader gives
    on the same hand-ins: full marks when right, none when wrong or blank?"""
    assert sorted(run["collected"].accepted) == sorted(LEARNERS)
    assert run["collected"].rejected == []
    assert run["ours"] == run["stock"]
    assert len(run["ours"]) == 4 * 4
    expected = {  # the reflection waits for a person (None), unless left as released (0)
        "right": (1.0, 1.0, 2.0, None),
        "partly": (1.0, 0.0, 0.0, 0.0),
        "wrong": (0.0, 0.0, 0.0, None),
        "blank": (0.0, 0.0, 0.0, 0.0),
    }
    for name, scores in expected.items():
        cells = ("projects-test", "founded-test", "count-projects-test", "reflection")
        assert tuple(run["ours"][(name, cell)] for cell in cells) == scores, name


def test_hostile_catalog_is_refused_and_its_release_has_no_hidden_test(
    tmp_path: Path,
) -> None:
    """With a catalog that translates every marker and edits the tests, does `i18n check` refuse
    it, and does `cohort init --lang fr` + `release` still give learners no hidden test?"""
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    shutil.copy(HOSTILE, project / "translations/fr/graded-quiz.po")
    codes = {p.code for p in check_catalogs(root=project)}
    assert {"i18n.grading-marker", "i18n.grading-region"} <= codes
    cohort = init_cohort(tmp_path / "cohort", pack=PACK, root=project, language="fr")
    release_cohort(cohort)
    text = _text(nbformat.read(cohort.path("release") / NB, as_version=4))
    assert not [k for k in (*KEYS, "DÉBUT", "CACHÉS", "wikidata »") if k in text]
    assert "Quel projet Wikimedia" in text
