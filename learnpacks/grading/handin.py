"""Learner side of hand-in without a shared filesystem: "download my work".

Runs in the learner's kernel (Binder, a hub, a laptop), so it uses the standard library only.
:func:`download_my_work` zips the pack's notebooks and the exercise answers file of the
working folder into ``<learner>--<assignment>.zip`` and shows a download link; the learner
hands that file in by any means (LMS, e-mail, USB stick) and ``learnpacks cohort collect``
files it.
"""

from __future__ import annotations

import html
import json
import re
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from learnpacks.errors import WidgetError

ANSWERS_FILE = ".learnpacks-answers.json"
MANIFEST = "learnpacks-handin.json"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_learner_id(name: str) -> str:
    """*name* reduced to letters, digits, ``.``, ``_`` and ``-`` (what ``collect`` accepts)."""
    cleaned = _SAFE.sub("-", name.strip()).strip("-._")[:64]
    if not cleaned:
        raise WidgetError(
            "give your name or learner id, e.g. download_my_work('ada-lovelace')",
            code="handin.no-learner",
        )
    return cleaned


def package_work(
    learner: str,
    *,
    assignment: str,
    notebooks: list[str] | None = None,
    folder: str | Path = ".",
) -> Path:
    """Write ``<learner>--<assignment>.zip`` in *folder*; returns its path.

    It holds the notebooks (all ``*.ipynb`` of *folder* when *notebooks* is None), the answers
    file if there is one, and a small manifest (learner, assignment, time).
    """
    learner = safe_learner_id(learner)
    folder = Path(folder)
    names = notebooks if notebooks is not None else sorted(p.name for p in folder.glob("*.ipynb"))
    target = folder / f"{learner}--{assignment}.zip"
    manifest = {
        "learner": learner,
        "assignment": assignment,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "notebooks": names,
    }
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            path = folder / name
            if path.is_file() and not path.is_symlink():
                zf.write(path, arcname=name)
        answers = folder / ANSWERS_FILE
        if answers.is_file() and not answers.is_symlink():
            zf.write(answers, arcname=ANSWERS_FILE)
        zf.writestr(MANIFEST, json.dumps(manifest, indent=1))
    return target


def _translated(language: str | None) -> Callable[[str], str]:
    """The widgets' catalogs when learnpacks' widgets are there (they are in a learner's
    kernel); English otherwise, so this module still runs on the standard library alone."""
    try:
        from learnpacks.widgets.i18n import gettext
    except ImportError:
        return lambda message: message
    return lambda message: gettext(message, language or "en")


def download_my_work(
    learner: str,
    *,
    assignment: str,
    notebooks: list[str] | None = None,
    language: str | None = None,
) -> Path:
    """Package the work (see :func:`package_work`) and display a download link for it, in
    *language* (the cohort's; English by default).

    Save your notebook first (Ctrl+S): the file on disk is what gets packaged.
    """
    t = _translated(language)
    path = _HandInPath(package_work(learner, assignment=assignment, notebooks=notebooks))
    try:
        from IPython.display import HTML, display
    except ImportError:  # not in a notebook: the file is there anyway
        print(f"saved {path}")
        return path
    size = path.stat().st_size
    label = html.escape(path.name)
    text = html.escape(t("Download {name}").format(name=path.name))
    # A link to the file beside the notebook (Jupyter serves it), never the zip itself inside
    # the output: the saved notebook would carry it into the next hand-in, which grows each time.
    link = f'<a download="{label}" href="{label}">{text}</a>'
    then = html.escape(t("Hand this file in to your facilitator."))
    display(HTML(f"<p>{link} ({size // 1024 + 1} KiB). {then}</p>"))
    return path


class _HandInPath(type(Path())):  # type: ignore[misc]
    """The zip's path, which shows nothing more when it ends a cell (the link is shown)."""

    def _ipython_display_(self) -> None:
        return None
