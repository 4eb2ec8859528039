"""Checks on cells: committed outputs, cell ids, exercise and nbgrader ids, execution policy."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from learnpacks.checks.notebook_file import cell_location
from learnpacks.errors import Problem
from learnpacks.packs.install_cell import wheel_url_literal
from learnpacks.packs.roles import EXERCISE_CLASSES, calls, cell_roles, parse_cell, source_hidden
from learnpacks.pyparse import parse as parse_python

#: Constructors of exercise widgets (``learnpacks.widgets``) that must carry a literal ``id=``.
EXERCISE_TYPES = EXERCISE_CLASSES
EXERCISE_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")

#: Notebook metadata sections through which a notebook changes how it is executed.
EXECUTION_METADATA = {
    "mystnb": {
        "execution_mode",
        "execution_timeout",
        "execution_allow_errors",
        "execution_raise_on_error",
        "execution_excludepatterns",
        "execution_in_temp",
        "execution_show_tb",
        "mime_priority_overrides",
    },
    "execution": None,  # jupyter-book / jupytext execution sections: any key
    "papermill": None,
}
#: Cell tags that stop a cell from running or hide its failure.
EXECUTION_TAGS = frozenset(
    {
        "skip-execution",
        "raises-exception",
        "skip",
        "nbval-skip",
        "nbval-raises-exception",
        "otter_ignore",
    }
)
_NBVAL_COMMENT = re.compile(
    r"^\s*#\s*NBVAL_(SKIP|RAISES_EXCEPTION|IGNORE_OUTPUT|CHECK_OUTPUT)\b", re.MULTILINE
)


@dataclass(frozen=True)
class ExerciseRef:
    """An exercise id found in a notebook, with where it was found."""

    id: str
    display: str
    where: str


def strict_output(cell: Any) -> bool:
    """Does nbval compare this cell's output with its committed one (``# NBVAL_CHECK_OUTPUT`` on a
    line of its own, or the ``nbval-check-output`` tag)? Its outputs are then the reference."""
    tags = (cell.get("metadata") or {}).get("tags") or []
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    return "nbval-check-output" in tags or any(
        line.strip().lstrip("#").strip() == "NBVAL_CHECK_OUTPUT" for line in source.splitlines()
    )


def check_outputs(cells: list, display: str) -> Iterator[Problem]:
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code" or strict_output(cell):
            continue
        if cell.get("outputs") or cell.get("execution_count") is not None:
            yield Problem(
                display,
                "nb.outputs-committed",
                "code cell has outputs or an execution count",
                cell_location(index, cell),
                hint="clear outputs before committing (pre-commit does it)",
            )


def check_cell_ids(cells: list, display: str) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for index, cell in enumerate(cells):
        cell_id = cell.get("id")
        if not cell_id:
            yield Problem(
                display,
                "nb.missing-cell-id",
                "cell has no id (nbformat 4.5 ids keep translations and grading stable)",
                cell_location(index, cell),
                "warning",
            )
            continue
        if cell_id in seen:
            yield Problem(
                display,
                "nb.duplicate-cell-id",
                f"cell id {cell_id!r} is also used by cell {seen[cell_id] + 1}",
                cell_location(index, cell),
            )
        else:
            seen[cell_id] = index


def _parseable(source: str) -> str:
    """Python source with IPython magics and shell escapes blanked, for ``ast``."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    )


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def exercise_refs(cells: list, display: str) -> tuple[list[ExerciseRef], list[Problem]]:
    """Every exercise id in the notebook: widget constructors' ``id=`` and ``learnpacks.exercise`` metadata."""
    refs: list[ExerciseRef] = []
    problems: list[Problem] = []
    for index, cell in enumerate(cells):
        meta_id = (cell.get("metadata") or {}).get("learnpacks", {}).get("exercise")
        if meta_id is not None:
            where = cell_location(index, cell)
            if not isinstance(meta_id, str) or not EXERCISE_ID_RE.match(meta_id):
                problems.append(
                    Problem(
                        display,
                        "exercise.invalid-id",
                        f"exercise id {meta_id!r} is not lowercase letters, digits and dashes",
                        where,
                    )
                )
            else:
                refs.append(ExerciseRef(meta_id, display, where))
        if cell.get("cell_type") != "code":
            continue
        tree = parse_cell(cell)
        if tree is None:
            problems += _syntax_error(cell, index, display)
            continue
        for node in calls(tree):
            if _callee(node) not in EXERCISE_TYPES:
                continue
            where = cell_location(index, cell, node.lineno)
            kw = next((k for k in node.keywords if k.arg == "id"), None)
            if kw is None:
                problems.append(
                    Problem(
                        display,
                        "exercise.missing-id",
                        f"{_callee(node)}(...) has no id=",
                        where,
                        hint='add id="a-unique-name"',
                    )
                )
            elif not (isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str)):
                problems.append(
                    Problem(
                        display,
                        "exercise.id-not-literal",
                        "the exercise id must be a string literal",
                        where,
                    )
                )
            elif not EXERCISE_ID_RE.match(kw.value.value):
                problems.append(
                    Problem(
                        display,
                        "exercise.invalid-id",
                        f"exercise id {kw.value.value!r} is not lowercase letters, digits and dashes",
                        where,
                    )
                )
            else:
                refs.append(ExerciseRef(kw.value.value, display, where))
    return refs, problems


