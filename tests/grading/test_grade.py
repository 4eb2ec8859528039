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
    """Does a second run skip every notebook already graded (same input), changing nothing?
    (The first grades through a fork server started before it, as the command line does.)"""
    from learnpacks.grading.forkserver import SharedServer

    server = SharedServer()
    first = grade_cohort(small_cohort, workers=2, fork_server=server)
    assert len(first.graded) == 12
    assert server.proc is None and server.restarts == 0  # used, then stopped by the run
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
    cmd = _grade_command(small_cohort)
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


#: Grades a cohort as `cohort grade` does, in a process of its own (one thread, so the pool
#: forks its workers from it), with a `run_task` whose worker is SIGKILLed (as the host's OOM
#: killer would) when it takes the victim's notebook, as many times as the deaths file holds
#: lines. In the test process itself the pool would start its workers from a fork server (pytest-
#: xdist runs a thread), which imports the grading module afresh, without the patch.
_KILLING_RUN = """
import json, os, signal, sys
from pathlib import Path
from learnpacks.grading import grade
from learnpacks.grading.cohort import load_cohort

folder, deaths, student, notebook = sys.argv[1:5]
real = grade.run_task

def run_task(task, launcher="prefork"):
    if (task.student, task.authority.notebook) == (student, notebook):
        lines = Path(deaths).read_text().splitlines()
        if lines:
            Path(deaths).write_text("\\n".join(lines[1:]))
            os.kill(os.getpid(), signal.SIGKILL)
    return real(task, launcher)

grade.run_task = run_task
summary = grade.grade_cohort(load_cohort(Path(folder)), workers=2)
print(json.dumps({"graded": summary.graded, "flagged": summary.flagged}))
"""


def _grade_killing_the_victim(cohort, tmp_path: Path, deaths: int) -> tuple[dict, Path]:
    """The run's summary, and the deaths file (what is left of it after the run)."""
    left = tmp_path / "deaths"
    left.write_text("kill\n" * deaths)
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}
    run = subprocess.run(
        [sys.executable, "-c", _KILLING_RUN, str(cohort.root), str(left), *VICTIM],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1]), left


def test_worker_killed_once_is_retried_and_the_run_goes_on(small_cohort, tmp_path):
    """A pool worker killed from outside while grading one learner: does the run go on, that
    notebook get graded on a second try, and every learner get their scores (no flag)?"""
    summary, deaths = _grade_killing_the_victim(small_cohort, tmp_path, 1)
    assert deaths.read_text() == ""  # the worker really was killed
    assert len(summary["graded"]) == 12 and not summary["flagged"]
    per_student, _, grades = _gradebook(small_cohort)
    assert len(per_student) == 6
    assert all(
        (score > 0) if student.startswith("right") else (score == 0)
        for (student, _, cell), score in grades.items()
        if cell != "explain"
    )


def test_worker_killed_every_time_is_reported_and_rerun_resumes(small_cohort, tmp_path):
    """A notebook whose worker is killed each time: is it reported with a coded problem after
    one retry while every other notebook is graded, and does a later run grade it?"""
    summary, deaths = _grade_killing_the_victim(small_cohort, tmp_path, 5)
    assert len(summary["graded"]) == 12
    assert summary["flagged"] == {"wrong-00": ["01-functions"]}
    stored = json.loads(
        (small_cohort.state / "results" / "wrong-00" / "01-functions.json").read_text()
    )["result"]
    assert stored["status"] == "failed"
    assert [f["code"] for f in stored["findings"]] == ["grading.worker-died"]
    assert deaths.read_text().splitlines() == ["kill"] * 3  # two deaths
    rerun = grade_cohort(small_cohort, workers=2)
    assert rerun.graded == ["wrong-00/01-functions"] and len(rerun.skipped) == 11
    assert not rerun.flagged


def _findings(cohort, summary) -> dict[str, list[str]]:
    """What the results of the flagged notebooks of *summary* say (for a failing assertion)."""
    found = {}
    for student, notebooks in summary.flagged.items():
        for notebook in notebooks:
            path = cohort.state / "results" / student / f"{notebook}.json"
            result = json.loads(path.read_text())["result"]
            found[f"{student}/{notebook}"] = [
                f"{f['code']}: {f['message']}" for f in result["findings"]
            ]
    return found


def _grade_command(cohort) -> list[str]:
    """`learnpacks cohort grade` of *cohort* with two workers, its summary in JSON."""
    command = ["cohort", "grade", "-C", str(cohort.root), "--workers", "2", "--json"]
    return [sys.executable, "-m", "learnpacks", *command]


