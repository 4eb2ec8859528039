"""What a site build has to say that is not fatal, as located, coded problems.

Sphinx (with MyST-NB) writes its warnings as text, ``<file>:<line>: WARNING: <message> [<type>]``,
about the files of the generated source tree (``book/_build/src/<lang>/``). A reader of that text
would have to find which pack file the generated one came from, and a notebook's line numbers are
MyST-NB's (``(cell + 1) * 10000 + line``). :func:`sphinx_problems` turns each warning into a
:class:`~learnpacks.errors.Problem` on the file the author edits (the pack's notebook, or its
translated copy) at ``cell N, line M``, coded ``book.sphinx-warning`` (the Sphinx warning type is
kept in the message) or with our own ``learnpacks.*`` code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from learnpacks.errors import Problem, Severity

WARNINGS_FILE = "learnpacks-warnings.json"
#: MyST-NB numbers a notebook's lines ``(cell index + 1) * 10000 + line in the cell``.
_NOTEBOOK_LINES = 10000
_WARNING = re.compile(
    r"^(?:(?P<where>.+?):(?:(?P<line>\d+):)? )?(?P<level>WARNING|ERROR|CRITICAL): "
    r"(?P<message>.*?)(?: \[(?P<type>[\w.-]+)\])?$"
)


def _place(path: str, line: int | None) -> str:
    if line is None:
        return ""
    if path.endswith(".ipynb") and line >= _NOTEBOOK_LINES:
        return f"cell {line // _NOTEBOOK_LINES}, line {max(1, line % _NOTEBOOK_LINES)}"
    return f"line {line}"


def sphinx_problems(log: str, *, locate: Callable[[str], str]) -> list[Problem]:
    """Every warning or error line of Sphinx's *log* as a problem; *locate* maps the file Sphinx
    names to the one shown to the user. Continuation lines (a traceback's) are left out."""
    problems = []
    for raw in log.splitlines():
        match = _WARNING.match(raw.strip())
        if match is None:
            continue
        where = match["where"] or ""
        line = int(match["line"]) if match["line"] else None
        message = match["message"].strip()
        kind = match["type"] or ""
        if kind.startswith("learnpacks."):
            code = kind
            message = message.removeprefix(f"{kind}: ")
        else:
            code = "book.sphinx-warning"
            if kind:
                message += f" [{kind}]"
        path = locate(where) if where else "book"
        severity: Severity = "warning" if match["level"] == "WARNING" else "error"
        problems.append(Problem(path, code, message, _place(where, line), severity))
    return sorted(set(problems))


def source_locator(src: Path, *, folders: dict[str, Path], root: Path) -> Callable[[str], str]:
    """A *locate* for :func:`sphinx_problems`: a file of the generated tree *src* under
    ``packs/<id>/`` is shown as the same file of the pack's edition folder (*folders*, by pack id),
    any other file relative to *root*."""

    def locate(name: str) -> str:
        path = Path(name)
        try:
            rel = path.resolve().relative_to(src.resolve())
        except (ValueError, OSError):
            return name
        if len(rel.parts) > 2 and rel.parts[0] == "packs" and rel.parts[1] in folders:
            target = folders[rel.parts[1]].joinpath(*rel.parts[2:])
        else:
            target = src / rel
        try:
            return target.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return str(target)

    return locate


def save(problems: list[Problem], path: Path) -> None:
    path.write_text(json.dumps([p.to_dict() for p in problems], indent=1), encoding="utf-8")


def load(path: Path) -> list[Problem]:
    """The problems :func:`save` wrote (none when the file is missing or not ours)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Problem(**item) for item in data]
    except (OSError, ValueError, TypeError):
        return []
