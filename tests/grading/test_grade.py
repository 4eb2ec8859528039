"""``cohort grade``: parallel, one run at a time, resumable after a kill, Dask."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cohort_factory import make_handins
from grading_helpers import clone_cohort

from learnpacks.errors import UsageError
from learnpacks.grading import grade as grade_module
from learnpacks.grading.collect import collect
from learnpacks.grading.grade import cohort_lock, grade_cohort

pytestmark = pytest.mark.slow


@pytest.fixture
def small_cohort(released, tmp_path):
    """6 learners (3 right, 3 wrong) x 2 notebooks, collected, not graded."""
    cohort = clone_cohort(released, tmp_path / "cohort")
    learners = make_handins(
        cohort.path("release"),
        tmp_path / "handins",
        right=3,
        partly=0,
        wrong=3,
        malicious=0,
        malformed=0,
    )
    collect(cohort, [learner.zip_path for learner in learners])
    return cohort


def _gradebook(cohort):
    """(submission rows per learner, grade rows, auto scores) read through nbgrader."""
    from nbgrader.api import Gradebook

    with Gradebook(cohort.db_url) as gb:
        subs = gb.assignment_submissions(cohort.assignment)
        per_student = {}
        grades = {}
        for sub in subs:
            per_student[sub.student.id] = per_student.get(sub.student.id, 0) + 1
            for nb in sub.notebooks:
                for g in nb.grades:
                    grades[(sub.student.id, nb.name, g.name)] = g.auto_score
        n_grades = gb.db.execute(
            __import__("sqlalchemy").text("select count(*) from grade")
        ).scalar()
    return per_student, n_grades, grades


def _descendants(root: int) -> set[int]:
    """Every process below *root* now (workers, fork servers, kernels and their children)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = set(), [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    """Those of *pids* still running (not gone, not a zombie)."""
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in "ZX":
            alive.add(pid)
    return alive


def test_second_run_waits_for_the_lock(small_cohort):
    """Is a second grading run of the same cohort refused while one holds the lock?"""
    with cohort_lock(small_cohort), pytest.raises(UsageError, match="being graded"):
        grade_cohort(small_cohort, workers=1)


def test_grading_is_resumable_and_skips_what_is_done(small_cohort):
    """Does a second run skip every notebook already graded (same input), changing nothing?"""
    first = grade_cohort(small_cohort, workers=2)
    assert len(first.graded) == 12
    before = _gradebook(small_cohort)
    second = grade_cohort(small_cohort, workers=2)
    assert second.graded == [] and len(second.skipped) == 12
    assert _gradebook(small_cohort) == before


def test_killed_run_completes_on_rerun_without_duplicates(small_cohort, tmp_path):
    """Killing `cohort grade` midway (SIGKILL to the whole run), then running it again: are
    all scores right, each learner's submission there once, and no kernel left running?"""
    kernels_tmp = tmp_path / "k"
    kernels_tmp.mkdir()
    env = {
        **os.environ,
        "TMPDIR": str(kernels_tmp),
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"],
    }
    cmd = [
        sys.executable,
        "-m",
        "learnpacks",
        "cohort",
        "grade",
        "-C",
        str(small_cohort.root),
        "--workers",
        "2",
        "--json",
    ]
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    results = small_cohort.state / "results"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        done = [p for p in results.rglob("*.json")] if results.exists() else []
        if any(json.loads(p.read_text()).get("written") for p in done):
            break
        time.sleep(0.2)
    run_processes = _descendants(proc.pid)
    assert len(run_processes) > 2, "no workers or kernels seen"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(1)
    assert _alive(run_processes) == set()
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    summary = json.loads(rerun.stdout)
    assert len(summary["graded"]) + len(summary["skipped"]) == 12
    assert summary["skipped"], "the first run wrote nothing before the kill"
    assert list(kernels_tmp.glob("lp-grade-*")) == []
    per_student, n_grades, grades = _gradebook(small_cohort)
    assert per_student == {f"right-{i:02d}": 1 for i in range(3)} | {
        f"wrong-{i:02d}": 1 for i in range(3)
    }
    assert n_grades == 6 * 5
    for (student, _, cell), score in grades.items():
        if cell == "explain":
            continue
        assert (score > 0) if student.startswith("right") else (score == 0), (student, cell)


def test_dask_local_cluster_grades_through_scheduler(small_cohort):
    """Does `--scheduler` send the work to a Dask cluster and give the same scores?"""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        summary = grade_cohort(small_cohort, scheduler=cluster.scheduler_address)
    assert len(summary.graded) == 12
    _, _, grades = _gradebook(small_cohort)
    assert grades[("right-00", "01-functions", "square-tests")] == 2.0
    assert grades[("wrong-00", "01-functions", "square-tests")] == 0.0


VICTIM = ("wrong-00", "01-functions")


def _real_run_task(task, launcher="prefork"):
    from learnpacks.grading import grade
    from learnpacks.grading.run import grade_task_json

    return grade_task_json(task, launcher=grade._get_launcher(launcher))


def _worker_killed(deaths_left: Path):
    """A `run_task` whose worker process is SIGKILLed (as the host's OOM killer would) when it
    takes the victim's notebook, as many times as *deaths_left* holds lines."""

    def run(task, launcher="prefork"):
        if (task.student, task.authority.notebook) == VICTIM:
            lines = deaths_left.read_text().splitlines()
            if lines:
                deaths_left.write_text("\n".join(lines[1:]))
                os.kill(os.getpid(), signal.SIGKILL)
        return _real_run_task(task, launcher)

    return run


def _fork_the_patch_into_workers(monkeypatch) -> None:
    """Make the pool fork its workers from this process, so they run the patched `run_task`.

    The pool forks only when the process has no other thread; under pytest-xdist the worker
    has execnet's thread, so the pool would start its workers from a fork server that imports
    the unpatched module and the victim would never be killed."""
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 1)


