"""What readers get of an author's notebook: the site's page source and every download.

One model of what an exercise shows to whom (issue 10, THREATS.md 56):

- A graded notebook is published as the **learner's version** (:func:`learnpacks.packs.learner.
  learner_version`: solution regions stubbed, hidden tests removed), on the site and in every
  download, exactly what ``cohort release`` gives learners.
- **Exercise and set-up cells** (read from the code, :mod:`learnpacks.packs.roles`) carry
  ``jupyter.source_hidden`` in every download, so JupyterLab shows the widget, not the code.
- On the **site**, those cells are rendered without their source (MyST-NB ``remove-input``), so
  neither the page nor Sphinx's or Pagefind's search index holds the code that defines an exercise;
  the output of a cell that uses an exercise (``exercise.check(f)``: the build's own attempt) is
  not shown (``remove-output``); autograder test cells are neither run nor shown (``remove-cell``,
  ``skip-execution``): a reader cannot run them, and a learner's version fails them by design.
- A **downloaded** set-up cell knows where the site's learnpacks wheel is
  (:func:`learnpacks.packs.install_cell.with_wheel_url`).

The widget state the build saves is reset to the learner's starting state in the Sphinx extension
(:func:`learnpacks.book.sphinx_ext.publish_widgets`).
"""

from __future__ import annotations

import copy
from typing import Any

import nbformat

from learnpacks.i18n.direction import unwrapped
from learnpacks.packs import learner
from learnpacks.packs.install_cell import with_wheel_url
from learnpacks.packs.roles import cell_roles, hide_source, hides_source

#: MyST-NB cell tags the site copy gets, by cell role.
SITE_TAGS: dict[str, tuple[str, ...]] = {
    "exercise": ("remove-input",),
    "setup": ("remove-input",),
    "exercise-use": ("remove-output",),
    "test": ("remove-cell", "skip-execution"),
}


def learners_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of *nb* as learners and readers get it: the learner's version of a graded notebook,
    exercise and set-up cells with their source hidden in JupyterLab."""
    out = learner.learner_version(nb) if learner.is_graded(nb) else copy.deepcopy(nb)
    for cell, role in zip(out.cells, cell_roles(out), strict=True):
        if hides_source(role):
            hide_source(cell)
    return out


def _add_tags(cell: Any, tags: tuple[str, ...]) -> None:
    if not isinstance(cell.get("metadata"), dict):
        cell["metadata"] = {}
    metadata = cell["metadata"]
    found = metadata.get("tags")
    current = [str(t) for t in found] if isinstance(found, list) else []
    metadata["tags"] = current + [t for t in tags if t not in current]


def site_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The copy of *nb* the site renders (see the module docstring)."""
    out = learners_notebook(nb)
    for cell in out.cells:
        unwrapped(cell)  # the page is right to left already, and renders no contributed HTML
    for cell, role in zip(out.cells, cell_roles(out), strict=True):
        key = "test" if learner.is_test_cell(cell) else role
        if key in SITE_TAGS:
            _add_tags(cell, SITE_TAGS[key])
    return out


def download_notebook(nb: nbformat.NotebookNode, *, wheel_url: str | None) -> nbformat.NotebookNode:
    """The copy of *nb* readers download; its set-up cell fetches *wheel_url* when it must."""
    out = learners_notebook(nb)
    if wheel_url:
        for cell, role in zip(out.cells, cell_roles(out), strict=True):
            if role == "setup":
                filled = with_wheel_url(cell.get("source", ""), wheel_url)
                if filled is not None:
                    cell["source"] = filled
    return out


def _convert(data: bytes, change: Any) -> bytes:
    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    except (UnicodeDecodeError, ValueError):
        return data  # not a notebook the site could render either: Sphinx reports it
    return (nbformat.writes(change(nb)) + "\n").encode("utf-8")


def site_bytes(data: bytes) -> bytes:
    """:func:`site_notebook` of a notebook file's bytes."""
    return _convert(data, site_notebook)


def download_bytes(data: bytes, *, wheel_url: str | None) -> bytes:
    """:func:`download_notebook` of a notebook file's bytes."""
    return _convert(data, lambda nb: download_notebook(nb, wheel_url=wheel_url))
