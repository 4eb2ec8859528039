"""``learnpacks check --execute``: run every notebook of the chosen packs in the source language and
in every published translation, and prove each exercise.

The translations are built once (:func:`learnpacks.i18n.build.build`) into a scratch folder, the
source language with them, so nothing in the project is written. Each notebook then runs in a
fresh kernel, in a scratch copy of its pack folder (notebooks never share an answers file),
with nbval's semantics (:mod:`learnpacks.checks.nbrun`). In the same kernel, after the last
cell, every practice exercise's key is proved against its own checker
(:mod:`learnpacks.checks.keyprobe`). A graded notebook is also run as learners get it, with the
author's tests restored (what nbgrader's autograde runs on a blank submission): each test must
fail there (:mod:`learnpacks.checks.proofs`).

Problems carry ``exec.*`` codes (``docs/reference/problem-codes.md``), the source notebook,
the cell (index and id), the language, and the last lines of the error.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

import nbformat

from learnpacks.checks.keyprobe import MARK, probe_code
from learnpacks.checks.nbrun import CellRun, NotebookRun, run_notebook
from learnpacks.checks.plans import Plan, scratch_copy
from learnpacks.checks.plans import where as cell_where
from learnpacks.checks.proofs import blank_problems
from learnpacks.errors import Problem, UsageError
from learnpacks.packs.learner import is_graded, is_test_cell

#: seconds one cell may run
CELL_TIMEOUT = 120.0


def build_plans(
    *,
    root: Path | None,
    out_dir: Path,
    pack_ids: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
) -> tuple[list[Plan], list[Problem]]:
    """Build the source and every published translation of *pack_ids* (default: all) into
    *out_dir*, and plan one run per notebook and language. Returns the plans, sorted by
    notebook then language (the source first), and the build's errors (a pack whose notebooks
    cannot be read is not planned)."""
    from learnpacks.i18n.build import build
    from learnpacks.i18n.catalogs import catalog_path
    from learnpacks.packs.catalog import load_catalog

    catalog = load_catalog(root)
    # every language is built, so that a translation can be compared with its source
    result = build(root=catalog.root, out_dir=out_dir, pack_ids=pack_ids)
    plans: list[Plan] = []
    for item in result.items:
        if not (item.published and item.written and item.folder):
            continue
        if languages and item.language not in languages:
            continue
        pack = catalog.packs[item.pack]
        source_language = pack.meta.language
        for name in pack.meta.notebooks:
            folder = result.out_dir / item.folder
            if not (folder / name).is_file():
                continue
            plans.append(
                Plan(
                    pack=pack.id,
                    language=item.language,
                    source_language=source_language,
                    notebook=name,
                    folder=folder,
                    display=catalog.rel(pack.folder / name),
                    catalog=None
                    if item.language == source_language
                    else catalog.rel(catalog_path(catalog.root, item.language, pack.id)),
                )
            )
    plans.sort(key=lambda p: (p.display, p.language != p.source_language, p.language))
    errors = [p for p in result.problems if p.severity == "error"]
    return plans, errors


def _cell_problem(plan: Plan, source_nb: object, nb: object, run: CellRun) -> Problem:
    cells = nb.cells  # type: ignore[attr-defined]
    cell = cells[run.index]
    error = f"{run.ename}: {run.evalue}" if run.evalue else run.ename
    hint = "last lines: " + " | ".join(run.tail) if run.tail else ""
    place = cell_where(plan, run.index, cell)
    if is_test_cell(cell):
        return Problem(
            plan.display,
            "exec.solution-fails",
            f"the author's solution fails this test: {error}",
            place,
            hint=hint,
        )
    source_cells = source_nb.cells  # type: ignore[attr-defined]
    changed = plan.translated and (
        run.index >= len(source_cells) or source_cells[run.index].source != cell.source
    )
    if changed:
        return Problem(
            plan.display,
            "exec.translation-breaks-cell",
            f"this code cell raises {error} in {plan.language}: the translation changed it",
            place,
            hint=f"fix its entries in {plan.catalog}; " + hint,
        )
    return Problem(plan.display, "exec.cell-error", f"the cell raised {error}", place, hint=hint)


def run_problems(plan: Plan, source_nb: object, nb: object, run: NotebookRun) -> list[Problem]:
    """What the author's run of one notebook shows: failed cells, outputs that differ from a
    strict cell's committed ones, a time-out or a dead kernel."""
    problems = []
    cells = nb.cells  # type: ignore[attr-defined]
    for cell_run in run.cells.values():
        if cell_run.failed:
            problems.append(_cell_problem(plan, source_nb, nb, cell_run))
        elif cell_run.mismatch:
            problems.append(
                Problem(
                    plan.display,
                    "exec.output-mismatch",
                    "the output differs from the committed one (# NBVAL_CHECK_OUTPUT)",
                    cell_where(plan, cell_run.index, cells[cell_run.index]),
                    hint=cell_run.mismatch,
                )
            )
    if run.stopped:
        kind, index, detail = run.stopped
        where = (
            cell_where(plan, index, cells[index])
            if 0 <= index < len(cells)
            else f"language {plan.language}"
        )
        messages = {
            "timeout": f"a cell ran past the {CELL_TIMEOUT:g} s limit; the rest was not run",
            "kernel-died": "the kernel died; the rest was not run",
            "kernel-start": "the kernel did not start",
        }
        problems.append(Problem(plan.display, f"exec.{kind}", messages[kind], where, hint=detail))
    return problems


