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
