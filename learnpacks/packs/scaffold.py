"""``learnpacks new``: a pack folder with a pack.yml and a starter notebook that passes ``learnpacks check``."""

from __future__ import annotations

from pathlib import Path

import nbformat
import yaml

from learnpacks.errors import UsageError
from learnpacks.packs.catalog import find_root, load_catalog
from learnpacks.packs.install_cell import INSTALL_CELL
from learnpacks.packs.model import PACK_ID_RE, PACK_SCHEMA_VERSION
from learnpacks.packs.roles import cell_roles, hide_source, hides_source

STARTER_NOTEBOOK = "01-start.ipynb"

_DIAGRAM = """<svg xmlns="http://www.w3.org/2000/svg" width="360" height="90" viewBox="0 0 360 90" role="img">
  <title>Read, try, check</title>
  <g font-family="sans-serif" font-size="16" text-anchor="middle">
    <rect x="5" y="20" width="100" height="50" rx="8" fill="#eaf3ff" stroke="#36c"/>
    <text x="55" y="50">Read</text>
    <rect x="130" y="20" width="100" height="50" rx="8" fill="#eaf3ff" stroke="#36c"/>
    <text x="180" y="50">Try</text>
    <rect x="255" y="20" width="100" height="50" rx="8" fill="#eaf3ff" stroke="#36c"/>
    <text x="305" y="50">Check</text>
    <path d="M105 45h20M230 45h20" stroke="#36c" stroke-width="3"/>
  </g>
</svg>
"""


def _md(cell_id: str, text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text, id=cell_id)


def _code(cell_id: str, text: str, **metadata: object) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(text, id=cell_id, metadata=dict(metadata))


#: First code cell of every notebook: installs learnpacks wherever the notebook lands (Binder,
#: a hub, a laptop, an unzipped bundle); see :mod:`learnpacks.packs.install_cell`.
INSTALL = INSTALL_CELL

SETUP = """from learnpacks.widgets import _, configure, MultipleChoice, Option, ShortAnswer, Reflection, Progress

# Answers are saved beside the notebook under this name, and restored when it runs again.
configure(notebook="{notebook}")"""

MULTIPLE_CHOICE = """MultipleChoice(
    id="structured-data",
    prompt=_("Which Wikimedia project stores structured data?"),
    options=[
        Option(_("Wikisource"), value="wikisource", feedback=_("Wikisource hosts source texts.")),
        Option(_("Wikidata"), value="wikidata", correct=True, feedback=_("Wikidata stores facts as statements.")),
    ],
)"""

SHORT_ANSWER = """ShortAnswer(
    id="count-projects",
    prompt=_("How many projects are in the list above?"),
    accepted=[3],
    feedback={"2": _("Count the names between the brackets again, or run len(projects).")},
)"""

REFLECTION = """Reflection(id="why-here", prompt=_("What would you like to do with what you learned here?"))"""


