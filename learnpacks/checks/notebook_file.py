"""Reading a notebook defensively: size, encoding, JSON, nbformat schema, cell ids."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4.rwbase import rejoin_lines

from learnpacks.errors import Problem

#: Authors' notebooks are text; a pack notebook over this size has outputs or data baked in.
MAX_NOTEBOOK_BYTES = 5_000_000


def _excerpt(text: str, pos: int, width: int = 40) -> str:
    start = max(0, pos - width // 2)
    return text[start : start + width].replace("\n", "⏎")


def read_notebook(path: Path, display: str) -> tuple[nbformat.NotebookNode | None, list[Problem]]:
    """Read *path* as an nbformat 4 notebook, or explain why it cannot be read.

    Never raises for bad content; returns ``(None, problems)`` instead.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [Problem(display, "nb.unreadable", f"cannot read notebook: {exc.strerror}")]
    if size > MAX_NOTEBOOK_BYTES:
        return None, [
            Problem(
                display,
                "nb.too-large",
                f"notebook is {size} bytes; the limit is {MAX_NOTEBOOK_BYTES}",
                hint="clear outputs and move data to files",
            )
        ]
    raw = path.read_bytes()
    if not raw.strip():
        return None, [Problem(display, "nb.not-json", "file is empty")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(display, "nb.encoding", f"not valid UTF-8 at byte {exc.start}")]
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [
            Problem(
                display,
                "nb.not-json",
                f"not JSON: {exc.msg} near {_excerpt(text, exc.pos)!r}",
                f"line {exc.lineno}, column {exc.colno}",
            )
        ]
    if (
        not isinstance(data, dict)
        or "cells" not in data
        or not isinstance(data.get("nbformat"), int)
    ):
        return None, [
            Problem(
                display, "nb.invalid-format", "JSON is not a notebook (no 'cells' or 'nbformat')"
            )
        ]
    if data["nbformat"] != 4:
        return None, [
            Problem(
                display,
                "nb.invalid-format",
                f"nbformat {data['nbformat']} is not supported; save the notebook with Jupyter 4+",
            )
        ]
    for index, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("markdown", "code", "raw"):
            found = cell.get("cell_type") if isinstance(cell, dict) else type(cell).__name__
            return None, [
                Problem(
                    display,
                    "nb.invalid-format",
                    f"cell_type is {found!r}; expected 'markdown', 'code' or 'raw'",
                    cell_location(index, cell if isinstance(cell, dict) else {}),
                )
            ]
    nb = rejoin_lines(nbformat.from_dict(data))
    try:
        # nbformat's validator repairs some problems in place (duplicate ids); validate a copy so the
        # checks below still see the notebook as the author wrote it (parsing the text again
        # makes one in a sixth of the time a deep copy takes).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nbformat.validate(json.loads(text), version=4)
    except nbformat.ValidationError as exc:
        json_path = list(getattr(exc, "absolute_path", []) or [])
        loc = _cell_location_from_path(nb=data, path=json_path) or "/".join(map(str, json_path))
        message = str(exc.message)
        if len(message) > 200:
            message = message[:200] + "…"
        return None, [
            Problem(
                display, "nb.invalid-format", f"not a valid nbformat 4 notebook: {message}", loc
            )
        ]
    return nb, []


def _cell_location_from_path(nb: dict[str, Any], path: list[Any]) -> str:
    if len(path) >= 2 and path[0] == "cells" and isinstance(path[1], int):
        cells = nb.get("cells") or []
        cell = cells[path[1]] if path[1] < len(cells) else {}
        return cell_location(path[1], cell if isinstance(cell, dict) else {})
    return ""


def cell_location(index: int, cell: Any, line: int | None = None) -> str:
    """``cell 3 [id=intro-1]``, plus ``line N`` inside the cell when given (both 1-based)."""
    cell_id = cell.get("id") if hasattr(cell, "get") else None
    text = f"cell {index + 1}" + (f" [id={cell_id}]" if cell_id else "")
    if line is not None:
        text += f", line {line}"
    return text
