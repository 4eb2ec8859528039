"""Checks of the graded-exercise shape (``docs/authors/exercises.md``, "Graded exercises").

A graded widget exercise is one nbgrader answer cell that builds the widget and records the
author's answer inside a solution region; its test cell holds ``assert_answer`` inside a
hidden-test region. Each rule below has its own code: a key outside a region reaches every
learner, and an answer cell without a region loses its widget in the learner's copy.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from learnpacks.checks.cells import _callee
from learnpacks.checks.notebook_file import cell_location
from learnpacks.errors import Problem
from learnpacks.packs.learner import (
    BEGIN_HIDDEN_TESTS,
    BEGIN_MARK_SCHEME,
    BEGIN_SOLUTION,
    END_HIDDEN_TESTS,
    END_MARK_SCHEME,
    END_SOLUTION,
    RegionError,
    is_solution_cell,
    is_test_cell,
    region_lines,
    source_text,
)
from learnpacks.packs.roles import calls, nodes_of, parse_cell

#: Widgets whose recorded answer a hidden ``assert_answer`` checks (Reflection is read by a
#: person; a graded CodeExercise is the prompt of a function checked by ordinary tests).
RECORDED_TYPES = frozenset(
    {"MultipleChoice", "ShortAnswer", "Ordering", "Matching", "FillInTheBlanks"}
)
_WIDGET_TYPES = RECORDED_TYPES | {"CodeExercise", "Reflection"}


@dataclass
class _Cell:
    index: int
    cell: Any
    solution: list[tuple[int, int]] = field(default_factory=list)
    hidden: list[tuple[int, int]] = field(default_factory=list)
    tree: ast.AST | None = None

    def where(self, line: int | None = None) -> str:
        return cell_location(self.index, self.cell, line)


def _inside(line: int, regions: list[tuple[int, int]]) -> bool:
    """Is 1-based ``line`` strictly between a region's markers?"""
    return any(begin < line - 1 < end for begin, end in regions)


def _is_graded_widget(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and _callee(node) in RECORDED_TYPES
        and any(
            k.arg == "mode" and isinstance(k.value, ast.Constant) and k.value.value == "graded"
            for k in node.keywords
        )
    )


def _literal_id(node: ast.Call) -> str | None:
    kw = next((k for k in node.keywords if k.arg == "id"), None)
    if kw is not None and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
        return kw.value.value
    return None


def _read(cells: list, display: str) -> tuple[list[_Cell], list[Problem]]:
    found: list[_Cell] = []
    problems: list[Problem] = []
    for index, cell in enumerate(cells):
        entry = _Cell(index, cell)
        source = source_text(cell)
        try:
            entry.solution = region_lines(source, BEGIN_SOLUTION, END_SOLUTION)
            entry.hidden = region_lines(source, BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS)
            region_lines(source, BEGIN_MARK_SCHEME, END_MARK_SCHEME)
        except RegionError as exc:
            problems.append(Problem(display, exc.code, exc.message, entry.where(exc.line)))
            continue
        if cell.get("cell_type") == "code":
            entry.tree = parse_cell(cell)  # nb.syntax-error is the exercise-id check's
        found.append(entry)
    return found, problems


def _region_in_wrong_cell(entry: _Cell, display: str) -> Iterator[Problem]:
    if not (entry.solution or entry.hidden):
        return  # most cells
    meta = (entry.cell.get("metadata") or {}).get("nbgrader") or {}
    misplaced = [
        (entry.solution, is_solution_cell(entry.cell), "a solution", "Autograded answer"),
        (entry.hidden, bool(meta.get("grade")), "a hidden-test", "Autograder tests"),
    ]
    for regions, allowed, what, kind in misplaced:
        if regions and not allowed:
            yield Problem(
                display,
                "grade.region-wrong-cell",
                f"{what} region in a cell that is not an '{kind}' cell (nbgrader refuses it)",
                entry.where(regions[0][0] + 1),
                hint=f"mark the cell '{kind}' in nbgrader's cell toolbar, or remove the markers",
            )


