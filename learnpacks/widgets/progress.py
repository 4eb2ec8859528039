"""The progress panel: which exercises of this notebook are done.

Live, it follows every exercise created in the kernel (or the ``ids`` given) and updates as they
are answered. In the static book, the front-end counts what this browser has answered
(``localStorage``), since no kernel runs there.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import traitlets

from . import answers, base


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
        super().__init__(content={"title": title})
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
