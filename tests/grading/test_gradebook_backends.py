"""The gradebook on SQLite and on a real PostgreSQL server, written through nbgrader's API.

PostgreSQL: ``LEARNPACKS_TEST_PG_URL`` when set (``postgresql+psycopg2://USER[:PW]@HOST[:PORT]/DB``
of a role that may create databases: each test creates its own next to DB); otherwise a throwaway cluster is made with ``initdb`` in a temporary folder, run as
the ``postgres`` user on a Unix socket, and stopped afterwards. The URL form is
``postgresql+psycopg2://`` (plain ``postgresql://`` asks SQLAlchemy for psycopg 3).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cohort_factory import make_handins
from grading_helpers import make_cohort

from learnpacks.grading.collect import collect
from learnpacks.grading.grade import grade_cohort
from learnpacks.grading.report import build_report

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """Base URL (no database) of a PostgreSQL server; see the module docstring."""
    url = os.environ.get("LEARNPACKS_TEST_PG_URL")
    if url:
        yield url.rsplit("/", 1)[0] + "/"
        return
    if not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None:
        if os.environ.get("CI"):
            raise RuntimeError("PostgreSQL 15 is missing: .ci/run installs Debian's postgresql")
        pytest.skip("no PostgreSQL: install Debian's postgresql or set LEARNPACKS_TEST_PG_URL")
    base = Path(tempfile.mkdtemp(prefix="lp-pg-"))
    shutil.chown(base, "postgres", "postgres")
    data, port = base / "data", _free_port()

    def as_postgres(*cmd: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *cmd], check=True, capture_output=True, timeout=120
        )

    as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres")
    as_postgres(
        str(PG_BIN / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(base / "log"),
        "-w",
        "-o",
        f"-p {port} -k {base} -c listen_addresses=''",
        "start",
    )
    try:
        yield f"postgresql+psycopg2://postgres@/?host={base}&port={port}&dbname="
    finally:
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)


def _new_database(server: str) -> str:
    import sqlalchemy

    name = f"cohort_{uuid.uuid4().hex[:10]}"
    admin = server + "postgres"  # the maintenance database, to create ours from
    engine = sqlalchemy.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server + name


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.db)])
def db_url(request, tmp_path) -> str | None:
    if request.param == "sqlite":
        return None  # the cohort's default: sqlite:///DIR/gradebook.db
    return _new_database(request.getfixturevalue("pg_server"))


@pytest.mark.slow
def test_gradebook_backend_holds_grades_and_reruns_in_place(db_url, tmp_path):
    """On this gradebook backend: do init, release, collect and grade store the right scores
    (readable by nbgrader and the report), and does a forced regrade update rows in place?"""
    from nbgrader.api import Gradebook

    cohort = make_cohort(tmp_path / "cohort", db_url=db_url)
    if db_url:
        assert cohort.db_url.startswith("postgresql+psycopg2://")
    learners = make_handins(
        cohort.path("release"),
        tmp_path / "in",
        right=1,
        partly=0,
        wrong=1,
        malicious=0,
        malformed=0,
    )
    collect(cohort, [learner.zip_path for learner in learners])
    grade_cohort(cohort, workers=2)
    grade_cohort(cohort, workers=2, force=True)
    with Gradebook(cohort.db_url) as gb:
        subs = gb.assignment_submissions(cohort.assignment)
        assert sorted(s.student.id for s in subs) == ["right-00", "wrong-00"]
        right = gb.find_submission(cohort.assignment, "right-00")
        wrong = gb.find_submission(cohort.assignment, "wrong-00")
        assert right.score == 8.0 and wrong.score == 0.0  # 9 points, 1 of them manual
        assert right.needs_manual_grade
    report = build_report(cohort)
    assert {r["student"]: r["score"] for r in report.rows} == {"right-00": 8.0, "wrong-00": 0.0}


def _gradebook_with_every_kind_of_cell(url: str) -> None:
    """Two notebooks holding each kind of nbgrader cell: an answer cell that is graded too
    (a grade and a solution cell of one name), a test cell, a task, a free-text answer, a
    manually graded markdown cell."""
    from nbgrader.api import Gradebook

    from learnpacks.grading.gradebook import create_gradebook

    create_gradebook(url)
    with Gradebook(url) as gb:
        gb.add_assignment("week1")
        for name in ("nb1", "nb2"):
            gb.add_notebook(name, "week1")
        gb.add_grade_cell("answer", "nb1", "week1", max_score=2, cell_type="code")
        gb.add_solution_cell("answer", "nb1", "week1")
        gb.add_grade_cell("tests", "nb1", "week1", max_score=3, cell_type="code")
        gb.add_task_cell("task", "nb1", "week1", max_score=1, cell_type="markdown")
        gb.add_solution_cell("essay", "nb2", "week1")
        gb.add_grade_cell("essay-grade", "nb2", "week1", max_score=4, cell_type="markdown")


#: results as a grading worker returns them (only the fields the gradebook keeps)
_RESULTS = [
    {
        "notebook": "nb1",
        "grades": {
            "answer": {"auto_score": 2.0, "needs_manual_grade": False},
            "tests": {"auto_score": 0.0, "needs_manual_grade": False},
            "task": {"auto_score": None, "needs_manual_grade": True},
        },
        "comments": {"answer": "No response.", "task": "See the rubric."},
    },
    {
        "notebook": "nb2",
        "grades": {"essay-grade": {"auto_score": None, "needs_manual_grade": True}},
        "comments": {"essay": "No response."},
    },
]


def _stored(url: str, student: str) -> dict:
    """Everything the gradebook holds of *student*'s submission, and what nbgrader computes
    from it, without row ids."""
    from nbgrader.api import Gradebook

    with Gradebook(url) as gb:
        sub = gb.find_submission("week1", student)
        found: dict = {
            "timestamp": sub.timestamp,
            "extension": sub.extension,
            "score": sub.score,
            "max_score": sub.max_score,
            "needs_manual_grade": sub.needs_manual_grade,
        }
        for nb in sorted(sub.notebooks, key=lambda nb: nb.name):
            found[nb.name] = {
                "flagged": nb.flagged,
                "penalty": nb.late_submission_penalty,
                "score": nb.score,
                "needs_manual_grade": nb.needs_manual_grade,
                "grades": sorted(
                    (
                        g.name,
                        g.cell.type,
                        g.auto_score,
                        g.manual_score,
                        g.extra_credit,
                        g.needs_manual_grade,
                    )
                    for g in nb.grades
                ),
                "comments": sorted(
                    (c.name, c.cell.type, c.auto_comment, c.manual_comment) for c in nb.comments
                ),
            }
    return found


@pytest.mark.parametrize("handed_in", [["nb1", "nb2"], ["nb1"]])
def test_a_first_submission_is_stored_as_nbgraders_own_then_updated(db_url, tmp_path, handed_in):
    """A learner's first results go in as one insert per table; the rows and every score
    nbgrader computes from them are the same as when nbgrader's ``add_submission`` made the
    rows and the results were written into them (a re-run's path), here on this backend. A
    notebook the learner did not hand in still gets its rows, as nbgrader makes them."""
    from datetime import datetime

    from nbgrader.api import Gradebook

    from learnpacks.grading.gradebook import store_grades

    url = db_url or f"sqlite:///{tmp_path}/gradebook.db"
    _gradebook_with_every_kind_of_cell(url)
    when = datetime(2026, 12, 3, 14, 30)
    results = [r for r in _RESULTS if r["notebook"] in handed_in]
    with Gradebook(url) as gb:
        gb.add_student("by-nbgrader")
        gb.add_submission("week1", "by-nbgrader", timestamp=when)
        store_grades(gb, "week1", "by-nbgrader", when, results)  # updates nbgrader's rows
        store_grades(gb, "week1", "inserted", when, results)  # inserts its own
    by_nbgrader, inserted = _stored(url, "by-nbgrader"), _stored(url, "inserted")
    assert inserted == by_nbgrader
    assert inserted["score"] == 2.0 and inserted["needs_manual_grade"]
    assert ("task", "TaskCell", None, None, None, True) in inserted["nb1"]["grades"]

    # a re-run updates in place and keeps a facilitator's manual score
    with Gradebook(url) as gb:
        gb.find_grade("tests", "nb1", "week1", "inserted").manual_score = 1.5
        gb.db.commit()
        rerun = [
            dict(results[0], grades={"tests": {"auto_score": 3.0, "needs_manual_grade": False}})
        ]
        store_grades(gb, "week1", "inserted", when, rerun)
        assert len(gb.find_student("inserted").submissions) == 1
    tests = [g for g in _stored(url, "inserted")["nb1"]["grades"] if g[0] == "tests"]
    assert tests == [("tests", "GradeCell", 3.0, 1.5, None, True)]


def test_results_for_an_unknown_cell_write_nothing(tmp_path):
    """A result naming a cell the gradebook lacks is refused whole: no student, no
    submission, no half-written rows."""
    from nbgrader.api import Gradebook, MissingEntry

    from learnpacks.grading.gradebook import store_grades

    url = f"sqlite:///{tmp_path}/gradebook.db"
    _gradebook_with_every_kind_of_cell(url)
    bad = [
        dict(_RESULTS[0], grades={"no-such-cell": {"auto_score": 1.0, "needs_manual_grade": False}})
    ]
    with Gradebook(url) as gb:
        with pytest.raises(MissingEntry, match="no-such-cell"):
            store_grades(gb, "week1", "learner", None, bad)
        store_grades(gb, "week1", "other", None, _RESULTS)
    with Gradebook(url) as gb:
        assert [s.id for s in gb.students] == ["other"]
        assert [s.student.id for s in gb.assignment_submissions("week1")] == ["other"]


def _schema(url: str) -> dict:
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    try:
        inspector = sqlalchemy.inspect(engine)
        found: dict = {
            table: {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)
                ],
                "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
                "foreign_keys": sorted(
                    (tuple(fk["constrained_columns"]), fk["referred_table"])
                    for fk in inspector.get_foreign_keys(table)
                ),
                "unique": sorted(
                    tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)
                ),
            }
            for table in sorted(inspector.get_table_names())
        }
        with engine.connect() as connection:
            found["alembic_version"] = connection.execute(
                sqlalchemy.text("SELECT version_num FROM alembic_version")
            ).all()
    finally:
        engine.dispose()
    return found


def test_a_new_gradebook_is_the_one_nbgrader_makes(db_url, tmp_path, request):
    """`cohort init` makes a new gradebook without nbgrader's `alembic heads` process: the
    tables, columns, keys and alembic version are those nbgrader's own ``Gradebook`` makes,
    on this backend, and nbgrader then opens it as its own."""
    from nbgrader.api import Gradebook

    from learnpacks.grading.gradebook import create_gradebook

    if db_url is None:
        ours, theirs = (f"sqlite:///{tmp_path}/{name}.db" for name in ("ours", "theirs"))
    else:
        ours, theirs = db_url, _new_database(request.getfixturevalue("pg_server"))
    create_gradebook(ours)
    with Gradebook(theirs):
        pass
    assert _schema(ours) == _schema(theirs)
    assert len(_schema(ours)["alembic_version"]) == 1
    with Gradebook(ours, "a-course") as gb:
        gb.add_assignment("week1")
        assert [a.name for a in gb.assignments] == ["week1"]
    create_gradebook(ours)  # a gradebook with tables is left as it is
    with Gradebook(ours) as gb:
        assert [a.name for a in gb.assignments] == ["week1"]
