"""Answers kept beside the notebook, so that re-running it (by the learner, or by nbgrader's
autograde in a fresh kernel) restores them.

One small JSON file, ``.learnpacks-answers.json``, in the notebook's folder (the kernel's working
directory, unless :func:`configure` says otherwise)::

    {"version": 1, "notebooks": {"01-intro.ipynb": {"projects": {"kind": ..., "answer": ...}}}}

Which notebook? In order: ``configure(notebook=...)`` (what a pack's first cell does, and the
only source nbgrader's autograde can give, since it tells the kernel no notebook name), then the
``__session__`` variable / ``JPY_SESSION_NAME`` variable that Jupyter Server sets for a kernel it
started for a notebook, then ``"untitled"``. Only the file name is kept, not the folder.

A ``learnpacks-answers.json`` in the same folder (what the static site saves, uploaded by the
learner) is read too and never changed: for each exercise, whichever of the two entries was
``updated`` last counts, so work carried from the site shows in JupyterLab without renaming
anything, and the next Check writes it into the notebook's own file.

The file is written atomically (temporary file, then rename). A file that cannot be read as
answers is moved aside to ``.learnpacks-answers.json.bak`` (``.bak1`` ... if taken) and a fresh one
started: a corrupt or missing file never stops a notebook, and nothing a learner wrote is deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ANSWERS_FILE = ".learnpacks-answers.json"
#: The name the static site's "Save my answers to a file" gives the same format (browsers drop a
#: download's leading dot): uploaded beside the notebooks, its answers are taken in.
SAVED_FILE = "learnpacks-answers.json"
FORMAT_VERSION = 1
MAX_BYTES = 8 * 1024 * 1024

try:  # POSIX: serialise writers (two notebooks of one folder open at once)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


@dataclass
class _Config:
    notebook: str | None = None
    directory: Path | None = None


_CONFIG = _Config()


def configure(
    *, notebook: str | None = None, directory: str | os.PathLike[str] | None = None
) -> None:
    """Say which notebook this kernel runs and where its answers live.

    Call it in a pack notebook's first code cell: ``configure(notebook="01-intro.ipynb")``.
    ``directory`` defaults to the working directory (the notebook's folder in Jupyter and in
    nbgrader's autograde). Passing ``None`` leaves a setting as it is.
    """
    if notebook is not None:
        _CONFIG.notebook = Path(notebook).name
    if directory is not None:
        _CONFIG.directory = Path(directory)


def reset_configuration() -> None:
    """Forget :func:`configure` settings (for tests and for a new notebook in one kernel)."""
    _CONFIG.notebook = None
    _CONFIG.directory = None


def notebook_name() -> str:
    """The notebook's file name, as explained in this module's docstring."""
    if _CONFIG.notebook:
        return _CONFIG.notebook
    main = sys.modules.get("__main__")
    session = getattr(main, "__session__", None) or os.environ.get("JPY_SESSION_NAME")
    if isinstance(session, str) and session.strip():
        return Path(session.strip()).name
    return "untitled"


def notebook_path() -> Path | None:
    """Where the notebook file is, when it can be known (used to read its metadata)."""
    main = sys.modules.get("__main__")
    session = getattr(main, "__session__", None) or os.environ.get("JPY_SESSION_NAME")
    if isinstance(session, str) and session.strip() and Path(session).is_file():
        return Path(session)
    candidate = answers_directory() / notebook_name()
    return candidate if candidate.is_file() else None


def answers_directory() -> Path:
    return _CONFIG.directory if _CONFIG.directory is not None else Path.cwd()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class AnswerStore:
    """Read and write the answers file of one folder. Never raises for I/O or bad content."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory) if directory is not None else answers_directory()
        self.path = self.directory / ANSWERS_FILE

    # reading --------------------------------------------------------------------------------
    def load(self) -> dict[str, dict[str, dict[str, Any]]]:
        """All notebooks' answers; ``{}`` if the file is missing; a bad file is set aside. A
        file saved from the site beside it is taken in (the later entry of each exercise)."""
        try:
            own = _read(self.path) if self.path.exists() else {}
        except (OSError, ValueError, TypeError) as exc:
            self._set_aside(exc)
            own = {}
        return _newest(own, self._saved_from_site())

    def _saved_from_site(self) -> dict[str, dict[str, dict[str, Any]]]:
        saved = self.directory / SAVED_FILE
        try:
            return _read(saved) if saved.is_file() else {}
        except (OSError, ValueError, TypeError) as exc:  # the learner's file: left as it is
            warnings.warn(
                f"learnpacks: answers saved from the site, {saved}, could not be read ({exc}); "
                "it was left as it is and not used",
                stacklevel=3,
            )
            return {}

    def get(self, notebook: str, exercise_id: str) -> dict[str, Any] | None:
        return self.load().get(notebook, {}).get(exercise_id)

    def notebook_answers(self, notebook: str) -> dict[str, dict[str, Any]]:
        return self.load().get(notebook, {})

    # writing --------------------------------------------------------------------------------
    def record(self, notebook: str, exercise_id: str, entry: dict[str, Any]) -> bool:
        """Save one exercise's entry (adds ``updated``). Returns False if it could not be saved."""
        entry = {**entry, "updated": _now()}
        try:
            with self._locked():
                data = self.load()
                data.setdefault(notebook, {})[exercise_id] = entry
                self._write(data)
            return True
        except (OSError, TypeError, ValueError) as exc:
            warnings.warn(f"learnpacks: could not save answers to {self.path}: {exc}", stacklevel=2)
            return False

    def _write(self, data: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        text = json.dumps(
            {"version": FORMAT_VERSION, "notebooks": data}, ensure_ascii=False, indent=1
        )
        fd, tmp = tempfile.mkstemp(prefix=ANSWERS_FILE + ".", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        if fcntl is None:
            yield
            return
        with open(_lock_path(self.path), "a+") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _set_aside(self, reason: Exception) -> None:
        backup = self.path.with_name(ANSWERS_FILE + ".bak")
        n = 0
        while backup.exists():
            n += 1
            backup = self.path.with_name(f"{ANSWERS_FILE}.bak{n}")
        try:
            os.replace(self.path, backup)
            where = f"kept as {backup.name}"
        except OSError:
            where = "left in place"
        warnings.warn(
            f"learnpacks: answers file {self.path} could not be read ({reason}); {where}, "
            "starting with no saved answers",
            stacklevel=3,
        )


#: answers files share this many lock files (a lock file cannot be removed safely while another
#: process may wait on it, so they are kept: a fixed set of them, not one per folder ever used)
LOCK_STRIPES = 64


def _lock_path(answers: Path) -> Path:
    """The lock file that serialises writers of *answers*: in this user's own folder of the
    temporary folder, not beside the notebook (learners' folders, and nbgrader submissions, only
    ever hold the answers file itself). Two answers files may share a lock: their writers then
    wait for each other, which is harmless. OSError if that folder is not this user's own."""
    digest = hashlib.sha256(str(answers.resolve()).encode("utf-8")).digest()
    folder = Path(tempfile.gettempdir()) / f"learnpacks-locks-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise OSError(f"{folder} is not a folder of this user's: not locking in it")
    return folder / f"answers-{digest[0] % LOCK_STRIPES:02d}.lock"


def _read(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    if path.stat().st_size > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES} bytes")
    return _validated(json.loads(path.read_text(encoding="utf-8")))


def _newest(
    own: dict[str, dict[str, dict[str, Any]]], other: dict[str, dict[str, dict[str, Any]]]
) -> dict[str, dict[str, dict[str, Any]]]:
    """*own* with each exercise of *other* whose entry was updated later (or is missing)."""
    for notebook, exercises in other.items():
        mine = own.setdefault(notebook, {})
        for exercise_id, entry in exercises.items():
            kept = mine.get(exercise_id)
            if kept is None or str(entry.get("updated", "")) > str(kept.get("updated", "")):
                mine[exercise_id] = entry
    return own


def _validated(data: Any) -> dict[str, dict[str, dict[str, Any]]]:
    if not isinstance(data, dict) or not isinstance(data.get("notebooks"), dict):
        raise ValueError("not a learnpacks answers file")
    if data.get("version") != FORMAT_VERSION:
        raise ValueError(f"unknown answers format version {data.get('version')!r}")
    notebooks = data["notebooks"]
    for name, exercises in notebooks.items():
        if not isinstance(exercises, dict) or not all(
            isinstance(e, dict) for e in exercises.values()
        ):
            raise ValueError(f"bad entry for notebook {name!r}")
    return notebooks


# What a widget's view asks of a kernel that has no widget object for it (restarted and not run
# again): the view runs these through a silent ``execute_request``, so the answers file stays the
# one source of truth whatever the kernel remembers.

VIEW_KINDS = frozenset(
    {"multiple-choice", "short-answer", "ordering", "matching", "fill-in-the-blanks", "reflection"}
)
VIEW_STATUSES = frozenset({"correct", "incorrect", "recorded"})


class _Json:
    """A value whose ``repr`` is its JSON text (what a ``user_expressions`` reply carries)."""

    def __init__(self, value: Any) -> None:
        self.text = json.dumps(value, ensure_ascii=True)

    def __repr__(self) -> str:
        return self.text


def answers_for_view(notebook: str) -> _Json:
    """This folder's answers for *notebook* (its file name), as JSON, for a widget's view."""
    return _Json(AnswerStore().notebook_answers(Path(str(notebook)).name))


def record_from_view(payload: str) -> bool:
    """Record an entry a widget's view sends as base64 of UTF-8 JSON:
    ``{"notebook": name, "id": exercise id, "entry": {kind, mode, answer, status, attempts, rules}}``.

    Returns what :meth:`AnswerStore.record` returns; ValueError for anything a view never sends.
    """
    import base64
    import binascii

    from .base import MODES, validate_id

    try:
        data = json.loads(base64.b64decode(payload, validate=True).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"not an answer from a learnpacks widget: {exc}") from None
    entry = data.get("entry") if isinstance(data, dict) else None
    if not isinstance(entry, dict) or not isinstance(data.get("notebook"), str):
        raise ValueError("not an answer from a learnpacks widget")
    validate_id(data.get("id"))
    if (
        entry.get("kind") not in VIEW_KINDS
        or entry.get("mode") not in MODES
        or entry.get("status") not in VIEW_STATUSES
        or not isinstance(entry.get("rules", {}), dict)
        or entry.get("answer") in (None, "", [], {})
        or (entry["mode"] == "graded" and entry["status"] != "recorded")
    ):
        raise ValueError(f"not an answer from a learnpacks widget: {entry!r:.200}")
    attempts = entry.get("attempts", 1)
    clean = {
        "kind": entry["kind"],
        "mode": entry["mode"],
        "answer": entry["answer"],
        "status": entry["status"],
        "attempts": attempts if isinstance(attempts, int) and attempts > 0 else 1,
        "rules": entry.get("rules", {}),
    }
    return AnswerStore().record(Path(data["notebook"]).name, data["id"], clean)
