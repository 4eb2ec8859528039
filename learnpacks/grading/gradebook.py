"""Writing grading results into nbgrader's gradebook: nbgrader's own tables and ``Gradebook``.

Only the grading parent writes (workers return JSON), so SQLite sees one writer and a
PostgreSQL gradebook sees one connection per run, one transaction per learner. A learner's
first submission goes in as the rows nbgrader's ``add_submission`` makes, results included,
one insert per table (:func:`store_grades`; the tests compare every row and score with
nbgrader's own on SQLite and PostgreSQL). Writes are idempotent: a re-run updates the same
rows and never adds a second submission; a manual score a facilitator gave in formgrader is
kept, and the cell is marked for review again, as nbgrader's own autograde does. A new
gradebook is made as nbgrader makes one, without its ``alembic`` process
(:func:`create_gradebook`).
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


def create_gradebook(url: str) -> None:
    """Make the gradebook at *url* as nbgrader's ``Gradebook`` makes one it finds without
    tables (its tables, and ``alembic_version`` at the head of nbgrader's own migrations), if
    it has none yet. nbgrader asks for the head by running ``alembic heads`` in a new process,
    which imports nbgrader and jsonschema's format checkers again: about 5 CPU-seconds per new
    cohort here. Read here with alembic's API from the same migration scripts, it takes a
    tenth of a second. With more than one head (not so in any nbgrader release), nbgrader is
    left to do it its own way."""
    import sqlalchemy
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from nbgrader.api import Base
    from nbgrader.dbutil import ALEMBIC_DIR

    engine = sqlalchemy.create_engine(url)
    try:
        if sqlalchemy.inspect(engine).get_table_names():
            return
        config = Config()
        config.set_main_option("script_location", ALEMBIC_DIR)
        heads = ScriptDirectory.from_config(config).get_heads()
        if len(heads) != 1:
            return
        with engine.begin() as connection:
            Base.metadata.create_all(bind=connection)
            connection.execute(
                sqlalchemy.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            )
            connection.execute(
                sqlalchemy.text("INSERT INTO alembic_version (version_num) VALUES (:head)"),
                {"head": heads[0]},
            )
    finally:
        engine.dispose()


@contextlib.contextmanager
def open_gradebook(cohort: Cohort) -> Iterator[Any]:
    """The cohort's gradebook (``nbgrader.api.Gradebook``), open for one whole run: nbgrader
    checks every table each time one is opened (about 0.1 CPU-seconds)."""
    from nbgrader.api import Gradebook

    with Gradebook(cohort.db_url, cohort.course_id) as gb:
        # A commit need not expire what was read: during a run only this process writes the
        # cohort's grades (it holds the cohort's lock), and expiring made every learner's
        # write read the assignment's notebooks and cells again, one query each.
        gb.db().expire_on_commit = False
        yield gb


def write_results(
    cohort: Cohort, student: str, results: list[dict[str, Any]], gb: Any = None
) -> None:
    """Store one learner's notebook results (and autograded notebooks for formgrader), in *gb*
    (an open gradebook, see :func:`open_gradebook`) or in one opened for this call."""
    submitted = cohort.path("submitted", student)
    timestamp = _timestamp(submitted)
    opened = open_gradebook(cohort) if gb is None else contextlib.nullcontext(gb)
    with opened as gb:
        store_grades(gb, cohort.assignment, student, timestamp, results)
    _write_autograded(cohort, student, results, submitted)


def store_grades(
    gb: Any,
    assignment: str,
    student: str,
    timestamp: datetime | None,
    results: list[dict[str, Any]],
) -> None:
    """One learner's grades and comments in the open gradebook *gb*, in one transaction: a
    first submission is inserted with its results (:func:`_insert_first_submission`), an
    existing one updated in place (a facilitator's manual scores kept)."""
    with warnings.catch_warnings():
        # nbgrader's own update_or_create_submission trips an SQLAlchemy autoflush warning
        warnings.simplefilter("ignore")
        try:
            _ensure_student(gb, student)
            if not _insert_first_submission(gb, assignment, student, timestamp, results):
                if timestamp is not None:
                    gb.update_or_create_submission(assignment, student, timestamp=timestamp)
                else:
                    gb.update_or_create_submission(assignment, student)
                _update_rows(gb, assignment, student, results)
            # one commit for all of the learner's notebooks
            gb.db.commit()
        except BaseException:
            gb.db.rollback()  # nothing half-written is left for the next learner's commit
            raise


def _ensure_student(gb: Any, student: str) -> None:
    """nbgrader's ``update_or_create_student(student)`` without its own commit: the learner's
    row joins the same transaction as their grades (the gradebook is opened without an
    authenticator, so nothing else is told)."""
    from nbgrader import api

    if gb.db.get(api.Student, student) is None:
        gb.db.add(api.Student(id=student))
        gb.db.flush()  # the submission's row refers to it


def _needs_manual_grade(grade: dict[str, Any], manual_score: float | None) -> bool:
    """A cell a human must look at: the grader said so, it could not be scored, or a human
    already gave it a score (kept, and marked for review again, as nbgrader's autograde does)."""
    return bool(
        grade["needs_manual_grade"] or manual_score is not None or grade["auto_score"] is None
    )


def _update_rows(gb: Any, assignment: str, student: str, results: list[dict[str, Any]]) -> None:
    """Write *results* into the rows of a learner's existing submission (a re-run)."""
    grades = _submitted_rows(gb, "grades", assignment, student)
    comments = _submitted_rows(gb, "comments", assignment, student)
    for result in results:
        notebook = result["notebook"]
        for gid, g in result["grades"].items():
            grade = _row(grades, notebook, gid, "grade", assignment, student)
            grade.auto_score = g["auto_score"]
            grade.needs_manual_grade = _needs_manual_grade(g, grade.manual_score)
        for gid, text in result["comments"].items():
            comment = _row(comments, notebook, gid, "comment", assignment, student)
            comment.auto_comment = text


def _insert_first_submission(
    gb: Any,
    assignment: str,
    student: str,
    timestamp: datetime | None,
    results: list[dict[str, Any]],
) -> bool:
    """A learner's first submission, rows and results at once: the rows nbgrader's
    ``add_submission`` makes (a submitted notebook per notebook of the assignment, a grade per
    grade and task cell, a comment per solution and task cell), each inserted with its result
    already in it, in one statement per table. nbgrader's way built them one ORM object each,
    read them back and updated them: most of the grading parent's CPU. False, and nothing
    written, when the learner has a submission already (then the rows are updated in place)."""
    from nbgrader import api
    from nbgrader.utils import parse_utc
    from sqlalchemy import insert

    try:
        gb.find_submission(assignment, student)
        return False
    except api.MissingEntry:
        pass
    by_notebook = {result["notebook"]: result for result in results}
    found = gb.find_assignment(assignment)
    submission_id = api.new_uuid()
    notebooks: list[dict[str, Any]] = []
    grades: list[dict[str, Any]] = []
    comments: list[dict[str, Any]] = []
    for notebook in found.notebooks:
        result = by_notebook.pop(notebook.name, {})
        notebook_id = api.new_uuid()
        notebooks.append(
            {
                "id": notebook_id,
                "assignment_id": submission_id,
                "notebook_id": notebook.id,
                "flagged": False,
                "late_submission_penalty": None,
            }
        )
        # as in _submitted_rows: a grade or solution cell comes before a task cell of its name
        given = dict(result.get("grades", {}))
        for cell in [*notebook.grade_cells, *notebook.task_cells]:
            g = given.pop(cell.name, None)
            grades.append(
                {
                    "id": api.new_uuid(),
                    "notebook_id": notebook_id,
                    "cell_id": cell.id,
                    "auto_score": None if g is None else g["auto_score"],
                    "manual_score": None,
                    "extra_credit": None,
                    "needs_manual_grade": True if g is None else _needs_manual_grade(g, None),
                }
            )
        said = dict(result.get("comments", {}))
        for cell in [*notebook.solution_cells, *notebook.task_cells]:
            comments.append(
                {
                    "id": api.new_uuid(),
                    "notebook_id": notebook_id,
                    "cell_id": cell.id,
                    "auto_comment": said.pop(cell.name, None),
                    "manual_comment": None,
                }
            )
        for what, left in (("grade", given), ("comment", said)):
            if left:
                raise api.MissingEntry(
                    f"No such {what}: {assignment}/{notebook.name}/{next(iter(left))} for {student}"
                )
    if by_notebook:
        name = next(iter(by_notebook))
        raise api.MissingEntry(f"No such notebook: {assignment}/{name} for {student}")
    gb.db.execute(
        insert(api.SubmittedAssignment.__table__),
        [
            {
                "id": submission_id,
                "assignment_id": found.id,
                "student_id": student,
                "timestamp": parse_utc(timestamp),
                "extension": None,
            }
        ],
    )
    gb.db.execute(insert(api.SubmittedNotebook.__table__), notebooks)
    for table, rows in ((api.Grade.__table__, grades), (api.Comment.__table__, comments)):
        if rows:
            gb.db.execute(insert(table), rows)
    return True


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
        # written as nbformat.writes does, without its validation (which only logs): every
        # output was validated as it came (output_from_msg), the cells come from the
        # validated submission and the authority (test_end_to_end validates every one)
        tmp.write_text(nbformat.versions[nb.nbformat].writes_json(nb), encoding="utf-8")
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
