"""Translators never get answer keys or nbgrader markers (THREATS.md 56 and 63).

``extract`` offers nothing from an autograder test cell or an answer cell without a solution
region, and nothing on a line of a solution, hidden-test or mark-scheme region (markers
included) — what :func:`learnpacks.packs.learner.author_only_lines` says only the author's
notebook has. ``check`` refuses a catalog entry that carries a marker or names such a unit, and
``build`` refuses to write a notebook whose nbgrader metadata or author-only lines differ from
the source's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polib

from learnpacks.errors import LearnpacksError, Problem
from learnpacks.i18n.spans import Found
from learnpacks.packs.learner import MARKERS, author_only_lines, has_marker, source_text


@dataclass
class Withheld:
    """What extraction kept from translators in one cell: all of it, or these texts."""

    whole: bool = False
    texts: set[str] = field(default_factory=set)


def split_offered(cell: Any, found: Sequence[Found]) -> tuple[list[Found], Withheld | None]:
    """The units of *cell* a translator may see, and what was withheld (None if nothing)."""
    lines = author_only_lines(cell)
    if lines is None:
        return [], Withheld(True, {f.text for f in found})
    offered: list[Found] = []
    withheld = Withheld()
    for item in found:
        span = range(item.segments[0].line, item.segments[-1].line + 1)
        if has_marker(item.text) or any(line in lines for line in span):
            withheld.texts.add(item.text)
        else:
            offered.append(item)
    return offered, (withheld if withheld.texts else None)


def marker_problem(label: str, text: str, *, display: str, where: str) -> Problem | None:
    """``i18n.grading-marker`` if *text* (an entry's msgid or msgstr) holds an nbgrader marker:
    pasted into a cell, it would open, close or move a region."""
    marker = next((m for m in MARKERS if m in text), None)
    if marker is None:
        return None
    return Problem(
        display,
        "i18n.grading-marker",
        f"the {label} carries nbgrader's marker {marker!r}",
        where,
        hint="markers and what they enclose are never translated; delete the entry",
    )


def entry_grading_problems(
    entry: polib.POEntry,
    withheld: Mapping[str, Withheld],
    offered: set[str],
    *,
    display: str,
) -> list[Problem]:
    """Why a catalog entry, translated or not, must not be there: its msgid carries an nbgrader
    marker, or names text only the author's notebook has (a test cell, a solution or
    hidden-test region). A marker in a msgstr is :func:`entry_problems`' to find."""
    where = f"msgctxt {entry.msgctxt!r}, line {entry.linenum}"
    found = marker_problem("msgid", entry.msgid, display=display, where=where)
    problems = [found] if found else []
    context = entry.msgctxt or ""
    cell = withheld.get(context.rsplit("#", 1)[0])
    in_withheld_cell = cell is not None and (cell.whole or entry.msgid in cell.texts)
    anywhere = context not in offered and any(entry.msgid in w.texts for w in withheld.values())
    if in_withheld_cell or anywhere:
        problems.append(
            Problem(
                display,
                "i18n.grading-region",
                "the entry translates a test cell or a solution or hidden-test region, which the "
                "template never offers",
                where,
                hint="delete the entry; graded code and keys stay as the author wrote them",
            )
        )
    return problems


def _author_only(cell: Any) -> list[str]:
    source = source_text(cell)
    lines = author_only_lines(cell)
    if lines is None:
        return [source]
    return [line for n, line in enumerate(source.split("\n")) if n in lines]


def grading_changes(source: Any, translated: Any, *, display: str) -> list[Problem]:
    """Cells of *translated* whose type, nbgrader metadata or author-only lines differ from
    *source*'s (a translated notebook must grade exactly as the source does)."""
    problems = []
    if len(source.cells) != len(translated.cells):
        return [
            Problem(
                display,
                "i18n.grading-changed",
                f"{len(translated.cells)} cells, the source has {len(source.cells)}",
                "notebook",
            )
        ]
    for index, (before, after) in enumerate(zip(source.cells, translated.cells, strict=True)):
        what = [
            name
            for name, same in (
                ("cell type", before.get("cell_type") == after.get("cell_type")),
                (
                    "nbgrader metadata",
                    before.get("metadata", {}).get("nbgrader")
                    == after.get("metadata", {}).get("nbgrader"),
                ),
                ("graded code or regions", _author_only(before) == _author_only(after)),
            )
            if not same
        ]
        if what:
            cell_id = before.get("id")
            problems.append(
                Problem(
                    display,
                    "i18n.grading-changed",
                    f"the translated cell's {', '.join(what)} differ from the source's",
                    f"cell {index + 1}" + (f" [id={cell_id}]" if cell_id else ""),
                )
            )
    return problems


def require_same_grading(source: Any, translated: Any, *, display: str) -> None:
    """Raise a coded error (``i18n.grading-changed``) unless :func:`grading_changes` is empty."""
    problems = grading_changes(source, translated, display=display)
    if problems:
        raise LearnpacksError(
            f"{display}: refusing to write a translation that grades differently from the source",
            problems,
            code="i18n.grading-changed",
            path=display,
        )
