"""What readers get of an author's notebook: the site's copy and the download (no key, no code)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from learnpacks.book.published import download_notebook, site_notebook
from learnpacks.packs.learner import MARKERS

REPO = Path(__file__).resolve().parents[2]
GRADED = REPO / "tests" / "grading" / "fixtures" / "graded-project" / "packs" / "graded-quiz"
WELCOME = REPO / "packs" / "welcome-to-wikimedia"


@pytest.fixture
def graded() -> nbformat.NotebookNode:
    return nbformat.read(GRADED / "01-graded-quiz.ipynb", as_version=4)


def _tags(nb: nbformat.NotebookNode) -> dict[str, list[str]]:
    return {c.id: list(c.metadata.get("tags", [])) for c in nb.cells}


@pytest.mark.parametrize("publish", [site_notebook, download_notebook], ids=["site", "download"])
def test_a_graded_notebook_is_published_as_the_learners_version(graded, publish):
    """Do the site's copy and the download of a graded notebook hold no solution, no hidden test and
    no nbgrader marker, as `cohort release` gives learners?"""
    kwargs = {"wheel_url": None} if publish is download_notebook else {}
    text = json.dumps(publish(graded, **kwargs))
    for secret in (*MARKERS, 'quiz.record(["wikidata"])', 'accepted=["2001"]', "len(set(names))"):
        assert secret not in text
    assert "count_projects([]) == 0" not in text  # a hidden test
    assert "MultipleChoice(" in text  # the widget itself is still there


def test_the_site_shows_widgets_not_code_and_runs_no_test(graded):
    """On the site, do exercise and set-up cells lose their input, test cells neither run nor show,
    and the learner's own code cell stay as it is?"""
    tags = _tags(site_notebook(graded))
    assert tags["setup"] == ["remove-input"]
    assert tags["projects-answer"] == ["remove-input"]
    assert tags["projects-test"] == ["remove-cell", "skip-execution"]
    assert tags["count-projects-test"] == ["remove-cell", "skip-execution"]
    assert tags["count-projects"] == []


def test_the_build_attempt_of_a_code_exercise_is_not_shown():
    """Does the cell where the notebook checks its starter code show no output on the site (the
    build's own failed attempt), while the data cell keeps its output?"""
    nb = nbformat.read(WELCOME / "02-projects-and-affiliates.ipynb", as_version=4)
    tags = _tags(site_notebook(nb))
    assert tags["projects-urls-answer"] == ["remove-output"]
    assert tags["projects-urls-exercise"] == ["remove-input"]
    assert tags["projects-read"] == []


def test_a_download_hides_exercise_code_and_knows_the_sites_wheel():
    """Does a downloaded notebook hide the code of its exercise and set-up cells in JupyterLab, and
    does its set-up cell name the site's wheel, with no site-only tags?"""
    nb = nbformat.read(WELCOME / "02-projects-and-affiliates.ipynb", as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("jupyter", None)  # as an author who forgot to hide them
    url = "https://learn.example.org/en/downloads/learnpacks-0.1.0-py3-none-any.whl"
    out = download_notebook(nb, wheel_url=url)
    hidden = {c.id for c in out.cells if c.metadata.get("jupyter", {}).get("source_hidden")}
    assert {"projects-install", "projects-setup", "projects-urls-exercise"} <= hidden
    assert "projects-read" not in hidden and "projects-urls-answer" not in hidden
    install = next(c for c in out.cells if c.id == "projects-install")
    assert f'WHEEL_URL = "{url}"' in install.source
    assert not any(c.metadata.get("tags") for c in out.cells)
