"""The hand-in button a cohort release puts at the end of each notebook.

Running its cell writes nothing: it shows a field for the learner's name or id and a button. The
button saves the notebook (JupyterLab, Notebook 7), then makes one zip of the pack's notebooks as
saved, the answers file and a manifest (:func:`learnpacks.grading.handin.package_work`), and shows
a link to download it. In Jupyter the view asks the kernel through a silent execute request, so
the button works after a kernel restart too (the same path the exercises' answers take); without
a notebook context it sends a message to this object.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import traitlets

from . import i18n
from .answers import _Json
from .base import STATIC, LearnpacksWidget


class HandIn(LearnpacksWidget):
    """``HandIn(assignment="welcome-to-wikimedia", notebooks=[...], language="ar")``.

    *language* is the cohort's (the widgets' UI catalogs); by default the notebook's.
    """

    KIND = "handin"
    _esm = STATIC / "handin.js"
    assignment = traitlets.Unicode("").tag(sync=True)
    notebooks = traitlets.List(traitlets.Unicode()).tag(sync=True)

    def __init__(
        self,
        *,
        assignment: str,
        notebooks: Sequence[str] | None = None,
        language: str | None = None,
    ) -> None:
        if language:
            previous = i18n._language
            i18n.set_language(language)
        try:
            super().__init__(assignment=assignment, notebooks=list(notebooks or []))
            self.strings = {
                **self.strings,
                **{m: i18n.gettext(m, self.lang) for m in i18n.GRADING_STRINGS},
            }
        finally:
            if language:
                i18n._language = previous

    def handle_message(self, content: dict[str, Any]) -> None:
        if content.get("type") == "hand-in":
            reply = hand_in(
                str(content.get("learner", "")), self.assignment, list(self.notebooks) or None
            )
            self.send({"type": "handed-in", "request": content.get("request"), **reply})


def hand_in(learner: str, assignment: str, notebooks: list[str] | None) -> dict[str, Any]:
    """Make the zip in the working folder: ``{"name", "size"}``, or ``{"error": "name"}`` when
    no usable name was given, ``{"error": "io", "detail": ...}`` when it could not be written."""
    from learnpacks.grading.handin import package_work, safe_learner_id

    try:
        safe_learner_id(learner)
    except ValueError:
        return {"error": "name"}
    names = [Path(n).name for n in notebooks] if notebooks else None
    try:
        path = package_work(learner, assignment=Path(assignment).name, notebooks=names)
        return {"name": path.name, "size": path.stat().st_size}
    except OSError as exc:
        return {"error": "io", "detail": str(exc)[:300]}


def hand_in_for_view(payload: str) -> _Json:
    """What the view's silent execute request asks: base64 of UTF-8 JSON
    ``{"learner", "assignment", "notebooks"}``; the reply of :func:`hand_in` as JSON."""
    try:
        data = json.loads(base64.b64decode(payload, validate=True).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return _Json({"error": "name"})
    if not isinstance(data, dict):
        return _Json({"error": "name"})
    names = data.get("notebooks")
    notebooks = [str(n) for n in names] if isinstance(names, list) and names else None
    return _Json(hand_in(str(data.get("learner", "")), str(data.get("assignment", "")), notebooks))