def _syntax_error(cell: Any, index: int, display: str) -> list[Problem]:
    """Why a code cell does not parse (``nb.syntax-error``), read again for the message."""
    try:
        parse_python(_parseable(cell.get("source", "")))
    except SyntaxError as exc:
        return [
            Problem(
                display,
                "nb.syntax-error",
                f"code does not parse: {exc.msg}",
                cell_location(index, cell, exc.lineno),
                "warning",
            )
        ]
    except ValueError:
        pass
    return []


def check_notebook_name(cells: list, display: str, filename: str) -> Iterator[Problem]:
    """``configure(notebook=...)`` must name this file, or answers are saved (and graded) under another."""
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code" or "configure" not in cell.get("source", ""):
            continue
        tree = parse_cell(cell)
        if tree is None:
            continue
        for node in calls(tree):
            if _callee(node) != "configure":
                continue
            kw = next((k for k in node.keywords if k.arg == "notebook"), None)
            if kw is None or not isinstance(kw.value, ast.Constant):
                continue
            if kw.value.value != filename:
                yield Problem(
                    display,
                    "exercise.notebook-name-mismatch",
                    f"configure(notebook={kw.value.value!r}) does not name this notebook",
                    cell_location(index, cell, node.lineno),
                    hint=f'use configure(notebook="{filename}")',
                )


def duplicate_exercises(refs: list[ExerciseRef]) -> Iterator[Problem]:
    first: dict[str, ExerciseRef] = {}
    for ref in refs:
        if ref.id in first:
            other = first[ref.id]
            yield Problem(
                ref.display,
                "exercise.duplicate-id",
                f"exercise id {ref.id!r} is already used in {other.display}, {other.where}",
                ref.where,
            )
        else:
            first[ref.id] = ref


def check_nbgrader(cells: list, display: str) -> Iterator[Problem]:
    """nbgrader cell metadata an author must get right (nbgrader's own v3 rules)."""
    seen: dict[str, int] = {}
    for index, cell in enumerate(cells):
        meta: Any = (cell.get("metadata") or {}).get("nbgrader")
        if meta is None:
            continue
        where = cell_location(index, cell)
        if not isinstance(meta, dict):
            yield Problem(
                display, "grade.invalid-metadata", "nbgrader metadata is not a mapping", where
            )
            continue
        graded = (
            bool(meta.get("grade"))
            or bool(meta.get("solution"))
            or bool(meta.get("locked"))
            or bool(meta.get("task"))
        )
        if not graded:
            continue
        grade_id = meta.get("grade_id")
        if not isinstance(grade_id, str) or not grade_id.strip():
            yield Problem(display, "grade.missing-id", "nbgrader cell has a blank grade_id", where)
        elif grade_id in seen:
            yield Problem(
                display,
                "grade.duplicate-id",
                f"grade_id {grade_id!r} is also used by cell {seen[grade_id] + 1}",
                where,
            )
        else:
            seen[grade_id] = index
        if meta.get("grade") or meta.get("task"):
            points = meta.get("points")
            if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
                yield Problem(
                    display,
                    "grade.missing-points",
                    f"graded cell needs a number of points >= 0, found {points!r}",
                    where,
                )
        if cell.get("cell_type") == "markdown" and meta.get("grade") and not meta.get("solution"):
            yield Problem(
                display,
                "grade.markdown-not-answer",
                "a graded markdown cell must also be an answer (solution) cell",
                where,
            )
        if meta.get("schema_version", 3) != 3:
            yield Problem(
                display,
                "grade.schema-version",
                f"nbgrader schema_version {meta.get('schema_version')!r}; nbgrader 0.9 writes 3",
                where,
                "warning",
            )


