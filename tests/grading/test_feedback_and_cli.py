"""Feedback pages (language, direction, no hidden tests) and the ``learnpacks cohort`` CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from grading_helpers import PROJECT

from learnpacks.grading.feedback import feedback_notebook, render_html

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("language", "direction", "phrase"),
    [
        ("en", "ltr", "Some hidden tests did not pass."),
        ("fr", "ltr", "Certains tests cachés n’ont pas réussi."),
        ("ar", "rtl", "لم تنجح بعض الاختبارات المخفية."),
    ],
)
def test_feedback_is_in_the_cohort_language_without_hidden_tests(
    grade, authority, language, direction, phrase
):
    """THREATS 28: is a partly right learner's feedback in the cohort's language and direction,
    saying hidden tests failed without their source, values or traceback?"""
    import nbformat
    from grading_helpers import FIXTURES

    release = nbformat.read(str(FIXTURES / "release-01-functions.ipynb"), as_version=4)
    for cell in release.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "count-words":
            cell.source = "def count_words(text):\n    return len(text.split(' '))"
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "square":
            cell.source = "def square(x):\n    return x * x"
    result = grade("partly", data=nbformat.writes(release).encode())
    assert result["grades"]["count-words-tests"]["auto_score"] == 0
    page = render_html(
        feedback_notebook(result["autograded"], authority, result, language), language
    )
    assert f'lang="{language}" dir="{direction}"' in page
    assert phrase in page
    for marker in ("HIDDEN", "count_words(&quot;&quot;)", 'count_words("")', "Commons"):
        assert marker not in page


def test_cli_init_release_and_usage_errors(tmp_path):
    """Do `learnpacks cohort init` and `release` work from the command line, and does an
    unknown pack exit 2 with a message instead of a traceback?"""
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}
    cli = [sys.executable, "-m", "learnpacks", "--root", str(PROJECT), "cohort"]
    bad = subprocess.run(
        [*cli, "init", str(tmp_path / "x"), "--pack", "nope"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "no pack 'nope'" in (bad.stderr + bad.stdout)
    assert "Traceback" not in bad.stderr
    made = subprocess.run(
        [*cli, "init", str(tmp_path / "c"), "--pack", "grading-demo", "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["notebooks"] == ["01-functions.ipynb", "02-lists.ipynb"]
    rel = subprocess.run(
        [*cli, "release", "-C", str(tmp_path / "c"), "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert rel.returncode == 0, rel.stderr
    out = json.loads(rel.stdout)
    assert Path(out["archive"]).is_file()
    released = (tmp_path / "c" / "release" / "grading-demo" / "01-functions.ipynb").read_text()
    assert "BEGIN SOLUTION" not in released and "x * x" not in released
    assert "HandIn(" in released


def test_init_in_another_language_uses_the_translation_build(tmp_path):
    """Does `cohort init --lang fr` take the pack's notebooks from the translation build, keep
    their nbgrader cells, and release them?"""
    import shutil

    from learnpacks.grading.cohort import init_cohort
    from learnpacks.grading.release import release_cohort

    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    cohort = init_cohort(tmp_path / "fr", pack="grading-demo", root=project, language="fr")
    assert cohort.language == "fr"
    release = release_cohort(cohort)
    text = (release.folder / "01-functions.ipynb").read_text()
    assert "square-tests" in text and "BEGIN HIDDEN TESTS" not in text
    # the hand-in cell and the notice of what is graded and sent are in the cohort's language
    assert "## Rendre votre travail" in text and "Ce qui est noté et ce qui est envoyé" in text
    assert "language='fr'" in text
