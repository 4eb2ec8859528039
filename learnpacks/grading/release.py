"""``cohort release``: nbgrader's generate_assignment, a hand-in cell, a zip, launch links."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

from learnpacks.errors import LearnpacksError, Problem
from learnpacks.grading.cohort import Cohort, venv_path_env

HANDIN_MARK = "learnpacks-handin"
NOTICE_MARK = "learnpacks-handin-notice"


@dataclass
class Release:
    folder: Path
    archive: Path
    notebooks: list[str]
    launch: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "folder": str(self.folder),
            "archive": str(self.archive),
            "notebooks": self.notebooks,
            "launch": self.launch,
        }


def _handin_cells(cohort: Cohort) -> list[nbformat.NotebookNode]:
    """The "Hand in your work" cells, in the cohort's language (the widgets' UI catalogs): the
    code cell shows a name field and a button; nothing is written until the learner presses it."""
    from learnpacks.widgets.i18n import gettext

    def t(message: str) -> str:
        return gettext(message, cohort.language)

    how = t(
        "Run the cell below, write your name or learner id in Latin letters and press the "
        "button. It saves this notebook and makes one zip file with your notebooks and "
        "answers: download it and hand it in to your facilitator."
    )
    md = new_markdown_cell(f"## {t('Hand in your work')}\n\n{how}")
    code = new_code_cell(
        "from learnpacks.widgets import HandIn\n"
        f"HandIn(assignment={cohort.assignment!r}, notebooks={cohort.notebooks!r}, "
        f"language={cohort.language!r})"
    )
    for cell in (md, code):
        cell.metadata["learnpacks"] = {"role": HANDIN_MARK}
    return [md, code]


def _notice_cell(nb: nbformat.NotebookNode, cohort: Cohort) -> nbformat.NotebookNode:
    """What is graded in this notebook (its nbgrader points) and what is sent (nothing by
    itself), in the cohort's language, for the top of a released notebook."""
    from learnpacks.widgets.i18n import gettext

    def t(message: str) -> str:
        return gettext(message, cohort.language)

    points = sum(
        float(c.metadata.get("nbgrader", {}).get("points") or 0)
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    )
    graded = (
        t(
            "In this cohort, this notebook is graded: {points} points, from its graded "
            "exercises and the answers you write for a facilitator to read. Practice exercises "
            "give you feedback and are not graded."
        ).format(points=f"{points:g}")
        if points
        else t(
            "In this cohort, nothing in this notebook is graded: its exercises are practice, for you."
        )
    )
    sent = t(
        "Nothing is sent by itself. At the end of the notebook, a button makes one zip file "
        "with your notebooks as you saved them, your answers and the name you give. You "
        "download it and hand it in to your facilitator yourself."
    )
    applies = t(
        "Where this notebook says that nothing is graded or sent, this notice is what applies."
    )
    cell = new_markdown_cell(
        f"> **{t('What is graded and what is sent')}**\n>\n> {graded}\n>\n> {sent}\n>\n> {applies}"
    )
    cell.metadata["learnpacks"] = {"role": NOTICE_MARK}
    return cell


def _add_handin(path: Path, cohort: Cohort) -> None:
    nb = nbformat.read(str(path), as_version=4)
    if any(c.metadata.get("learnpacks", {}).get("role") == HANDIN_MARK for c in nb.cells):
        return
    cells = _handin_cells(cohort)
    notice = _notice_cell(nb, cohort)
    if (nb.nbformat, nb.nbformat_minor) < (4, 5):
        for cell in [*cells, notice]:  # cell ids came with nbformat 4.5: keep the notebook's own
            cell.pop("id", None)
    nb.cells.extend(cells)
    nb.cells.insert(1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0, notice)
    nbformat.validate(nb)
    nbformat.write(nb, str(path))


def release_cohort(cohort: Cohort, *, force: bool = True) -> Release:
    """Generate the learners' version of every notebook (nbgrader), then zip it.

    Raises LearnpacksError with nbgrader's log when generate_assignment fails (an invalid
    nbgrader cell in the pack, for example).
    """
    venv_path_env()
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = cohort.nbgrader_config()
    coursedir = CourseDirectory(config=config)
    api = NbGraderAPI(coursedir=coursedir, config=config)
    result = api.generate_assignment(cohort.assignment, force=force, create=True)
    if not result.get("success"):
        log = (result.get("error") or result.get("log") or "").strip().splitlines()[-5:]
        raise LearnpacksError(
            "nbgrader generate_assignment failed",
            [Problem(str(cohort.path("source")), "grading.release-failed", line) for line in log],
            code="grading.release-failed",
        )
    folder = cohort.path("release")
    for name in cohort.notebooks:
        _add_handin(folder / name, cohort)
    archive = folder.parent / f"{cohort.assignment}.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                zf.write(path, arcname=f"{cohort.assignment}/{path.relative_to(folder).as_posix()}")
    (cohort.state / "launch.json").write_text(json.dumps(cohort.launch, indent=2) + "\n")
    return Release(folder, archive, list(cohort.notebooks), cohort.launch)
