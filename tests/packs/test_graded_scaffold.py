"""``learnpacks new --graded``: the graded starter notebook is the authors' guide example, checks
clean, passes its own tests as the author wrote it, and gives learners no key."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from learnpacks.packs.learner import learner_version
from learnpacks.packs.scaffold import graded_notebook

REPO = Path(__file__).parents[2]
GUIDE = REPO / "docs" / "authors" / "exercises.md"
CATALOG = REPO / "tests" / "grading" / "fixtures" / "graded-project" / "packs" / "_config.yml"
BIN = Path(sys.executable).parent


def _graded_section() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    return text[text.index("## Graded exercises") : text.index("### Keys for `assert_answer`")]


def test_guide_example_is_the_scaffold() -> None:
    """Is the graded example in docs/authors/exercises.md, cell by cell (code, markdown answer and
    nbgrader metadata), the notebook `learnpacks new --graded` writes?"""
    section = _graded_section()
    blocks = re.findall(r"```(?:py|markdown)\n(.*?)\n```", section, re.S)
    metadata = [json.loads(m) for m in re.findall(r"^`(\{.*\})`$", section, re.M)]
    nb = graded_notebook("Demo", notebook="01-start.ipynb")
    shown = [
        c for c in nb.cells if c.id != "install" and (c.cell_type == "code" or c.id == "reflection")
    ]
    assert blocks == [c.source for c in shown]
    assert metadata == [c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata]
    hidden = {c.id for c in nb.cells if c.metadata.get("jupyter") == {"source_hidden": True}}
    # exercise-defining cells fold their code away; the function and its tests are the learner's
    assert hidden == {"install", "setup", "projects-answer", "projects-test"}


@pytest.fixture(scope="module")
def graded_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("graded-scaffold")
    (root / "packs").mkdir()
    shutil.copy(CATALOG, root / "packs" / "_config.yml")
    done = subprocess.run(
        [str(BIN / "learnpacks"), "--root", str(root), "new", "graded-start", "--graded"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return root / "packs" / "graded-start"


def test_graded_scaffold_checks_clean(graded_pack: Path) -> None:
    """Does `learnpacks check` accept the scaffolded graded pack as it is?"""
    done = subprocess.run(
        [str(BIN / "learnpacks"), "--root", str(graded_pack.parents[1]), "check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 error(s), 0 warning(s)" in done.stdout + done.stderr


@pytest.mark.slow
def test_graded_scaffold_passes_nbval_as_written(graded_pack: Path, tmp_path: Path) -> None:
    """Does the author's graded notebook (with its recorded answers) pass `pytest --nbval-lax`?"""
    work = tmp_path / "author"
    shutil.copytree(graded_pack, work)
    done = subprocess.run(
        [str(BIN / "pytest"), "-q", "-p", "no:cacheprovider", "--nbval-lax", "01-start.ipynb"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:]


def test_graded_scaffold_learner_version_has_no_key(graded_pack: Path) -> None:
    """Does the learner version of the scaffolded notebook hold no answer, test key or marker?"""
    nb = learner_version(nbformat.read(graded_pack / "01-start.ipynb", as_version=4))
    text = json.dumps(nb)
    for key in ("BEGIN", "record(", "len(set", 'assert_answer(\\"projects', "A good answer"):
        assert key not in text, key
