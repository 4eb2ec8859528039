"""Which code cells define an exercise, which only set up, read from the code (not from tags)."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
from support import repository_cells

from learnpacks.packs.install_cell import INSTALL_CELL, with_wheel_url
from learnpacks.packs.roles import (
    KINDS,
    cell_roles,
    forget_trees,
    hide_source,
    nodes_of,
    parse_cell,
    source_hidden,
)

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED = {"setup": "setup", "exercise": "exercise", "use": "exercise-use", "none": None}


def test_every_cell_gets_the_role_its_code_gives_it():
    """Does each cell of the scenario notebook get the role its id names: aliased and module-qualified
    widget classes and class methods make exercise cells, installs and imports set-up cells, and a
    look-alike class, a syntax error or imports mixed with work make none?"""
    nb = nbformat.read(FIXTURES / "every-cell-role.ipynb", as_version=4)
    found = {cell.id: role for cell, role in zip(nb.cells, cell_roles(nb), strict=True)}
    expected = {cell.id: EXPECTED[cell.id.split("-")[0]] for cell in nb.cells}
    assert found == expected


def test_a_widget_call_without_a_learnpacks_import_is_not_an_exercise():
    """Is a call named like a widget class an exercise only when learnpacks.widgets bound the name?"""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('MultipleChoice(id="x", prompt="?", options=["a"])')]
    assert cell_roles(nb) == [None]
    nb.cells.insert(0, nbformat.v4.new_code_cell("from learnpacks.widgets import *"))
    assert cell_roles(nb) == ["setup", "exercise"]


def test_hiding_a_source_keeps_other_metadata():
    """Does hide_source set jupyter.source_hidden on a notebook cell and keep its tags and nbgrader data?"""
    cell = nbformat.v4.new_code_cell(
        "x",
        metadata={"tags": ["a"], "nbgrader": {"grade": False}, "jupyter": {"outputs_hidden": True}},
    )
    hide_source(cell)
    assert source_hidden(cell)
    assert cell.metadata.tags == ["a"] and cell.metadata.nbgrader == {"grade": False}
    assert cell.metadata.jupyter.outputs_hidden is True


def test_the_site_url_enters_the_set_up_cell_as_a_literal_only():
    """Can an address that looks like code only ever become the string WHEEL_URL holds?"""
    url = 'https://example.org/w.whl" ; import os; os.system("x") ; "'
    filled = with_wheel_url(INSTALL_CELL, url)
    assert filled is not None
    namespace: dict[str, object] = {}
    line = next(li for li in filled.splitlines() if li.strip().startswith("WHEEL_URL ="))
    exec(line.strip(), namespace)  # the assignment alone: it binds the address, nothing else
    assert namespace["WHEEL_URL"] == url
    assert filled.replace(line, "") == INSTALL_CELL.replace('    WHEEL_URL = ""', "")
    assert with_wheel_url("print('no wheel here')", url) is None


def test_the_kinds_a_walk_keeps_are_those_of_ast_walk():
    """Does nodes_of give, for each kind the checks look for, the nodes ast.walk gives, in its
    order, on every code cell of the shipped packs and the test fixtures?"""
    trees = 0
    for _path, source in repository_cells("code"):
        tree = parse_cell({"source": source})
        if tree is None:
            continue
        trees += 1
        walked = list(ast.walk(tree))
        for kind in KINDS:
            assert list(nodes_of(tree, kind)) == [n for n in walked if type(n) is kind]
        forget_trees()
    assert trees > 100
