"""One notebook in one language, planned for ``check --execute``, and where its problems are."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from learnpacks.checks.notebook_file import cell_location

#: the widgets' answers file (and its set-aside copies): never carried into a run
ANSWERS_PATTERN = ".learnpacks-answers.json*"


@dataclass(frozen=True)
class Plan:
    """One notebook in one language, ready to run."""

    pack: str
    language: str
    source_language: str
    notebook: str
    #: the built pack folder of this language (a scratch copy is run, never this one)
    folder: Path
    #: the source notebook, as problems name it (``packs/<pack>/<notebook>``)
    display: str
    #: the catalog a translation comes from (``translations/<lang>/<pack>.po``), else None
    catalog: str | None

    @property
    def translated(self) -> bool:
        return self.language != self.source_language

    @property
    def label(self) -> str:
        return f"{self.display} [{self.language}]"


def scratch_copy(folder: Path, into: Path) -> Path:
    """A private copy of a built pack folder, without any answers file, to run in."""
    target = into / folder.name
    shutil.copytree(folder, target, ignore=shutil.ignore_patterns(ANSWERS_PATTERN))
    return target


def where(plan: Plan, index: int, cell: Any) -> str:
    """``cell 3 [id=x], language fr``: the cell (1-based, as ``learnpacks check`` says) and language."""
    return f"{cell_location(index, cell)}, language {plan.language}"
