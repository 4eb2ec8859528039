"""``cohort grade``: every submission, in parallel, resumable, one run at a time.

* **Parallel**: a process pool on this machine (``workers``), or a Dask cluster
  (``scheduler``). Workers get plain :class:`~learnpacks.grading.run.Task` data and hand back a
  JSON string; only this process writes the gradebook.
* **Resumable**: each notebook's validated result is kept in ``.learnpacks/results/`` under a
  key made of the submitted bytes, the authority and the limits. A re-run skips what is done
  and current, regrades what changed, and rewrites the gradebook rows in place (no duplicates).
* **One run at a time**: an exclusive lock on ``.learnpacks/grade.lock``.
* **A worker that dies** (killed from outside: the host's OOM killer, an operator) does not end
  the run: a fresh pool takes over, the notebooks in flight are graded again, one at a time,
  and one whose worker dies again gets a ``grading.worker-died`` result (status ``failed``:
  flagged now, graded again by the next run) while the others are graded.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from learnpacks.errors import LearnpacksError, UsageError
from learnpacks.grading.authority import Authority, from_gradebook
from learnpacks.grading.cohort import COHORT_FILE, Cohort, venv_path_env
from learnpacks.grading.collect import rejected_at_collect
from learnpacks.grading.gradebook import (
    ResultInvalid,
    open_gradebook,
    validate_result,
    write_results,
)
from learnpacks.grading.run import (
    Task,
    files_of,
    rejected_result,
    require_confinement,
)
from learnpacks.procs import usable_cores

if TYPE_CHECKING:
    from learnpacks.grading.forkserver import SharedServer

LOCK_FILE = "grade.lock"
RESULTS_DIR = "results"
LAUNCHERS = ("prefork", "subprocess")


@dataclass
class GradeSummary:
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    flagged: dict[str, list[str]] = field(default_factory=dict)
    invalid: dict[str, str] = field(default_factory=dict)
    #: ``level`` ("full" or "weak") and what was ``missing``
    confinement: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@contextlib.contextmanager
def cohort_lock(cohort: Cohort) -> Iterator[None]:
    """Hold the cohort's grading lock, or raise UsageError naming the holder."""
    cohort.state.mkdir(parents=True, exist_ok=True)
    path = cohort.state / LOCK_FILE
    handle = open(path, "a+")  # noqa: SIM115 - held for the whole run
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise UsageError(
                f"cohort {cohort.root} is being graded by {holder}; "
                "wait for it to finish (one grading run at a time)",
                code="cohort.busy",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()


def authorities(cohort: Cohort, gb: Any = None) -> dict[str, Authority]:
    """Every notebook's authority, read with one gradebook connection (*gb*, an open
    gradebook, or one opened for this call)."""
    opened = open_gradebook(cohort) if gb is None else contextlib.nullcontext(gb)
    with opened as gb:
        return {
            nb: from_gradebook(
                gb,
                assignment=cohort.assignment,
                notebook=nb,
                release_notebook=cohort.path("release") / f"{nb}.ipynb",
            )
            for nb in cohort.notebook_ids()
        }


def _key(task: Task) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps(task.authority.to_dict(), sort_keys=True).encode())
    digest.update(json.dumps(task.limits.to_dict(), sort_keys=True).encode())
    digest.update(task.notebook_bytes or b"<missing>")
    for name in sorted(task.files):
        digest.update(name.encode() + b"\0" + task.files[name])
    return digest.hexdigest()


def build_tasks(cohort: Cohort, auth: dict[str, Authority]) -> list[Task]:
    """One task per (learner, notebook) of every filed hand-in."""
    assets = files_of(cohort.path("source"), skip_notebooks=True)
    tasks = []
    for student in cohort.students_submitted():
        folder = cohort.path("submitted", student)
        files = files_of(folder, skip_notebooks=True)
        for nb, authority in auth.items():
            path = folder / f"{nb}.ipynb"
            data = path.read_bytes() if path.is_file() and not path.is_symlink() else None
            tasks.append(
                Task(
                    student, authority, data, files, assets, cohort.limits, hide=(str(cohort.root),)
                )
            )
    return tasks


def _result_path(cohort: Cohort, task: Task) -> Path:
    return cohort.state / RESULTS_DIR / task.student / f"{task.authority.notebook}.json"


def _done(cohort: Cohort, task: Task, key: str) -> dict[str, Any] | None:
    path = _result_path(cohort, task)
    try:
        stored = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    result = stored.get("result") or {}
    if stored.get("key") != key or not stored.get("written") or result.get("status") == "failed":
        return None  # changed, unwritten, or failed for the grader's reasons: grade again
    return dict(result)


