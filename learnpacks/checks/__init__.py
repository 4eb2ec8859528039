"""``learnpacks check``: static checks of packs, without executing anything.

Codes are documented in ``docs/reference/problem-codes.md``.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from learnpacks.checks.cells import (
    check_cell_ids,
    check_execution_policy,
    check_hidden_sources,
    check_nbgrader,
    check_notebook_name,
    check_outputs,
    check_portable_setup,
    duplicate_exercises,
    exercise_refs,
)
from learnpacks.checks.graded import check_graded_shape
from learnpacks.checks.markdown import check_markdown_cells
from learnpacks.checks.notebook_file import prepare_validation, read_notebook_data
from learnpacks.checks.packs import check_pack_files, check_prerequisites
from learnpacks.checks.report import Report
from learnpacks.checks.widgets import MediaLimits, check_widget_calls
from learnpacks.errors import Problem
from learnpacks.gcpause import cyclic_gc_paused
from learnpacks.packs.catalog import Catalog, Pack, load_catalog
from learnpacks.packs.realpaths import folders_kept
from learnpacks.packs.roles import forget_trees

__all__ = ["Report", "check_catalog", "check_notebook", "check_pack"]


def check_notebook(
    path: Path,
    *,
    repo_root: Path,
    display: str,
    pack_folder: Path | None = None,
    limits: MediaLimits | None = None,
) -> tuple[list[Problem], list]:
    """Problems in one notebook, and its exercise ids (for pack-wide duplicate detection).

    *pack_folder* (default: the notebook's folder) is where the files its widgets and code
    read must be; *limits* how large its media may be."""
    try:
        nb, problems = read_notebook_data(path, display)
        if nb is None:
            return problems, []
        cells = nb["cells"]
        problems += check_outputs(cells, display)
        problems += check_cell_ids(cells, display)
        problems += check_nbgrader(cells, display)
        problems += check_graded_shape(cells, display)
        problems += check_execution_policy(nb, display)
        problems += check_hidden_sources(nb, display)
        problems += check_portable_setup(nb, display)
        problems += check_notebook_name(cells, display, path.name)
        problems += check_markdown_cells(cells, notebook=path, repo_root=repo_root, display=display)
        problems += check_widget_calls(
            cells, notebook=path, pack=pack_folder or path.parent, display=display, limits=limits
        )
        refs, ref_problems = exercise_refs(cells, display)
        return problems + ref_problems, refs
    finally:
        forget_trees()  # the checks above share this notebook's trees; the next one's are others


def check_pack(catalog: Catalog, pack: Pack) -> tuple[list[Problem], int]:
    """Problems in one pack's files and notebooks, and how many notebooks were read."""
    limits = media_limits(catalog)
    problems = list(check_pack_files(catalog, pack, limits=limits))
    refs = []
    count = 0
    for path in pack.notebook_paths():
        if not path.is_file():
            continue
        count += 1
        nb_problems, nb_refs = check_notebook(
            path,
            repo_root=catalog.root,
            display=catalog.rel(path),
            pack_folder=pack.folder,
            limits=limits,
        )
        problems += nb_problems
        refs += nb_refs
    problems += duplicate_exercises(refs)
    return problems, count


def media_limits(catalog: Catalog) -> MediaLimits:
    """The media size limit ``packs/_config.yml`` sets (``thresholds.max_media_mb``)."""
    if catalog.config is None:
        return MediaLimits()
    return MediaLimits(int(catalog.config.thresholds.max_media_mb * 1024 * 1024))


def check_catalog(
    *,
    root: Path | None = None,
    pack_ids: Sequence[str] | None = None,
    ignore: Iterable[str] = (),
    execute: bool = False,
    languages: Sequence[str] | None = None,
) -> Report:
    """Check the packs *pack_ids* (default: every pack) of the project at *root*.

    With *execute*, also run every notebook in the source language and every published
    translation (or only *languages*) and prove each exercise
    (:func:`learnpacks.checks.execute.execute_packs`).
    Raises :class:`~learnpacks.errors.UsageError` for an unknown pack id.
    """
    with cyclic_gc_paused(), folders_kept():
        catalog = load_catalog(root)
        report = static_report(catalog, pack_ids)
    if execute:
        from learnpacks.checks.execute import execute_packs

        runnable = [pid for pid in report.packs_checked if pid in catalog.packs]
        problems, plans = execute_packs(root=catalog.root, pack_ids=runnable, languages=languages)
        report.add(p for p in problems if p not in report.problems)
        report.runs = [(plan.display, plan.language) for plan in plans]
    report.suppress(ignore)
    report.sort()
    return report


def static_report(catalog: Catalog, pack_ids: Sequence[str] | None = None) -> Report:
    """The static checks of the packs *pack_ids* (default: every pack) of *catalog*, unsorted."""
    report = Report()
    wanted = list(pack_ids) if pack_ids else sorted({*catalog.packs, *catalog.broken})
    for pid in wanted:
        if pid not in catalog.packs and pid not in catalog.broken:
            catalog.get(pid)  # raises UsageError naming the known packs
    scope = {f"packs/{pid}/" for pid in wanted}
    report.add(
        p
        for p in catalog.problems
        if not p.path.startswith("packs/")
        or p.path.endswith("_config.yml")
        or any(p.path.startswith(s) for s in scope)
    )
    report.packs_checked += wanted
    checked = [pid for pid in wanted if pid in catalog.packs]
    for problems, count in _check_packs(catalog, checked):
        report.add(problems)
        report.notebooks_checked += count
    report.add(check_prerequisites(catalog, checked))
    return report


#: From how many notebooks on a static check shares its packs among processes, one per core
#: (at most :data:`MAX_WORKERS`): below it, starting them costs more than it saves.
PARALLEL_FROM_NOTEBOOKS = 60
MAX_WORKERS = 4
_shared: Catalog | None = None  # the catalog forked workers check (set only while they run)


def _check_packs(catalog: Catalog, pack_ids: list[str]) -> list[tuple[list[Problem], int]]:
    """:func:`check_pack` of each pack, in order; on several cores, in forked processes when
    the catalog is large enough, and only from a single-threaded process (forking one with
    threads may copy a held lock)."""
    workers = min(
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1, MAX_WORKERS
    )
    notebooks = sum(len(catalog.packs[pid].meta.notebooks) for pid in pack_ids)
    if (
        workers < 2
        or notebooks < PARALLEL_FROM_NOTEBOOKS
        or "fork" not in multiprocessing.get_all_start_methods()
        or threading.active_count() > 1
    ):
        return [check_pack(catalog, catalog.packs[pid]) for pid in pack_ids]
    global _shared
    _shared = catalog
    prepare_validation()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            chunk = max(1, len(pack_ids) // (workers * 4))
            return pool.map(_check_shared_pack, pack_ids, chunksize=chunk)
    finally:
        _shared = None


def _check_shared_pack(pack_id: str) -> tuple[list[Problem], int]:
    assert _shared is not None
    return check_pack(_shared, _shared.packs[pack_id])
