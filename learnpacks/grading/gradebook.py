"""Writing grading results into nbgrader's gradebook, through nbgrader's own ``Gradebook`` API.

Only the grading parent writes (workers return JSON), so SQLite sees one writer and a
PostgreSQL gradebook sees one connection per run. Writes are idempotent: a re-run updates the
same rows (``update_or_create_*``, ``find_grade``) and never adds a second submission; a manual
score a facilitator gave in formgrader is kept, and the cell is marked for review again, as
nbgrader's own autograde does.
"""

from __future__ import annotations

import contextlib
import json
import os
import warnings
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from learnpacks.errors import LearnpacksError, Problem
from learnpacks.grading.authority import Authority
from learnpacks.grading.cohort import Cohort


class ResultInvalid(LearnpacksError, ValueError):
    """A worker's result does not match the schema: it is not written."""

    default_code = "grading.invalid-result"


def validate_result(result: Any, authority: Authority, student: str) -> dict[str, Any]:
    """*result* checked against the schema and the authority (never trusted for maxima)."""
    if not isinstance(result, dict):
        raise ResultInvalid("result is not an object")
    for key, kind in (
        ("grades", dict),
        ("comments", dict),
        ("findings", list),
        ("status", str),
        ("flagged", bool),
    ):
        if not isinstance(result.get(key), kind):
            raise ResultInvalid(f"result field {key!r} is not a {kind.__name__}")
    if result.get("student") != student or result.get("notebook") != authority.notebook:
        raise ResultInvalid("result is for another learner or notebook")
    cells = authority.by_id()
    for gid, grade in result["grades"].items():
        cell = cells.get(gid)
        if cell is None or not cell.grade:
            raise ResultInvalid(f"result grades unknown cell {gid!r}")
        auto = grade.get("auto_score")
        maximum = float(cell.points or 0)
        if auto is not None and not (isinstance(auto, int | float) and 0 <= auto <= maximum):
            raise ResultInvalid(f"score {auto!r} for {gid!r} is outside 0..{maximum}")
        if not isinstance(grade.get("needs_manual_grade"), bool):
            raise ResultInvalid(f"needs_manual_grade of {gid!r} is not a boolean")
    return result


def _timestamp(folder: Path) -> datetime | None:
    path = folder / "timestamp.txt"
    if not path.is_file():
        return None
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(path.read_text().strip())
    except Exception:  # nbgrader raises ValueError or dateutil's ParserError
        return None


@contextlib.contextmanager
def open_gradebook(cohort: Cohort) -> Iterator[Any]:
    """The cohort's gradebook (``nbgrader.api.Gradebook``), open for one whole run: nbgrader
    checks every table each time one is opened (about 0.1 CPU-seconds)."""
    from nbgrader.api import Gradebook

    with Gradebook(cohort.db_url, cohort.course_id) as gb:
        yield gb


def write_results(
    cohort: Cohort, student: str, results: list[dict[str, Any]], gb: Any = None
) -> None:
    """Store one learner's notebook results (and autograded notebooks for formgrader), in *gb*
    (an open gradebook, see :func:`open_gradebook`) or in one opened for this call."""
    submitted = cohort.path("submitted", student)
    timestamp = _timestamp(submitted)
    opened = open_gradebook(cohort) if gb is None else contextlib.nullcontext(gb)
    with warnings.catch_warnings(), opened as gb:
        # nbgrader's own update_or_create_submission trips an SQLAlchemy autoflush warning
        warnings.simplefilter("ignore")
        gb.update_or_create_student(student)
        if timestamp is not None:
            gb.update_or_create_submission(cohort.assignment, student, timestamp=timestamp)
        else:
            gb.update_or_create_submission(cohort.assignment, student)
        grades = _submitted_rows(gb, "grades", cohort.assignment, student)
        comments = _submitted_rows(gb, "comments", cohort.assignment, student)
        for result in results:
            notebook = result["notebook"]
            for gid, g in result["grades"].items():
                grade = _row(grades, notebook, gid, "grade", cohort.assignment, student)
                grade.auto_score = g["auto_score"]
                grade.needs_manual_grade = bool(
                    g["needs_manual_grade"]
                    or grade.manual_score is not None
                    or g["auto_score"] is None
                )
            for gid, text in result["comments"].items():
                comment = _row(comments, notebook, gid, "comment", cohort.assignment, student)
                comment.auto_comment = text
        # one commit for all of the learner's notebooks: a commit expires every row read, and
        # the next notebook's rows were then read again one query each
        gb.db.commit()
    _write_autograded(cohort, student, results, submitted)


