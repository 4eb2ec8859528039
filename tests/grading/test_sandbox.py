"""A sandbox per learner (THREATS.md 39-42, 58, 59): hostile kernels are contained, named and
flagged, and the next learner on the same grader is graded as if nothing had happened.

Each scenario is a file under ``fixtures/submissions/``; limits are small so the tests run fast.
Both kernel launchers are exercised: the subprocess launcher and the fork server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from grading_helpers import FAST, SUBMISSIONS, codes, scores, stream_text

from learnpacks.grading import sandbox
from learnpacks.grading.forkserver import ForkServerLauncher
from learnpacks.grading.kernel import SubprocessLauncher
from learnpacks.grading.limits import Limits, MiB
from learnpacks.grading.run import Task, grade_task

pytestmark = pytest.mark.slow

FULL = {"square-tests": 2.0, "count-words-tests": 3.0}

if sandbox.missing():
    pytest.skip(
        "full confinement is not available here: " + "; ".join(sandbox.missing()),
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def forkserver() -> Iterator[ForkServerLauncher]:
    launcher = ForkServerLauncher()
    try:
        yield launcher
    finally:
        launcher.close()


@pytest.fixture(params=["subprocess", "prefork"])
def launcher(request: pytest.FixtureRequest, forkserver: ForkServerLauncher) -> Any:
    return SubprocessLauncher() if request.param == "subprocess" else forkserver


def grader_pids(launcher: Any) -> list[int]:
    """The processes a learner must never reach: this grader, and its fork server."""
    pids = [os.getpid(), os.getppid()]
    if isinstance(launcher, ForkServerLauncher):
        pids.append(launcher._server().pid)
    return pids


def grade(
    authority: Any,
    scenario: str,
    launcher: Any,
    *,
    limits: Limits = FAST,
    files: dict[str, bytes] | None = None,
) -> dict[str, Any]:
    task = Task(
        student=scenario,
        authority=authority,
        notebook_bytes=(SUBMISSIONS / f"{scenario}.ipynb").read_bytes(),
        files=files or {},
        limits=limits,
    )
    return grade_task(task, launcher=launcher)


def autoscores(result: dict[str, Any]) -> dict[str, float | None]:
    return {k: v for k, v in scores(result).items() if k in FULL}


def assert_next_learner_unaffected(authority: Any, launcher: Any) -> None:
    result = grade(authority, "right", launcher)
    assert autoscores(result) == FULL and not result["flagged"], result["findings"]


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def test_kill_every_process_reaches_only_the_learner(authority, launcher):
    """THREATS 58: does `os.kill(-1, SIGKILL)` in learner code reach the grader or the fork
    server? (It must reach nothing outside the learner's own PID namespace.)"""
    pids = grader_pids(launcher)
    files = {"grader-pids.txt": " ".join(map(str, pids)).encode()}
    result = grade(authority, "kill-every-process", launcher, files=files)
    text = stream_text(result)
    assert "GRADER PIDS SEEN: []" in text
    assert "KERNEL PID 2 PARENT 1" in text  # PID 1 is the learner's own init: unkillable
    assert result["status"] == "graded"  # (its `import signal` may be flagged as tampering)
    assert result["confinement"]["level"] == "full"
    assert all(_state(pid) not in "ZX" for pid in pids)
    assert_next_learner_unaffected(authority, launcher)


def test_sigstop_cannot_reach_the_grader(authority, launcher):
    """THREATS 58: can learner code SIGSTOP the grader, the fork server or its own init?"""
    pids = grader_pids(launcher)
    files = {"grader-pids.txt": " ".join(map(str, pids)).encode()}
    result = grade(authority, "stops-the-grader", launcher, files=files)
    assert "GRADER PIDS STOPPED: []" in stream_text(result)
    assert result["status"] == "graded"
    assert all(_state(pid) != "T" for pid in pids)
    assert_next_learner_unaffected(authority, launcher)


def test_memory_split_across_children_is_bounded_for_the_learner(authority, forkserver):
    """THREATS 39, 59: four children each under the per-process cap, together over the
    learner's limit: is the whole tree held to it, the learner named and flagged?"""
    limits = replace(FAST, memory_bytes=512 * MiB, cell_timeout=20)
    files = {"hog-mib.txt": b"200"}  # 4 x 200 MiB against 512 MiB
    result = grade(authority, "memory-hog-children", forkserver, limits=limits, files=files)
    assert "grading.memory-limit" in codes(result)
    finding = next(f for f in result["findings"] if f["code"] == "grading.memory-limit")
    assert "memory-hog-children" in finding["message"] and finding["review"]
    assert result["flagged"]
    assert "CHILDREN EXITED:" in stream_text(result) and "-9" in stream_text(result)
    assert autoscores(result) == FULL  # the kernel itself was not what got killed
    assert_next_learner_unaffected(authority, forkserver)


@pytest.mark.parametrize("scenario", ["disk-fill-tmp", "disk-fill-workdir"])
def test_disk_split_across_files_is_bounded_for_the_learner(authority, forkserver, scenario):
    """THREATS 41, 59: many files, each under the file-size cap, together over the learner's
    disk, in /tmp or in the work folder: do they stop at the limit, the learner flagged?"""
    limits = replace(FAST, disk_bytes=48 * MiB)
    result = grade(authority, scenario, forkserver, limits=limits)
    text = stream_text(result)
    assert "No space left on device" in text
    written = int(text.split("STOPPED AFTER", 1)[1].split()[0])
    assert written <= 48
    assert "grading.disk-limit" in codes(result) and result["flagged"]
    assert autoscores(result) == FULL
    assert_next_learner_unaffected(authority, forkserver)


def test_fork_bomb_is_bounded_for_the_learner(authority, forkserver):
    """THREATS 40: is a fork loop held to the learner's process limit, reported, and killed
    with the kernel, the next learner graded normally?"""
    limits = replace(FAST, processes=40)
    result = grade(authority, "fork-bomb", forkserver, limits=limits)
    assert "grading.process-limit" in codes(result)
    assert result["flagged"]
    assert_next_learner_unaffected(authority, forkserver)


def test_no_staging_folder_outlives_the_kernel_start(authority, forkserver, tmp_path):
    """Does a kernel in its own root leave any ``lp-grade-*`` folder on the host?"""
    import glob
    import tempfile

    pattern = os.path.join(tempfile.gettempdir(), f"{sandbox.WORKDIR_PREFIX}{os.getpid()}-*")
    assert_next_learner_unaffected(authority, forkserver)
    assert glob.glob(pattern) == []


def test_weak_confinement_is_refused_unless_asked(authority, monkeypatch):
    """Without a cgroup per learner, is grading refused with a coded reason naming what is
    missing, and, when the facilitator allows the weak mode, does every result say so?"""
    caps = {**sandbox.capabilities(), "cgroup": None}
    monkeypatch.setattr(sandbox, "capabilities", lambda: caps)
    task = Task("weak", authority, (SUBMISSIONS / "right.ipynb").read_bytes(), limits=FAST)
    refused = grade_task(task, launcher=SubprocessLauncher())
    assert refused["status"] == "failed"
    assert codes(refused) == {"grading.confinement-unavailable"}
    assert "cgroup" in refused["findings"][0]["message"]
    allowed = grade_task(replace(task, weak_confinement=True), launcher=SubprocessLauncher())
    assert autoscores(allowed) == FULL
    assert allowed["confinement"]["level"] == "weak"
    assert "grading.weak-confinement" in codes(allowed)


def _hand_in(cohort: Any, learner: str, scenario: str, like: str, files: dict[str, bytes]) -> None:
    """File *scenario* as *learner*'s ``01-functions`` (the rest copied from *like*)."""
    import shutil

    folder = cohort.path("submitted", learner)
    shutil.copytree(cohort.path("submitted", like), folder)
    (folder / "01-functions.ipynb").write_bytes((SUBMISSIONS / f"{scenario}.ipynb").read_bytes())
    for name, data in files.items():
        (folder / name).write_bytes(data)


def test_batch_goes_on_past_learners_who_attack_the_grader(released, tmp_path):
    """THREATS 58, `--launcher subprocess`: learners who kill(-1), kill their parent or SIGSTOP
    the grader, in one batch with honest learners on two workers: are the honest ones graded
    right, and does a rerun skip everything (no broken worker pool, no folder left behind)?"""
    from cohort_factory import make_handins
    from grading_helpers import clone_cohort

    from learnpacks.grading.collect import collect
    from learnpacks.grading.grade import grade_cohort

    os.environ["TMPDIR"] = str(tmp_path)  # new staging folders go here, to be counted
    import tempfile

    tempfile.tempdir = None
    try:
        cohort = clone_cohort(released, tmp_path / "cohort")
        learners = make_handins(
            cohort.path("release"), tmp_path / "in", right=2, partly=0, wrong=0,
            malicious=0, malformed=0,
        )  # fmt: skip
        collect(cohort, [learner.zip_path for learner in learners])
        pids = f"{os.getpid()} {os.getppid()}".encode()
        for scenario in ("kill-every-process", "stops-the-grader"):
            _hand_in(cohort, scenario, scenario, "right-00", {"grader-pids.txt": pids})
        first = grade_cohort(cohort, workers=2, launcher="subprocess")
        assert len(first.graded) == 8 and first.confinement["level"] == "full"
        again = grade_cohort(cohort, workers=2, launcher="subprocess")
        assert again.graded == [] and len(again.skipped) == 8
        for learner in ("right-00", "right-01"):
            result = _stored(cohort, learner, "01-functions")
            assert autoscores(result) == FULL, (learner, result["findings"])
        for learner in ("kill-every-process", "stops-the-grader"):
            result = _stored(cohort, learner, "01-functions")
            assert result["status"] == "graded", (learner, result["findings"])
            assert "GRADER PIDS" in stream_text(result)
        assert list(tmp_path.glob(f"{sandbox.WORKDIR_PREFIX}*")) == []
    finally:
        del os.environ["TMPDIR"]
        tempfile.tempdir = None


def _stored(cohort: Any, learner: str, notebook: str) -> dict[str, Any]:
    import json

    path = cohort.state / "results" / learner / f"{notebook}.json"
    return dict(json.loads(path.read_text())["result"])


def test_cohort_grade_refuses_weak_confinement_unless_asked(released, tmp_path, monkeypatch):
    """Where full confinement is missing, does `cohort grade` refuse with a coded error naming
    what is missing and the cohort file, and accept `limits.confinement: "weak"` there?"""
    import json

    from grading_helpers import clone_cohort

    from learnpacks.errors import UsageError
    from learnpacks.grading.cohort import load_cohort
    from learnpacks.grading.grade import grade_cohort
    from learnpacks.grading.run import require_confinement

    cohort = clone_cohort(released, tmp_path / "cohort")
    caps = {**sandbox.capabilities(), "cgroup": None, "namespaces": False}
    monkeypatch.setattr(sandbox, "capabilities", lambda: caps)
    with pytest.raises(UsageError) as refused:
        grade_cohort(cohort, workers=1)
    assert refused.value.code == "grading.confinement-unavailable"
    (problem,) = refused.value.problems
    assert problem.path.endswith("cohort.json") and problem.location == "limits.confinement"
    assert "cgroup" in problem.message and "namespaces" in problem.message
    settings = cohort.root / "cohort.json"
    data = json.loads(settings.read_text())
    data["limits"]["confinement"] = "weak"
    settings.write_text(json.dumps(data))
    weak = load_cohort(cohort.root)
    assert weak.limits.confinement == "weak"
    summary = grade_cohort(weak, workers=1)  # past the refusal (nothing handed in to grade)
    assert summary.confinement == {"level": "weak", "missing": sandbox.missing()}
    assert len(require_confinement(weak_allowed=True, settings=settings)) == 2


def test_forked_kernels_find_the_traceback_machinery_warm(forkserver):
    """Does a kernel forked by the server find IPython's traceback formatting already imported,
    instead of compiling it for its first error (about 0.1 CPU-seconds a kernel, without
    bytecode caches), and still format that error in full? And its shell made (the one the
    server made before forking, ``kernel.prebuild_shell``), in its own root?"""
    import re
    import shutil

    from learnpacks.grading import execute, kernel

    base = kernel.new_base()
    pk = kernel.prepare_kernel(base, FAST)
    kproc = forkserver.launch(pk)
    client = None
    try:
        client = kernel.connect(pk, kproc, FAST)
        runner = execute.Runner(client, kproc, FAST)
        warm = runner.run(
            "import sys\nprint(sorted({'stack_data', 'pygments.lexers.python'} - set(sys.modules)))"
        )
        error = runner.run("def f(x):\n    assert x == 2\nf(1)")
        shell = runner.run(
            "from learnpacks.grading import kernel as k\n"
            "print(get_ipython() is k._PREBUILT['shell'], get_ipython().starting_dir)"
        )
    finally:
        if client is not None:
            kernel.disconnect(client)
        kproc.kill()
        shutil.rmtree(base, ignore_errors=True)
    assert warm.passed and warm.outputs[0].text.strip() == "[]"
    assert error.status == execute.ERROR and error.ename == "AssertionError"
    traceback = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error.outputs[0].traceback))
    assert "assert x == 2" in traceback and "f(1)" in traceback  # the Context mode's source
    assert shell.passed and shell.outputs[0].text.split() == ["True", pk.plan.workdir]


def test_the_probe_started_early_gives_the_same_answer() -> None:
    """``cohort grade`` starts the machine's probe with its first step
    (``sandbox.probe_early``): the answer is the one a probe started when asked gives."""
    import json
    import subprocess
    import sys

    def caps(early: bool) -> dict[str, Any]:
        code = (
            "import json; from learnpacks.grading import sandbox\n"
            + ("sandbox.probe_early()\n" if early else "")
            + "print(json.dumps(sandbox.capabilities()))"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        return json.loads(out.stdout)

    assert caps(early=True) == caps(early=False) == sandbox.capabilities()