def _store(cohort: Cohort, task: Task, key: str, result: dict[str, Any], *, written: bool) -> None:
    path = _result_path(cohort, task)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"key": key, "written": written, "result": result}))
    os.replace(tmp, path)


# --- workers ---------------------------------------------------------------------------------


def default_workers() -> int:
    """One worker more than the CPUs this process may use: a worker and its kernel take turns
    (the worker waits while a cell runs, the kernel while the worker reads the reply and starts
    the next notebook), so with one per CPU a core is often idle. Measured on 2 CPUs: 3 workers
    grade 80 notebooks about a tenth faster than 2, for about 240 MB more memory at peak."""
    return usable_cores() + 1


_LAUNCHER: Any = None


def _worker_init(launcher: str, server: str | None = None) -> None:
    """Pool worker start: die with the parent (a killed run leaves no kernels), warm launcher
    (connected to this run's shared fork server *server*, when there is one)."""
    with contextlib.suppress(Exception):
        from learnpacks.grading.sandbox import PR_SET_PDEATHSIG, _libc

        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if server:
        from learnpacks.grading.forkserver import ADDRESS_ENV

        os.environ[ADDRESS_ENV] = server
    started = _get_launcher(launcher, server)
    if hasattr(started, "_server"):
        started._server()  # start the fork server now, while the parent is still busy
        import multiprocessing.util

        # stop it cleanly when the worker exits, so its CPU time is accounted to the run
        multiprocessing.util.Finalize(started, started.close, exitpriority=10)


def _get_launcher(name: str, server: str | None = None) -> Any:
    global _LAUNCHER
    if (
        _LAUNCHER is None
        or getattr(_LAUNCHER, "name", "") != name
        or (server and getattr(_LAUNCHER, "address", None) != server)
    ):
        if name == "prefork":
            from learnpacks.grading.forkserver import ForkServerLauncher

            _LAUNCHER = ForkServerLauncher(server)
        else:
            from learnpacks.grading.kernel import SubprocessLauncher

            _LAUNCHER = SubprocessLauncher()
    return _LAUNCHER


def run_task(task: Task, launcher: str = "prefork") -> str:
    """Grade one task in this worker; a JSON string (what crosses the process boundary)."""
    from learnpacks.grading.run import grade_task_json

    return grade_task_json(task, launcher=_get_launcher(launcher))


#: a notebook in flight when this many workers died is reported, not graded again in this run
WORKER_DEATHS = 2
#: pool breakages in a row with no notebook in flight (workers dying as they start) before the
#: run gives up
FRUITLESS_BREAKAGES = 3


#: a worker's exit status when the shared fork server died under it
_SERVER_LOST_EXIT = 75


def _run_marked(task: Task, launcher: str, marker: str) -> str:
    """:func:`run_task`, leaving *marker* behind so the parent knows it started (a worker that
    dies takes nothing else with it to say which notebook it was grading). When the shared
    fork server dies under it, the worker exits: the parent starts a new server and grades what
    was in flight again, as when a worker is killed."""
    from learnpacks.grading.forkserver import ForkServerLost

    Path(marker).touch()
    try:
        return run_task(task, launcher)
    except ForkServerLost:
        os._exit(_SERVER_LOST_EXIT)


def worker_died_result(task: Task) -> str:
    """The result of a notebook whose grading worker died :data:`WORKER_DEATHS` times."""
    message = (
        f"the grading worker died {WORKER_DEATHS} times while grading this notebook (killed "
        "from outside the learner's sandbox, e.g. by the host's out-of-memory killer); it is "
        "graded again by the next `cohort grade`"
    )
    result = rejected_result(task, "grading.worker-died", message)
    result["status"] = "failed"  # the grader's problem: the next run grades it again
    return json.dumps(result)


def _pool_results(
    tasks: list[Task], workers: int, launcher: str, server: SharedServer | None
) -> Iterator[tuple[Task, str]]:
    import multiprocessing
    import tempfile
    import threading
    from concurrent.futures import ProcessPoolExecutor

    from learnpacks.grading import sandbox

    # Probe once here so that forked workers inherit the answers.
    sandbox.capabilities()
    sandbox.system_view()
    # Forking is only safe with no other thread running (a lock held by a thread at fork time
    # stays held forever in the child); the CLI's progress bar does not refresh from a thread.
    context: Any
    if threading.active_count() == 1:
        context = multiprocessing.get_context("fork")
    else:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(
            [
                "learnpacks.grading.grade",
                "learnpacks.grading.run",
                "learnpacks.grading.forkserver",
                "nbformat",
            ]
        )
    with tempfile.TemporaryDirectory(prefix="lp-pool-") as markers:

        def new_pool(size: int) -> ProcessPoolExecutor:
            return ProcessPoolExecutor(
                max_workers=size,
                mp_context=context,
                initializer=_worker_init,
                # a live server for each new pool: the one before may have died
                initargs=(launcher, server.ensure() if server else None),
            )

        yield from _resilient(tasks, new_pool, workers, launcher, Path(markers))