def check_graded_shape(cells: list, display: str) -> Iterator[Problem]:
    """Problems with graded exercises: regions, answer cells, keys, records and tests."""
    entries, problems = _read(cells, display)
    yield from problems
    widget_names: set[str] = set()
    graded_ids: dict[str, str] = {}
    tested_ids: set[str] = set()
    for entry in entries:
        yield from _region_in_wrong_cell(entry, display)
        if entry.tree is None:
            continue
        for assign in nodes_of(entry.tree, ast.Assign):
            if isinstance(assign.value, ast.Call) and _callee(assign.value) in _WIDGET_TYPES:
                widget_names |= {t.id for t in assign.targets if isinstance(t, ast.Name)}
        for node in calls(entry.tree):
            if _callee(node) == "assert_answer":
                if _inside(node.lineno, entry.hidden):
                    first = node.args[0] if node.args else None
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        tested_ids.add(first.value)
                else:
                    yield Problem(
                        display,
                        "grade.key-outside-region",
                        "assert_answer(...) outside a hidden-test region shows its key to learners",
                        entry.where(node.lineno),
                        hint="put it between ### BEGIN HIDDEN TESTS and ### END HIDDEN TESTS",
                    )
    for entry in entries:
        if entry.tree is None:
            if is_test_cell(entry.cell):
                yield from _test_cell(entry, display)
            continue
        yield from _records(entry, widget_names, display)
        for node in calls(entry.tree):
            if _is_graded_widget(node):
                exercise_id = _literal_id(node)
                if exercise_id:
                    graded_ids.setdefault(exercise_id, entry.where(node.lineno))
                yield from _answer_cell(entry, node, display)
        if is_test_cell(entry.cell):
            yield from _test_cell(entry, display)
    for exercise_id, where in graded_ids.items():
        if exercise_id not in tested_ids:
            yield Problem(
                display,
                "grade.exercise-untested",
                f"graded exercise {exercise_id!r} has no assert_answer({exercise_id!r}, ...) "
                "in a hidden-test region, so it earns no points",
                where,
                "warning",
            )


def _records(entry: _Cell, widget_names: set[str], display: str) -> Iterator[Problem]:
    assert entry.tree is not None
    for node in calls(entry.tree):
        if not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr != "record":
            continue
        target = node.func.value
        is_widget = (isinstance(target, ast.Name) and target.id in widget_names) or (
            isinstance(target, ast.Call) and _callee(target) in _WIDGET_TYPES
        )
        if is_widget and not (
            is_solution_cell(entry.cell) and _inside(node.lineno, entry.solution)
        ):
            yield Problem(
                display,
                "grade.record-outside-region",
                "an exercise's .record(...) outside a solution region: learners would start "
                "with the author's answer",
                entry.where(node.lineno),
                hint="put it between ### BEGIN SOLUTION and ### END SOLUTION in the answer cell",
            )


def _answer_cell(entry: _Cell, node: ast.Call, display: str) -> Iterator[Problem]:
    where = entry.where(node.lineno)
    name = _callee(node)
    meta = (entry.cell.get("metadata") or {}).get("nbgrader") or {}
    if not is_solution_cell(entry.cell) or meta.get("grade"):
        yield Problem(
            display,
            "grade.widget-not-answer",
            f"graded {name}(...) is not in an nbgrader autograded answer cell, so the author's "
            "answer cannot be recorded and nbval fails its test",
            where,
            hint='cell metadata nbgrader: {"solution": true, "grade": false, "locked": false, ...}',
        )
    elif not entry.solution:
        yield Problem(
            display,
            "grade.answer-without-region",
            f"the answer cell of graded {name}(...) has no solution region: nbgrader replaces the "
            "whole cell, widget included, in the learner's copy",
            where,
            hint="record the author's answer between ### BEGIN SOLUTION and ### END SOLUTION",
        )
    elif not _records_inside(entry):
        yield Problem(
            display,
            "grade.answer-not-recorded",
            f"the solution region of graded {name}(...) records no answer, so the author's "
            "notebook fails its own hidden test",
            entry.where(entry.solution[0][0] + 1),
            hint="call .record(<the right answer>) on the exercise inside the region",
        )


def _records_inside(entry: _Cell) -> bool:
    assert entry.tree is not None
    return any(
        isinstance(node.func, ast.Attribute)
        and node.func.attr == "record"
        and _inside(node.lineno, entry.solution)
        for node in calls(entry.tree)
    )


def _test_cell(entry: _Cell, display: str) -> Iterator[Problem]:
    if not entry.hidden:
        yield Problem(
            display,
            "grade.no-hidden-tests",
            "an autograder test cell without a hidden-test region: learners see every check "
            "and can write an answer that passes only those",
            entry.where(),
            hint="add the checks that grade between ### BEGIN HIDDEN TESTS and ### END HIDDEN TESTS",
        )