@pytest.fixture
def worker_killed_once(small_cohort, tmp_path, monkeypatch):
    """The pool worker grading wrong-00's first notebook is killed once."""
    deaths = tmp_path / "deaths"
    deaths.write_text("kill\n")
    _fork_the_patch_into_workers(monkeypatch)
    monkeypatch.setattr(grade_module, "run_task", _worker_killed(deaths))
    return deaths


@pytest.fixture
def worker_killed_every_time(small_cohort, tmp_path, monkeypatch):
    """The pool worker grading wrong-00's first notebook is killed each time it takes it."""
    deaths = tmp_path / "deaths"
    deaths.write_text("kill\n" * 5)
    _fork_the_patch_into_workers(monkeypatch)
    monkeypatch.setattr(grade_module, "run_task", _worker_killed(deaths))
    return deaths


def test_worker_killed_once_is_retried_and_the_run_goes_on(small_cohort, worker_killed_once):
    """A pool worker killed from outside while grading one learner: does the run go on, that
    notebook get graded on a second try, and every learner get their scores (no flag)?"""
    summary = grade_cohort(small_cohort, workers=2)
    assert worker_killed_once.read_text() == ""  # the worker really was killed
    assert len(summary.graded) == 12 and not summary.flagged
    per_student, _, grades = _gradebook(small_cohort)
    assert len(per_student) == 6
    assert all(
        (score > 0) if student.startswith("right") else (score == 0)
        for (student, _, cell), score in grades.items()
        if cell != "explain"
    )


def test_worker_killed_every_time_is_reported_and_rerun_resumes(
    small_cohort, worker_killed_every_time, monkeypatch
):
    """A notebook whose worker is killed each time: is it reported with a coded problem after
    one retry while every other notebook is graded, and does a later run grade it?"""
    summary = grade_cohort(small_cohort, workers=2)
    assert len(summary.graded) == 12
    assert summary.flagged == {"wrong-00": ["01-functions"]}
    stored = json.loads(
        (small_cohort.state / "results" / "wrong-00" / "01-functions.json").read_text()
    )["result"]
    assert stored["status"] == "failed"
    assert [f["code"] for f in stored["findings"]] == ["grading.worker-died"]
    assert worker_killed_every_time.read_text().splitlines() == ["kill"] * 3  # two deaths
    monkeypatch.undo()
    rerun = grade_cohort(small_cohort, workers=2)
    assert rerun.graded == ["wrong-00/01-functions"] and len(rerun.skipped) == 11
    assert not rerun.flagged
