"""The learner's version of a notebook: what nbgrader's ``generate_assignment`` gives learners.

Authors keep answer keys in nbgrader regions (``### BEGIN SOLUTION`` … ``### END SOLUTION`` in
answer cells, ``### BEGIN HIDDEN TESTS`` … ``### END HIDDEN TESTS`` in test cells). The site, every
download and every release show the learner's version, made here with nbgrader's own rules —
without importing nbgrader, which is not in the core install:

- a solution region becomes the code stub (``pass  # YOUR CODE HERE``, the stub ``cohort init``
  configures so that a widget cell still shows its widget) or, in markdown, the text stub, indented
  as the marker line was (``ClearSolutions``); a solution cell without a region becomes the stub;
- a hidden-test region is removed with its markers (``ClearHiddenTests``), as is a mark-scheme
  region (``ClearMarkScheme``);
- outputs and execution counts are cleared (``ClearOutput``).

A marker is found as nbgrader finds it: anywhere in a line, whatever the comment characters.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from learnpacks.errors import LearnpacksError, Problem

if TYPE_CHECKING:
    from nbformat import NotebookNode

BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
BEGIN_HIDDEN_TESTS = "BEGIN HIDDEN TESTS"
END_HIDDEN_TESTS = "END HIDDEN TESTS"
BEGIN_MARK_SCHEME = "BEGIN MARK SCHEME"
END_MARK_SCHEME = "END MARK SCHEME"
#: Every nbgrader region marker; a line holding one is never shown to readers or translators.
MARKERS = (
    BEGIN_SOLUTION,
    END_SOLUTION,
    BEGIN_HIDDEN_TESTS,
    END_HIDDEN_TESTS,
    BEGIN_MARK_SCHEME,
    END_MARK_SCHEME,
)
#: The python code stub learnpacks configures for nbgrader's ``ClearSolutions.code_stub``:
#: valid inside a function body, harmless at top level (a widget cell still shows its widget).
CODE_STUB = "pass  # YOUR CODE HERE"
#: nbgrader's default ``ClearSolutions.text_stub`` for markdown answer cells.
TEXT_STUB = "YOUR ANSWER HERE"

_INDENT = re.compile(r"\s*")


class RegionError(LearnpacksError):
    """A solution or hidden-test region that nbgrader itself would refuse (nested or unclosed).

    ``code`` is ``grade.region-nested`` or ``grade.region-unclosed``; ``line`` is 1-based.
    """

    def __init__(self, code: str, message: str, *, line: int, path: str = "", cell: str = ""):
        where = f"{cell}, line {line}" if cell else f"line {line}"
        super().__init__(
            message, [Problem(path, code, message, where)], code=code, path=path, place=where
        )
        self.line = line


def _nbgrader(cell: Any) -> dict[str, Any]:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def is_solution_cell(cell: Any) -> bool:
    """True for an nbgrader answer cell (``solution: true``), autograded or manually graded."""
    return bool(_nbgrader(cell).get("solution", False))


def is_test_cell(cell: Any) -> bool:
    """True for an nbgrader autograder test cell: a code cell with ``grade: true``, not an answer."""
    meta = _nbgrader(cell)
    return (
        cell.get("cell_type") == "code"
        and bool(meta.get("grade", False))
        and not meta.get("solution", False)
    )


def is_graded(nb: Any) -> bool:
    """True if any cell carries nbgrader solution, grade or task metadata (the notebook is graded)."""
    for cell in nb.get("cells", []):
        meta = _nbgrader(cell)
        if meta.get("solution") or meta.get("grade") or meta.get("task"):
            return True
    return False


def has_marker(text: str) -> bool:
    """True if ``text`` holds any nbgrader region marker."""
    return any(marker in text for marker in MARKERS)


def source_text(cell: Any) -> str:
    """A cell's source as one string (nbformat allows a list of lines on disk)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


_PAIRS = (
    (BEGIN_SOLUTION, END_SOLUTION),
    (BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS),
    (BEGIN_MARK_SCHEME, END_MARK_SCHEME),
)


