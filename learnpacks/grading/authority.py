"""The authoritative copy of a notebook's graded cells: what a submission is graded against.

nbgrader's gradebook holds it (``generate_assignment`` saves every graded, locked and task cell
with its source, hidden tests included, and checksum). :func:`from_gradebook` reads it through
nbgrader's own API; the released notebook gives the cells' order and the kernelspec. An
:class:`Authority` is plain data (``to_dict``/``from_dict``), so a worker on another machine
grades without the gradebook.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import nbformat

BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"


def visible_part(source: str) -> str:
    """*source* without its hidden-test regions, line by line as nbgrader's ClearHiddenTests."""
    kept, hidden = [], False
    for line in source.split("\n"):
        if BEGIN_HIDDEN in line:
            hidden = True
        elif END_HIDDEN in line:
            hidden = False
        elif not hidden:
            kept.append(line)
    return "\n".join(kept)


@dataclass(frozen=True)
class AuthCell:
    """One graded, solution, task or locked cell as the facilitator's source defines it."""

    grade_id: str
    cell_type: str
    source: str
    locked: bool
    checksum: str | None
    grade: bool
    solution: bool
    task: bool = False
    points: float | None = None

    @property
    def is_test(self) -> bool:
        """An autograded test cell: graded code that is not an answer."""
        return self.grade and not self.solution and self.cell_type == "code"

    @property
    def has_hidden(self) -> bool:
        return visible_part(self.source) != self.source

    def nbgrader_metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "grade": self.grade,
            "grade_id": self.grade_id,
            "locked": self.locked,
            "schema_version": 3,
            "solution": self.solution,
            "task": self.task,
        }
        if self.checksum is not None:
            meta["checksum"] = self.checksum
        if self.grade or self.task:
            meta["points"] = self.points if self.points is not None else 0.0
        return meta


@dataclass(frozen=True)
class Authority:
    """The authoritative cells of one notebook of one assignment, in source order."""

    assignment: str
    notebook: str
    cells: tuple[AuthCell, ...]
    metadata: dict[str, Any] = field(default_factory=dict)

    def by_id(self) -> dict[str, AuthCell]:
        return {cell.grade_id: cell for cell in self.cells}

    def to_dict(self) -> dict[str, Any]:
        return {
            "assignment": self.assignment,
            "notebook": self.notebook,
            "cells": [asdict(c) for c in self.cells],
            "metadata": self.metadata,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Authority:
        return cls(
            assignment=data["assignment"],
            notebook=data["notebook"],
            cells=tuple(AuthCell(**c) for c in data["cells"]),
            metadata=dict(data.get("metadata", {})),
        )


def _release_order(release_notebook: Path) -> tuple[list[str], dict[str, Any]]:
    nb = nbformat.read(str(release_notebook), as_version=4)
    order = [
        c.metadata["nbgrader"]["grade_id"]
        for c in nb.cells
        if isinstance(c.metadata.get("nbgrader"), dict) and "grade_id" in c.metadata["nbgrader"]
    ]
    keep = {k: nb.metadata[k] for k in ("kernelspec", "language_info") if k in nb.metadata}
    return order, keep


def from_gradebook(db: Any, *, assignment: str, notebook: str, release_notebook: Path) -> Authority:
    """The authority nbgrader's ``generate_assignment`` stored for *notebook* of *assignment*.

    *db* is a gradebook URL or an open ``nbgrader.api.Gradebook``.
    """
    import contextlib

    from nbgrader.api import Gradebook

    order, metadata = _release_order(release_notebook)
    opened = Gradebook(db) if isinstance(db, str) else contextlib.nullcontext(db)
    with opened as gb:
        nb = gb.find_notebook(notebook, assignment)
        grades = {c.name: c for c in nb.grade_cells}
        solutions = {c.name for c in nb.solution_cells}
        tasks = {c.name: c for c in nb.task_cells}
        cells = []
        for sc in nb.source_cells:
            points = None
            if sc.name in grades:
                points = float(grades[sc.name].max_score)
            elif sc.name in tasks:
                points = float(tasks[sc.name].max_score)
            cells.append(
                AuthCell(
                    grade_id=sc.name,
                    cell_type=sc.cell_type,
                    source=sc.source,
                    locked=bool(sc.locked),
                    checksum=sc.checksum,
                    grade=sc.name in grades,
                    solution=sc.name in solutions,
                    task=sc.name in tasks,
                    points=points,
                )
            )
    rank = {name: i for i, name in enumerate(order)}
    cells.sort(key=lambda c: rank.get(c.grade_id, len(rank)))
    return Authority(assignment, notebook, tuple(cells), metadata)
