"""A cohort folder: an nbgrader course whose one assignment is a pack, plus our own settings.

Layout (nbgrader's, so ``nbgrader`` and formgrader work in it unchanged)::

    DIR/cohort.json             our settings: pack, language, assignment, gradebook URL, limits
    DIR/nbgrader_config.json    generated nbgrader configuration (JSON, not Python)
    DIR/gradebook.db            the SQLite gradebook (unless --db names another)
    DIR/source/<assignment>/    the pack's notebooks (in the cohort's language) and data files
    DIR/release/<assignment>/   what learners get (``cohort release``) and <assignment>.zip
    DIR/submitted/<learner>/<assignment>/   hand-ins (``cohort collect``)
    DIR/autograded/ feedback/ reports/      results
    DIR/.learnpacks/            grading state: lock, per-notebook results, collect log
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; a killed init is still undone
    fcntl = None  # type: ignore[assignment]

from learnpacks.errors import Problem, UsageError
from learnpacks.grading.limits import Limits
from learnpacks.packs.learner import CODE_STUB

COHORT_FILE = "cohort.json"
STATE_DIR = ".learnpacks"
STUDENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass
class Cohort:
    """Settings of one cohort folder (``cohort.json``)."""

    root: Path
    pack: str
    assignment: str
    language: str
    db_url: str
    course_id: str
    notebooks: list[str]
    launch: dict[str, dict[str, str]] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)

    @property
    def state(self) -> Path:
        return self.root / STATE_DIR

    def path(self, kind: str, student: str | None = None) -> Path:
        """``source``/``release``/``submitted``/``autograded``/``feedback`` folder of the assignment."""
        if student is None:
            return self.root / kind / self.assignment
        return self.root / kind / student / self.assignment

    def notebook_ids(self) -> list[str]:
        return [Path(n).stem for n in self.notebooks]

    def save(self, folder: Path | None = None) -> None:
        """Write ``cohort.json`` into the cohort's folder (or *folder*)."""
        from learnpacks.grading.settings import settings_dict

        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "root"}
        data["limits"] = self.limits.to_dict()
        text = json.dumps(settings_dict(**data), indent=2, ensure_ascii=False) + "\n"
        (folder or self.root).joinpath(COHORT_FILE).write_text(text)

    def nbgrader_config(self) -> Any:
        """A traitlets Config for nbgrader's API, equal to ``nbgrader_config.json``."""
        from traitlets.config import Config

        config = Config(_nbgrader_config(self))
        return config

    def students_submitted(self) -> list[str]:
        base = self.root / "submitted"
        if not base.is_dir():
            return []
        return sorted(
            d.name for d in base.iterdir() if (d / self.assignment).is_dir() and not d.is_symlink()
        )


def _nbgrader_config(cohort: Cohort) -> dict[str, Any]:
    return {
        "CourseDirectory": {
            "root": str(cohort.root),
            "course_id": cohort.course_id,
            "db_url": cohort.db_url,
        },
        # the cohort's own tools write the gradebook; nbgrader's autograde is the reference
        "Execute": {"timeout": int(cohort.limits.cell_timeout), "interrupt_on_timeout": True},
        # a widget cell's solution region becomes this stub: the widget still shows
        "ClearSolutions": {"code_stub": {"python": CODE_STUB}},
    }


def load_cohort(directory: Path) -> Cohort:
    """The cohort in *directory*; UsageError if it is not one. What a killed ``init`` of it
    left half done is undone first (:func:`recover_interrupted_init`)."""
    root = directory.resolve()
    if root.parent.is_dir():
        recover_interrupted_init(root)
    path = root / COHORT_FILE
    if not path.is_file():
        raise UsageError(
            f"{directory} is not a cohort folder (no {COHORT_FILE}); "
            "run `learnpacks cohort init` first",
            code="cohort.not-a-cohort",
        )
    from learnpacks.grading.settings import read_settings

    settings, limits = read_settings(path)
    data = settings.model_dump(exclude={"schema_", "limits"})
    data["limits"] = limits
    return Cohort(root=root, **data)


