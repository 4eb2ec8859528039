"""Shared fixtures for the grading tests: a released cohort of the fixture pack, scenario files."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from grading_helpers import FAST, FIXTURES, SUBMISSIONS, make_cohort

from learnpacks.grading.authority import Authority, from_gradebook
from learnpacks.grading.cohort import Cohort
from learnpacks.grading.limits import Limits
from learnpacks.grading.run import Task, grade_task

#: short enough to keep the suite quick, long enough for a loaded 2-core machine


@pytest.fixture(scope="session")
def released(tmp_path_factory: pytest.TempPathFactory) -> Cohort:
    """One released cohort of the fixture pack, shared read-only by the core tests."""
    import os
    import sys

    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    return make_cohort(tmp_path_factory.mktemp("cohort") / "demo")


@pytest.fixture(scope="session")
def authority(released: Cohort) -> Authority:
    return from_gradebook(
        released.db_url,
        assignment=released.assignment,
        notebook="01-functions",
        release_notebook=released.path("release") / "01-functions.ipynb",
    )


@pytest.fixture(scope="session")
def listener() -> Iterator[int]:
    """A TCP server on the grader's loopback: learner code must not reach it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


@pytest.fixture
def grade(authority: Authority, released: Cohort, listener: int) -> Any:
    """``grade("scenario", limits=...)``: the JSON result of grading one scenario file."""

    def run(scenario: str, *, limits: Limits = FAST, data: bytes | None = None) -> dict[str, Any]:
        if data is None:
            data = (SUBMISSIONS / f"{scenario}.ipynb").read_bytes()
        task = Task(
            student=scenario,
            authority=authority,
            notebook_bytes=data,
            files={"port.txt": str(listener).encode()},
            limits=limits,
            hide=(str(released.root), str(FIXTURES.resolve())),
        )
        return grade_task(task)

    return run