def _is_graded(cell: Any) -> bool:
    meta = cell.get("metadata") or {}
    nbg = meta.get("nbgrader") or {}
    return bool(
        nbg.get("grade")
        or nbg.get("solution")
        or nbg.get("locked")
        or meta.get("learnpacks", {}).get("exercise")
    )


def check_execution_policy(nb: Any, display: str) -> Iterator[Problem]:
    """Metadata and tags that would change what runs or how a failure is seen."""
    metadata = nb.get("metadata") or {}
    for section, keys in EXECUTION_METADATA.items():
        value = metadata.get(section)
        if value is None:
            continue
        bad = (
            sorted(value)
            if keys is None or not isinstance(value, dict)
            else sorted(set(value) & keys)
        )
        if bad:
            yield Problem(
                display,
                "nb.execution-override",
                f"notebook metadata {section}: {', '.join(map(str, bad))} changes execution policy",
                "notebook metadata",
                hint="execution settings belong to the site configuration, not to a notebook",
            )
    for index, cell in enumerate(nb.get("cells", [])):
        cell_meta = cell.get("metadata") or {}
        tags = {str(t).lower() for t in cell_meta.get("tags", []) or []}
        if not _is_graded(cell):
            continue
        where = cell_location(index, cell)
        for tag in sorted(tags & EXECUTION_TAGS):
            yield Problem(
                display,
                "nb.execution-override",
                f"tag {tag!r} on a graded or exercise cell would stop it from running or hide its failure",
                where,
            )
        if "execution" in cell_meta:
            yield Problem(
                display,
                "nb.execution-override",
                "cell metadata 'execution' on a graded or exercise cell",
                where,
            )
        if cell.get("cell_type") == "code":
            for match in _NBVAL_COMMENT.finditer(cell.get("source", "")):
                if match.group(1) in ("SKIP", "RAISES_EXCEPTION"):
                    line = cell["source"].count("\n", 0, match.start()) + 1
                    yield Problem(
                        display,
                        "nb.execution-override",
                        f"# NBVAL_{match.group(1)} on a graded or exercise cell",
                        cell_location(index, cell, line),
                    )


def check_hidden_sources(nb: Any, display: str) -> Iterator[Problem]:
    """Exercise and set-up cells (read from their code) hide their source in JupyterLab, so
    learners see the widget, not the code that holds its key (``jupyter.source_hidden``)."""
    cells = nb.get("cells", [])
    for index, (cell, role) in enumerate(zip(cells, cell_roles(nb), strict=True)):
        if role not in ("exercise", "setup") or source_hidden(cell):
            continue
        what = "builds an exercise or media widget" if role == "exercise" else "only sets up"
        yield Problem(
            display,
            "exercise.source-shown",
            f"this code cell {what}, but learners see its code in JupyterLab",
            cell_location(index, cell),
            "warning",
            hint='cell metadata "jupyter": {"source_hidden": true}; in JupyterLab: '
            "View > Collapse Selected Code, then save",
        )


def check_portable_setup(nb: Any, display: str) -> Iterator[Problem]:
    """A set-up cell that installs learnpacks can do so wherever the notebook lands (a download,
    the bundle, a hub), not only beside the repository: it has the ``WHEEL_URL`` the site fills in,
    as :data:`learnpacks.packs.install_cell.INSTALL_CELL` does."""
    cells = nb.get("cells", [])
    for index, (cell, role) in enumerate(zip(cells, cell_roles(nb), strict=True)):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if role != "setup" or "pip" not in source or wheel_url_literal(source) is not None:
            continue
        yield Problem(
            display,
            "exercise.setup-not-portable",
            "this set-up cell installs learnpacks in a way that fails outside the repository "
            "(a downloaded notebook, the offline bundle)",
            cell_location(index, cell),
            "warning",
            hint="use the set-up cell `learnpacks new` writes "
            "(learnpacks.packs.install_cell.INSTALL_CELL)",
        )
