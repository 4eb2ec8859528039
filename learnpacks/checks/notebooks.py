"""The static checks of one notebook, and of the notebooks one pack lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from learnpacks.checks.cells import (
    ExerciseRef,
    check_cell_ids,
    check_execution_policy,
    check_hidden_sources,
    check_nbgrader,
    check_notebook_name,
    check_outputs,
    check_portable_setup,
    exercise_refs,
)
from learnpacks.checks.graded import check_graded_shape
from learnpacks.checks.markdown import check_markdown_cells
from learnpacks.checks.notebook_file import read_notebook_data
from learnpacks.checks.widgets import MediaLimits, check_widget_calls
from learnpacks.errors import Problem
from learnpacks.packs.project import display_path
from learnpacks.packs.roles import forget_trees


def check_notebook(
    path: Path,
    *,
    repo_root: Path,
    display: str,
    pack_folder: Path | None = None,
    limits: MediaLimits | None = None,
) -> tuple[list[Problem], list[ExerciseRef]]:
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


#: what :func:`check_notebook` found in one notebook: its problems and its exercise ids
Found = tuple[list[Problem], list[ExerciseRef]]


@dataclass(frozen=True)
class NotebookChecks:
    """:func:`check_notebook` of notebooks of one pack folder, by file name, in order, and what
    they were given."""

    root: Path
    folder: Path
    limits: MediaLimits
    found: dict[str, Found]


def check_notebooks(
    root: Path,
    folder: Path,
    names: Sequence[str],
    limits: MediaLimits,
    *,
    made: NotebookChecks | None = None,
) -> NotebookChecks:
    """The checks of the notebooks *names* in the pack *folder* of the project at *root*, with
    the media *limits*; a name that is not a file is left out (``pack.missing-notebook``).

    The checks *made* already of some of them, for the same project, folder and limits, are
    taken from it."""
    known: dict[str, Found] = {}
    if made is not None and (made.root, made.folder, made.limits) == (root, folder, limits):
        known = made.found
    found: dict[str, Found] = {}
    for name in names:
        path = folder / name
        if name in known:
            found[name] = known[name]
        elif path.is_file():
            display = display_path(path, root)
            found[name] = check_notebook(
                path, repo_root=root, display=display, pack_folder=folder, limits=limits
            )
    return NotebookChecks(root, folder, limits, found)