def _fork_servers(*, shared: bool = True) -> set[int]:
    """The kernel fork servers running now (their pids): a run's shared one, or (*shared*
    False) those a Dask worker starts for itself. Not the kernels they forked, which carry the
    same command line."""
    commands, parents = _processes()

    def server(pid: int) -> bool:
        return b"learnpacks.grading.forkserver" in commands.get(pid, [])

    return {
        pid
        for pid, command in commands.items()
        if server(pid) and (b"--listen" in command) == shared and not server(parents.get(pid, 0))
    }


def _processes() -> tuple[dict[int, list[bytes]], dict[int, int]]:
    """Every process's command line and parent, by pid."""
    commands, parents = {}, {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                commands[int(proc.name)] = (proc / "cmdline").read_bytes().split(b"\0")
                stat = (proc / "stat").read_text()
            except OSError:
                continue
            parents[int(proc.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return commands, parents


def _children(pid: int) -> list[int]:
    """The processes whose parent is *pid* (a fork server's kernels, while they start)."""
    return [child for child, parent in _processes()[1].items() if parent == pid]


def test_a_worker_gone_before_its_reply_leaves_the_fork_server_serving():
    """When one grading worker dies, the pool ends the others, perhaps between a request to the
    shared fork server and its reply: does the server drop that client (a broken pipe, a reset
    connection) and go on serving the next, instead of dying with every kernel it started?"""
    import socket

    from learnpacks.grading.forkserver import _socket_address, shared_server

    request = json.dumps({"op": "poll", "pid": 2**31 - 1}) + "\n"
    with shared_server() as server:
        assert server is not None
        address = _socket_address(server.ensure())
        for _ in range(10):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as gone:
                gone.connect(address)
                gone.sendall(request.encode() * 200)  # and gone before any reply
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(address)
            stream = client.makefile("rw")
            stream.write(request)
            stream.flush()
            assert json.loads(stream.readline()) == {"exitcode": -1}
        assert server.proc is not None and server.proc.poll() is None


def test_fork_server_killed_mid_run_costs_no_learner_a_grade(small_cohort):
    """The shared fork server killed from outside (the OOM killer, an operator) once it has
    started the run's first kernels, with most notebooks still to start: does every notebook
    still get graded, right ones with their marks and nobody flagged, and the run say what
    happened? (Killed later, when every kernel left to run has started, a run need not notice.)"""
    before = _fork_servers()
    run = subprocess.Popen(
        _grade_command(small_cohort), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and time.monotonic() < deadline and run.poll() is None:
        servers = _fork_servers() - before
        if servers and _children(next(iter(servers))):
            killed = servers.pop()
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.01)
    out, err = run.communicate(timeout=600)
    assert killed is not None, "the run ended before its fork server could be killed"
    assert run.returncode == 0, (out[-2000:], err[-3000:])
    summary = json.loads(out)
    assert len(summary["graded"]) == 12 and not summary["flagged"], summary
    assert "fork server" in err
    _, _, grades = _gradebook(small_cohort)
    assert all(
        (score > 0) if student.startswith("right") else (score == 0)
        for (student, _, cell), score in grades.items()
        if cell != "explain"
    )


def test_dask_worker_fork_server_killed_mid_run_costs_no_learner_a_grade(small_cohort):
    """On a Dask cluster, a worker's fork server killed once the run has graded a notebook:
    is every notebook graded, with the right marks, and nobody flagged?"""
    import threading

    from distributed import LocalCluster

    before = _fork_servers(shared=False)
    results = small_cohort.state / "results"
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        outcome: dict[str, object] = {}
        run = threading.Thread(
            target=lambda: outcome.update(
                summary=grade_cohort(small_cohort, scheduler=cluster.scheduler_address)
            )
        )
        run.start()
        killed = None
        deadline = time.monotonic() + 120
        while killed is None and time.monotonic() < deadline and run.is_alive():
            servers = _fork_servers(shared=False) - before
            if servers and results.is_dir() and any(results.rglob("*.json")):
                killed = servers.pop()
                os.kill(killed, signal.SIGKILL)
            time.sleep(0.02)
        run.join(600)
    assert killed is not None, "the run ended before a fork server could be killed"
    summary = outcome["summary"]
    assert len(summary.graded) == 12 and not summary.flagged, _findings(small_cohort, summary)
    _, _, grades = _gradebook(small_cohort)
    assert all(
        (score > 0) if student.startswith("right") else (score == 0)
        for (student, _, cell), score in grades.items()
        if cell != "explain"
    )
