"""The project on disk, before anything in it is validated: where it is, its pack folders, and
the rules of ``pack.yml`` that need no model (the models in :mod:`learnpacks.packs.model` apply
them too).

Nothing here imports pydantic, so ``learnpacks check`` can start checking notebooks while it
builds the models (:mod:`learnpacks.checks.fanout`).
"""

from __future__ import annotations

import os
from pathlib import Path

from learnpacks.errors import UsageError
from learnpacks.packs.realpaths import resolve

CONFIG_NAME = "_config.yml"
PACK_FILE = "pack.yml"
ROOT_ENV = "LEARNPACKS_ROOT"
#: The size of a local video or audio file above which ``check`` reports ``media.too-large``,
#: unless ``packs/_config.yml`` sets ``thresholds.max_media_mb``.
DEFAULT_MAX_MEDIA_MB = 50.0


def find_root(start: Path | None = None) -> Path:
    """The project folder: ``$LEARNPACKS_ROOT``, else the nearest folder upwards holding ``packs/_config.yml``."""
    env = os.environ.get(ROOT_ENV)
    if env:
        root = Path(env).resolve()
        if not (root / "packs" / CONFIG_NAME).is_file():
            raise UsageError(
                f"{ROOT_ENV}={env} has no packs/{CONFIG_NAME}", code="project.not-found"
            )
        return root
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "packs" / CONFIG_NAME).is_file():
            return folder
    raise UsageError(
        f"no learnpacks project here: no packs/{CONFIG_NAME} in {here} or above it "
        f"(run inside a learnpacks checkout, pass --root, or set {ROOT_ENV})",
        code="project.not-found",
    )


def display_path(path: Path, root: Path) -> str:
    """*path* relative to *root* when it is inside it, for messages."""
    try:
        return resolve(path).relative_to(resolve(root)).as_posix()
    except ValueError:
        return str(path)


def pack_folders(packs_dir: Path) -> list[Path]:
    """Pack folders: sub-folders of ``packs/`` not starting with ``_`` or ``.``."""
    if not packs_dir.is_dir():
        return []
    return sorted(
        p for p in packs_dir.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))
    )


def is_notebook_name(name: str) -> bool:
    """Whether *name*, listed in ``pack.yml``, names a notebook file directly in the pack folder."""
    return (
        name.endswith(".ipynb")
        and "/" not in name
        and "\\" not in name
        and not name.startswith(".")
    )
