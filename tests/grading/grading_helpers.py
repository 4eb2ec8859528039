"""Helpers the grading tests share (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from learnpacks.grading.limits import Limits

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = FIXTURES / "project"
SUBMISSIONS = FIXTURES / "submissions"
#: Tight limits that keep the hostile-submission scenarios fast.
FAST = Limits(cell_timeout=4, interrupt_grace=1.5, submission_bytes=100_000)


def make_cohort(directory: Path, **kwargs: Any) -> Any:
    """A cohort of the fixture pack in *directory*, initialised and released."""
    from learnpacks.grading.cohort import init_cohort
    from learnpacks.grading.release import release_cohort

    cohort = init_cohort(directory, pack="grading-demo", root=PROJECT, **kwargs)
    release_cohort(cohort)
    return cohort


def scores(result: dict[str, Any]) -> dict[str, float | None]:
    return {gid: g["auto_score"] for gid, g in result["grades"].items()}


def codes(result: dict[str, Any]) -> set[str]:
    return {f["code"] for f in result["findings"]}


def outputs_text(result: dict[str, Any]) -> str:
    nb = result["autograded"] or {"cells": []}
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.append(out.get("ename", "") + ": " + out.get("evalue", ""))
            parts.extend(out.get("traceback", []))
    return "\n".join(parts)


def copy_fixture_project(dest: Path) -> Path:
    shutil.copytree(PROJECT, dest)
    return dest


def stream_text(result: dict[str, Any]) -> str:
    """Only what learner code printed (tracebacks quote source, so they are left out)."""
    nb = result["autograded"] or {"cells": []}
    return "".join(
        out.get("text", "")
        for cell in nb["cells"]
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream"
    )


def clone_cohort(source: Any, dest: Path) -> Any:
    """A copy of a released cohort folder (SQLite gradebook included), as a new cohort."""
    import json

    from learnpacks.grading.cohort import COHORT_FILE, load_cohort

    shutil.copytree(source.root, dest)
    data = json.loads((dest / COHORT_FILE).read_text())
    data["db_url"] = data["db_url"].replace(str(source.root), str(dest))
    (dest / COHORT_FILE).write_text(json.dumps(data))
    config = (dest / "nbgrader_config.json").read_text().replace(str(source.root), str(dest))
    (dest / "nbgrader_config.json").write_text(config)
    return load_cohort(dest)


def gradebook_scores(db_url: str, assignment: str) -> dict[tuple[str, str, str], float | None]:
    """``(learner, notebook, cell) -> auto_score`` of every grade in a gradebook."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(db_url) as gb:
        for sub in gb.assignment_submissions(assignment):
            for nb in sub.notebooks:
                for grade in nb.grades:
                    out[(sub.student.id, nb.name, grade.name)] = grade.auto_score
    return out


def stock_autograde(cohort: Any, dest: Path, students: Iterable[str] | None = None) -> str:
    """Stock nbgrader on a copy of the course (generate_assignment, then autograde), with the
    cohort's own nbgrader settings (its code stub, above all: an unanswered manually graded
    cell is "no response" only if it still holds the stub its release wrote); the URL of its
    gradebook. The reference every parity test compares with, run once per test module.
    *students*: only these learners' submissions (default: every one)."""
    import json

    from support import stock_nbgrader

    dest.mkdir()
    shutil.copytree(cohort.root / "source", dest / "source")
    wanted = None if students is None else set(students)
    shutil.copytree(
        cohort.root / "submitted",
        dest / "submitted",
        ignore=lambda folder, names: (
            [n for n in names if n not in wanted]
            if wanted is not None and Path(folder) == cohort.root / "submitted"
            else []
        ),
    )
    config = json.loads((cohort.root / "nbgrader_config.json").read_text())
    config["CourseDirectory"] = {"course_id": cohort.course_id}
    return stock_nbgrader(dest, cohort.assignment, config)