def _resilient(
    tasks: list[Task], new_pool: Callable[[int], Any], workers: int, launcher: str, markers: Path
) -> Iterator[tuple[Task, str]]:
    """Results of *tasks* from pools of *workers* made by *new_pool*, a fresh one each time a
    worker dies (see the module docstring); *markers* holds a file per task that started.

    A notebook in flight when a worker died is graded again alone (a pool of one), so a second
    death names it and no other: the notebooks graded beside it are not blamed."""
    todo = list(enumerate(tasks))
    deaths = [0] * len(tasks)
    fruitless = 0
    while todo:
        suspects = [(i, t) for i, t in todo if deaths[i]]
        rest = [(i, t) for i, t in todo if not deaths[i]]
        broken: list[tuple[int, Task]] = []
        for group, size in ((suspects, 1), (rest, workers)):
            if group:
                yield from _round(group, new_pool(size), launcher, markers, broken)
        in_flight = {i for i, _ in broken if (markers / str(i)).exists()}
        fruitless = 0 if in_flight or not broken else fruitless + 1
        if fruitless >= FRUITLESS_BREAKAGES:
            raise LearnpacksError(
                f"grading workers died {fruitless} times in a row before grading anything; "
                "what is done is kept: run `cohort grade` again",
                code="grading.workers-died",
            )
        todo = []
        for i, task in broken:
            deaths[i] += i in in_flight
            if deaths[i] >= WORKER_DEATHS:
                yield task, worker_died_result(task)
            else:
                todo.append((i, task))


def _round(
    items: list[tuple[int, Task]],
    pool: Any,
    launcher: str,
    markers: Path,
    broken: list[tuple[int, Task]],
) -> Iterator[tuple[Task, str]]:
    """Results of *items* from *pool* (closed at the end); what a dead worker took with it, or
    could not be run once the pool broke, is added to *broken*."""
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    for i, _ in items:
        (markers / str(i)).unlink(missing_ok=True)
    with pool:
        futures = {
            pool.submit(_run_marked, t, launcher, str(markers / str(i))): (i, t) for i, t in items
        }
        for future in as_completed(futures):
            try:
                text = future.result()
            except BrokenProcessPool:
                broken.append(futures[future])
                continue
            yield futures[future][1], text


def _serial_results(
    tasks: list[Task], launcher: str, server: SharedServer | None
) -> Iterator[tuple[Task, str]]:
    """Results of *tasks* graded here, one by one; a notebook whose kernel died with the shared
    fork server is graded again through a new one (once: then it is reported)."""
    from learnpacks.grading.forkserver import ForkServerLost

    for task in tasks:
        for attempt in range(WORKER_DEATHS):
            _get_launcher(launcher, server.ensure() if server else None)
            try:
                text = run_task(task, launcher)
                break
            except ForkServerLost:
                if attempt + 1 == WORKER_DEATHS:
                    text = worker_died_result(task)
        yield task, text


def _dask_results(tasks: list[Task], scheduler: str, launcher: str) -> Iterator[tuple[Task, str]]:
    """Results of *tasks* from the Dask cluster at *scheduler*. A notebook whose kernel died
    with its worker's fork server is graded once more; one whose Dask worker died as often as
    Dask allows (``KilledWorker``) gets a ``grading.worker-died`` result, as in a local run."""
    from distributed import Client, as_completed
    from distributed.scheduler import KilledWorker

    from learnpacks.grading.forkserver import ForkServerLost

    with Client(scheduler) as client:

        def submit(task: Task, tries: int) -> Any:
            key = f"grade-{task.student}-{task.authority.notebook}-{tries}"
            return client.submit(run_task, task, launcher=launcher, pure=False, key=key)

        first = [submit(task, 0) for task in tasks]
        futures = {f.key: (task, 0) for f, task in zip(first, tasks, strict=True)}
        running = as_completed(first)
        for future in running:
            task, tries = futures.pop(future.key)
            try:
                yield task, future.result()
            except ForkServerLost:
                if tries + 1 >= WORKER_DEATHS:
                    yield task, worker_died_result(task)
                else:
                    again = submit(task, tries + 1)
                    futures[again.key] = (task, tries + 1)
                    running.add(again)
            except KilledWorker:
                yield task, worker_died_result(task)


