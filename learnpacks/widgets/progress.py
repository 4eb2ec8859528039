"""The progress panel: which exercises of this notebook are done, and where it stands in its pack.

Live, it follows every exercise created in the kernel (or the ``ids`` given) and updates as they
are answered. In the static book, the front-end counts what this browser has answered
(``localStorage``), since no kernel runs there.

When the notebook's folder holds its pack's ``pack.yml``, the panel also says "Notebook 2 of 4",
links the previous and the next notebook, and counts the pack's exercises done from the answers
file (each notebook's exercises are the ids of the exercise calls in its code cells). Jupyter only:
the static book has its own page navigation.
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import traitlets
import yaml

from . import answers, base

_EXERCISE_CALL = re.compile(
    r"\b(?:MultipleChoice|ShortAnswer|Ordering|Matching|FillInTheBlanks|CodeExercise|Reflection)"
    r"\((?:[^()]|\([^()]*\))*?\bid\s*=\s*[\"']([a-z0-9-]+)[\"']"
)
_MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024


def _notebook_outline(path: Path) -> tuple[str, list[str]]:
    """A notebook's title (its first ``#`` heading) and its exercise ids, in order."""
    try:
        if path.stat().st_size > _MAX_NOTEBOOK_BYTES:
            return path.stem, []
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return path.stem, []
    title, ids = path.stem, []
    for cell in cells if isinstance(cells, list) else []:
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        source = "".join(source) if isinstance(source, list) else str(source)
        if cell.get("cell_type") == "markdown" and title == path.stem:
            heading = re.search(r"^#\s+(.+?)\s*$", source, re.M)
            title = heading.group(1) if heading else title
        elif cell.get("cell_type") == "code":
            ids += [i for i in _EXERCISE_CALL.findall(source) if i not in ids]
    return title, ids


def pack_place(notebook: str, folder: Path | None = None) -> dict[str, Any] | None:
    """Where *notebook* stands in the pack of *folder* (default: the answers folder):
    ``{"position", "total", "previous", "next", "done", "exercises"}``, the neighbours as
    ``{"href", "title"}`` or None; None when the folder has no ``pack.yml`` listing it."""
    folder = folder if folder is not None else answers.answers_directory()
    try:
        meta = yaml.safe_load((folder / "pack.yml").read_text(encoding="utf-8"))
        names = [str(n) for n in meta["notebooks"]]
    except (OSError, ValueError, TypeError, KeyError, yaml.YAMLError):
        return None
    if notebook not in names:
        return None
    outlines = {name: _notebook_outline(folder / name) for name in names}
    saved = answers.AnswerStore(folder).load()
    done = sum(
        1
        for name, (_, ids) in outlines.items()
        for i in ids
        if saved.get(name, {}).get(i, {}).get("status") in ("correct", "recorded")
    )
    at = names.index(notebook)

    def link(n: int) -> dict[str, str] | None:
        if not 0 <= n < len(names):
            return None
        return {"href": names[n], "title": outlines[names[n]][0]}

    return {
        "position": at + 1,
        "total": len(names),
        "previous": link(at - 1),
        "next": link(at + 1),
        "done": done,
        "exercises": sum(len(ids) for _, ids in outlines.values()),
    }


def pack_for_view(notebook: str) -> answers._Json:
    """:func:`pack_place` as JSON, for the progress panel's view (a silent execute request)."""
    return answers._Json(pack_place(Path(str(notebook)).name))


def _label(prompt: str, limit: int = 70) -> str:
    text = " ".join(prompt.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class Progress(base.LearnpacksWidget):
    """Shows "3 of 5 done" and the list of exercises, each marked done or not (in words)."""

    KIND = "progress"

    items: traitlets.List[dict[str, Any]] = traitlets.List().tag(sync=True)

    def __init__(self, *, ids: Sequence[str] = (), title: str = "") -> None:
        for exercise_id in ids:
            base.validate_id(exercise_id)
        self._ids = list(ids)
        super().__init__(content={"title": title, "pack": pack_place(answers.notebook_name())})
        ref = weakref.ref(self)

        def refresh() -> None:
            panel = ref()
            if panel is not None:
                panel.refresh()

        base.add_listener(refresh)
        self.refresh()

    def refresh(self) -> None:
        """Recount from the live exercises."""
        notebook = answers.notebook_name()
        live = {w.exercise_id: w for w in base.live_exercises() if w.notebook == notebook}
        ids = self._ids or list(live)
        items: list[dict[str, Any]] = []
        for exercise_id in ids:
            widget = live.get(exercise_id)
            items.append(
                {
                    "id": exercise_id,
                    "label": _label(widget.prompt) if widget and widget.prompt else exercise_id,
                    "done": bool(widget and widget.done),
                }
            )
        if items != self.items:
            self.items = items

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item["done"])
