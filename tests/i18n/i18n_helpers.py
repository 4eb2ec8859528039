"""Helpers of the translation pipeline's tests (imported by name: the test folders are not packages)."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = FIXTURES / "project"
CATALOGS = FIXTURES / "catalogs"
PACK = "sample-pack"


def scenario(project: Path, name: str, lang: str = "fr") -> Path:
    """Put the scenario catalog *name* in place of the project's catalog for *lang*."""
    target = project / "translations" / lang / f"{PACK}.po"
    shutil.copyfile(CATALOGS / f"{name}.po", target)
    return target


def read_built(out: Path, lang: str, notebook: str) -> nbformat.NotebookNode:
    nb = nbformat.read(out / lang / PACK / notebook, as_version=4)
    nbformat.validate(nb)
    return nb


def cell(nb: nbformat.NotebookNode, cell_id: str) -> str:
    return next(c.source for c in nb.cells if c.id == cell_id)


def edit_cell(project: Path, notebook: str, cell_id: str, old: str, new: str) -> None:
    """Change *old* to *new* in one cell of the fixture pack's notebook."""
    path = project / "packs" / PACK / notebook
    nb = nbformat.read(path, as_version=4)
    target = next(c for c in nb.cells if c.id == cell_id)
    assert old in target.source
    target.source = target.source.replace(old, new)
    nbformat.write(nb, path)