def key_problems(plan: Plan, nb: object, run: NotebookRun) -> list[Problem]:
    """What the practice-key probe found, each at the cell that defines the exercise."""
    from learnpacks.checks.cells import exercise_refs

    if run.stopped:
        return []
    if run.extra_error:
        return [
            Problem(
                plan.display,
                "exec.probe-failed",
                "the practice exercises could not be proved",
                f"language {plan.language}",
                hint=" | ".join(run.extra_error),
            )
        ]
    line = next((ln for ln in run.extra_output.splitlines() if ln.startswith(MARK)), None)
    if line is None:
        return []
    refs, _ = exercise_refs(list(nb.cells), plan.display)  # type: ignore[attr-defined]
    where_of = {ref.id: f"{ref.where}, language {plan.language}" for ref in refs}
    codes = {
        "key-rejected": "exec.practice-key-rejected",
        "accepts-wrong": "exec.practice-accepts-wrong",
    }
    problems = []
    for finding in json.loads(line[len(MARK) :]):
        code = codes[finding["problem"]]
        what = (
            "its key does not satisfy its own checker"
            if code.endswith("key-rejected")
            else "its checker accepts a wrong answer"
        )
        problems.append(
            Problem(
                plan.display,
                code,
                f"practice exercise {finding['id']!r} ({finding['kind']}): {what}",
                where_of.get(finding["id"], f"language {plan.language}"),
                hint=str(finding.get("detail", "")),
            )
        )
    return problems


def run_plan(plan: Plan, *, timeout: float = CELL_TIMEOUT, fork: bool = True) -> list[Problem]:
    """Run one notebook in one language, prove its exercises, and return what is wrong.
    *fork*: kernels forked by :mod:`learnpacks.checks.kernels` (else ``ipykernel_launcher``
    processes)."""
    nb = nbformat.read(plan.folder / plan.notebook, as_version=4)
    source_nb = nb
    if plan.translated:
        source_folder = plan.folder.parent.parent / plan.source_language / plan.pack
        if (source_folder / plan.notebook).is_file():
            source_nb = nbformat.read(source_folder / plan.notebook, as_version=4)
    with tempfile.TemporaryDirectory(prefix="learnpacks-exec-") as scratch:
        cwd = scratch_copy(plan.folder, Path(scratch))
        run = run_notebook(nb, cwd=cwd, timeout=timeout, extra_code=probe_code(), fork=fork)
    problems = run_problems(plan, source_nb, nb, run) + key_problems(plan, nb, run)
    if is_graded(nb) and not plan.translated:
        problems += blank_problems(plan, nb, timeout=timeout, fork=fork)
    return problems


def _require_runner() -> None:
    """Raise a coded :class:`UsageError` when what runs notebooks is not installed."""
    import importlib.util

    missing = [m for m in ("nbclient", "nbval", "ipykernel") if importlib.util.find_spec(m) is None]
    if missing:
        message = f"check --execute needs {', '.join(missing)}: pip install 'learnpacks[dev]'"
        raise UsageError(message, code="exec.unavailable")


def execute_packs(
    *,
    root: Path | None = None,
    pack_ids: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
    timeout: float = CELL_TIMEOUT,
    fork: bool = True,
) -> tuple[list[Problem], list[Plan]]:
    """Run every notebook of *pack_ids* (default: all packs) in the source language and in
    every published translation (or only *languages*), and prove every exercise. Returns the
    problems and the runs made."""
    _require_runner()
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory(prefix="learnpacks-notebooks-") as out:
        plans, errors = build_plans(
            root=root, out_dir=Path(out), pack_ids=pack_ids, languages=languages
        )
        problems += errors
        for plan in plans:
            problems += run_plan(plan, timeout=timeout, fork=fork)
    return problems, plans
