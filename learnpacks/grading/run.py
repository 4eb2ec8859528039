"""Grading one submitted notebook: the unit of work a process pool or a Dask worker runs.

:func:`grade_notebook` takes plain data (a :class:`Task`: the authority, the submitted bytes,
the learner's other files and the pack's assets) and returns a JSON string, so a worker needs
no gradebook and the grader never unpickles anything a kernel produced.

Order of events for one notebook:

1. the submission is checked as bytes, text and nbformat before anything runs (THREATS 1-3,
   18, 19); a bad one is *rejected*: every item 0 and flagged for a human;
2. :func:`prepare.prepare` rebuilds it around the authoritative cells (8, 9, 12-15, 20-23);
3. a confined kernel starts in a private root of its own (:mod:`sandbox`: own PID, mount and
   network namespaces, a cgroup for its whole process tree, a size-limited disk) holding only
   the learner's files and fresh copies of the pack's assets (43); nothing of the cohort
   folder is visible (27, 30); without full confinement it refuses unless told otherwise;
4. every code cell runs in order, test cells *without* their hidden tests (phase 1);
5. after the last learner cell, each test cell with hidden tests runs in full (phase 2), so
   no learner cell ever runs after hidden test source reached the kernel (27);
6. nbgrader's own ``determine_grade`` scores each graded cell of the executed notebook.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import nbformat
from nbformat import NotebookNode

from learnpacks.errors import LearnpacksError
from learnpacks.grading import execute, kernel, sandbox
from learnpacks.grading.answers_check import cross_check
from learnpacks.grading.authority import Authority
from learnpacks.grading.execute import execute_notebook
from learnpacks.grading.limits import Limits
from learnpacks.grading.prepare import Finding, prepare
from learnpacks.widgets import ANSWERS_FILE

RESULT_SCHEMA = 1


@dataclass
class Task:
    """Everything needed to grade one notebook of one learner (plain, shippable data)."""

    student: str
    authority: Authority
    notebook_bytes: bytes | None
    files: dict[str, bytes] = field(default_factory=dict)
    assets: dict[str, bytes] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    hide: tuple[str, ...] = ()
    #: grade even where full confinement is missing (the facilitator asked; results say so)
    weak_confinement: bool = False


class Rejected(LearnpacksError):
    """A submitted notebook that cannot be graded; *code* is one of the ``grading.*`` codes."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