def author_only_lines(cell: Any) -> set[int] | None:
    """The 0-based lines of a cell's source that only the author's notebook has.

    Those are the lines of solution, hidden-test and mark-scheme regions, their markers, and
    any other line that names a marker (an unclosed region runs to the end). None means the
    whole cell is the author's: an autograder test cell (its code is the key, restored from the
    author's copy at grading), or an answer cell without a solution region (nbgrader replaces
    it whole). Never raises: translators and readers get less, never more.
    """
    lines = source_text(cell).split("\n")
    if is_test_cell(cell):
        return None
    if is_solution_cell(cell) and not any(BEGIN_SOLUTION in line for line in lines):
        return None
    found: set[int] = set()
    closing: str | None = None
    for number, line in enumerate(lines):
        if closing is not None:
            found.add(number)
            if closing in line:
                closing = None
            continue
        closing = next((end for begin, end in _PAIRS if begin in line), None)
        if closing is not None or has_marker(line):
            found.add(number)
    return found


def region_lines(source: str, begin: str, end: str) -> list[tuple[int, int]]:
    """The ``(begin_line, end_line)`` pairs (0-based, inclusive of markers) of each region.

    Raises ``RegionError`` for a nested or unclosed region, as nbgrader does.
    """
    regions: list[tuple[int, int]] = []
    if begin not in source:
        return regions  # most cells: no region, and an end marker alone is ignored
    start: int | None = None
    for number, line in enumerate(source.split("\n")):
        if begin in line:
            if start is not None:
                raise RegionError("grade.region-nested", f"nested {begin!r}", line=number + 1)
            start = number
        elif end in line and start is not None:
            regions.append((start, number))
            start = None
    if start is not None:
        raise RegionError("grade.region-unclosed", f"{begin!r} is never closed", line=start + 1)
    return regions


def _rewrite(source: str, begin: str, end: str, stub: list[str] | None) -> tuple[str, bool]:
    """nbgrader's line loop: drop each region, put ``stub`` (indented like the marker) in its place."""
    out: list[str] = []
    inside = found = False
    start = 0
    for number, line in enumerate(source.split("\n"), 1):
        if begin in line:
            if inside:
                raise RegionError("grade.region-nested", f"nested {begin!r}", line=number)
            inside = found = True
            start = number
            if stub is not None:
                indent = _INDENT.match(line).group(0)  # type: ignore[union-attr]
                out.extend(indent + part for part in stub)
        elif end in line:
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise RegionError("grade.region-unclosed", f"{begin!r} is never closed", line=start)
    return "\n".join(out), found


def learner_cell(cell: Any, *, code_stub: str = CODE_STUB, text_stub: str = TEXT_STUB) -> Any:
    """The learner's version of one cell (modified in place and returned)."""
    source = source_text(cell)
    stub = code_stub if cell.get("cell_type") == "code" else text_stub
    source, replaced = _rewrite(source, BEGIN_SOLUTION, END_SOLUTION, stub.split("\n"))
    if is_solution_cell(cell) and not replaced:
        source = stub
    source, _ = _rewrite(source, BEGIN_HIDDEN_TESTS, END_HIDDEN_TESTS, None)
    source, _ = _rewrite(source, BEGIN_MARK_SCHEME, END_MARK_SCHEME, None)
    cell["source"] = source
    if cell.get("cell_type") == "code":
        cell["outputs"] = []
        cell["execution_count"] = None
    return cell


def learner_version(
    nb: NotebookNode, *, code_stub: str = CODE_STUB, text_stub: str = TEXT_STUB, path: str = ""
) -> NotebookNode:
    """A copy of ``nb`` as a learner receives it: no solution, hidden test, mark scheme or output.

    Cells keep their ids, types and metadata; sources equal what ``nbgrader generate_assignment``
    writes with learnpacks' stub (``cohort init`` configures it). A notebook without regions or
    nbgrader metadata comes back with its outputs cleared. Raises ``RegionError`` (naming ``path``
    and the cell) for a nested or unclosed region.
    """
    copied = copy.deepcopy(nb)
    for index, cell in enumerate(copied.get("cells", [])):
        try:
            learner_cell(cell, code_stub=code_stub, text_stub=text_stub)
        except RegionError as exc:
            where = f"cell {index + 1}" + (f" [id={cell['id']}]" if cell.get("id") else "")
            raise RegionError(exc.code, exc.message, line=exc.line, path=path, cell=where) from None
    copied.get("metadata", {}).pop("celltoolbar", None)
    return copied