def _new_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def starter_notebook(title: str, *, notebook: str = STARTER_NOTEBOOK) -> nbformat.NotebookNode:
    """A notebook showing each part an author uses: title, objectives, text, math, an image, a link,
    code, practice exercises, a reflection and the progress panel."""
    nb = _new_notebook()
    nb.cells = [
        _md(
            "title",
            f"# {title}\n\nOne sentence that tells the learner what this notebook is about.",
        ),
        _md(
            "objectives",
            "## What you will learn\n\n"
            "- The first thing a learner can do after this notebook.\n"
            "- The second thing.\n\n"
            "Every heading goes one level deeper at most: a `##` section may hold `###` parts, never `####`.",
        ),
        _code("install", INSTALL),
        _code("setup", SETUP.format(notebook=notebook)),
        _md(
            "text-and-media",
            "## Read\n\n"
            "Write short paragraphs. Link to sources, such as "
            "[Wikimedia's Meta-Wiki](https://meta.wikimedia.org/wiki/Main_Page), and cite what you state. "
            "Math works too: $e^{i\\pi} + 1 = 0$.\n\n"
            "Every image needs alt text that says what it shows:\n\n"
            "![Three boxes in a row: read, try, check](read-try-check.svg)",
        ),
        _md(
            "try-intro",
            "## Try\n\nCode cells let learners experiment. Keep them short and runnable from top to bottom.",
        ),
        _code(
            "try-code", 'projects = ["Wikipedia", "Wikidata", "Wikimedia Commons"]\nlen(projects)'
        ),
        _md(
            "exercise-intro",
            "## Check\n\n"
            "### Practice exercises\n\n"
            "Choose or type an answer, then press **Check**. Your answers are kept beside the notebook. "
            "Every exercise type is shown in the authors' guide (`docs/authors/exercises.md`), "
            "including graded ones that nbgrader marks.",
        ),
        _code("exercise-choice", MULTIPLE_CHOICE),
        _code("exercise-count", SHORT_ANSWER),
        _code("reflection", REFLECTION),
        _code("progress", "Progress()"),
        _md(
            "next",
            "## Next\n\nTell the learner where to go next, and link to the next notebook of the pack.",
        ),
    ]
    for cell, role in zip(nb.cells, cell_roles(nb), strict=True):
        if hides_source(role):  # learners see the widgets, not the code that builds them
            hide_source(cell)
    return nb


#: Cell metadata that folds a cell's code away in JupyterLab (a learner can still open it).
HIDDEN_SOURCE = {"jupyter": {"source_hidden": True}}

GRADED_SETUP = """from learnpacks.widgets import _, configure, MultipleChoice, Option

# Answers are saved beside the notebook under this name, and graded from there.
configure(notebook="{notebook}")"""

#: The graded widget exercise: one nbgrader autograded answer cell (docs/authors/exercises.md).
GRADED_WIDGET = """quiz = MultipleChoice(
    id="projects",
    mode="graded",
    prompt=_("Which Wikimedia project stores structured data?"),
    options=[Option(_("Wikidata"), value="wikidata"), Option(_("Wikisource"), value="wikisource")],
)
### BEGIN SOLUTION
quiz.record(["wikidata"])  # the author's answer, so this notebook checks its own test; learners' copies do not have it
### END SOLUTION
quiz"""

GRADED_WIDGET_TEST = """# Checks your recorded answer to the question above.
from learnpacks.widgets import assert_answer
### BEGIN HIDDEN TESTS
assert_answer("projects", correct=["wikidata"])
### END HIDDEN TESTS"""

GRADED_CODE = '''def count_projects(names):
    """How many different project names the list holds."""
    ### BEGIN SOLUTION
    return len(set(names))
    ### END SOLUTION'''

GRADED_CODE_TEST = """# Checks count_projects; more cases are checked when your work is graded.
assert count_projects(["Wikidata", "Wikidata"]) == 1
### BEGIN HIDDEN TESTS
assert count_projects([]) == 0
assert count_projects(["Wikipedia", "Wikidata", "Wikipedia"]) == 2
### END HIDDEN TESTS"""

GRADED_REFLECTION = """### BEGIN SOLUTION
A good answer names a project and gives a reason of the learner's own. Learners see only "YOUR ANSWER HERE" in this cell; a facilitator grades it by hand.
### END SOLUTION"""


def _nbgrader(grade_id: str, **flags: object) -> dict[str, object]:
    meta: dict[str, object] = {
        "grade": False,
        "grade_id": grade_id,
        "locked": False,
        "schema_version": 3,
        "solution": False,
    }
    meta.update(flags)
    return {"nbgrader": meta}