def grade_cohort(
    cohort: Cohort,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    launcher: str = "prefork",
    on_progress: Callable[[int, int, str], None] | None = None,
    force: bool = False,
    allow_weak_confinement: bool = False,
    fork_server: SharedServer | None = None,
) -> GradeSummary:
    """Autograde every hand-in of *cohort* (see the module docstring).

    ``workers``: pool size (default: :func:`default_workers`). ``scheduler``: a Dask scheduler
    address; the work then runs on that cluster's workers. ``force``: regrade even what is done.
    ``on_progress(done, total, label)`` is called after each notebook.
    ``allow_weak_confinement`` (or ``limits.confinement`` "weak" in cohort.json): grade even where
    learner code cannot be fully confined; otherwise that is a coded UsageError.
    ``fork_server``: the kernels' shared fork server, started by the caller (the command line
    starts it before its own imports, so that it warms up meanwhile); stopped at the end, or
    at once when this run does not use one.
    """
    if launcher not in LAUNCHERS:
        raise UsageError(
            f"launcher must be one of {', '.join(LAUNCHERS)}, not {launcher!r}",
            code="grading.unknown-launcher",
        )
    venv_path_env()
    settings = cohort.root / COHORT_FILE
    weak = allow_weak_confinement or cohort.limits.confinement == "weak"
    lacks = require_confinement(weak_allowed=weak, settings=settings)
    summary = GradeSummary(confinement={"level": "weak" if lacks else "full", "missing": lacks})
    from learnpacks.grading.forkserver import shared_server
    from learnpacks.grading.sandbox import clean_stale

    with (
        cohort_lock(cohort),
        # one fork server for every worker, started first: it imports IPython on one core
        # while this process imports nbgrader and reads the gradebook on the other
        shared_server(
            enabled=launcher == "prefork" and not scheduler, started=fork_server
        ) as server,
        open_gradebook(cohort) as gb,
    ):
        clean_stale()
        auth = authorities(cohort, gb)
        tasks = build_tasks(cohort, auth)
        for task in tasks:
            task.weak_confinement = weak
        keys = {id(t): _key(t) for t in tasks}
        results: dict[str, dict[str, dict[str, Any]]] = {}
        pending = []
        for task in tasks:
            done = None if force else _done(cohort, task, keys[id(task)])
            if done is not None:
                summary.skipped.append(f"{task.student}/{task.authority.notebook}")
                results.setdefault(task.student, {})[task.authority.notebook] = done
            else:
                pending.append(task)
        total, count = len(pending), 0
        per_student = {t.student: 0 for t in pending}
        for t in pending:
            per_student[t.student] += 1
        if on_progress:
            on_progress(0, total, "")
        if pending:
            size = workers or default_workers()
            if scheduler:
                stream = _dask_results(pending, scheduler, launcher)
            elif size == 1:
                stream = _serial_results(pending, launcher, server)
            else:
                stream = _pool_results(pending, size, launcher, server)
            for task, text in stream:
                label = f"{task.student}/{task.authority.notebook}"
                try:
                    result = validate_result(json.loads(text), task.authority, task.student)
                except (ValueError, ResultInvalid) as exc:
                    summary.invalid[label] = str(exc)
                    result = rejected_result(task, "grading.invalid-result", str(exc))
                _store(cohort, task, keys[id(task)], result, written=False)
                results.setdefault(task.student, {})[task.authority.notebook] = result
                per_student[task.student] -= 1
                if per_student[task.student] == 0:
                    write_results(cohort, task.student, list(results[task.student].values()), gb)
                    for other in pending:
                        if other.student == task.student:
                            _store(
                                cohort,
                                other,
                                keys[id(other)],
                                results[task.student][other.authority.notebook],
                                written=True,
                            )
                summary.graded.append(label)
                count += 1
                if on_progress:
                    on_progress(count, total, label)
        _write_rejected_learners(cohort, auth, results, gb)
        # again at the end: a killed run's last kernel may have outlived it past the first sweep
        clean_stale()
        for student, by_nb in results.items():
            for nb, result in by_nb.items():
                if result.get("flagged"):
                    summary.flagged.setdefault(student, []).append(nb)
    return summary


def _write_rejected_learners(
    cohort: Cohort,
    auth: dict[str, Authority],
    results: dict[str, dict[str, dict[str, Any]]],
    gb: Any,
) -> None:
    """A learner whose whole hand-in was rejected at collect gets zeros, flagged for a human."""
    for student, reasons in rejected_at_collect(cohort).items():
        if student in results or cohort.path("submitted", student).exists():
            continue
        message = "; ".join(f"{r['member'] or r['source']}: {r['reason']}" for r in reasons)[:500]
        out = []
        for authority in auth.values():
            task = Task(student, authority, None)
            out.append(rejected_result(task, "grading.rejected-at-collect", message))
        write_results(cohort, student, out, gb)
        results[student] = {r["notebook"]: r for r in out}