def venv_path_env() -> None:
    """nbgrader shells out to ``alembic``: put this interpreter's bin/ first on PATH."""
    bindir = os.path.dirname(sys.executable)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if bindir not in parts:
        os.environ["PATH"] = os.pathsep.join([bindir, *parts])


def _pack_notebooks(pack: Any, catalog: Any, language: str, out: Path) -> tuple[Path, list[str]]:
    """The folder holding *pack*'s notebooks in *language* (built into *out* if translated)."""
    if language == pack.meta.language:
        return pack.folder, list(pack.meta.notebooks)
    build: Any
    try:
        from learnpacks.i18n import build
    except ImportError:
        build = None
    try:
        if build is None:
            raise NotImplementedError
        build(
            root=catalog.root,
            out_dir=out,
            languages=[language],
            pack_ids=[pack.id],
            force=False,
            include_unpublished=True,
        )
    except NotImplementedError:
        raise UsageError(
            f"no {language!r} notebooks: the translation build "
            "(`learnpacks i18n build`) is not available in this version",
            code="cohort.no-translation",
        ) from None
    folder = out / language / pack.id
    missing = [n for n in pack.meta.notebooks if not (folder / n).is_file()]
    if missing:
        raise UsageError(
            f"pack {pack.id!r} has no {language!r} translation of "
            f"{', '.join(missing)} (run `learnpacks i18n status`)",
            code="cohort.no-translation",
        )
    return folder, list(pack.meta.notebooks)


