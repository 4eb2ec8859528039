"""Translators never get answer keys or nbgrader markers (THREATS.md 56, 63): what `extract`
offers from a graded pack, what `check` refuses, and what `build` will not write."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import nbformat
import polib
import pytest

from learnpacks.errors import LearnpacksError
from learnpacks.i18n import build, check_catalogs, extract
from learnpacks.i18n.graded import grading_changes, require_same_grading
from learnpacks.packs.learner import MARKERS

REPO = Path(__file__).parents[2]
GRADED_PROJECT = REPO / "tests" / "grading" / "fixtures" / "graded-project"
HOSTILE = (
    Path(__file__).parent / "fixtures" / "graded-catalogs" / "translation-unhides-hidden-tests.po"
)
NOTEBOOK = "packs/graded-quiz/01-graded-quiz.ipynb"
#: text that lies inside a region or a test cell of the fixture notebook
KEYS = (
    "the author's answer",
    "Checks your recorded answer",
    "Checks count_projects",
    "An answer names",
)


@pytest.fixture
def graded_project(tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(GRADED_PROJECT, dest)
    return dest


def test_extract_offers_no_marker_region_or_test(graded_project: Path) -> None:
    """Does the template of a graded pack hold its prompts, and no marker, nothing from a region
    and nothing from a test cell? (It is also the committed fixture template, unchanged.)"""
    committed = (graded_project / "translations/templates/graded-quiz.pot").read_text()
    extract(root=graded_project)
    pot = polib.pofile(str(graded_project / "translations/templates/graded-quiz.pot"))
    ids = [e.msgid for e in pot]
    assert "Which Wikimedia project stores structured data?" in ids  # a graded widget's prompt
    assert "In which year did Wikipedia start?" in ids
    for entry in pot:
        assert not any(m in entry.msgid for m in MARKERS), entry.msgctxt
        assert not any(k in entry.msgid for k in KEYS), entry.msgctxt
        assert "-test#" not in entry.msgctxt and "#reflection#" not in entry.msgctxt
    assert (graded_project / "translations/templates/graded-quiz.pot").read_text() == committed


def test_check_refuses_every_hostile_entry(graded_project: Path) -> None:
    """Does `i18n check` refuse each entry of a catalog that translates the markers and edits the
    tests, with a code, the catalog and the entry's line, and pass the legitimate entries?"""
    shutil.copy(HOSTILE, graded_project / "translations/fr/graded-quiz.po")
    problems = check_catalogs(root=graded_project, languages=["fr"])
    hostile = [e for e in polib.pofile(str(HOSTILE)) if "before markers" in (e.comment or "")]
    assert len(hostile) == 18
    for entry in hostile:
        codes = {p.code for p in problems if p.location.startswith(f"msgctxt {entry.msgctxt!r}")}
        assert "i18n.grading-region" in codes, entry.msgctxt
        if any(m in entry.msgid for m in MARKERS):
            assert "i18n.grading-marker" in codes
    located = {p.location for p in problems}
    assert all(p.path == "translations/fr/graded-quiz.po" for p in problems)
    assert all(", line " in loc for loc in located)
    assert not any("projects-answer#1" in loc for loc in located)  # a prompt is fine


def test_check_refuses_a_marker_brought_in_by_a_translation(graded_project: Path) -> None:
    """Is a msgstr that adds nbgrader's marker to an offered unit (a prompt) refused?"""
    path = graded_project / "translations/fr/graded-quiz.po"
    po = polib.pofile(str(path))
    prompt = next(e for e in po if e.msgctxt.endswith("#projects-answer#1"))
    prompt.msgstr = "Quel projet ? ### END SOLUTION"
    po.save(str(path))
    problems = check_catalogs(root=graded_project, languages=["fr"])
    assert [(p.code, p.location.split(",")[0]) for p in problems] == [
        ("i18n.grading-marker", "msgctxt '01-graded-quiz.ipynb#projects-answer#1'")
    ]


def test_build_with_hostile_catalog_keeps_every_region(
    graded_project: Path, tmp_path: Path
) -> None:
    """Does `i18n build` with the hostile catalog write a French notebook whose nbgrader cells,
    markers and regions are the source's, with the legitimate translations in place?"""
    shutil.copy(HOSTILE, graded_project / "translations/fr/graded-quiz.po")
    out = tmp_path / "out"
    result = build(root=graded_project, out_dir=out, languages=["fr"], pack_ids=["graded-quiz"])
    warned = {p.location.split(",")[0] for p in result.problems if p.code == "i18n.grading-region"}
    assert len(warned) == 18 and {p.severity for p in result.problems} == {"warning"}
    source = nbformat.read(graded_project / NOTEBOOK, as_version=4)
    french = nbformat.read(out / "fr/graded-quiz/01-graded-quiz.ipynb", as_version=4)
    assert grading_changes(source, french, display="fr") == []
    text = nbformat.writes(french)
    assert "Quel projet Wikimedia stocke des données structurées ?" in text
    assert "DÉBUT" not in text and "CACHÉS" not in text and "wikidata »" not in text
    assert text.count("BEGIN HIDDEN TESTS") == source_text_count(source, "BEGIN HIDDEN TESTS")


def source_text_count(nb: nbformat.NotebookNode, text: str) -> int:
    return nbformat.writes(nb).count(text)


@pytest.mark.parametrize(
    ("cell_id", "change"),
    [
        ("projects-test", lambda c: c.update(source=c.source.replace("### BEGIN", "### DÉBUT"))),
        ("count-projects", lambda c: c.update(source=c.source.replace("set(names)", "names"))),
        ("projects-test", lambda c: c.metadata["nbgrader"].update(points=100)),
        ("reflection", lambda c: c.update(cell_type="raw")),
    ],
    ids=["marker-translated", "solution-edited", "points-changed", "cell-type-changed"],
)
def test_build_refuses_a_notebook_that_grades_differently(cell_id: str, change) -> None:
    """Would `build` refuse, with i18n.grading-changed naming the cell, a translated notebook
    whose markers, regions, test code, nbgrader metadata or cell types differ from the source's?"""
    source = nbformat.read(GRADED_PROJECT / NOTEBOOK, as_version=4)
    translated = copy.deepcopy(source)
    change(next(c for c in translated.cells if c.id == cell_id))
    with pytest.raises(LearnpacksError) as info:
        require_same_grading(source, translated, display="fr/graded-quiz/01-graded-quiz.ipynb")
    (problem,) = info.value.problems
    assert problem.code == "i18n.grading-changed" and f"[id={cell_id}]" in problem.location


def test_repository_templates_offer_no_marker() -> None:
    """Does no template of the repository offer an nbgrader marker to translators?"""
    templates = sorted((REPO / "translations" / "templates").glob("*.pot"))
    assert templates
    for path in templates:
        for entry in polib.pofile(str(path)):
            assert not any(m in entry.msgid for m in MARKERS), (path.name, entry.msgctxt)