def graded_notebook(title: str, *, notebook: str = STARTER_NOTEBOOK) -> nbformat.NotebookNode:
    """A notebook in the graded shape: one graded widget exercise, one graded code exercise and a
    manually graded reflection, each with its nbgrader cells (docs/authors/exercises.md)."""
    answer = {"solution": True, "grade": False, "locked": False}
    test = {"grade": True, "solution": False, "locked": True}
    nb = _new_notebook()
    nb.cells = [
        _md(
            "title",
            f"# {title}\n\nOne sentence that tells the learner what this notebook is about.\n\n"
            "Your facilitator grades the exercises below: answer each one, save the notebook "
            "and hand it in.",
        ),
        _code("install", INSTALL, **HIDDEN_SOURCE),
        _code("setup", GRADED_SETUP.format(notebook=notebook), **HIDDEN_SOURCE),
        _md("projects-intro", "## A graded question\n\nChoose an answer, then press **Check**."),
        _code(
            "projects-answer",
            GRADED_WIDGET,
            **_nbgrader("projects-answer", **answer),
            **HIDDEN_SOURCE,
        ),
        _code(
            "projects-test",
            GRADED_WIDGET_TEST,
            **_nbgrader("projects-test", points=1, **test),
            **HIDDEN_SOURCE,
        ),
        _md(
            "count-intro",
            "## A graded function\n\n"
            "Write `count_projects(names)`: how many *different* project names the list holds.",
        ),
        _code("count-projects", GRADED_CODE, **_nbgrader("count-projects", **answer)),
        _code(
            "count-projects-test",
            GRADED_CODE_TEST,
            **_nbgrader("count-projects-test", points=2, **test),
        ),
        _md(
            "reflection-intro",
            "## Reflection\n\nIn two or three sentences: which project would you like to "
            "contribute to first, and why? Write your answer in the next cell.",
        ),
        nbformat.v4.new_markdown_cell(
            GRADED_REFLECTION,
            id="reflection",
            metadata=_nbgrader("reflection", solution=True, grade=True, points=2),
        ),
    ]
    return nb


def new_pack(
    pack_id: str,
    *,
    root: Path | None = None,
    title: str | None = None,
    language: str | None = None,
    graded: bool = False,
) -> Path:
    """Create ``packs/<pack_id>/`` with pack.yml, a starter notebook and its image. Returns the folder.

    ``graded=True`` writes the graded starter notebook (:func:`graded_notebook`) instead.

    Raises :class:`UsageError` when the id is invalid or the folder exists; nothing is overwritten.
    """
    if not PACK_ID_RE.match(pack_id):
        raise UsageError(
            f"{pack_id!r} is not a valid pack id: use lowercase letters, digits and dashes (e.g. editing-basics)",
            code="pack.invalid-id",
        )
    root = find_root() if root is None else root
    catalog = load_catalog(root, only=[])
    folder = catalog.packs_dir / pack_id
    if folder.exists():
        raise UsageError(
            f"{catalog.rel(folder)} already exists; choose another id or edit that pack",
            code="pack.exists",
        )
    language = language or (catalog.config.source_language if catalog.config else "en")
    title = title or pack_id.replace("-", " ").capitalize()
    meta = {
        "schema_version": PACK_SCHEMA_VERSION,
        "id": pack_id,
        "title": title,
        "summary": "One or two sentences for the catalog card: what a learner gains.",
        "language": language,
        "level": "beginner",
        "duration": 30,
        "topics": ["wikimedia"],
        "audience": ["newcomers"],
        "formats": ["text", "images", "exercises", "code"],
        "objectives": ["Say what a learner can do after this pack."],
        "prerequisites": [],
        "license": "CC-BY-SA-4.0",
        "authors": [{"name": "Your name"}],
        "maintainers": [],
        "status": "draft",
        "notebooks": [STARTER_NOTEBOOK],
        "media": [],
    }
    folder.mkdir(parents=True)
    (folder / "pack.yml").write_text(
        "# Pack metadata. Format: docs/authors/pack-format.md\n"
        + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    make = graded_notebook if graded else starter_notebook
    nbformat.write(make(title, notebook=STARTER_NOTEBOOK), folder / STARTER_NOTEBOOK)
    if not graded:
        (folder / "read-try-check.svg").write_text(_DIAGRAM, encoding="utf-8")
    return folder