def read_submission(data: bytes, limits: Limits) -> NotebookNode:
    """The submitted notebook, or :class:`Rejected` naming what is wrong with it."""
    if len(data) > limits.submission_bytes:
        raise Rejected(
            "grading.too-large", f"{len(data)} bytes, over the limit of {limits.submission_bytes}"
        )
    if not data.strip():
        raise Rejected("grading.empty", "the file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected(
            "grading.not-utf8",
            f"not UTF-8 text at byte {exc.start}: "
            f"{data[max(0, exc.start - 10) : exc.start + 10]!r}",
        ) from None
    try:
        raw = json.loads(text)
    except ValueError as exc:
        excerpt = text[max(0, exc.pos - 30) : exc.pos + 30] if hasattr(exc, "pos") else text[:60]
        raise Rejected("grading.not-json", f"not JSON ({exc}); near {excerpt!r}") from None
    if not isinstance(raw, dict) or raw.get("nbformat") != 4:
        raise Rejected(
            "grading.invalid-nbformat",
            "not an nbformat 4 notebook "
            f"(nbformat={raw.get('nbformat') if isinstance(raw, dict) else None!r})",
        )
    try:
        json.dumps(raw, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise Rejected(
            "grading.invalid-text", "the notebook holds lone UTF-16 surrogates"
        ) from None
    if "\x00" in text or "\\u0000" in text:
        raise Rejected("grading.invalid-text", "the notebook holds NUL characters")
    for cell in raw.get("cells") or []:
        # a cell re-typed by the learner keeps the other type's keys; nbgrader's autograde
        # repairs that (update_cell_type) and grading restores the type: do not reject it
        if isinstance(cell, dict) and cell.get("cell_type") in ("markdown", "raw"):
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    try:
        nb = nbformat.from_dict(raw)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises ValidationError and friends
        message = str(exc).splitlines()[0][:300]
        raise Rejected("grading.invalid-nbformat", f"invalid nbformat: {message}") from None
    return nb


def _safe_rel(name: str) -> str | None:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return None
    return path.as_posix()


def _populate(workdir: Path, task: Task) -> None:
    for files in (task.files, task.assets):  # assets last: the pack's own copies win
        for name, data in files.items():
            rel = _safe_rel(name)
            if rel is None:
                continue
            dest = workdir / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest.is_symlink():
                dest.unlink()
            dest.write_bytes(data)


def score(nb: NotebookNode, authority: Authority, flagged: set[str]) -> dict[str, Any]:
    """nbgrader's scores for every graded cell of the executed *nb*; flagged cells get 0 and
    ``needs_manual_grade`` (a human decides)."""
    from nbgrader.utils import compute_checksum, determine_grade, is_grade, is_solution, is_task

    grades: dict[str, dict[str, Any]] = {}
    comments: dict[str, str | None] = {}
    for cell in nb.cells:
        if not is_grade(cell) and not is_solution(cell) and not is_task(cell):
            continue
        gid = cell.metadata["nbgrader"]["grade_id"]
        if is_grade(cell):
            auto, maximum = determine_grade(cell)
            needs = auto is None
            if gid in flagged:
                auto, needs = 0.0, True
            grades[gid] = {"auto_score": auto, "max_score": maximum, "needs_manual_grade": needs}
        if is_solution(cell) or is_task(cell):
            same = cell.metadata["nbgrader"].get("checksum") == compute_checksum(cell)
            comments[gid] = "No response." if same and not is_task(cell) else None
    for ac in authority.cells:  # a cell the notebook lost entirely still gets a row
        if ac.grade and ac.grade_id not in grades:
            grades[ac.grade_id] = {
                "auto_score": 0.0,
                "max_score": float(ac.points or 0),
                "needs_manual_grade": True,
            }
    return {"grades": grades, "comments": comments}


def rejected_result(task: Task, code: str, message: str, *, review: bool = True) -> dict[str, Any]:
    """Every item 0; with *review* (the default) each is flagged for a human."""
    finding = Finding(code, message, review=review)
    grades = {
        ac.grade_id: {
            "auto_score": 0.0,
            "max_score": float(ac.points or 0),
            "needs_manual_grade": review,
        }
        for ac in task.authority.cells
        if ac.grade
    }
    return _result(task, "rejected", grades, {}, [finding], None)


def _result(
    task: Task,
    status: str,
    grades: dict[str, Any],
    comments: dict[str, Any],
    findings: list[Finding],
    autograded: NotebookNode | None,
    confinement: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "schema": RESULT_SCHEMA,
        "student": task.student,
        "assignment": task.authority.assignment,
        "notebook": task.authority.notebook,
        "status": status,
        "flagged": any(f.review for f in findings),
        "grades": grades,
        "comments": comments,
        "findings": [f.to_dict() for f in findings],
        "confinement": confinement or {},
        "autograded": autograded,
    }


CONFINEMENT_HINT = (
    "grade on a machine that has it (Linux, as root), or accept weaker isolation with "
    '`"limits": {"confinement": "weak"}` in cohort.json or `--allow-weak-confinement`'
)


def require_confinement(*, weak_allowed: bool, settings: Path) -> list[str]:
    """What full confinement lacks here (empty: nothing); UsageError coded
    ``grading.confinement-unavailable`` if something does and the weak mode was not asked for."""
    from learnpacks.errors import Problem, UsageError

    lacks = sandbox.missing()
    if lacks and not weak_allowed:
        message = "learner code cannot be fully confined here: missing " + "; ".join(lacks)
        raise UsageError(
            message,
            [
                Problem(
                    str(settings),
                    "grading.confinement-unavailable",
                    message,
                    location="limits.confinement",
                    hint=CONFINEMENT_HINT,
                )
            ],
            code="grading.confinement-unavailable",
            path=str(settings),
            place="limits.confinement",
        )
    return lacks


def confinement_refused(task: Task, lacks: list[str]) -> dict[str, Any]:
    """The result of a task that may not run with weak confinement on this machine."""
    message = "full confinement is not available here: missing " + "; ".join(lacks)
    result = rejected_result(task, "grading.confinement-unavailable", message)
    result["status"] = "failed"
    return result


def _limit_findings(task: Task, pk: kernel.Prepared, disk: tuple[int, int] | None) -> list[Finding]:
    """What the learner's whole process tree ran into, read from its cgroup and its disk."""
    limits = task.limits
    found = []
    usage = pk.cgroup.usage if pk.cgroup is not None else None
    if usage is not None and usage.oom_kills:
        found.append(
            Finding(
                "grading.memory-limit",
                f"{task.student}'s processes reached the memory limit of "
                f"{limits.memory_bytes // 2**20} MiB for all of them together; "
                f"{usage.oom_kills} process(es) were killed",
            )
        )
    if usage is not None and usage.pids_refused:
        found.append(
            Finding(
                "grading.process-limit",
                f"{task.student}'s code tried to run more than {limits.processes} processes "
                f"and threads; {usage.pids_refused} were refused",
            )
        )
    if disk is not None and disk[1] and disk[0] >= 0.95 * disk[1]:
        found.append(
            Finding(
                "grading.disk-limit",
                f"{task.student}'s code filled its private disk "
                f"({disk[0] // 2**20} of {limits.disk_bytes // 2**20} MiB: work folder and /tmp)",
            )
        )
    return found


def grade_task(task: Task, *, launcher: Any = None) -> dict[str, Any]:
    """Grade one notebook; the result as a JSON-ready dict (see :data:`RESULT_SCHEMA`)."""
    if task.notebook_bytes is None:
        # as nbgrader's autograde: 0 for its items, not a case for review
        return rejected_result(
            task,
            "grading.missing-notebook",
            f"{task.authority.notebook}.ipynb was not handed in",
            review=False,
        )
    try:
        submitted = read_submission(task.notebook_bytes, task.limits)
    except Rejected as exc:
        return rejected_result(task, exc.code, exc.message)
    lacks = sandbox.missing()
    weak_allowed = task.weak_confinement or task.limits.confinement == "weak"
    if lacks and not weak_allowed:
        return confinement_refused(task, lacks)
    prepared = prepare(submitted, task.authority)
    nb = prepared.notebook
    launcher = launcher or kernel.SubprocessLauncher()
    base = kernel.new_base()
    findings = list(prepared.findings)
    kproc = None
    client = None
    pk = None
    disk = None
    try:
        _populate(Path(base) / "files", task)
        pk = kernel.prepare_kernel(base, task.limits)
        if not pk.plan.full and not weak_allowed:
            return confinement_refused(task, lacks or ["a cgroup for this learner (see the log)"])
        kproc = launcher.launch(pk)
        try:
            client = kernel.connect(pk, kproc, task.limits)
        except kernel.KernelStartError as exc:
            findings.append(Finding("grading.kernel-start", str(exc)))
            grades = rejected_result(task, "grading.kernel-start", str(exc))["grades"]
            return _result(task, "failed", grades, {}, findings, None)
        if pk.plan.root_dir:
            pk.remove_staging()  # the kernel works in its own root: nothing of it stays on disk
        runner = execute.Runner(client, kproc, task.limits)
        _, run_findings = execute_notebook(nb, task.authority, runner)
        findings.extend(run_findings)
        disk = pk.disk_used(kproc)
    finally:
        if client is not None:
            kernel.disconnect(client)
        if kproc is not None:
            kproc.kill()
        elif pk is not None and pk.cgroup is not None:
            pk.cgroup.remove()
        shutil.rmtree(base, ignore_errors=True)
    findings.extend(_limit_findings(task, pk, disk))
    confinement = {
        "level": "full" if pk.plan.full else "weak",
        "missing": lacks,
        "namespaces": pk.plan.namespaces,
        "pid_namespace": pk.plan.namespaces,
        "network": "allowed" if task.limits.network or not pk.plan.namespaces else "none",
        "filesystem": "private root" if pk.plan.root_dir else "shared",
        "cgroup": pk.cgroup.layout if pk.cgroup is not None else None,
        "launcher": getattr(launcher, "name", "custom"),
    }
    if not pk.plan.full:
        findings.append(
            Finding(
                "grading.weak-confinement",
                "graded with weak confinement, as the facilitator allowed: "
                + ("; ".join(lacks) or "no cgroup for this learner"),
                review=False,
            )
        )
    findings.extend(cross_check(nb, task.authority, task.files.get(ANSWERS_FILE)))
    flagged = {f.grade_id for f in findings if f.review and f.grade_id}
    scored = score(nb, task.authority, flagged)
    return _result(task, "graded", scored["grades"], scored["comments"], findings, nb, confinement)


def grade_task_json(task: Task, *, launcher: Any = None) -> str:
    """:func:`grade_task` as a JSON string: the only thing a worker hands back."""
    return json.dumps(grade_task(task, launcher=launcher), default=_jsonable)


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"not JSON: {type(value).__name__}")


def capabilities() -> dict[str, Any]:
    """What confinement this machine gives (for reports and tests)."""
    return sandbox.capabilities()


def files_of(folder: Path, *, skip_notebooks: bool) -> dict[str, bytes]:
    """Regular files under *folder* (no links, no hidden nbgrader bookkeeping), by relative path."""
    found: dict[str, bytes] = {}
    for root, dirs, names in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".ipynb_checkpoints")]
        for name in names:
            path = Path(root) / name
            if path.is_symlink() or not path.is_file():
                continue
            if skip_notebooks and name.endswith(".ipynb"):
                continue
            if name == "timestamp.txt" and Path(root) == folder:
                continue
            found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found