def init_cohort(
    directory: Path,
    *,
    pack: str,
    root: Path | None = None,
    language: str | None = None,
    db_url: str | None = None,
    course_id: str | None = None,
    limits: Limits | None = None,
    force: bool = False,
) -> Cohort:
    """Create the cohort folder *directory* for *pack* and its gradebook.

    ``db_url`` is any SQLAlchemy URL (``postgresql+psycopg2://user@host/db`` for a shared
    gradebook); default: ``sqlite:///DIR/gradebook.db``. Raises UsageError if *directory* is
    already a cohort (unless *force*) or the pack or language does not exist.

    All or nothing: the new files are made in a temporary folder beside *directory* and renamed
    into place once everything that can fail (the pack's notebooks, a translation build, the
    gradebook) has succeeded. A failed ``init`` leaves no half-made cohort, and ``--force`` on
    an existing cohort leaves it as it was; hand-ins, results and the gradebook's grades are
    kept either way (``--force`` replaces the settings, nbgrader's configuration and
    ``source/``).
    """
    from learnpacks.packs.catalog import load_catalog

    catalog = load_catalog(root)
    the_pack = catalog.get(pack)
    language = language or the_pack.meta.language
    directory = directory.resolve()
    if (directory / COHORT_FILE).exists() and not force:
        raise UsageError(
            f"{directory} is already a cohort (pass --force to re-create it)", code="cohort.exists"
        )
    made_parent = not directory.parent.exists()
    directory.parent.mkdir(parents=True, exist_ok=True)
    recover_interrupted_init(directory)
    staging, lock = _staging_folder(directory)
    try:
        cohort = _stage(directory, staging, the_pack, catalog, language, db_url, course_id, limits)
        _move_into_place(staging, directory)
    except BaseException:
        if made_parent and not directory.exists():
            shutil.rmtree(directory.parent, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        lock.close()
    return cohort


#: what ``init`` writes into a cohort folder (with ``source/<assignment>`` and ``gradebook.db``)
_INIT_FILES = (COHORT_FILE, "nbgrader_config.json")


def _stage(
    directory: Path,
    staging: Path,
    the_pack: Any,
    catalog: Any,
    language: str,
    db_url: str | None,
    course_id: str | None,
    limits: Limits | None,
) -> Cohort:
    """Make in *staging* everything ``init`` writes for the cohort *directory*; the gradebook is
    created there too (a new SQLite one) or updated where it is (one that exists, or --db)."""
    with tempfile.TemporaryDirectory(prefix="lp-cohort-i18n-") as tmp:
        folder, notebooks = _pack_notebooks(the_pack, catalog, language, Path(tmp))
        cohort = _make_folder(
            directory,
            staging,
            the_pack,
            catalog,
            language,
            folder,
            notebooks,
            db_url=db_url,
            course_id=course_id,
            limits=limits,
        )
    url = cohort.db_url
    if db_url is None and not (directory / "gradebook.db").exists():
        url = f"sqlite:///{staging / 'gradebook.db'}"
    venv_path_env()
    from nbgrader.api import Gradebook

    from learnpacks.grading.gradebook import create_gradebook

    try:
        create_gradebook(url)
        with Gradebook(url, cohort.course_id) as gb:
            gb.update_or_create_assignment(cohort.assignment)
    except Exception as exc:  # SQLAlchemy raises many kinds; name the URL, not a traceback
        raise UsageError(
            f"cannot open the gradebook {_safe_url(cohort.db_url)}: {str(exc).splitlines()[0]}",
            code="cohort.gradebook-unreachable",
        ) from None
    return cohort


#: in an ``init`` staging folder: held locked by the ``init`` that made it, while it lives
_STAGING_LOCK = ".lock"
#: in an ``init`` staging folder: what it is renaming into the cohort folder, written first
_JOURNAL = ".journal.json"


def _staging_folder(directory: Path) -> tuple[Path, Any]:
    """A new staging folder beside *directory*, and its lock file, held (closed: released)."""
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.init-", dir=directory.parent))
    lock = (staging / _STAGING_LOCK).open("w")
    if fcntl is not None:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
    return staging, lock


def recover_interrupted_init(directory: Path) -> list[Path]:
    """Undo what an ``init`` of *directory* that was killed (SIGKILL, power loss) left: its
    staging folders beside *directory*, and, when it was killed while renaming the new files
    in, the files of the cohort as they were before it (set aside in the staging folder).
    Returns the staging folders removed. Raises UsageError while another ``init`` of *directory*
    is running."""
    removed = []
    for staging in sorted(directory.parent.glob(f".{directory.name}.init-*")):
        if not staging.is_dir() or staging.is_symlink():
            continue
        lock_path = staging / _STAGING_LOCK
        with contextlib.ExitStack() as stack:
            if fcntl is not None and lock_path.is_file():
                lock = stack.enter_context(lock_path.open("a"))
                try:
                    fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise UsageError(
                        f"`learnpacks cohort init` of {directory} is running; wait for it to end",
                        code="cohort.init-running",
                    ) from None
            journal = staging / _JOURNAL
            if journal.is_file():
                entries = [Path(e) for e in json.loads(journal.read_text("utf-8"))["entries"]]
                _roll_back(staging, directory, entries)
        shutil.rmtree(staging, ignore_errors=True)
        removed.append(staging)
    return removed


def _move_into_place(staging: Path, directory: Path) -> None:
    """Rename what *staging* holds into *directory*: the whole folder if *directory* does not
    exist (one rename), else entry by entry, the replaced ones set aside and put back if a
    rename fails, so *directory* ends either all new or as it was. The entries are written to
    a journal first, so that a process killed halfway is undone by the next command
    (:func:`recover_interrupted_init`)."""
    if not directory.exists():
        staging.rename(directory)
        (directory / _STAGING_LOCK).unlink()
        return
    entries = [Path(name) for name in _INIT_FILES] + [
        p.relative_to(staging) for p in (staging / "source").iterdir()
    ]
    entries += [Path(n) for n in ("gradebook.db", STATE_DIR) if (staging / n).exists()]
    journal = staging / _JOURNAL
    journal.write_text(json.dumps({"entries": [e.as_posix() for e in entries]}), "utf-8")
    with journal.open("rb") as handle:
        os.fsync(handle.fileno())
    aside = staging / ".replaced"
    try:
        for entry in entries:
            target = directory / entry
            if entry == Path(STATE_DIR) and target.is_dir():
                continue  # the grading state of an existing cohort is kept
            if target.exists() or target.is_symlink():
                (aside / entry).parent.mkdir(parents=True, exist_ok=True)
                target.rename(aside / entry)
            target.parent.mkdir(parents=True, exist_ok=True)
            _rename(staging / entry, target)
    except BaseException:
        _roll_back(staging, directory, entries)
        raise


def _roll_back(staging: Path, directory: Path, entries: list[Path]) -> None:
    """Put *directory* back as it was before *entries* were renamed in from *staging*: an entry
    no longer in *staging* was moved in (it goes back), and one set aside is restored."""
    aside = staging / ".replaced"
    for entry in reversed(entries):
        target, new = directory / entry, staging / entry
        if not (new.exists() or new.is_symlink()) and (target.exists() or target.is_symlink()):
            new.parent.mkdir(parents=True, exist_ok=True)
            _rename(target, new)
        if (aside / entry).exists() or (aside / entry).is_symlink():
            _rename(aside / entry, target)
    source = directory / "source"
    if source.is_dir() and not any(source.iterdir()):
        source.rmdir()


def _rename(src: Path, dst: Path) -> None:
    """``src.rename(dst)``: one place, so a test can make a rename fail."""
    src.rename(dst)


def _make_folder(
    directory: Path,
    staging: Path,
    the_pack: Any,
    catalog: Any,
    language: str,
    folder: Path,
    notebooks: list[str],
    *,
    db_url: str | None,
    course_id: str | None,
    limits: Limits | None,
) -> Cohort:
    """Write into *staging* the files of the cohort that will live in *directory*."""
    from learnpacks.launch.links import launch_links

    cohort = Cohort(
        root=directory,
        pack=the_pack.id,
        assignment=the_pack.id,
        language=language,
        db_url=db_url or f"sqlite:///{directory / 'gradebook.db'}",
        course_id=course_id or the_pack.id,
        notebooks=notebooks,
        launch=launch_links(catalog, the_pack, language=language),
        limits=limits or Limits(),
    )
    source = staging / "source" / cohort.assignment
    shutil.copytree(
        the_pack.folder,
        source,
        ignore=shutil.ignore_patterns(
            "*.ipynb", "pack.yml", ".ipynb_checkpoints", "__pycache__", ".learnpacks-answers.json*"
        ),
    )
    for name in notebooks:
        shutil.copy2(folder / name, source / name)
    (staging / STATE_DIR).mkdir()
    (staging / "nbgrader_config.json").write_text(
        json.dumps(_nbgrader_config(cohort), indent=2) + "\n"
    )
    cohort.save(staging)
    return cohort


def _safe_url(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def check_student_id(name: str, *, where: str) -> Problem | None:
    """None if *name* can be a learner id (a folder name and a gradebook key), else a Problem."""
    if STUDENT_RE.match(name):
        return None
    return Problem(
        where,
        "collect.bad-learner-id",
        f"{name!r} is not a usable learner id",
        hint="letters, digits, '.', '_' and '-', starting with a letter or digit",
    )


ROSTER_FILE = "roster.csv"


def read_roster(cohort: Cohort) -> dict[str, str]:
    """``roster.csv`` of the cohort folder: learner id -> the learner's name in the LMS ('' if
    not given). Columns: ``id`` (required), ``lms`` (optional: the name of the learner's folder
    in an LMS bulk download, without the LMS's ``_assignsubmission_file_`` suffix)."""
    import csv

    path = cohort.root / ROSTER_FILE
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {
            row["id"].strip(): (row.get("lms") or "").strip()
            for row in csv.DictReader(handle)
            if (row.get("id") or "").strip()
        }
