"""Checking a large catalog's notebooks on every core, from before the catalog is loaded.

A fresh ``learnpacks check`` of 200 packs spends about a third of a second on one core
importing pydantic, building the pack models and validating every ``pack.yml`` before it knows
which notebooks to check; the other core would wait. So as soon as the checks themselves are
imported, :func:`fanned_out` forks one worker per other core. A worker takes pack folders from a
queue shared by every process and checks the notebook files in each (those a valid ``pack.yml``
may list: ``.ipynb`` files directly in the pack folder), without reading ``pack.yml``; the
media limit it assumes is the one ``packs/_config.yml`` sets, read without validating it.
Meanwhile the main process loads the catalog; then it takes packs from the same queue and
checks them itself, and gathers what the workers found (:meth:`Fanout.gather`).

Of a worker's checks, the main process uses those of the notebooks a pack's validated
``pack.yml`` lists, if they were made with the media limit validation read
(:func:`~learnpacks.checks.notebooks.check_notebooks`); it checks every other listed notebook
itself, and those of every pack a worker did not finish (an error, which it then raises itself,
or a crash): the findings are those of a check in one process.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from learnpacks.checks.notebook_file import prepare_validation
from learnpacks.checks.notebooks import NotebookChecks, check_notebooks
from learnpacks.checks.widgets import MediaLimits
from learnpacks.packs.project import CONFIG_NAME, is_notebook_name, pack_folders
from learnpacks.packs.yamlfile import read_yaml
from learnpacks.procs import usable_cores

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess
    from multiprocessing.sharedctypes import Synchronized

#: From how many notebook files in the pack folders checked a static check shares them among
#: processes, one per core (at most :data:`MAX_PROCESSES`): below it, starting them costs more
#: than it saves.
PARALLEL_FROM_NOTEBOOKS = 60
MAX_PROCESSES = 4


@dataclass
class Fanout:
    """The pack folders of a check with their notebook files, the queue of those not yet
    taken, and the workers."""

    root: Path
    folders: list[tuple[Path, list[str]]]
    #: how many of :attr:`folders` have been taken (the index of the next one)
    taken: Synchronized[int]
    workers: list[tuple[BaseProcess, Connection]] = field(default_factory=list)

    def take(self) -> Iterator[tuple[Path, list[str]]]:
        """The folders no process has taken yet, with their notebook files, each taken as it
        is yielded."""
        while True:
            with self.taken.get_lock():
                index = self.taken.value
                self.taken.value = index + 1
            if index >= len(self.folders):
                return
            yield self.folders[index]

    def gather(self, check: Callable[[Path], NotebookChecks | None]) -> dict[str, NotebookChecks]:
        """*check* (the main process's check of a pack folder's notebooks, or None) of every
        folder not yet taken, then the workers' checks; by folder name."""
        found = {}
        for folder, _names in self.take():
            checks = check(folder)
            if checks is not None:
                found[folder.name] = checks
        for process, results in self.workers:
            with suppress(EOFError):  # it died: the main process checks the packs it had taken
                found.update(results.recv())
            process.join()
        return found

    def stop(self) -> None:
        """End the workers still running (the check raised before it gathered them)."""
        for process, results in self.workers:
            if process.is_alive():
                process.terminate()
            process.join()
            results.close()


@contextmanager
def fanned_out(root: Path, pack_ids: Sequence[str] | None = None) -> Iterator[Fanout | None]:
    """Workers checking the notebooks of the packs *pack_ids* (default: every pack) of the
    project at *root*, until the block ends; None when the check stays in this process: one
    core, fewer than :data:`PARALLEL_FROM_NOTEBOOKS` notebooks, no ``fork``, or other threads
    (forking a process with threads may copy a held lock)."""
    processes = min(usable_cores(), MAX_PROCESSES)
    if (
        processes < 2
        or "fork" not in multiprocessing.get_all_start_methods()
        or threading.active_count() > 1
    ):
        yield None
        return
    folders = pack_folders(root / "packs")
    if pack_ids:
        wanted = set(pack_ids)
        folders = [folder for folder in folders if folder.name in wanted]
    notebooks = [(folder, notebook_files(folder)) for folder in folders]
    if sum(len(names) for _folder, names in notebooks) < PARALLEL_FROM_NOTEBOOKS:
        yield None
        return
    prepare_validation()  # once, for every process
    context = multiprocessing.get_context("fork")
    fanout = Fanout(root, notebooks, context.Value("i", 0))
    try:
        for _ in range(processes - 1):
            results, send = context.Pipe(duplex=False)
            process = context.Process(target=_work, args=(fanout, send), daemon=True)
            process.start()
            send.close()
            fanout.workers.append((process, results))
        yield fanout
    finally:
        fanout.stop()


def notebook_files(folder: Path) -> list[str]:
    """The names in *folder* that a valid ``pack.yml`` may list as notebooks (whether they
    are files is for the check to see)."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:  # the check tells what is wrong with that folder
        return []
    return [name for name in names if is_notebook_name(name)]


def _work(fanout: Fanout, send: Connection) -> None:
    """A worker: the checks of the notebooks of each pack folder it takes, sent by folder name."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process ends the check
    made: dict[str, NotebookChecks] = {}
    try:
        limits = assumed_limits(fanout.root)
        for folder, names in fanout.take():
            made[folder.name] = check_notebooks(fanout.root, folder, names, limits)
    except Exception:  # the main process checks that pack again, and raises the error itself
        pass
    send.send(made)
    send.close()


def assumed_limits(root: Path) -> MediaLimits:
    """The media limits ``packs/_config.yml`` sets, read without validating it."""
    path = root / "packs" / CONFIG_NAME
    data, _problems = read_yaml(path, display=str(path), code_prefix="config")
    thresholds = data.get("thresholds") if data is not None else None
    mb = thresholds.get("max_media_mb") if isinstance(thresholds, dict) else None
    if isinstance(mb, int | float) and not isinstance(mb, bool):
        return MediaLimits.of(mb)
    return MediaLimits()