def _submitted_rows(
    gb: Any, kind: str, assignment: str, student: str
) -> dict[tuple[str, str], Any]:
    """Every ``Grade`` (*kind* "grades") or ``Comment`` ("comments") row of one learner's
    submission, by (notebook, cell name), read in one query per kind of cell: what
    ``Gradebook.find_grade``/``find_comment`` return, without a query per cell (they took a
    third of the grading parent's CPU). As there, a grade or solution cell comes before a
    task cell of the same name."""
    from nbgrader import api

    model, cells = (
        (api.Grade, (api.GradeCell, api.TaskCell))
        if kind == "grades"
        else (api.Comment, (api.SolutionCell, api.TaskCell))
    )
    found: dict[tuple[str, str], Any] = {}
    for cell in cells:
        query = (
            gb.db.query(model, api.Notebook.name, cell.name)
            .join(cell, cell.id == model.cell_id)
            .join(api.SubmittedNotebook, api.SubmittedNotebook.id == model.notebook_id)
            .join(api.Notebook, api.Notebook.id == api.SubmittedNotebook.notebook_id)
            .join(
                api.SubmittedAssignment,
                api.SubmittedAssignment.id == api.SubmittedNotebook.assignment_id,
            )
            .join(api.Assignment, api.Assignment.id == api.SubmittedAssignment.assignment_id)
            .filter(
                api.Assignment.name == assignment, api.SubmittedAssignment.student_id == student
            )
        )
        for row, notebook, name in query:
            found.setdefault((notebook, name), row)
    return found


def _row(
    rows: dict[tuple[str, str], Any],
    notebook: str,
    cell: str,
    what: str,
    assignment: str,
    student: str,
) -> Any:
    try:
        return rows[notebook, cell]
    except KeyError:
        from nbgrader.api import MissingEntry

        raise MissingEntry(
            f"No such {what}: {assignment}/{notebook}/{cell} for {student}"
        ) from None


def _write_autograded(
    cohort: Cohort, student: str, results: list[dict[str, Any]], submitted: Path
) -> None:
    import nbformat

    dest = cohort.path("autograded", student)
    dest.mkdir(parents=True, exist_ok=True)
    stamp = submitted / "timestamp.txt"
    if stamp.is_file():
        (dest / "timestamp.txt").write_text(stamp.read_text())
    for result in results:
        target = dest / f"{result['notebook']}.ipynb"
        if result.get("autograded") is None:
            if target.exists():
                target.unlink()
            continue
        nb = nbformat.from_dict(result["autograded"])
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output.pop("metadata", None)  # nbformat has none on errors: keep it valid
        tmp = target.with_suffix(".ipynb.tmp")
        tmp.write_text(nbformat.writes(nb), encoding="utf-8")
        os.replace(tmp, target)


def findings_problems(result: dict[str, Any]) -> list[Problem]:
    """A result's findings as coded problems (for the CLI and the report)."""
    where = f"{result['student']}/{result['notebook']}.ipynb"
    return [
        Problem(
            where,
            f["code"],
            f["message"],
            f.get("grade_id", ""),
            "error" if f.get("review") else "warning",
        )
        for f in result["findings"]
    ]


def dump(result: dict[str, Any]) -> str:
    return json.dumps(result, ensure_ascii=False)
