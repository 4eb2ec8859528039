"""Right-to-left text cells in JupyterLab.

JupyterLab (4.6) sets no direction on a notebook or a cell from metadata; what it honours is the
``dir`` attribute in a markdown cell's HTML, which its sanitizer keeps. So ``i18n build`` writes the
markdown cells of a right-to-left language inside ``<div dir="rtl">`` … ``</div>`` (blank lines
around the markdown, which stays markdown) and marks them ``metadata.learnpacks.direction``; code
cells stay left to right. The site, whose pages are right to left already and which renders no
raw HTML from contributors, reads the cells without the wrapper (:func:`unwrapped`).
"""

from __future__ import annotations

from typing import Any

OPEN = '<div dir="rtl">\n\n'
CLOSE = "\n\n</div>"


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def wrap_rtl(cell: Any) -> None:
    """Make a markdown cell read right to left in JupyterLab (in place). nbgrader cells (answers
    written by learners, locked texts) and empty cells are left as they are."""
    if cell.get("cell_type") != "markdown" or "nbgrader" in cell.get("metadata", {}):
        return
    text = _source(cell)
    if not text.strip() or text.startswith(OPEN):
        return
    cell["source"] = f"{OPEN}{text.strip(chr(10))}{CLOSE}"
    cell.setdefault("metadata", {}).setdefault("learnpacks", {})["direction"] = "rtl"


def unwrapped(cell: Any) -> None:
    """Undo :func:`wrap_rtl` on a cell it marked (in place)."""
    meta = cell.get("metadata", {}).get("learnpacks", {})
    if not isinstance(meta, dict) or meta.get("direction") != "rtl":
        return
    text = _source(cell)
    if text.startswith(OPEN) and text.endswith(CLOSE):
        cell["source"] = text[len(OPEN) : -len(CLOSE)]
    meta.pop("direction")
    if not meta:
        cell["metadata"].pop("learnpacks")
