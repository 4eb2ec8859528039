"""``learnpacks check``: static checks of packs, without executing anything.

Codes are documented in ``docs/reference/problem-codes.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from learnpacks.checks.cells import duplicate_exercises
from learnpacks.checks.fanout import Fanout, fanned_out
from learnpacks.checks.notebooks import NotebookChecks, check_notebook, check_notebooks
from learnpacks.checks.packs import check_pack_files, check_prerequisites
from learnpacks.checks.report import Report
from learnpacks.checks.widgets import MediaLimits
from learnpacks.errors import Problem
from learnpacks.gcpause import cyclic_gc_paused
from learnpacks.packs.project import find_root
from learnpacks.packs.realpaths import folders_kept

if TYPE_CHECKING:
    from learnpacks.packs.catalog import Catalog, Pack

__all__ = ["Report", "check_catalog", "check_notebook", "check_pack"]


def check_pack(
    catalog: Catalog,
    pack: Pack,
    *,
    files: list[Problem] | None = None,
    made: NotebookChecks | None = None,
) -> tuple[list[Problem], int]:
    """Problems in one pack's files and notebooks, and how many notebooks were read.

    *files* are the problems :func:`check_pack_files` found in it already; *made*, checks of
    some of its notebooks made already (used if made with the same project, folder and media
    limits)."""
    limits = media_limits(catalog)
    problems = list(check_pack_files(catalog, pack, limits=limits) if files is None else files)
    checked = check_notebooks(catalog.root, pack.folder, pack.meta.notebooks, limits, made=made)
    refs = []
    for nb_problems, nb_refs in checked.found.values():
        problems += nb_problems
        refs += nb_refs
    problems += duplicate_exercises(refs)
    return problems, len(checked.found)


def media_limits(catalog: Catalog) -> MediaLimits:
    """The media size limit ``packs/_config.yml`` sets (``thresholds.max_media_mb``)."""
    if catalog.config is None:
        return MediaLimits()
    return MediaLimits.of(catalog.config.thresholds.max_media_mb)


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
        root = find_root() if root is None else root.resolve()
        with fanned_out(root, pack_ids) as fanout:
            # pydantic and the pack models, imported here, take a while: the workers already
            # check notebooks meanwhile
            from learnpacks.packs.catalog import load_catalog

            catalog = load_catalog(root)
            report = static_report(catalog, pack_ids, fanout=fanout)
    if execute:
        from learnpacks.checks.execute import execute_packs

        runnable = [pid for pid in report.packs_checked if pid in catalog.packs]
        problems, plans = execute_packs(root=catalog.root, pack_ids=runnable, languages=languages)
        report.add(p for p in problems if p not in report.problems)
        report.runs = [(plan.display, plan.language) for plan in plans]
    report.suppress(ignore)
    report.sort()
    return report


def static_report(
    catalog: Catalog, pack_ids: Sequence[str] | None = None, *, fanout: Fanout | None = None
) -> Report:
    """The static checks of the packs *pack_ids* (default: every pack) of *catalog*, unsorted;
    with *fanout*, the workers already checking those packs' notebooks."""
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
    prerequisites = list(check_prerequisites(catalog, checked))
    files: dict[str, list[Problem]] = {}
    made: dict[str, NotebookChecks] = {}
    if fanout is not None:
        # what only this process can check, while the workers check notebooks
        limits = media_limits(catalog)
        for pid in checked:
            files[pid] = list(check_pack_files(catalog, catalog.packs[pid], limits=limits))
        made = fanout.gather(_checks_in(catalog, checked))
    for pid in checked:
        problems, count = check_pack(
            catalog, catalog.packs[pid], files=files.get(pid), made=made.get(pid)
        )
        report.add(problems)
        report.notebooks_checked += count
    report.add(prerequisites)
    return report


def _checks_in(catalog: Catalog, pack_ids: list[str]) -> Callable[[Path], NotebookChecks | None]:
    """The checks of the notebooks of a pack folder of *catalog*, if it is one of *pack_ids*."""
    wanted = set(pack_ids)

    def check(folder: Path) -> NotebookChecks | None:
        if folder.name not in wanted:
            return None
        pack = catalog.packs[folder.name]
        return check_notebooks(
            catalog.root, pack.folder, pack.meta.notebooks, media_limits(catalog)
        )

    return check
